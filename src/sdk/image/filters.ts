// Threshold kernels reproducing skimage.filters (scikit-image 0.19.3, numpy 1.24) exactly:
// threshold_otsu, _yen, _li, _minimum, _mean, _triangle, _isodata and _local.
//
// Every global threshold is computed over all pixels of the array (2-D image or 3-D stack), from
// a skimage-compatible histogram (./histogram.ts) with skimage's tie-breaking (np.argmax: first
// maximum, first NaN). Where skimage computes in float32 (numpy dtype rules: float32 image data,
// `astype(np.float32)` in yen and isodata), the float32 rounding of every operation is reproduced
// with Math.fround; numpy's float32 log (SIMD kernel) and pairwise sums are emulated, so thresholds
// are the same float values and `image > t` masks are identical. See ./README.md.

import type { NDArray } from '../../core/ndarray';
import { CHUNK, argmaxNp, argminNp, histogram, imageRange, isIntegerImage, log64, logF32, npMean, type Histogram } from './histogram';
import { npSum } from './numpySum';
import { simdGtMask } from './simd';
import { type ExtendMode, gaussianFilter, genericFilter, medianFilter, perAxis, uniformFilter } from './ndimage';

type Num = ArrayLike<number>;
const fround = Math.fround;

export const THRESHOLD_METHODS = ['otsu', 'yen', 'li', 'minimum', 'mean', 'triangle', 'isodata', 'local'] as const;
export type ThresholdMethod = (typeof THRESHOLD_METHODS)[number];

export interface HistogramOptions {
  /** Number of bins for float images (ignored for integer images: one bin per value). Default 256. */
  nbins?: number;
}

function dataOf(a: NDArray): Num {
  return a.data as unknown as Num;
}

function checkImage(a: NDArray, where: string): void {
  if (a === null || typeof a !== 'object' || !ArrayBuffer.isView(a.data)) {
    throw new Error(`${where}: expected an NDArray {dtype, shape, data}.`);
  }
  if (a.dtype === 'bool' || a.dtype === 'float16') {
    throw new Error(`${where}: dtype ${a.dtype} is not supported (use uint8, uint16, float32 or float64).`);
  }
  if (a.data.length === 0) throw new Error(`${where}: the image is empty.`);
}

/**
 * The image histogram, or the image's single value when it is constant (skimage's otsu shortcut
 * `np.all(image == image.ravel()[0])`).
 */
function histogramOrConstant(a: NDArray, nbins: number): { hist: Histogram; constant: null } | { hist: null; constant: number } {
  if (isIntegerImage(a)) {
    const hist = histogram(a, nbins);
    if (hist.counts.length === 1) return { hist: null, constant: dataOf(a)[0]! };
    return { hist, constant: null };
  }
  const r = imageRange(a);
  if (!r.hasNaN && r.min === r.max) return { hist: null, constant: dataOf(a)[0]! };
  return { hist: histogram(a, nbins, r), constant: null };
}

// ---------------------------------------------------------------------------------------------
// Otsu
// ---------------------------------------------------------------------------------------------

/** Otsu's threshold from a histogram (skimage threshold_otsu after the constant-image check). */
export function otsuFromHistogram(h: Histogram): number {
  const c = h.counts;
  const b = h.binCenters;
  const n = c.length;
  // weight1 = cumsum(counts); mean1 = cumsum(counts * centers) / weight1 (float64)
  const w1 = new Float64Array(n);
  const m1 = new Float64Array(n);
  let cw = 0;
  let cm = 0;
  for (let i = 0; i < n; i++) {
    cw += c[i]!;
    cm += c[i]! * b[i]!;
    w1[i] = cw;
    m1[i] = cm / cw;
  }
  // weight2 / mean2: the same sums accumulated from the top bin down.
  const w2 = new Float64Array(n);
  const m2 = new Float64Array(n);
  cw = 0;
  cm = 0;
  for (let i = n - 1; i >= 0; i--) {
    cw += c[i]!;
    cm += c[i]! * b[i]!;
    w2[i] = cw;
    m2[i] = cm / cw;
  }
  const v = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n - 1; i++) {
    const d = m1[i]! - m2[i + 1]!;
    v[i] = w1[i]! * w2[i + 1]! * (d * d);
  }
  return b[argmaxNp(v)]!;
}

