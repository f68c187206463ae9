import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/hash';
import { ndarray } from '../../src/core/ndarray';
import type { DatasetMeta, StoredField } from '../../src/core/records';
import { naturalCompare } from '../../src/core/stacks';
import { DB_VERSION, openDatabase, type BlobRecord } from '../../src/store/db';
import { deleteStore, openStore, type NewDataset, type Store, type StoreHooks } from '../../src/store/index';

const opened: Store[] = [];
const extraDbs: string[] = [];

async function fresh(hooks?: StoreHooks, name = `stacks-${crypto.randomUUID()}`): Promise<Store> {
  const s = await openStore(name, { hooks });
  opened.push(s);
  return s;
}

afterEach(async () => {
  for (const s of opened.splice(0)) {
    s.close();
    await deleteStore(s.name);
  }
  for (const n of extraDbs.splice(0)) await deleteStore(n);
});

async function allBlobs(store: Store): Promise<BlobRecord[]> {
  const db = await openDatabase(store.name);
  try {
    return await db.getAll('blobs');
  } finally {
    db.close();
  }
}

const u8 = (values: number[]): StoredField => ({ kind: 'array', array: ndarray('uint8', [values.length], values) });
const item = (values: number[], name?: string): NewDataset => ({ fields: { s: u8(values) }, source: 'upload', schema: null, ...(name ? { name } : {}) });

async function put(store: Store, ...values: number[][]): Promise<string[]> {
  return store.putDatasets(values.map((v) => item(v)));
}

describe('naturalCompare', () => {
  it('orders numbers inside names numerically, case-insensitively', () => {
    expect(['img10', 'IMG2', 'img1', 'img02b'].sort(naturalCompare)).toEqual(['img1', 'IMG2', 'img02b', 'img10']);
  });
});

describe('store: stacks CRUD', () => {
  it('creates, gets, lists oldest first, renames and reorders', async () => {
    const store = await fresh();
    const [a, b, c] = await put(store, [1], [2], [3]);
    const s1 = await store.putStack({ name: '  first ', datasetIds: [b!, a!], extra: { k: 1 } });
    expect(s1).toMatchObject({ name: 'first', datasetIds: [b, a], source: 'user', extra: { k: 1 } });
    expect(typeof s1.id).toBe('string');
    expect(new Date(s1.created).toISOString()).toBe(s1.created);
    await new Promise((r) => setTimeout(r, 3));
    const s2 = await store.putStack({ name: 'second', datasetIds: [c!], source: 'import' });
    expect(await store.getStack(s1.id)).toEqual(s1);
    expect(await store.getStack('nope')).toBeNull();
    expect((await store.listStacks()).map((s) => s.name)).toEqual(['first', 'second']);
    expect((await store.stacksOf(a!)).map((s) => s.id)).toEqual([s1.id]);

    const renamed = await store.updateStack(s1.id, { name: 'renamed' });
    expect(renamed).toMatchObject({ id: s1.id, name: 'renamed', datasetIds: [b, a] });
    const reordered = await store.updateStack(s1.id, { datasetIds: [a!, b!, c!] });
    expect(reordered.datasetIds).toEqual([a, b, c]);
    expect((await store.getStack(s1.id))!.datasetIds).toEqual([a, b, c]);
    expect((await store.stacksOf(c!)).map((s) => s.id).sort()).toEqual([s1.id, s2.id].sort());
    // A returned record is a copy: changing it changes nothing stored.
    reordered.datasetIds.pop();
    expect((await store.getStack(s1.id))!.datasetIds).toHaveLength(3);
  });

  it('checks names, duplicates and that every dataset exists (naming all missing ids)', async () => {
    const store = await fresh();
    const [a] = await put(store, [1]);
    await expect(store.putStack({ name: 'x', datasetIds: [a!, 'm1', 'm2'] })).rejects.toThrow('Datasets not found: m1, m2');
    await expect(store.putStack({ name: 'x', datasetIds: [a!, a!] })).rejects.toThrow(`repeated: ${a}`);
    await expect(store.putStack({ name: 'x', datasetIds: [] })).rejects.toThrow('at least one dataset');
    await expect(store.putStack({ name: ' ', datasetIds: [a!] })).rejects.toThrow('A stack name must be a non-empty string.');
    await expect(store.putStack({ name: 'x', datasetIds: [1 as unknown as string] })).rejects.toThrow('list of dataset id strings');
    expect(await store.listStacks()).toEqual([]);

    const s = await store.putStack({ name: 'ok', datasetIds: [a!] });
    await expect(store.updateStack(s.id, { datasetIds: [a!, 'gone'] })).rejects.toThrow('Datasets not found: gone');
    await expect(store.updateStack(s.id, { datasetIds: [a!, a!] })).rejects.toThrow('repeated');
    await expect(store.updateStack('nope', { name: 'y' })).rejects.toThrow("Stack 'nope' not found.");
    await expect(store.deleteStack('nope')).rejects.toThrow("Stack 'nope' not found.");
    expect(await store.getStack(s.id)).toEqual(s);
  });
});

