// How an array with axes metadata maps onto OME's five dimensions (export): each array axis must be
// one of t, c, z, y, x, in that (NGFF canonical) order, with y and x last; the missing ones have size 1.
// The 2-D planes are numbered in OME's XYZCT order (z fastest, then c, then t), as OME-TIFF stores them.
import type { ImageAxes } from '../imageAxes';
import { OME_AXES, type OmeAxisName } from '../imageAxes';
import type { DType } from '../ndarray';

export interface OmeDims {
  /** Size of each OME dimension (1 for those the array lacks). */
  size: Record<OmeAxisName, number>;
  /** The array axis of each OME dimension, or -1 when the array lacks it. */
  axis: Record<OmeAxisName, number>;
  /** Number of 2-D planes: size.z × size.c × size.t. */
  planes: number;
}

/**
 * The OME dimensions of an array of `shape` whose axes are `axes`; throws naming `label`, the axes and
 * what is expected when they are not a subset of t, c, z, y, x in that order ending with y, x.
 */
export function omeDims(shape: readonly number[], axes: ImageAxes, label: string): OmeDims {
  const names = axes.axes.map((a) => a.name);
  const order = names.map((n) => OME_AXES.indexOf(n as OmeAxisName));
  const canonical = order.every((o, i) => o >= 0 && (i === 0 || o > order[i - 1]!));
  if (!canonical || names.length < 2 || names.at(-2) !== 'y' || names.at(-1) !== 'x' || names.length !== shape.length) {
    throw new Error(
      `${label}: axes (${names.join(', ') || 'none'}) of shape [${shape.join(', ')}] cannot be exported as OME: expected a subset of t, c, z, y, x in that order, ending with y, x.`,
    );
  }
  const size = { t: 1, c: 1, z: 1, y: 1, x: 1 };
  const axis = { t: -1, c: -1, z: -1, y: -1, x: -1 };
  names.forEach((n, i) => {
    size[n as OmeAxisName] = shape[i]!;
    axis[n as OmeAxisName] = i;
  });
  return { size, axis, planes: size.z * size.c * size.t };
}

/** The (z, c, t) of plane `i` in XYZCT order. */
export function planeZct(d: OmeDims, i: number): { z: number; c: number; t: number } {
  const z = i % d.size.z;
  const c = Math.floor(i / d.size.z) % d.size.c;
  const t = Math.floor(i / (d.size.z * d.size.c));
  return { z, c, t };
}

/** The region (per array axis [start, stop) or null) of plane `i`. */
export function planeRegion(d: OmeDims, ndim: number, i: number): ([number, number] | null)[] {
  const at = planeZct(d, i);
  const region: ([number, number] | null)[] = Array.from({ length: ndim }, () => null);
  for (const n of ['z', 'c', 't'] as const) if (d.axis[n] >= 0) region[d.axis[n]] = [at[n], at[n] + 1];
  return region;
}

/** The dtype an array is exported as: float16 → float32 (OME has no half float), bool → uint8 (0/1); others as they are. */
export function omeExportDType(dtype: DType): Exclude<DType, 'float16' | 'bool'> {
  return dtype === 'float16' ? 'float32' : dtype === 'bool' ? 'uint8' : dtype;
}

/** Planes with a side above this get a reduced-resolution pyramid on export. */
export const EXPORT_PYRAMID_MIN_SIDE = 2048;
/** Pyramid levels stop at the first whose sides are both at most this (one 512×512 tile). */
const EXPORT_PYRAMID_TOP = 512;

/** How many 2×2-mean levels below a [h, w] plane an export writes: none up to 2048 px a side; else down to ≤ 512 px. */
export function exportPyramidLevels(h: number, w: number): number {
  if (Math.max(h, w) <= EXPORT_PYRAMID_MIN_SIDE) return 0;
  let n = 0;
  while (Math.max(h, w) > EXPORT_PYRAMID_TOP) {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    n++;
  }
  return n;
}
