import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/hash';
import { arraysEqual, DTYPES, hasFloat16, ndarray, stack, type DType, type NDArray } from '../../src/core/ndarray';
import type { AlgorithmRecord, ExecutionRecord, SessionRecord, StoredField } from '../../src/core/records';
import { openDatabase, type BlobRecord } from '../../src/store/db';
import { deleteStore, openStore, type Store, type StoreHooks } from '../../src/store/index';

// ───────────────────────────── helpers ─────────────────────────────

const opened: Store[] = [];

async function fresh(hooks?: StoreHooks): Promise<Store> {
  const s = await openStore(`test-${crypto.randomUUID()}`, { hooks });
  opened.push(s);
  return s;
}

afterEach(async () => {
  for (const s of opened.splice(0)) {
    s.close();
    await deleteStore(s.name);
  }
});

/** Read a blob record through a second, short-lived connection (refs are not part of the API). */
async function blobRec(store: Store, key: string): Promise<BlobRecord | undefined> {
  const db = await openDatabase(store.name);
  try {
    return await db.get('blobs', key);
  } finally {
    db.close();
  }
}

async function allBlobs(store: Store): Promise<BlobRecord[]> {
  const db = await openDatabase(store.name);
  try {
    return await db.getAll('blobs');
  } finally {
    db.close();
  }
}

const enc = new TextEncoder();
const arr = (a: NDArray): StoredField => ({ kind: 'array', array: a });
const u8 = (values: number[]) => arr(ndarray('uint8', [values.length], values));
const str = (s: string): StoredField => {
  const b = enc.encode(s);
  return { kind: 'string', array: ndarray('uint8', [b.length], b) };
};

function algorithmRecord(name: string, version: string, module: Record<string, string>, assets: Record<string, string> = {}): AlgorithmRecord {
  const [maj = 0, min = 0, pat = 0] = version.split('.').map(Number);
  return {
    id: crypto.randomUUID(),
    name,
    version,
    algorithmType: 'Image2Image',
    tags: [],
    description: '',
    supportedDevices: ['cpu'],
    defaultDevice: 'cpu',
    additionalParameters: [],
    warnings: [],
    nameLower: name.toLowerCase(),
    versionKey: [maj, min, pat],
    module,
    assets,
    origin: { kind: 'files' },
    bundleHash: 'x',
    selfTests: [],
    preview: false,
    byteLength: 0,
    installed: new Date().toISOString(),
    manifest: {} as AlgorithmRecord['manifest'],
  };
}

/** Build a record and its blob map from file contents, as the engine would. */
async function algorithm(
  name: string,
  version: string,
  files: Record<string, string>,
  opts: { dedupe?: boolean } = {},
): Promise<{ record: AlgorithmRecord; files: Map<string, Uint8Array>; keyOf: Record<string, string> }> {
  const blobs = new Map<string, Uint8Array>();
  const keyOf: Record<string, string> = {};
  const module: Record<string, string> = {};
  const assets: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) {
    const bytes = enc.encode(text);
    const hash = await sha256Hex(bytes);
    const key = opts.dedupe === false ? `${hash}~${crypto.randomUUID()}` : hash;
    blobs.set(key, bytes);
    keyOf[path] = key;
    (path.endsWith('.js') ? module : assets)[path] = key;
  }
  return { record: algorithmRecord(name, version, module, assets), files: blobs, keyOf };
}

function execution(id: string, status: ExecutionRecord['status'], timeCreated: string): ExecutionRecord {
  return {
    id,
    algorithmId: 'a',
    algorithmName: 'A',
    algorithmVersion: '1.0.0',
    inputDatasetIds: [],
    status,
    progress: 0,
    log: [],
    outputDatasetIds: [],
    args: {},
    requestedDevice: null,
    device: null,
    timings: {},
    error: null,
    sessionToken: 't',
    timeoutMs: null,
    timeCreated,
    timeStarted: null,
    timeCompleted: null,
    engineId: 'e',
  };
}

function session(token: string, timeCreated: string, values: Record<string, unknown> = {}): SessionRecord {
  return { token, timeCreated, order: Object.keys(values), values, evictedBySize: [] };
}

// ───────────────────────────── datasets ─────────────────────────────

