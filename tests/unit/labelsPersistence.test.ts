// Saving and drafts of the Annotate layer (issue 16) through the real API in Node (fake-indexeddb): an
// edit of an existing mask is saved with datasets.saveEdited, writing only the chunks its changed tiles
// touch (tiles undone back to the base are left out); a new layer is stored whole; drafts keep only the
// changed tiles in api.labelDrafts, with no size cap (a layer far larger than localStorage's ~5 MB).
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { LabelLayer } from '../../src/core/labels/layer';
import { bytesOf, ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { applyDraft, clearDraft, loadDraft, saveDraft } from '../../src/app/viewers/annotate/drafts';
import { saveLabelLayer } from '../../src/app/viewers/annotate/persistence';
import type { AnnotateTarget } from '../../src/app/viewers/annotate/target';
import { freshStores, raw } from './helpers/freshStores';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const { fresh } = freshStores('annotate');
const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

async function makeApi(): Promise<{ api: Algobox; name: string }> {
  const store = await fresh();
  const api = createAlgobox({ store, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return { api, name: store.name };
}

const chunkCount = (name: string) => raw(name, (db) => db.count('chunks'));

function target(over: Partial<AnnotateTarget> & Pick<AnnotateTarget, 'width' | 'height' | 'depth'>): AnnotateTarget {
  return {
    key: 'edit:m',
    kind: 'mask',
    name: 'cells mask',
    imageId: 'img1',
    inputs: ['img1'],
    base: null,
    sliceLabel: 'Z',
    readImage: async () => null,
    ...over,
  };
}

/** Paint `label` over the rectangle [x0, x1) × [y0, y1) of slice k: one stroke. */
function paint(layer: LabelLayer, k: number, [x0, y0, x1, y1]: number[], label: number): void {
  const e = layer.begin(k, 'brush');
  for (let y = y0!; y < y1!; y++) for (let x = x0!; x < x1!; x++) e.builder.set(y * layer.width + x, label);
  layer.commit(e);
}

function same(got: NDArray, want: NDArray): boolean {
  return got.dtype === want.dtype && got.shape.join() === want.shape.join() && Buffer.from(bytesOf(got)).equals(Buffer.from(bytesOf(want)));
}

/** A mask dataset of `dtype` [h, w] with a pattern, as the editor opens it (the base loaded into a layer). */
async function maskWithLayer(api: Algobox, dtype: DType, n: number) {
  const mask = ndarray(dtype, [n, n]);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = (i >> 12) % 5;
  const baseId = await api.datasets.put({ mask }, { name: 'cells mask', schema: 'Segmentation', extra: { inputs: ['img1'] } });
  const t = target({ key: `edit:${baseId}`, base: { id: baseId, key: 'mask', dtype, rank: 2 }, width: n, height: n, depth: 1 });
  const layer = new LabelLayer(n, n, 1);
  layer.load(0, mask.data);
  return { mask, baseId, t, layer };
}

describe('saveLabelLayer', () => {
  it.each([
    ['uint8', 1, 1],
    ['uint16', 4, 1],
  ] as const)('a 2048² %s mask (%i chunk(s)) edited in one corner: saveEdited writes only the touched chunk', async (dtype, chunks, touched) => {
    const { api, name } = await makeApi();
    const { mask, baseId, t, layer } = await maskWithLayer(api, dtype, 2048);
    const baseMeta = (await api.datasets.get(baseId, [])).meta;
    expect(sizeOfGrid(baseMeta.keys.mask!.shape, baseMeta.keys.mask!.chunkShape!)).toBe(chunks);
    paint(layer, 0, [10, 20, 60, 40], 7); // tile (0, 0)
    paint(layer, 0, [1500, 1500, 1510, 1510], 9); // tile (5, 5): painted, then undone (dirty, but the base's values)
    layer.undo();
    expect(layer.dirtyTiles()[0]!.tiles.map((x) => x.rect)).toEqual([
      [0, 0, 256, 256],
      [1280, 1280, 1536, 1536],
    ]);
    const before = await chunkCount(name);
    const id = await saveLabelLayer(api, t, { slices: layer.dirtyTiles() });
    expect((await chunkCount(name)) - before).toBe(touched + 1); // the chunk(s) touched and zarr.json
    const got = await api.datasets.get(id);
    expect(got.meta).toMatchObject({ name: 'cells mask (edited)', source: `edit:${baseId}`, schema: 'Segmentation' });
    expect(got.meta.extra).toEqual({
      inputs: ['img1'],
      editedFrom: baseId,
      editedImage: 'img1',
      editedSlices: [0],
      editedTiles: { '0': [[0, 0]] },
      editedKey: 'mask',
      editedChunks: touched,
    });
    const want = ndarray(dtype, [2048, 2048], mask.data);
    want.data = want.data.slice();
    for (let y = 20; y < 40; y++) want.data.fill(7, y * 2048 + 10, y * 2048 + 60);
    expect(same(got.fields.mask as NDArray, want)).toBe(true);
    expect(same((await api.datasets.get(baseId)).fields.mask as NDArray, mask)).toBe(true); // the base is unchanged
  });

  it('a volume mask: tiles at [z, y, x], a label over 255 widens uint8 to uint16', async () => {
    const { api } = await makeApi();
    const mask = ndarray('uint8', [3, 300, 300], new Uint8Array(3 * 90000).fill(1));
    const baseId = await api.datasets.put({ mask }, { name: 'vol mask', schema: 'Segmentation' });
    const t = target({
      key: `edit:${baseId}`,
      name: 'vol mask',
      inputs: [],
      base: { id: baseId, key: 'mask', dtype: 'uint8', rank: 3 },
      width: 300,
      height: 300,
      depth: 3,
    });
    const layer = new LabelLayer(300, 300, 3);
    layer.load(1, mask.data.subarray(90000, 180000));
    paint(layer, 1, [290, 5, 300, 6], 300); // tile (1, 0) of slice 1
    const id = await saveLabelLayer(api, t, { slices: layer.dirtyTiles() });
    const got = (await api.datasets.get(id)).fields.mask as NDArray;
    expect([got.dtype, got.shape]).toEqual(['uint16', [3, 300, 300]]);
    const v = (z: number, y: number, x: number) => got.data[z * 90000 + y * 300 + x];
    expect([v(1, 5, 290), v(1, 5, 299), v(1, 5, 289), v(1, 6, 290), v(0, 5, 290), v(2, 5, 299)]).toEqual([300, 300, 1, 1, 1, 1]);
    expect((await api.datasets.get(id, [])).meta.extra).toMatchObject({ editedSlices: [1], editedTiles: { '1': [[1, 0]] } });
  });

  it('a new layer is stored whole (zeros elsewhere), named after the image', async () => {
    const { api } = await makeApi();
    const t = target({ key: 'image:img1', kind: 'image', name: 'coins', width: 300, height: 2, depth: 1 });
    const layer = new LabelLayer(300, 2, 1);
    paint(layer, 0, [299, 1, 300, 2], 3);
    const id = await saveLabelLayer(api, t, { slices: layer.dirtyTiles() });
    const d = await api.datasets.get(id);
    const m = d.fields.mask as NDArray;
    expect([m.dtype, m.shape, m.data[599], Array.from(m.data as ArrayLike<number>).reduce((a, b) => a + b, 0)]).toEqual(['uint16', [2, 300], 3, 3]);
    expect(d.meta).toMatchObject({ name: 'coins (edited)', source: 'annotation:img1', schema: 'Segmentation' });
    expect(d.meta.extra).toEqual({ inputs: ['img1'], editedFrom: null, editedImage: 'img1', editedSlices: [0], editedTiles: { '0': [[1, 0]] } });
  });

  it('a large new layer is written chunk by chunk: only the chunks its tiles touch', async () => {
    const { api, name } = await makeApi();
    const n = 4096; // uint16: 32 MiB, chunks [1024, 1024]: 16
    const t = target({ key: 'image:big', kind: 'image', name: 'big', imageId: 'big', inputs: ['big'], width: n, height: n, depth: 1 });
    const layer = new LabelLayer(n, n, 1);
    paint(layer, 0, [10, 20, 60, 40], 5); // chunk (0, 0)
    paint(layer, 0, [1020, 3000, 1030, 3001], 6); // tiles (3, 11) and (4, 11): chunks (2, 0) and (2, 1)
    const before = await chunkCount(name);
    const id = await saveLabelLayer(api, t, { slices: layer.dirtyTiles() });
    expect((await chunkCount(name)) - before).toBe(3 + 1); // three chunks and zarr.json; 13 chunks of zeros never stored
    const meta = (await api.datasets.get(id, [])).meta;
    expect([meta.keys.mask!.dtype, meta.keys.mask!.shape, meta.keys.mask!.chunkShape]).toEqual(['uint16', [n, n], [1024, 1024]]);
    expect(meta).toMatchObject({ name: 'big (edited)', source: 'annotation:big', schema: 'Segmentation' });
    expect(meta.extra).toEqual({
      inputs: ['big'],
      editedFrom: null,
      editedImage: 'big',
      editedSlices: [0],
      editedTiles: {
        '0': [
          [0, 0],
          [3, 11],
          [4, 11],
        ],
      },
    });
    const all = (await api.datasets.get(id)).fields.mask as NDArray;
    const sum = (a: NDArray) => Array.from(a.data as ArrayLike<number>).reduce((x, y) => x + y, 0);
    expect(sum(all)).toBe(5 * 50 * 20 + 6 * 10);
    const at = (x: number, y: number) => all.data[y * n + x];
    expect([at(10, 20), at(59, 39), at(60, 39), at(1020, 3000), at(1023, 3000), at(1024, 3000), at(1029, 3000), at(1030, 3000)]).toEqual([
      5, 5, 0, 6, 6, 6, 6, 0,
    ]);
  });
});

describe('drafts', () => {
  it('round-trips a large layer (8 MiB of labels, far beyond localStorage) and restores the same values', async () => {
    const { api } = await makeApi();
    const n = 2048;
    const t = target({ key: 'image:big', kind: 'image', name: 'big', width: n, height: n, depth: 1 });
    const layer = new LabelLayer(n, n, 1);
    const e = layer.begin(0, 'fill');
    for (let i = 0; i < n * n; i++) e.builder.set(i, 1 + (i % 300));
    layer.commit(e);
    paint(layer, 0, [0, 0, 5, 5], 2);
    await saveDraft(api, t, { slices: layer.dirtyTiles() }, layer.history.undoCount);
    const [info] = await api.labelDrafts.list();
    expect(info).toMatchObject({ target: 'image:big', tiles: 64, strokes: 2, baseId: null, imageId: 'img1', shape: [n, n], dtype: 'int32' });
    const d = (await loadDraft(api, t))!;
    expect([d.strokes, d.tiles.length, Date.now() - d.savedAt < 60_000]).toEqual([2, 64, true]);
    const fresh = new LabelLayer(n, n, 1);
    fresh.load(0, new Int32Array(n * n));
    applyDraft(fresh, d);
    expect(Buffer.from(fresh.data(0).buffer).equals(Buffer.from(layer.data(0).buffer))).toBe(true);
    expect(fresh.history.undoCount).toBe(1); // the restore is one undoable step per slice
    // A draft of another base is not offered; cleared, none is.
    expect(await loadDraft(api, { ...t, base: { id: 'other', key: 'mask', dtype: 'uint8' } })).toBeNull();
    await clearDraft(api, t);
    expect(await loadDraft(api, t)).toBeNull();
  });

  it('keeps only the tiles that differ from the base; none left deletes the draft; a failed write rejects', async () => {
    const { api } = await makeApi();
    const { t, layer, mask } = await maskWithLayer(api, 'uint8', 600);
    paint(layer, 0, [0, 0, 3, 3], 8);
    paint(layer, 0, [300, 300, 303, 303], 8);
    await saveDraft(api, t, { slices: layer.dirtyTiles() }, 2);
    const d = (await loadDraft(api, t))!;
    expect(d.tiles.map((x) => x.rect)).toEqual([
      [0, 0, 256, 256],
      [256, 256, 512, 512],
    ]);
    expect((await api.labelDrafts.get(t.key))!.tiles.map((x) => [x.origin, x.data.dtype, x.data.shape])).toEqual([
      [[0, 0], 'uint8', [256, 256]],
      [[256, 256], 'uint8', [256, 256]],
    ]);
    layer.undo();
    layer.undo();
    expect(layer.data(0)).toEqual(Int32Array.from(mask.data));
    await saveDraft(api, t, { slices: layer.dirtyTiles() }, 0);
    expect(await api.labelDrafts.get(t.key)).toBeNull();
    paint(layer, 0, [0, 0, 1, 1], 9);
    await expect(saveDraft(api, { ...t, key: '' }, { slices: layer.dirtyTiles() }, 1)).rejects.toThrow(/target must be a non-empty string/);
  });
});

function sizeOfGrid(shape: readonly number[], chunk: readonly number[]): number {
  return shape.reduce((n, d, i) => n * Math.ceil(d / chunk[i]!), 1);
}
