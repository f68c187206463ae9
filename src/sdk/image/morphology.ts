// Binary-mask morphology with scipy / scikit-image parity:
//   label              ≡ scipy.ndimage.label(mask, generate_binary_structure(ndim, connectivity))
//                        (same numbering as skimage.measure.label with that connectivity:
//                        components numbered 1..n in C-order of their first pixel)
//   removeSmallObjects ≡ skimage.morphology.remove_small_objects(mask.astype(bool), min_size, connectivity)
//   binaryFillHoles    ≡ scipy.ndimage.binary_fill_holes(mask) (structure of connectivity 1 by default)
// Any dimensionality. Masks are NDArrays of any dtype (non-zero = foreground); outputs are uint8
// 0/1 masks (labels are int32).
//
// connectivity follows scipy's generate_binary_structure: neighbours are the offsets in {-1,0,1}^ndim
// with at most `connectivity` non-zero components (1 = faces only, ndim = full); values below 1 act as 1
// and values above ndim as ndim.
//
// Implementation: the mask is copied into an int32 buffer padded by one background pixel on every
// side, so neighbour look-ups need no bounds checks. Labelling is a two-pass union-find; hole filling
// is a breadth-first flood of the background from the array border.

import { assertNDArray, sizeOf, stridesOf, type NDArray } from '../../core/ndarray';
import { findRoot } from './unionFind';

export interface LabelResult {
  /** int32 labels, 0 = background, components numbered 1..count in C-order of first appearance. */
  labels: NDArray<'int32'>;
  count: number;
}

function clampConnectivity(connectivity: number, nd: number, where: string): number {
  if (typeof connectivity !== 'number' || Number.isNaN(connectivity)) {
    throw new Error(`${where}: connectivity must be a number, got ${String(connectivity)}.`);
  }
  return Math.max(1, Math.min(nd, Math.floor(connectivity)));
}

interface Padded {
  shape: number[];
  pshape: number[];
  pstrides: number[];
  /** Padded linear index of every original element, in C order. */
  index: Int32Array;
}

function padGeometry(shape: readonly number[]): Padded {
  const nd = shape.length;
  const pshape = shape.map((n) => n + 2);
  const pstrides = stridesOf(pshape);
  const N = sizeOf(shape);
  const index = new Int32Array(N);
  if (N === 0) return { shape: [...shape], pshape, pstrides, index };
  const last = shape[nd - 1]!;
  const outer = N / last;
  const coord = Array.from({ length: nd - 1 }, () => 0);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    let base = 1; // +1 on the last axis
    for (let a = 0; a < nd - 1; a++) base += (coord[a]! + 1) * pstrides[a]!;
    for (let x = 0; x < last; x++) index[k++] = base + x;
    for (let a = nd - 2; a >= 0; a--) {
      if (++coord[a]! < shape[a]!) break;
      coord[a] = 0;
    }
  }
  return { shape: [...shape], pshape, pstrides, index };
}

/**
 * Linear (padded) offsets of the neighbours of a structure of the given connectivity; with
 * `previousOnly`, only those visited before the centre in a C-order scan.
 */
function neighbourOffsets(pstrides: readonly number[], connectivity: number, previousOnly: boolean): Int32Array {
  const nd = pstrides.length;
  const offs: number[] = [];
  const total = 3 ** nd;
  for (let t = 0; t < total; t++) {
    let r = t;
    let nz = 0;
    let lin = 0;
    let firstNz = 0;
    for (let a = nd - 1; a >= 0; a--) {
      const d = (r % 3) - 1;
      r = Math.floor(r / 3);
      if (d !== 0) {
        nz++;
        firstNz = d; // ends as the first non-zero component (axis order)
        lin += d * pstrides[a]!;
      }
    }
    if (nz === 0 || nz > connectivity) continue;
    if (previousOnly && firstNz > 0) continue;
    offs.push(lin);
  }
  return Int32Array.from(offs);
}

function foregroundOf(mask: NDArray): ArrayLike<number> {
  return mask.data as unknown as ArrayLike<number>;
}

