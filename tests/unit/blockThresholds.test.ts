// Block-wise (out-of-core) thresholds (issue 13): thresholdOfBlocks over any split of an array into
// blocks equals the in-memory kernel (thresholdValue) for every method and dtype it covers, errors
// included; the histogram builder equals histogram() of the whole array.
import { describe, expect, it } from 'vitest';
import { ndarray, sizeOf, type DType, type NDArray } from '../../src/core/ndarray';
import { isBlockwiseThreshold, thresholdOfBlocks } from '../../src/sdk/image/blockThresholds';
import { histogram, histogramBuilder } from '../../src/sdk/image/histogram';
import { thresholdValue } from '../../src/sdk/image/filters';

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

  it('li, local and mean of float images are not block-wise; the histogram builder equals histogram()', async () => {
    expect(isBlockwiseThreshold('li', 'uint8', 10)).toBe(false);
    expect(isBlockwiseThreshold('local', 'uint8', 10)).toBe(false);
    expect(isBlockwiseThreshold('mean', 'float32', 10)).toBe(false);
    expect(isBlockwiseThreshold('mean', 'uint16', 2 ** 40)).toBe(false);
    await expect(thresholdOfBlocks('uint8', () => [], 'li')).rejects.toThrow('threshold_li cannot be computed block by block');
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
