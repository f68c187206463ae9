// Sub-pixel translation registration by (phase) cross-correlation: a port of scikit-image 0.19.3
// skimage.registration.phase_cross_correlation (without masks), including the upsampled
// matrix-multiply DFT refinement (`_upsampled_dft`) of Guizar-Sicairos et al. (2008).
//
// Works for n-D arrays of any size (the FFT in ./fft handles every length). Inputs are used with
// their raw values, as skimage does (no img_as_float). Real-input transform: each reference row
// and moving row go through one complex FFT along the last axis (real and imaginary part) and are
// separated by Hermitian symmetry into their ⌊n/2⌋ + 1 non-negative frequencies; the leading axes
// are transformed on those half spectra only. The cross-power spectrum is Hermitian, so it is built,
// normalised and inverted (inverse real FFT) on the half spectrum, and the upsampled DFT computes
// only half of its first contraction. Arithmetic is
// float64 throughout; for float32 input skimage works in complex64, so its error/phasediff differ
// from ours in the float32 digits, and the "phase" normalisation floor uses float32's eps as
// skimage does.
//
// algobox extension: `maxShift` restricts the whole-pixel peak search to |shift| ≤ maxShift[axis]
// (wrapped shifts, as reported). The sub-pixel refinement then searches ±0.75 px around that peak,
// so the returned shift can exceed maxShift by at most 0.75 px along an axis.

import { assertNDArray, sizeOf, stridesOf, type NDArray } from '../../core/ndarray';
import { fftfreq, fftnInPlace, getPlan, irfftn, type ComplexArray } from './fft';

export type { ComplexArray } from './fft';

export interface PhaseCrossCorrelationOptions {
  /** Registration precision is 1/upsampleFactor px. Default 1 (whole pixels, no refinement). */
  upsampleFactor?: number;
  /** 'real': inputs are images (FFT'd here). 'fourier': inputs are already spectra. Default 'real'. */
  space?: 'real' | 'fourier';
  /** 'phase' (default): normalise the cross-power spectrum to unit magnitude. null: plain cross-correlation. */
  normalization?: 'phase' | null;
  /**
   * algobox extension (not in skimage): per-axis bound on the whole-pixel shift searched for the
   * correlation peak (a single number applies to every axis). Refinement may add ≤ 0.75 px.
   */
  maxShift?: number[] | number;
  /**
   * algobox extension (not in skimage): with 'phase' normalisation, divide by
   * max(|P|, regularization × max|P|) instead of max(|P|, 100·eps). Pure phase normalisation turns
   * round-off at frequencies the images do not contain into unit-magnitude noise, which ruins the peak
   * for images with a sparse spectrum (smooth synthetic textures, float64 input); a small value such
   * as 1e-6 keeps real frequencies at unit magnitude and those at their (tiny) size. Default 0 (skimage).
   */
  regularization?: number;
}

export interface PhaseCrossCorrelationResult {
  /** Shift (pixels, axis order as the array: z, y, x) that registers `moving` with `reference`. */
  shift: number[];
  /** Translation-invariant normalised RMS error between the images. */
  error: number;
  /** Global phase difference (zero for non-negative real images). */
  phasediff: number;
}

const EPS64 = 2.220446049250313e-16;
const EPS32 = 1.1920928955078125e-7;

function isComplexArray(x: unknown): x is ComplexArray {
  return typeof x === 'object' && x !== null && 're' in x && 'im' in x && 'shape' in x;
}

function toFloat64(a: NDArray): Float64Array {
  if (a.dtype === 'float64') return a.data as Float64Array;
  const n = a.data.length;
  const out = new Float64Array(n);
  const src = a.data as unknown as ArrayLike<number>;
  for (let i = 0; i < n; i++) out[i] = src[i]!;
  return out;
}

/** Per-axis table of the linear offset of the mirrored index (−c mod n) · stride. */
function mirrorTables(shape: readonly number[]): Int32Array[] {
  const strides = stridesOf(shape);
  return shape.map((n, a) => {
    const t = new Int32Array(n);
    for (let c = 0; c < n; c++) t[c] = ((n - c) % n) * strides[a]!;
    return t;
  });
}