/**
 * skimage.filters.threshold_otsu(image, nbins). A constant image returns its value (skimage's
 * shortcut); NaN/±Infinity in a non-constant float image raise (numpy's histogram does).
 */
export function thresholdOtsu(a: NDArray, opts: HistogramOptions = {}): number {
  checkImage(a, 'threshold_otsu');
  const r = histogramOrConstant(a, opts.nbins ?? 256);
  if (r.hist === null) return r.constant;
  return otsuFromHistogram(r.hist);
}

// ---------------------------------------------------------------------------------------------
// Yen
// ---------------------------------------------------------------------------------------------

/** Yen's threshold from a histogram (float32 pmf arithmetic and numpy's float32 log, as skimage). */
export function yenFromHistogram(h: Histogram): number {
  const c = h.counts;
  const b = h.binCenters;
  const n = c.length;
  if (n === 1) return b[0]!;
  // pmf = counts.astype(float32) / counts.sum()  -> float32 array / float64 scalar stays float32
  const total = fround(npSum(c));
  const pmf = new Float32Array(n);
  for (let i = 0; i < n; i++) pmf[i] = fround(c[i]!) / total;
  const P1 = new Float32Array(n);
  const P1sq = new Float32Array(n);
  const P2sq = new Float32Array(n);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const p = pmf[i]!;
    s = fround(s + p);
    s2 = fround(s2 + fround(p * p));
    P1[i] = s;
    P1sq[i] = s2;
  }
  s2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    const p = pmf[i]!;
    s2 = fround(s2 + fround(p * p));
    P2sq[i] = s2;
  }
  // crit = log(((P1_sq[:-1] * P2_sq[1:]) ** -1) * (P1[:-1] * (1.0 - P1[:-1])) ** 2), all float32
  const crit = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    const inv = fround(1 / fround(P1sq[i]! * P2sq[i + 1]!));
    const p = P1[i]!;
    const q = fround(p * fround(1 - p));
    crit[i] = logF32(fround(inv * fround(q * q)));
  }
  return b[argmaxNp(crit)]!;
}

/** skimage.filters.threshold_yen(image, nbins). A constant integer image returns its value. */
export function thresholdYen(a: NDArray, opts: HistogramOptions = {}): number {
  checkImage(a, 'threshold_yen');
  return yenFromHistogram(histogram(a, opts.nbins ?? 256));
}

// ---------------------------------------------------------------------------------------------
// Isodata
// ---------------------------------------------------------------------------------------------

/** All isodata thresholds (skimage `return_all=True`), ascending. */
export function isodataFromHistogram(h: Histogram): number[] {
  const b = h.binCenters;
  const n = b.length;
  if (n === 1) return [b[0]!];
  const kind = h.kind;
  const f32 = kind === 'float32';
  // counts.astype(np.float32); csuml = cumsum (float32); csumh = csuml[-1] - csuml
  const csuml = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    s = fround(s + fround(h.counts[i]!));
    csuml[i] = s;
  }
  const last = csuml[n - 1]!;
  // intensity_sum = counts(float32) * centers: float64 for integer (int64) or float64 centres,
  // float32 for float32 centres; then its cumsum in that dtype.
  const ci = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const prod = fround(h.counts[i]!) * b[i]!;
    t = f32 ? fround(t + fround(prod)) : t + prod;
    ci[i] = t;
  }
  const ciLast = ci[n - 1]!;
  const binWidth = f32 ? fround(b[1]! - b[0]!) : b[1]! - b[0]!;
  const out: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const csumh = fround(last - csuml[i]!);
    let lower: number;
    let higher: number;
    let allMean: number;
    let dist: number;
    if (f32) {
      lower = fround(ci[i]! / csuml[i]!);
      higher = fround(fround(ciLast - ci[i]!) / csumh);
      allMean = fround(lower + higher) / 2;
      allMean = fround(allMean);
      dist = fround(allMean - b[i]!);
    } else {
      lower = ci[i]! / csuml[i]!;
      higher = (ciLast - ci[i]!) / csumh;
      allMean = (lower + higher) / 2.0;
      dist = allMean - b[i]!;
    }
    if (dist >= 0 && dist < binWidth) out.push(b[i]!);
  }
  return out;
}

