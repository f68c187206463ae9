// How an image with named axes is stored (docs/microscopy.md "How an image is stored"): its axes in
// NGFF's canonical order t, c, z, y, x, the t, c and z axes of length 1 left out, and the schema and field
// by what is left: y,x or 3-channel c,y,x → Image (`image`); z,y,x or t,y,x → Volume (`volume`);
// anything else → no schema (`image`). Pure; used by the OME-Zarr import and remote datasets.
import type { ImageAxes } from '../imageAxes';

export interface StoredLayout {
  /** Indices (into the source's axes) of the axes kept, in order. */
  kept: number[];
  /** The stored array's shape (the source's shape at `kept`). */
  shape: number[];
  /** The stored axes metadata (channels dropped with a dropped 'c' axis). */
  axes: ImageAxes;
  schema: 'Image' | 'Volume' | null;
  field: 'image' | 'volume';
}

const DROPPABLE = new Set(['t', 'c', 'z']);

/**
 * The stored layout of an array of `shape` whose axes are `axes` (already in canonical order, as NGFF
 * arrays are). Throws when the axes are not in t, c, z, y, x order or lack y and x (`label` names the
 * source in the message).
 */
export function storedLayout(axes: ImageAxes, shape: readonly number[], label: string): StoredLayout {
  const names = axes.axes.map((a) => a.name);
  const order = ['t', 'c', 'z', 'y', 'x'];
  const known = names.filter((n) => order.includes(n));
  if (known.some((n, i) => i > 0 && order.indexOf(n) < order.indexOf(known[i - 1]!))) {
    throw new Error(`${label}: axes ${names.join(', ')} are not in the order t, c, z, y, x.`);
  }
  if (names.at(-2) !== 'y' || names.at(-1) !== 'x') throw new Error(`${label}: the last two axes must be y and x (got ${names.join(', ')}).`);
  const kept = names.flatMap((n, i) => (DROPPABLE.has(n) && shape[i] === 1 ? [] : [i]));
  const keptNames = kept.map((i) => names[i]!);
  const hasC = keptNames.includes('c');
  const out: ImageAxes = {
    axes: kept.map((i) => ({ ...axes.axes[i]! })),
    channels: hasC ? axes.channels.map((c) => ({ ...c, window: c.window && { ...c.window } })) : [],
  };
  const key = keptNames.join(',');
  const c = names.indexOf('c');
  let schema: StoredLayout['schema'] = null;
  if (key === 'y,x' || (key === 'c,y,x' && shape[c] === 3)) schema = 'Image';
  else if (key === 'z,y,x' || key === 't,y,x') schema = 'Volume';
  return { kept, shape: kept.map((i) => shape[i]!), axes: out, schema, field: schema === 'Volume' ? 'volume' : 'image' };
}
