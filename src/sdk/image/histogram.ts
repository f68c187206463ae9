// skimage-compatible image histogram (skimage.exposure.histogram, scikit-image 0.19.3, with
// source_range='image'), plus the numpy-compatible numerics the threshold kernels need to reproduce
// skimage's results to the last bit (numpy's pairwise, 8192-element buffered summation is in
// ./numpySum.ts): argmax tie rules, correctly rounded float64 exp/log (what glibc's libm returns,
// which numpy uses for float64 on x86-64 without AVX-512) and numpy's AVX2/FMA3 float32 log.
//
// Histogram rules (read from skimage/exposure/exposure.py and numpy/lib/histograms.py):
// - integer images: one bin per integer value from the image minimum to the maximum
//   (`_bincount_histogram`); the bin centres are those integers.
// - float images: `np.histogram(image, bins=nbins, range=None)`: `nbins` equal bins over
//   [min, max] (widened to [v - 0.5, v + 0.5] for a constant image). The bin edges are
//   `np.linspace(min, max, nbins + 1)` computed in float64 and cast to the image's float type; the bin
//   of a value is computed the way numpy's equal-bin fast path does it (scaled offset in the image's
//   float type, then corrected by at most one bin against the edges). Bin centres are
//   `(edges[:-1] + edges[1:]) / 2` in the image's float type. NaN or ±Infinity raise, as numpy does.

import type { NDArray } from '../../core/ndarray';
import { npSum } from './numpySum';

type Num = ArrayLike<number>;

// ---------------------------------------------------------------------------------------------
// numpy-compatible numerics
// ---------------------------------------------------------------------------------------------

const fround = Math.fround;

/** Hot loops run over chunks of this many elements: many calls of a small function get it
 * optimised as a whole (rather than through on-stack replacement of one long loop). */
export const CHUNK = 1 << 16;

/** Exact sum of bytes, four at a time through a 32-bit view (two 16-bit lanes per word). */
export function sumU8(d: Uint8Array): number {
  const n = d.length;
  let i = 0;
  let total = 0;
  while (i < n && (d.byteOffset + i) % 4 !== 0) total += d[i++]!;
  const words = (n - i) >> 2;
  const w = words > 0 ? new Uint32Array(d.buffer, d.byteOffset + i, words) : new Uint32Array(0);
  for (let j = 0; j < words; j += CHUNK) total += sumU8Words(w, j, Math.min(words, j + CHUNK));
  for (i += words * 4; i < n; i++) total += d[i]!;
  return total;
}

function sumU8Words(w: Uint32Array, start: number, end: number): number {
  let total = 0;
  // Each 16-bit lane gains at most 2 * 255 per word: flush every 128 words.
  for (let j = start; j < end;) {
    const stop = Math.min(end, j + 128);
    let acc = 0;
    for (; j < stop; j++) {
      const x = w[j]!;
      acc += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
    }
    total += (acc & 0xffff) + (acc >>> 16);
  }
  return total;
}

function sumU16Words(w: Uint32Array, start: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let j = start; j < end; j++) {
    const x = w[j]!;
    lo += x & 0xffff;
    hi += x >>> 16;
  }
  return lo + hi;
}

/** Exact sum of uint16 values, two at a time through a 32-bit view. */
export function sumU16(d: Uint16Array): number {
  const n = d.length;
  let i = 0;
  let total = 0;
  if (d.byteOffset % 4 !== 0 && n > 0) total += d[i++]!;
  const words = (n - i) >> 1;
  const w = words > 0 ? new Uint32Array(d.buffer, d.byteOffset + 2 * i, words) : new Uint32Array(0);
  for (let j = 0; j < words; j += CHUNK) total += sumU16Words(w, j, Math.min(words, j + CHUNK));
  for (i += words * 2; i < n; i++) total += d[i]!;
  return total;
}

/**
 * `np.mean` of a contiguous array: float32 data is summed in float32 and the result rounded to
 * float32 (`ret.dtype.type(ret / n)`); everything else (integers included) is summed in float64.
 * Integer data whose sum is exactly representable takes a plain-loop fast path (same value).
 */