/**
 * skimage.filters.threshold_isodata(image, nbins) with return_all=False: the first (lowest)
 * threshold t with t = (mean(≤ t) + mean(> t)) / 2 to within a bin. skimage raises IndexError when no
 * bin satisfies it; so does this ("no threshold satisfies the isodata criterion").
 */
export function thresholdIsodata(a: NDArray, opts: HistogramOptions = {}): number {
  checkImage(a, 'threshold_isodata');
  const all = isodataFromHistogram(histogram(a, opts.nbins ?? 256));
  if (all.length === 0) {
    throw new Error('threshold_isodata: no threshold satisfies the isodata criterion (skimage raises IndexError here).');
  }
  return all[0]!;
}

/** skimage threshold_isodata(image, nbins, return_all=True). */
export function thresholdIsodataAll(a: NDArray, opts: HistogramOptions = {}): number[] {
  checkImage(a, 'threshold_isodata');
  return isodataFromHistogram(histogram(a, opts.nbins ?? 256));
}

// ---------------------------------------------------------------------------------------------
// Minimum
// ---------------------------------------------------------------------------------------------

export interface MinimumOptions extends HistogramOptions {
  /** Maximum smoothing iterations. Default 10000. */
  maxNumIter?: number;
}

/** Indices where the histogram turns from rising to falling (plateau-aware, as skimage). */
function localMaxima(h: Float64Array): number[] {
  const idx: number[] = [];
  let direction = 1;
  for (let i = 0; i < h.length - 1; i++) {
    if (direction > 0) {
      if (h[i + 1]! < h[i]!) {
        direction = -1;
        idx.push(i);
      }
    } else if (h[i + 1]! > h[i]!) direction = 1;
  }
  return idx;
}

/** ndi.uniform_filter1d(x, 3) (mode 'reflect') into `out`, scipy's running sum. */
function smooth3(x: Float64Array, out: Float64Array): void {
  const n = x.length;
  const e0 = x[0]!;
  const eN = x[n - 1]!;
  const at = (k: number): number => (k < 0 ? e0 : k >= n ? eN : x[k]!);
  let tmp = 0;
  tmp += at(-1);
  tmp += at(0);
  tmp += at(1);
  out[0] = tmp / 3;
  for (let l = 1; l < n; l++) {
    tmp += at(l + 1) - at(l - 2);
    out[l] = tmp / 3;
  }
}

/** skimage threshold_minimum from a histogram. */
export function minimumFromHistogram(h: Histogram, maxNumIter = 10000): number {
  const n = h.counts.length;
  let cur: Float64Array = Float64Array.from(h.counts);
  let nxt: Float64Array = new Float64Array(n);
  let maxima: number[] = [];
  let counter = 0;
  for (counter = 0; counter < maxNumIter; counter++) {
    smooth3(cur, nxt);
    [cur, nxt] = [nxt, cur];
    maxima = localMaxima(cur);
    if (maxima.length < 3) break;
  }
  if (maxNumIter < 1) throw new Error('threshold_minimum: max_num_iter must be at least 1.');
  if (counter === maxNumIter) counter--; // python's loop variable keeps the last value
  if (maxima.length !== 2) {
    throw new Error('threshold_minimum: unable to find two maxima in the histogram');
  }
  if (counter === maxNumIter - 1) {
    throw new Error('threshold_minimum: maximum iteration reached for histogram smoothing');
  }
  const i0 = maxima[0]!;
  const i1 = maxima[1]!;
  return h.binCenters[i0 + argminNp(cur, i0, i1 + 1)]!;
}

/**
 * skimage.filters.threshold_minimum(image, nbins, max_num_iter): smooth the histogram with a
 * 3-bin running mean until it has two maxima (at most `maxNumIter` times), return the lowest bin
 * between them. Throws "threshold_minimum: unable to find two maxima in the histogram" where skimage
 * raises RuntimeError('Unable to find two maxima in histogram') (e.g. a unimodal or constant image),
 * and "…maximum iteration reached…" where skimage raises that RuntimeError.
 */
