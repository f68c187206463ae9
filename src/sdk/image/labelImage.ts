// measure.label ≡ skimage.measure.label(image, background=0, connectivity=ndim) of scikit-image 0.19.3:
// pixels are connected when they are neighbours under `connectivity` (1 = faces … ndim = full, the
// default) and have the SAME value; pixels equal to `background` are 0. Components are numbered 1..n in
// C order of their first pixel (skimage's union-find keeps the smallest provisional label as the root,
// which is the component's first pixel). Any integer or bool image, any number of dimensions.
//
// Implementation: 2-D images by runs (labelRuns.ts); other ndim by a two-pass union-find on an int32
// label buffer padded by one zero on every side (the padding is what neighbour look-ups see past the
// edges; a zero neighbour is background or padding, a non-zero one is a real pixel whose value is read
// at the unpadded offset).
import { assertNDArray, isIntegerDType, sizeOf, stridesOf, type DType, type NDArray } from '../../core/ndarray';
import { labelRuns2d } from './labelRuns';
import { findRoot } from './unionFind';

export interface LabelOptions {
  /** 1 (faces) … ndim (faces, edges and corners); default ndim, as skimage. */
  connectivity?: number;
  /** Pixels of this value are background (label 0). Default 0. */
  background?: number;
}

export interface LabelImageResult {
  /** int32 labels, 0 = background, components 1..count in C order of their first pixel. */
  labels: NDArray<'int32'>;
  count: number;
}

/** The checked connectivity (default ndim) for an image of `nd` dimensions. */
export function connectivityOf(connectivity: number | undefined, nd: number, where: string): number {
  if (connectivity === undefined) return nd;
  if (!Number.isInteger(connectivity) || connectivity < 1 || connectivity > nd) {
    throw new Error(`${where}: connectivity must be an integer from 1 to ${nd} (the image's number of dimensions), got ${String(connectivity)}.`);
  }
  return connectivity;
}

/** The checked background value (default 0). */
export function backgroundOf(background: number | undefined, where: string): number {
  if (background === undefined) return 0;
  if (typeof background !== 'number' || !Number.isFinite(background))
    throw new Error(`${where}: background must be a finite number, got ${String(background)}.`);
  return background;
}

/** Checks that an image of `dtype` and `shape` can be labelled: integer or bool, at least one dimension. */
export function checkLabelDtype(dtype: DType, shape: readonly number[], where: string, field: string): void {
  if (!(isIntegerDType(dtype) || dtype === 'bool')) {
    throw new Error(`${where}: ${field} must have an integer or bool dtype (as skimage.measure.label), got ${dtype}.`);
  }
  if (shape.length === 0) throw new Error(`${where}: ${field} must have at least one dimension, got a 0-D array.`);
}

/**
 * Offsets of the neighbours under `connectivity` in an array of `strides`, each as a padded and an
 * unpadded linear offset; with `previousOnly`, only those visited before the centre in C order.
 */
export function neighbourhood(
  shape: readonly number[],
  connectivity: number,
  previousOnly: boolean,
): { deltas: number[][]; padded: Int32Array; plain: Int32Array } {
  const nd = shape.length;
  const pstrides = stridesOf(shape.map((n) => n + 2));
  const strides = stridesOf(shape);
  const deltas: number[][] = [];
  const padded: number[] = [];
  const plain: number[] = [];
  for (let t = 0; t < 3 ** nd; t++) {
    const d: number[] = [];
    let r = t;
    for (let a = nd - 1; a >= 0; a--) {
      d[a] = (r % 3) - 1;
      r = Math.floor(r / 3);
    }
    const nz = d.filter((v) => v !== 0).length;
    if (nz === 0 || nz > connectivity) continue;
    const first = d.find((v) => v !== 0)!;
    if (previousOnly && first > 0) continue;
    deltas.push(d);
    padded.push(d.reduce((s, v, a) => s + v * pstrides[a]!, 0));
    plain.push(d.reduce((s, v, a) => s + v * strides[a]!, 0));
  }
  return { deltas, padded: Int32Array.from(padded), plain: Int32Array.from(plain) };
}

