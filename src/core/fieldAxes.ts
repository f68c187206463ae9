// The axes of a stored field: what the dataset says (FieldMeta.axes), else the defaults for its shape
// (an `image` of [3, H, W] is channel-first RGB). Used by describeData, the viewers and the exports.
import { cloneAxes, defaultAxes, type ImageAxes } from './imageAxes';
import type { FieldMeta } from './records';

/** A field's axes (a copy): as stored, else the defaults for its shape. */
export function axesOfField(key: string, f: { readonly shape: readonly number[]; readonly axes?: ImageAxes | undefined }): ImageAxes {
  if (f.axes) return cloneAxes(f.axes);
  return defaultAxes(f.shape, { rgb: key === 'image' && f.shape.length === 3 && f.shape[0] === 3 });
}

/** As axesOfField, and null for fields that are not arrays. */
export function fieldAxes(key: string, fm: Pick<FieldMeta, 'kind' | 'shape' | 'axes'>): ImageAxes | null {
  return fm.kind === 'array' ? axesOfField(key, fm) : null;
}
