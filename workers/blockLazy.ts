// Lazy units in the block worker (issue 13): a lazy input's array fields become LazyArray handles
// (read(region), blocks({halo}) — the SDK's class) reading through the job's port, and a lazy output's
// `createArray(spec)` gives an OutputArray written block by block through it. Arrays a lazy input
// gets in memory (from another block's output) are wrapped the same way, read from memory.
import * as Comlink from 'comlink';
import { cropBox, fullRegion, type ArrayRegion } from '../src/core/lazyArrays';
import { isLazyArrayRef, type DataStream } from '../src/core/beat';
import type { BlockArraysApi } from '../src/core/blockProtocol';
import { isNDArray, type DType, type NDArray } from '../src/core/ndarray';
import type { HostApi, OutputArrayInfo } from '../src/core/protocol';
import { LazyArray, OutputArray } from '../src/sdk/lazyArrays';

type Remote = Comlink.Remote<BlockArraysApi>;

/** The input names a (raw) declaration marks `"lazy": true`. */
export function lazyInputNames(declaration: unknown): Set<string> {
  const groups = (declaration as { groups?: unknown } | null)?.groups;
  const out = new Set<string>();
  if (!Array.isArray(groups)) return out;
  for (const g of groups as { inputs?: Record<string, { lazy?: unknown }> }[]) {
    for (const [name, e] of Object.entries(g?.inputs ?? {})) if (e?.lazy === true) out.add(name);
  }
  return out;
}

/** The bytes of `a` to transfer: its own buffer, or a copy of a view into a larger one. */
function transferable(a: NDArray): NDArray {
  const d = a.data;
  if (d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return Comlink.transfer(a, [d.buffer]);
  const copy = d.slice() as NDArray['data'];
  return Comlink.transfer({ dtype: a.dtype, shape: [...a.shape], data: copy }, [copy.buffer as ArrayBuffer]);
}

/** What LazyArray and OutputArray call, over the job's port. */
function hostOf(remote: Remote | null): HostApi {
  const need = (): Remote => {
    if (!remote) throw new Error('lazy arrays: this job has no port to the engine');
    return remote;
  };
  return {
    readArray: (handle: string, _key: string, region: ArrayRegion | null) => need().readArray(handle, region),
    writeArray: (handle: string, origin: number[], block: NDArray) => need().writeArray(handle, origin, transferable(block)),
    readOutput: (handle: string, region: ArrayRegion | null) => need().readOutput(handle, region),
    abortArray: (handle: string) => need().abortArray(handle),
  } as unknown as HostApi;
}

/** An in-memory array behind the LazyArray interface. */
function memoryArray(field: string, a: NDArray): LazyArray {
  const host = {
    readArray: (_h: string, _k: string, region: ArrayRegion | null) => {
      const box = fullRegion(region, a.shape);
      return Promise.resolve(
        cropBox(
          a,
          box.map(([s]) => s),
          box.map(([s, e]) => e - s),
        ),
      );
    },
  } as unknown as HostApi;
  return new LazyArray(host, 'memory', field, { kind: 'array', dtype: a.dtype, shape: [...a.shape], chunks: [...a.shape], axes: null });
}

/** The job's streams with lazy inputs' array fields as LazyArray handles. */
export function lazyStreams(inputs: Record<string, DataStream>, lazy: ReadonlySet<string>, remote: Remote | null): Record<string, DataStream> {
  if (lazy.size === 0) return inputs;
  const host = hostOf(remote);
  const out: Record<string, DataStream> = {};
  for (const [name, stream] of Object.entries(inputs)) {
    if (!lazy.has(name)) {
      out[name] = stream;
      continue;
    }
    out[name] = stream.map((u) => {
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(u.data as Record<string, unknown>)) {
        if (isLazyArrayRef(v))
          data[k] = new LazyArray(host, v.lazyArray, k, { kind: 'array', dtype: v.dtype as DType, shape: v.shape, chunks: v.chunks, axes: v.axes ?? null });
        else if (isNDArray(v)) data[k] = memoryArray(k, v);
        else data[k] = v;
      }
      return { data, start: u.start, end: u.end };
    });
  }
  return out;
}

/** `outputs.get(name).createArray(spec)` for the job's lazy outputs. */
export function arrayFactory(remote: Remote | null): (output: string, spec: unknown) => Promise<unknown> {
  const host = hostOf(remote);
  return async (output, spec) => {
    if (!remote) throw new Error(`output '${output}': this job has no port to the engine`);
    const info = (await remote.createArray(output, spec)) as OutputArrayInfo;
    return new OutputArray(host, info);
  };
}
