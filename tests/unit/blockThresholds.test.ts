// Block-wise (out-of-core) thresholds (issue 13): thresholdOfBlocks over any split of an array into
// blocks equals the in-memory kernel (thresholdValue) for every method and dtype it covers, errors
// included (li and float mean bit for bit, over C-ordered pieces); localMasksOfBlocks gives the masks of
// threshold(stack(inputs), 'local'); the histogram builder equals histogram() of the whole array.
import { describe, expect, it } from 'vitest';
import { blockGrid, cropBox } from '../../src/core/lazyArrays';
import { ndarray, sizeOf, stack, type DType, type NDArray } from '../../src/core/ndarray';
import { isBlockwiseThreshold, thresholdOfBlocks } from '../../src/sdk/image/blockThresholds';
import { minPositiveGapOfBlocks } from '../../src/sdk/image/distinctGap';
import { histogram, histogramBuilder } from '../../src/sdk/image/histogram';
import { minPositiveGap, sortNonNegative, threshold, thresholdLi, thresholdValue } from '../../src/sdk/image/filters';
import { localMasksOfBlocks, type LocalBlockOptions, type LocalInput } from '../../src/sdk/image/localBlocks';
import { npSum } from '../../src/sdk/image/numpySum';
import { NpSumStream } from '../../src/sdk/image/npSumStream';

function ramp(dtype: DType, shape: number[], f: (i: number) => number): NDArray {
  const a = ndarray(dtype, shape);
  for (let i = 0; i < a.data.length; i++) (a.data as Float64Array)[i] = f(i);
  return a;
}

// ── block-wise thresholds ──

/** `a` cut into blocks along axis 0 of `rows` rows (the last block shorter). */
function rowsOf(a: NDArray, rows: number): NDArray[] {
  const n = a.shape[0]!;
  const m = sizeOf(a.shape.slice(1));
  const out: NDArray[] = [];
  for (let s = 0; s < n; s += rows) {
    const e = Math.min(n, s + rows);
    out.push({ dtype: a.dtype, shape: [e - s, ...a.shape.slice(1)], data: a.data.slice(s * m, e * m) as NDArray['data'] });
  }
  return out;
}

function bimodal(dtype: DType, shape: number[], seed: number, lo: number, hi: number, spread: number): NDArray {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return ramp(dtype, shape, () => (rnd() < 0.35 ? hi : lo) + (rnd() - 0.5) * spread);
}