describe('store: datasets', () => {
  const dtypes = DTYPES.filter((d) => d !== 'float16' || hasFloat16());
  const sample: Record<DType, number[]> = {
    uint8: [0, 1, 254, 255, 7, 9],
    int8: [-128, -1, 0, 1, 127, 5],
    uint16: [0, 1, 65535, 300, 2, 3],
    int16: [-32768, -1, 0, 32767, 4, 5],
    uint32: [0, 1, 4294967295, 70000, 8, 9],
    int32: [-2147483648, -1, 0, 2147483647, 6, 7],
    float16: [0, -1.5, 2.25, 65504, -0, 0.5],
    float32: [0, -1.5, 3.25, 1e30, Infinity, NaN],
    float64: [0, -1.5, Math.PI, 1e300, -Infinity, NaN],
    bool: [0, 1, 1, 0, 1, 0],
  };

  it.each(dtypes)('round-trips a %s array with its dtype and shape', async (dtype) => {
    const store = await fresh();
    const a = ndarray(dtype, [2, 3], sample[dtype]);
    const [id] = await store.putDatasets([{ fields: { a: arr(a) }, source: 'upload', schema: null }]);
    const got = await store.getDataset(id!);
    const back = got!.fields.a as NDArray;
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([2, 3]);
    expect(back.data.constructor).toBe(a.data.constructor);
    expect(arraysEqual(back, a)).toBe(true);
    expect(got!.meta.keys.a).toMatchObject({ kind: 'array', dtype, shape: [2, 3], byteLength: a.data.byteLength });
  });

  it('round-trips every field kind; strings come back decoded, raw from getDatasetFields', async () => {
    const store = await fresh();
    const list = stack([ndarray('int16', [2, 2], [1, 2, 3, 4]), ndarray('int16', [2, 2], [5, 6, 7, 8])]);
    const fields: Record<string, StoredField> = {
      image: arr(
        ndarray(
          'float32',
          [2, 2, 3],
          Array.from({ length: 12 }, (_, i) => i / 2),
        ),
      ),
      list: { kind: 'arrayList', array: list },
      emptyList: { kind: 'arrayList', array: ndarray('float64', [0]) },
      numbers: { kind: 'numbers', array: ndarray('float64', [3], [1.5, -2, 1e-9]) },
      text: str('héllo ✓ 🎉'),
      empty: str(''),
      scalar: arr(ndarray('float64', [], [42])),
    };
    const [id] = await store.putDatasets([{ fields, source: 'upload', schema: 'Image' }]);
    const got = (await store.getDataset(id!))!;
    expect(Object.keys(got.fields)).toEqual(Object.keys(fields));
    expect(got.fields.text).toBe('héllo ✓ 🎉');
    expect(got.fields.empty).toBe('');
    for (const key of ['image', 'list', 'emptyList', 'numbers', 'scalar']) {
      expect(arraysEqual(got.fields[key] as NDArray, fields[key]!.array), key).toBe(true);
    }
    expect((got.fields.emptyList as NDArray).shape).toEqual([0]);
    expect((got.fields.scalar as NDArray).shape).toEqual([]);
    expect(got.meta.keys.list!.kind).toBe('arrayList');
    expect(got.meta.schema).toBe('Image');

    const raw = (await store.getDatasetFields(id!))!;
    expect(raw.fields.text!.kind).toBe('string');
    expect(raw.fields.text!.array.dtype).toBe('uint8');
    expect(new TextDecoder().decode(raw.fields.text!.array.data as Uint8Array)).toBe('héllo ✓ 🎉');
    expect(raw.fields.numbers).toMatchObject({ kind: 'numbers' });
    expect(raw.meta.id).toBe(id);
  });

  it('records metadata: default name, ISO time, summed byte length, extras; results are clonable', async () => {
    const store = await fresh();
    const before = Date.now();
    const [id, named] = await store.putDatasets([
      { fields: { a: u8([1, 2, 3]), b: arr(ndarray('float64', [2], [1, 2])) }, source: 'sample', schema: null },
      { fields: {}, name: '  Named  ', source: 'upload', schema: null, extra: { file: 'x.tif', page: 2 } },
    ]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.id).toBe(id);
    expect(meta.name).toBe(`dataset-${id!.slice(0, 8)}`);
    expect(Date.parse(meta.created)).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(meta.created).toISOString()).toBe(meta.created);
    expect(meta.byteLength).toBe(3 + 16);
    expect(meta.source).toBe('sample');
    expect(meta.extra).toEqual({});
    expect(meta.keys.a!.blob).toBe(await sha256Hex(new Uint8Array([1, 2, 3])));
    const other = (await store.getDataset(named!))!;
    expect(other.meta.name).toBe('Named');
    expect(other.meta.extra).toEqual({ file: 'x.tif', page: 2 });
    expect(other.fields).toEqual({});
    expect(() => structuredClone(other)).not.toThrow();
    expect(await store.getDatasetMeta('nope')).toBeNull();
  });

  it('stores a thumbnail in the metadata when a field can be shown, null otherwise', async () => {
    const store = await fresh();
    const img = new Float32Array(200 * 100);
    for (let i = 0; i < img.length; i++) img[i] = i % 100;
    const [withImage, without] = await store.putDatasets([
      { fields: { image: arr(ndarray('float32', [200, 100], img)) }, source: 'upload', schema: 'Image' },
      { fields: { a: u8([1, 2, 3]) }, source: 'upload', schema: null },
    ]);
    const thumb = (await store.getDatasetMeta(withImage!))!.thumbnail!;
    expect(thumb).toMatchObject({ width: 48, height: 96, channels: 1 });
    expect(thumb.data).toBeInstanceOf(Uint8Array);
    expect(thumb.data.length).toBe(48 * 96);
    expect((await store.listDatasets()).find((m) => m.id === withImage)!.thumbnail).toEqual(thumb);
    expect((await store.getDatasetMeta(without!))!.thumbnail).toBeNull();
  });

  it('stores exactly the bytes of a view (no offset or neighbouring bytes)', async () => {
    const store = await fresh();
    const big = new Float32Array([9, 9, 1, 2, 3, 4, 9, 9]);
    const view = ndarray('float32', [2, 2], big.subarray(2, 6));
    const [id] = await store.putDatasets([{ fields: { v: arr(view) }, source: 'upload', schema: null }]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.keys.v!.byteLength).toBe(16);
    const bytes = (await store.readBlob(meta.keys.v!.blob!))!;
    expect(bytes.byteLength).toBe(16);
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 4))).toEqual([1, 2, 3, 4]);
    const back = (await store.getDataset(id!))!.fields.v as NDArray;
    expect(back.data.buffer.byteLength).toBe(16);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4]);
    expect(await store.readBlob('0'.repeat(64))).toBeNull();
  });

  it('reads only the blobs of the requested keys; absent keys are null and read nothing', async () => {
    const reads: string[] = [];
    const store = await fresh({ onBlobRead: (key) => reads.push(key) });
    const [id] = await store.putDatasets([{ fields: { image: u8([1, 2, 3, 4]), mask: u8([0, 1, 0, 1]), label: str('cell') }, source: 'upload', schema: null }]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(reads).toEqual([]);

    const got = (await store.getDataset(id!, ['mask', 'nope']))!;
    expect(Object.keys(got.fields)).toEqual(['mask', 'nope']);
    expect(Array.from((got.fields.mask as NDArray).data)).toEqual([0, 1, 0, 1]);
    expect(got.fields.nope).toBeNull();
    expect(reads).toEqual([meta.keys.mask!.blob]);

    reads.length = 0;
    const raw = (await store.getDatasetFields(id!, ['label']))!;
    expect(Object.keys(raw.fields)).toEqual(['label']);
    expect(reads).toEqual([meta.keys.label!.blob]);

    reads.length = 0;
    const none = (await store.getDataset(id!, []))!;
    expect(none.fields).toEqual({});
    expect(reads).toEqual([]);

    reads.length = 0;
    await store.getDataset(id!);
    expect(reads.sort()).toEqual([meta.keys.image!.blob, meta.keys.mask!.blob, meta.keys.label!.blob].sort());

    expect(await store.getDataset('nope')).toBeNull();
    expect(await store.getDatasetFields('nope', ['image'])).toBeNull();
  });

  it('rejects bad keys and fields, naming them, and writes nothing', async () => {
    const store = await fresh();
    await expect(store.putDatasets([{ fields: { 'a/b': u8([1]) }, source: 'upload', schema: null }])).rejects.toThrow(/'a\/b'/);
    await expect(store.putDatasets([{ fields: { '': u8([1]) }, source: 'upload', schema: null }])).rejects.toThrow(/field key ''/);
    await expect(
      store.putDatasets([
        { fields: { ok: u8([1]) }, source: 'upload', schema: null },
        { fields: { n: { kind: 'numbers', array: ndarray('int32', [1], [1]) } }, source: 'upload', schema: null },
      ]),
    ).rejects.toThrow(/'n'.*float64/);
    await expect(
      store.putDatasets([{ fields: { s: { kind: 'bogus' as 'array', array: ndarray('uint8', [1]) } }, source: 'upload', schema: null }]),
    ).rejects.toThrow(/'s'.*kind/);
    await expect(
      store.putDatasets([{ fields: { x: arr({ dtype: 'uint8', shape: [3], data: new Uint8Array(2) }) }, source: 'upload', schema: null }]),
    ).rejects.toThrow(/'x'/);
    await expect(store.putDatasets([{ fields: {}, name: '   ', source: 'upload', schema: null }])).rejects.toThrow(/name/);
    expect(await store.listDatasets()).toEqual([]);
    expect(await allBlobs(store)).toEqual([]);
    expect(await store.putDatasets([])).toEqual([]);
  });

  it('deduplicates identical bytes: one blob, refs counted, removed with its last user', async () => {
    const store = await fresh();
    const [a, b] = await store.putDatasets([
      { fields: { x: u8([5, 6, 7]) }, source: 'upload', schema: null },
      { fields: { y: u8([5, 6, 7]), z: u8([1]) }, source: 'upload', schema: null },
    ]);
    const key = await sha256Hex(new Uint8Array([5, 6, 7]));
    expect((await blobRec(store, key))!.refs).toBe(2);
    expect((await allBlobs(store)).length).toBe(2);

    await store.deleteDatasets([a!]);
    expect((await blobRec(store, key))!.refs).toBe(1);
    expect(Array.from(((await store.getDataset(b!, ['y']))!.fields.y as NDArray).data)).toEqual([5, 6, 7]);

    await store.deleteDatasets([b!]);
    expect(await blobRec(store, key)).toBeUndefined();
    expect(await allBlobs(store)).toEqual([]);
  });

  it('two keys with the same bytes in one dataset share a blob (refs 2) but get separate arrays', async () => {
    const store = await fresh();
    const [id] = await store.putDatasets([{ fields: { p: u8([1, 2]), q: u8([1, 2]) }, source: 'upload', schema: null }]);
    const key = await sha256Hex(new Uint8Array([1, 2]));
    expect((await blobRec(store, key))!.refs).toBe(2);
    const got = (await store.getDataset(id!))!;
    const p = got.fields.p as NDArray;
    const q = got.fields.q as NDArray;
    p.data[0] = 99;
    expect(q.data[0]).toBe(1);
    await store.deleteDatasets([id!]);
    expect(await allBlobs(store)).toEqual([]);
  });

  it('a failing batch writes nothing and leaves refcounts as they were (uncloneable value)', async () => {
    const store = await fresh();
    const [keep] = await store.putDatasets([{ fields: { s: u8([1, 1]) }, source: 'upload', schema: null }]);
    const shared = await sha256Hex(new Uint8Array([1, 1]));
    await expect(
      store.putDatasets([
        { fields: { s: u8([1, 1]), n: u8([2, 2]) }, source: 'upload', schema: null },
        { fields: { m: u8([3, 3]) }, source: 'upload', schema: null, extra: { fn: () => 1 } },
      ]),
    ).rejects.toThrow();
    expect((await store.listDatasets()).map((d) => d.id)).toEqual([keep]);
    const blobs = await allBlobs(store);
    expect(blobs.map((b) => [b.key, b.refs])).toEqual([[shared, 1]]);
  });

  it('a batch aborted just before commit writes nothing (beforeCommit hook)', async () => {
    let fail = false;
    const ops: string[] = [];
    const store = await fresh({
      beforeCommit(op) {
        ops.push(op);
        if (fail) throw new Error('injected');
      },
    });
    const [keep] = await store.putDatasets([{ fields: { s: u8([4]) }, source: 'upload', schema: null }]);
    fail = true;
    await expect(
      store.putDatasets([
        { fields: { s: u8([4]) }, source: 'upload', schema: null },
        { fields: { t: u8([5]) }, source: 'upload', schema: null },
      ]),
    ).rejects.toThrow('injected');
    await expect(store.deleteDatasets([keep!])).rejects.toThrow('injected');
    await expect(store.updateDataset(keep!, { name: 'renamed' })).rejects.toThrow('injected');
    fail = false;
    expect(ops).toEqual(['putDatasets', 'putDatasets', 'deleteDatasets', 'updateDataset']);
    const list = await store.listDatasets();
    expect(list.map((d) => [d.id, d.name])).toEqual([[keep, `dataset-${keep!.slice(0, 8)}`]]);
    expect((await allBlobs(store)).map((b) => b.refs)).toEqual([1]);
  });

  it('lists oldest first and reports missing ids in input order without duplicates', async () => {
    const store = await fresh();
    const [first] = await store.putDatasets([{ fields: {}, source: 'upload', schema: null }]);
    await new Promise((r) => setTimeout(r, 5));
    const [second] = await store.putDatasets([{ fields: {}, source: 'upload', schema: null }]);
    await new Promise((r) => setTimeout(r, 5));
    const [third] = await store.putDatasets([{ fields: {}, source: 'upload', schema: null }]);
    expect((await store.listDatasets()).map((d) => d.id)).toEqual([first, second, third]);
    expect(await store.missingDatasets(['x', first!, 'y', 'x', third!, 'z'])).toEqual(['x', 'y', 'z']);
    expect(await store.missingDatasets([first!])).toEqual([]);
    expect(await store.missingDatasets([])).toEqual([]);
  });

  it('deleting with an unknown id fails and deletes nothing', async () => {
    const store = await fresh();
    const [a, b] = await store.putDatasets([
      { fields: { x: u8([1]) }, source: 'upload', schema: null },
      { fields: { x: u8([1]) }, source: 'upload', schema: null },
    ]);
    await expect(store.deleteDatasets([a!, 'ghost', b!])).rejects.toThrow("Dataset 'ghost' not found.");
    expect(await store.missingDatasets([a!, b!])).toEqual([]);
    expect((await allBlobs(store)).map((r) => r.refs)).toEqual([2]);
    await store.deleteDatasets([a!, b!, a!]);
    expect(await store.listDatasets()).toEqual([]);
    expect(await allBlobs(store)).toEqual([]);
  });

  it('updates name (trimmed, non-empty) and replaces extras', async () => {
    const store = await fresh();
    const [id] = await store.putDatasets([{ fields: { x: u8([1]) }, name: 'old', source: 'upload', schema: null, extra: { a: 1 } }]);
    const m1 = await store.updateDataset(id!, { name: '  new name ' });
    expect(m1.name).toBe('new name');
    expect(m1.extra).toEqual({ a: 1 });
    const m2 = await store.updateDataset(id!, { extra: { b: [1, 2] } });
    expect(m2).toMatchObject({ name: 'new name', extra: { b: [1, 2] } });
    expect(await store.getDatasetMeta(id!)).toEqual(m2);
    expect(m2.keys.x).toEqual(m1.keys.x);
    await expect(store.updateDataset(id!, { name: '  ' })).rejects.toThrow(/name/);
    await expect(store.updateDataset('ghost', { name: 'x' })).rejects.toThrow("Dataset 'ghost' not found.");
    expect((await store.getDatasetMeta(id!))!.name).toBe('new name');
  });
});

