// The axes of a stored field: what the dataset says (FieldMeta.axes), else the defaults for its shape
// (an `image` of [3, H, W] is channel-first RGB). Used by describeData, the viewers and the exports.
import { cloneAxes, defaultAxes, type ImageAxes } from './imageAxes';
import type { FieldMeta } from './records';

export function fieldAxes(key: string, fm: Pick<FieldMeta, 'kind' | 'shape' | 'axes'>): ImageAxes | null {
  if (fm.kind !== 'array') return null;
  if (fm.axes) return cloneAxes(fm.axes);
  return defaultAxes(fm.shape, { rgb: key === 'image' && fm.shape.length === 3 && fm.shape[0] === 3 });
}
