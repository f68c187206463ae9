// Lazy arrays without an engine (issue 13): the block grid (cores cover the array once, halos clipped
// at the edges), cropping, the region/origin checks, and the SDK's handles over a fake HostApi (region
// reads, blocks with a bounded read-ahead, outputs written block by block and posted as fields checked
// by their schema).
import { describe, expect, it } from 'vitest';
import { blockCount, blockGrid, cropBox, originProblem, regionProblem, shapeStandIn } from '../../src/core/lazyArrays';
import { ndarray, sizeOf, type DType, type NDArray } from '../../src/core/ndarray';
import { validateItem } from '../../src/core/dataSchemas';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { SharedAssets, constructRunner } from '../../src/sdk/runnerState';
import { fakeHost, putArrays, type FakeHost } from './helpers/fakeHost';

function ramp(dtype: DType, shape: number[], f: (i: number) => number): NDArray {
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) (a.data as Float64Array)[i] = f(i);
  return a;
}

const values = (a: NDArray) => Array.from(a.data as ArrayLike<number>);

/** Element (z, y, x…) of `a` by row-major index arithmetic. */
function at(a: NDArray, idx: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < idx.length; i++) k = k * a.shape[i]! + idx[i]!;
  return (a.data as ArrayLike<number>)[k]!;
}

describe('blockGrid', () => {
  it.each([
    [
      [7, 10],
      [3, 4],
      [1, 2],
    ],
    [
      [5, 9, 11],
      [2, 4, 5],
      [0, 1, 3],
    ],
    [
      [1, 1],
      [4, 4],
      [2, 2],
    ],
    [[6], [6], [0]],
  ])('shape %j, blocks %j, halo %j: cores cover every element once, halos clipped at the edges', (shape, bs, halo) => {
    const covered = new Uint8Array(sizeOf(shape));
    const grid = [...blockGrid(shape, bs, halo)];
    expect(grid).toHaveLength(blockCount(shape, bs));
    for (const g of grid) {
      for (let i = 0; i < shape.length; i++) {
        expect(g.origin[i]).toBe(g.index[i]! * bs[i]!);
        expect(g.shape[i]).toBe(Math.min(bs[i]!, shape[i]! - g.origin[i]!));
        expect(g.readOrigin[i]).toBe(Math.max(0, g.origin[i]! - halo[i]!));
        expect(g.readOrigin[i]! + g.readShape[i]!).toBe(Math.min(shape[i]!, g.origin[i]! + g.shape[i]! + halo[i]!));
      }
      const idx = g.shape.map(() => 0);
      for (let n = 0; n < sizeOf(g.shape); n++) {
        let k = 0;
        for (let i = 0; i < shape.length; i++) k = k * shape[i]! + g.origin[i]! + idx[i]!;
        covered[k]!++;
        for (let i = shape.length - 1; i >= 0 && ++idx[i]! === g.shape[i]!; i--) idx[i] = 0;
      }
    }
    expect([...covered].every((c) => c === 1)).toBe(true);
  });

  it('an empty array has no blocks; a 0-D array has one', () => {
    expect([...blockGrid([0, 5], [2, 2], [1, 1])]).toEqual([]);
    expect([...blockGrid([], [], [])]).toEqual([{ index: [], origin: [], shape: [], readOrigin: [], readShape: [] }]);
  });

  it('cropBox copies a box out of an N-D array', () => {
    const a = ramp('int16', [3, 4, 5], (i) => i);
    const c = cropBox(a, [1, 1, 2], [2, 2, 3]);
    expect(c.shape).toEqual([2, 2, 3]);
    expect(values(c)).toEqual([27, 28, 29, 32, 33, 34, 47, 48, 49, 52, 53, 54]);
    expect(() => cropBox(a, [2, 0, 0], [2, 1, 1])).toThrow('cropBox: a box [2, 1, 1] at [2, 0, 0] does not fit in [3, 4, 5].');
  });

  it('regions and origins are checked with messages naming the field and the value', () => {
    expect(regionProblem([[0, 3], null], [3, 4], 'region')).toBeNull();
    expect(regionProblem([[0, 4], null], [3, 4], 'region')).toBe(
      'region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 3 (axis 0 of [3, 4]), got [0, 4].',
    );
    expect(regionProblem([[1.5, 2], null], [3, 4], 'region')).toBe(
      'region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 3 (axis 0 of [3, 4]), got [1.5, 2].',
    );
    expect(regionProblem('all', [3, 4], 'region')).toBe('region must be a list of one [start, stop] (or null) per axis, got string "all".');
    expect(originProblem([1, 2], [2, 2], [3, 4], 'origin')).toBeNull();
    expect(originProblem([2, 2], [2, 2], [3, 4], 'origin')).toBe('a block [2, 2] at origin [2, 2] does not fit in the array [3, 4] (axis 0: 2 + 2 > 3).');
    expect(originProblem([0], [2, 2], [3, 4], 'origin')).toBe('origin must be 2 non-negative integers (one per axis of [3, 4]), got [0].');
  });

  it('a shape-only stand-in passes a schema by its dtype and shape, holding no data', () => {
    const big = shapeStandIn('uint8', [40000, 40000]);
    expect(big.data.length).toBe(1.6e9);
    expect(big.data.buffer.byteLength).toBe(0);
    expect(validateItem('Segmentation', { mask: big }).mask).toBe(big);
    expect(() => validateItem('Image', { image: shapeStandIn('uint8', [5, 40, 40]) })).toThrow(
      'Image must be 2D (got 3 dimensions), grayscale or RGB (got 5 channels).',
    );
  });
});

