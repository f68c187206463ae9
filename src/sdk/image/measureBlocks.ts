// skimage.measure.label and regionprops_table over an N-D array too large to hold whole, block by
// block (lazy arrays: LazyArray.read / OutputArray.write have the shapes used here), equal to
// measure.label / measure.regionpropsTable of the whole array.
//
// labelBlocks — pass 1: each block's core is labelled on its own (labelImage: same values, same
// connectivity), its components get global ids (a base + local label) and remember their first pixel's
// C-order index in the whole array; the core's outer shell is joined (union-find) to the pixels just
// outside it that belong to blocks already done (read as a 1-pixel halo for their values; their
// global ids on each block's high faces are kept for the blocks that can still touch them: the faces
// of about one layer of blocks along the first axis). A component's number is the rank of its first
// pixel (the minimum over its pieces): the numbering of measure.label. Pass 2 re-reads and re-labels
// each block and writes its int32 labels.
//
// regionpropsOfBlocks — one pass: each block read with a halo of 2 (perimeter and Euler windows look
// two pixels out) adds its core's sums (regionStats.ts); the intensity image is read over the core.
import { blockGrid, cropBox, type BlockGeometry } from '../../core/lazyArrays';
import { sizeOf, stridesOf, type DType, type NDArray } from '../../core/ndarray';
import { backgroundOf, checkLabelDtype, connectivityOf, labelImage, neighbourhood, type LabelOptions } from './labelImage';
import { checkRegionpropsInput } from './measure';
import { resolveProperties, tableOf, type RegionTable } from './regionprops';
import { RegionStats } from './regionStats';
import { capacityFor, findRoot, grown } from './unionFind';

/** An array read by regions (a LazyArray is one). */
export interface BlockSource {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The chunk shape, the default block grid. */
  readonly chunks?: readonly number[];
  read(region: readonly (readonly [number, number])[]): Promise<NDArray>;
}

/** Where labels are written block by block (an OutputArray is one). */
export interface BlockSink {
  write(origin: readonly number[], block: NDArray<'int32'>): Promise<void>;
}

export interface LabelBlocksOptions extends LabelOptions {
  /** The block grid; default the source's chunks. */
  blockShape?: readonly number[];
}

function gridOf(src: BlockSource, blockShape: readonly number[] | undefined, where: string): number[] {
  const g = blockShape ?? src.chunks;
  if (!g || g.length !== src.shape.length || !g.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw new Error(`${where}: blockShape must be ${src.shape.length} integers ≥ 1 (one per axis), got ${JSON.stringify(g ?? null)}.`);
  }
  return [...g];
}

const regionOf = (g: BlockGeometry, withHalo: boolean): [number, number][] =>
  withHalo ? g.readOrigin.map((o, i) => [o, o + g.readShape[i]!]) : g.origin.map((o, i) => [o, o + g.shape[i]!]);

/** A growable union-find over global ids, with each id's first pixel (C-order index in the whole array). */
class Pieces {
  parent = new Int32Array(1024);
  first = new Float64Array(1024);
  count = 0;

  add(n: number): number {
    const base = this.count;
    const need = base + n + 1;
    if (need > this.parent.length) {
      const cap = capacityFor(this.parent.length, need);
      [this.parent, this.first] = [grown(this.parent, cap), grown(this.first, cap)];
    }
    for (let l = 1; l <= n; l++) this.parent[base + l] = base + l;
    this.count += n;
    return base;
  }