export function npMean(d: Num, f32: boolean, integer = false, maxAbs = Infinity): number {
  const n = d.length;
  if (integer && n * maxAbs < 2 ** 53) {
    if (d instanceof Uint8Array) return sumU8(d) / n;
    if (d instanceof Uint16Array) return sumU16(d) / n;
    let s = 0;
    for (let i = 0; i < n; i++) s += d[i]!;
    return s / n;
  }
  const s = npSum(d, 0, n, f32);
  return f32 ? fround(s / n) : s / n;
}

/** `np.argmax` of v[start .. end): index of the first maximum, or of the first NaN if there is one. */
export function argmaxNp(v: Num, start = 0, end: number = v.length): number {
  if (end <= start) throw new Error('attempt to get argmax of an empty sequence');
  let best = start;
  let bv = v[start]!;
  if (bv !== bv) return 0;
  for (let i = start + 1; i < end; i++) {
    const x = v[i]!;
    if (x > bv) {
      bv = x;
      best = i;
    } else if (x !== x) return i - start;
  }
  return best - start;
}

/** `np.argmin` of v[start .. end): index of the first minimum, or of the first NaN. */
export function argminNp(v: Num, start = 0, end: number = v.length): number {
  if (end <= start) throw new Error('attempt to get argmin of an empty sequence');
  let best = start;
  let bv = v[start]!;
  if (bv !== bv) return 0;
  for (let i = start + 1; i < end; i++) {
    const x = v[i]!;
    if (x < bv) {
      bv = x;
      best = i;
    } else if (x !== x) return i - start;
  }
  return best - start;
}

// --- double-double helpers (for correctly rounded exp/log) ---------------------------------------

type DD = [number, number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

const SPLITTER = 134217729; // 2^27 + 1

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(ah: number, al: number, bh: number, bl: number): DD {
  const [s, e0] = twoSum(ah, bh);
  const [t, f] = twoSum(al, bl);
  const [s1, e1] = quickTwoSum(s, e0 + t);
  return quickTwoSum(s1, e1 + f);
}

function ddMul(ah: number, al: number, bh: number, bl: number): DD {
  const [p, e] = twoProd(ah, bh);
  return quickTwoSum(p, e + (ah * bl + al * bh));
}

function ddDiv(ah: number, al: number, bh: number, bl: number): DD {
  const q1 = ah / bh;
  let [ph, pl] = ddMul(bh, bl, q1, 0);
  let [rh, rl] = ddAdd(ah, al, -ph, -pl);
  const q2 = rh / bh;
  [ph, pl] = ddMul(bh, bl, q2, 0);
  [rh, rl] = ddAdd(rh, rl, -ph, -pl);
  const q3 = rh / bh;
  const [qh, ql] = quickTwoSum(q1, q2);
  return ddAdd(qh, ql, q3, 0);
}

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const LN2_LO2 = 5.707708438416212e-34;

/** k * ln 2 as a double-double (k an integer of at most ~11 bits). */
function kLn2(k: number): DD {
  const [a, b] = twoProd(k, LN2_HI);
  const [c, d] = twoProd(k, LN2_LO);
  return ddAdd(a, b, c, d + k * LN2_LO2);
}

const INV_FACT: DD[] = [];
{
  let f = 1;
  for (let n = 0; n <= 12; n++) {
    if (n > 0) f *= n;
    INV_FACT.push(ddDiv(1, 0, f, 0));
  }
}

const INV_ODD: DD[] = [];
for (let j = 0; j <= 24; j++) INV_ODD.push(ddDiv(1, 0, 2 * j + 1, 0));

/**
 * exp(x) correctly rounded to float64 (double-double evaluation). This is what glibc's exp returns
 * (numpy's float64 np.exp on x86-64 without AVX-512 calls libm); V8's Math.exp differs in the last
 * bit for ~10% of arguments, which would change Gaussian weights and so masks on flat regions.
 */
export function exp64(x: number): number {
  if (x !== x) return NaN;
  if (x === 0) return 1;
  if (x > 709.782712893384) return Infinity;
  if (x < -708) return Math.exp(x); // subnormal results: not needed by the kernels here
  const k = Math.round(x / LN2_HI);
  const [kh, kl] = kLn2(k);
  let [rh, rl] = ddAdd(x, 0, -kh, -kl);
  // exp(r) = (1 + expm1(r / 2^10)) ^ (2^10), expm1 by Taylor series in double-double.
  rh /= 1024;
  rl /= 1024;
  let [ph, pl] = INV_FACT[12]!;
  for (let n = 11; n >= 1; n--) {
    [ph, pl] = ddMul(ph, pl, rh, rl);
    const c = INV_FACT[n]!;
    [ph, pl] = ddAdd(ph, pl, c[0], c[1]);
  }
  let [mh, ml] = ddMul(ph, pl, rh, rl); // expm1(t)
  for (let i = 0; i < 10; i++) {
    // expm1(2t) = expm1(t) * (expm1(t) + 2)
    const [ah, al] = ddAdd(mh, ml, 2, 0);
    [mh, ml] = ddMul(mh, ml, ah, al);
  }
  const [yh] = ddAdd(1, 0, mh, ml);
  return yh * 2 ** k;
}

const F64 = new Float64Array(1);
const F64_U32 = new Uint32Array(F64.buffer);

/** log(x) correctly rounded to float64 (what glibc's log returns; see exp64). */
export function log64(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  if (x === 1) return 0;
  let e = 0;
  let v = x;
  if (v < 2.2250738585072014e-308) {
    v *= 2 ** 54;
    e -= 54;
  }
  F64[0] = v;
  const hiWord = F64_U32[1]!;
  e += ((hiWord >>> 20) & 0x7ff) - 1023;
  F64_U32[1] = (hiWord & 0x800fffff) | (1023 << 20);
  let m = F64[0]!; // [1, 2)
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1)
  const [dh, dl] = twoSum(m, 1);
  const [sh, sl] = ddDiv(m - 1, 0, dh, dl);
  const [s2h, s2l] = ddMul(sh, sl, sh, sl);
  let [ph, pl] = INV_ODD[24]!;
  for (let j = 23; j >= 0; j--) {
    [ph, pl] = ddMul(ph, pl, s2h, s2l);
    const c = INV_ODD[j]!;
    [ph, pl] = ddAdd(ph, pl, c[0], c[1]);
  }
  let [lh, ll] = ddMul(sh, sl, ph, pl);
  lh *= 2;
  ll *= 2;
  if (e !== 0) {
    const [kh, kl] = kLn2(e);
    [lh, ll] = ddAdd(kh, kl, lh, ll);
  }
  return lh + ll;
}