// ── the SDK's handles over a fake HostApi ──

class Plain extends BaseRunner {}

function runnerOn(host: FakeHost): BaseRunner {
  return constructRunner(Plain, { shared: new SharedAssets(), device: 'cpu', host, executionId: 'e1' });
}

describe('LazyArray and OutputArray (SDK)', () => {
  it('openArray gives shape, dtype and chunks; read(region) reads that region only', async () => {
    const host = fakeHost();
    const vol = ramp('float32', [4, 6, 5], (i) => i * 0.5);
    putArrays(host, 'volume', { v: vol });
    host.chunkShapes.set('volume', [1, 6, 5]);
    const r = runnerOn(host);
    const a = await r.openArray('v', 'volume');
    expect([a.shape, a.dtype, a.chunks, a.size, a.ndim]).toEqual([[4, 6, 5], 'float32', [1, 6, 5], 120, 3]);
    const got = await a.read([[2, 3], [1, 3], null]);
    expect(got.shape).toEqual([1, 2, 5]);
    expect(values(got)).toEqual([65, 66, 67, 68, 69, 70, 71, 72, 73, 74].map((i) => i * 0.5));
    expect(host.readRegions).toEqual([
      [
        [2, 3],
        [1, 3],
        [0, 5],
      ],
    ]);
    await expect(a.read([[0, 5], null, null])).rejects.toThrow(
      'read: region[0] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ 4 (axis 0 of [4, 6, 5]), got [0, 5].',
    );
    await expect(r.openArray('v', 'image')).rejects.toThrow("openArray: dataset v has no field 'image' (it has 'volume').");
  });

  it('blocks({ halo }) yields chunk-aligned blocks with their halo and core; at most prefetch + 1 reads are held', async () => {
    const host = fakeHost({ readDelayMs: 3 });
    const img = ramp('uint16', [9, 10], (i) => i);
    putArrays(host, 'image', { i: img });
    host.chunkShapes.set('image', [4, 4]);
    const a = await runnerOn(host).openArray('i', 'image');
    const seen: number[][] = [];
    for await (const b of a.blocks({ halo: 1 })) {
      seen.push(b.origin);
      expect(b.data.shape).toEqual(b.dataOrigin.map((o, i) => Math.min(a.shape[i]!, b.origin[i]! + b.shape[i]! + 1) - o));
      const core = b.crop();
      expect(core.shape).toEqual(b.shape);
      expect(values(core)[0]).toBe(at(img, b.origin));
      expect(at(b.data, [0, 0])).toBe(at(img, b.dataOrigin));
      // The caller is slow: reads ahead must still stop at one.
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen).toEqual([
      [0, 0],
      [0, 4],
      [0, 8],
      [4, 0],
      [4, 4],
      [4, 8],
      [8, 0],
      [8, 4],
      [8, 8],
    ]);
    // The block being processed and one read ahead, never more, however slow the caller is.
    expect(host.peakReads).toBe(2);
    expect(a.blockCount()).toBe(9);
    host.peakReads = 0;
    for await (const b of a.blocks({ prefetch: 0 })) expect(b.data.shape.length).toBe(2);
    expect(host.peakReads).toBe(1);
    host.readRegions.length = 0;
    for await (const b of a.blocks({ prefetch: 3, blockShape: [9, 5] })) expect(b.crop()).toBe(b.data);
    expect(host.readRegions).toHaveLength(2);
    await expect(a.blocks({ halo: -1 }).next()).rejects.toThrow('blocks: halo must be an integer ≥ 0 or 2 of them (one per axis), got -1.');
  });

  it('createArray → write block by block → postData([{ mask: out }]) sends the array as a staged field, checked by its schema', async () => {
    const host = fakeHost();
    const r = runnerOn(host);
    const out = await r.createArray({ dtype: 'uint8', shape: [2, 3, 4] });
    await out.write([0, 0, 0], ndarray('uint8', [1, 3, 4], new Uint8Array(12).fill(1)));
    await out.write([1, 1, 0], ndarray('uint8', [1, 2, 4], new Uint8Array(8).fill(7)));
    await expect(out.write([1, 2, 0], ndarray('uint8', [1, 2, 4]))).rejects.toThrow(
      'write: a block [1, 2, 4] at origin [1, 2, 0] does not fit in the array [2, 3, 4] (axis 1: 2 + 2 > 3).',
    );
    await expect(out.write([0, 0, 0], ndarray('float32', [1, 1, 1]))).rejects.toThrow(
      "write: block dtype float32 does not match the output array's dtype uint8.",
    );
    expect(
      values(
        await out.read([
          [1, 2],
          [0, 2],
          [0, 2],
        ]),
      ),
    ).toEqual([0, 0, 7, 7]);
    const bad = await r.createArray({ dtype: 'uint8', shape: [5, 4, 4] });
    await expect(r.postDataAs([{ image: bad }], 'Image')).rejects.toThrow('Image must be 2D (got 3 dimensions), grayscale or RGB (got 5 channels).');
    const [id] = await r.postDataAs([{ mask: out }], 'Segmentation');
    expect(host.postCalls.at(-1)!.schemaName).toBe('Segmentation');
    const stored = host.datasets.get(id!)!.mask!.array;
    expect(values(stored)).toEqual([...Array.from({ length: 12 }, () => 1), 0, 0, 0, 0, ...Array.from({ length: 8 }, () => 7)]);
    await expect(out.write([0, 0, 0], ndarray('uint8', [1, 1, 1]))).rejects.toThrow('write: this output array was already posted.');
    await expect(r.postDataAs([{ mask: out }], 'Segmentation')).rejects.toThrow('postData: this output array was already posted.');
  });

  it('a block whose buffer an earlier write transferred is refused with the reason', async () => {
    const r = runnerOn(fakeHost());
    const out = await r.createArray({ dtype: 'uint8', shape: [4] });
    const block = ndarray('uint8', [2], [1, 2]);
    structuredClone(block.data.buffer, { transfer: [block.data.buffer] });
    await expect(out.write([0], block)).rejects.toThrow(
      'write: the block’s buffer was detached (an earlier write transferred it); write a copy of it instead.',
    );
  });
});
