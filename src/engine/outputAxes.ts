// What the axes of a run's outputs mean: an output inherits its input's axes (names, units, physical
// sizes, channels) when the shapes allow it (src/core/imageAxes.ts inheritAxes: the same shape, the
// input less its channels, or another channel count); output i comes from input i (or from the only
// input; outputSources.ts). Inputs without stored axes give nothing: their outputs keep the defaults.
// Runners can say otherwise afterwards (setOutputAxes).
import { inheritAxes, type ImageAxes } from '../core/imageAxes';
import type { DatasetMeta } from '../core/records';
import type { NewField } from './hostArrays';

/** The fields of an input looked at for an output field `key`: the same key first, then the image-like ones. */
const SOURCE_KEYS = ['image', 'volume', 'mask', 'data'];

function shapeOf(f: NewField): readonly number[] | null {
  if ('staged' in f && f.staged) return f.staged.shape;
  if ('array' in f && f.kind === 'array') return f.array.shape;
  return null;
}

function inheritFrom(meta: DatasetMeta, key: string, outShape: readonly number[]): ImageAxes | null {
  for (const k of [key, ...SOURCE_KEYS.filter((s) => s !== key)]) {
    const fm = Object.hasOwn(meta.keys, k) ? meta.keys[k] : undefined;
    if (!fm?.axes) continue;
    const got = inheritAxes(fm.axes, fm.shape, outShape);
    if (got) return got;
  }
  return null;
}

/** Per output item, the axes its array fields inherit from its source's metadata (outputSources.ts), or undefined. */
export function inheritedAxes(sources: readonly (DatasetMeta | null)[], items: Record<string, NewField>[]): (Record<string, ImageAxes> | undefined)[] {
  return items.map((fields, i) => {
    const meta = sources[i];
    if (!meta || !Object.values(meta.keys).some((f) => f.axes)) return undefined;
    const out: Record<string, ImageAxes> = {};
    for (const [key, f] of Object.entries(fields)) {
      const shape = shapeOf(f);
      const ax = shape ? inheritFrom(meta, key, shape) : null;
      if (ax) out[key] = ax;
    }
    return Object.keys(out).length ? out : undefined;
  });
}