// --- numpy's float32 log (AVX2/FMA3 SIMD kernel, loops_exponent_log.dispatch.c.src) -------------

const F32 = new Float32Array(1);
const F32_U32 = new Uint32Array(F32.buffer);

function nextAway32(r: number, up: boolean): number {
  if (r === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  F32[0] = r;
  F32_U32[0] = r > 0 === up ? F32_U32[0]! + 1 : F32_U32[0]! - 1;
  return F32[0]!;
}

/** Fused multiply-add a*b + c of float32 values with a single rounding to float32 (vfmadd*ps). */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const r = fround(s);
  if (err === 0 || r === s) return r;
  // Double rounding can only go wrong when s is exactly halfway between two float32 values.
  const r2 = nextAway32(r, s > r);
  if ((r + r2) / 2 !== s) return r;
  return err > 0 === r2 > r ? r2 : r;
}

// numpy's NPY_COEFF_{P,Q}{0..5}_LOGf, NPY_LOGE2f and NPY_SQRT1_2f as the float32 values they become.
const LOG_P = [0, 1, 2.112677574157715, 1.480000615119934, 0.3808837831020355, 0.025899792090058327] as const;
const LOG_Q = [1, 2.612677574157715, 2.4530060291290283, 0.9864943027496338, 0.15464763343334198, 0.005875095259398222] as const;
const LOGE2F = 0.6931471824645996;
const SQRT1_2F = 0.7071067690849304;
const FLT_MIN = 1.1754943508222875e-38;

/**
 * `np.log` of a float32 value as numpy computes it on x86-64 with AVX2+FMA3 (its SIMD kernel, a
 * rational approximation that is not correctly rounded: ~4% of results differ by an ulp from the
 * correctly rounded log). Used where skimage takes logs of float32 values (threshold_yen, and
 * threshold_li on float32 images), so that argmax ties and iterations come out identical.
 */
