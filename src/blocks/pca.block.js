// Built-in BEAT block "pca" (the seed's PCA; a legacy API v1 block, declaration ./pca.json). It
// collects every image of the synchronization channel and, on the last one, writes the principal
// subspace as a `tutorial/linear_machine/1`:
//   y = ((x - input_subtract) / input_divide) · weights + biases
// with input_subtract = the mean image (flattened, row-major), input_divide = 1, weights = the first
// `number-of-components` principal axes (D rows × k columns, in decreasing eigenvalue order, each with
// its largest-magnitude component positive) and biases = 0.
//
// N images of D pixels, X the N×D centred images:
// - N ≥ D: the eigenvectors of the D×D sample covariance C = XᵀX / (N − 1) (cyclic Jacobi), exactly
//   as tests/fixtures/beat/pca/algorithm.ts;
// - N < D (real images: far fewer images than pixels): the N×N Gram matrix G = XXᵀ / (N − 1) (the
//   "snapshot" method). G u = λu ⇒ C (Xᵀu) = λ (Xᵀu): the axes are Xᵀu / ‖Xᵀu‖, with the same nonzero
//   eigenvalues, so the same subspace. C has rank ≤ N − 1: axes asked beyond it (eigenvalue 0, any
//   orthonormal completion is as good) complete the basis by Gram–Schmidt over the pixel axes.
// Plain JS module text: installed with algobox.blocks.install and linked inside the block worker.

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations.
 * Returns the eigenvalues and the eigenvectors as the columns of `vectors` (row-major), unsorted.
 */
export function symmetricEigen(matrix, n) {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** The sign convention: the largest-magnitude component positive (the first of near-equal ones). */
function withPositivePivot(col) {
  let pivot = 0;
  for (let r = 1; r < col.length; r++) if (Math.abs(col[r]) > Math.abs(col[pivot]) + 1e-12) pivot = r;
  if (col[pivot] < 0) for (let r = 0; r < col.length; r++) col[r] = -col[r];
  return col;
}

function decreasing(values) {
  return Array.from(values.keys()).sort((x, y) => values[y] - values[x]);
}

/** N ≥ D: the covariance's eigenvectors (every eigenvalue, D of them). */
function covarianceAxes(samples, mean, k) {
  const n = samples.length;
  const d = mean.length;
  const cov = new Float64Array(d * d);
  for (const s of samples) {
    for (let i = 0; i < d; i++) {
      const di = s[i] - mean[i];
      for (let j = i; j < d; j++) cov[i * d + j] = cov[i * d + j] + (di * (s[j] - mean[j])) / (n - 1);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
  const { values, vectors } = symmetricEigen(cov, d);
  const order = decreasing(values);
  const columns = order.slice(0, k).map((c) => withPositivePivot(Float64Array.from({ length: d }, (_, r) => vectors[r * d + c])));
  return { columns, eigenvalues: order.map((i) => values[i]), method: 'covariance' };
}

/** N < D: the Gram matrix's eigenvectors mapped to pixel space (N eigenvalues; the other D − N are 0). */
function gramAxes(samples, mean, k) {
  const n = samples.length;
  const d = mean.length;
  const x = samples.map((s) => {
    const r = new Float64Array(d);
    for (let i = 0; i < d; i++) r[i] = s[i] - mean[i];
    return r;
  });
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let dot = 0;
      const xa = x[a];
      const xb = x[b];
      for (let i = 0; i < d; i++) dot += xa[i] * xb[i];
      g[a * n + b] = g[b * n + a] = dot / (n - 1);
    }
  }
  const { values, vectors } = symmetricEigen(g, n);
  const order = decreasing(values);
  // Below this an eigenvalue is round-off (the centred images always leave one: the constant vector).
  const tolerance = Math.max(values[order[0]], 0) * 1e-12;
  const columns = [];
  for (const c of order) {
    if (columns.length === k || !(values[c] > tolerance)) break;
    const v = new Float64Array(d);
    for (let a = 0; a < n; a++) {
      const u = vectors[a * n + c];
      if (u === 0) continue;
      const xa = x[a];
      for (let i = 0; i < d; i++) v[i] += u * xa[i];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) v[i] /= norm;
    columns.push(withPositivePivot(v));
  }
  // Beyond the rank: orthonormal completion (eigenvalue 0) from the pixel axes, Gram–Schmidt twice.
  for (let e = 0; columns.length < k && e < d; e++) {
    const v = new Float64Array(d);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const col of columns) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += v[i] * col[i];
        for (let i = 0; i < d; i++) v[i] -= dot * col[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm < 1e-6) continue;
    for (let i = 0; i < d; i++) v[i] /= norm;
    columns.push(withPositivePivot(v));
  }
  return { columns, eigenvalues: order.map((i) => values[i]), method: 'gram' };
}

/**
 * PCA of N flattened samples of D values: the k-component linear machine (NDArrays, float64), the
 * eigenvalues in decreasing order (D of them with the covariance method, N with the Gram method: the
 * others are 0) and the method used ('covariance' when N ≥ D, else 'gram').
 */
export function pca(samples, k) {
  const n = samples.length;
  if (n < 2) throw new Error(`PCA needs at least 2 images, got ${n}`);
  const d = samples[0].length;
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`number-of-components must be between 1 and the number of pixels (${d}), got ${k}`);
  const mean = new Float64Array(d);
  for (const s of samples) for (let i = 0; i < d; i++) mean[i] += s[i] / n;
  const { columns, eigenvalues, method } = n >= d ? covarianceAxes(samples, mean, k) : gramAxes(samples, mean, k);
  const weights = new Float64Array(d * k);
  columns.forEach((col, c) => {
    for (let r = 0; r < d; r++) weights[r * k + c] = col[r];
  });
  return {
    machine: {
      input_subtract: { dtype: 'float64', shape: [d], data: mean },
      input_divide: { dtype: 'float64', shape: [d], data: new Float64Array(d).fill(1) },
      weights: { dtype: 'float64', shape: [d, k], data: weights },
      biases: { dtype: 'float64', shape: [k], data: new Float64Array(k) },
    },
    eigenvalues,
    method,
  };
}

export class Algorithm {
  constructor() {
    this.components = 5;
    this.shape = null;
    this.samples = [];
  }

  setup(parameters) {
    this.components = parameters['number-of-components'];
    return true;
  }

  process(inputs, outputs) {
    const input = inputs.get('image');
    const image = input.data.value;
    if (this.shape === null) this.shape = image.shape;
    else if (image.shape.join() !== this.shape.join()) {
      throw new Error(`image at index ${input.dataIndex} has shape [${image.shape.join(', ')}], expected [${this.shape.join(', ')}]`);
    }
    this.samples.push(Float64Array.from(image.data));
    if (!inputs.hasMoreData()) outputs.get('subspace').write(pca(this.samples, this.components).machine);
    return true;
  }
}