describe('block-wise thresholds equal the in-memory kernels', () => {
  const cases: [DType, NDArray][] = [
    ['uint8', bimodal('uint8', [6, 40, 30], 1, 60, 180, 80)],
    ['uint16', bimodal('uint16', [5, 50, 40], 2, 1000, 1800, 500)],
    ['int16', bimodal('int16', [4, 30, 30], 3, -500, 700, 600)],
    ['int32', bimodal('int32', [4, 30, 30], 4, -300, 500, 200)],
    ['float32', bimodal('float32', [5, 40, 40], 5, 0.2, 0.7, 0.3)],
    ['float64', bimodal('float64', [5, 40, 40], 6, -3, 4, 2.5)],
  ];
  for (const [dtype, a] of cases) {
    for (const method of ['otsu', 'yen', 'minimum', 'triangle', 'isodata', 'mean'] as const) {
      if (!isBlockwiseThreshold(method, dtype, a.data.length)) continue;
      it(`${method} of ${dtype} [${a.shape.join(', ')}] in blocks of 1 and 3 rows`, async () => {
        let whole: number | Error;
        try {
          whole = thresholdValue(a, method);
        } catch (e) {
          whole = e as Error; // e.g. minimum without two maxima: the same error block by block
        }
        for (const rows of [1, 3]) {
          let passes = 0;
          const t = thresholdOfBlocks(
            dtype,
            () => {
              passes++;
              return rowsOf(a, rows);
            },
            method,
          );
          if (whole instanceof Error) await expect(t).rejects.toThrow(whole.message);
          else expect(await t).toBe(whole);
          expect(passes).toBe(method === 'mean' || dtype === 'uint8' || dtype === 'uint16' || dtype === 'int16' ? 1 : 2);
        }
      });
    }
  }

  it('every method is block-wise except local mean / wrap and inexact integer sums; the histogram builder equals histogram()', async () => {
    expect(isBlockwiseThreshold('li', 'uint8', 10)).toBe(true);
    expect(isBlockwiseThreshold('li', 'float32', 10)).toBe(true);
    expect(isBlockwiseThreshold('li', 'uint16', 2 ** 40)).toBe(false);
    expect(isBlockwiseThreshold('local', 'uint8', 10)).toBe(true);
    expect(isBlockwiseThreshold('local', 'float32', 10, { method: 'median' })).toBe(true);
    expect(isBlockwiseThreshold('local', 'float32', 10, { method: 'mean' })).toBe(false);
    expect(isBlockwiseThreshold('local', 'float32', 10, { mode: 'wrap' })).toBe(false);
    expect(isBlockwiseThreshold('mean', 'float32', 10)).toBe(true);
    expect(isBlockwiseThreshold('mean', 'uint16', 2 ** 40)).toBe(false);
    await expect(thresholdOfBlocks('uint8', () => [], 'local')).rejects.toThrow('threshold_local cannot be computed by thresholdOfBlocks');
    await expect(thresholdOfBlocks('uint8', () => [], 'li')).rejects.toThrow('threshold_li: the image is empty.');
    for (const [dtype, a] of cases) {
      const h = histogramBuilder(dtype);
      const blocks = rowsOf(a, 2);
      if (h.needsRange) for (const b of blocks) h.addRange(b);
      for (const b of blocks) h.add(b);
      const want = histogram(a);
      const got = h.result();
      expect([got.kind, got.min, got.max, Array.from(got.counts), Array.from(got.binCenters)]).toEqual([
        want.kind,
        want.min,
        want.max,
        Array.from(want.counts),
        Array.from(want.binCenters),
      ]);
    }
  });

  it('constant, empty and NaN images behave as in memory', async () => {
    const c = ndarray('float32', [4, 5], new Float32Array(20).fill(2.5));
    expect(await thresholdOfBlocks('float32', () => rowsOf(c, 1), 'otsu')).toBe(thresholdValue(c, 'otsu'));
    expect(await thresholdOfBlocks('float32', () => rowsOf(c, 1), 'yen')).toBe(thresholdValue(c, 'yen'));
    const ci = ndarray('uint16', [4, 5], new Uint16Array(20).fill(9));
    expect(await thresholdOfBlocks('uint16', () => rowsOf(ci, 2), 'otsu')).toBe(9);
    await expect(thresholdOfBlocks('uint8', () => [], 'otsu')).rejects.toThrow('threshold_otsu: the image is empty.');
    const nan = ramp('float64', [3, 3], (i) => (i === 4 ? NaN : i));
    await expect(thresholdOfBlocks('float64', () => rowsOf(nan, 1), 'otsu')).rejects.toThrow(
      'histogram: autodetected range of [NaN, NaN] is not finite (the image has NaN or infinite values).',
    );
    expect(() => thresholdValue(nan, 'otsu')).toThrow('histogram: autodetected range of [NaN, NaN] is not finite');
  });
});

// ── li, float mean and local out of core (bit-identical to the in-memory kernels) ──

/** `a`'s data cut into flat C-order pieces of `size` elements (1-D blocks: C-contiguous, in order). */
function flatPieces(a: NDArray, size: number): NDArray[] {
  const out: NDArray[] = [];
  for (let s = 0; s < a.data.length; s += size) {
    const d = a.data.slice(s, Math.min(a.data.length, s + size)) as NDArray['data'];
    out.push({ dtype: a.dtype, shape: [d.length], data: d });
  }
  return out;
}