// ───────────────────────────── algorithms ─────────────────────────────

describe('store: algorithms', () => {
  it('puts, gets and lists by name then numeric version', async () => {
    const store = await fresh();
    const b = await algorithm('Beta', '1.10.0', { 'Runner.js': 'b110' });
    const a2 = await algorithm('alpha', '1.9.0', { 'Runner.js': 'a19' });
    const a1 = await algorithm('Alpha', '1.10.0', { 'Runner.js': 'a110', 'files/w.bin': 'weights' });
    for (const x of [b, a2, a1]) expect(await store.putAlgorithm(x.record, x.files)).toEqual({ replaced: [] });
    const got = (await store.getAlgorithm(a1.record.id))!;
    expect(got).toEqual(a1.record);
    expect(got.assets).toEqual({ 'files/w.bin': a1.keyOf['files/w.bin'] });
    expect(new TextDecoder().decode((await store.readBlob(a1.keyOf['files/w.bin']!))!)).toBe('weights');
    expect((await store.listAlgorithms()).map((r) => `${r.name}@${r.version}`)).toEqual(['alpha@1.9.0', 'Alpha@1.10.0', 'Beta@1.10.0']);
    expect(await store.getAlgorithm('nope')).toBeNull();
  });

  it('finds by name case-insensitively, highest version first (1.10.0 > 1.9.0)', async () => {
    const store = await fresh();
    for (const v of ['1.9.0', '1.10.0', '0.2.0', '1.2.0']) {
      const x = await algorithm(v === '1.2.0' ? 'SEG' : 'Seg', v, { 'Runner.js': `seg ${v}` });
      await store.putAlgorithm(x.record, x.files);
    }
    const other = await algorithm('Segment', '9.0.0', { 'Runner.js': 'other' });
    await store.putAlgorithm(other.record, other.files);
    expect((await store.findAlgorithms('sEg')).map((r) => r.version)).toEqual(['1.10.0', '1.9.0', '1.2.0', '0.2.0']);
    expect(await store.findAlgorithms('nothing')).toEqual([]);
  });

  it('replaces the same name (any case) and version, releasing only unshared blobs', async () => {
    const store = await fresh();
    const old = await algorithm('Denoise', '1.0.0', { 'Runner.js': 'shared code', 'files/old.txt': 'only old', 'files/kept.txt': 'in a dataset too' });
    const otherVersion = await algorithm('denoise', '1.1.0', { 'Runner.js': 'v1.1' });
    await store.putAlgorithm(old.record, old.files);
    await store.putAlgorithm(otherVersion.record, otherVersion.files);
    const [ds] = await store.putDatasets([
      { fields: { t: { kind: 'string', array: ndarray('uint8', [16], enc.encode('in a dataset too')) } }, source: 'upload', schema: null },
    ]);
    expect((await blobRec(store, old.keyOf['files/kept.txt']!))!.refs).toBe(2);

    const neu = await algorithm('DENOISE', '1.0.0', { 'Runner.js': 'shared code', 'files/new.txt': 'only new' });
    expect(await store.putAlgorithm(neu.record, neu.files)).toEqual({ replaced: [old.record.id] });

    expect(await store.getAlgorithm(old.record.id)).toBeNull();
    expect((await store.findAlgorithms('denoise')).map((r) => r.id)).toEqual([otherVersion.record.id, neu.record.id]);
    expect((await blobRec(store, neu.keyOf['Runner.js']!))!.refs).toBe(1);
    expect(await blobRec(store, old.keyOf['files/old.txt']!)).toBeUndefined();
    expect((await blobRec(store, old.keyOf['files/kept.txt']!))!.refs).toBe(1);
    expect((await store.getDataset(ds!))!.fields.t).toBe('in a dataset too');
    expect((await blobRec(store, neu.keyOf['files/new.txt']!))!.refs).toBe(1);

    // Re-installing the very same record replaces itself without losing its blobs.
    expect(await store.putAlgorithm(neu.record, neu.files)).toEqual({ replaced: [neu.record.id] });
    expect((await blobRec(store, neu.keyOf['Runner.js']!))!.refs).toBe(1);
    expect(await store.getAlgorithm(neu.record.id)).toEqual(neu.record);
  });

  it('removeAlgorithm keeps blobs another algorithm uses and drops the rest', async () => {
    const store = await fresh();
    const a = await algorithm('A', '1.0.0', { 'Runner.js': 'common', 'files/a.txt': 'a only' });
    const b = await algorithm('B', '1.0.0', { 'Runner.js': 'common', 'lib/util.js': 'common' });
    await store.putAlgorithm(a.record, a.files);
    await store.putAlgorithm(b.record, b.files);
    const common = a.keyOf['Runner.js']!;
    expect((await blobRec(store, common))!.refs).toBe(3);
    await store.removeAlgorithm(a.record.id);
    expect(await store.getAlgorithm(a.record.id)).toBeNull();
    expect((await blobRec(store, common))!.refs).toBe(2);
    expect(await blobRec(store, a.keyOf['files/a.txt']!)).toBeUndefined();
    await expect(store.removeAlgorithm(a.record.id)).rejects.toThrow(`Algorithm '${a.record.id}' not found.`);
    await store.removeAlgorithm(b.record.id);
    expect(await allBlobs(store)).toEqual([]);
  });

  it('never shares blobs installed without deduplication', async () => {
    const store = await fresh();
    const a = await algorithm('A', '1.0.0', { 'Runner.js': 'same' }, { dedupe: false });
    const b = await algorithm('B', '1.0.0', { 'Runner.js': 'same' }, { dedupe: false });
    await store.putAlgorithm(a.record, a.files);
    await store.putAlgorithm(b.record, b.files);
    const blobs = await allBlobs(store);
    expect(blobs.length).toBe(2);
    expect(blobs.every((x) => x.refs === 1 && x.key.includes('~'))).toBe(true);
    await store.removeAlgorithm(a.record.id);
    expect((await allBlobs(store)).map((x) => x.key)).toEqual([b.keyOf['Runner.js']]);
  });

  it('rejects missing, unreferenced or mismatched file bytes before writing', async () => {
    const store = await fresh();
    const x = await algorithm('X', '1.0.0', { 'Runner.js': 'code' });
    await expect(store.putAlgorithm(x.record, new Map())).rejects.toThrow(/no bytes were given/);
    const extra = new Map(x.files).set('f'.repeat(64), enc.encode('stray'));
    await expect(store.putAlgorithm(x.record, extra)).rejects.toThrow(/no file refers to it/);
    const wrong = new Map([[x.keyOf['Runner.js']!, enc.encode('other code')]]);
    await expect(store.putAlgorithm(x.record, wrong)).rejects.toThrow(/does not match the SHA-256/);
    expect(await store.listAlgorithms()).toEqual([]);
    expect(await allBlobs(store)).toEqual([]);
  });

  it('a failing replace writes nothing: old record, blobs and refcounts stay', async () => {
    let fail = false;
    const store = await fresh({
      beforeCommit: () => {
        if (fail) throw new Error('injected');
      },
    });
    const old = await algorithm('Thing', '2.0.0', { 'Runner.js': 'shared', 'files/a.txt': 'old only' });
    await store.putAlgorithm(old.record, old.files);
    const snapshot = await allBlobs(store);

    const neu = await algorithm('thing', '2.0.0', { 'Runner.js': 'shared', 'files/b.txt': 'new only' });
    fail = true;
    await expect(store.putAlgorithm(neu.record, neu.files)).rejects.toThrow('injected');
    await expect(store.removeAlgorithm(old.record.id)).rejects.toThrow('injected');
    fail = false;
    // A value that cannot be stored (structured clone fails) after the blob writes.
    const bad = await algorithm('THING', '2.0.0', { 'Runner.js': 'shared', 'files/c.txt': 'bad only' });
    (bad.record.manifest as unknown as Record<string, unknown>).hook = () => 1;
    await expect(store.putAlgorithm(bad.record, bad.files)).rejects.toThrow();

    expect((await store.listAlgorithms()).map((r) => r.id)).toEqual([old.record.id]);
    expect(await allBlobs(store)).toEqual(snapshot);
  });

  it('shares blobs between algorithms and datasets', async () => {
    const store = await fresh();
    const x = await algorithm('X', '1.0.0', { 'Runner.js': 'abc' });
    await store.putAlgorithm(x.record, x.files);
    const [ds] = await store.putDatasets([{ fields: { s: str('abc') }, source: 'upload', schema: null }]);
    expect((await blobRec(store, x.keyOf['Runner.js']!))!.refs).toBe(2);
    await store.removeAlgorithm(x.record.id);
    expect((await store.getDataset(ds!))!.fields.s).toBe('abc');
    await store.deleteDatasets([ds!]);
    expect(await allBlobs(store)).toEqual([]);
  });
});

