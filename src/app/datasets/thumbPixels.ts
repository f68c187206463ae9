// A stored thumbnail (gray or interleaved RGB bytes) as RGBA pixels for a canvas. Pure.
import type { Thumbnail } from '../../core/records';

/** RGBA bytes (opaque), or null when the thumbnail is malformed (wrong length, empty). */
export function thumbnailRgba(t: Thumbnail): Uint8ClampedArray<ArrayBuffer> | null {
  const { width: w, height: h, channels: ch, data } = t;
  const n = w * h;
  if (!(w > 0 && h > 0) || !data || (ch !== 1 && ch !== 3) || data.length < n * ch) return null;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    if (ch === 1) {
      const v = data[i]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    } else {
      out[o] = data[3 * i]!;
      out[o + 1] = data[3 * i + 1]!;
      out[o + 2] = data[3 * i + 2]!;
    }
    out[o + 3] = 255;
  }
  return out;
}
