// Prompts for the segment-anything decoder: validation against the image size (messages name the
// prompt, the value and the rule) and their encoding as the decoder's inputs.
//
// Coordinates are in the original image's pixels, x = column, y = row; pixel (i, j) covers
// [i, i + 1) × [j, j + 1), so a point lies inside a W×H image when 0 ≤ x < W and 0 ≤ y < H, and a
// box [x0, y0, x1, y1] when 0 ≤ x0 < x1 ≤ W and 0 ≤ y0 < y1 ≤ H. Labels: 1 = object, 0 = background.
//
// The decoder (the standard SAM ONNX export) takes point_coords [1, N, 2] in the 1024-pixel frame of
// the encoder (x·s, y·s with s = 1024 / max(H, W)) and point_labels [1, N]: 1/0 for clicks, 2/3 for
// a box's top-left/bottom-right corners, −1 for the padding point (0, 0) that is added when there
// is no box.
import { ndarray, type DType, type NDArray } from './ndarray';

export type PromptPoint = [x: number, y: number, label: 0 | 1];
export type PromptBox = [x0: number, y0: number, x1: number, y1: number];

export interface Prompts {
  points: PromptPoint[];
  box: PromptBox | null;
}

/** Original image size [H, W]. */
export type ImageSize = readonly [height: number, width: number];

/** Longest side of the encoder's input frame. */
export const SAM_FRAME = 1024;
/** Shape of one SAM image embedding (without the batch axis). */
export const SAM_EMBEDDING_SHAPE = [256, 64, 64] as const;
export const SAM_LOW_RES = 256;

const fmt = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Check prompts against a [H, W] image and return a clean copy. Throws with messages such as
 * "prompts: point 1 (300, 12) is outside the 256×256 image (0 ≤ x < 256, 0 ≤ y < 256)."
 */
export function validatePrompts(input: unknown, size: ImageSize): Prompts {
  const [H, W] = size;
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error('prompts: expected { points: [[x, y, label], …], box?: [x0, y0, x1, y1] }.');
  }
  const o = input as { points?: unknown; box?: unknown };
  const rawPoints = o.points ?? [];
  if (!Array.isArray(rawPoints)) throw new Error(`prompts: points must be a list of [x, y, label]; got ${fmt(rawPoints)}.`);
  const points: PromptPoint[] = rawPoints.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 3 || !num(p[0]) || !num(p[1]) || !num(p[2])) {
      throw new Error(`prompts: point ${i} must be [x, y, label] with finite numbers; got ${fmt(p)}.`);
    }
    const [x, y, label] = p as [number, number, number];
    if (label !== 0 && label !== 1) throw new Error(`prompts: point ${i} has label ${label}; a label is 1 (object) or 0 (background).`);
    if (!(x >= 0 && x < W && y >= 0 && y < H)) {
      throw new Error(`prompts: point ${i} (${x}, ${y}) is outside the ${W}×${H} image (0 ≤ x < ${W}, 0 ≤ y < ${H}).`);
    }
    return [x, y, label];
  });
  let box: PromptBox | null = null;
  if (o.box !== undefined && o.box !== null) {
    const b = o.box;
    const rule = `[x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ ${W} and 0 ≤ y0 < y1 ≤ ${H}`;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(num)) throw new Error(`prompts: box must be ${rule}; got ${fmt(b)}.`);
    const [x0, y0, x1, y1] = b as number[] as PromptBox;
    if (!(x0 >= 0 && x0 < x1 && x1 <= W && y0 >= 0 && y0 < y1 && y1 <= H)) throw new Error(`prompts: box must be ${rule}; got ${fmt(b)}.`);
    box = [x0, y0, x1, y1];
  }
  if (points.length === 0 && !box) throw new Error('prompts: give at least one point or a box.');
  return { points, box };
}

/** Scale from original pixels to the encoder's 1024 frame. */
export function samScale(size: ImageSize): number {
  return SAM_FRAME / Math.max(size[0], size[1]);
}

/** point_coords [1, N, 2] and point_labels [1, N] for the decoder. */
export function samPointFeeds(prompts: Prompts, size: ImageSize): { point_coords: NDArray<'float32'>; point_labels: NDArray<'float32'> } {
  const s = samScale(size);
  const coords: number[] = [];
  const labels: number[] = [];
  for (const [x, y, l] of prompts.points) {
    coords.push(x * s, y * s);
    labels.push(l);
  }
  if (prompts.box) {
    const [x0, y0, x1, y1] = prompts.box;
    coords.push(x0 * s, y0 * s, x1 * s, y1 * s);
    labels.push(2, 3);
  } else {
    coords.push(0, 0);
    labels.push(-1);
  }
  const n = labels.length;
  return {
    point_coords: ndarray('float32', [1, n, 2], Float32Array.from(coords)),
    point_labels: ndarray('float32', [1, n], Float32Array.from(labels)),
  };
}

/**
 * The problem with an embedding's fields for the SAM decoder, or null: features float32 with 256×64×64
 * values (shape [256, 64, 64] or [1, 256, 64, 64]), original_size two positive integers.
 */
