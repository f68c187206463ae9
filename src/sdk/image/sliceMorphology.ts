// Mask cleanup over a 3-D volume too large to hold whole, read one Z slice at a time:
// remove_small_objects then binary_fill_holes with 3-D connectivity, equal to the in-memory kernels
// (morphology.ts) on the whole volume.
//
// How: each slice is labelled in 2-D with the in-plane part of the 3-D structure (connectivity 1 → 4
// neighbours, 2 or 3 → 8); its components get global ids; a union-find joins them with the previous
// slice's components through the offsets (dz = −1, dy, dx) the 3-D structure allows (connectivity c:
// at most c non-zero components, so (−1, 0, 0) for 1, plus (−1, ±1, 0) and (−1, 0, ±1) for 2, plus the
// four corners for 3). Sizes and "touches the volume border" (slice 0, the last slice, or the plane's
// edge) are summed at the roots; a second pass re-reads, re-labels and writes each slice. Memory: one
// slice, two planes of int32 labels and a few integers per component. Every slice is read twice, three
// times with hole filling.
import type { NDArray } from '../../core/ndarray';
import { label } from './morphology';
import { Components } from './unionFind';

/** A [Z, Y, X] volume read one slice at a time. */
export interface SlicedVolume {
  depth: number;
  height: number;
  width: number;
  /** Slice z as a 2-D [Y, X] array (non-zero = foreground). */
  read(z: number): Promise<NDArray>;
}

/** Writes output slice z (uint8 0/1, [Y, X]). */
export type SliceWriter = (z: number, slice: NDArray<'uint8'>) => Promise<void>;

export interface SliceCleanupOptions {
  minSize: number;
  fillHoles: boolean;
  /** 3-D connectivity of the objects (1 faces, 2 + edges, 3 + corners). Default 1. */
  connectivity?: number;
  /** 3-D connectivity of the background flood that finds holes. Default 1 (scipy's default). */
  holeConnectivity?: number;
}

/** In-plane offsets (dy, dx) joining slice z to slice z − 1 under 3-D connectivity `conn`. */
function crossOffsets(conn: number): [number, number][] {
  const out: [number, number][] = [];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (1 + (dy !== 0 ? 1 : 0) + (dx !== 0 ? 1 : 0) <= conn) out.push([dy, dx]);
  return out;
}

/** Global labels of every slice (from `slice(z)`), joined across slices; each slice's base id. */
async function labelSlices(v: SlicedVolume, slice: (z: number) => Promise<NDArray>, conn: number): Promise<{ comps: Components; bases: number[] }> {
  const comps = new Components();
  const bases: number[] = [];
  const { height: Y, width: X, depth: Z } = v;
  const inPlane = Math.min(conn, 2);
  const offsets = crossOffsets(conn);
  let prev = new Int32Array(Y * X);
  let cur = new Int32Array(Y * X);
  for (let z = 0; z < Z; z++) {
    const { labels, count } = label(await slice(z), inPlane);
    const lab = labels.data;
    const sizes = new Float64Array(count + 1);
    const border = new Uint8Array(count + 1);
    const edgeSlice = z === 0 || z === Z - 1;
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const l = lab[y * X + x]!;
        if (l === 0) continue;
        sizes[l]!++;
        if (edgeSlice || y === 0 || y === Y - 1 || x === 0 || x === X - 1) border[l] = 1;
      }
    }
    const base = comps.add(sizes, border, count);
    bases.push(base);
    for (let q = 0; q < Y * X; q++) cur[q] = lab[q] === 0 ? 0 : base + lab[q]!;
    if (z > 0) {
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const b = cur[y * X + x]!;
          if (b === 0) continue;
          for (const [dy, dx] of offsets) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= Y || xx < 0 || xx >= X) continue;
            const a = prev[yy * X + xx]!;
            if (a !== 0) comps.union(a, b);
          }
        }
      }
    }
    [prev, cur] = [cur, prev];
  }
  return { comps, bases };
}

/** Component ids of a 2-D label plane → a 0/1 plane keeping those `keep` accepts. */
function keepWhere(lab: Int32Array, base: number, comps: Components, keep: (root: number) => boolean): Uint8Array {
  const out = new Uint8Array(lab.length);
  for (let q = 0; q < lab.length; q++) if (lab[q] !== 0 && keep(comps.find(base + lab[q]!))) out[q] = 1;
  return out;
}

/**
 * remove_small_objects then (optionally) binary_fill_holes over a volume read slice by slice, written
 * slice by slice; equal to morphology.removeSmallObjects / binaryFillHoles on the whole volume.
 */
export async function cleanMaskSlices(v: SlicedVolume, write: SliceWriter, opts: SliceCleanupOptions): Promise<void> {
  const conn = Math.max(1, Math.min(3, Math.floor(opts.connectivity ?? 1)));
  const holeConn = Math.max(1, Math.min(3, Math.floor(opts.holeConnectivity ?? 1)));
  const shape = [v.height, v.width];
  const objects = opts.minSize > 0 ? await labelSlices(v, (z) => v.read(z), conn) : null;
  const cleaned = async (z: number): Promise<Uint8Array> => {
    const mask = await v.read(z);
    if (!objects) {
      const out = new Uint8Array(v.height * v.width);
      for (let q = 0; q < out.length; q++) out[q] = mask.data[q] !== 0 ? 1 : 0;
      return out;
    }
    const lab = label(mask, Math.min(conn, 2)).labels.data;
    return keepWhere(lab, objects.bases[z]!, objects.comps, (r) => objects.comps.size[r]! >= opts.minSize);
  };
  const inverted = (c: Uint8Array): NDArray<'uint8'> => {
    const bg = new Uint8Array(c.length);
    for (let q = 0; q < c.length; q++) bg[q] = c[q] ? 0 : 1;
    return { dtype: 'uint8', shape, data: bg };
  };
  if (!opts.fillHoles) {
    for (let z = 0; z < v.depth; z++) await write(z, { dtype: 'uint8', shape, data: await cleaned(z) });
    return;
  }
  const holes = await labelSlices(v, async (z) => inverted(await cleaned(z)), holeConn);
  for (let z = 0; z < v.depth; z++) {
    const c = await cleaned(z);
    const lab = label(inverted(c), Math.min(holeConn, 2)).labels.data;
    const fill = keepWhere(lab, holes.bases[z]!, holes.comps, (r) => !holes.comps.flag[r]);
    for (let q = 0; q < c.length; q++) c[q]! |= fill[q]!;
    await write(z, { dtype: 'uint8', shape, data: c });
  }
}
