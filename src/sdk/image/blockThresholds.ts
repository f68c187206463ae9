// Thresholds of arrays too large for memory (issue 13): computed from blocks (a lazy array's
// `blocks()`, or any iterable of NDArrays covering the array once), with exactly the value the
// in-memory kernel gives for the whole array (so scikit-image parity carries over). Every method
// qualifies:
// - otsu, yen, minimum, triangle, isodata depend only on the histogram: the sum of the blocks' counts
//   (float images take a range pass first, as numpy's bins need the global minimum and maximum);
// - mean: integer images sum exactly in float64 (any block order); float images are summed with
//   numpy's pairwise summation streamed over the blocks (NpSumStream: bit-identical to np.mean);
// - li: integer images iterate on the exact value histogram; float images take one pass per iteration
//   (liBlocks.ts);
// - local is a per-pixel filter, not a global value: localBlocks.ts computes its mask block by block
//   with a halo (gaussian, median and generic; 'mean' — scipy's running sums — and mode 'wrap' are not
//   block-local and are refused).
// Float mean and float li sum in C order: their blocks must be C-contiguous pieces of the array given
// in C order (whole rows, slabs), which plain chunk grids of tiled arrays are not.
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
import { liIntegerIsExact, liOfBlocks, type LiBlockOptions } from './liBlocks';
import { isBlockwiseLocal } from './localBlocks';
import type { LocalOptions } from './filters';
import { NpSumStream } from './npSumStream';

/** One pass over the array's blocks; called once per pass (twice for float images). */
export type BlockPass = () => AsyncIterable<NDArray> | Iterable<NDArray>;

const HISTOGRAM_METHODS = ['otsu', 'yen', 'minimum', 'triangle', 'isodata'] as const;

/**
 * Whether `method` runs block by block for an array of `dtype` with `size` elements, with the same
 * result as in memory: thresholdOfBlocks for the global methods, localMasksOfBlocks for 'local'
 * (`local` options: its method and mode).
 */
export function isBlockwiseThreshold(method: string, dtype: DType, size: number, local: LocalOptions = {}): boolean {
  if (!isDType(dtype) || dtype === 'bool' || dtype === 'float16') return false;
  if ((HISTOGRAM_METHODS as readonly string[]).includes(method)) return true;
  const integer = Object.hasOwn(INT_MAX_ABS, dtype);
  switch (method) {
    case 'mean':
      return !integer || size * INT_MAX_ABS[dtype]! < 2 ** 53;
    case 'li':
      return !integer || liIntegerIsExact(dtype, size);
    case 'local':
      return isBlockwiseLocal(local);
    default:
      return false;
  }
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
 * np.mean of a float array from its blocks in C order: numpy's pairwise sum streamed (NpSumStream), in
 * float32 for float32 data, so bit-identical to thresholdMean of the whole.
 */
async function floatMeanOfBlocks(dtype: DType, pass: BlockPass, check: (b: NDArray) => void): Promise<number> {
  const f32 = dtype === 'float32';
  const s = new NpSumStream(f32);
  for await (const b of pass()) {
    check(b);
    s.pushAll(b.data as unknown as ArrayLike<number>);
  }
  const n = s.count;
  if (n === 0) throw new Error('threshold_mean: the image is empty.');
  return f32 ? Math.fround(s.sum() / n) : s.sum() / n;
}

/**
 * The threshold of `method` over every block of one array of `dtype` (or of several arrays of that
 * dtype, as one stack), identical to `thresholdValue` of the whole. `pass()` is called once per pass
 * over the blocks (li of float images: several); each block is dropped once counted. Float mean and
 * float li need C-ordered, C-contiguous blocks. Throws for a method isBlockwiseThreshold refuses.
 */
export async function thresholdOfBlocks(dtype: DType, pass: BlockPass, method: string, opts: MinimumOptions & LiBlockOptions = {}): Promise<number> {
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
  if (method === 'mean') return floatMeanOfBlocks(dtype, pass, check);
  if (method === 'li') return liOfBlocks(dtype, pass, opts);
  if (!(HISTOGRAM_METHODS as readonly string[]).includes(method)) {
    throw new Error(
      `${where} cannot be computed by thresholdOfBlocks (local is a per-pixel threshold: use localMasksOfBlocks); blockwise methods: ${HISTOGRAM_METHODS.join(', ')}, mean and li.`,
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
