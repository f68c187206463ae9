// Before/after helpers: the split composite and the rule for linking the two windows. Pure, no DOM.
import type { DType } from '../../../core/ndarray';
import { formatValue } from './format';

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

/** A side's dtype and the [min, max] of its finite values. */
export interface ValueRange {
  dtype: DType;
  min: number;
  max: number;
}

/**
 * Whether two [min, max] ranges overlap: their intersection covers at least half of the smaller
 * range. A constant side (min = max) overlaps when its value lies in the other range (ends included);
 * disjoint ranges never overlap. E.g. 0…255 and 0…1 overlap (the intersection is all of 0…1);
 * 0…255 and 200…1000 do not (55 of 255).
 */
export function rangesOverlap(a: ValueRange, b: ValueRange): boolean {
  const inter = Math.min(a.max, b.max) - Math.max(a.min, b.min);
  if (!(inter >= 0)) return false;
  const smaller = Math.min(a.max - a.min, b.max - b.min);
  return inter >= 0.5 * smaller;
}

/** Whether the input and output share a value range (same dtype and overlapping ranges): then one window fits both. */
export function sharesValueRange(input: ValueRange, output: ValueRange): boolean {
  return input.dtype === output.dtype && rangesOverlap(input, output);
}

/** Why the input and output get a window each (null: they share a value range, the windows are linked). */
export function separateWindowsReason(input: ValueRange, output: ValueRange): string | null {
  if (sharesValueRange(input, output)) return null;
  const side = (r: ValueRange) => `${r.dtype} ${formatValue(r.min)}–${formatValue(r.max)}`;
  return `the input is ${side(input)}, the output ${side(output)}: each side has its own window`;
}