/** Linear index of the mirrored element (−c mod n on every axis) for every element, C order. */
function mirrorIndex(shape: readonly number[]): Int32Array {
  const nd = shape.length;
  const tables = mirrorTables(shape);
  const last = shape[nd - 1]!;
  const lastT = tables[nd - 1]!;
  const total = sizeOf(shape);
  const out = new Int32Array(total);
  const outer = total / last;
  const coord = Array.from({ length: Math.max(0, nd - 1) }, () => 0);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    let mb = 0;
    for (let a = 0; a < nd - 1; a++) mb += tables[a]![coord[a]!]!;
    for (let x = 0; x < last; x++, k++) out[k] = mb + lastT[x]!;
    for (let a = nd - 2; a >= 0; a--) {
      if (++coord[a]! < shape[a]!) break;
      coord[a] = 0;
    }
  }
  return out;
}

/** numpy.round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Dot products of `rows` contiguous data rows (length n) with U kernel rows: out[r·U + u] =
 * Σ_j K[u, j] · data[r·n + j], for the listed rows, blocked 2 rows × 2 kernel rows.
 */
function contractRows(
  re: Float64Array,
  im: Float64Array,
  n: number,
  kRe: Float64Array,
  kIm: Float64Array,
  U: number,
  rowList: Int32Array,
  oRe: Float64Array,
  oIm: Float64Array,
): void {
  for (let t = 0; t < rowList.length; t += 2) {
    const r0 = rowList[t]!;
    const two = t + 1 < rowList.length;
    const r1 = two ? rowList[t + 1]! : r0;
    const ib = r0 * n;
    const ib2 = r1 * n;
    for (let u = 0; u < U; u += 2) {
      const uu = u + 1 < U;
      const ka = u * n;
      const kb = uu ? ka + n : ka;
      let s00r = 0;
      let s00i = 0;
      let s01r = 0;
      let s01i = 0;
      let s10r = 0;
      let s10i = 0;
      let s11r = 0;
      let s11i = 0;
      for (let j = 0; j < n; j++) {
        const ar = kRe[ka + j]!;
        const ai = kIm[ka + j]!;
        const br = kRe[kb + j]!;
        const bi = kIm[kb + j]!;
        const xr = re[ib + j]!;
        const xi = im[ib + j]!;
        const yr = re[ib2 + j]!;
        const yi = im[ib2 + j]!;
        s00r += ar * xr - ai * xi;
        s00i += ar * xi + ai * xr;
        s01r += br * xr - bi * xi;
        s01i += br * xi + bi * xr;
        s10r += ar * yr - ai * yi;
        s10i += ar * yi + ai * yr;
        s11r += br * yr - bi * yi;
        s11i += br * yi + bi * yr;
      }
      oRe[r0 * U + u] = s00r;
      oIm[r0 * U + u] = s00i;
      if (uu) {
        oRe[r0 * U + u + 1] = s01r;
        oIm[r0 * U + u + 1] = s01i;
      }
      if (two) {
        oRe[r1 * U + u] = s10r;
        oIm[r1 * U + u] = s10i;
        if (uu) {
          oRe[r1 * U + u + 1] = s11r;
          oIm[r1 * U + u + 1] = s11i;
        }
      }
    }
  }
}

/**
 * Upsampled DFT around a region (skimage `_upsampled_dft` applied to conj(P), then conjugated):
 * out[u] = Σ_k P[k] · Π_axes exp(+2πi (u_a − offset_a) · fftfreq(n_a, up)[k_a]), u_a ∈ [0, size).
 * Contracts the last axis first, like skimage's tensordot sequence. With `hermitian` (P[−k] =
 * conj P[k], i.e. P comes from real images), the first contraction is computed for half of the
 * rows only: row −r is conj(row r) plus the correction for the unpaired Nyquist column.
 */