describe('li out of core equals thresholdLi', () => {
  const cases: NDArray[] = [
    bimodal('uint8', [7, 33, 29], 11, 60, 180, 80),
    bimodal('uint16', [5, 41, 37], 12, 1000, 1800, 500),
    bimodal('int16', [3, 31, 17], 13, -500, 700, 600),
    bimodal('float32', [5, 39, 43], 14, 0.2, 0.7, 0.3),
    bimodal('float64', [4, 37, 41], 15, -3, 4, 2.5),
    // Few distinct values (coarse float steps) and NaN / ±Infinity, which li drops.
    ramp('float32', [3, 19, 23], (i) => (i % 97 === 5 ? NaN : i % 211 === 7 ? Infinity : i % 401 === 3 ? -Infinity : Math.round(Math.sin(i) * 8) / 4 + 2)),
    ramp('float64', [2, 27, 31], (i) => ((i * 7919) % 1013) / 1013 + (i % 3 === 0 ? 5 : 0)),
  ];
  for (const a of cases) {
    it(`li of ${a.dtype} [${a.shape.join(', ')}]: rows, flat pieces, small distinct windows`, async () => {
      const want = thresholdValue(a, 'li');
      expect(Number.isFinite(want)).toBe(true);
      for (const blocks of [rowsOf(a, 1), rowsOf(a, 3), flatPieces(a, 1000), flatPieces(a, 8193)]) {
        expect(await thresholdOfBlocks(a.dtype, () => blocks, 'li')).toBe(want);
      }
      if (a.dtype.startsWith('float')) {
        // Windows of 2, 7 and 500 distinct values: several tolerance passes, gaps across windows.
        for (const distinctBudget of [2, 7, 500]) {
          expect(await thresholdOfBlocks(a.dtype, () => rowsOf(a, 2), 'li', { distinctBudget })).toBe(want);
        }
        expect(await thresholdOfBlocks(a.dtype, () => rowsOf(a, 2), 'li', { tolerance: 0.01 })).toBe(thresholdLi(a, { tolerance: 0.01 }));
      }
      // A number initial guess (inside the range): the same iterations from there.
      const guess = want + 0.125;
      expect(await thresholdOfBlocks(a.dtype, () => rowsOf(a, 2), 'li', { initialGuess: guess })).toBe(thresholdLi(a, { initialGuess: guess }));
    });
  }

  it('counts passes; refuses a function guess; constant, NaN-only and guess errors as in memory', async () => {
    const a = cases[3]!;
    let passes = 0;
    await thresholdOfBlocks('float32', () => (passes++, rowsOf(a, 5)), 'li');
    expect(passes).toBeGreaterThan(3); // scan, tolerance (+ mean), then one per iteration
    passes = 0;
    await thresholdOfBlocks('uint16', () => (passes++, rowsOf(cases[1]!, 5)), 'li');
    expect(passes).toBe(1);
    await expect(thresholdOfBlocks('float32', () => rowsOf(a, 5), 'li', { initialGuess: () => 0.5 })).rejects.toThrow(
      'threshold_li: a function initial guess needs the whole float32 image at once',
    );
    const c = ndarray('float64', [3, 4], new Float64Array(12).fill(-2.5));
    expect(await thresholdOfBlocks('float64', () => rowsOf(c, 1), 'li')).toBe(-2.5);
    const nan = ndarray('float32', [2, 2], new Float32Array(4).fill(NaN));
    expect(await thresholdOfBlocks('float32', () => rowsOf(nan, 1), 'li')).toBeNaN();
    const infs = ramp('float64', [2, 3], (i) => (i % 2 ? Infinity : -Infinity));
    expect(await thresholdOfBlocks('float64', () => rowsOf(infs, 1), 'li')).toBe(thresholdLi(infs));
    expect(() => thresholdLi(a, { initialGuess: 99 })).toThrow('threshold_li: the initial guess must be within the range');
    await expect(thresholdOfBlocks('float32', () => rowsOf(a, 5), 'li', { initialGuess: 99 })).rejects.toThrow(
      'threshold_li: the initial guess must be within the range',
    );
  });
});

