import { describe as suite, expect, it } from 'vitest';
import { cropBox } from '../../src/core/lazyArrays';
import { ndarray, sizeOf, stridesOf, type DType, type NDArray } from '../../src/core/ndarray';
import { mulberry32 } from '../../src/core/sampleData';
import { label, regionpropsTable } from '../../src/sdk/image/measure';
import { labelBlocks, regionpropsOfBlocks, type BlockSource } from '../../src/sdk/image/measureBlocks';
import { REGIONPROPS } from '../../src/sdk/image/regionprops';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { SharedAssets, constructRunner } from '../../src/sdk/runnerState';
import { fakeHost, putArrays } from './helpers/fakeHost';

/** An in-memory array read by regions, counting the reads (what a LazyArray does through the host). */
function source(a: NDArray, chunks?: number[]): BlockSource & { reads: number } {
  return {
    shape: a.shape,
    dtype: a.dtype,
    chunks,
    reads: 0,
    read(region) {
      this.reads++;
      return Promise.resolve(
        cropBox(
          a,
          region.map((r) => r[0]),
          region.map((r) => r[1] - r[0]),
        ),
      );
    },
  };
}

/** An int32 output array written block by block. */
function sink(shape: number[]) {
  const out = ndarray('int32', shape);
  const strides = stridesOf(shape);
  return {
    out,
    writes: 0,
    write(origin: readonly number[], block: NDArray<'int32'>) {
      this.writes++;
      const bs = stridesOf(block.shape);
      for (let k = 0; k < sizeOf(block.shape); k++) {
        let g = 0;
        for (let a = 0; a < shape.length; a++) g += (origin[a]! + (Math.floor(k / bs[a]!) % block.shape[a]!)) * strides[a]!;
        out.data[g] = block.data[k]!;
      }
      return Promise.resolve();
    },
  };
}

function randomImage(dtype: DType, shape: number[], seed: number, values: number, density: number): NDArray {
  const r = mulberry32(seed);
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = r() < density ? 1 + Math.floor(r() * values) : 0;
  return a;
}

async function expectSameLabels(img: NDArray, blockShape: number[], opts: { connectivity?: number; background?: number } = {}): Promise<number> {
  const want = label(img, opts);
  const s = sink(img.shape);
  const got = await labelBlocks(source(img), s, { ...opts, blockShape });
  expect(got.count).toBe(want.count);
  let mismatches = 0;
  for (let i = 0; i < want.labels.data.length; i++) if (s.out.data[i] !== want.labels.data[i]) mismatches++;
  expect(mismatches, `block ${blockShape.join('×')} connectivity ${opts.connectivity}`).toBe(0);
  return want.count;
}

/** Every property (current names and aliases): all are computed in 2-D. */
const PROPS_2D = [...REGIONPROPS];
const PROPS_3D = PROPS_2D.filter((p) => !['orientation', 'eccentricity', 'perimeter'].includes(p));

async function expectSameTable(labels: NDArray, intensity: NDArray | null, blockShape: number[], properties: string[]): Promise<void> {
  const want = regionpropsTable(labels, { intensity, properties });
  const got = await regionpropsOfBlocks(source(labels), { intensity: intensity ? source(intensity) : null, properties, blockShape });
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, w] of Object.entries(want)) {
    expect(got[k]!.constructor, k).toBe(w.constructor);
    expect(Array.from(got[k]!), `${k}, blocks ${blockShape.join('×')}`).toEqual(Array.from(w));
  }
}

