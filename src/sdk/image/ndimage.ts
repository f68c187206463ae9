// n-D filters with scipy.ndimage semantics (scipy 1.10): gaussian_filter, uniform_filter,
// median_filter and generic_filter, enough for skimage's threshold_local.
//
// Bit-for-bit reproduction of scipy's arithmetic, so that `image > threshold_local(image)` gives
// the same mask even on flat regions (where the filtered value and the pixel are equal up to
// rounding):
// - separable filters run axis 0, 1, …, each pass reading the previous pass's output, in float64 with
//   the output rounded to the output dtype after every pass (`roundF32` for float32 images, where
//   skimage filters into a float32 array);
// - correlate1d with a symmetric kernel computes `x[0]*w[0] + Σ_{d=r..1} (x[-d] + x[d]) * w[d]`
//   (NI_Correlate1D's symmetric branch, outermost pair first);
// - the Gaussian kernel is `exp(-0.5 / sigma² * k²)` normalised by numpy's pairwise sum, radius
//   `int(truncate * sigma + 0.5)`; exp is correctly rounded (see histogram.ts `exp64`);
// - uniform_filter1d is NI_UniformFilter1D's running sum: `tmp = Σ window`, then
//   `tmp += x[i + size - 1] - x[i - 1]`, each output `tmp / size`;
// - boundary modes extend each line like NI_ExtendLine: 'reflect' (d c b a | a b c d | d c b a),
//   'mirror' (d c b | a b c d | c b a), 'nearest', 'wrap', 'constant' (cval).

import type { NDArray } from '../../core/ndarray';
import { exp64 } from './histogram';
import { pairwiseSum } from './numpySum';

export type ExtendMode = 'reflect' | 'mirror' | 'nearest' | 'wrap' | 'constant';

export const EXTEND_MODES: readonly ExtendMode[] = ['reflect', 'mirror', 'nearest', 'wrap', 'constant'];

export interface FilterOptions {
  /** Boundary mode (scipy names). Default 'reflect'. */
  mode?: ExtendMode;
  /** Value outside the image for mode 'constant'. Default 0. */
  cval?: number;
  /** Round every pass's output to float32 (scipy filtering into a float32 output array). */
  roundF32?: boolean;
}

type Num = ArrayLike<number>;

function checkMode(mode: string): ExtendMode {
  if (!(EXTEND_MODES as readonly string[]).includes(mode)) {
    throw new Error(`ndimage: unknown mode '${mode}'; expected one of ${EXTEND_MODES.join(', ')}.`);
  }
  return mode as ExtendMode;
}

/**
 * Index in [0, n) that position p (any integer) reads from, or -1 for mode 'constant' outside.
 * Equivalent to NI_ExtendLine's periodic extension for every extension length.
 */
export function mapIndex(p: number, n: number, mode: ExtendMode): number {
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return p < 0 ? 0 : n - 1;
    case 'wrap':
      return ((p % n) + n) % n;
    case 'mirror': {
      if (n === 1) return 0;
      const per = 2 * n - 2;
      const m = ((p % per) + per) % per;
      return m < n ? m : per - m;
    }
    default: {
      const per = 2 * n;
      const m = ((p % per) + per) % per;
      return m < n ? m : per - 1 - m;
    }
  }
}

/** Integer sizes/sigmas per axis from a scalar or a sequence (scipy `_normalize_sequence`). */
export function perAxis(v: number | readonly number[], ndim: number, what: string): number[] {
  if (typeof v === 'number') return Array.from({ length: ndim }, () => v);
  if (v.length !== ndim) throw new Error(`${what}: sequence argument must have length equal to input rank (${ndim}), got ${v.length}.`);
  return [...v];
}

