// The label layer's RGBA (pure, no DOM): label l in its palette colour at `opacity`, background
// transparent; in outline mode only the labels' borders (a pixel whose 4-neighbour, or the edge of the
// slice, has another value), opaque. Written for a rectangle only, so a brush event repaints what it
// touched, never the whole layer.
import { labelPalette, paletteColor, type LabelPalette } from '../render/labelTables';
import type { LabelColors } from '../../../core/imageAxes';
import type { Rect } from '../../../core/labels/slice';

export interface LayerStyle {
  colors: LabelColors | null;
  opacity: number;
  outline: boolean;
}

/** Packed RGBA (little-endian ABGR as a Uint32Array sees it) of label l, cached per palette and alpha. */
export class LabelColorCache {
  private readonly cache = new Map<number, number>();
  private readonly palette: LabelPalette;
  private readonly alpha: number;
  constructor(style: LayerStyle) {
    this.palette = labelPalette(style.colors);
    this.alpha = style.outline ? 255 : Math.round(255 * Math.max(0, Math.min(1, style.opacity)));
  }
  rgba(l: number): number {
    let c = this.cache.get(l);
    if (c === undefined) {
      const rgb = l === 0 ? null : paletteColor(this.palette, l);
      c = rgb ? ((this.alpha << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0 : 0;
      this.cache.set(l, c);
    }
    return c;
  }
}

/** The RGBA of rectangle `r` of a label slice (r's width × height × 4 bytes). */
export function layerRGBA(
  labels: Int32Array,
  width: number,
  height: number,
  r: Rect,
  colors: LabelColorCache,
  outline: boolean,
): Uint8ClampedArray<ArrayBuffer> {
  const [x0, y0, x1, y1] = r;
  const w = x1 - x0;
  const out = new Uint32Array(w * (y1 - y0));
  let prev = -1;
  let prevC = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    const o = (y - y0) * w - x0;
    for (let x = x0; x < x1; x++) {
      const l = labels[row + x]!;
      if (l === 0) continue;
      if (outline) {
        const border =
          x === 0 ||
          x === width - 1 ||
          y === 0 ||
          y === height - 1 ||
          labels[row + x - 1] !== l ||
          labels[row + x + 1] !== l ||
          labels[row - width + x] !== l ||
          labels[row + width + x] !== l;
        if (!border) continue;
      }
      if (l !== prev) {
        prev = l;
        prevC = colors.rgba(l);
      }
      out[o + x] = prevC;
    }
  }
  return new Uint8ClampedArray(out.buffer);
}

/** A rectangle grown by `by` pixels, clipped to the slice (outline mode repaints the neighbours' borders too). */
export function growRect(r: Rect, by: number, width: number, height: number): Rect {
  return [Math.max(0, r[0] - by), Math.max(0, r[1] - by), Math.min(width, r[2] + by), Math.min(height, r[3] + by)];
}

/** Pixels of a slice with a label (≠ 0). */
export function paintedCount(labels: Int32Array): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) n++;
  return n;
}

/** A short hash (FNV-1a over the values) of a label slice: tests compare states by it. */
export function labelsHash(labels: Int32Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < labels.length; i++) {
    h ^= labels[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