/** Padded linear index of the first element of each last-axis row, in C order. */
function rowStarts(shape: readonly number[]): Int32Array {
  const nd = shape.length;
  const pstrides = stridesOf(shape.map((n) => n + 2));
  const last = shape[nd - 1]!;
  const rows = last === 0 ? 0 : sizeOf(shape) / last;
  const out = new Int32Array(rows);
  const coord = Array.from({ length: nd - 1 }, () => 0);
  for (let o = 0; o < rows; o++) {
    let base = 1;
    for (let a = 0; a < nd - 1; a++) base += (coord[a]! + 1) * pstrides[a]!;
    out[o] = base;
    for (let a = nd - 2; a >= 0; a--) {
      if (++coord[a]! < shape[a]!) break;
      coord[a] = 0;
    }
  }
  return out;
}

const find = findRoot;

/** First pass on one last-axis row: provisional labels, unions with earlier neighbours of the same value. */
function labelRow(
  src: ArrayLike<number>,
  lab: Int32Array,
  parent: Int32Array,
  k0: number,
  p0: number,
  n: number,
  bg: number,
  padded: Int32Array,
  plain: Int32Array,
  next: number,
): number {
  const no = padded.length;
  for (let x = 0; x < n; x++) {
    const k = k0 + x;
    const v = src[k]!;
    if (v === bg) continue;
    const p = p0 + x;
    let l = 0;
    for (let j = 0; j < no; j++) {
      const q = lab[p + padded[j]!]!;
      if (q === 0 || src[k + plain[j]!] !== v) continue;
      if (l === 0) {
        l = find(parent, q);
        continue;
      }
      const rq = find(parent, q);
      if (rq === l) continue;
      if (rq < l) {
        parent[l] = rq;
        l = rq;
      } else parent[rq] = l;
    }
    if (l === 0) {
      l = ++next;
      parent[l] = l;
    }
    lab[p] = l;
  }
  return next;
}

/** skimage.measure.label: connected regions of equal value, background 0, numbered in C order of first pixel. */
export function labelImage(image: NDArray, opts: LabelOptions = {}): LabelImageResult {
  assertNDArray(image, 'label: image');
  checkLabelDtype(image.dtype, image.shape, 'label', 'image');
  const nd = image.shape.length;
  const conn = connectivityOf(opts.connectivity, nd, 'label');
  const bg = backgroundOf(opts.background, 'label');
  const shape = image.shape;
  const src = image.data as ArrayLike<number>;
  const N = src.length;
  const out = new Int32Array(N);
  const result = { labels: { dtype: 'int32' as const, shape: [...shape], data: out }, count: 0 };
  if (N === 0) return result;
  if (nd === 2) {
    result.count = labelRuns2d(src, shape[0]!, shape[1]!, bg, conn, out);
    return result;
  }
  const lab = new Int32Array(sizeOf(shape.map((n) => n + 2)));
  const { padded, plain } = neighbourhood(shape, conn, true);
  const parent = new Int32Array(N + 1);
  const starts = rowStarts(shape);
  const last = shape[nd - 1]!;
  let next = 0;
  for (let o = 0; o < starts.length; o++) next = labelRow(src, lab, parent, o * last, starts[o]!, last, bg, padded, plain, next);
  const final = new Int32Array(next + 1);
  let count = 0;
  for (let o = 0; o < starts.length; o++) {
    const p0 = starts[o]!;
    const k0 = o * last;
    for (let x = 0; x < last; x++) {
      const l = lab[p0 + x]!;
      if (l === 0) continue;
      const r = find(parent, l);
      let f = final[r]!;
      if (f === 0) f = final[r] = ++count;
      out[k0 + x] = f;
    }
  }
  result.count = count;
  return result;
}