/** Visit every 1-D line along `axis` of a row-major array of `shape`: fn(base, stride, length). */
function forEachLine(shape: readonly number[], axis: number, fn: (base: number, stride: number) => void): void {
  let stride = 1;
  for (let k = shape.length - 1; k > axis; k--) stride *= shape[k]!;
  const len = shape[axis]!;
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  const block = stride * len;
  for (let o = 0; o < outer; o++) {
    const b0 = o * block;
    for (let i = 0; i < stride; i++) fn(b0 + i, stride);
  }
}

/** Fill ext[0 .. before + n + after) with line src[base + j*stride] extended by `mode`. */
function loadLine(src: Num, base: number, stride: number, n: number, before: number, after: number, ext: Float64Array, mode: ExtendMode, cval: number): void {
  for (let j = 0; j < n; j++) ext[before + j] = src[base + j * stride]!;
  for (let j = 1; j <= before; j++) {
    const k = mapIndex(-j, n, mode);
    ext[before - j] = k < 0 ? cval : ext[before + k]!;
  }
  for (let j = 0; j < after; j++) {
    const k = mapIndex(n + j, n, mode);
    ext[before + n + j] = k < 0 ? cval : ext[before + k]!;
  }
}

/** scipy `_gaussian_kernel1d(sigma, 0, radius)`: exp(-0.5/sigma² * k²) / sum (numpy pairwise). */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  const c = -0.5 / (sigma * sigma);
  const n = 2 * radius + 1;
  const phi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i - radius;
    phi[i] = exp64(c * (k * k));
  }
  const s = pairwiseSum(phi, 0, n);
  for (let i = 0; i < n; i++) phi[i] = phi[i]! / s;
  return phi;
}

/**
 * scipy.ndimage.correlate1d(input, weights, axis, mode=mode, cval=cval, origin=0) written into `out`
 * (which may be `src`). Symmetric kernels (within DBL_EPSILON) use scipy's folded evaluation.
 */
export function correlate1d(src: Num, shape: readonly number[], weights: Float64Array, axis: number, out: Float64Array, opts: FilterOptions = {}): void {
  const mode = checkMode(opts.mode ?? 'reflect');
  const cval = opts.cval ?? 0;
  const r32 = opts.roundF32 === true;
  const fs = weights.length;
  const size1 = Math.floor(fs / 2);
  const size2 = fs - size1 - 1;
  let symmetric = 0;
  if (fs & 1) {
    symmetric = 1;
    for (let i = 1; i <= size1; i++) {
      if (Math.abs(weights[i + size1]! - weights[size1 - i]!) > Number.EPSILON) {
        symmetric = 0;
        break;
      }
    }
    if (symmetric === 0) {
      symmetric = -1;
      for (let i = 1; i <= size1; i++) {
        if (Math.abs(weights[size1 + i]! + weights[size1 - i]!) > Number.EPSILON) {
          symmetric = 0;
          break;
        }
      }
    }
  }
  const n = shape[axis]!;
  const ext = new Float64Array(n + size1 + size2);
  const w0 = weights[size1]!;
  forEachLine(shape, axis, (base, stride) => {
    loadLine(src, base, stride, n, size1, size2, ext, mode, cval);
    for (let l = 0; l < n; l++) {
      const c = l + size1;
      let acc: number;
      if (symmetric > 0) {
        acc = ext[c]! * w0;
        for (let j = -size1; j < 0; j++) acc += (ext[c + j]! + ext[c - j]!) * weights[size1 + j]!;
      } else if (symmetric < 0) {
        acc = ext[c]! * w0;
        for (let j = -size1; j < 0; j++) acc += (ext[c + j]! - ext[c - j]!) * weights[size1 + j]!;
      } else {
        acc = ext[c + size2]! * weights[size1 + size2]!;
        for (let j = -size1; j < size2; j++) acc += ext[c + j]! * weights[size1 + j]!;
      }
      out[base + l * stride] = r32 ? Math.fround(acc) : acc;
    }
  });
}

