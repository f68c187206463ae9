// Segmentation overlay: mask labels composed over a rendered (RGBA) image. Label 0 is transparent
// (the image shows unchanged); any other label blends its palette colour at `opacity`:
//   out = round(base · (1 − opacity) + colour · opacity), alpha 255.
// Float labels are rounded; bool masks are label 1. Pure, no DOM.
import { LABEL_LUT, labelIndex } from './labelPalette';

export interface OverlayOptions {
  /** 0 (invisible) … 1 (opaque colour). */
  opacity: number;
  /** Colour only the boundary pixels of each region (a 4-neighbour has another label). */
  outline?: boolean;
  /** 768-byte palette indexed by labelIndex(label); default LABEL_LUT. */
  palette?: Uint8Array;
  /** Labels with their own colour (by value; they win over `palette`): labelTables.ts's `own`. */
  own?: ReadonlyMap<number, readonly [number, number, number]>;
}

/** Labels of a mask as integers (rounded), same length. Returns the input when already integral. */
function labelAt(labels: ArrayLike<number>, i: number): number {
  const v = labels[i]!;
  return v === (v | 0) ? v : Math.round(v);
}

/**
 * Compose labels (W·H values, row-major) over `base` (W·H·4 RGBA bytes). Returns a new array; `base`
 * is not changed.
 */
export function overlayLabels(base: Uint8ClampedArray, labels: ArrayLike<number>, width: number, height: number, opts: OverlayOptions): Uint8ClampedArray {
  const n = width * height;
  if (labels.length !== n) throw new Error(`overlay: the mask has ${labels.length} values but the image has ${n} pixels.`);
  if (base.length !== n * 4) throw new Error(`overlay: the image has ${base.length / 4} pixels, expected ${n}.`);
  const out = new Uint8ClampedArray(base);
  const a = Math.max(0, Math.min(1, opts.opacity));
  const b = 1 - a;
  const pal = opts.palette ?? LABEL_LUT;
  const own = opts.own?.size ? opts.own : null;
  // Blend table per palette entry and base byte would be 256×256×3; the per-pixel arithmetic is cheap enough.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const l = labelAt(labels, i);
      if (l === 0 || l !== l) continue;
      if (opts.outline) {
        const boundary =
          (x > 0 && labelAt(labels, i - 1) !== l) ||
          (x < width - 1 && labelAt(labels, i + 1) !== l) ||
          (y > 0 && labelAt(labels, i - width) !== l) ||
          (y < height - 1 && labelAt(labels, i + width) !== l);
        if (!boundary) continue;
      }
      const o = 4 * i;
      const c = own?.get(l);
      if (c) {
        out[o] = base[o]! * b + c[0] * a;
        out[o + 1] = base[o + 1]! * b + c[1] * a;
        out[o + 2] = base[o + 2]! * b + c[2] * a;
      } else {
        const k = labelIndex(l) * 3;
        out[o] = base[o]! * b + pal[k]! * a;
        out[o + 1] = base[o + 1]! * b + pal[k + 1]! * a;
        out[o + 2] = base[o + 2]! * b + pal[k + 2]! * a;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

/** An opaque black RGBA image (the background of a label view without a source image). */
export function blackRGBA(width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < out.length; i += 4) out[i] = 255;
  return out;
}

export interface LabelCount {
  label: number;
  count: number;
}

/** Pixels per label (rounded labels, NaN skipped), ascending by label; label 0 included when present. */
export function labelCounts(labels: ArrayLike<number>): LabelCount[] {
  const small = new Float64Array(1024);
  let big: Map<number, number> | null = null;
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const l = labelAt(labels, i);
    if (l !== l) continue;
    if (l >= 0 && l < 1024) small[l]!++;
    else (big ??= new Map()).set(l, (big.get(l) ?? 0) + 1);
  }
  const out: LabelCount[] = [];
  for (let l = 0; l < 1024; l++) if (small[l]) out.push({ label: l, count: small[l]! });
  if (big) for (const [label, count] of big) out.push({ label, count });
  return out.sort((p, q) => p.label - q.label);
}
