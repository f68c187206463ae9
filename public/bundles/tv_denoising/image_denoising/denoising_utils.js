// The seed's denoising_utils.denoise_image.
import { restoration } from "algobox/image";

/** Denoise one image (2-D, or 3-D for an RGB 3×H×W image) with total-variation denoising. */
export function denoiseImage(image, weight = 0.1) {
  return restoration.denoiseTvChambolle(image, { weight });
}
