// Dataset array fields on chunked (Zarr v3) arrays (issue 13): large array fields are stored as
// chunked arrays, written with their dataset in one transaction, deduplicated by digest, released on
// delete; fields written block by block (staged) commit with their dataset; small fields stay blobs.
import { describe, expect, it } from 'vitest';
import { arrayDigest } from '../../src/core/chunkDigest';
import { sha256Hex } from '../../src/core/hash';
import { makeThumbnail } from '../../src/core/thumbnail';
import { ndarray, sizeOf, type DType, type NDArray } from '../../src/core/ndarray';
import { CHUNKED_FIELD_MIN_BYTES } from '../../src/store/datasetArrays';
import { openDatabase } from '../../src/store/db';
import { freshStores, raw } from './helpers/freshStores';

const { fresh } = freshStores('dsarrays');

const counts = (name: string) =>
  raw(name, async (db) => ({
    arrays: await db.count('chunkedArrays'),
    chunks: await db.count('chunks'),
    blobs: await db.count('blobs'),
    datasets: await db.count('datasets'),
  }));

function ramp(dtype: DType, shape: number[], seed = 0): NDArray {
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) (a.data as Float32Array)[i] = (i * 7 + seed * 13) % 251;
  return a;
}

const values = (a: NDArray | string | null | unknown) => Array.from((a as NDArray).data as ArrayLike<number>);