/** scipy.ndimage.uniform_filter1d(input, size, axis, mode=mode, cval=cval) into `out` (may be `src`). */
export function uniformFilter1d(src: Num, shape: readonly number[], size: number, axis: number, out: Float64Array, opts: FilterOptions = {}): void {
  if (!Number.isInteger(size) || size < 1) throw new Error(`uniform_filter1d: incorrect filter size ${size}.`);
  const mode = checkMode(opts.mode ?? 'reflect');
  const cval = opts.cval ?? 0;
  const r32 = opts.roundF32 === true;
  const size1 = Math.floor(size / 2);
  const size2 = size - size1 - 1;
  const n = shape[axis]!;
  const ext = new Float64Array(n + size1 + size2);
  forEachLine(shape, axis, (base, stride) => {
    loadLine(src, base, stride, n, size1, size2, ext, mode, cval);
    let tmp = 0;
    for (let l = 0; l < size; l++) tmp += ext[l]!;
    out[base] = r32 ? Math.fround(tmp / size) : tmp / size;
    for (let l = 1; l < n; l++) {
      tmp += ext[l + size - 1]! - ext[l - 1]!;
      out[base + l * stride] = r32 ? Math.fround(tmp / size) : tmp / size;
    }
  });
}

function toFloat64Work(a: NDArray, r32: boolean): Float64Array {
  const d = a.data as unknown as Num;
  const w = new Float64Array(d.length);
  if (r32) for (let i = 0; i < d.length; i++) w[i] = Math.fround(d[i]!);
  else w.set(d);
  return w;
}

function result(shape: readonly number[], data: Float64Array): NDArray<'float64'> {
  return { dtype: 'float64', shape: [...shape], data };
}

export interface GaussianOptions extends FilterOptions {
  /** Radius in standard deviations. Default 4.0. */
  truncate?: number;
}

/**
 * scipy.ndimage.gaussian_filter(input, sigma, mode=mode, cval=cval, truncate=truncate) as float64
 * (float32-rounded after every pass with `roundF32`). Axes with sigma <= 1e-15 are skipped, as in
 * scipy.
 */
export function gaussianFilter(a: NDArray, sigma: number | readonly number[], opts: GaussianOptions = {}): NDArray<'float64'> {
  const nd = a.shape.length;
  const sig = perAxis(sigma, nd, 'gaussian_filter');
  if (sig.some((s) => !(s >= 0))) throw new Error('gaussian_filter: sigma values less than zero are not valid.');
  const truncate = opts.truncate ?? 4.0;
  const r32 = opts.roundF32 === true;
  const out = toFloat64Work(a, r32);
  for (let ax = 0; ax < nd; ax++) {
    const s = sig[ax]!;
    if (!(s > 1e-15)) continue;
    const radius = Math.trunc(truncate * s + 0.5);
    const w = gaussianKernel1d(s, radius);
    correlate1d(out, a.shape, w, ax, out, opts);
  }
  return result(a.shape, out);
}

/** scipy.ndimage.uniform_filter(input, size, mode=mode, cval=cval); axes with size <= 1 are skipped. */
export function uniformFilter(a: NDArray, size: number | readonly number[], opts: FilterOptions = {}): NDArray<'float64'> {
  const nd = a.shape.length;
  const sizes = perAxis(size, nd, 'uniform_filter');
  const out = toFloat64Work(a, opts.roundF32 === true);
  for (let ax = 0; ax < nd; ax++) {
    const s = sizes[ax]!;
    if (!(s > 1)) continue;
    uniformFilter1d(out, a.shape, Math.trunc(s), ax, out, opts);
  }
  return result(a.shape, out);
}

/**
 * Visit every pixel with the values of its size[0] × size[1] × … window (row-major footprint
 * order, origin 0, out-of-range positions mapped by `mode`), as scipy's generic/rank filters see it.
 */