// ───────────────────────────── executions, sessions, usage ─────────────────────────────

describe('store: executions', () => {
  it('stores, updates, lists newest first, queries by status and deletes', async () => {
    const store = await fresh();
    await store.putExecution(execution('e1', 'COMPLETED', '2024-01-01T00:00:00.000Z'));
    await store.putExecution(execution('e3', 'RUNNING', '2024-01-03T00:00:00.000Z'));
    await store.putExecution(execution('e2', 'PENDING', '2024-01-02T00:00:00.000Z'));
    expect((await store.listExecutions()).map((e) => e.id)).toEqual(['e3', 'e2', 'e1']);
    expect((await store.executionsWithStatus(['PENDING', 'RUNNING', 'PENDING'])).map((e) => e.id)).toEqual(['e3', 'e2']);
    expect(await store.executionsWithStatus(['FAILED'])).toEqual([]);
    expect(await store.executionsWithStatus([])).toEqual([]);

    const e2 = (await store.getExecution('e2'))!;
    e2.status = 'FAILED';
    e2.error = { message: 'boom', stack: '' };
    await store.putExecution(e2);
    expect(await store.getExecution('e2')).toEqual(e2);
    expect((await store.executionsWithStatus(['FAILED'])).map((e) => e.id)).toEqual(['e2']);
    expect((await store.executionsWithStatus(['PENDING'])).map((e) => e.id)).toEqual([]);

    await store.deleteExecution('e2');
    await store.deleteExecution('ghost');
    expect(await store.getExecution('e2')).toBeNull();
    expect((await store.listExecutions()).map((e) => e.id)).toEqual(['e3', 'e1']);
  });
});