describe('dataset array fields on chunked arrays', () => {
  it('a 512² float32 image is one chunked array (no blob); it reads back equal, one chunk read, no zarr.json read', async () => {
    const reads: string[] = [];
    const blobReads: string[] = [];
    const store = await fresh({ onChunkRead: (_id, key) => reads.push(key), onBlobRead: (k) => blobReads.push(k) });
    const image = ramp('float32', [512, 512]);
    const [id] = await store.putDatasets([
      {
        fields: { image: { kind: 'array', array: image }, label: { kind: 'string', array: ndarray('uint8', [2], new Uint8Array([104, 105])) } },
        source: 'upload',
        schema: null,
      },
    ]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.keys.image!.blob).toBeUndefined();
    expect(meta.keys.image!.array).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.keys.image!.chunkShape).toEqual([512, 512]);
    expect(meta.keys.image!.byteLength).toBe(512 * 512 * 4);
    expect(meta.keys.label!.blob).toBe(await sha256Hex(new Uint8Array([104, 105])));
    expect(meta.thumbnail).not.toBeNull();
    const back = (await store.getDataset(id!))!;
    expect((back.fields.image as NDArray).shape).toEqual([512, 512]);
    expect(values(back.fields.image)).toEqual(values(image));
    expect(back.fields.label).toBe('hi');
    expect(reads).toEqual(['c/0/0']);
    expect(blobReads).toEqual([meta.keys.label!.blob]);
    expect(await counts(store.name)).toEqual({ arrays: 1, chunks: 2, blobs: 1, datasets: 1 });
  });

  it('fields under 64 KiB stay one blob', async () => {
    const store = await fresh();
    const small = ramp('uint8', [CHUNKED_FIELD_MIN_BYTES - 1]);
    const [id] = await store.putDatasets([{ fields: { data: { kind: 'array', array: small } }, source: 'upload', schema: null }]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.keys.data!.blob).toBe(await sha256Hex(small.data));
    expect(meta.keys.data!.array).toBeUndefined();
  });

  it('a stack [3, 300, 300] uint16 is three slice chunks; a region reads only the chunks it touches', async () => {
    const reads: string[] = [];
    const store = await fresh({ onChunkRead: (_id, key) => reads.push(key) });
    const vol = ramp('uint16', [3, 300, 300]);
    const [id] = await store.putDatasets([{ fields: { volume: { kind: 'array', array: vol } }, source: 'upload', schema: null }]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.keys.volume!.chunkShape).toEqual([1, 300, 300]);
    expect(values((await store.getDataset(id!))!.fields.volume)).toEqual(values(vol));
    expect(reads.sort()).toEqual(['c/0/0/0', 'c/1/0/0', 'c/2/0/0']);
    reads.length = 0;
    const slice = await store.readDatasetArray(id!, 'volume', [[1, 2], null, [10, 20]]);
    expect(slice.shape).toEqual([1, 300, 10]);
    expect(slice.data[0]).toBe(vol.data[300 * 300 + 10]);
    expect(reads).toEqual(['c/1/0/0']);
  });

  it('identical arrays are stored once (refs), in one batch or across writes; deleting the last reference removes record and chunks', async () => {
    const store = await fresh();
    const a = ramp('float32', [256, 256]);
    const ids = await store.putDatasets([
      { fields: { image: { kind: 'array', array: a } }, source: 'upload', schema: null },
      { fields: { image: { kind: 'array', array: a } }, source: 'upload', schema: null },
    ]);
    const [third] = await store.putDatasets([{ fields: { image: { kind: 'array', array: ramp('float32', [256, 256]) } }, source: 'upload', schema: null }]);
    const metas = await Promise.all([...ids, third!].map((id) => store.getDatasetMeta(id)));
    const arrayIds = new Set(metas.map((m) => m!.keys.image!.array));
    expect(arrayIds.size).toBe(1);
    const arrayId = [...arrayIds][0]!;
    expect((await raw(store.name, (db) => db.get('chunkedArrays', arrayId)))!.refs).toBe(3);
    expect((await store.usage()).blobBytes).toBe(256 * 256 * 4);
    await store.deleteDatasets([ids[0]!, ids[1]!]);
    expect((await raw(store.name, (db) => db.get('chunkedArrays', arrayId)))!.refs).toBe(1);
    expect(values((await store.getDataset(third!))!.fields.image)).toEqual(values(a));
    await store.deleteDatasets([third!]);
    expect(await counts(store.name)).toEqual({ arrays: 0, chunks: 0, blobs: 0, datasets: 0 });
  });

  it('a failed write (the transaction aborts) leaves no dataset, no array record and no chunk', async () => {
    let fail = true;
    const store = await fresh({
      beforeCommit: (op) => {
        if (fail && op === 'putDatasets') throw new Error('power cut');
      },
    });
    await expect(
      store.putDatasets([{ fields: { image: { kind: 'array', array: ramp('uint8', [400, 400]) } }, source: 'upload', schema: null }]),
    ).rejects.toThrow('power cut');
    expect(await counts(store.name)).toEqual({ arrays: 0, chunks: 0, blobs: 0, datasets: 0 });
    fail = false;
    await store.putDatasets([{ fields: { image: { kind: 'array', array: ramp('uint8', [400, 400]) } }, source: 'upload', schema: null }]);
    expect(await counts(store.name)).toMatchObject({ arrays: 1, chunks: 2, datasets: 1 });
  });
});