suite('measure.labelBlocks: measure.label of the whole array, block by block', () => {
  it('random 2-D masks and value images, many block shapes, both connectivities, a background value', async () => {
    for (const [seed, values] of [
      [1, 1],
      [2, 3],
      [3, 1],
    ] as const) {
      const img = randomImage('uint8', [37, 41], seed, values, 0.55);
      for (const bs of [
        [5, 7],
        [1, 41],
        [37, 1],
        [8, 8],
        [3, 13],
      ]) {
        for (const connectivity of [1, 2]) expect(await expectSameLabels(img, bs, { connectivity })).toBeGreaterThan(5);
      }
      await expectSameLabels(img, [6, 9], { background: 1 });
    }
  });

  it('a U that joins only in a later block, and a spiral across 3+ blocks in each direction', async () => {
    const u = ndarray('uint8', [20, 20]);
    for (let y = 0; y < 18; y++) u.data[y * 20 + 2] = u.data[y * 20 + 15] = 1;
    for (let x = 2; x <= 15; x++) u.data[18 * 20 + x] = 1;
    u.data[9] = 1; // a second object, first pixel after the U's first pixel
    expect(await expectSameLabels(u, [4, 4])).toBe(2);
    const s = ndarray('uint8', [24, 24]);
    let [y0, x0, y1, x1] = [1, 1, 22, 22];
    while (y0 <= y1 && x0 <= x1) {
      for (let x = x0; x <= x1; x++) s.data[y0 * 24 + x] = 1;
      for (let y = y0; y <= y1; y++) s.data[y * 24 + x1] = 1;
      for (let x = x0; x <= x1; x++) s.data[y1 * 24 + x] = 1;
      for (let y = y0 + 2; y <= y1; y++) s.data[y * 24 + x0] = 1;
      [y0, x0, y1, x1] = [y0 + 2, x0 + 2, y1 - 2, x1 - 2];
      if (y0 <= y1) s.data[y0 * 24 + x0 - 1] = 1;
    }
    for (const bs of [
      [5, 5],
      [3, 7],
      [24, 2],
    ])
      await expectSameLabels(s, bs);
  });

  it('3-D volumes (connectivity 1, 2, 3) and a 1-D array', async () => {
    const v = randomImage('uint16', [9, 11, 13], 7, 2, 0.45);
    for (const connectivity of [1, 2, 3])
      for (const bs of [
        [3, 4, 5],
        [9, 1, 13],
        [2, 11, 3],
      ])
        await expectSameLabels(v, bs, { connectivity });
    await expectSameLabels(randomImage('int32', [50], 9, 2, 0.6), [7]);
  });

  it('reads every block twice (pass 1 with a 1-pixel halo) and writes each once', async () => {
    const img = randomImage('uint8', [20, 30], 4, 1, 0.5);
    const src = source(img);
    const s = sink(img.shape);
    await labelBlocks(src, s, { blockShape: [10, 10] });
    expect(src.reads).toBe(12);
    expect(s.writes).toBe(6);
  });

  it('takes the chunk shape as the default grid, and says what is wrong', async () => {
    const img = randomImage('uint8', [10, 10], 5, 1, 0.5);
    const s = sink(img.shape);
    await labelBlocks(source(img, [4, 4]), s);
    expect(Array.from(s.out.data)).toEqual(Array.from(label(img).labels.data));
    await expect(labelBlocks(source(img), s)).rejects.toThrow(/blockShape must be 2 integers ≥ 1/);
    await expect(labelBlocks(source(ndarray('float32', [3, 3])), s, { blockShape: [2, 2] })).rejects.toThrow(/source must have an integer or bool dtype/);
  });
});

