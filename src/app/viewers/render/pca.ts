// PCA-to-RGB preview of a feature map: C×H×W features → the top three principal components of the
// C channels (over pixels) → red, green, blue. The C×C covariance is estimated on at most ~3·10⁷/C²
// evenly strided pixels; its eigenvectors come from cyclic Jacobi (C ≤ 64) or orthogonal (subspace)
// iteration with 16 vectors and Rayleigh–Ritz steps (larger C). Each component's scores are windowed
// with the auto (0.35 %/99.65 %) window. Eigenvector signs are fixed so that the entry of largest
// magnitude is positive (deterministic colours). NaN features count as the channel mean. Pure, no DOM.
import type { NDArray } from '../../../core/ndarray';
import { autoWindow, windowToU8 } from './window';

export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  /** Channel-first: channel c at [c·H·W, (c+1)·H·W). */
  data: ArrayLike<number>;
}

/**
 * Features as C×H×W: leading size-1 axes are dropped (1×C×H×W), a 2-D array is one channel.
 * Anything else throws a readable error.
 */
export function featureMap(a: NDArray): FeatureMap {
  let s = [...a.shape];
  while (s.length > 3 && s[0] === 1) s = s.slice(1);
  const data = a.data as unknown as ArrayLike<number>;
  if (s.length === 3) return { channels: s[0]!, height: s[1]!, width: s[2]!, data };
  if (s.length === 2) return { channels: 1, height: s[0]!, width: s[1]!, data };
  throw new Error(`A PCA preview needs features of shape C×H×W (or H×W); got [${a.shape.join(', ')}].`);
}

/** Symmetric eigen-decomposition by cyclic Jacobi. `a` (n×n, row-major) is destroyed. Vectors are columns. */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

/** Top `k` eigenpairs of a symmetric n×n matrix, descending; vectors as separate arrays. */
export function topEigen(cov: Float64Array, n: number, k: number): { values: number[]; vectors: Float64Array[] } {
  k = Math.min(k, n);
  let values: Float64Array;
  let vecs: Float64Array[]; // candidate eigenvectors (length n each)
  if (n <= 64) {
    const r = jacobiEigen(cov.slice(), n);
    values = r.values;
    vecs = Array.from({ length: n }, (_, j) => {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = r.vectors[i * n + j]!;
      return x;
    });
  } else {
    // Orthogonal iteration on m vectors with a Rayleigh–Ritz step every 10 iterations, until the top-k
    // Ritz values settle (relative change < 1e-10) or 300 iterations.
    const m = Math.min(n, Math.max(16, k + 5));
    let q: Float64Array[] = Array.from({ length: m }, (_, j) => {
      const x = new Float64Array(n);
      let seed = 12345 + j * 7919;
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        x[i] = seed / 4294967296 - 0.5;
      }
      return x;
    });
    const mul = (x: Float64Array): Float64Array => {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) s += cov[row + j]! * x[j]!;
        y[i] = s;
      }
      return y;
    };
    const orthonormalise = (vs: Float64Array[]): Float64Array[] => {
      for (let j = 0; j < vs.length; j++) {
        const x = vs[j]!;
        for (let i = 0; i < j; i++) {
          const y = vs[i]!;
          let d = 0;
          for (let t = 0; t < n; t++) d += x[t]! * y[t]!;
          for (let t = 0; t < n; t++) x[t]! -= d * y[t]!;
        }
        let norm = 0;
        for (let t = 0; t < n; t++) norm += x[t]! * x[t]!;
        norm = Math.sqrt(norm);
        if (norm > 1e-300) for (let t = 0; t < n; t++) x[t]! /= norm;
      }
      return vs;
    };
    const ritz = (): { values: Float64Array; vectors: Float64Array } => {
      const cq = q.map(mul);
      const tm = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += q[i]![t]! * cq[j]![t]!;
          tm[i * m + j] = s;
        }
      }
      return jacobiEigen(tm, m);
    };
    const topK = (vals: Float64Array): number[] =>
      Array.from(vals)
        .sort((p, r) => r - p)
        .slice(0, k);
    q = orthonormalise(q);
    let r = ritz();
    for (let it = 0; it < 300; it += 10) {
      for (let j = 0; j < 10; j++) q = orthonormalise(q.map(mul));
      const next = ritz();
      const before = topK(r.values);
      const after = topK(next.values);
      r = next;
      const scale = Math.abs(after[0] ?? 0) || 1;
      if (after.every((x, i) => Math.abs(x - before[i]!) <= 1e-10 * scale)) break;
    }
    values = r.values;
    vecs = Array.from({ length: m }, (_, j) => {
      const x = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        const w = r.vectors[i * m + j]!;
        for (let t = 0; t < n; t++) x[t]! += w * q[i]![t]!;
      }
      return x;
    });
  }
  const order = Array.from(values, (_, i) => i).sort((p, q) => values[q]! - values[p]!);
  const top = order.slice(0, k);
  return {
    values: top.map((i) => Math.max(0, values[i]!)),
    vectors: top.map((i) => {
      const x = vecs[i]!;
      let big = 0;
      for (let t = 0; t < n; t++) if (Math.abs(x[t]!) > Math.abs(x[big]!)) big = t;
      if (x[big]! < 0) for (let t = 0; t < n; t++) x[t] = -x[t]!;
      return x;
    }),
  };
}