describe('store: datasets with stacks in one transaction', () => {
  it('putDatasetsAsStack writes the datasets and the stack together, in input order', async () => {
    const store = await fresh();
    const { ids, stack } = await store.putDatasetsAsStack([item([1], 'p1'), item([2], 'p2'), item([3], 'p3')], {
      name: 'pages',
      source: 'import',
      extra: { file: 'a.tif' },
    });
    expect(ids).toHaveLength(3);
    expect(stack).toMatchObject({ name: 'pages', source: 'import', datasetIds: ids, extra: { file: 'a.tif' } });
    expect(await store.listStacks()).toEqual([stack]);
    expect((await store.listDatasets()).map((d) => d.name).sort()).toEqual(['p1', 'p2', 'p3']);
  });

  it('putDatasetsWithStacks keeps the stacks in order and can write only once per flag', async () => {
    const store = await fresh();
    const r = await store.putDatasetsWithStacks(
      [item([1]), item([2]), item([3])],
      [
        { name: 'A', source: 'sample', items: [2, 0] },
        { name: 'B', source: 'sample' },
      ],
      { flag: 'once', onlyIfUnset: true },
    );
    expect(r!.stacks.map((s) => s.name)).toEqual(['A', 'B']);
    expect(r!.stacks[0]!.datasetIds).toEqual([r!.ids[2], r!.ids[0]]);
    expect(r!.stacks[1]!.datasetIds).toEqual(r!.ids);
    expect((await store.listStacks()).map((s) => s.name)).toEqual(['A', 'B']);
    expect(await store.getSetting('once')).toBe(true);
    // Set already: nothing is written.
    expect(await store.putDatasetsWithStacks([item([9])], [{ name: 'C', source: 'x' }], { flag: 'once', onlyIfUnset: true })).toBeNull();
    expect(await store.listDatasets()).toHaveLength(3);
    expect(await store.listStacks()).toHaveLength(2);
    await expect(store.putDatasetsWithStacks([item([1])], [{ name: 'bad', source: 'x', items: [1] }])).rejects.toThrow('indexes');
    await store.setSetting('k', { a: [1] });
    expect(await store.getSetting('k')).toEqual({ a: [1] });
    expect(await store.getSetting('absent')).toBeUndefined();
  });

  it('a failing stack write writes nothing: no datasets, no stack, no blobs, no flag', async () => {
    let fail = false;
    const store = await fresh({
      beforeCommit(op) {
        if (fail && op !== 'setSetting') throw new Error('injected');
      },
    });
    const [keep] = await put(store, [7]);
    fail = true;
    await expect(store.putDatasetsAsStack([item([7]), item([8])], { name: 'S', source: 'import' })).rejects.toThrow('injected');
    await expect(store.putDatasetsWithStacks([item([9])], [{ name: 'T', source: 'x' }], { flag: 'f' })).rejects.toThrow('injected');
    fail = false;
    // An uncloneable extra fails the transaction itself.
    await expect(store.putDatasetsAsStack([item([10]), { ...item([11]), extra: { fn: () => 1 } }], { name: 'U', source: 'import' })).rejects.toThrow();
    expect((await store.listDatasets()).map((d) => d.id)).toEqual([keep]);
    expect(await store.listStacks()).toEqual([]);
    expect(await store.getSetting('f')).toBeUndefined();
    const blobs = await allBlobs(store);
    expect(blobs.map((b) => [b.key, b.refs])).toEqual([[await sha256Hex(new Uint8Array([7])), 1]]);
  });
});