suite('measure.regionpropsOfBlocks: regionpropsTable of the whole label array, from its blocks', () => {
  it('2-D: every property, identical for small blocks (objects across 3+ blocks, touching labels)', async () => {
    const img = randomImage('uint8', [40, 44], 11, 1, 0.6);
    const labels = label(img).labels;
    const inten = randomImage('uint16', [40, 44], 12, 4000, 1);
    for (const bs of [
      [40, 44],
      [6, 7],
      [1, 44],
      [40, 3],
      [11, 13],
    ])
      await expectSameTable(labels, inten, bs, PROPS_2D);
    // Touching labels (a value image's labelling): perimeters and Euler windows between different labels.
    const values = randomImage('uint8', [30, 33], 13, 3, 0.8);
    await expectSameTable(
      label(values, { connectivity: 1 }).labels,
      null,
      [7, 5],
      PROPS_2D.filter((p) => !p.includes('intensity') && !p.includes('weighted')),
    );
  });

  it('3-D: every property skimage computes in 3-D, identical', async () => {
    const v = randomImage('uint8', [10, 12, 14], 21, 1, 0.5);
    const inten = randomImage('uint8', [10, 12, 14], 22, 250, 1);
    for (const bs of [
      [3, 4, 5],
      [10, 12, 1],
      [1, 12, 14],
    ])
      await expectSameTable(label(v).labels, inten, bs, PROPS_3D);
  });

  it('float intensities: the same within rounding of the sums (their order differs)', async () => {
    const img = randomImage('uint8', [30, 30], 31, 1, 0.6);
    const labels = label(img).labels;
    const r = mulberry32(5);
    const inten = ndarray(
      'float64',
      [30, 30],
      Float64Array.from({ length: 900 }, () => r() * 10),
    );
    const want = regionpropsTable(labels, { intensity: inten, properties: ['weighted_centroid', 'intensity_mean', 'intensity_min', 'intensity_max'] });
    const got = await regionpropsOfBlocks(source(labels), {
      intensity: source(inten),
      properties: ['weighted_centroid', 'intensity_mean', 'intensity_min', 'intensity_max'],
      blockShape: [4, 6],
    });
    for (const [k, w] of Object.entries(want))
      for (let i = 0; i < w.length; i++) expect(Math.abs(got[k]![i]! - w[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(w[i]!));
  });

  it('refuses what the in-memory version refuses, naming the property', async () => {
    const v = source(ndarray('int32', [4, 4, 4]));
    await expect(regionpropsOfBlocks(v, { properties: ['perimeter'], blockShape: [2, 2, 2] })).rejects.toThrow(/'perimeter' is not implemented for 3-D images/);
    await expect(regionpropsOfBlocks(source(ndarray('int32', [2, 2, 2, 2])), { properties: ['solidity'], blockShape: [1, 1, 1, 1] })).rejects.toThrow(
      /'solidity' is not supported in 4-D/,
    );
    await expect(regionpropsOfBlocks(v, { properties: ['nope'], blockShape: [2, 2, 2] })).rejects.toThrow(/unknown property "nope"/);
    const f32 = source(ndarray('float32', [4, 4, 4]));
    await expect(regionpropsOfBlocks(v, { intensity: f32, properties: ['intensity_mean'], blockShape: [2, 2, 2] })).rejects.toThrow(
      /intensity_mean of a float32 intensity image is not computed block by block/,
    );
    expect(Object.keys(await regionpropsOfBlocks(v, { intensity: f32, properties: ['intensity_max'], blockShape: [2, 2, 2] }))).toEqual(['intensity_max']);
  });
});

class Plain extends BaseRunner {}

suite('measure over the SDK lazy arrays (openArray → labelBlocks → createArray → regionpropsOfBlocks)', () => {
  it('a LazyArray is a BlockSource and an OutputArray a BlockSink: labels and table equal the in-memory ones', async () => {
    const host = fakeHost();
    const mask = randomImage('uint8', [23, 31], 41, 1, 0.55);
    putArrays(host, 'mask', { m: mask });
    host.chunkShapes.set('mask', [8, 8]);
    const r = constructRunner(Plain, { shared: new SharedAssets(), device: 'cpu', host, executionId: 'e1' });
    const src = await r.openArray('m', 'mask');
    const out = await r.createArray({ dtype: 'int32', shape: [23, 31], chunks: [8, 8] });
    const { count } = await labelBlocks(src, out);
    const want = label(mask);
    expect(count).toBe(want.count);
    const written = await out.read();
    expect(Array.from(written.data)).toEqual(Array.from(want.labels.data));
    const lazyLabels = { shape: out.shape, dtype: out.dtype, chunks: out.chunks, read: (region: readonly (readonly [number, number])[]) => out.read(region) };
    const table = await regionpropsOfBlocks(lazyLabels, { properties: ['label', 'area', 'perimeter', 'euler_number', 'solidity'] });
    const mem = regionpropsTable(want.labels, { properties: ['label', 'area', 'perimeter', 'euler_number', 'solidity'] });
    for (const k of Object.keys(mem)) expect(Array.from(table[k]!)).toEqual(Array.from(mem[k]!));
  });
});
