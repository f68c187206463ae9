// Which run outputs the run viewers show slice by slice (lazily) rather than reading them whole, and
// which field of the run's input goes with them. A Volume can be far larger than the tab's memory:
// reading its mask or its denoised copy whole to show one plane kills the tab, so any array that is a
// stack of slices (3+ axes) or is stored in more than one chunk is read one 2-D slice at a time, the
// way VolumeView reads a dataset's volume. Pure (metadata only), unit-tested.
import type { DatasetMeta, FieldMeta } from '../../core/records';
import { formatShape } from './render/format';
import { sliceCount } from './render/slices';
import { isImageShape } from './render/window';

/** How many chunks field `f` is stored in (a blob field is one). */
export function chunkCount(f: FieldMeta): number {
  if (!(f.array || f.remote) || !f.chunkShape) return 1;
  return f.shape.reduce((n, d, i) => n * Math.ceil(d / Math.max(1, f.chunkShape![i] ?? d)), 1);
}

/**
 * Whether field `key` of `meta` is shown slice by slice: an array with more than one 2-D slice (for an
 * `image` kind of field, 1×H×W and 3×H×W are one image, gray or RGB, not slices), or a 2-D array stored
 * in more than one chunk. False when the field is absent or not an array.
 */
export function isSlicedField(meta: DatasetMeta, key: string, opts: { image: boolean }): boolean {
  const f = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  if (!f || (f.kind !== 'array' && f.kind !== 'arrayList') || !f.shape.every((d) => d > 0)) return false;
  if (f.shape.length >= 3) return opts.image && isImageShape(f.shape) ? false : sliceCount(f.shape) > 1 || chunkCount(f) > 1;
  return f.shape.length === 2 && chunkCount(f) > 1;
}

/** The first of `keys` that `meta` holds (a denoised Volume's `volume`, an Image's `image`), or null. */
export function firstField(meta: DatasetMeta, keys: readonly string[]): string | null {
  return keys.find((k) => Object.hasOwn(meta.keys, k)) ?? null;
}

/**
 * A field of the run's input to read slice by slice with an output of `shape` (`select`: at one index of
 * its channel axis, when the output is one channel's, e.g. a mask of a multichannel image), or why there is none.
 */
export type MatchingField = { key: string; note: null; select?: { axis: number; index: number } } | { key: null; note: string };

/**
 * The first of `keys` in the input `meta` with exactly `shape` (so slice k of one is slice k of the
 * other); else a note naming what the input holds instead. `what` names the role ("source image").
 */
export function matchingField(meta: DatasetMeta, keys: readonly string[], shape: readonly number[], what: string, channel = 0): MatchingField {
  const same = keys.find((k) => Object.hasOwn(meta.keys, k) && formatShape(meta.keys[k]!.shape) === formatShape(shape));
  if (same) return { key: same, note: null };
  // A multichannel source whose shape less its 'c' axis is the output's: the output is of one channel.
  for (const k of keys) {
    const f = Object.hasOwn(meta.keys, k) ? meta.keys[k] : undefined;
    const c = f?.axes?.axes.findIndex((a) => a.name === 'c') ?? -1;
    if (!f || c < 0 || formatShape(f.shape.filter((_, i) => i !== c)) !== formatShape(shape)) continue;
    return { key: k, note: null, select: { axis: c, index: Math.min(Math.max(0, Math.trunc(channel)), f.shape[c]! - 1) } };
  }
  const other = firstField(meta, keys);
  return {
    key: null,
    note: other
      ? `The ${what} (${other} ${formatShape(meta.keys[other]!.shape)}) does not have the output's shape ${formatShape(shape)}: showing the output alone.`
      : `The input has no ${keys.join(' or ')} field: showing the output alone.`,
  };
}
