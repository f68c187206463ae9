// Interleaved RGBA pixels (a browser canvas, a composed GIF frame) → the Image layout: H×W when every
// pixel is gray, else 3×H×W, with the alpha channel split off when it is not opaque everywhere.
import type { NDArray } from '../ndarray';

/** Whether every pixel of RGBA bytes has R == G == B. */
export function rgbaIsGray(rgba: ArrayLike<number>, pixels: number): boolean {
  for (let i = 0; i < pixels; i++) {
    const r = rgba[4 * i]!;
    if (r !== rgba[4 * i + 1] || r !== rgba[4 * i + 2]) return false;
  }
  return true;
}

/** RGBA bytes → H×W uint8 (`gray`) or 3×H×W uint8. */
export function rgbaColour(rgba: ArrayLike<number>, w: number, h: number, gray: boolean): NDArray {
  const m = w * h;
  if (gray) {
    const out = new Uint8Array(m);
    for (let i = 0; i < m; i++) out[i] = rgba[4 * i]!;
    return { dtype: 'uint8', shape: [h, w], data: out };
  }
  const out = new Uint8Array(3 * m);
  for (let i = 0; i < m; i++) {
    out[i] = rgba[4 * i]!;
    out[m + i] = rgba[4 * i + 1]!;
    out[2 * m + i] = rgba[4 * i + 2]!;
  }
  return { dtype: 'uint8', shape: [3, h, w], data: out };
}

/** The alpha of RGBA bytes as H×W uint8, or null when every pixel is opaque (255). */
export function rgbaAlpha(rgba: ArrayLike<number>, w: number, h: number): NDArray | null {
  const m = w * h;
  let opaque = true;
  for (let i = 0; i < m && opaque; i++) opaque = rgba[4 * i + 3] === 255;
  if (opaque) return null;
  const out = new Uint8Array(m);
  for (let i = 0; i < m; i++) out[i] = rgba[4 * i + 3]!;
  return { dtype: 'uint8', shape: [h, w], data: out };
}