describe('store: deleting datasets and stacks', () => {
  it('deleting datasets takes them out of every stack; a stack left empty vanishes', async () => {
    const store = await fresh();
    const [a, b, c] = await put(store, [1], [2], [3]);
    const s1 = await store.putStack({ name: 's1', datasetIds: [a!, b!, c!] });
    const s2 = await store.putStack({ name: 's2', datasetIds: [b!] });
    const s3 = await store.putStack({ name: 's3', datasetIds: [c!, a!] });
    await store.deleteDatasets([b!, a!]);
    expect((await store.getStack(s1.id))!.datasetIds).toEqual([c]);
    expect(await store.getStack(s2.id)).toBeNull();
    expect((await store.getStack(s3.id))!.datasetIds).toEqual([c]);
    expect(await store.stacksOf(a!)).toEqual([]);
    await store.deleteDatasets([c!]);
    expect(await store.listStacks()).toEqual([]);
  });

  it('a failed dataset delete leaves the stacks as they were', async () => {
    const store = await fresh();
    const [a, b] = await put(store, [1], [2]);
    const s = await store.putStack({ name: 's', datasetIds: [a!, b!] });
    await expect(store.deleteDatasets([a!, 'unknown'])).rejects.toThrow("Dataset 'unknown' not found.");
    expect(await store.getStack(s.id)).toEqual(s);
    expect(await store.listDatasets()).toHaveLength(2);
  });

  it('deleteStack keeps the datasets; withDatasets deletes them too with refcounts, in one transaction', async () => {
    let fail = false;
    const store = await fresh({
      beforeCommit() {
        if (fail) throw new Error('injected');
      },
    });
    const shared = await sha256Hex(new Uint8Array([5, 5]));
    const own = await sha256Hex(new Uint8Array([6]));
    const [outside] = await put(store, [5, 5]);
    const { ids, stack } = await store.putDatasetsAsStack([item([5, 5]), item([6])], { name: 'S', source: 'import' });
    const other = await store.putStack({ name: 'other', datasetIds: [outside!, ids[1]!] });
    const alone = await store.putStack({ name: 'alone', datasetIds: [ids[0]!] });
    const refs = async () => Object.fromEntries((await allBlobs(store)).map((x) => [x.key, x.refs]));
    expect(await refs()).toEqual({ [shared]: 2, [own]: 1 });

    fail = true;
    await expect(store.deleteStack(stack.id, { withDatasets: true })).rejects.toThrow('injected');
    fail = false;
    expect(await store.getStack(stack.id)).toEqual(stack);
    expect(await store.listDatasets()).toHaveLength(3);
    expect(await refs()).toEqual({ [shared]: 2, [own]: 1 });

    await store.deleteStack(stack.id, { withDatasets: true });
    expect(await store.getStack(stack.id)).toBeNull();
    expect((await store.listDatasets()).map((d) => d.id)).toEqual([outside]);
    // The shared blob keeps the outside dataset's reference; the stack's own blob is gone.
    expect(await refs()).toEqual({ [shared]: 1 });
    // Its datasets left the other stacks too (and a stack left empty went).
    expect((await store.getStack(other.id))!.datasetIds).toEqual([outside]);
    expect(await store.getStack(alone.id)).toBeNull();

    const plain = await store.putStack({ name: 'plain', datasetIds: [outside!] });
    await store.deleteStack(plain.id);
    expect(await store.getStack(plain.id)).toBeNull();
    expect((await store.listDatasets()).map((d) => d.id)).toEqual([outside]);
  });
});