export function thresholdMinimum(a: NDArray, opts: MinimumOptions = {}): number {
  checkImage(a, 'threshold_minimum');
  return minimumFromHistogram(histogram(a, opts.nbins ?? 256), opts.maxNumIter ?? 10000);
}

// ---------------------------------------------------------------------------------------------
// Mean
// ---------------------------------------------------------------------------------------------

export const INT_MAX_ABS: Record<string, number> = { uint8: 255, int8: 128, uint16: 65535, int16: 32768, uint32: 4294967295, int32: 2147483648 };

/** skimage.filters.threshold_mean: np.mean(image) (float32 sum and result for float32 images). */
export function thresholdMean(a: NDArray): number {
  checkImage(a, 'threshold_mean');
  const integer = isIntegerImage(a);
  return npMean(dataOf(a), a.dtype === 'float32', integer, integer ? INT_MAX_ABS[a.dtype]! : Infinity);
}

// ---------------------------------------------------------------------------------------------
// Triangle
// ---------------------------------------------------------------------------------------------

/** skimage threshold_triangle from a histogram. */
export function triangleFromHistogram(h: Histogram): number {
  const hist = h.counts;
  const nbins = hist.length;
  let argPeak = argmaxNp(hist);
  const peak = hist[argPeak]!;
  let argLow = 0;
  while (!(hist[argLow]! > 0)) argLow++;
  let argHigh = nbins - 1;
  while (!(hist[argHigh]! > 0)) argHigh--;
  const flip = argPeak - argLow < argHigh - argPeak;
  if (flip) {
    argLow = nbins - argHigh - 1;
    argPeak = nbins - argPeak - 1;
  }
  const at = (k: number): number => (flip ? hist[nbins - 1 - k]! : hist[k]!);
  const width = argPeak - argLow;
  if (width <= 0) {
    throw new Error(
      'threshold_triangle: the histogram has a single non-empty bin (constant image); skimage raises "attempt to get argmax of an empty sequence".',
    );
  }
  const norm = Math.sqrt(peak * peak + width * width);
  const ph = peak / norm;
  const w = width / norm;
  let best = 0;
  let bestV = -Infinity;
  for (let x = 0; x < width; x++) {
    const len = ph * x - w * at(x + argLow);
    if (len > bestV || (x === 0 && len !== len)) {
      bestV = len;
      best = x;
    }
  }
  let level = best + argLow;
  if (flip) level = nbins - level - 1;
  return h.binCenters[level]!;
}

/** skimage.filters.threshold_triangle(image, nbins). Throws on a constant image, as skimage does. */
export function thresholdTriangle(a: NDArray, opts: HistogramOptions = {}): number {
  checkImage(a, 'threshold_triangle');
  return triangleFromHistogram(histogram(a, opts.nbins ?? 256));
}

// ---------------------------------------------------------------------------------------------
// Li
// ---------------------------------------------------------------------------------------------

export interface LiOptions {
  /** Stop when successive thresholds differ by at most this. Default: 0.5 for integer images,
   * half the smallest gap between distinct values for float images (skimage's `tolerance or …`). */
  tolerance?: number;
  /** Starting threshold (within the image range), or a function of the min-shifted image. Default: the mean. */
  initialGuess?: number | ((shifted: NDArray) => number);
  /** Safety cap on iterations (skimage has none). Default 100000. */
  maxIter?: number;
}

/**
 * Ascending copy of non-negative, non-NaN float data (LSD radix sort on the IEEE bit patterns,
 * which order like the values when the sign bit is clear): the `np.unique` step of threshold_li
 * without an O(n log n) comparison sort.
 */
