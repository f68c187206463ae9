// Global thresholds of arrays too large for memory (issue 13): computed from blocks (a lazy array's
// `blocks()`, or any iterable of NDArrays covering the array once), with exactly the value the
// in-memory kernel gives for the whole array. Every method that depends only on the histogram (otsu,
// yen, minimum, triangle, isodata) qualifies: its histogram is the sum of the blocks' counts (float
// images take a range pass first, as numpy's bins need the global minimum and maximum); mean
// qualifies for integer images whose sum is exact in float64. li (iterates on the pixels of float
// images), mean of float images (numpy's pairwise summation order) and local do not.
import { isDType, type DType, type NDArray } from '../../core/ndarray';
import {
  INT_MAX_ABS,
  isodataFromHistogram,
  minimumFromHistogram,
  otsuFromHistogram,
  triangleFromHistogram,
  yenFromHistogram,
  type MinimumOptions,
} from './filters';
import { histogramBuilder, sumU16, sumU8 } from './histogram';

/** One pass over the array's blocks; called once per pass (twice for float images). */
export type BlockPass = () => AsyncIterable<NDArray> | Iterable<NDArray>;

const HISTOGRAM_METHODS = ['otsu', 'yen', 'minimum', 'triangle', 'isodata'] as const;

/**
 * Whether thresholdOfBlocks computes `method` for an array of `dtype` with `size` elements (the same
 * value as the in-memory threshold).
 */
export function isBlockwiseThreshold(method: string, dtype: DType, size: number): boolean {
  if (!isDType(dtype) || dtype === 'bool' || dtype === 'float16') return false;
  if ((HISTOGRAM_METHODS as readonly string[]).includes(method)) return true;
  const maxAbs = Object.hasOwn(INT_MAX_ABS, dtype) ? INT_MAX_ABS[dtype]! : null;
  return method === 'mean' && maxAbs !== null && size * maxAbs < 2 ** 53;
}

/** Exact sum of an integer block. */
function intSum(a: NDArray): number {
  if (a.dtype === 'uint8') return sumU8(a.data as Uint8Array);
  if (a.dtype === 'uint16') return sumU16(a.data as Uint16Array);
  const d = a.data as unknown as ArrayLike<number>;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  return s;
}

/**
 * The threshold of `method` over every block of one array of `dtype` (or of several arrays of that
 * dtype, as one stack), identical to `thresholdValue` of the whole. `pass()` is called once per pass
 * over the blocks; each block is dropped once counted. Throws for a method isBlockwiseThreshold refuses.
 */
export async function thresholdOfBlocks(dtype: DType, pass: BlockPass, method: string, opts: MinimumOptions = {}): Promise<number> {
  const where = `threshold_${method}`;
  if (dtype === 'bool' || dtype === 'float16') throw new Error(`${where}: dtype ${dtype} is not supported (use uint8, uint16, float32 or float64).`);
  const check = (b: NDArray) => {
    if (b.dtype !== dtype) throw new Error(`${where}: a ${b.dtype} block in a ${dtype} array.`);
  };
  if (method === 'mean' && Object.hasOwn(INT_MAX_ABS, dtype)) {
    let sum = 0;
    let n = 0;
    for await (const b of pass()) {
      check(b);
      sum += intSum(b);
      n += b.data.length;
    }
    if (n === 0) throw new Error(`${where}: the image is empty.`);
    if (!isBlockwiseThreshold(method, dtype, n)) throw new Error(`${where}: the sum of ${n} ${dtype} values is not exact in float64; compute it in memory.`);
    return sum / n;
  }
  if (!(HISTOGRAM_METHODS as readonly string[]).includes(method)) {
    throw new Error(
      `${where} cannot be computed block by block (it needs all pixels at once); blockwise methods: ${HISTOGRAM_METHODS.join(', ')}, and mean of integer images.`,
    );
  }
  const h = histogramBuilder(dtype, opts.nbins ?? 256);
  if (h.needsRange) {
    for await (const b of pass()) {
      check(b);
      h.addRange(b);
    }
    const r = h.range();
    // skimage's shortcut for a constant image (otsu only): its value.
    if (method === 'otsu' && !r.hasNaN && r.min === r.max) return r.min;
  }
  for await (const b of pass()) {
    check(b);
    h.add(b);
  }
  if (h.count === 0) throw new Error(`${where}: the image is empty.`);
  const hist = h.result();
  switch (method) {
    case 'otsu':
      return hist.counts.length === 1 ? hist.binCenters[0]! : otsuFromHistogram(hist);
    case 'yen':
      return yenFromHistogram(hist);
    case 'minimum':
      return minimumFromHistogram(hist, opts.maxNumIter ?? 10000);
    case 'triangle':
      return triangleFromHistogram(hist);
    default: {
      const all = isodataFromHistogram(hist);
      if (all.length === 0) throw new Error('threshold_isodata: no threshold satisfies the isodata criterion (skimage raises IndexError here).');
      return all[0]!;
    }
  }
}