function windowFilter(
  a: NDArray,
  size: number | readonly number[],
  opts: FilterOptions,
  what: string,
  reduce: (w: Float64Array) => number,
): NDArray<'float64'> {
  const nd = a.shape.length;
  const sizes = perAxis(size, nd, what).map((s) => {
    if (!Number.isInteger(s) || s < 1) throw new Error(`${what}: window sizes must be positive integers, got ${s}.`);
    return s;
  });
  const mode = checkMode(opts.mode ?? 'reflect');
  const cval = opts.cval ?? 0;
  const r32 = opts.roundF32 === true;
  const shape = a.shape;
  const d = a.data as unknown as Num;
  const total = d.length;
  const out = new Float64Array(total);
  if (total === 0) return result(shape, out);
  const strides: number[] = Array.from({ length: nd }, () => 1);
  for (let k = nd - 2; k >= 0; k--) strides[k] = strides[k + 1]! * shape[k + 1]!;
  // Per axis: for coordinate c and window offset o (0..size-1), the source index * stride (or -1).
  const maps: Int32Array[] = [];
  for (let ax = 0; ax < nd; ax++) {
    const n = shape[ax]!;
    const s = sizes[ax]!;
    const h = Math.floor(s / 2);
    const m = new Int32Array(n * s);
    for (let c = 0; c < n; c++) {
      for (let o = 0; o < s; o++) {
        const k = mapIndex(c + o - h, n, mode);
        m[c * s + o] = k < 0 ? -1 : k * strides[ax]!;
      }
    }
    maps.push(m);
  }
  const wsize = sizes.reduce((x, y) => x * y, 1);
  const win = new Float64Array(wsize);
  const coord: number[] = Array.from({ length: nd }, () => 0);
  const wo: number[] = Array.from({ length: nd }, () => 0);
  for (let p = 0; p < total; p++) {
    // Enumerate the window in row-major order with an odometer over offsets.
    wo.fill(0);
    for (let q = 0; q < wsize; q++) {
      let idx = 0;
      let outside = false;
      for (let ax = 0; ax < nd; ax++) {
        const v = maps[ax]![coord[ax]! * sizes[ax]! + wo[ax]!]!;
        if (v < 0) {
          outside = true;
          break;
        }
        idx += v;
      }
      win[q] = outside ? cval : d[idx]!;
      for (let ax = nd - 1; ax >= 0; ax--) {
        if (++wo[ax]! < sizes[ax]!) break;
        wo[ax] = 0;
      }
    }
    const v = reduce(win);
    out[p] = r32 ? Math.fround(v) : v;
    for (let ax = nd - 1; ax >= 0; ax--) {
      if (++coord[ax]! < shape[ax]!) break;
      coord[ax] = 0;
    }
  }
  return result(shape, out);
}

/** k-th smallest of w (Hoare quickselect, in place). */
function selectKth(w: Float64Array, k: number): number {
  let lo = 0;
  let hi = w.length - 1;
  while (hi > lo) {
    const pivot = w[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (w[i]! < pivot) i++;
      while (w[j]! > pivot) j--;
      if (i <= j) {
        const t = w[i]!;
        w[i] = w[j]!;
        w[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return w[k]!;
}

/** scipy.ndimage.median_filter(input, size, mode=mode, cval=cval) (rank size // 2 of the window). */
export function medianFilter(a: NDArray, size: number | readonly number[], opts: FilterOptions = {}): NDArray<'float64'> {
  let rank = -1;
  return windowFilter(a, size, opts, 'median_filter', (w) => {
    if (rank < 0) rank = Math.floor(w.length / 2);
    return selectKth(w, rank);
  });
}

/**
 * scipy.ndimage.generic_filter(input, fn, size, mode=mode, cval=cval): fn gets the window values
 * (a reused Float64Array, row-major footprint order) and returns the output value.
 */
export function genericFilter(
  a: NDArray,
  fn: (window: Float64Array) => number,
  size: number | readonly number[],
  opts: FilterOptions = {},
): NDArray<'float64'> {
  return windowFilter(a, size, opts, 'generic_filter', fn);
}