describe('staged (block-by-block) dataset fields', () => {
  it('a field written slice by slice commits with its dataset; its thumbnail comes from the first slice', async () => {
    const store = await fresh();
    const writer = await store.createChunkedArray({ dtype: 'uint16', shape: [4, 96, 100] });
    const vol = ramp('uint16', [4, 96, 100]);
    for (let z = 0; z < 4; z++) {
      await writer.write([z, 0, 0], ndarray('uint16', [1, 96, 100], (vol.data as Uint16Array).slice(z * 96 * 100, (z + 1) * 96 * 100)));
    }
    const [id] = await store.putDatasets([{ fields: { volume: { kind: 'array', staged: writer } }, source: 'upload', schema: null, name: 'vol' }]);
    const meta = (await store.getDatasetMeta(id!))!;
    expect(meta.keys.volume).toMatchObject({
      kind: 'array',
      dtype: 'uint16',
      shape: [4, 96, 100],
      chunkShape: [1, 96, 100],
      array: writer.id,
      byteLength: 4 * 96 * 100 * 2,
    });
    expect(meta.thumbnail).toEqual(makeThumbnail({ volume: { kind: 'array', array: vol } }));
    expect(meta.thumbnail).not.toBeNull();
    expect(values((await store.getDataset(id!))!.fields.volume)).toEqual(values(vol));
    // The same values put whole make the same digest: stored once.
    const [again] = await store.putDatasets([{ fields: { volume: { kind: 'array', array: vol } }, source: 'upload', schema: null }]);
    expect((await store.getDatasetMeta(again!))!.keys.volume!.array).toBe(writer.id);
    await expect(writer.write([0, 0, 0], ndarray('uint16', [1, 1, 1]))).rejects.toThrow(/already committed or aborted/);
  });

  it('a failed dataset write drops the staged array it was to commit', async () => {
    const store = await fresh({
      beforeCommit: (op) => {
        if (op === 'putDatasets') throw new Error('disk full');
      },
    });
    const writer = await store.createChunkedArray({ dtype: 'uint8', shape: [2, 300, 300] });
    await writer.write([0, 0, 0], ramp('uint8', [2, 300, 300]));
    await expect(store.putDatasets([{ fields: { volume: { kind: 'array', staged: writer } }, source: 'upload', schema: null }])).rejects.toThrow('disk full');
    expect(await counts(store.name)).toEqual({ arrays: 0, chunks: 0, blobs: 0, datasets: 0 });
  });

  it('chunks never written read as zeros and hash as fill chunks: the digest equals that of the array written whole', async () => {
    const store = await fresh();
    const writer = await store.createChunkedArray({ dtype: 'float32', shape: [3, 200, 200] });
    const vol = ndarray('float32', [3, 200, 200]);
    for (let i = 200 * 200; i < 2 * 200 * 200; i++) vol.data[i] = i % 5;
    await writer.write([1, 0, 0], ndarray('float32', [1, 200, 200], (vol.data as Float32Array).slice(200 * 200, 2 * 200 * 200)));
    const [id] = await store.putDatasets([{ fields: { volume: { kind: 'array', staged: writer } }, source: 'upload', schema: null }]);
    const [whole] = await store.putDatasets([{ fields: { volume: { kind: 'array', array: vol } }, source: 'upload', schema: null }]);
    const [m1, m2] = await Promise.all([store.getDatasetMeta(id!), store.getDatasetMeta(whole!)]);
    expect(m1!.keys.volume!.digest).toBe(m2!.keys.volume!.digest);
    expect(m2!.keys.volume!.array).toBe(m1!.keys.volume!.array);
    expect(values((await store.getDataset(id!))!.fields.volume)).toEqual(values(vol));
  });
});

describe('chunkDigest', () => {
  it('covers the layout: the same bytes in another shape or chunk shape have another digest', async () => {
    const h = new Map([['c/0/0', 'ab']]);
    const d1 = await arrayDigest({ dtype: 'uint8', shape: [2, 2], chunkShape: [2, 2] }, h);
    const d2 = await arrayDigest({ dtype: 'uint8', shape: [2, 2], chunkShape: [2, 2] }, new Map(h));
    const d3 = await arrayDigest({ dtype: 'int8', shape: [2, 2], chunkShape: [2, 2] }, h);
    expect(d1).toBe(d2);
    expect(d3).not.toBe(d1);
    expect(sizeOf([2, 2])).toBe(4);
  });
});

