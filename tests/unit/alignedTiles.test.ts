// Aligned tiles (src/core/alignedTiles.ts): a block written on the chunk grid of a tiled array (a
// plane into 1024² tiles) is encoded chunk by chunk with row copies; the keys and bytes are exactly
// what zarrita's own `set` writes for the same block.
import { describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { alignedBlockTiles, tileBytes } from '../../src/core/alignedTiles';
import { ndarray, sizeOf, typedArrayCtor, type DType, type NDArray } from '../../src/core/ndarray';
import { toChunk, zarrMetadata } from '../../src/store/zarrViews';

function filled(dtype: DType, shape: number[]): NDArray {
  const Ctor = typedArrayCtor(dtype);
  const d = new Ctor(sizeOf(shape)) as unknown as { length: number; [i: number]: number };
  for (let i = 0; i < d.length; i++) d[i] = dtype === 'bool' ? (i % 3 === 0 ? 1 : 0) : ((i * 37) % 251) - (dtype.startsWith('u') ? 0 : 100);
  return ndarray(dtype, shape, d as never);
}

/** The chunks zarrita writes for `block` at `origin` into a fresh array. */
async function zarritaChunks(dtype: DType, shape: number[], chunkShape: number[], origin: number[], block: NDArray) {
  const map = new Map<string, Uint8Array>();
  const arr = new zarr.Array(map, '/', zarrMetadata(dtype, shape, chunkShape));
  await zarr.set(
    arr,
    origin.map((o, i) => zarr.slice(o, o + block.shape[i]!)),
    toChunk(block),
  );
  map.delete('/zarr.json');
  return map;
}

describe('alignedBlockTiles', () => {
  it('lists the chunks of a block on the grid, with edge extents, and refuses blocks off the grid', () => {
    expect(alignedBlockTiles([5, 6], [2, 4], [0, 0], [5, 6])).toEqual([
      { key: 'c/0/0', start: [0, 0], extent: [2, 4] },
      { key: 'c/0/1', start: [0, 4], extent: [2, 2] },
      { key: 'c/1/0', start: [2, 0], extent: [2, 4] },
      { key: 'c/1/1', start: [2, 4], extent: [2, 2] },
      { key: 'c/2/0', start: [4, 0], extent: [1, 4] },
      { key: 'c/2/1', start: [4, 4], extent: [1, 2] },
    ]);
    expect(alignedBlockTiles([3, 8, 8], [1, 4, 4], [2, 4, 0], [1, 4, 8])!.map((t) => t.key)).toEqual(['c/2/1/0', 'c/2/1/1']);
    expect(alignedBlockTiles([8, 8], [4, 4], [1, 0], [4, 8])).toBeNull();
    expect(alignedBlockTiles([8, 8], [4, 4], [0, 0], [3, 8])).toBeNull();
    expect(alignedBlockTiles([8, 8], [4, 4], [0, 0], [0, 8])).toBeNull();
  });

  const cases: [DType, number[], number[], number[], number[]][] = [
    ['uint16', [2, 3, 10, 9], [1, 1, 4, 4], [1, 2, 0, 0], [1, 1, 10, 9]],
    ['float32', [7, 5], [3, 2], [0, 0], [7, 5]],
    ['uint8', [4, 9, 9], [2, 4, 4], [2, 4, 0], [2, 5, 9]],
    ['int16', [6, 6], [3, 3], [3, 3], [3, 3]],
    ['float64', [2, 5, 6], [1, 5, 6], [1, 0, 0], [1, 5, 6]],
    ['bool', [5, 5], [2, 2], [0, 0], [5, 5]],
  ];
  it.each(cases)('%s %j in chunks %j, block at %j of %j: the bytes zarrita writes', async (dtype, shape, chunkShape, origin, blockShape) => {
    const block = filled(dtype, blockShape);
    const want = await zarritaChunks(dtype, shape, chunkShape, origin, block);
    const tiles = alignedBlockTiles(shape, chunkShape, origin, blockShape)!;
    expect(tiles.map((t) => `/${t.key}`).sort()).toEqual([...want.keys()].sort());
    for (const t of tiles) expect(Buffer.from(tileBytes(block, t, chunkShape)).equals(Buffer.from(want.get(`/${t.key}`)!))).toBe(true);
  });
});
