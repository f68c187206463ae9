// The seed's segmentation_utils.threshold_image, on algobox's scikit-image-compatible filters.
import { filters } from "algobox/image";

/**
 * Threshold the image using the specified thresholding algorithm.
 * @param image NDArray (any number of dimensions; the threshold is computed over all of it)
 * @param thresholdingAlgorithm one of otsu, yen, li, minimum, mean, triangle, isodata, local
 * @param options for local: filters.threshold's options (localOptions)
 * @returns uint8 mask NDArray, 1 where image > threshold
 */
export function thresholdImage(image, thresholdingAlgorithm, options = {}) {
  if (!filters.THRESHOLD_METHODS.includes(thresholdingAlgorithm)) {
    throw new Error(`Invalid thresholding algorithm: ${thresholdingAlgorithm}`);
  }
  return filters.threshold(image, thresholdingAlgorithm, options);
}

/**
 * scikit-image's threshold_local arguments from the run's args, for an array of `ndim` dimensions whose
 * first `stacked` axes are the stack of inputs: block_size covers every axis of an input and 1 the stack
 * axis (each input is thresholded on its own, as threshold_local(input, block_size, ...) would);
 * sigma 0 leaves scikit-image's default, (block_size - 1) / 6.
 */
export function localOptions(args, ndim, stacked = 1) {
  const bs = args.block_size ?? 3;
  const method = args.local_method ?? "gaussian";
  const sigma = args.sigma ?? 0;
  const perAxis = (v, stackValue) => Array.from({ length: ndim }, (_, k) => (k < stacked ? stackValue : v));
  return {
    blockSize: perAxis(bs, 1),
    method,
    offset: args.offset ?? 0,
    mode: args.mode ?? "reflect",
    cval: args.cval ?? 0,
    ...(method === "gaussian" && sigma > 0 ? { param: perAxis(sigma, 0) } : {}),
  };
}
