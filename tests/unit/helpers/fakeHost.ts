// A fake HostApi for SDK and runner-host tests: datasets live in a Map, every call is recorded.
import type { HostApi, RawFields } from '../../../src/core/protocol';
import type { LogLevel, StoredField } from '../../../src/core/records';
import { ndarray, stridesOf, type NDArray } from '../../../src/core/ndarray';
import { cropBox, fullRegion, originProblem, regionProblem } from '../../../src/core/lazyArrays';

export interface FakeHost extends HostApi {
  /** Stored datasets: id → field → stored field. */
  datasets: Map<string, Record<string, StoredField>>;
  logs: { level: LogLevel; message: string }[];
  progresses: number[];
  stages: { name: string; ms?: number }[];
  fetchCalls: { ids: string[]; keys: string[] | null }[];
  postCalls: { items: Record<string, StoredField>[]; schemaName: string | null }[];
  session: Map<string, unknown>;
  assets: Map<string, Uint8Array>;
  /** Every call by method name, in order. */
  calls: string[];
  /** Log messages only. */
  messages(): string[];
  /** Lazy arrays: the regions read ([start, stop] per axis), output arrays by handle, the most reads in flight at once. */
  readRegions: [number, number][][];
  outputs: Map<string, NDArray>;
  peakReads: number;
  /** Chunk shape describeData reports per field key (default: the field's shape). */
  chunkShapes: Map<string, number[]>;
}

export interface FakeHostOptions {
  /** Ids postData returns; by default "out-1", "out-2", … */
  postIds?: (n: number) => string[];
  assets?: Record<string, Uint8Array>;
  /** Each readArray takes this long (so reads can overlap). */
  readDelayMs?: number;
}

/** Copy `block` into `a` at `origin` (row by row along the last axis). */
function pasteBox(a: NDArray, origin: readonly number[], block: NDArray): void {
  const nd = a.shape.length;
  const strides = stridesOf(a.shape);
  const row = block.shape[nd - 1] ?? 1;
  const rows = row === 0 ? 0 : block.data.length / row;
  const idx = block.shape.slice(0, Math.max(0, nd - 1)).map(() => 0);
  for (let r = 0; r < rows; r++) {
    let dst = nd ? origin[nd - 1]! : 0;
    for (let i = 0; i < nd - 1; i++) dst += (origin[i]! + idx[i]!) * strides[i]!;
    (a.data as Uint8Array).set((block.data as Uint8Array).subarray(r * row, (r + 1) * row), dst);
    for (let i = nd - 2; i >= 0; i--) {
      if (++idx[i]! < block.shape[i]!) break;
      idx[i] = 0;
    }
  }
}

let seq = 0;
let reading = 0;

