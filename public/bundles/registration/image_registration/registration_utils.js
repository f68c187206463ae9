// Replaces the template's get_random_translation with a real aligner.
import { ndarray } from "algobox";
import { registration } from "algobox/image";

/**
 * The 3×3 homogeneous matrix mapping pixel coordinates (x = column, y = row) of `moving` to the
 * corresponding coordinates in `fixed`, for a pure translation found by phase correlation.
 * @param maxTranslation fraction of the image size bounding the search in each direction
 */
export function getTranslation(fixed, moving, maxTranslation = 0.25, upsampleFactor = 20) {
  const [h, w] = fixed.shape.slice(-2);
  const maxShift = [maxTranslation * h, maxTranslation * w];
  // A small regularisation keeps phase correlation stable on images with a sparse spectrum
  // (smooth textures): frequencies the images lack stay near zero instead of unit-magnitude noise.
  const { shift } = registration.phaseCrossCorrelation(fixed, moving, { upsampleFactor, maxShift, regularization: 1e-6 });
  // shift = (rows, cols) to apply to `moving` to register it with `fixed`:
  // fixed(p) ≈ moving(p − shift), so a point p_moving maps to p_fixed = p_moving + shift.
  const [ty, tx] = shift;
  return ndarray("float64", [3, 3], [1, 0, tx, 0, 1, ty, 0, 0, 1]);
}
