// SHA-256 through SubtleCrypto (available in browsers, workers and Node ≥ 20).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < u8.length; i++) s += HEX[u8[i]!];
  return s;
}

/** SHA-256 of bytes (a view is hashed as its own bytes only), as lower-case hex. */
export async function sha256Hex(bytes: ArrayBuffer | ArrayBufferView): Promise<string> {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // SubtleCrypto rejects views on SharedArrayBuffer; copy in that (rare) case.
  const input = view.buffer instanceof ArrayBuffer ? view : new Uint8Array(view);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', input as Uint8Array<ArrayBuffer>);
  return toHex(digest);
}

/** SHA-256 of a UTF-8 string. */
export function sha256Text(text: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(text));
}

/**
 * The identity of a bundle: SHA-256 over the sorted lines `path\0sha256(file)\n`. Independent of
 * zip packing and file order, so the same files always give the same hash.
 */
export async function bundleHash(fileHashes: Record<string, string>): Promise<string> {
  const lines = Object.keys(fileHashes)
    .sort()
    .map((p) => `${p}\0${fileHashes[p]}\n`)
    .join('');
  return sha256Text(lines);
}
