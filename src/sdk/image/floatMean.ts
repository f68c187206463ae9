// intensity_mean of a float intensity image as skimage 0.19.3 computes it: np.mean(image_intensity[image])
// — the region's values gathered in C order, summed by numpy's pairwise summation (float32 images in
// float32), divided by the count (float32: in float64, rounded back to float32, as numpy's `_mean` does
// on a float32 scalar). Needs each region's values in C order of the whole image, so it is computed in
// memory only (out of core, float64 means are plain sums within rounding, float32 ones are refused).
import type { NDArray } from '../../core/ndarray';
import { npSum } from './numpySum';

/** Per label 1..maxLabel, skimage's intensity_mean of a float32 or float64 image (NaN where the label is absent). */
export function floatMeans(labels: NDArray, intensity: NDArray<'float32' | 'float64'>, area: Float64Array, maxLabel: number): Float64Array {
  const f32 = intensity.dtype === 'float32';
  const lab = labels.data as ArrayLike<number>;
  const vals = intensity.data;
  const start = new Float64Array(maxLabel + 2);
  for (let l = 1; l <= maxLabel; l++) start[l + 1] = start[l]! + area[l]!;
  const fill = start.slice();
  const gathered = f32 ? new Float32Array(start[maxLabel + 1]!) : new Float64Array(start[maxLabel + 1]!);
  for (let k = 0; k < lab.length; k++) {
    const l = lab[k]!;
    if (l > 0) gathered[fill[l]!++] = vals[k]!;
  }
  const out = new Float64Array(maxLabel + 1).fill(Number.NaN);
  for (let l = 1; l <= maxLabel; l++) {
    const n = area[l]!;
    if (n > 0) out[l] = f32 ? Math.fround(npSum(gathered, start[l]!, n, true) / n) : npSum(gathered, start[l]!, n) / n;
  }
  return out;
}