export function upsampledCrossCorrelation(
  P: ComplexArray,
  regionSize: number,
  upsampleFactor: number,
  offsets: readonly number[],
  hermitian = false,
): ComplexArray {
  let shape = [...P.shape];
  let re = P.re;
  let im = P.im;
  const nd = shape.length;
  const U = regionSize;
  for (let a = nd - 1; a >= 0; a--) {
    const n = shape[a]!;
    const freq = fftfreq(n, upsampleFactor);
    const kRe = new Float64Array(U * n);
    const kIm = new Float64Array(U * n);
    for (let u = 0; u < U; u++) {
      const m = u - offsets[a]!;
      for (let j = 0; j < n; j++) {
        const ang = 2 * Math.PI * (m * freq[j]!);
        kRe[u * n + j] = Math.cos(ang);
        kIm[u * n + j] = Math.sin(ang);
      }
    }
    // out[..., u, ...] = Σ_j K[u, j] · in[..., j, ...] along axis a.
    let inner = 1;
    for (let i = a + 1; i < nd; i++) inner *= shape[i]!;
    const outer = re.length / (n * inner);
    const oRe = new Float64Array(outer * U * inner);
    const oIm = new Float64Array(outer * U * inner);
    if (inner === 1) {
      if (hermitian && a === nd - 1 && nd >= 2) {
        // Rows are indexed by the leading axes; mirror row = (−j0, …, −j_{d−2}) mod shape.
        const lead = shape.slice(0, -1);
        const mirror = mirrorIndex(lead);
        const canon: number[] = [];
        for (let r = 0; r < outer; r++) if (mirror[r]! >= r) canon.push(r);
        contractRows(re, im, n, kRe, kIm, U, Int32Array.from(canon), oRe, oIm);
        const nyq = n % 2 === 0 ? n / 2 : -1;
        for (let r = 0; r < outer; r++) {
          const q = mirror[r]!;
          if (q >= r) continue;
          // out[r] = conj(out[q]) + P[r, N] · 2i·Im(K[u, N]) (N = Nyquist column, even n only)
          const pr = nyq >= 0 ? re[r * n + nyq]! : 0;
          const pi = nyq >= 0 ? im[r * n + nyq]! : 0;
          for (let u = 0; u < U; u++) {
            const s2 = nyq >= 0 ? 2 * kIm[u * n + nyq]! : 0;
            oRe[r * U + u] = oRe[q * U + u]! - s2 * pi;
            oIm[r * U + u] = -oIm[q * U + u]! + s2 * pr;
          }
        }
      } else {
        contractRows(
          re,
          im,
          n,
          kRe,
          kIm,
          U,
          Int32Array.from({ length: outer }, (_, r) => r),
          oRe,
          oIm,
        );
      }
    } else {
      for (let o = 0; o < outer; o++) {
        const ib = o * n * inner;
        const ob = o * U * inner;
        for (let u = 0; u < U; u++) {
          const kb = u * n;
          const orow = ob + u * inner;
          for (let j = 0; j < n; j++) {
            const cr = kRe[kb + j]!;
            const ci = kIm[kb + j]!;
            const irow = ib + j * inner;
            for (let c = 0; c < inner; c++) {
              const xr = re[irow + c]!;
              const xi = im[irow + c]!;
              oRe[orow + c] = oRe[orow + c]! + (cr * xr - ci * xi);
              oIm[orow + c] = oIm[orow + c]! + (cr * xi + ci * xr);
            }
          }
        }
      }
    }
    re = oRe;
    im = oIm;
    shape = [...shape.slice(0, a), U, ...shape.slice(a + 1)];
  }
  return { shape, re, im };
}