export function logF32(xin: number): number {
  if (xin !== xin) return NaN;
  if (xin < 0) return NaN;
  if (xin === 0) return -Infinity;
  if (xin === Infinity) return Infinity;
  let x = fround(xin);
  const denorm = x < FLT_MIN;
  if (denorm) x = fround(x * 2 ** 100);
  F32[0] = x;
  const bits = F32_U32[0]!;
  let exponent = (bits >>> 23) - 126;
  if (denorm) exponent -= 100;
  F32_U32[0] = (bits & 0x7fffff) | (126 << 23);
  let m = F32[0]!;
  if (m <= SQRT1_2F) {
    m = m + m;
    exponent -= 1;
  }
  m = fround(m - 1);
  let num = fma32(LOG_P[5], m, LOG_P[4]);
  num = fma32(num, m, LOG_P[3]);
  num = fma32(num, m, LOG_P[2]);
  num = fma32(num, m, LOG_P[1]);
  num = fma32(num, m, LOG_P[0]);
  let den = fma32(LOG_Q[5], m, LOG_Q[4]);
  den = fma32(den, m, LOG_Q[3]);
  den = fma32(den, m, LOG_Q[2]);
  den = fma32(den, m, LOG_Q[1]);
  den = fma32(den, m, LOG_Q[0]);
  const poly = fround(num / den);
  return fma32(exponent, LOGE2F, poly);
}

// ---------------------------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------------------------

/** How the bin centres of a histogram are typed in skimage (drives float32 emulation). */
export type CenterKind = 'int' | 'float32' | 'float64';

export interface Histogram {
  /** Count per bin (float64, as skimage's `counts.astype(float)`). */
  counts: Float64Array;
  /** Bin centres: integers for integer images, float32-rounded values for float32 images. */
  binCenters: Float64Array;
  kind: CenterKind;
  /** Image minimum and maximum (over all elements). */
  min: number;
  max: number;
}

export interface ImageRange {
  min: number;
  max: number;
  hasNaN: boolean;
}

