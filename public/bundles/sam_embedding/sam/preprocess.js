import { ndarray } from "algobox";
import { transform } from "algobox/image";

/** SAM's encoder input: longest side 1024, pixel mean/std (0–255 scale), zero padding bottom/right. */
export const TARGET = 1024;
const MEAN = [123.675, 116.28, 103.53];
const STD = [58.395, 57.12, 57.375];

/** SAM's ResizeLongestSide.get_preprocess_shape: the size after scaling the longest side to 1024. */
export function preprocessShape(height, width, target = TARGET) {
  const scale = target / Math.max(height, width);
  return [Math.floor(height * scale + 0.5), Math.floor(width * scale + 0.5)];
}

/**
 * An Image (2-D [H, W] or RGB [3, H, W]) as RGB [3, H, W] float64 on SAM's 0–255 scale: uint8 as is,
 * any other dtype min-max scaled to 0–255. Grayscale is replicated to three channels.
 */
export function toRgb255(image) {
  const h = image.shape[image.shape.length - 2];
  const w = image.shape[image.shape.length - 1];
  const n = h * w;
  const src = image.data;
  let a = 1;
  let b = 0;
  if (image.dtype !== "uint8") {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < src.length; p++) {
      const v = src[p];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    a = hi > lo ? 255 / (hi - lo) : 0;
    b = hi > lo ? -lo * a : 0;
  }
  const out = new Float64Array(3 * n);
  if (image.shape.length === 2) {
    for (let p = 0; p < n; p++) out[p] = src[p] * a + b;
    out.copyWithin(n, 0, n);
    out.copyWithin(2 * n, 0, n);
  } else {
    for (let p = 0; p < 3 * n; p++) out[p] = src[p] * a + b;
  }
  return ndarray("float64", [3, h, w], out);
}

/** The encoder's input tensor [1, 3, 1024, 1024] and the scaled size [h', w'] before padding. */
export function encoderInput(image) {
  const rgb = toRgb255(image);
  const [, h, w] = rgb.shape;
  const [nh, nw] = preprocessShape(h, w);
  const scaled = nh === h && nw === w ? rgb : transform.resize(rgb, [3, nh, nw]);
  const x = new Float32Array(3 * TARGET * TARGET);
  for (let c = 0; c < 3; c++) {
    const src = c * nh * nw;
    const dst = c * TARGET * TARGET;
    for (let y = 0; y < nh; y++) {
      for (let xx = 0; xx < nw; xx++) {
        x[dst + y * TARGET + xx] = (scaled.data[src + y * nw + xx] - MEAN[c]) / STD[c];
      }
    }
  }
  return { tensor: ndarray("float32", [1, 3, TARGET, TARGET], x), inputSize: [nh, nw] };
}