/** Index of max |z| (first in C order; a NaN wins, as numpy.argmax), optionally only over per-axis allowed index lists. */
function argmaxAbs(z: { shape: readonly number[]; re: Float64Array; im: Float64Array | null }, allowed?: number[][]): number {
  const { re, im, shape } = z;
  let best = -1;
  let bestV = -Infinity;
  if (!allowed) {
    const n = re.length;
    for (let k = 0; k < n; k++) {
      const r = re[k]!;
      const i = im ? im[k]! : 0;
      const v = r * r + i * i;
      if (v > bestV) {
        bestV = v;
        best = k;
      } else if (v !== v) return k;
    }
    return best;
  }
  // Odometer over the Cartesian product of allowed indices, in C order.
  const nd = shape.length;
  const strides = stridesOf(shape);
  if (allowed.some((l) => l.length === 0)) return -1;
  const pos = Array.from({ length: nd }, () => 0);
  for (;;) {
    let k = 0;
    for (let a = 0; a < nd; a++) k += allowed[a]![pos[a]!]! * strides[a]!;
    const r = re[k]!;
    const i = im ? im[k]! : 0;
    const v = r * r + i * i;
    if (v !== v) return k;
    if (v > bestV) {
      bestV = v;
      best = k;
    }
    let a = nd - 1;
    for (; a >= 0; a--) {
      if (++pos[a]! < allowed[a]!.length) break;
      pos[a] = 0;
    }
    if (a < 0) break;
  }
  return best;
}

function unravel(k: number, shape: readonly number[]): number[] {
  const out = Array.from({ length: shape.length }, () => 0);
  for (let a = shape.length - 1; a >= 0; a--) {
    const n = shape[a]!;
    out[a] = k % n;
    k = Math.floor(k / n);
  }
  return out;
}

/** Half spectra along the last axis of rows of `a` (real part) and `b` (imaginary part) through one complex FFT per row pair, stored per row as [A (mh) | B (mh)]. */
function halfRowSpectra(a: NDArray['data'], b: NDArray['data'], rows: number, n: number, Hre: Float64Array, Him: Float64Array): void {
  const mh = Math.floor(n / 2) + 1;
  const w = 2 * mh;
  const plan = getPlan(n);
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const ib = r * n;
    copyRow(a, ib, n, zr);
    copyRow(b, ib, n, zi);
    plan.transform(zr, zi, 0, 1, false);
    // A[k] = (Z[k] + conj Z[−k]) / 2, B[k] = (Z[k] − conj Z[−k]) / 2i.
    const ob = r * w;
    for (let k = 0; k < mh; k++) {
      const q = k === 0 ? 0 : n - k;
      const ar = zr[k]!;
      const ai = zi[k]!;
      const br = zr[q]!;
      const bi = zi[q]!;
      Hre[ob + k] = 0.5 * (ar + br);
      Him[ob + k] = 0.5 * (ai - bi);
      Hre[ob + mh + k] = 0.5 * (ai + bi);
      Him[ob + mh + k] = 0.5 * (br - ar);
    }
  }
}

/** dst[0, n) = src[off, off + n), converted to float64 (native typed-array copy when possible). */
function copyRow(src: NDArray['data'], off: number, n: number, dst: Float64Array): void {
  if (ArrayBuffer.isView(src)) {
    dst.set((src as Float64Array).subarray(off, off + n));
    return;
  }
  const a = src as unknown as ArrayLike<number>;
  for (let j = 0; j < n; j++) dst[j] = a[off + j]!;
}

/**
 * P = A · conj(B) on the half spectrum ([A | B] rows → hr/hi, which may be the front of Hre/Him);
 * returns the full-spectrum energies of A and B.
 */
function halfCrossPower(Hre: Float64Array, Him: Float64Array, rows: number, n: number, hr: Float64Array, hi: Float64Array): [number, number] {
  const mh = Math.floor(n / 2) + 1;
  const w = 2 * mh;
  let sa = 0;
  let sb = 0;
  for (let r = 0; r < rows; r++) {
    const ib = r * w;
    const ob = r * mh;
    for (let k = 0; k < mh; k++) {
      const ar = Hre[ib + k]!;
      const ai = Him[ib + k]!;
      const br = Hre[ib + mh + k]!;
      const bi = Him[ib + mh + k]!;
      hr[ob + k] = ar * br + ai * bi;
      hi[ob + k] = ai * br - ar * bi;
      // Column k stands for itself and (when distinct) its mirror n − k, which has the same energy.
      const wgt = k === 0 || 2 * k === n ? 1 : 2;
      sa += wgt * (ar * ar + ai * ai);
      sb += wgt * (br * br + bi * bi);
    }
  }
  return [sa, sb];
}

