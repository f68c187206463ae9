// threshold_li of an array too large for memory, from its blocks, with exactly the value thresholdLi
// gives for the whole array (filters.ts; scikit-image parity carries over).
//
// Integer images: Li iterates on the value histogram (one bin per value), built block by block with the
// histogram builder of the other out-of-core methods, then the very iteration of the in-memory path
// (liFromHistogram). One pass (two for 32-bit integers: range first).
//
// Float images: Li iterates on the pixels, so the blocks are read again for every step: a scan (NaN,
// ±Infinity, single value, minimum, maximum), the tolerance (half the smallest gap between distinct
// min-shifted values: distinctGap.ts, one pass per window of distinct values; the mean initial guess is
// summed during its first pass), then one pass per iteration splitting the values at the current
// threshold. Every mean is numpy's pairwise sum of the values in C order (NpSumStream), so the blocks
// must come in C order and be C-contiguous pieces of the array (e.g. whole rows or slabs): the sums are
// then bit-identical to the in-memory ones. A function initial guess needs the whole image and is refused.
import type { DType, NDArray } from '../../core/ndarray';
import { DISTINCT_BUDGET, minPositiveGapOfBlocks } from './distinctGap';
import { checkGuess, INT_MAX_ABS, liFromHistogram, type LiOptions } from './filters';
import { histogramBuilder, log64, logF32 } from './histogram';
import { NpSumStream } from './npSumStream';

/** Blocks of one array (or of several, as one stack), once per call. */
export type LiPass = () => AsyncIterable<NDArray> | Iterable<NDArray>;

export interface LiBlockOptions extends LiOptions {
  /** Distinct values held per tolerance pass (float images). Default DISTINCT_BUDGET. */
  distinctBudget?: number;
}

const fround = Math.fround;

/** Whether Li's integer sums (value × count: at most size × the dtype's span) are exact in float64 for `size` values of `dtype`. */
export function liIntegerIsExact(dtype: DType, size: number): boolean {
  const maxAbs = INT_MAX_ABS[dtype];
  if (maxAbs === undefined) return false;
  const span = dtype.startsWith('u') ? maxAbs : 2 * maxAbs - 1;
  return size * span < 2 ** 53;
}

function refuseFunctionGuess(opts: LiOptions, dtype: DType): void {
  if (typeof opts.initialGuess === 'function') {
    throw new Error(`threshold_li: a function initial guess needs the whole ${dtype} image at once; compute it in memory (thresholdLi).`);
  }
}

async function liIntegerOfBlocks(dtype: DType, pass: LiPass, opts: LiOptions): Promise<number> {
  const h = histogramBuilder(dtype);
  if (h.needsRange) for await (const b of pass()) h.addRange(b);
  for await (const b of pass()) h.add(b);
  if (h.count === 0) throw new Error('threshold_li: the image is empty.');
  const hist = h.result();
  const span = hist.max - hist.min;
  if (!(h.count * span < 2 ** 53)) {
    throw new Error(`threshold_li: the sums of ${h.count} ${dtype} values spanning ${span} are not exact in float64; out of core refuses them.`);
  }
  return liFromHistogram(hist, h.count, opts, () => {
    throw new Error('threshold_li: unreachable (function guesses are refused out of core).');
  });
}

interface FloatScan {
  n: number;
  nNaN: number;
  nInf: number;
  first: number;
  allSame: boolean;
  min: number;
  max: number;
}

/** liFloat's first loop over every block, in order (the first non-NaN value decides "single value"). */
async function scan(pass: LiPass, check: (b: NDArray) => void): Promise<FloatScan> {
  const s: FloatScan = { n: 0, nNaN: 0, nInf: 0, first: NaN, allSame: true, min: Infinity, max: -Infinity };
  for await (const b of pass()) {
    check(b);
    const d = b.data as unknown as ArrayLike<number>;
    s.n += d.length;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v !== v) {
        s.nNaN++;
        continue;
      }
      if (s.first !== s.first) s.first = v;
      else if (v !== s.first) s.allSame = false;
      if (v === Infinity || v === -Infinity) s.nInf++;
      else {
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
      }
    }
  }
  return s;
}

/** Every block's finite values minus `mn`, in the image's float type (liFloat's `img`, piece by piece). */
function shiftedPass(pass: LiPass, mn: number, f32: boolean, check: (b: NDArray) => void) {
  return async function* (): AsyncGenerator<Float32Array | Float64Array> {
    for await (const b of pass()) {
      check(b);
      const d = b.data as unknown as ArrayLike<number>;
      const out = f32 ? new Float32Array(d.length) : new Float64Array(d.length);
      let m = 0;
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (v === v && v !== Infinity && v !== -Infinity) out[m++] = v - mn;
      }
      yield out.subarray(0, m);
    }
  };
}