const INT_DTYPES = new Set(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32']);

export function isIntegerImage(a: NDArray): boolean {
  return INT_DTYPES.has(a.dtype);
}

function checkSupported(a: NDArray, where: string): void {
  if (a.dtype === 'bool' || a.dtype === 'float16') {
    throw new Error(`${where}: dtype ${a.dtype} is not supported (use uint8, uint16, float32 or float64).`);
  }
  if (a.data.length === 0) throw new Error(`${where}: the image is empty.`);
}

/** Minimum, maximum and whether there is a NaN, in one pass (NaNs are skipped for min/max). */
/**
 * Branch-free min/max of d[start .. end) in two lanes, folded into acc = [min, max, flag]; `v - v`
 * is NaN exactly for NaN and ±Infinity, so the flag sum catches both.
 */
function rangeChunk(d: Num, start: number, end: number, acc: Float64Array): void {
  let mn = acc[0]!;
  let mx = acc[1]!;
  let flag = acc[2]!;
  let mn1 = mn;
  let mx1 = mx;
  let flag1 = 0;
  const m = end - ((end - start) & 1);
  let i = start;
  for (; i < m; i += 2) {
    const v = d[i]!;
    const w = d[i + 1]!;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    flag += v - v;
    mn1 = w < mn1 ? w : mn1;
    mx1 = w > mx1 ? w : mx1;
    flag1 += w - w;
  }
  if (i < end) {
    const v = d[i]!;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    flag += v - v;
  }
  acc[0] = mn1 < mn ? mn1 : mn;
  acc[1] = mx1 > mx ? mx1 : mx;
  acc[2] = flag + flag1;
}

export function imageRange(a: NDArray): ImageRange {
  const d = a.data as unknown as Num;
  const n = d.length;
  const acc = new Float64Array([Infinity, -Infinity, 0]);
  for (let s = 0; s < n; s += CHUNK) rangeChunk(d, s, Math.min(n, s + CHUNK), acc);
  let mn = acc[0]!;
  let mx = acc[1]!;
  const flag = acc[2]!;
  let i = 0;
  if (flag === 0) return { min: mn, max: mx, hasNaN: false };
  // Some NaN or infinite values: a careful pass.
  let hasNaN = false;
  mn = Infinity;
  mx = -Infinity;
  let seen = false;
  for (i = 0; i < n; i++) {
    const v = d[i]!;
    if (v !== v) {
      hasNaN = true;
      continue;
    }
    seen = true;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  if (!seen) return { min: NaN, max: NaN, hasNaN };
  return { min: mn, max: mx, hasNaN };
}

const MAX_INT_BINS = 1 << 26;

/** Count the four bytes of each word w[start .. end) (xor flipW) into one table per byte lane. */
function countWords8(w: Uint32Array, start: number, end: number, flipW: number, c0: Uint32Array, c1: Uint32Array, c2: Uint32Array, c3: Uint32Array): void {
  for (let i = start; i < end; i++) {
    const x = w[i]! ^ flipW;
    c0[x & 0xff]!++;
    c1[(x >>> 8) & 0xff]!++;
    c2[(x >>> 16) & 0xff]!++;
    c3[x >>> 24]!++;
  }
}

/** Count the two 16-bit halves of each word w[start .. end) (xor flipW) into one table per lane. */
function countWords16(w: Uint32Array, start: number, end: number, flipW: number, c0: Uint32Array, c1: Uint32Array): void {
  for (let i = start; i < end; i++) {
    const x = w[i]! ^ flipW;
    c0[x & 0xffff]!++;
    c1[x >>> 16]!++;
  }
}

/**
 * Counts of the values of an 8- or 16-bit integer array in a table of one entry per value of the dtype
 * (256 or 65536); value v is at index v + offset.
 */
function smallIntCounts(a: NDArray): { counts: Uint32Array; offset: number } {
  const d = a.data as unknown as Num;
  const n = d.length;
  let counts: Uint32Array;
  let offset: number;
  if (a.dtype === 'uint8' || a.dtype === 'int8') {
    offset = a.dtype === 'int8' ? 128 : 0;
    // Four interleaved tables: repeated values do not serialise on one counter.
    const c0 = new Uint32Array(256);
    const c1 = new Uint32Array(256);
    const c2 = new Uint32Array(256);
    const c3 = new Uint32Array(256);
    const u = a.dtype === 'int8' ? new Uint8Array((a.data as Int8Array).buffer, (a.data as Int8Array).byteOffset, n) : (a.data as Uint8Array);
    const flip = offset === 0 ? 0 : 0x80; // int8 viewed as uint8: v + 128 = u ^ 0x80
    // Head bytes up to 4-byte alignment, then whole 32-bit words (four bytes per load), then the tail.
    let i = 0;
    while (i < n && (u.byteOffset + i) % 4 !== 0) c0[u[i++]! ^ flip]!++;
    const words = (n - i) >> 2;
    if (words > 0) {
      const w = new Uint32Array(u.buffer, u.byteOffset + i, words);
      const flipW = flip * 0x01010101;
      for (let s = 0; s < words; s += CHUNK) countWords8(w, s, Math.min(words, s + CHUNK), flipW, c0, c1, c2, c3);
    }
    for (i += 4 * words; i < n; i++) c0[u[i]! ^ flip]!++;
    counts = c0;
    for (let k = 0; k < 256; k++) counts[k] = c0[k]! + c1[k]! + c2[k]! + c3[k]!;
  } else {
    offset = a.dtype === 'int16' ? 32768 : 0;
    counts = new Uint32Array(65536);
    const u = a.dtype === 'int16' ? new Uint16Array((a.data as Int16Array).buffer, (a.data as Int16Array).byteOffset, n) : (a.data as Uint16Array);
    const flip = offset === 0 ? 0 : 0x8000; // int16 viewed as uint16: v + 32768 = u ^ 0x8000
    const c1 = new Uint32Array(65536);
    let i = 0;
    if (u.byteOffset % 4 !== 0 && n > 0) counts[u[i++]! ^ flip]!++;
    const words = (n - i) >> 1;
    if (words > 0) {
      const w = new Uint32Array(u.buffer, u.byteOffset + 2 * i, words);
      const flipW = flip * 0x00010001;
      for (let s = 0; s < words; s += CHUNK) countWords16(w, s, Math.min(words, s + CHUNK), flipW, counts, c1);
    }
    for (i += 2 * words; i < n; i++) counts[u[i]! ^ flip]!++;
    for (let k = 0; k < 65536; k++) counts[k] = counts[k]! + c1[k]!;
  }
  return { counts, offset };
}

const isSmallInt = (dtype: string): boolean => dtype === 'uint8' || dtype === 'int8' || dtype === 'uint16' || dtype === 'int16';

/** The bins of a 32-bit integer image whose values span `r`: index v - r.min (at most MAX_INT_BINS). */
function wideIntSpan(r: ImageRange): number {
  const span = r.max - r.min + 1;
  if (span > MAX_INT_BINS) {
    throw new Error(`histogram: integer image range [${r.min}, ${r.max}] needs ${span} bins (more than ${MAX_INT_BINS}).`);
  }
  return span;
}

/** Add the values of a 32-bit integer array into `counts` at index v + offset. */
function addWideIntCounts(a: NDArray, counts: Uint32Array | Float64Array, offset: number): void {
  const d = a.data as unknown as Num;
  const n = d.length;
  for (let i = 0; i < n; i++) counts[d[i]! + offset]!++;
}

/** The histogram of value counts (index v + offset), trimmed to the values from the minimum to the maximum. */
function intHistogramOf(counts: ArrayLike<number>, offset: number): Histogram {
  let lo = 0;
  while (counts[lo] === 0) lo++;
  let hi = counts.length - 1;
  while (counts[hi] === 0) hi--;
  const nb = hi - lo + 1;
  const c = new Float64Array(nb);
  const centers = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    c[k] = counts[lo + k]!;
    centers[k] = lo + k - offset;
  }
  return { counts: c, binCenters: centers, kind: 'int', min: lo - offset, max: hi - offset };
}

function intHistogram(a: NDArray): Histogram {
  if (isSmallInt(a.dtype)) {
    const { counts, offset } = smallIntCounts(a);
    return intHistogramOf(counts, offset);
  }
  const r = imageRange(a);
  const counts = new Uint32Array(wideIntSpan(r));
  addWideIntCounts(a, counts, -r.min);
  return intHistogramOf(counts, -r.min);
}

/**
 * Bin edges as numpy computes them: `np.linspace(first, last, nbins + 1)` in float64 (arange * step
 * + start, last edge set to stop), then cast to the image's float type.
 */
function linspaceEdges(first: number, last: number, nbins: number, f32: boolean): Float64Array {
  const e = new Float64Array(nbins + 1);
  const delta = last - first;
  const step = delta / nbins;
  for (let i = 0; i <= nbins; i++) {
    const y = step === 0 ? (i / nbins) * delta + first : i * step + first;
    e[i] = f32 ? fround(y) : y;
  }
  e[nbins] = f32 ? fround(last) : last;
  return e;
}

/**
 * The bin of every value as numpy's equal-bin histogram assigns it (the bin whose edges bracket
 * it, the last bin closed), for bins at least 16 ulps wide. The edge table is padded with
 * +Infinity so that the last bin never steps up, and counts go to four tables so that runs of one
 * bin do not serialise on one counter.
 */
function binFast(d: Float32Array | Float64Array, first: number, norm: number, edges: Float64Array, nbins: number, out: Uint32Array): void {
  const n = d.length;
  const e = new Float64Array(nbins + 2);
  e.set(edges.subarray(0, nbins));
  e[nbins] = Infinity;
  e[nbins + 1] = Infinity;
  const c = new Uint32Array(4 * (nbins + 1));
  const c0 = c.subarray(0, nbins + 1);
  const c1 = c.subarray(nbins + 1, 2 * (nbins + 1));
  const c2 = c.subarray(2 * (nbins + 1), 3 * (nbins + 1));
  const c3 = c.subarray(3 * (nbins + 1));
  for (let s = 0; s < n; s += CHUNK) binChunk(d, s, Math.min(n, s + CHUNK), first, norm, e, c0, c1, c2, c3);
  for (let k = 0; k < nbins; k++) out[k] = out[k]! + c0[k]! + c1[k]! + c2[k]! + c3[k]!;
}

function binChunk(
  d: Float32Array | Float64Array,
  start: number,
  end: number,
  first: number,
  norm: number,
  e: Float64Array,
  c0: Uint32Array,
  c1: Uint32Array,
  c2: Uint32Array,
  c3: Uint32Array,
): void {
  // Estimate (within one bin of the edge-defined bin), then one correction step against the
  // edges, as numpy does; the estimate nbins (v == last) meets e[nbins] = +Infinity and steps down.
  const m = end - ((end - start) & 3);
  let i = start;
  for (; i < m; i += 4) {
    let v = d[i]!;
    let k = ((v - first) * norm) | 0;
    if (v < e[k]!) k--;
    else if (v >= e[k + 1]!) k++;
    c0[k]!++;
    v = d[i + 1]!;
    k = ((v - first) * norm) | 0;
    if (v < e[k]!) k--;
    else if (v >= e[k + 1]!) k++;
    c1[k]!++;
    v = d[i + 2]!;
    k = ((v - first) * norm) | 0;
    if (v < e[k]!) k--;
    else if (v >= e[k + 1]!) k++;
    c2[k]!++;
    v = d[i + 3]!;
    k = ((v - first) * norm) | 0;
    if (v < e[k]!) k--;
    else if (v >= e[k + 1]!) k++;
    c3[k]!++;
  }
  for (; i < end; i++) {
    const v = d[i]!;
    let k = ((v - first) * norm) | 0;
    if (v < e[k]!) k--;
    else if (v >= e[k + 1]!) k++;
    c0[k]!++;
  }
}

/** numpy's equal bins of a float image over its range: edges, scale and which binning applies. */
interface FloatBins {
  nbins: number;
  f32: boolean;
  first: number;
  norm: number;
  edges: Float64Array;
  /** Bins at least 16 ulps wide: the fast estimate-and-correct binning gives numpy's bins. */
  fast: boolean;
  range: ImageRange;
}

function floatBins(r: ImageRange, nbins: number, f32: boolean): FloatBins {
  if (!Number.isInteger(nbins) || nbins < 1) throw new Error(`histogram: nbins must be a positive integer, got ${nbins}.`);
  if (r.hasNaN || !Number.isFinite(r.min) || !Number.isFinite(r.max)) {
    const mn = r.hasNaN ? NaN : r.min;
    const mx = r.hasNaN ? NaN : r.max;
    throw new Error(`histogram: autodetected range of [${mn}, ${mx}] is not finite (the image has NaN or infinite values).`);
  }
  let first = r.min;
  let last = r.max;
  let norm: number;
  if (first === last) {
    // numpy: first_edge - 0.5 / last_edge + 0.5 as float64 scalars; their difference in float64.
    first -= 0.5;
    last += 0.5;
    norm = nbins / (last - first);
  } else {
    // float32 scalars subtract in float32; nbins / np.float32 is float64.
    norm = nbins / (f32 ? fround(last - first) : last - first);
  }
  const edges = linspaceEdges(first, last, nbins, f32);
  const scale = Math.max(Math.abs(first), Math.abs(last));
  // Bins at least 16 ulps wide: numpy's estimate (float32 arithmetic for float32 images) and this
  // float64 one both land within one bin of the bin defined by the edges, and one correction step
  // against the edges then gives that same bin.
  const fast = r.min !== r.max && (last - first) / nbins > scale * (f32 ? 2 ** -19 : 2 ** -48);
  return { nbins, f32, first, norm, edges, fast, range: r };
}

/** Add the bin counts of the values of `a` into `cnt` (numpy's bin of each value). */
function addFloatCounts(a: NDArray, b: FloatBins, cnt: Uint32Array): void {
  const d = a.data as unknown as Num;
  const n = d.length;
  const { nbins, first, norm, edges } = b;
  if (b.fast) {
    binFast(d as Float32Array | Float64Array, first, norm, edges, nbins, cnt);
    return;
  }
  // Constant image or bins narrower than the float spacing: numpy's arithmetic step by step.
  const r32 = b.f32 ? fround : (x: number): number => x;
  const firstS = r32(first);
  const normS = r32(norm);
  const top = nbins - 1;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    let k = Math.trunc(r32(r32(v - firstS) * normS));
    if (k === nbins) k--;
    if (v < edges[k]!) k--;
    if (k !== top && v >= edges[k + 1]!) k++;
    cnt[k]!++;
  }
}