describe('store: upgrade from version 1', () => {
  it('keeps v1 data and adds the stacks and settings stores', async () => {
    const name = `v1-${crypto.randomUUID()}`;
    extraDbs.push(name);
    // The version-1 schema exactly as it was.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const blobs = db.createObjectStore('blobs', { keyPath: 'key' });
        blobs.createIndex('byteLength', 'byteLength');
        const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
        datasets.createIndex('created', 'created');
        const algorithms = db.createObjectStore('algorithms', { keyPath: 'id' });
        algorithms.createIndex('nameLower', 'nameLower', { unique: false });
        const executions = db.createObjectStore('executions', { keyPath: 'id' });
        executions.createIndex('status', 'status');
        executions.createIndex('timeCreated', 'timeCreated');
        const sessions = db.createObjectStore('sessions', { keyPath: 'token' });
        sessions.createIndex('timeCreated', 'timeCreated');
      },
    });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const key = await sha256Hex(bytes);
    const meta: DatasetMeta = {
      id: 'old-1',
      name: 'old',
      created: '2024-01-01T00:00:00.000Z',
      source: 'upload',
      schema: 'Image',
      keys: { image: { kind: 'array', dtype: 'uint8', shape: [2, 2], blob: key, byteLength: 4 } },
      byteLength: 4,
      extra: {},
    };
    await v1.put('blobs', { key, data: bytes.buffer, byteLength: 4, refs: 1 });
    await v1.put('datasets', meta);
    v1.close();

    const store = await fresh(undefined, name);
    expect(DB_VERSION).toBe(8);
    const raw = await openDatabase(name);
    expect([...raw.objectStoreNames].sort()).toEqual([
      'algorithms',
      'blobs',
      'blocks',
      'chunkedArrays',
      'chunks',
      'dataFormats',
      'datasets',
      'executions',
      'labelDrafts',
      'savedToolchains',
      'sessions',
      'settings',
      'stacks',
      'toolchainRuns',
    ]);
    expect([...raw.transaction('stacks').store.indexNames].sort()).toEqual(['created', 'datasetIds']);
    raw.close();
    const got = await store.getDataset('old-1');
    expect(got!.meta).toEqual(meta);
    expect(got!.meta.thumbnail).toBeUndefined();
    expect(Array.from((got!.fields.image as { data: Uint8Array }).data)).toEqual([1, 2, 3, 4]);
    expect(await store.listStacks()).toEqual([]);
    const s = await store.putStack({ name: 'after upgrade', datasetIds: ['old-1'] });
    await store.deleteDatasets(['old-1']);
    expect(await store.getStack(s.id)).toBeNull();
    expect(await allBlobs(store)).toEqual([]);
  });

  it('creates every store on a fresh database (0 → 8)', async () => {
    const store = await fresh();
    const raw = await openDatabase(store.name);
    expect(raw.version).toBe(8);
    expect([...raw.objectStoreNames]).toContain('savedToolchains');
    expect([...raw.objectStoreNames]).toContain('labelDrafts');
    expect([...raw.objectStoreNames]).toContain('chunkedArrays');
    expect([...raw.objectStoreNames]).toContain('chunks');
    expect([...raw.objectStoreNames]).toContain('dataFormats');
    expect([...raw.objectStoreNames]).toContain('blocks');
    expect([...raw.objectStoreNames]).toContain('toolchainRuns');
    expect([...raw.objectStoreNames]).toContain('stacks');
    expect([...raw.objectStoreNames]).toContain('settings');
    raw.close();
  });
});
