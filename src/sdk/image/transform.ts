// Geometric transforms after scikit-image's `skimage.transform` (0.19+): `resize` with the same
// coordinate convention (pixel areas: in = (out + ½)·(n_in / n_out) − ½, scipy's `zoom(grid_mode=True)`),
// the same anti-aliasing Gaussian (σ = max(0, (factor − 1)/2), mode 'mirror') and the same boundary
// handling, on any number of axes. Values keep their range (skimage's `preserve_range=True`).
import { sizeOf, type NDArray } from '../../core/ndarray';
import { gaussianFilter, mapIndex } from './ndimage';

export interface ResizeOptions {
  /** 0 = nearest neighbour, 1 = (multi)linear. Default 1. */
  order?: 0 | 1;
  /** Smooth before downsampling (skimage's default for order > 0). Default: order > 0 and some axis shrinks. */
  antiAliasing?: boolean;
  /** Gaussian σ per axis (or one for all); default max(0, (n_in / n_out − 1) / 2). */
  antiAliasingSigma?: number | readonly number[];
}

/** One axis's sampling plan: for output index j, read i0 and i1 with weight w on i1. */
interface AxisPlan {
  i0: Int32Array;
  i1: Int32Array;
  w: Float64Array;
}

function planAxis(nIn: number, nOut: number, order: 0 | 1): AxisPlan {
  const i0 = new Int32Array(nOut);
  const i1 = new Int32Array(nOut);
  const w = new Float64Array(nOut);
  const scale = nIn / nOut;
  for (let j = 0; j < nOut; j++) {
    const x = (j + 0.5) * scale - 0.5;
    if (order === 0) {
      const k = mapIndex(Math.floor(x + 0.5), nIn, 'mirror');
      i0[j] = k;
      i1[j] = k;
      w[j] = 0;
    } else {
      const f = Math.floor(x);
      i0[j] = mapIndex(f, nIn, 'mirror');
      i1[j] = mapIndex(f + 1, nIn, 'mirror');
      w[j] = x - f;
    }
  }
  return { i0, i1, w };
}

/** Resample `src` (row-major, `shape`) along `axis` to `nOut` samples. */
function resampleAxis(src: Float64Array, shape: readonly number[], axis: number, nOut: number, order: 0 | 1): Float64Array {
  const nIn = shape[axis]!;
  let inner = 1;
  for (let k = shape.length - 1; k > axis; k--) inner *= shape[k]!;
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  const out = new Float64Array(outer * nOut * inner);
  const { i0, i1, w } = planAxis(nIn, nOut, order);
  for (let o = 0; o < outer; o++) {
    const sBase = o * nIn * inner;
    const dBase = o * nOut * inner;
    for (let j = 0; j < nOut; j++) {
      const a = sBase + i0[j]! * inner;
      const b = sBase + i1[j]! * inner;
      const t = w[j]!;
      const d = dBase + j * inner;
      if (t === 0) {
        for (let i = 0; i < inner; i++) out[d + i] = src[a + i]!;
      } else {
        const s = 1 - t;
        for (let i = 0; i < inner; i++) out[d + i] = s * src[a + i]! + t * src[b + i]!;
      }
    }
  }
  return out;
}

/**
 * `skimage.transform.resize(image, outputShape, order, mode='reflect', anti_aliasing, preserve_range=True)`.
 * `outputShape` may be shorter than the image's shape: trailing axes (e.g. colour channels) keep their size.
 * Returns float64.
 */
export function resize(image: NDArray, outputShape: readonly number[], opts: ResizeOptions = {}): NDArray<'float64'> {
  const nd = image.shape.length;
  if (!Array.isArray(outputShape) && !(outputShape && typeof (outputShape as ArrayLike<number>).length === 'number')) {
    throw new Error('resize: outputShape must be a list of sizes.');
  }
  if (outputShape.length === 0 || outputShape.length > nd) {
    throw new Error(`resize: outputShape has ${outputShape.length} sizes for an image of ${nd} axes.`);
  }
  const target = [...outputShape, ...image.shape.slice(outputShape.length)];
  for (const [i, n] of target.entries()) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`resize: outputShape[${i}] must be a positive integer, got ${JSON.stringify(n)}.`);
  }
  if (sizeOf(image.shape) === 0) throw new Error('resize: the image is empty.');
  const order = opts.order ?? 1;
  if (order !== 0 && order !== 1) throw new Error(`resize: order must be 0 or 1, got ${JSON.stringify(order)}.`);
  const factors = image.shape.map((n, i) => n / target[i]!);
  const antiAliasing = opts.antiAliasing ?? (order > 0 && factors.some((f) => f > 1));
  let work: Float64Array;
  if (antiAliasing) {
    const sigma =
      opts.antiAliasingSigma === undefined
        ? factors.map((f) => Math.max(0, (f - 1) / 2))
        : typeof opts.antiAliasingSigma === 'number'
          ? factors.map(() => opts.antiAliasingSigma as number)
          : [...opts.antiAliasingSigma];
    if (sigma.length !== nd || sigma.some((s) => !(s >= 0))) {
      throw new Error(`resize: antiAliasingSigma must be ≥ 0 for each of the ${nd} axes, got ${JSON.stringify(opts.antiAliasingSigma)}.`);
    }
    work = gaussianFilter(image, sigma, { mode: 'mirror' }).data;
  } else {
    work = Float64Array.from(image.data as ArrayLike<number>);
  }
  let shape = [...image.shape];
  for (let ax = 0; ax < nd; ax++) {
    if (shape[ax] === target[ax]) continue;
    work = resampleAxis(work, shape, ax, target[ax]!, order);
    shape[ax] = target[ax]!;
  }
  return { dtype: 'float64', shape, data: work };
}