/** Full Hermitian spectrum from its half: P[r, k] = conj P[mirror(r), n − k] for k ≥ mh. */
function expandHalf(hr: Float64Array, hi: Float64Array, mirror: Int32Array, n: number, Pre: Float64Array, Pim: Float64Array): void {
  const mh = Math.floor(n / 2) + 1;
  const rows = mirror.length;
  for (let r = 0; r < rows; r++) {
    const ob = r * n;
    const ib = r * mh;
    const mb = mirror[r]! * mh;
    for (let k = 0; k < mh; k++) {
      Pre[ob + k] = hr[ib + k]!;
      Pim[ob + k] = hi[ib + k]!;
    }
    for (let k = mh; k < n; k++) {
      Pre[ob + k] = hr[mb + n - k]!;
      Pim[ob + k] = -hi[mb + n - k]!;
    }
  }
}

/**
 * Sub-pixel translation between two images by phase cross-correlation (skimage 0.19.3
 * phase_cross_correlation without masks). `shift` is the translation that registers `moving`
 * with `reference` (apply it to `moving` to align it with `reference`).
 */
export function phaseCrossCorrelation(
  reference: NDArray | ComplexArray,
  moving: NDArray | ComplexArray,
  opts: PhaseCrossCorrelationOptions = {},
): PhaseCrossCorrelationResult {
  const upsampleFactor = opts.upsampleFactor ?? 1;
  const space = (opts.space ?? 'real').toLowerCase();
  const normalization = opts.normalization === undefined ? 'phase' : opts.normalization;
  if (!(typeof upsampleFactor === 'number' && upsampleFactor >= 1 && Number.isFinite(upsampleFactor))) {
    throw new Error(`phaseCrossCorrelation: upsampleFactor must be a number ≥ 1, got ${String(upsampleFactor)}.`);
  }
  if (normalization !== 'phase' && normalization !== null) {
    throw new Error('phaseCrossCorrelation: normalization must be either "phase" or null.');
  }
  if (space !== 'real' && space !== 'fourier') {
    throw new Error('phaseCrossCorrelation: space argument must be "real" or "fourier".');
  }
  const shapeOf = (x: NDArray | ComplexArray, field: string): number[] => {
    if (isComplexArray(x)) {
      const n = sizeOf(x.shape);
      if (!(x.re instanceof Float64Array) || !(x.im instanceof Float64Array) || x.re.length !== n || x.im.length !== n) {
        throw new Error(`phaseCrossCorrelation: ${field} complex data does not match shape [${x.shape.join(', ')}].`);
      }
      return [...x.shape];
    }
    assertNDArray(x, `phaseCrossCorrelation: ${field}`);
    return [...x.shape];
  };
  const shape = shapeOf(reference, 'reference');
  const mshape = shapeOf(moving, 'moving');
  if (shape.length !== mshape.length || shape.some((d, i) => d !== mshape[i])) {
    throw new Error(`phaseCrossCorrelation: images must be same shape, got [${shape.join(', ')}] and [${mshape.join(', ')}].`);
  }
  const nd = shape.length;
  const N = sizeOf(shape);
  if (nd === 0 || N === 0) throw new Error('phaseCrossCorrelation: images must be non-empty arrays with at least one dimension.');
  if (space === 'real' && (isComplexArray(reference) || isComplexArray(moving))) {
    throw new Error("phaseCrossCorrelation: complex inputs need space: 'fourier'.");
  }
  const single = (x: NDArray | ComplexArray): boolean => !isComplexArray(x) && (x.dtype === 'float32' || x.dtype === 'float16');
  const eps = single(reference) && single(moving) ? EPS32 : EPS64;

  let maxShift: number[] | null = null;
  if (opts.maxShift !== undefined) {
    const m = typeof opts.maxShift === 'number' ? shape.map(() => opts.maxShift as number) : [...opts.maxShift];
    if (m.length !== nd || m.some((v) => typeof v !== 'number' || !(v >= 0))) {
      throw new Error(`phaseCrossCorrelation: maxShift must be a number ≥ 0 or ${nd} numbers ≥ 0, got ${JSON.stringify(opts.maxShift)}.`);
    }
    maxShift = m;
  }

  // "phase": P /= max(|P|, 100·eps) (or the regularised floor).
  const phase = normalization === 'phase';
  const reg = opts.regularization ?? 0;
  if (!(reg >= 0 && reg < 1)) throw new Error(`phaseCrossCorrelation: regularization must be in [0, 1), got ${reg}.`);
  const normalize = (re: Float64Array, im: Float64Array): void => {
    let floor = 100 * eps;
    if (reg > 0) {
      let m2 = 0;
      for (let k = 0; k < re.length; k++) {
        const q = re[k]! * re[k]! + im[k]! * im[k]!;
        if (q > m2) m2 = q;
      }
      floor = Math.max(floor, reg * Math.sqrt(m2));
    }
    for (let k = 0; k < re.length; k++) {
      const r = re[k]!;
      const i = im[k]!;
      // numpy uses hypot; sqrt(r² + i²) differs by at most an ulp and cannot overflow here.
      let a = Math.sqrt(r * r + i * i);
      if (!(a >= floor)) a = a !== a ? a : floor;
      re[k] = r / a;
      im[k] = i / a;
    }
  };

  // Cross-power spectrum P = F(ref) · conj(F(moving)), and the spectral energies.
  let P: ComplexArray | null = null;
  let srcAmp = 0;
  let targetAmp = 0;
  let cc: { shape: number[]; re: Float64Array; im: Float64Array | null };
  if (space === 'real') {
    // Real-input transform: each pair of rows (reference row in the real part, moving row in the
    // imaginary part) goes through one complex FFT along the last axis, and the two row spectra
    // are separated by Hermitian symmetry, keeping only the mh = ⌊n/2⌋ + 1 non-negative
    // frequencies. The leading axes are then transformed on those half spectra only (stored side
    // by side, [A | B] per row), so P, its normalisation and the inverse real FFT all work on the
    // half spectrum; P is Hermitian, so the correlation is real.
    const n = shape[nd - 1]!;
    const mh = Math.floor(n / 2) + 1;
    const rows = N / n;
    const w = 2 * mh;
    const Hre = new Float64Array(rows * w);
    const Him = new Float64Array(rows * w);
    halfRowSpectra((reference as NDArray).data, (moving as NDArray).data, rows, n, Hre, Him);
    const lead = shape.slice(0, -1);
    if (nd > 1)
      fftnInPlace(
        { shape: [...lead, w], re: Hre, im: Him },
        false,
        lead.map((_, i) => i),
      );
    // Without upsampling, P is compacted in place into the front of the [A | B] buffers (row r's
    // P lands at r·mh ≤ r·2mh, never over values still to be read); otherwise those buffers are
    // kept for the full spectrum below.
    const up = upsampleFactor !== 1;
    const hr = up ? new Float64Array(rows * mh) : Hre.subarray(0, rows * mh);
    const hi = up ? new Float64Array(rows * mh) : Him.subarray(0, rows * mh);
    const amps = halfCrossPower(Hre, Him, rows, n, hr, hi);
    srcAmp = amps[0];
    targetAmp = amps[1];
    if (phase) normalize(hr, hi);
    if (up) {
      // The upsampled DFT needs the full spectrum: P[r, k] = conj P[−r, n − k] for k ≥ mh.
      const mirror = nd > 1 ? mirrorIndex(lead) : Int32Array.of(0);
      // [A | B] rows are no longer needed and hold ≥ N values (2·mh ≥ n): reuse them for P.
      const Pre = Hre.subarray(0, N);
      const Pim = Him.subarray(0, N);
      expandHalf(hr, hi, mirror, n, Pre, Pim);
      P = { shape, re: Pre, im: Pim };
    }
    const real = irfftn({ shape: [...lead, mh], re: hr, im: hi }, n, true);
    cc = { shape, re: real.data, im: null };
  } else {
    const Zre = new Float64Array(N);
    const Zim = new Float64Array(N);
    const spec = (x: NDArray | ComplexArray): ComplexArray => (isComplexArray(x) ? x : { shape, re: toFloat64(x), im: new Float64Array(N) });
    const A = spec(reference);
    const B = spec(moving);
    for (let k = 0; k < N; k++) {
      const ar = A.re[k]!;
      const ai = A.im[k]!;
      const br = B.re[k]!;
      const bi = B.im[k]!;
      Zre[k] = ar * br + ai * bi;
      Zim[k] = ai * br - ar * bi;
      srcAmp += ar * ar + ai * ai;
      targetAmp += br * br + bi * bi;
    }
    if (phase) normalize(Zre, Zim);
    P = { shape, re: Zre, im: Zim };
    const c: ComplexArray = { shape, re: Zre.slice(), im: Zim.slice() };
    fftnInPlace(c, true);
    cc = c;
  }

  // Whole-pixel peak (optionally restricted to |wrapped shift| ≤ maxShift).
  const mid = shape.map((n) => Math.trunc(n / 2));
  const wrap = (idx: number, a: number): number => (idx > mid[a]! ? idx - shape[a]! : idx);
  let allowed: number[][] | undefined;
  if (maxShift) {
    allowed = shape.map((n, a) => {
      const l: number[] = [];
      for (let i = 0; i < n; i++) if (Math.abs(wrap(i, a)) <= maxShift![a]!) l.push(i);
      return l;
    });
  }
  const kmax = argmaxAbs(cc, allowed);
  if (kmax < 0) throw new Error('phaseCrossCorrelation: maxShift leaves no candidate shift.');
  const maxima = unravel(kmax, shape);
  let shifts = maxima.map((idx, a) => wrap(idx, a));
  let ccMaxRe: number;
  let ccMaxIm: number;
  if (upsampleFactor === 1) {
    srcAmp /= N;
    targetAmp /= N;
    ccMaxRe = cc.re[kmax]!;
    ccMaxIm = cc.im ? cc.im[kmax]! : 0;
  } else {
    const up = upsampleFactor;
    shifts = shifts.map((s) => roundHalfEven(s * up) / up);
    const region = Math.ceil(up * 1.5);
    const dftshift = Math.trunc(region / 2);
    const offsets = shifts.map((s) => dftshift - s * up);
    const ccUp = upsampledCrossCorrelation(P!, region, up, offsets, space === 'real');
    const k2 = argmaxAbs(ccUp);
    ccMaxRe = ccUp.re[k2]!;
    ccMaxIm = ccUp.im[k2]!;
    const m2 = unravel(k2, ccUp.shape);
    shifts = shifts.map((s, a) => s + (m2[a]! - dftshift) / up);
  }
  for (let a = 0; a < nd; a++) if (shape[a] === 1) shifts[a] = 0;
  if (ccMaxRe !== ccMaxRe || ccMaxIm !== ccMaxIm || srcAmp !== srcAmp || targetAmp !== targetAmp) {
    throw new Error('phaseCrossCorrelation: NaN values found, please remove NaNs from the input data.');
  }
  const error = Math.sqrt(Math.abs(1 - (ccMaxRe * ccMaxRe + ccMaxIm * ccMaxIm) / (srcAmp * targetAmp)));
  const phasediff = Math.atan2(ccMaxIm, ccMaxRe);
  return { shift: shifts.map((s) => (s === 0 ? 0 : s)), error, phasediff };
}
