// The worker's side of transferring lazy-array blocks (issue 13): writeArray sends a block's bytes to
// the engine by transfer rather than by copy when the block owns its whole buffer (a view into a
// larger buffer is copied, as structured clone does). Wraps the Comlink remote of an execution's
// HostApi; every other call goes through unchanged.
import * as Comlink from 'comlink';
import type { HostApi } from '../src/core/protocol';

/** `block` marked for transfer when its data is its whole ArrayBuffer. */
function transferable<T>(block: T): T {
  const d = (block as { data?: unknown } | null)?.data;
  if (ArrayBuffer.isView(d) && d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.byteLength > 0) {
    return Comlink.transfer(block, [d.buffer]);
  }
  return block;
}

/** `remote` with writeArray transferring its block. */
export function withBlockTransfer(remote: HostApi): HostApi {
  return new Proxy(remote, {
    get(target, prop, receiver) {
      if (prop === 'writeArray') {
        return (handle: string, origin: number[], block: Parameters<HostApi['writeArray']>[2]) => target.writeArray(handle, origin, transferable(block));
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}
