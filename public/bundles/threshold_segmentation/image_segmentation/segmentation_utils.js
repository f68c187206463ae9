// The seed's segmentation_utils.threshold_image, on algobox's scikit-image-compatible filters.
import { filters } from "algobox/image";

/**
 * Threshold the image using the specified thresholding algorithm.
 * @param image NDArray (any number of dimensions; the threshold is computed over all of it)
 * @param thresholdingAlgorithm one of otsu, yen, li, minimum, mean, triangle, isodata, local
 * @returns uint8 mask NDArray, 1 where image > threshold
 */
export function thresholdImage(image, thresholdingAlgorithm) {
  if (!filters.THRESHOLD_METHODS.includes(thresholdingAlgorithm)) {
    throw new Error(`Invalid thresholding algorithm: ${thresholdingAlgorithm}`);
  }
  return filters.threshold(image, thresholdingAlgorithm);
}