describe('mean of float images out of core is bit-identical to np.mean', () => {
  it('NpSumStream equals npSum over any cut of the data (sizes off multiples of 8, 128 and 8192)', () => {
    let s = 3;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const n of [0, 7, 127, 129, 8191, 8193, 3 * 8192 + 131, 70001]) {
      const d = Float64Array.from({ length: n }, () => (rnd() - 0.3) * 10 ** (rnd() * 6));
      const f = Float32Array.from(d);
      for (const cut of [1, 7, 129, 8191, 8193, 20000]) {
        for (const [data, f32] of [
          [d, false],
          [f, true],
        ] as const) {
          const st = new NpSumStream(f32);
          for (let o = 0; o < n; o += cut) st.pushAll(data, o, Math.min(cut, n - o));
          expect(Object.is(st.sum(), npSum(data, 0, n, f32))).toBe(true);
          expect(st.count).toBe(n);
        }
      }
    }
  });

  for (const [dtype, shape] of [
    ['float32', [3, 101, 97]],
    ['float64', [2, 129, 67]],
    ['float32', [1, 1, 8193]],
  ] as [DType, number[]][]) {
    it(`mean of ${dtype} [${shape.join(', ')}] in rows and flat pieces`, async () => {
      const a = ramp(dtype, shape, (i) => Math.sin(i * 0.37) * 1e3 + ((i * 7919) % 104729) / 7);
      const want = thresholdValue(a, 'mean');
      for (const blocks of [rowsOf(a, 1), flatPieces(a, 129), flatPieces(a, 8191), flatPieces(a, 50000)]) {
        expect(Object.is(await thresholdOfBlocks(dtype, () => blocks, 'mean'), want)).toBe(true);
      }
    });
  }
});

describe('the smallest gap between distinct values, window by window', () => {
  it('equals the in-memory np.diff(np.unique(x)) minimum for any window size', async () => {
    let s = 9;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const d = Float64Array.from({ length: 5000 }, () => Math.floor(rnd() * 3000) * 0.37 + (rnd() < 0.01 ? rnd() * 1e-3 : 0));
    for (const f32 of [false, true]) {
      const x = f32 ? Float32Array.from(d) : d;
      const want = minPositiveGap(sortNonNegative(x.slice()));
      const blocks = flatPieces({ dtype: f32 ? 'float32' : 'float64', shape: [x.length], data: x }, 333).map((b) => b.data as Float64Array);
      for (const budget of [2, 3, 64, 2999, 1 << 20]) expect(await minPositiveGapOfBlocks(() => blocks, f32, budget)).toBe(want);
    }
    expect(await minPositiveGapOfBlocks(() => [Float64Array.of(2, 2, 2)], false, 4)).toBe(Infinity);
  });
});

/** A LocalInput over an in-memory array, read in blocks of `grid` (as a chunked LazyArray is). */
function fakeLazy(a: NDArray, grid: number[]): LocalInput {
  const read = async (region: [number, number][]) =>
    cropBox(
      a,
      region.map((r) => r[0]),
      region.map((r) => r[1] - r[0]),
    );
  return {
    dtype: a.dtype,
    shape: a.shape,
    read,
    async *blocks({ halo }) {
      for (const g of blockGrid(a.shape, grid, halo)) {
        const data = await read(g.readOrigin.map((o, i) => [o, o + g.readShape[i]!]));
        yield { origin: g.origin, shape: g.shape, data, dataOrigin: g.readOrigin, coreOffset: g.origin.map((o, i) => o - g.readOrigin[i]!) };
      }
    },
  };
}