export function sortNonNegative(img: Float32Array | Float64Array): Float32Array | Float64Array {
  const n = img.length;
  if (img instanceof Float32Array) {
    let src = new Uint32Array(n);
    src.set(new Uint32Array(img.buffer, img.byteOffset, n));
    let dst = new Uint32Array(n);
    const cnt = new Uint32Array(2048);
    for (const [shift, bits] of [
      [0, 11],
      [11, 11],
      [22, 10],
    ] as const) {
      const mask = (1 << bits) - 1;
      cnt.fill(0);
      for (let i = 0; i < n; i++) cnt[(src[i]! >>> shift) & mask]!++;
      let acc = 0;
      for (let k = 0; k <= mask; k++) {
        const c = cnt[k]!;
        cnt[k] = acc;
        acc += c;
      }
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        dst[cnt[(v >>> shift) & mask]!++] = v;
      }
      [src, dst] = [dst, src];
    }
    return new Float32Array(src.buffer);
  }
  // float64: 16-bit digits of the low then the high 32-bit word (little-endian layout).
  let src = new Uint32Array(2 * n);
  src.set(new Uint32Array(img.buffer, img.byteOffset, 2 * n));
  let dst = new Uint32Array(2 * n);
  const cnt = new Uint32Array(65536);
  for (const [word, shift] of [
    [0, 0],
    [0, 16],
    [1, 0],
    [1, 16],
  ] as const) {
    cnt.fill(0);
    for (let i = 0; i < n; i++) cnt[(src[2 * i + word]! >>> shift) & 0xffff]!++;
    let acc = 0;
    for (let k = 0; k < 65536; k++) {
      const c = cnt[k]!;
      cnt[k] = acc;
      acc += c;
    }
    for (let i = 0; i < n; i++) {
      const j = 2 * cnt[(src[2 * i + word]! >>> shift) & 0xffff]!++;
      dst[j] = src[2 * i]!;
      dst[j + 1] = src[2 * i + 1]!;
    }
    [src, dst] = [dst, src];
  }
  return new Float64Array(src.buffer);
}

/** Smallest positive difference between consecutive distinct values of sorted data (np.diff in the data's float type). */
export function minPositiveGap(sorted: Float32Array | Float64Array): number {
  const f32 = sorted instanceof Float32Array;
  let best = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const g = f32 ? fround(sorted[i]! - sorted[i - 1]!) : sorted[i]! - sorted[i - 1]!;
    if (g > 0 && g < best) best = g;
  }
  return best;
}

export function checkGuess(t: number, imageMin: number, imageMaxShifted: number, guess: number): void {
  if (!(0 < t && t < imageMaxShifted)) {
    throw new Error(
      `threshold_li: the initial guess must be within the range of the image. Got ${guess} for image min ${imageMin} and max ${imageMaxShifted + imageMin}.`,
    );
  }
}

/**
 * Li's iteration for an integer image of `n` pixels from its histogram `h` (one bin per value, from
 * the minimum to the maximum): the whole of threshold_li for integer images, shared with the
 * out-of-core path (liBlocks.ts), which builds the same histogram block by block. `shifted` gives the
 * min-shifted image, needed only for a function initial guess.
 */
export function liFromHistogram(h: Histogram, n: number, opts: LiOptions, shifted: () => NDArray): number {
  const mn = h.min;
  const hist = h.counts;
  const span = hist.length - 1;
  if (span === 0) return mn;
  const tol = opts.tolerance || 0.5;
  let sum = 0;
  for (let k = 1; k <= span; k++) sum += k * hist[k]!;
  let tNext: number;
  const g = opts.initialGuess;
  if (g === undefined) tNext = sum / n;
  else if (typeof g === 'function') tNext = g(shifted());
  else {
    tNext = g - mn;
    checkGuess(tNext, mn, span, g);
  }
  let tCurr = -2 * tol;
  // Prefix sums of counts and of value*count: all exact integers in float64, so numpy's pairwise
  // sums in np.average give the same values.
  const cw = new Float64Array(span + 2);
  const cv = new Float64Array(span + 2);
  for (let k = 0; k <= span; k++) {
    cw[k + 1] = cw[k]! + hist[k]!;
    cv[k + 1] = cv[k]! + hist[k]! * k;
  }
  const maxIter = opts.maxIter ?? 100000;
  let it = 0;
  while (Math.abs(tNext - tCurr) > tol) {
    if (++it > maxIter) throw new Error(`threshold_li: no convergence after ${maxIter} iterations.`);
    tCurr = tNext;
    // foreground = bin_centers > t_curr
    let split = Math.floor(tCurr) + 1;
    if (split < 0) split = 0;
    if (split > span + 1) split = span + 1;
    const wb = cw[split]!;
    const wf = cw[span + 1]! - wb;
    if (wb === 0 || wf === 0) throw new Error("threshold_li: weights sum to zero, can't be normalized (skimage raises ZeroDivisionError).");
    const meanBack = cv[split]! / wb;
    const meanFore = (cv[span + 1]! - cv[split]!) / wf;
    tNext = (meanBack - meanFore) / (log64(meanBack) - log64(meanFore));
  }
  return tNext + mn;
}