export interface PcaResult {
  width: number;
  height: number;
  /** RGBA preview at the feature map's resolution (W·H·4). */
  rgba: Uint8ClampedArray;
  /** Per-channel mean. */
  mean: Float64Array;
  /** Up to three principal axes (unit vectors of length C), strongest first. */
  components: Float64Array[];
  /** Their variances (eigenvalues of the covariance, divided by the number of samples). */
  variances: number[];
  /** Fraction of the total variance each component explains. */
  explained: number[];
  /** Pixels used for the covariance. */
  samples: number;
}

/** The top-3 PCA of a feature map, rendered to RGB. */
export function pcaRGB(f: FeatureMap, opts: { maxWork?: number } = {}): PcaResult {
  const C = f.channels;
  const n = f.width * f.height;
  const d = f.data;
  if (C < 1 || n < 1) throw new Error('PCA: the feature map is empty.');
  const budget = opts.maxWork ?? 3e7;
  const samples = Math.max(1, Math.min(n, Math.max(1024, Math.floor(budget / (C * C)))));
  const stride = n / samples;
  // Sample matrix S×C (NaN → mean later; first gather, then centre).
  const X = new Float64Array(samples * C);
  const mean = new Float64Array(C);
  const finite = new Float64Array(C);
  for (let s = 0; s < samples; s++) {
    const p = Math.min(n - 1, Math.floor(s * stride));
    for (let c = 0; c < C; c++) {
      const v = d[c * n + p]!;
      X[s * C + c] = v;
      if (v === v && Number.isFinite(v)) {
        mean[c]! += v;
        finite[c]!++;
      }
    }
  }
  for (let c = 0; c < C; c++) mean[c] = finite[c] ? mean[c]! / finite[c]! : 0;
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < C; c++) {
      const v = X[s * C + c]! - mean[c]!;
      X[s * C + c] = v === v && Number.isFinite(v) ? v : 0;
    }
  }
  const cov = new Float64Array(C * C);
  for (let s = 0; s < samples; s++) {
    const row = s * C;
    for (let i = 0; i < C; i++) {
      const xi = X[row + i]!;
      if (xi === 0) continue;
      const ci = i * C;
      for (let j = i; j < C; j++) cov[ci + j]! += xi * X[row + j]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < C; i++) {
    for (let j = i; j < C; j++) {
      const v = cov[i * C + j]! / samples;
      cov[i * C + j] = v;
      cov[j * C + i] = v;
    }
    trace += cov[i * C + i]!;
  }
  const { values, vectors } = topEigen(cov, C, 3);
  const k = vectors.length;
  // Scores of every pixel on each component, windowed to 8 bits.
  const rgba = new Uint8ClampedArray(n * 4);
  const score = new Float64Array(n);
  const u8 = new Uint8Array(n);
  const chans: Uint8Array[] = [];
  for (let q = 0; q < k; q++) {
    score.fill(0);
    const vec = vectors[q]!;
    for (let c = 0; c < C; c++) {
      const w = vec[c]!;
      if (w === 0) continue;
      const m = mean[c]!;
      const base = c * n;
      for (let p = 0; p < n; p++) {
        const v = d[base + p]! - m;
        if (v === v && Number.isFinite(v)) score[p]! += w * v;
      }
    }
    if (values[q]! <= 1e-12 * trace) {
      u8.fill(0);
    } else {
      const win = autoWindow(score);
      windowToU8(score, win, u8);
    }
    chans.push(u8.slice());
  }
  const r = chans[0]!;
  const g = k >= 2 ? chans[1]! : r;
  const b = k >= 3 ? chans[2]! : k === 1 ? r : new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    rgba[4 * p] = r[p]!;
    rgba[4 * p + 1] = g[p]!;
    rgba[4 * p + 2] = b[p]!;
    rgba[4 * p + 3] = 255;
  }
  return {
    width: f.width,
    height: f.height,
    rgba,
    mean,
    components: vectors,
    variances: values,
    explained: values.map((v) => (trace > 0 ? v / trace : 0)),
    samples,
  };
}
