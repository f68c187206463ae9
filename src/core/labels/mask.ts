// Writing a binary mask (a decoded SAM object, any 0/non-zero array of the slice's size) into a label
// slice as one label: every non-zero mask pixel gets `value` ("preserve labels": only where the slice
// is background).
import type { ChangeBuilder } from './change';
import type { LabelLayer } from './layer';
import type { LabelSlice, Rect } from './slice';

/** Write mask's non-zero pixels as `value` (preserve: only over background); the rectangle changed, or null. */
export function writeMask(s: LabelSlice, ch: ChangeBuilder, mask: ArrayLike<number>, value: number, preserve = false): Rect | null {
  if (mask.length !== s.width * s.height) {
    throw new Error(`writeMask: the mask has ${mask.length} values, expected ${s.width * s.height} (${s.width} × ${s.height}).`);
  }
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    if (preserve && s.data[i] !== 0) continue;
    if (!ch.set(i, value)) continue;
    const x = i % s.width;
    const y = (i - x) / s.width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/**
 * Add a mask to the layer's slice as object `label`: ONE history step (undo removes the whole object).
 * Returns the rectangle changed (null: nothing changed, no step) and the label of the next object
 * (the largest label + 1).
 */
export function addMaskObject(
  layer: LabelLayer,
  slice: number,
  mask: ArrayLike<number>,
  label: number,
  preserve: boolean,
): { rect: Rect | null; next: number } {
  const e = layer.begin(slice, 'sam');
  const rect = writeMask(layer.slice(slice), e.builder, mask, label, preserve);
  layer.commit(e);
  return { rect, next: layer.newLabel() };
}