describe('store: sessions', () => {
  it('creates, reads, updates, lists and deletes sessions', async () => {
    const store = await fresh();
    expect(await store.getSession('t1')).toBeNull();
    await store.putSession(session('t2', '2024-02-01T00:00:00.000Z', { big: new Float32Array(4) }));
    await store.putSession(session('t1', '2024-01-01T00:00:00.000Z', { a: 1 }));
    await store.putSession(session('t3', '2024-03-01T00:00:00.000Z'));
    expect(await store.getSession('t1')).toEqual(session('t1', '2024-01-01T00:00:00.000Z', { a: 1 }));
    const updated = { ...session('t1', '2024-01-01T00:00:00.000Z', { a: 1, b: 'x' }), evictedBySize: ['c'] };
    await store.putSession(updated);
    expect(await store.getSession('t1')).toEqual(updated);
    expect(await store.listSessions()).toEqual([
      { token: 't1', timeCreated: '2024-01-01T00:00:00.000Z' },
      { token: 't2', timeCreated: '2024-02-01T00:00:00.000Z' },
      { token: 't3', timeCreated: '2024-03-01T00:00:00.000Z' },
    ]);
    await store.deleteSessions(['t1', 't3', 'ghost']);
    expect((await store.listSessions()).map((s) => s.token)).toEqual(['t2']);
    expect(await store.getSession('t1')).toBeNull();
    await store.deleteSessions([]);
  });
});