function liInteger(a: NDArray, d: Num, opts: LiOptions): number {
  const n = d.length;
  // The histogram of the min-shifted image is the image histogram with centres 0 .. span.
  const h = histogram(a);
  return liFromHistogram(h, n, opts, () => {
    const shifted = new Float64Array(n);
    for (let i = 0; i < n; i++) shifted[i] = d[i]! - h.min;
    return { dtype: 'float64', shape: [...a.shape], data: shifted };
  });
}

function liFloat(a: NDArray, src: Num, opts: LiOptions): number {
  const f32 = a.dtype === 'float32';
  const r = f32 ? fround : (x: number): number => x;
  const log = f32 ? logF32 : log64;
  // One pass: NaN count, whether all non-NaN values are equal, ±Infinity count, finite min/max.
  const n = src.length;
  let nNaN = 0;
  let nInf = 0;
  let first = NaN;
  let allSame = true;
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (v !== v) {
      nNaN++;
      continue;
    }
    if (first !== first) first = v;
    else if (v !== first) allSame = false;
    if (v === Infinity || v === -Infinity) nInf++;
    else {
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
  }
  // image = image[~isnan(image)]; single value -> that value (also ±inf)
  if (nNaN === n) return NaN;
  if (allSame) return first;
  // image = image[isfinite(image)]; none left -> 0 (there were both +inf and -inf)
  const k = n - nNaN - nInf;
  if (k === 0) return 0;
  // image -= image.min(), into a buffer of the image's float type (float32 storage rounds).
  const img: Float32Array | Float64Array = f32 ? new Float32Array(k) : new Float64Array(k);
  if (k === n) {
    for (let i = 0; i < n; i++) img[i] = src[i]! - mn;
  } else {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v === v && v !== Infinity && v !== -Infinity) img[m++] = v - mn;
    }
  }
  const maxShifted = r(mx - mn);
  let tol: number;
  if (opts.tolerance) tol = opts.tolerance;
  else {
    tol = minPositiveGap(sortNonNegative(img)) / 2; // np.float32 / int -> float64
  }
  let tNext: number;
  const g = opts.initialGuess;
  if (g === undefined) tNext = npMean(img, f32);
  else if (typeof g === 'function') {
    tNext = g({ dtype: f32 ? 'float32' : 'float64', shape: [k], data: img } as NDArray);
  } else {
    tNext = g - mn;
    checkGuess(tNext, mn, maxShifted, g);
  }
  let tCurr = -2 * tol;
  const fg: Float32Array | Float64Array = f32 ? new Float32Array(k) : new Float64Array(k);
  const bg: Float32Array | Float64Array = f32 ? new Float32Array(k) : new Float64Array(k);
  const maxIter = opts.maxIter ?? 100000;
  let it = 0;
  while (Math.abs(tNext - tCurr) > tol) {
    if (++it > maxIter) throw new Error(`threshold_li: no convergence after ${maxIter} iterations.`);
    tCurr = tNext;
    // float32 image > float64 scalar compares in float32 (numpy value-based casting).
    const tc = r(tCurr);
    let nf = 0;
    let nb = 0;
    for (let i = 0; i < k; i++) {
      const v = img[i]!;
      if (v > tc) fg[nf++] = v;
      else bg[nb++] = v;
    }
    const meanFore = nf === 0 ? NaN : f32 ? fround(npSum(fg, 0, nf, true) / nf) : npSum(fg, 0, nf) / nf;
    const meanBack = nb === 0 ? NaN : f32 ? fround(npSum(bg, 0, nb, true) / nb) : npSum(bg, 0, nb) / nb;
    tNext = r(r(meanBack - meanFore) / r(log(meanBack) - log(meanFore)));
  }
  return r(tNext + mn);
}

