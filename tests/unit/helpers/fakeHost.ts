// A fake HostApi for SDK and runner-host tests: datasets live in a Map, every call is recorded.
import type { HostApi, RawFields } from '../../../src/core/protocol';
import type { LogLevel, StoredField } from '../../../src/core/records';
import type { NDArray } from '../../../src/core/ndarray';

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
}

export interface FakeHostOptions {
  /** Ids postData returns; by default "out-1", "out-2", … */
  postIds?: (n: number) => string[];
  assets?: Record<string, Uint8Array>;
}

let seq = 0;

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
      h.postCalls.push({ items, schemaName });
      const ids = opts.postIds ? opts.postIds(items.length) : items.map(() => `out-${++seq}`);
      items.forEach((it, i) => h.datasets.set(ids[i]!, it));
      return ids;
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
