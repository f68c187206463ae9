// Pyramid levels given with a new dataset (NewDataset.levels, src/store/pyramids.ts prepareGivenLevels):
// what an OME-TIFF's SubIFDs become on import. They are committed with the dataset as the field's
// `levels` (read back by level, not rebuilt), released with it, and refused, with nothing stored, when
// they are not the pyramid scheme's shapes or the field is not a tiled image.
import { describe, expect, it } from 'vitest';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { freshStores, raw } from './helpers/freshStores';

const { fresh } = freshStores('given-levels');

function image(shape: number[], seed: number): NDArray {
  const a = ndarray('uint8', shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (i * 31 + seed) % 251;
  return a;
}

describe('levels given with a dataset', () => {
  it('are stored as the field’s levels, read back exactly, kept by buildDatasetPyramid and released with the dataset', async () => {
    const store = await fresh();
    const base = await store.createChunkedArray({ dtype: 'uint8', shape: [2100, 2100] });
    await base.write([0, 0], image([2100, 2100], 1));
    const level = await store.createChunkedArray({ dtype: 'uint8', shape: [1050, 1050] });
    const lv = image([1050, 1050], 2); // not the 2×2 mean: the file's own level is kept as it is
    await level.write([0, 0], lv);
    const [id] = await store.putDatasets([
      { fields: { image: { kind: 'array', staged: base } }, source: 'upload', schema: 'Image', levels: { image: [level] } },
    ]);
    const back = await store.readDatasetArray(id!, 'image', undefined, 1);
    expect(back.shape).toEqual([1050, 1050]);
    expect(Array.from(back.data as Uint8Array)).toEqual(Array.from(lv.data as Uint8Array));
    const levels = await store.buildDatasetPyramid(id!, 'image');
    expect(levels.map((l) => l.shape)).toEqual([[1050, 1050]]);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(2);
    await store.deleteDatasets([id!]);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(0);
    expect(await raw(store.name, (db) => db.count('chunks'))).toBe(0);
  });

  it('are refused with the field named when not the scheme’s shapes, or when the field is not tiled; nothing stays', async () => {
    const store = await fresh();
    const base = await store.createChunkedArray({ dtype: 'uint8', shape: [2100, 2100] });
    const level = await store.createChunkedArray({ dtype: 'uint8', shape: [1051, 1050] });
    await expect(
      store.putDatasets([{ name: 'big', fields: { image: { kind: 'array', staged: base } }, source: 'upload', schema: 'Image', levels: { image: [level] } }]),
    ).rejects.toThrow("Dataset 'big', field 'image': pyramid level 1 is uint8 [1051, 1050]; expected uint8 [1050, 1050].");
    const small = await store.createChunkedArray({ dtype: 'uint8', shape: [20, 20] });
    const half = await store.createChunkedArray({ dtype: 'uint8', shape: [10, 10] });
    await expect(
      store.putDatasets([{ name: 'small', fields: { image: { kind: 'array', staged: small } }, source: 'upload', schema: 'Image', levels: { image: [half] } }]),
    ).rejects.toThrow("Dataset 'small', field 'image': pyramid levels were given, but the field is not a tiled image.");
    await half.abort();
    expect(await store.listDatasets()).toEqual([]);
    expect(await raw(store.name, (db) => db.count('chunkedArrays'))).toBe(0);
  });
});