describe('migration 5 → 6: whole-blob datasets move onto chunked arrays', () => {
  it('a database written by the version-5 schema opens, reads as before, and migrates with nothing lost', async () => {
    const name = `dsarrays-v5-${crypto.randomUUID()}`;
    // Records exactly as version 5 wrote them: every field one blob (key = SHA-256 of its bytes).
    const image = ramp('float32', [200, 150]); // 120 000 bytes: moves
    const small = ramp('uint8', [10]); // stays a blob
    const v5 = await openDatabase(name, undefined, 5);
    const blob = async (a: NDArray) => {
      const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength).slice();
      const key = await sha256Hex(bytes);
      await v5.put('blobs', { key, data: bytes.buffer, byteLength: bytes.byteLength, refs: 1 });
      return key;
    };
    const imageKey = await blob(image);
    const smallKey = await blob(small);
    const meta = {
      id: 'old-1',
      name: 'cells.tif',
      created: '2026-01-01T00:00:00.000Z',
      source: 'upload',
      schema: 'Image',
      keys: {
        image: { kind: 'array' as const, dtype: 'float32' as const, shape: [200, 150], blob: imageKey, byteLength: 120000 },
        tag: { kind: 'array' as const, dtype: 'uint8' as const, shape: [10], blob: smallKey, byteLength: 10 },
      },
      byteLength: 120010,
      extra: { file: 'cells.tif' },
      thumbnail: null,
    };
    await v5.put('datasets', meta);
    await v5.put('stacks', { id: 's1', name: 'old stack', datasetIds: ['old-1'], created: '2026-01-01T00:00:00.000Z', source: 'user', extra: {} });
    v5.close();

    const store = await fresh(undefined, name);
    // Readable as it is, before any migration.
    expect(values((await store.getDataset('old-1'))!.fields.image)).toEqual(values(image));
    const report = await store.migrateBlobFields();
    expect(report).toEqual({ datasets: 1, fields: 1, skipped: 0 });
    const after = (await store.getDatasetMeta('old-1'))!;
    expect(after.keys.image!.blob).toBeUndefined();
    expect(after.keys.image).toMatchObject({ kind: 'array', dtype: 'float32', shape: [200, 150], byteLength: 120000, chunkShape: [200, 150] });
    expect(after.keys.tag).toEqual(meta.keys.tag);
    expect({ ...after, keys: undefined }).toEqual({ ...meta, keys: undefined });
    const back = (await store.getDataset('old-1'))!;
    expect(values(back.fields.image)).toEqual(values(image));
    expect(values(back.fields.tag)).toEqual(values(small));
    expect((await store.getStack('s1'))!.datasetIds).toEqual(['old-1']);
    // The image's blob is released; the small one stays.
    expect(await raw(name, (db) => db.getAllKeys('blobs'))).toEqual([smallKey]);
    // Running it again finds nothing to do; deleting releases everything.
    expect(await store.migrateBlobFields()).toEqual({ datasets: 0, fields: 0, skipped: 0 });
    await store.deleteDatasets(['old-1']);
    expect(await counts(name)).toEqual({ arrays: 0, chunks: 0, blobs: 0, datasets: 0 });
  });

  it('a crash in the middle of migrating a dataset leaves it whole-blob and readable; the next run moves it', async () => {
    let crash = true;
    const store = await fresh({
      beforeCommit: (op) => {
        if (crash && op === 'migrateBlobFields') throw new Error('tab closed');
      },
    });
    const image = ramp('uint16', [300, 300]);
    // A version-5 style record in this database.
    const bytes = new Uint8Array(image.data.buffer).slice();
    const key = await sha256Hex(bytes);
    await raw(store.name, async (db) => {
      await db.put('blobs', { key, data: bytes.buffer, byteLength: bytes.byteLength, refs: 1 });
      await db.put('datasets', {
        id: 'd',
        name: 'd',
        created: '2026-01-01T00:00:00.000Z',
        source: 'upload',
        schema: null,
        keys: { image: { kind: 'array', dtype: 'uint16', shape: [300, 300], blob: key, byteLength: bytes.byteLength } },
        byteLength: bytes.byteLength,
        extra: {},
      });
    });
    await expect(store.migrateBlobFields()).rejects.toThrow('tab closed');
    expect((await store.getDatasetMeta('d'))!.keys.image!.blob).toBe(key);
    expect(await counts(store.name)).toEqual({ arrays: 0, chunks: 0, blobs: 1, datasets: 1 });
    crash = false;
    expect(await store.migrateBlobFields()).toEqual({ datasets: 1, fields: 1, skipped: 0 });
    expect(values((await store.getDataset('d'))!.fields.image)).toEqual(values(image));
    expect(await counts(store.name)).toEqual({ arrays: 1, chunks: 2, blobs: 0, datasets: 1 });
  });
});