function floatHistogramOf(b: FloatBins, cnt: ArrayLike<number>): Histogram {
  const { nbins, f32, edges } = b;
  const counts = new Float64Array(nbins);
  const centers = new Float64Array(nbins);
  for (let k = 0; k < nbins; k++) {
    counts[k] = cnt[k]!;
    centers[k] = f32 ? fround(edges[k]! + edges[k + 1]!) / 2 : (edges[k]! + edges[k + 1]!) / 2;
  }
  return { counts, binCenters: centers, kind: f32 ? 'float32' : 'float64', min: b.range.min, max: b.range.max };
}

function floatHistogram(a: NDArray, nbins: number, range: ImageRange | undefined): Histogram {
  const b = floatBins(range ?? imageRange(a), nbins, a.dtype === 'float32');
  const cnt = new Uint32Array(nbins);
  addFloatCounts(a, b, cnt);
  return floatHistogramOf(b, cnt);
}

/**
 * `skimage.exposure.histogram(image.ravel(), nbins, source_range='image')`. `nbins` is ignored for
 * integer images (one bin per value). `range` may pass a precomputed `imageRange(a)` (float images)
 * to save a pass.
 */
export function histogram(a: NDArray, nbins = 256, range?: ImageRange): Histogram {
  checkSupported(a, 'histogram');
  if (isIntegerImage(a)) return intHistogram(a);
  return floatHistogram(a, nbins, range);
}

