// intensity_mean of a float32 intensity image as skimage 0.19.3 computes it:
// np.mean(image_intensity[image]) — the region's values gathered in C order (a float32 array), summed
// by numpy's pairwise float32 summation, divided by the count in float64 and rounded back to float32
// (numpy's `_mean` on a float32 scalar). Needs each region's values in C order of the whole image, so
// it is computed in memory only (regionpropsOfBlocks refuses it).
import type { NDArray } from '../../core/ndarray';
import { npSum } from './numpySum';

/** Per label 1..maxLabel, skimage's float32 intensity_mean (NaN where the label is absent). */
export function float32Means(labels: NDArray, intensity: NDArray<'float32'>, area: Float64Array, maxLabel: number): Float64Array {
  const lab = labels.data as ArrayLike<number>;
  const vals = intensity.data;
  const start = new Float64Array(maxLabel + 2);
  for (let l = 1; l <= maxLabel; l++) start[l + 1] = start[l]! + area[l]!;
  const fill = start.slice();
  const gathered = new Float32Array(start[maxLabel + 1]!);
  for (let k = 0; k < lab.length; k++) {
    const l = lab[k]!;
    if (l > 0) gathered[fill[l]!++] = vals[k]!;
  }
  const out = new Float64Array(maxLabel + 1).fill(Number.NaN);
  for (let l = 1; l <= maxLabel; l++) {
    const n = area[l]!;
    if (n > 0) out[l] = Math.fround(npSum(gathered, start[l]!, n, true) / n);
  }
  return out;
}
