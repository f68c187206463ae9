// Contiguous chunks (src/core/contiguousChunks.ts) and the fast path of encodeArray: for every grid
// where chunks are runs of the array, the keys and bytes are exactly what zarrita's own `set` writes.
import { describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { alignedBlockRuns, contiguousChunkRuns } from '../../src/core/contiguousChunks';
import { defaultChunkShape } from '../../src/core/chunkPolicy';
import { ndarray, sizeOf, typedArrayCtor, type DType } from '../../src/core/ndarray';
import { encodeArray } from '../../src/store/datasetArrays';
import { toChunk, zarrMetadata } from '../../src/store/zarrViews';

async function zarritaKeys(dtype: DType, shape: number[], chunkShape: number[], data: ArrayLike<number>) {
  const map = new Map<string, Uint8Array>();
  const meta = zarrMetadata(dtype, shape, chunkShape);
  const arr = new zarr.Array(map, '/', meta);
  await zarr.set(arr, null, toChunk(ndarray(dtype, shape, data as never)));
  return map;
}

function filled(dtype: DType, shape: number[]) {
  const Ctor = typedArrayCtor(dtype);
  const d = new Ctor(sizeOf(shape)) as unknown as { length: number; [i: number]: number };
  for (let i = 0; i < d.length; i++) d[i] = dtype === 'bool' ? (i % 3 === 0 ? 1 : 0) : ((i * 37) % 251) - (dtype.startsWith('u') ? 0 : 100);
  return d;
}

describe('contiguousChunkRuns', () => {
  it('gives one run per chunk for grids of whole trailing axes, in C grid order, with edge runs shorter', () => {
    expect(contiguousChunkRuns([4, 5], [4, 5])).toEqual([{ key: 'c/0/0', start: 0, length: 20 }]);
    expect(contiguousChunkRuns([3, 2, 2], [1, 2, 2])).toEqual([
      { key: 'c/0/0/0', start: 0, length: 4 },
      { key: 'c/1/0/0', start: 4, length: 4 },
      { key: 'c/2/0/0', start: 8, length: 4 },
    ]);
    expect(contiguousChunkRuns([2, 5, 3], [1, 2, 3])).toEqual([
      { key: 'c/0/0/0', start: 0, length: 6 },
      { key: 'c/0/1/0', start: 6, length: 6 },
      { key: 'c/0/2/0', start: 12, length: 3 },
      { key: 'c/1/0/0', start: 15, length: 6 },
      { key: 'c/1/1/0', start: 21, length: 6 },
      { key: 'c/1/2/0', start: 27, length: 3 },
    ]);
    expect(contiguousChunkRuns([10], [4])).toEqual([
      { key: 'c/0', start: 0, length: 4 },
      { key: 'c/1', start: 4, length: 4 },
      { key: 'c/2', start: 8, length: 2 },
    ]);
  });

  it('refuses tiles, 0-D and empty arrays', () => {
    expect(contiguousChunkRuns([8, 8], [4, 4])).toBeNull();
    expect(contiguousChunkRuns([2, 8, 8], [1, 8, 4])).toBeNull();
    expect(contiguousChunkRuns([], [])).toBeNull();
    expect(contiguousChunkRuns([0, 4], [1, 4])).toBeNull();
  });

  const cases: [DType, number[], number[]][] = [
    ['float32', [7, 5], [7, 5]],
    ['uint16', [3, 6, 4], [1, 6, 4]],
    ['int8', [2, 5, 3], [1, 2, 3]],
    ['float64', [11], [4]],
    ['bool', [4, 3, 3], [1, 3, 3]],
    ['uint8', [5, 4, 3], [2, 4, 3]],
  ];
  it.each(cases)('matches zarrita byte for byte: %s %j chunked %j', async (dtype, shape, chunkShape) => {
    const data = filled(dtype, shape);
    const ours = new Map<string, Uint8Array>();
    const runs = contiguousChunkRuns(shape, chunkShape)!;
    const size = (typedArrayCtor(dtype) as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const src = new Uint8Array((data as unknown as Uint8Array).buffer);
    for (const r of runs) {
      const b = new Uint8Array(sizeOf(chunkShape) * size);
      b.set(src.subarray(r.start * size, (r.start + r.length) * size));
      ours.set(`/${r.key}`, b);
    }
    const theirs = await zarritaKeys(dtype, shape, chunkShape, data);
    theirs.delete('/zarr.json');
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [k, v] of theirs) expect(Buffer.from(ours.get(k)!).equals(Buffer.from(v))).toBe(true);
  });

  it('encodeArray: the fast path stores what zarrita would (keys, bytes and so the digest)', async () => {
    const shape = [3, 40, 600]; // 3 planes of 40×600 uint16: one chunk per plane
    const a = ndarray('uint16', shape, filled('uint16', shape) as unknown as Uint16Array);
    const chunkShape = defaultChunkShape(shape, 'uint16');
    expect(contiguousChunkRuns(shape, chunkShape)).not.toBeNull();
    const enc = await encodeArray(a);
    const theirs = await zarritaKeys('uint16', shape, chunkShape, a.data);
    expect([...enc.keys.keys()].filter((k) => k !== 'zarr.json').sort()).toEqual([...theirs.keys()].map((k) => k.slice(1)).sort());
    for (const [k, v] of theirs) expect(Buffer.from(enc.keys.get(k.slice(1))!).equals(Buffer.from(v))).toBe(true);
    // Changing the source afterwards changes nothing stored: the chunks are copies.
    a.data[0] = 999;
    expect(new Uint16Array(enc.keys.get('c/0/0/0')!)[0]).not.toBe(999);
  });

  it('alignedBlockRuns: blocks on chunk boundaries (or the array edge) are runs of the block; others are left to zarrita', () => {
    // A [5, 4, 3] array in [2, 4, 3] chunks: slabs of 2 planes.
    expect(alignedBlockRuns([5, 4, 3], [2, 4, 3], [2, 0, 0], [2, 4, 3])).toEqual([{ key: 'c/1/0/0', start: 0, length: 24 }]);
    expect(alignedBlockRuns([5, 4, 3], [2, 4, 3], [2, 0, 0], [3, 4, 3])).toEqual([
      { key: 'c/1/0/0', start: 0, length: 24 },
      { key: 'c/2/0/0', start: 24, length: 12 }, // the edge chunk: the rest is fill
    ]);
    expect(alignedBlockRuns([5, 4, 3], [2, 4, 3], [1, 0, 0], [2, 4, 3])).toBeNull(); // starts mid-chunk
    expect(alignedBlockRuns([5, 4, 3], [2, 4, 3], [0, 0, 0], [3, 4, 3])).toBeNull(); // ends mid-chunk, not at the edge
    expect(alignedBlockRuns([5, 4, 3], [2, 4, 3], [0, 1, 0], [2, 3, 3])).toBeNull(); // not whole along a trailing axis
    // Planes of a stack, one chunk each: any run of planes.
    expect(alignedBlockRuns([4, 2, 2], [1, 2, 2], [1, 0, 0], [2, 2, 2])).toEqual([
      { key: 'c/1/0/0', start: 0, length: 4 },
      { key: 'c/2/0/0', start: 4, length: 4 },
    ]);
    expect(alignedBlockRuns([8, 8], [4, 4], [0, 0], [4, 4])).toBeNull(); // tiles
  });

  it('blocks written through alignedBlockRuns give the chunks zarrita writes for the same blocks', async () => {
    const shape = [5, 6, 7];
    const chunkShape = [2, 6, 7];
    const dtype = 'int16';
    const meta = zarrMetadata(dtype, shape, chunkShape);
    const theirs = new Map<string, Uint8Array>();
    const arr = new zarr.Array(theirs, '/', meta);
    const ours = new Map<string, Uint8Array>();
    for (const [from, n] of [
      [0, 2],
      [2, 3],
    ] as const) {
      const block = ndarray(dtype, [n, 6, 7], filled(dtype, [n, 6, 7]) as never);
      await zarr.set(arr, [zarr.slice(from, from + n), null, null], toChunk(block));
      const src = new Uint8Array(block.data.buffer);
      for (const r of alignedBlockRuns(shape, chunkShape, [from, 0, 0], [n, 6, 7])!) {
        const b = new Uint8Array(sizeOf(chunkShape) * 2);
        b.set(src.subarray(r.start * 2, (r.start + r.length) * 2));
        ours.set(`/${r.key}`, b);
      }
    }
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [k, v] of theirs) expect(Buffer.from(ours.get(k)!).equals(Buffer.from(v))).toBe(true);
  });
});