/**
 * skimage.filters.threshold_li(image, tolerance, initial_guess): Li's iterative minimum cross
 * entropy. NaNs are dropped; a single-valued image returns that value (also ±Infinity); an all-NaN
 * image gives NaN. Integer images iterate on the histogram in float64; float images iterate on the
 * pixels in the image's float type (float32 arithmetic and numpy's float32 log for float32).
 */
export function thresholdLi(a: NDArray, opts: LiOptions = {}): number {
  checkImage(a, 'threshold_li');
  const d = dataOf(a);
  if (isIntegerImage(a)) return liInteger(a, d, opts);
  return liFloat(a, d, opts);
}

// ---------------------------------------------------------------------------------------------
// Local
// ---------------------------------------------------------------------------------------------

export type LocalMethod = 'gaussian' | 'mean' | 'median' | 'generic';

export interface LocalOptions {
  /** 'gaussian' (default), 'mean' (ndi.uniform_filter), 'median' (ndi.median_filter) or 'generic'. */
  method?: LocalMethod;
  /** Subtracted from the filtered image. Default 0. */
  offset?: number;
  /** Boundary mode (scipy): 'reflect' (default), 'mirror', 'nearest', 'wrap', 'constant'. */
  mode?: ExtendMode;
  /** Gaussian sigma (scalar or per axis; default (block_size - 1) / 6), or the 'generic' function. */
  param?: number | readonly number[] | ((window: Float64Array) => number);
  /** Value outside the image for mode 'constant'. Default 0. */
  cval?: number;
}

/**
 * skimage.filters.threshold_local(image, block_size=3, method='gaussian', offset=0, mode='reflect',
 * param=None, cval=0): the per-pixel threshold array (float64 NDArray of the image's shape; for
 * float32 images every value is the float32 skimage computes, since skimage filters float32 images
 * in float32).
 */
