// Slices of an N-D array (N ≥ 3) as the volume viewer shows them: the last two axes are the image,
// every leading axis is a position (one slider over all of them, in C order, as the generic viewer
// does), and slice k is the region with one index on each leading axis and the whole last two axes.
import { chunkKey } from '../../../core/chunkDigest';

/** Per axis [start, stop). */
export type Box = [number, number][];

/** How many 2-D slices an array of `shape` has (the product of its leading axes; 1 for a 2-D array). */
export function sliceCount(shape: readonly number[]): number {
  return shape.slice(0, -2).reduce((n, d) => n * d, 1);
}

/** The index on each leading axis of slice `k` (C order: the last leading axis moves fastest). */
export function sliceIndex(shape: readonly number[], k: number): number[] {
  const lead = shape.slice(0, -2);
  const out = lead.map(() => 0);
  let rest = k;
  for (let ax = lead.length - 1; ax >= 0; ax--) {
    out[ax] = rest % lead[ax]!;
    rest = Math.floor(rest / lead[ax]!);
  }
  return out;
}

/** The region of slice `k`: one index on every leading axis, the whole last two axes. Out of range throws. */
export function sliceRegion(shape: readonly number[], k: number): Box {
  if (shape.length < 2) throw new Error(`An array of shape [${shape.join(', ')}] has no 2-D slices.`);
  const n = sliceCount(shape);
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`Slice ${k} is out of range: the array has ${n} slice(s).`);
  const idx = sliceIndex(shape, k);
  return shape.map((d, i): [number, number] => (i < shape.length - 2 ? [idx[i]!, idx[i]! + 1] : [0, d]));
}

/** The Zarr keys (`c/3/0/0`) of the chunks of a grid (`shape` cut in `chunkShape`) that `region` touches, in C order. */
export function chunksTouched(shape: readonly number[], chunkShape: readonly number[], region: Box): string[] {
  const ranges = region.map(([a, b], i) => {
    if (b <= a) return [] as number[];
    const first = Math.floor(a / chunkShape[i]!);
    const last = Math.floor((Math.min(b, shape[i]!) - 1) / chunkShape[i]!);
    return Array.from({ length: last - first + 1 }, (_, j) => first + j);
  });
  let out: number[][] = [[]];
  for (const r of ranges) out = out.flatMap((prefix) => r.map((c) => [...prefix, c]));
  return out.map(chunkKey);
}

/** "z 12 / 40" for a 3-D array, "3, 12" for more leading axes (1-based, as the slider shows). */
export function sliceText(shape: readonly number[], k: number): string {
  const idx = sliceIndex(shape, k);
  return idx.length === 1 ? `z ${idx[0]! + 1} / ${shape[0]}` : idx.map((i, ax) => `${i + 1}/${shape[ax]}`).join(', ');
}