/** Union-find labelling on the padded grid; returns per-pixel final labels (padded) and count. */
function labelPadded(mask: NDArray, connectivity: number, where: string): { geo: Padded; lab: Int32Array; count: number; sizes: Int32Array } {
  assertNDArray(mask, `${where}: mask`);
  const nd = mask.shape.length;
  if (nd === 0) throw new Error(`${where}: mask must have at least one dimension.`);
  const conn = clampConnectivity(connectivity, nd, where);
  const geo = padGeometry(mask.shape);
  const src = foregroundOf(mask);
  const N = src.length;
  const lab = new Int32Array(sizeOf(geo.pshape));
  const offs = neighbourOffsets(geo.pstrides, conn, true);
  const no = offs.length;
  const parent = new Int32Array(N + 1);
  const find = (x: number): number => findRoot(parent, x);
  const index = geo.index;
  let next = 0;
  for (let k = 0; k < N; k++) {
    if (src[k] === 0) continue;
    const p = index[k]!;
    let l = 0;
    for (let j = 0; j < no; j++) {
      const q = lab[p + offs[j]!]!;
      if (q === 0) continue;
      if (l === 0) {
        l = find(q);
      } else {
        const rq = find(q);
        if (rq !== l) {
          if (rq < l) {
            parent[l] = rq;
            l = rq;
          } else parent[rq] = l;
        }
      }
    }
    if (l === 0) {
      l = ++next;
      parent[l] = l;
    }
    lab[p] = l;
  }
  // Final numbering: by first appearance in C order.
  const final = new Int32Array(next + 1);
  const sizes = new Int32Array(next + 1);
  let count = 0;
  for (let k = 0; k < N; k++) {
    const p = index[k]!;
    const l = lab[p]!;
    if (l === 0) continue;
    const r = find(l);
    let f = final[r]!;
    if (f === 0) f = final[r] = ++count;
    lab[p] = f;
    sizes[f]!++;
  }
  return { geo, lab, count, sizes: sizes.subarray(0, count + 1) };
}

/**
 * Connected components of a mask (non-zero = foreground); scipy.ndimage.label with
 * generate_binary_structure(ndim, connectivity). Default connectivity 1 (faces), as scipy.
 */
export function label(mask: NDArray, connectivity = 1): LabelResult {
  const { geo, lab, count } = labelPadded(mask, connectivity, 'label');
  const N = geo.index.length;
  const out = new Int32Array(N);
  for (let k = 0; k < N; k++) out[k] = lab[geo.index[k]!]!;
  return { labels: { dtype: 'int32', shape: [...mask.shape], data: out }, count };
}

/**
 * Remove connected components smaller than `minSize` pixels from a mask
 * (skimage.morphology.remove_small_objects on a boolean array). Returns a uint8 0/1 mask.
 */
export function removeSmallObjects(mask: NDArray, minSize = 64, connectivity = 1): NDArray<'uint8'> {
  assertNDArray(mask, 'removeSmallObjects: mask');
  if (typeof minSize !== 'number' || Number.isNaN(minSize)) {
    throw new Error(`removeSmallObjects: minSize must be a number, got ${String(minSize)}.`);
  }
  const src = foregroundOf(mask);
  const N = src.length;
  const out = new Uint8Array(N);
  if (minSize === 0 || mask.shape.length === 0) {
    for (let k = 0; k < N; k++) out[k] = src[k] !== 0 ? 1 : 0;
    return { dtype: 'uint8', shape: [...mask.shape], data: out };
  }
  const { geo, lab, sizes } = labelPadded(mask, connectivity, 'removeSmallObjects');
  const index = geo.index;
  for (let k = 0; k < N; k++) {
    const l = lab[index[k]!]!;
    out[k] = l !== 0 && sizes[l]! >= minSize ? 1 : 0;
  }
  return { dtype: 'uint8', shape: [...mask.shape], data: out };
}

/**
 * Fill holes: background regions not connected to the array border (scipy.ndimage.binary_fill_holes
 * with generate_binary_structure(ndim, connectivity); default connectivity 1 = scipy's default).
 * Returns a uint8 0/1 mask.
 */
export function binaryFillHoles(mask: NDArray, connectivity = 1): NDArray<'uint8'> {
  assertNDArray(mask, 'binaryFillHoles: mask');
  const nd = mask.shape.length;
  if (nd === 0) throw new Error('binaryFillHoles: mask must have at least one dimension.');
  const conn = clampConnectivity(connectivity, nd, 'binaryFillHoles');
  const geo = padGeometry(mask.shape);
  const src = foregroundOf(mask);
  const N = src.length;
  // 0 = pad, 1 = foreground, 2 = background not yet reached, 3 = background reached from the border.
  const state = new Uint8Array(sizeOf(geo.pshape));
  const index = geo.index;
  for (let k = 0; k < N; k++) state[index[k]!] = src[k] !== 0 ? 1 : 2;
  const offs = neighbourOffsets(geo.pstrides, conn, false);
  const no = offs.length;
  const queue = new Int32Array(N);
  let head = 0;
  let tail = 0;
  // Seeds: background pixels with a face neighbour in the padding (i.e. on the array border).
  const faces = neighbourOffsets(geo.pstrides, 1, false);
  for (let k = 0; k < N; k++) {
    const p = index[k]!;
    if (state[p] !== 2) continue;
    for (let j = 0; j < faces.length; j++) {
      if (state[p + faces[j]!] === 0) {
        state[p] = 3;
        queue[tail++] = p;
        break;
      }
    }
  }
  while (head < tail) {
    const p = queue[head++]!;
    for (let j = 0; j < no; j++) {
      const q = p + offs[j]!;
      if (state[q] === 2) {
        state[q] = 3;
        queue[tail++] = q;
      }
    }
  }
  const out = new Uint8Array(N);
  for (let k = 0; k < N; k++) out[k] = state[index[k]!] === 3 ? 0 : 1;
  return { dtype: 'uint8', shape: [...mask.shape], data: out };
}