export function thresholdLocal(a: NDArray, blockSize: number | readonly number[] = 3, opts: LocalOptions = {}): NDArray<'float64'> {
  checkImage(a, 'threshold_local');
  const nd = a.shape.length;
  let bs: number[];
  if (typeof blockSize === 'number') bs = Array.from({ length: nd }, () => blockSize);
  else {
    if (blockSize.length !== nd) throw new Error('threshold_local: len(block_size) must equal image.ndim.');
    bs = [...blockSize];
  }
  if (bs.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`threshold_local: block_size must be positive odd integers, got (${bs.join(', ')}).`);
  if (bs.some((b) => b % 2 === 0)) throw new Error(`threshold_local: block_size must be odd! Given block_size (${bs.join(', ')}) contains even values.`);
  const method = opts.method ?? 'gaussian';
  const mode = opts.mode ?? 'reflect';
  const cval = opts.cval ?? 0;
  const offset = opts.offset ?? 0;
  const f32 = a.dtype === 'float32';
  const fo = { mode, cval, roundF32: f32 };
  let t: NDArray<'float64'>;
  if (method === 'gaussian') {
    let sigma: number[];
    const p = opts.param;
    if (p === undefined || p === null) sigma = bs.map((b) => (b - 1) / 6.0);
    else if (typeof p === 'function') throw new Error("threshold_local: param must be a sigma (number or per-axis numbers) for method 'gaussian'.");
    else {
      let s: number | number[] = typeof p === 'number' ? p : [...p];
      // skimage.filters.gaussian treats (M, N, 3) arrays as RGB: no smoothing across the last axis.
      if (nd === 3 && a.shape[2] === 3) {
        if (typeof s === 'number') s = [s, s, 0];
        else if (s.length === 2) s = [s[0]!, s[1]!, 0];
      }
      sigma = perAxis(s, nd, 'threshold_local');
    }
    if (sigma.some((s) => s < 0)) throw new Error('threshold_local: sigma values less than zero are not valid.');
    t = gaussianFilter(a, sigma, fo);
  } else if (method === 'mean') {
    t = uniformFilter(a, bs, fo);
  } else if (method === 'median') {
    t = medianFilter(a, bs, fo);
  } else if (method === 'generic') {
    const fn = opts.param;
    if (typeof fn !== 'function') throw new Error("threshold_local: method 'generic' needs param to be a function of the window values.");
    t = genericFilter(a, fn, bs, fo);
  } else {
    throw new Error('threshold_local: invalid method specified. Please use `generic`, `gaussian`, `mean`, or `median`.');
  }
  if (offset !== 0 || f32) {
    const d = t.data;
    if (f32) {
      const o = fround(offset);
      for (let i = 0; i < d.length; i++) d[i] = fround(d[i]! - o);
    } else {
      for (let i = 0; i < d.length; i++) d[i] = d[i]! - offset;
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Masks and dispatch
// ---------------------------------------------------------------------------------------------

function gtChunk(d: Num, start: number, end: number, t: number, out: Uint8Array): void {
  for (let i = start; i < end; i++) out[i] = d[i]! > t ? 1 : 0;
}

/**
 * `image > t` as a uint8 mask (1 where greater, else 0), with numpy's comparison rules: a scalar t
 * against a float32 image compares in float32 (numpy casts the scalar to the array's float type);
 * everything else compares exactly. An array t must have the image's shape.
 */
export function applyThreshold(a: NDArray, t: number | NDArray): NDArray<'uint8'> {
  checkImage(a, 'applyThreshold');
  const d = dataOf(a);
  const n = d.length;
  const out = new Uint8Array(n);
  if (typeof t === 'number') {
    let tt = t;
    if (a.dtype === 'float32') {
      const f = fround(t);
      if (Number.isFinite(f) || !Number.isFinite(t)) tt = f;
    }
    if (tt !== tt) return { dtype: 'uint8', shape: [...a.shape], data: out };
    if (!simdGtMask(d, tt, out)) for (let s = 0; s < n; s += CHUNK) gtChunk(d, s, Math.min(n, s + CHUNK), tt, out);
  } else {
    if (t.shape.length !== a.shape.length || t.shape.some((s, i) => s !== a.shape[i])) {
      throw new Error(`applyThreshold: threshold array shape [${t.shape.join(', ')}] does not match image shape [${a.shape.join(', ')}].`);
    }
    const td = dataOf(t);
    for (let i = 0; i < n; i++) out[i] = d[i]! > td[i]! ? 1 : 0;
  }
  return { dtype: 'uint8', shape: [...a.shape], data: out };
}

export interface ThresholdOptions extends HistogramOptions, LiOptions, LocalOptions {
  maxNumIter?: number;
  /** Block size for 'local'. Default 3. */
  blockSize?: number | readonly number[];
}

/** Global threshold value for a method other than 'local'. */
export function thresholdValue(a: NDArray, method: Exclude<ThresholdMethod, 'local'>, opts: ThresholdOptions = {}): number {
  switch (method) {
    case 'otsu':
      return thresholdOtsu(a, opts);
    case 'yen':
      return thresholdYen(a, opts);
    case 'li':
      return thresholdLi(a, opts);
    case 'minimum':
      return thresholdMinimum(a, opts);
    case 'mean':
      return thresholdMean(a);
    case 'triangle':
      return thresholdTriangle(a, opts);
    case 'isodata':
      return thresholdIsodata(a, opts);
    default:
      throw new Error(`Invalid thresholding algorithm: ${String(method)}; expected one of ${THRESHOLD_METHODS.join(', ')}.`);
  }
}

/**
 * The built-in segmentation bundle's `threshold_image`: the threshold of `method` (skimage defaults
 * unless `opts` says otherwise) and the mask `image > threshold`.
 */
export function threshold(
  a: NDArray,
  method: ThresholdMethod,
  opts: ThresholdOptions = {},
): { threshold: number | NDArray<'float64'>; mask: NDArray<'uint8'> } {
  if (!(THRESHOLD_METHODS as readonly string[]).includes(method)) {
    throw new Error(`Invalid thresholding algorithm: ${String(method)}; expected one of ${THRESHOLD_METHODS.join(', ')}.`);
  }
  const t = method === 'local' ? thresholdLocal(a, opts.blockSize ?? 3, opts) : thresholdValue(a, method, opts);
  return { threshold: t, mask: applyThreshold(a, t) };
}
