// datasets.saveEdited (issue 16): a new dataset version with tiles written over one field, writing only
// the chunks the tiles touch and sharing everything else with the base — through the real API object.
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { createAlgobox, type Algobox } from '../../src/api';
import { pasteTile, tileShapeIn } from '../../src/core/editTiles';
import { bytesOf, copy, ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { chunkKeyRange } from '../../src/store/chunkStore';
import { encodeArray } from '../../src/store/datasetArrays';
import type { Store, StoreHooks } from '../../src/store/index';
import { freshStores, raw } from './helpers/freshStores';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const { fresh } = freshStores('edit');
const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

async function makeApi(hooks?: StoreHooks): Promise<{ api: Algobox; store: Store }> {
  const store = await fresh(hooks);
  const api = createAlgobox({ store, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return { api, store };
}

function filled<D extends DType>(dtype: D, shape: number[], f: (i: number) => number): NDArray<D> {
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = f(i);
  return a;
}

/** `base` with the tiles pasted (tiles given at the field's rank). */
function edited(base: NDArray, tiles: { origin: number[]; data: NDArray }[]): NDArray {
  const out = copy(base);
  for (const t of tiles) pasteTile(out, t.origin, tileShapeIn(base.shape.length, t.data.shape)!, t.data);
  return out;
}

/** Fast value equality of big arrays (vitest's deep equal walks every element). */
function expectSame(got: unknown, want: NDArray): void {
  const a = got as NDArray;
  expect([a.dtype, a.shape]).toEqual([want.dtype, want.shape]);
  expect(Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(want)))).toBe(true);
}

const chunkCount = (name: string) => raw(name, (db) => db.count('chunks'));
const keysOf = (name: string, arrayId: string) =>
  raw(name, async (db) => ((await db.getAllKeys('chunks', chunkKeyRange(arrayId))) as string[]).map((k) => k.slice(arrayId.length + 1)).sort());
const arrayRec = (name: string, id: string) => raw(name, (db) => db.get('chunkedArrays', id));

describe('datasets.saveEdited', () => {
  it('writes exactly the chunks the tiles touch, shares the rest, and every read sees the edit', async () => {
    const reads: string[] = [];
    const { api, store } = await makeApi({ onChunkRead: (id, key) => reads.push(`${id}/${key}`) });
    const labels = filled('uint8', [8, 1024, 1024], (i) => i % 7); // chunks [1, 1024, 1024]: 8
    const image = filled('uint16', [2048, 2048], (i) => i % 1000); // chunks [1024, 1024]: 4
    const baseId = await api.datasets.put({ labels, image }, { name: 'cells', extra: { note: 'kept' } });
    const baseMeta = (await api.datasets.get(baseId, [])).meta;
    const before = await chunkCount(store.name);
    const tiles = [
      { origin: [3, 100, 200], data: filled('uint8', [1, 256, 256], () => 5) },
      { origin: [6, 512, 768], data: filled('uint8', [256, 256], (i) => i % 3) }, // 2-D data over a 3-D field
    ];
    reads.length = 0;
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles, extra: { by: 'test' } });
    // Reads: the base's zarr.json and the 2 chunks edited, nothing else (its chunk hashes are in its record).
    expect(reads.sort()).toEqual([
      `${baseMeta.keys.labels!.array}/c/3/0/0`,
      `${baseMeta.keys.labels!.array}/c/6/0/0`,
      `${baseMeta.keys.labels!.array}/zarr.json`,
    ]);
    // Writes: the two chunks touched and zarr.json, under the new array; nothing else.
    expect((await chunkCount(store.name)) - before).toBe(3);
    const meta = (await api.datasets.get(id, [])).meta;
    const arrayId = meta.keys.labels!.array!;
    expect(await keysOf(store.name, arrayId)).toEqual(['c/3/0/0', 'c/6/0/0', 'zarr.json']);
    const rec = (await arrayRec(store.name, arrayId))!;
    expect(rec.base).toBe(baseMeta.keys.labels!.array);
    expect(rec.storedBytes).toBe(2 * 1024 * 1024);
    expect(meta.source).toBe(`edit:${baseId}`);
    expect(meta.name).toBe('cells (edited)');
    expect(meta.extra).toEqual({ note: 'kept', by: 'test', editedFrom: baseId, editedKey: 'labels', editedChunks: 2 });
    // The other field is the base's array, one more reference.
    expect(meta.keys.image!.array).toBe(baseMeta.keys.image!.array);
    expect((await arrayRec(store.name, meta.keys.image!.array!))!.refs).toBe(2);
    expect((await arrayRec(store.name, rec.base!))!.refs).toBe(2); // the base field and the edit
    // Values: the edit, the base unchanged, region reads through the fallback.
    const want = edited(labels, tiles);
    const got = await api.datasets.get(id);
    expectSame(got.fields.labels, want);
    expectSame(got.fields.image, image);
    expectSame((await api.datasets.get(baseId)).fields.labels, labels);
    expectSame(
      await api.datasets.readRegion(id, 'labels', [
        [3, 4],
        [0, 512],
        [0, 512],
      ]),
      ndarray('uint8', [1, 512, 512], sliceOf(want, 3, 512)),
    );
    expectSame(await api.datasets.readRegion(id, 'labels', [[1, 2], null, null]), ndarray('uint8', [1, 1024, 1024], sliceOf(labels, 1, 1024)));
    // The digest is the content address of the whole edited field: what storing it whole would give.
    expect(meta.keys.labels!.digest).toBe((await encodeArray(want)).digest);
  });

  it('keeps the edit readable when the base is deleted, and deleting the edit releases only its own chunks', async () => {
    const { api, store } = await makeApi();
    const labels = filled('uint16', [2048, 2048], (i) => i % 50); // chunks [1024, 1024]
    const baseId = await api.datasets.put({ labels }, { name: 'big' });
    const baseArray = (await api.datasets.get(baseId, [])).meta.keys.labels!.array!;
    expect(await api.datasets.pyramid(baseId, 'labels')).toHaveLength(1); // the base's levels: not the edit's
    const tiles = [{ origin: [900, 900], data: filled('uint16', [256, 256], () => 9) }]; // across 4 chunks
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles });
    const arrayId = (await api.datasets.get(id, [])).meta.keys.labels!.array!;
    expect((await api.datasets.get(id, [])).meta.keys.labels!.levels).toBeUndefined();
    // Its own pyramid is built from the edited values (level 1: 2×2 means).
    expect(await api.datasets.pyramid(id, 'labels')).toHaveLength(1);
    expect(
      Array.from(
        (
          await api.datasets.readRegion(
            id,
            'labels',
            [
              [500, 501],
              [500, 502],
            ],
            { level: 1 },
          )
        ).data,
      ),
    ).toEqual([9, 9]);
    expect(
      Array.from(
        (
          await api.datasets.readRegion(
            baseId,
            'labels',
            [
              [500, 501],
              [500, 501],
            ],
            { level: 1 },
          )
        ).data,
      ),
    ).not.toEqual([9]);
    expect(await keysOf(store.name, arrayId)).toEqual(['c/0/0', 'c/0/1', 'c/1/0', 'c/1/1', 'zarr.json']);
    const want = edited(labels, tiles);
    // A second edit on the first: reads walk both bases.
    const tiles2 = [{ origin: [0, 0], data: filled('uint16', [256, 256], () => 1) }];
    const id2 = await api.datasets.saveEdited({ baseId: id, key: 'labels', tiles: tiles2, name: 'big v3' });
    const want2 = edited(want, tiles2);
    await api.datasets.delete(baseId);
    expectSame((await api.datasets.get(id)).fields.labels, want);
    expectSame((await api.datasets.get(id2)).fields.labels, want2);
    expect((await arrayRec(store.name, baseArray))!.refs).toBe(1); // held by the first edit only
    expect(await store.collectGarbage({ graceMs: 0 })).toEqual({ arrays: [] });
    // Deleting the middle version keeps its array for the last one; deleting the last releases all.
    await api.datasets.delete(id);
    expectSame((await api.datasets.get(id2)).fields.labels, want2);
    expect(await keysOf(store.name, arrayId)).toHaveLength(5);
    await api.datasets.delete(id2);
    expect(await chunkCount(store.name)).toBe(0);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(0);
    expect(await store.collectGarbage({ graceMs: 0 })).toEqual({ arrays: [] });
  });

  it('deleting an edit while the base stays releases exactly the edit’s chunks', async () => {
    const { api, store } = await makeApi();
    const labels = filled('uint8', [8, 1024, 1024], (i) => i % 3);
    const baseId = await api.datasets.put({ labels }, { name: 'vol' });
    const before = await chunkCount(store.name);
    const baseArray = (await api.datasets.get(baseId, [])).meta.keys.labels!.array!;
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [0, 0, 0], data: filled('uint8', [1, 8, 8], () => 2) }] });
    expect(await chunkCount(store.name)).toBe(before + 2);
    await api.datasets.delete(id);
    expect(await chunkCount(store.name)).toBe(before);
    expect((await arrayRec(store.name, baseArray))!.refs).toBe(1);
    expectSame((await api.datasets.get(baseId)).fields.labels, labels);
  });

  it('hashes a base from before version 8 (no chunk hashes) once, records its hashes, and still gets the full digest', async () => {
    const reads: string[] = [];
    const { api, store } = await makeApi({ onChunkRead: (_id, key) => reads.push(key) });
    const labels = filled('uint8', [4, 512, 512], (i) => i % 11); // chunks [1, 512, 512]: 4
    const baseId = await api.datasets.put({ labels }, { name: 'old' });
    const baseArray = (await api.datasets.get(baseId, [])).meta.keys.labels!.array!;
    await raw(store.name, async (db) => {
      const rec = (await db.get('chunkedArrays', baseArray))!;
      delete rec.chunkHashes; // as version 7 wrote it
      await db.put('chunkedArrays', rec);
    });
    const tiles = [{ origin: [1, 0, 0], data: filled('uint8', [1, 16, 16], () => 200) }];
    reads.length = 0;
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles });
    expect(reads.filter((k) => k.startsWith('c/')).sort()).toEqual(['c/0/0/0', 'c/1/0/0', 'c/1/0/0', 'c/2/0/0', 'c/3/0/0']); // the touched one twice
    const want = edited(labels, tiles);
    expect((await api.datasets.get(id, [])).meta.keys.labels!.digest).toBe((await encodeArray(want)).digest);
    expect((await arrayRec(store.name, baseArray))!.chunkHashes).toEqual((await encodeArray(labels)).chunkHashes);
    expectSame((await api.datasets.get(id)).fields.labels, want);
  });

  it('exports the edited field (OME-Zarr 0.5 read back by zarrita)', async () => {
    const { api } = await makeApi();
    const labels = filled('uint8', [4, 512, 512], (i) => i % 13);
    const baseId = await api.datasets.put({ labels }, { name: 'exp' });
    const tiles = [{ origin: [2, 500, 100], data: filled('uint8', [1, 12, 30], () => 77) }];
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles });
    const blob = await api.datasets.exportOme(id, { format: 'ome-zarr-0.5', key: 'labels' });
    const files = unzipSync(new Uint8Array(await blob!.arrayBuffer()));
    const store = new Map(Object.entries(files).map(([k, v]) => [`/${k}`, v]));
    const top = Object.keys(files)[0]!.split('/')[0]!;
    const got = await zarr.get(await zarr.open.v3(zarr.root(store).resolve(`${top}/0`), { kind: 'array' }));
    expectSame(ndarray('uint8', got.shape, got.data as Uint8Array), edited(labels, tiles));
  });

  it('reuses the base array for an edit that changes nothing', async () => {
    const { api, store } = await makeApi();
    const labels = filled('uint8', [2, 256, 256], (i) => i % 4);
    const baseId = await api.datasets.put({ labels }, { name: 'same' });
    const baseArray = (await api.datasets.get(baseId, [])).meta.keys.labels!.array!;
    const before = await chunkCount(store.name);
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [0, 0, 0], data: ndarray('uint8', [1, 1, 4], [0, 1, 2, 3]) }] });
    const meta = (await api.datasets.get(id, [])).meta;
    expect(meta.keys.labels!.array).toBe(baseArray);
    expect(meta.extra.editedChunks).toBe(0);
    expect(await chunkCount(store.name)).toBe(before);
    expect((await arrayRec(store.name, baseArray))!.refs).toBe(2);
  });

  it('widens a labels field (uint8 → uint16 → int32) when a tile holds a label its dtype cannot, rewriting it whole', async () => {
    const { api } = await makeApi();
    const labels = filled('uint8', [2, 300, 300], (i) => i % 200); // 180 kB: chunked
    const baseId = await api.datasets.put({ labels }, { name: 'seg' });
    const small = filled('int32', [1, 2, 2], () => 7); // fits uint8: no widening
    const same = await api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [0, 0, 0], data: small }] });
    expect((await api.datasets.get(same, [])).meta.keys.labels!.dtype).toBe('uint8');
    const tile = filled('int32', [1, 2, 3], () => 300);
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [1, 10, 20], data: tile }] });
    const got = (await api.datasets.get(id)).fields.labels as NDArray;
    const want = edited(
      filled('uint16', [2, 300, 300], (i) => i % 200),
      [{ origin: [1, 10, 20], data: filled('uint16', [1, 2, 3], () => 300) }],
    );
    expectSame(got, want);
    expect((await api.datasets.get(id, [])).meta.extra.editedChunks).toBe(2);
    const id32 = await api.datasets.saveEdited({ baseId: id, key: 'labels', tiles: [{ origin: [0, 0, 0], data: filled('int32', [1, 1, 1], () => 70000) }] });
    const got32 = (await api.datasets.get(id32)).fields.labels as NDArray;
    expect(got32.dtype).toBe('int32');
    expect([got32.data[0], got32.data[1 * 300 * 300 + 10 * 300 + 20], got32.data[5]]).toEqual([70000, 300, 5]);
    expectSame((await api.datasets.get(baseId)).fields.labels, labels); // the base unchanged
  });

  it('rewrites a small (blob) field whole', async () => {
    const { api } = await makeApi();
    const mask = filled('uint8', [16, 16], (i) => i % 2);
    const image = filled('uint8', [16, 16], (i) => i);
    const baseId = await api.datasets.put({ image, mask }, { name: 'tiny' });
    const tiles = [{ origin: [4, 4], data: filled('uint8', [2, 3], () => 3) }];
    const id = await api.datasets.saveEdited({ baseId, key: 'mask', tiles, name: 'tiny v2', source: 'label-editor' });
    const got = await api.datasets.get(id);
    expect(got.fields.mask).toEqual(edited(mask, tiles));
    expect(got.fields.image).toEqual(image);
    expect(got.meta.name).toBe('tiny v2');
    expect(got.meta.source).toBe('label-editor');
    expect(got.meta.keys.image!.blob).toBe((await api.datasets.get(baseId, [])).meta.keys.image!.blob);
    expect(got.meta.extra.editedChunks).toBe(0);
  });

  it('rejects bad tiles with messages naming the dataset, the field, the value and the expectation, storing nothing', async () => {
    const { api, store } = await makeApi();
    const baseId = await api.datasets.put({ labels: ndarray('uint8', [4, 256, 256]), image: ndarray('uint16', [256, 256]) }, { name: 'cells' });
    const at = `Dataset 'cells' (id ${baseId})`;
    const chunks = await chunkCount(store.name);
    const bad = async (req: Parameters<Algobox['datasets']['saveEdited']>[0], msg: string) => {
      await expect(api.datasets.saveEdited(req)).rejects.toThrow(msg);
    };
    const t = (origin: number[], dtype: DType, shape: number[]) => [{ origin, data: ndarray(dtype, shape) }];
    await bad(
      { baseId, key: 'labels', tiles: t([0, 200, 0], 'uint8', [1, 100, 10]) },
      `${at}, field 'labels': tile 0 at [0, 200, 0] of shape [1, 100, 10] does not fit in the field's shape [4, 256, 256].`,
    );
    await bad(
      { baseId, key: 'labels', tiles: t([0, 0], 'uint8', [10, 10]) },
      `${at}, field 'labels': tile 0: origin must be 3 integers (one per axis of the field's shape [4, 256, 256]), got [0,0].`,
    );
    await bad(
      { baseId, key: 'labels', tiles: t([0, 0, 0, 0], 'uint8', [1, 1, 10, 10]) },
      `${at}, field 'labels': tile 0 has 4 axes ([1, 1, 10, 10]); the field has 3 ([4, 256, 256]).`,
    );
    await bad(
      { baseId, key: 'labels', tiles: t([0, 0, 0], 'float32', [1, 4, 4]) },
      `${at}, field 'labels': tile 0 is float32; the field holds uint8 (tiles must have the field's dtype; only a labels field may be widened, uint8 → uint16 → int32).`,
    );
    await bad(
      { baseId, key: 'image', tiles: t([0, 0], 'uint8', [4, 4]) },
      `${at}, field 'image': tile 0 is uint8; the field holds uint16 (tiles must have the field's dtype; only a labels field may be widened, uint8 → uint16 → int32).`,
    );
    await bad({ baseId, key: 'labels', tiles: [] }, `${at}, field 'labels': tiles must be a non-empty array of { origin, data }.`);
    await bad({ baseId, key: 'mask', tiles: t([0, 0], 'uint8', [1, 1]) }, `Dataset ${at.slice(8)} has no field 'mask' (it has 'labels', 'image').`);
    await bad({ baseId: 'nope', key: 'labels', tiles: t([0, 0, 0], 'uint8', [1, 1, 1]) }, "Dataset 'nope' not found.");
    expect((await api.datasets.list()).map((m) => m.id)).toEqual([baseId]);
    expect(await chunkCount(store.name)).toBe(chunks);
  });

  it('refuses a remote field', async () => {
    const { api, store } = await makeApi();
    const baseId = await api.datasets.put({ image: ndarray('uint8', [4, 4]) }, { name: 'far' });
    await raw(store.name, async (db) => {
      const meta = (await db.get('datasets', baseId))!;
      meta.keys.image = {
        kind: 'array',
        dtype: 'uint8',
        shape: [4, 4],
        chunkShape: [4, 4],
        byteLength: 0,
        remote: { url: 'https://example.org/x.zarr', path: '0', zarrFormat: 3, levels: [] },
      } as never;
      await db.put('datasets', meta);
    });
    await expect(api.datasets.saveEdited({ baseId, key: 'image', tiles: [{ origin: [0, 0], data: ndarray('uint8', [1, 1]) }] })).rejects.toThrow(
      `Dataset 'far' (id ${baseId}), field 'image': a remote array (https://example.org/x.zarr) cannot be edited here; import it first (datasets.importRemote) and edit the copy.`,
    );
  });

  it('is one transaction: a failure at commit keeps nothing', async () => {
    let fail = false;
    const { api, store } = await makeApi({
      beforeCommit: (op) => {
        if (fail && op === 'saveEdited') throw new Error('disk full');
      },
    });
    const labels = filled('uint8', [8, 1024, 1024], (i) => i % 5);
    const baseId = await api.datasets.put({ labels, image: filled('uint8', [300, 300], (i) => i % 9) }, { name: 'vol' });
    const snapshot = () =>
      raw(store.name, async (db) => ({ chunks: await db.count('chunks'), arrays: await db.getAll('chunkedArrays'), blobs: await db.getAll('blobs') }));
    const before = await snapshot();
    fail = true;
    await expect(
      api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [2, 0, 0], data: filled('uint8', [1, 64, 64], () => 1) }] }),
    ).rejects.toThrow('disk full');
    const after = await snapshot();
    expect(after.chunks).toBe(before.chunks);
    expect(after.arrays.map((a) => [a.id, a.refs])).toEqual(before.arrays.map((a) => [a.id, a.refs]));
    expect((await api.datasets.list()).map((m) => m.id)).toEqual([baseId]);
    fail = false;
    const id = await api.datasets.saveEdited({ baseId, key: 'labels', tiles: [{ origin: [2, 0, 0], data: filled('uint8', [1, 64, 64], () => 1) }] });
    expect(((await api.datasets.get(id)).fields.labels as NDArray).data[2 * 1024 * 1024]).toBe(1);
  });
});

/** The first `n`×`n` of slice `z` of a [Z, 1024, 1024] array, as a flat array. */
function sliceOf(a: NDArray, z: number, n: number): Uint8Array {
  const out = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) out.set((a.data as Uint8Array).subarray(z * 1024 * 1024 + y * 1024, z * 1024 * 1024 + y * 1024 + n), y * n);
  return out;
}