  find(x: number): number {
    return findRoot(this.parent, x);
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** Final numbers (by first pixel) of every id's root; returns [number of each id, count]. */
  numbering(): [Int32Array, number] {
    const n = this.count;
    const rootFirst = new Float64Array(n + 1).fill(Infinity);
    for (let id = 1; id <= n; id++) {
      const r = this.find(id);
      if (this.first[id]! < rootFirst[r]!) rootFirst[r] = this.first[id]!;
    }
    const roots: number[] = [];
    for (let id = 1; id <= n; id++) if (this.find(id) === id) roots.push(id);
    roots.sort((a, b) => rootFirst[a]! - rootFirst[b]!);
    const num = new Int32Array(n + 1);
    roots.forEach((r, i) => (num[r] = i + 1));
    for (let id = 1; id <= n; id++) num[id] = num[this.find(id)]!;
    return [num, roots.length];
  }
}

/** Calls fn(local linear index, local coordinates) for each pixel of the outer shell of a box of `shape`. */
function forEachShellPixel(shape: readonly number[], fn: (k: number, c: Int32Array) => void): void {
  const nd = shape.length;
  const c = new Int32Array(nd);
  const last = shape[nd - 1]!;
  const rows = sizeOf(shape) / last;
  for (let r = 0; r < rows; r++) {
    let edgeRow = nd === 1;
    for (let a = 0; a < nd - 1; a++) if (c[a] === 0 || c[a] === shape[a]! - 1) edgeRow = true;
    const step = edgeRow ? 1 : Math.max(1, last - 1);
    for (let x = 0; x < last; x += step) {
      c[nd - 1] = x;
      fn(r * last + x, c);
    }
    for (let a = nd - 2; a >= 0; a--) {
      if (++c[a]! < shape[a]!) break;
      c[a] = 0;
    }
  }
}

/**
 * The slabs of `a` (a box of `shape`, C order) at the last index of each axis: all that later blocks
 * can touch (a block after this one in C order is past it on the first axis where they differ).
 */
function highFaces(a: Int32Array, shape: readonly number[]): Int32Array[] {
  const nd = shape.length;
  const strides = stridesOf(shape);
  return shape.map((n, axis) => {
    const face = new Int32Array(sizeOf(shape) / n);
    const c = new Int32Array(nd);
    c[axis] = n - 1;
    for (let f = 0; f < face.length; f++) {
      let k = 0;
      for (let e = 0; e < nd; e++) k += c[e]! * strides[e]!;
      face[f] = a[k]!;
      for (let e = nd - 1; e >= 0; e--) {
        if (e === axis) continue;
        if (++c[e]! < shape[e]!) break;
        c[e] = 0;
      }
    }
    return face;
  });
}

/** measure.label of the whole `source`, computed block by block and written to `sink`; returns the count. */
export async function labelBlocks(source: BlockSource, sink: BlockSink, opts: LabelBlocksOptions = {}): Promise<{ count: number }> {
  const where = 'labelBlocks';
  checkLabelDtype(source.dtype, source.shape, where, 'source');
  const shape = source.shape;
  const nd = shape.length;
  const conn = connectivityOf(opts.connectivity, nd, where);
  const bg = backgroundOf(opts.background, where);
  const grid = gridOf(source, opts.blockShape, where);
  const counts = shape.map((n, i) => Math.ceil(n / grid[i]!));
  const gstrides = stridesOf(counts);
  const strides = stridesOf(shape);
  const reach = gstrides.reduce((s, v) => s + v, 0);
  const deltas = neighbourhood(shape, conn, false).deltas;
  const pieces = new Pieces();
  const kept = new Map<number, Int32Array[]>();
  const bases: number[] = [];
  for (const g of blockGrid(
    shape,
    grid,
    shape.map(() => 1),
  )) {
    const bi = g.index.reduce((s, v, a) => s + v * gstrides[a]!, 0);
    for (const k of kept.keys()) if (k < bi - reach) kept.delete(k);
    const data = await source.read(regionOf(g, true));
    const coreOffset = g.origin.map((o, i) => o - g.readOrigin[i]!);
    const core = cropBox(data, coreOffset, g.shape);
    const { labels, count } = labelImage(core, { connectivity: conn, background: bg });
    const base = pieces.add(count);
    bases.push(base);
    const lab = labels.data;
    const gid = new Int32Array(lab.length);
    // Global ids and each piece's first pixel (the first in the block's C order is the first in the array's).
    const cc = new Int32Array(nd);
    for (let k = 0; k < lab.length; k++) {
      const l = lab[k]!;
      if (l !== 0) {
        gid[k] = base + l;
        if (pieces.first[base + l] === 0) {
          let lin = 0;
          for (let a = 0; a < nd; a++) lin += (g.origin[a]! + cc[a]!) * strides[a]!;
          pieces.first[base + l] = lin + 1; // +1: 0 means "not yet set"
        }
      }
      for (let a = nd - 1; a >= 0; a--) {
        if (++cc[a]! < g.shape[a]!) break;
        cc[a] = 0;
      }
    }
    kept.set(bi, highFaces(gid, g.shape));
    // Join the shell to the neighbours outside the core that belong to blocks already done.
    const dstrides = stridesOf(data.shape);
    const vals = data.data as ArrayLike<number>;
    forEachShellPixel(g.shape, (k, c) => {
      const id = gid[k]!;
      if (id === 0) return;
      let pk = 0;
      for (let a = 0; a < nd; a++) pk += (c[a]! + coreOffset[a]!) * dstrides[a]!;
      const v = vals[pk]!;
      for (const d of deltas) {
        let outside = false;
        let inArray = true;
        let qk = 0;
        for (let a = 0; a < nd; a++) {
          const q = c[a]! + d[a]!;
          if (q < 0 || q >= g.shape[a]!) outside = true;
          const gq = g.origin[a]! + q;
          if (gq < 0 || gq >= shape[a]!) inArray = false;
          qk += (q + coreOffset[a]!) * dstrides[a]!;
        }
        if (!outside || !inArray || vals[qk] !== v) continue;
        // The block of q: is it before this one in C order?
        // q lies on the high face (along `axis`) of its block; its index in that face skips `axis`.
        let qb = 0;
        let ok = 0;
        let axis = -1;
        for (let a = 0; a < nd; a++) {
          const gq = g.origin[a]! + c[a]! + d[a]!;
          const bq = Math.floor(gq / grid[a]!);
          qb += bq * gstrides[a]!;
          if (axis < 0 && bq !== g.index[a]) {
            if (bq > g.index[a]!) break;
            axis = a;
            continue;
          }
          ok = ok * Math.min(grid[a]!, shape[a]! - bq * grid[a]!) + (gq - bq * grid[a]!);
        }
        if (axis < 0 || qb >= bi) continue;
        const qid = kept.get(qb)![axis]![ok]!;
        if (qid !== 0) pieces.union(id, qid);
      }
    });
  }
  const [num, count] = pieces.numbering();
  let b = 0;
  for (const g of blockGrid(
    shape,
    grid,
    shape.map(() => 0),
  )) {
    const core = await source.read(regionOf(g, false));
    const lab = labelImage(core, { connectivity: conn, background: bg }).labels.data;
    const base = bases[b++]!;
    const out = new Int32Array(lab.length);
    for (let k = 0; k < lab.length; k++) if (lab[k] !== 0) out[k] = num[base + lab[k]!]!;
    await sink.write(g.origin, { dtype: 'int32', shape: [...g.shape], data: out });
  }
  return { count };
}

export interface RegionpropsBlocksOptions {
  intensity?: BlockSource | null;
  properties: readonly string[];
  /** The block grid; default the label array's chunks. */
  blockShape?: readonly number[];
  spacing?: readonly number[];
}

/** measure.regionpropsTable of the whole label array, from its blocks. */
export async function regionpropsOfBlocks(labels: BlockSource, opts: RegionpropsBlocksOptions): Promise<RegionTable> {
  const where = 'regionpropsOfBlocks';
  checkRegionpropsInput(labels.shape, labels.dtype, opts.intensity ? opts.intensity.shape : null, opts.spacing, where);
  const props = resolveProperties(opts.properties, labels.shape.length, !!opts.intensity, where);
  if (opts.intensity?.dtype === 'float32' && props.list.some(([, c]) => c === 'intensity_mean')) {
    throw new Error(
      `${where}: intensity_mean of a float32 intensity image is not computed block by block (skimage sums each region's float32 values in float32, in C order of the whole image); use a float64 intensity array or regionpropsTable in memory.`,
    );
  }
  const grid = gridOf(labels, opts.blockShape, where);
  const halo = props.needs.perimeter || props.needs.euler ? 2 : 0;
  const stats = new RegionStats(labels.shape, props.needs);
  for (const g of blockGrid(
    labels.shape,
    grid,
    labels.shape.map(() => halo),
  )) {
    const data = await labels.read(regionOf(g, true));
    const intensity = opts.intensity ? await opts.intensity.read(regionOf(g, false)) : null;
    stats.add({ data, dataOrigin: g.readOrigin, origin: g.origin, shape: g.shape, intensity });
  }
  return tableOf(stats, props);
}