/** Read a pass to its end (for what it feeds on the way). */
async function drain(it: AsyncIterable<unknown>): Promise<void> {
  const i = it[Symbol.asyncIterator]();
  while (!(await i.next()).done);
}

/** np.mean of a stream's values: float32 sums and result for float32 (npMean). */
function meanOf(s: NpSumStream, f32: boolean): number {
  const n = s.count;
  if (n === 0) return NaN;
  return f32 ? fround(s.sum() / n) : s.sum() / n;
}

async function liFloatOfBlocks(dtype: DType, pass: LiPass, opts: LiBlockOptions, check: (b: NDArray) => void): Promise<number> {
  const f32 = dtype === 'float32';
  const r = f32 ? fround : (x: number): number => x;
  const log = f32 ? logF32 : log64;
  const s = await scan(pass, check);
  if (s.n === 0) throw new Error('threshold_li: the image is empty.');
  if (s.nNaN === s.n) return NaN;
  if (s.allSame) return s.first;
  if (s.n - s.nNaN - s.nInf === 0) return 0;
  const mn = s.min;
  const maxShifted = r(s.max - mn);
  const shifted = shiftedPass(pass, mn, f32, check);
  const g = opts.initialGuess;
  // The mean initial guess is summed during the first tolerance pass (or on its own pass).
  const guessSum = g === undefined ? new NpSumStream(f32) : null;
  let tapped = false;
  const tap = async function* () {
    const feed = guessSum !== null && !tapped;
    tapped = true;
    for await (const d of shifted()) {
      if (feed) guessSum.pushAll(d);
      yield d;
    }
  };
  let tol: number;
  if (opts.tolerance) tol = opts.tolerance;
  else tol = (await minPositiveGapOfBlocks(tap, f32, opts.distinctBudget ?? DISTINCT_BUDGET)) / 2;
  let tNext: number;
  if (guessSum) {
    if (!tapped) await drain(tap());
    tNext = meanOf(guessSum, f32);
  } else {
    tNext = (g as number) - mn;
    checkGuess(tNext, mn, maxShifted, g as number);
  }
  let tCurr = -2 * tol;
  const maxIter = opts.maxIter ?? 100000;
  let it = 0;
  while (Math.abs(tNext - tCurr) > tol) {
    if (++it > maxIter) throw new Error(`threshold_li: no convergence after ${maxIter} iterations.`);
    tCurr = tNext;
    const split = await splitMeans(shifted, r(tCurr), f32);
    tNext = r(r(split.back - split.fore) / r(log(split.back) - log(split.fore)));
  }
  return r(tNext + mn);
}

/** One pass: the means of the values above `tc` (foreground) and at or below it (background), in order. */
async function splitMeans(shifted: () => AsyncIterable<Float32Array | Float64Array>, tc: number, f32: boolean): Promise<{ fore: number; back: number }> {
  const fg = new NpSumStream(f32);
  const bg = new NpSumStream(f32);
  for await (const d of shifted()) {
    const up = new Float64Array(d.length);
    const down = new Float64Array(d.length);
    let nf = 0;
    let nb = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v > tc) up[nf++] = v;
      else down[nb++] = v;
    }
    fg.pushAll(up, 0, nf);
    bg.pushAll(down, 0, nb);
  }
  return { fore: meanOf(fg, f32), back: meanOf(bg, f32) };
}

/**
 * thresholdLi of the array whose blocks `pass()` yields (C-ordered, C-contiguous pieces for float
 * dtypes), identical to thresholdLi of the whole. Integer images: one histogram pass (two for 32-bit);
 * float images: a scan, the tolerance passes, and one pass per iteration.
 */
export async function liOfBlocks(dtype: DType, pass: LiPass, opts: LiBlockOptions = {}): Promise<number> {
  if (dtype === 'bool' || dtype === 'float16') throw new Error(`threshold_li: dtype ${dtype} is not supported (use uint8, uint16, float32 or float64).`);
  refuseFunctionGuess(opts, dtype);
  const check = (b: NDArray) => {
    if (b.dtype !== dtype) throw new Error(`threshold_li: a ${b.dtype} block in a ${dtype} array.`);
  };
  if (Object.hasOwn(INT_MAX_ABS, dtype)) return liIntegerOfBlocks(dtype, pass, opts);
  return liFloatOfBlocks(dtype, pass, opts, check);
}
