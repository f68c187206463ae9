// Before/after helpers: the split composite and the "different scales" test. Pure, no DOM.
import type { DisplayWindow } from './window';

export interface RGBAImage {
  width: number;
  height: number;
  /** width·height·4 bytes. */
  data: Uint8ClampedArray;
}

/** Columns x < splitX (rounded, clamped to [0, width]) from `left`, the rest from `right` (same size). */
export function splitComposite(left: RGBAImage, right: RGBAImage, splitX: number): RGBAImage {
  const { width, height } = left;
  if (right.width !== width || right.height !== height) {
    throw new Error(`splitComposite: the images differ in size (${width}×${height} and ${right.width}×${right.height}).`);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = Math.max(0, Math.min(width, Math.round(splitX)));
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    out.set(left.data.subarray(row, row + sx * 4), row);
    out.set(right.data.subarray(row + sx * 4, row + width * 4), row + sx * 4);
  }
  return { width, height, data: out };
}

/**
 * Whether window b is on another scale than window a: less than 10 % of b lies inside a (a constant
 * b: its value is outside a). E.g. a 0…1 float output of a 264…3180 16-bit input.
 */
export function differentScales(a: DisplayWindow, b: DisplayWindow): boolean {
  const span = b.max - b.min;
  const overlap = Math.min(a.max, b.max) - Math.max(a.min, b.min);
  if (!(span > 0)) return b.min < a.min || b.min > a.max;
  return overlap < 0.1 * span;
}
