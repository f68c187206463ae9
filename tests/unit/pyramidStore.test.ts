// The multiscale pyramid of a tiled 2-D image field in the store (src/store/pyramids.ts): built once,
// tile by tile, committed with the dataset's references; region reads of a level read only its tiles;
// deleting the dataset releases the levels; the public API's openArray / readRegion / pyramid /
// createWriter and the chunk-read counter of stats().
import { describe, expect, it } from 'vitest';
import { createAlgobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { downsample2x } from '../../src/core/pyramid';
import { freshStores, raw } from './helpers/freshStores';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const { fresh } = freshStores('pyramid');

function image(shape: number[]): NDArray {
  const a = ndarray('uint16', shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (i * 7919 + (i >> 12)) % 65536;
  return a;
}

const values = (a: NDArray) => Array.from(a.data as ArrayLike<number>);

describe('field pyramids', () => {
  it('a 3000×4500 uint16 image gets two levels, each the 2×2 mean of the one above, read tile by tile', async () => {
    const reads: string[] = [];
    const store = await fresh({ onChunkRead: (id, key) => reads.push(`${id}/${key}`) });
    const base = image([3000, 4500]);
    const [id] = await store.putDatasets([{ fields: { image: { kind: 'array', array: base } }, source: 'upload', schema: 'Image' }]);
    const before = await raw(store.name, (db) => db.count('chunkedArrays'));
    let progress = [0, 0];
    const levels = await store.buildDatasetPyramid(id!, 'image', { onProgress: (d, t) => (progress = [d, t]) });
    expect(levels.map((l) => l.shape)).toEqual([
      [1500, 2250],
      [750, 1125],
    ]);
    expect(levels.map((l) => l.chunkShape)).toEqual([
      [1024, 1024],
      [750, 1125],
    ]);
    expect(progress).toEqual([2 * 3 + 1, 7]);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(before + 2);
    // Built once: asking again reads nothing and writes nothing.
    expect(await store.buildDatasetPyramid(id!, 'image')).toEqual(levels);
    const l1 = downsample2x(base);
    const l2 = downsample2x(l1);
    reads.length = 0;
    expect(values(await store.readDatasetArray(id!, 'image', undefined, 2))).toEqual(values(l2));
    expect(reads).toEqual([`${levels[1]!.array}/c/0/0`]);
    reads.length = 0;
    const tile = await store.readDatasetArray(
      id!,
      'image',
      [
        [1024, 1500],
        [1024, 2048],
      ],
      1,
    );
    expect(reads).toEqual([`${levels[0]!.array}/c/1/1`]);
    const want: number[] = [];
    for (let y = 1024; y < 1500; y++) for (let x = 1024; x < 2048; x++) want.push(l1.data[y * 2250 + x]!);
    expect(values(tile)).toEqual(want);
    await expect(store.readDatasetArray(id!, 'image', undefined, 3)).rejects.toThrow(
      "Field 'image' has no pyramid level 3 (it has 2 level(s) below the base).",
    );
    // Deleting the dataset releases the levels with the base.
    await store.deleteDatasets([id!]);
    expect(await raw(store.name, async (db) => ({ arrays: await db.count('chunkedArrays'), chunks: await db.count('chunks') }))).toEqual({
      arrays: 0,
      chunks: 0,
    });
  });

  it('two builds at once keep one pyramid; identical images share their levels; small images get none', async () => {
    const store = await fresh();
    const base = image([2100, 1500]);
    const ids = await store.putDatasets([
      { fields: { image: { kind: 'array', array: base } }, source: 'upload', schema: 'Image' },
      { fields: { image: { kind: 'array', array: base } }, source: 'upload', schema: 'Image' },
      { fields: { image: { kind: 'array', array: image([512, 512]) } }, source: 'upload', schema: 'Image' },
    ]);
    const [a, b] = await Promise.all([store.buildDatasetPyramid(ids[0]!, 'image'), store.buildDatasetPyramid(ids[0]!, 'image')]);
    expect(a).toEqual(b);
    expect(a.map((l) => l.shape)).toEqual([[1050, 750]]);
    const other = await store.buildDatasetPyramid(ids[1]!, 'image');
    expect(other[0]!.array).toBe(a[0]!.array); // same digest: one array, two references
    expect(await store.buildDatasetPyramid(ids[2]!, 'image')).toEqual([]);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(3); // base (shared), level 1 (shared), 512²
    await store.deleteDatasets([ids[0]!]);
    expect(values(await store.readDatasetArray(ids[1]!, 'image', undefined, 1))).toEqual(values(downsample2x(base)));
    await store.deleteDatasets([ids[1]!, ids[2]!]);
    expect(await raw(store.name, (db) => db.count('chunks'))).toBe(0);
  });
});

describe('the API: region reads, pyramids, writers, chunk-read counts', () => {
  it('a volume written slice by slice reads back one slice per region; stats count the chunks read', async () => {
    const api = createAlgobox({ dbName: `pyramid-api-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
    try {
      await api.ready;
      const [Z, H, W] = [6, 256, 256];
      const w = await api.datasets.createWriter({ key: 'volume', dtype: 'uint16', shape: [Z, H, W], name: 'vol', schema: 'Volume' });
      for (let z = 0; z < Z; z++) await w.write([z, 0, 0], ndarray('uint16', [1, H, W], new Uint16Array(H * W).fill(z * 100)));
      const id = await w.commit();
      const meta = (await api.datasets.list()).find((m) => m.id === id)!;
      expect(meta.schema).toBe('Volume');
      const arrayId = meta.keys.volume!.array!;
      const handle = await api.datasets.openArray(id, 'volume');
      expect(handle).toMatchObject({ dtype: 'uint16', shape: [Z, H, W], chunkShape: [1, H, W], levels: [] });
      const r0 = (await api.stats()).chunks.reads;
      const slice = await handle.read([[4, 5], null, null]);
      expect(slice.shape).toEqual([1, H, W]);
      expect(slice.data[123]).toBe(400);
      const s = (await api.stats()).chunks;
      expect(s.reads - r0).toBe(1);
      expect(s.recent.at(-1)).toBe(`${arrayId}/c/4/0/0`);
      expect(
        (
          await api.datasets.readRegion(id, 'volume', [
            [2, 3],
            [0, 1],
            [0, 2],
          ])
        ).data,
      ).toEqual(new Uint16Array([200, 200]));
      expect(await api.datasets.pyramid(id, 'volume')).toEqual([]);
      await expect(api.datasets.createWriter({ key: 'volume', dtype: 'uint16', shape: [4, 4], schema: 'Volume' })).rejects.toThrow(
        'Volume must be a 3 dimensional array (got 2 dimensions).',
      );
    } finally {
      await api.close();
    }
  });
});