describe('store: usage and lifecycle', () => {
  it('counts datasets, their bytes, algorithms and deduplicated blob bytes', async () => {
    const store = await fresh();
    expect(await store.usage()).toEqual({ datasets: 0, datasetBytes: 0, algorithms: 0, blobBytes: 0 });
    await store.putDatasets([
      { fields: { a: arr(ndarray('float64', [4])) }, source: 'upload', schema: null },
      { fields: { a: arr(ndarray('float64', [4])), b: u8([1, 2]) }, source: 'upload', schema: null },
    ]);
    const x = await algorithm('X', '1.0.0', { 'Runner.js': 'twelve bytes', 'files/w': 'abc' });
    await store.putAlgorithm(x.record, x.files);
    expect(await store.usage()).toEqual({ datasets: 2, datasetBytes: 32 + 32 + 2, algorithms: 1, blobBytes: 32 + 2 + 12 + 3 });
  });

  it('persists across connections, refuses calls once closed, and deleteStore wipes it', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const s1 = await openStore(name);
    const [id] = await s1.putDatasets([{ fields: { a: u8([1]) }, source: 'upload', schema: null }]);
    s1.close();
    await expect(s1.listDatasets()).rejects.toThrow(`Store '${name}' is closed.`);
    const s2 = await openStore(name);
    expect(s2.name).toBe(name);
    expect((await s2.listDatasets()).map((d) => d.id)).toEqual([id]);
    await deleteStore(name); // s2 is open: it steps aside instead of blocking the delete
    await expect(s2.listDatasets()).rejects.toThrow(/closed/);
    const s3 = await openStore(name);
    expect(await s3.listDatasets()).toEqual([]);
    s3.close();
    await deleteStore(name);
  });
});

describe('dataset order', () => {
  it('keeps the order of one batch in listDatasets', async () => {
    const store = await openStore(`order-${crypto.randomUUID()}`);
    const items = Array.from({ length: 30 }, (_, i) => ({
      fields: { image: { kind: 'array' as const, array: ndarray('uint8', [1], [i]) } },
      name: `n${i}`,
      source: 'upload',
      schema: null,
    }));
    await store.putDatasets(items);
    expect((await store.listDatasets()).map((m) => m.name)).toEqual(items.map((i) => i.name));
    store.close();
  });
});
