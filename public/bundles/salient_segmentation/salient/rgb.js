import { ndarray } from "algobox";

/**
 * An Image (2-D grayscale [H, W] or RGB [3, H, W], any dtype) as RGB [3, H, W] float64 in [0, 1]:
 * (x − lo) / (max − lo) with lo = min(0, min), which is rembg's x / max for non-negative images.
 * Grayscale is replicated to the three channels.
 */
export function toUnitRgb(image) {
  const h = image.shape[image.shape.length - 2];
  const w = image.shape[image.shape.length - 1];
  const n = h * w;
  const src = image.data;
  let lo = 0;
  let hi = -Infinity;
  for (let p = 0; p < src.length; p++) {
    const v = src[p];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const out = new Float64Array(3 * n);
  if (image.shape.length === 2) {
    for (let p = 0; p < n; p++) out[p] = (src[p] - lo) * scale;
    out.copyWithin(n, 0, n);
    out.copyWithin(2 * n, 0, n);
  } else {
    for (let p = 0; p < 3 * n; p++) out[p] = (src[p] - lo) * scale;
  }
  return ndarray("float64", [3, h, w], out);
}