/** The masks localMasksOfBlocks writes, assembled into the stack [N, ...shape]. */
async function localOutOfCore(inputs: NDArray[], grid: number[], opts: LocalBlockOptions = {}): Promise<number[]> {
  const shape = inputs[0]!.shape;
  const m = sizeOf(shape);
  const out = new Uint8Array(m * inputs.length).fill(7);
  const strides = shape.map((_, k) => sizeOf(shape.slice(k + 1)));
  await localMasksOfBlocks(
    inputs.map((a) => fakeLazy(a, grid)),
    async (i, origin, mask) => {
      const bs = mask.shape;
      for (let j = 0; j < mask.data.length; j++) {
        let rest = j;
        let at = i * m;
        for (let k = bs.length - 1; k >= 0; k--) {
          at += (origin[k]! + (rest % bs[k]!)) * strides[k]!;
          rest = Math.floor(rest / bs[k]!);
        }
        out[at] = mask.data[j]!;
      }
    },
    opts,
  );
  return Array.from(out);
}

/** Flat plateaus (where the filtered value and the pixel are equal up to rounding) plus texture. */
function plateaus(dtype: DType, shape: number[], seed: number): NDArray {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const w = shape[shape.length - 1]!;
  return ramp(dtype, shape, (i) => {
    const x = i % w;
    const y = Math.floor(i / w);
    const flat = (Math.floor(x / 6) + Math.floor(y / 5)) % 3 === 0;
    const v = flat ? 0.3 + 0.2 * ((Math.floor(y / 5) % 2) as number) : 0.2 + 0.6 * rnd();
    return dtype === 'uint8' ? Math.round(v * 255) : dtype === 'uint16' ? Math.round(v * 60000) : v;
  });
}

describe('local out of core: the same masks as threshold(stack(inputs), "local")', () => {
  const cases: [string, NDArray[], number[], LocalBlockOptions][] = [
    ['three 2-D float32 images', [1, 2, 3].map((k) => plateaus('float32', [37, 41], k)), [10, 16], {}],
    ['one float64 volume', [plateaus('float64', [5, 23, 19], 4)], [2, 8, 7], {}],
    ['two uint8 volumes', [plateaus('uint8', [4, 17, 21], 5), plateaus('uint8', [4, 17, 21], 6)], [3, 5, 6], {}],
    ['four uint16 images, gaussian sigma 1.5, block 7', [7, 8, 9, 10].map((k) => plateaus('uint16', [29, 31], k)), [9, 9], { blockSize: 7, param: 1.5 }],
    [
      'two float32 images, median block 5, offset',
      [plateaus('float32', [21, 26], 11), plateaus('float32', [21, 26], 12)],
      [6, 7],
      { blockSize: 5, method: 'median', offset: 0.01 },
    ],
    ['one image of one block', [plateaus('float32', [12, 9], 13)], [12, 9], {}],
  ];
  for (const [name, inputs, grid, opts] of cases) {
    it(`${name} in blocks of [${grid.join(', ')}]`, async () => {
      const whole = threshold(stack(inputs), 'local', opts).mask;
      const got = await localOutOfCore(inputs, grid, opts);
      expect(got).toEqual(Array.from(whole.data));
    });
  }

  it('refuses the running-sum mean, mode wrap and inputs of different shapes', async () => {
    const a = plateaus('float32', [8, 8], 1);
    await expect(localOutOfCore([a], [4, 4], { method: 'mean' })).rejects.toThrow("threshold_local: method 'mean' with mode 'reflect' is not block-local");
    await expect(localOutOfCore([a], [4, 4], { mode: 'wrap' })).rejects.toThrow("mode 'wrap' is not block-local");
    await expect(localMasksOfBlocks([fakeLazy(a, [4, 4]), fakeLazy(plateaus('float32', [8, 9], 2), [4, 4])], async () => {})).rejects.toThrow(
      'threshold_local: inputs are thresholded as one stack and must have one shape and dtype; input 0 is float32 [8, 8] but input 1 is float32 [8, 9].',
    );
  });
});