export function fakeHost(opts: FakeHostOptions = {}): FakeHost {
  const h: FakeHost = {
    datasets: new Map(),
    logs: [],
    progresses: [],
    stages: [],
    fetchCalls: [],
    postCalls: [],
    session: new Map(),
    assets: new Map(Object.entries(opts.assets ?? {})),
    calls: [],
    messages: () => h.logs.map((l) => l.message),
    readRegions: [],
    outputs: new Map(),
    peakReads: 0,
    chunkShapes: new Map(),

    async fetchData(ids, keys) {
      h.calls.push('fetchData');
      h.fetchCalls.push({ ids: [...ids], keys: keys ? [...keys] : null });
      return ids.map((id) => {
        const ds = h.datasets.get(id);
        if (!ds) throw new Error(`Dataset ${id} not found.`);
        const out: RawFields = {};
        for (const k of keys ?? Object.keys(ds)) out[k] = ds[k] ?? null;
        return out;
      });
    },
    async postData(items, schemaName) {
      h.calls.push('postData');
      // Output arrays (createArray) are stored as the arrays written.
      const stored = items.map((it) => {
        const out: Record<string, StoredField> = {};
        for (const [k, f] of Object.entries(it)) {
          if ('staged' in f) {
            const a = h.outputs.get(f.staged);
            if (!a) throw new Error(`postData: unknown output array ${f.staged}.`);
            h.outputs.delete(f.staged);
            out[k] = { kind: 'array', array: a };
          } else out[k] = f;
        }
        return out;
      });
      h.postCalls.push({ items: stored, schemaName });
      const ids = opts.postIds ? opts.postIds(items.length) : items.map(() => `out-${++seq}`);
      stored.forEach((it, i) => h.datasets.set(ids[i]!, it));
      return ids;
    },
    async setOutputAxes(id, key) {
      h.calls.push('setOutputAxes');
      if (!h.datasets.get(id)?.[key]) throw new Error(`setOutputAxes: dataset ${id} has no field '${key}'.`);
    },
    async describeData(ids) {
      h.calls.push('describeData');
      return ids.map((id) => {
        const ds = h.datasets.get(id);
        if (!ds) throw new Error(`Dataset ${id} not found.`);
        const fields: Record<string, { kind: StoredField['kind']; dtype: NDArray['dtype']; shape: number[]; chunks: number[]; axes: null }> = {};
        for (const [k, f] of Object.entries(ds))
          fields[k] = { kind: f.kind, dtype: f.array.dtype, shape: [...f.array.shape], chunks: h.chunkShapes.get(k) ?? [...f.array.shape], axes: null };
        return { schema: null, fields, sourceImage: null };
      });
    },
    async readArray(id, key, region) {
      h.calls.push('readArray');
      const f = h.datasets.get(id)?.[key];
      if (!f) throw new Error(`Dataset ${id} has no field ${key}.`);
      if (region) {
        const p = regionProblem(region, f.array.shape, 'readArray: region');
        if (p) throw new Error(p);
      }
      const box = fullRegion(region, f.array.shape);
      h.readRegions.push(box);
      reading++;
      h.peakReads = Math.max(h.peakReads, reading);
      try {
        if (opts.readDelayMs) await new Promise((r) => setTimeout(r, opts.readDelayMs));
        return cropBox(
          f.array,
          box.map(([a]) => a),
          box.map(([a, b]) => b - a),
        );
      } finally {
        reading--;
      }
    },
    async createArray(spec) {
      h.calls.push('createArray');
      const handle = `array-${++seq}`;
      h.outputs.set(handle, ndarray(spec.dtype, spec.shape));
      return { handle, dtype: spec.dtype, shape: [...spec.shape], chunks: spec.chunks ? [...spec.chunks] : [...spec.shape] };
    },
    async writeArray(handle, origin, block) {
      h.calls.push('writeArray');
      const a = h.outputs.get(handle);
      if (!a) throw new Error(`writeArray: unknown output array ${handle}.`);
      const p = originProblem(origin, block.shape, a.shape, 'origin');
      if (p) throw new Error(`writeArray: ${p}`);
      pasteBox(a, origin, block);
    },
    async readOutput(handle, region) {
      h.calls.push('readOutput');
      const a = h.outputs.get(handle);
      if (!a) throw new Error(`readOutput: unknown output array ${handle}.`);
      const box = fullRegion(region, a.shape);
      return cropBox(
        a,
        box.map(([s]) => s),
        box.map(([s, e]) => e - s),
      );
    },
    async abortArray(handle) {
      h.calls.push('abortArray');
      h.outputs.delete(handle);
    },
    async fetchAsset(path) {
      h.calls.push('fetchAsset');
      const a = h.assets.get(path);
      if (!a) throw new Error(`Asset ${path} not found.`);
      return a;
    },
    async log(level, message) {
      h.calls.push('log');
      h.logs.push({ level, message });
    },
    async progress(p) {
      h.calls.push('progress');
      h.progresses.push(p);
    },
    async stage(name, ms) {
      h.calls.push('stage');
      h.stages.push(ms === undefined ? { name } : { name, ms });
    },
    async sessionSave(key, value) {
      h.calls.push('sessionSave');
      h.session.set(key, value);
    },
    async sessionLoad(key) {
      h.calls.push('sessionLoad');
      if (!h.session.has(key)) throw new Error(`No session item '${key}'.`);
      return h.session.get(key);
    },
    async sessionRemove(key) {
      h.calls.push('sessionRemove');
      if (!h.session.delete(key)) throw new Error(`No session item '${key}'.`);
    },
  };
  return h;
}

/** Store datasets with one NDArray field `key` each under ids ids[i]. */
export function putArrays(h: FakeHost, key: string, entries: Record<string, NDArray>): void {
  for (const [id, array] of Object.entries(entries)) h.datasets.set(id, { [key]: { kind: 'array', array } });
}