export function samEmbeddingProblem(features: { dtype: DType; shape: readonly number[] } | null, originalSize: ArrayLike<number> | null): string | null {
  const want = `float32 [${SAM_EMBEDDING_SHAPE.join(', ')}]`;
  if (!features) return `it has no 'features' field (the sam decoder needs ${want})`;
  const s = features.shape.length === 4 && features.shape[0] === 1 ? features.shape.slice(1) : features.shape;
  if (features.dtype !== 'float32' || s.length !== 3 || s.some((d, i) => d !== SAM_EMBEDDING_SHAPE[i])) {
    return `its features are ${features.dtype} [${features.shape.join(', ')}]; the sam decoder needs ${want}`;
  }
  if (!originalSize || originalSize.length !== 2 || !Array.from(originalSize).every((v) => Number.isInteger(v) && v > 0)) {
    return `its original_size is ${fmt(originalSize ? Array.from(originalSize) : originalSize)}; expected [H, W] (positive integers)`;
  }
  return null;
}

/**
 * The mask of the best candidate among the decoder's `masks` [1, K, H, W] logits (K = 1 for the
 * single-mask export): 1 where the logit is > 0. `iou` is `iou_predictions` [1, K].
 */
export function maskFromLogits(masks: NDArray, iou: NDArray | null): { mask: NDArray<'uint8'>; iou: number } {
  const sh = masks.shape;
  if (sh.length !== 4 || sh[0] !== 1) throw new Error(`The prompt decoder returned masks of shape [${sh.join(', ')}]; expected [1, K, H, W].`);
  const [, K, H, W] = sh as [number, number, number, number];
  const scores = iou ? Array.from(iou.data as ArrayLike<number>) : [];
  let best = 0;
  for (let k = 1; k < K; k++) if ((scores[k] ?? -Infinity) > (scores[best] ?? -Infinity)) best = k;
  const n = H * W;
  const src = masks.data as ArrayLike<number>;
  const out = new Uint8Array(n);
  const off = best * n;
  for (let i = 0; i < n; i++) out[i] = src[off + i]! > 0 ? 1 : 0;
  return { mask: ndarray('uint8', [H, W], out), iou: scores[best] ?? NaN };
}

/** SAM's scaled size before padding: round(H·s), round(W·s) with s = 1024 / max(H, W) (ResizeLongestSide). */
export function samInputSize(size: ImageSize): [number, number] {
  const s = samScale(size);
  return [Math.floor(size[0] * s + 0.5), Math.floor(size[1] * s + 0.5)];
}

/** Bilinear sampling plan of one axis, as torch's interpolate(mode="bilinear", align_corners=False). */
function axisPlan(nIn: number, nOut: number, scale: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(nOut);
  const i1 = new Int32Array(nOut);
  const w = new Float32Array(nOut);
  for (let j = 0; j < nOut; j++) {
    const src = Math.max(0, (j + 0.5) * scale - 0.5);
    const a = Math.min(Math.floor(src), nIn - 1);
    i0[j] = a;
    i1[j] = a < nIn - 1 ? a + 1 : a;
    w[j] = src - a;
  }
  return { i0, i1, w };
}

/** Resample a row-major h×w plane to outH×outW with per-axis plans (rows first, then columns). */
function resample(
  src: Float32Array,
  w: number,
  outH: number,
  outW: number,
  rows: ReturnType<typeof axisPlan>,
  cols: ReturnType<typeof axisPlan>,
): Float32Array {
  const tmp = new Float32Array(outH * w);
  for (let y = 0; y < outH; y++) {
    const a = rows.i0[y]! * w;
    const b = rows.i1[y]! * w;
    const t = rows.w[y]!;
    const o = y * w;
    for (let x = 0; x < w; x++) tmp[o + x] = src[a + x]! * (1 - t) + src[b + x]! * t;
  }
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const r = y * w;
    const o = y * outW;
    for (let x = 0; x < outW; x++) {
      const t = cols.w[x]!;
      out[o + x] = tmp[r + cols.i0[x]!]! * (1 - t) + tmp[r + cols.i1[x]!]! * t;
    }
  }
  return out;
}

/**
 * The decoder's mask post-processing in JavaScript (what its `masks` output does, at a fraction of
 * the cost): the best candidate of `low_res_masks` [1, K, 256, 256] upsampled to the 1024 frame,
 * cropped to the scaled image size, resized to [H, W] (bilinear, half-pixel) and thresholded at 0.
 */
export function maskFromLowRes(lowRes: NDArray, iou: NDArray | null, size: ImageSize): { mask: NDArray<'uint8'>; iou: number } {
  const sh = lowRes.shape;
  if (sh.length !== 4 || sh[0] !== 1) throw new Error(`The prompt decoder returned low_res_masks of shape [${sh.join(', ')}]; expected [1, K, 256, 256].`);
  const [, K, h, w] = sh as [number, number, number, number];
  const scores = iou ? Array.from(iou.data as ArrayLike<number>) : [];
  let best = 0;
  for (let k = 1; k < K; k++) if ((scores[k] ?? -Infinity) > (scores[best] ?? -Infinity)) best = k;
  const plane = Float32Array.from((lowRes.data as Float32Array).subarray(best * h * w, (best + 1) * h * w));
  const [ih, iw] = samInputSize(size);
  // 256 → 1024 frame (only the rows and columns inside the scaled image are needed), then → H×W.
  const up = resample(plane, w, ih, iw, axisPlan(h, ih, h / SAM_FRAME), axisPlan(w, iw, w / SAM_FRAME));
  const [H, W] = size;
  const logits = resample(up, iw, H, W, axisPlan(ih, H, ih / H), axisPlan(iw, W, iw / W));
  const out = new Uint8Array(H * W);
  for (let i = 0; i < out.length; i++) out[i] = logits[i]! > 0 ? 1 : 0;
  return { mask: ndarray('uint8', [H, W], out), iou: scores[best] ?? NaN };
}