/** The range of all blocks seen so far, as imageRange gives it for the whole array. */
function mergeRange(acc: ImageRange | null, r: ImageRange): ImageRange {
  if (!acc) return r;
  const seen = (x: ImageRange) => !Number.isNaN(x.min);
  if (!seen(r)) return { ...acc, hasNaN: acc.hasNaN || r.hasNaN };
  if (!seen(acc)) return { ...r, hasNaN: acc.hasNaN || r.hasNaN };
  return { min: Math.min(acc.min, r.min), max: Math.max(acc.max, r.max), hasNaN: acc.hasNaN || r.hasNaN };
}

/**
 * `histogram()` of an array seen block by block (out of core), with the same result as `histogram()`
 * of the whole array: counts are exact sums over the blocks. 8- and 16-bit integer arrays need one pass
 * (`add` every block); float and 32-bit integer arrays need their range first: `addRange` every block,
 * then `add` every block (`needsRange`).
 */
export interface HistogramBuilder {
  readonly needsRange: boolean;
  addRange(block: NDArray): void;
  add(block: NDArray): void;
  /** The range over every block given to addRange (or, without a range pass, to add). */
  range(): ImageRange;
  /** Elements counted. */
  readonly count: number;
  result(): Histogram;
}

export function histogramBuilder(dtype: NDArray['dtype'], nbins = 256): HistogramBuilder {
  if (dtype === 'bool' || dtype === 'float16') throw new Error(`histogram: dtype ${dtype} is not supported (use uint8, uint16, float32 or float64).`);
  const integer = INT_DTYPES.has(dtype);
  const small = isSmallInt(dtype);
  let range: ImageRange | null = null;
  let totals: Float64Array | null = null;
  let offset = 0;
  let bins: FloatBins | null = null;
  let count = 0;
  const checkBlock = (b: NDArray) => {
    if (b.dtype !== dtype) throw new Error(`histogram: a ${b.dtype} block in a ${dtype} array.`);
  };
  /** Counts per block (exact in uint32), summed into float64 totals (exact up to 2^53 elements). */
  const addCounts = (c: Uint32Array) => {
    for (let k = 0; k < c.length; k++) if (c[k]) totals![k] = totals![k]! + c[k]!;
  };
  return {
    needsRange: !small,
    get count() {
      return count;
    },
    addRange(block) {
      checkBlock(block);
      if (totals) throw new Error('histogram: addRange after add.');
      if (block.data.length) range = mergeRange(range, imageRange(block));
    },
    add(block) {
      checkBlock(block);
      if (!totals) {
        if (small) {
          offset = dtype === 'int8' ? 128 : dtype === 'int16' ? 32768 : 0;
          totals = new Float64Array(dtype === 'uint8' || dtype === 'int8' ? 256 : 65536);
        } else {
          if (!range) throw new Error('histogram: the range pass (addRange over every block) must come first.');
          if (integer) {
            offset = -range.min;
            totals = new Float64Array(wideIntSpan(range));
          } else {
            bins = floatBins(range, nbins, dtype === 'float32');
            totals = new Float64Array(nbins);
          }
        }
      }
      if (block.data.length === 0) return;
      count += block.data.length;
      if (small) addCounts(smallIntCounts(block).counts);
      else if (integer) addWideIntCounts(block, totals, offset);
      else {
        const c = new Uint32Array(nbins);
        addFloatCounts(block, bins!, c);
        addCounts(c);
      }
    },
    range() {
      if (small) {
        const h = this.result();
        return { min: h.min, max: h.max, hasNaN: false };
      }
      if (!range) throw new Error('histogram: the image is empty.');
      return range;
    },
    result() {
      if (count === 0 || !totals) throw new Error('histogram: the image is empty.');
      return integer ? intHistogramOf(totals, offset) : floatHistogramOf(bins!, totals);
    },
  };
}
