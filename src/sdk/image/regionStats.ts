// Per-label sums from which regionprops' columns are computed (regionprops.ts), accumulated block by
// block: the whole image is one block (measure.regionpropsTable), or the blocks of a lazy array read
// with a halo of 2 (regionpropsOfBlocks). Every block adds what its core owns, so the sums do not
// depend on the block grid:
//   area, bbox, Σx_i and Σx_i·x_j (global integer coordinates: exact below 2^53),
//   intensity Σv, Σv·x_i, min, max over the core's pixels,
//   perimeter (2-D): the core's boundary pixels, classified with their 8 neighbours (halo 2: a
//     neighbour's own boundary test looks one pixel further),
//   Euler number: the 2×2(×2) windows whose last pixel is in the core (plus those past the array's end),
//   convex hull (2-D): the hull of the core's row extremes, merged with the hulls of earlier blocks.
// Labels are the positive values of the label image (skimage ignores 0; negative values are refused).
import type { NDArray } from '../../core/ndarray';
import { EULER_2D_8, EULER_3D_26 } from './eulerTables';
import { gridPointsInHull, hullOfKeys, keysOfHulls, pushRowPoints } from './regionHull';
import { diamondOffsets, gridPointsInHull3d, hull3d, hullVertices } from './regionHull3d';

/** Which families of sums to collect. */
export interface StatsNeeds {
  moments: boolean;
  intensity: boolean;
  perimeter: boolean;
  euler: boolean;
  hull: boolean;
}

/** A block of the label image: `data` read at `dataOrigin`, of which the core [origin, origin + shape) is added. */
export interface LabelBlock {
  data: NDArray;
  dataOrigin: readonly number[];
  origin: readonly number[];
  shape: readonly number[];
  /** The intensity image over the core only (shape `shape`), when intensities are measured. */
  intensity?: NDArray | null;
}

const MAX_LABEL = 2 ** 24;

/** Growable per-label sums for an image of `shape`. */
export class RegionStats {
  readonly nd: number;
  readonly shape: readonly number[];
  readonly needs: StatsNeeds;
  cap = 0;
  /** Highest label seen. */
  maxLabel = 0;
  area = new Float64Array(0);
  bmin = new Int32Array(0);
  bmax = new Int32Array(0);
  s1 = new Float64Array(0);
  s2 = new Float64Array(0);
  isum = new Float64Array(0);
  isx = new Float64Array(0);
  imin = new Float64Array(0);
  imax = new Float64Array(0);
  /** Perimeter pixel counts per weight class: 1, √2, (1 + √2)/2. */
  per = new Float64Array(0);
  euler = new Float64Array(0);
  hulls: (Int32Array[] | undefined)[] = [];
  /** 3-D: per label, the points kept from each block (its hull's vertices, or all its row extremes when they are flat). */
  points3d: (Int32Array[] | undefined)[] = [];
  /** Scratch of addHull: each label's extremes in the current row, and the row's stamp. */
  private rowLo = new Int32Array(0);
  private rowHi = new Int32Array(0);
  private rowStamp = new Int32Array(0);
  private rowTick = 0;

  constructor(shape: readonly number[], needs: StatsNeeds) {
    this.shape = [...shape];
    this.nd = shape.length;
    this.needs = needs;
    this.grow(64);
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    if (need > MAX_LABEL)
      throw new Error(`regionprops: label ${need - 1} is too large (labels up to ${MAX_LABEL - 1} are supported; relabel the image with measure.label).`);
    let cap = Math.max(64, this.cap);
    while (cap < need) cap *= 2;
    const nd = this.nd;
    const g = <T extends Float64Array | Int32Array>(a: T, per: number, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * per);
      b.fill(fill);
      b.set(a);
      return b;
    };
    this.area = g(this.area, 1, 0);
    this.bmin = g(this.bmin, nd, 0x7fffffff);
    this.bmax = g(this.bmax, nd, -1);
    this.s1 = g(this.s1, nd, 0);
    this.s2 = g(this.s2, nd * nd, 0);
    this.isum = g(this.isum, 1, 0);
    this.isx = g(this.isx, nd, 0);
    this.imin = g(this.imin, 1, Infinity);
    this.imax = g(this.imax, 1, -Infinity);
    this.per = g(this.per, 3, 0);
    this.euler = g(this.euler, 1, 0);
    this.rowLo = g(this.rowLo, 1, 0);
    this.rowHi = g(this.rowHi, 1, 0);
    this.rowStamp = g(this.rowStamp, 1, 0);
    this.cap = cap;
  }

  /** Adds the core of one block. */
  add(block: LabelBlock): void {
    const lab = block.data.data as ArrayLike<number>;
    const dshape = block.data.shape;
    const nd = this.nd;
    let maxL = 0;
    for (let i = 0; i < lab.length; i++) {
      const l = lab[i]!;
      if (l > maxL) maxL = l;
      else if (l < 0) throw new Error(`regionprops: label_image has a negative label (${l}); labels must be ≥ 0 (0 is background).`);
    }
    this.grow(maxL + 1);
    this.maxLabel = Math.max(this.maxLabel, maxL);
    const ctx = blockContext(block, dshape, this.shape);
    this.addPixels(lab, ctx, block.intensity ?? null);
    if (this.needs.perimeter && nd === 2) this.addPerimeter(lab, ctx);
    if (this.needs.euler) this.addEuler(lab, ctx);
    if (this.needs.hull && nd === 2) this.addHull(lab, ctx);
    if (this.needs.hull && nd === 3) this.addHull3d(lab, ctx);
  }

  private addPixels(lab: ArrayLike<number>, ctx: BlockContext, intensity: NDArray | null): void {
    if (this.nd === 2) {
      this.addPixels2d(lab, ctx, intensity ? (intensity.data as ArrayLike<number>) : null);
      return;
    }
    const nd = this.nd;
    const { area, bmin, bmax, s1, s2, isum, isx, imin, imax } = this;
    const moments = this.needs.moments;
    const inten = intensity ? (intensity.data as ArrayLike<number>) : null;
    const coord = new Float64Array(nd);
    let k = 0; // index into the core (intensity)
    forEachCoreRow(ctx, (rowStart, lead) => {
      for (let a = 0; a < nd - 1; a++) coord[a] = lead[a]!;
      const x0 = ctx.origin[nd - 1]!;
      for (let x = 0; x < ctx.core[nd - 1]!; x++, k++) {
        const l = lab[rowStart + x]!;
        if (l === 0) continue;
        coord[nd - 1] = x0 + x;
        area[l]!++;
        const b = l * nd;
        for (let a = 0; a < nd; a++) {
          const c = coord[a]!;
          if (c < bmin[b + a]!) bmin[b + a] = c;
          if (c > bmax[b + a]!) bmax[b + a] = c;
        }
        if (moments) {
          const q = l * nd * nd;
          for (let a = 0; a < nd; a++) {
            const c = coord[a]!;
            s1[b + a]! += c;
            for (let e = a; e < nd; e++) s2[q + a * nd + e]! += c * coord[e]!;
          }
        }
        if (inten) {
          const v = inten[k]!;
          isum[l]! += v;
          for (let a = 0; a < nd; a++) isx[b + a]! += v * coord[a]!;
          if (v < imin[l]!) imin[l] = v;
          if (v > imax[l]!) imax[l] = v;
        }
      }
    });
  }

  /** addPixels for 2-D images: the same sums, without the per-axis loops. */
  private addPixels2d(lab: ArrayLike<number>, ctx: BlockContext, inten: ArrayLike<number> | null): void {
    const { area, bmin, bmax, s1, s2, isum, isx, imin, imax } = this;
    const moments = this.needs.moments;
    const [oy, ox] = ctx.origin as [number, number];
    const [ch, cw] = ctx.core as [number, number];
    const [dy0, dx0] = ctx.dataOrigin as [number, number];
    const DW = ctx.dshape[1]!;
    let k = 0;
    for (let y = oy; y < oy + ch; y++) {
      const row = (y - dy0) * DW - dx0;
      for (let x = ox; x < ox + cw; x++, k++) {
        const l = lab[row + x]!;
        if (l === 0) continue;
        area[l]!++;
        const b = 2 * l;
        if (y < bmin[b]!) bmin[b] = y;
        if (y > bmax[b]!) bmax[b] = y;
        if (x < bmin[b + 1]!) bmin[b + 1] = x;
        if (x > bmax[b + 1]!) bmax[b + 1] = x;
        if (moments) {
          s1[b]! += y;
          s1[b + 1]! += x;
          const q = 4 * l;
          s2[q]! += y * y;
          s2[q + 1]! += y * x;
          s2[q + 3]! += x * x;
        }
        if (inten) {
          const v = inten[k]!;
          isum[l]! += v;
          isx[b]! += v * y;
          isx[b + 1]! += v * x;
          if (v < imin[l]!) imin[l] = v;
          if (v > imax[l]!) imax[l] = v;
        }
      }
    }
  }

  /** skimage.measure.perimeter(region, 4) of every label, for the core's pixels (2-D). */
  private addPerimeter(lab: ArrayLike<number>, ctx: BlockContext): void {
    const [H, W] = this.shape as [number, number];
    const [dy0, dx0] = ctx.dataOrigin as [number, number];
    const [DH, DW] = ctx.dshape as [number, number];
    const per = this.per;
    // border[i]: data pixel i is a labelled pixel with a 4-neighbour of another label or outside the
    // array (binary_erosion with border_value 0). Rows/columns at the data's edge that are not the
    // array's edge are never classified (they are at least 2 away from the core).
    const border = new Uint8Array(DH * DW);
    for (let i = 0; i < DH; i++) {
      const y = dy0 + i;
      for (let j = 0; j < DW; j++) {
        const k = i * DW + j;
        const l = lab[k]!;
        if (l <= 0) continue;
        const x = dx0 + j;
        const up = y === 0 ? -1 : i === 0 ? l : lab[k - DW]!;
        const down = y === H - 1 ? -1 : i === DH - 1 ? l : lab[k + DW]!;
        const left = x === 0 ? -1 : j === 0 ? l : lab[k - 1]!;
        const right = x === W - 1 ? -1 : j === DW - 1 ? l : lab[k + 1]!;
        if (up !== l || down !== l || left !== l || right !== l) border[k] = 1;
      }
    }
    const [oy, ox] = ctx.origin as [number, number];
    const [ch, cw] = ctx.core as [number, number];
    for (let y = oy; y < oy + ch; y++) {
      for (let x = ox; x < ox + cw; x++) {
        const k = (y - dy0) * DW + (x - dx0);
        if (!border[k]) continue;
        const l = lab[k]!;
        let code = 1;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= H) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if ((dy === 0 && dx === 0) || xx < 0 || xx >= W) continue;
            const q = k + dy * DW + dx;
            if (border[q] && lab[q] === l) code += dy === 0 || dx === 0 ? 2 : 10;
          }
        }
        const cls = PERIMETER_CLASS[code]!;
        if (cls > 0) per[l * 3 + cls - 1]!++;
      }
    }
  }

  /** Σ Euler coefficients of the windows owned by the core, per label (2-D: addEuler2d; 3-D here; other ndim skipped). */
  private addEuler(lab: ArrayLike<number>, ctx: BlockContext): void {
    const nd = this.nd;
    if (nd === 2) {
      this.addEuler2d(lab, ctx);
      return;
    }
    if (nd !== 3) return;
    const shape = this.shape;
    const coefs = EULER_3D_26;
    const nw = 8;
    // Window voxel offsets (in axis units) for bits 1, 2, 4, 8, 16, 32, 64, 128.
    const offs: number[][] = [
      [0, 0, 0],
      [0, -1, 0],
      [0, 0, -1],
      [0, -1, -1],
      [-1, 0, 0],
      [-1, -1, 0],
      [-1, 0, -1],
      [-1, -1, -1],
    ];
    const dstrides = ctx.dstrides;
    const lo = ctx.origin;
    const hi = ctx.origin.map((o, a) => o + ctx.core[a]! + (o + ctx.core[a]! === shape[a] ? 1 : 0));
    const vals = new Float64Array(nw);
    const p = Array.from({ length: nd }, () => 0);
    const euler = this.euler;
    const walk = (a: number): void => {
      if (a < nd) {
        for (p[a] = lo[a]!; p[a]! < hi[a]!; p[a]!++) walk(a + 1);
        return;
      }
      let any = false;
      for (let w = 0; w < nw; w++) {
        let idx = 0;
        let inside = true;
        for (let e = 0; e < nd; e++) {
          const c = p[e]! + offs[w]![e]!;
          if (c < 0 || c >= shape[e]!) {
            inside = false;
            break;
          }
          idx += (c - ctx.dataOrigin[e]!) * dstrides[e]!;
        }
        const v = inside ? lab[idx]! : 0;
        vals[w] = v;
        if (v > 0) any = true;
      }
      if (!any) return;
      for (let w = 0; w < nw; w++) {
        const l = vals[w]!;
        if (l <= 0) continue;
        let seen = false;
        for (let u = 0; u < w; u++) if (vals[u] === l) seen = true;
        if (seen) continue;
        let config = 0;
        for (let u = w; u < nw; u++) if (vals[u] === l) config |= 1 << u;
        euler[l]! += coefs[config]!;
      }
    };
    walk(0);
  }

  /** addEuler for 2-D: windows (y − 1..y, x − 1..x) for y, x in the core (and one past the array's end). */
  private addEuler2d(lab: ArrayLike<number>, ctx: BlockContext): void {
    const [H, W] = this.shape as [number, number];
    const [oy, ox] = ctx.origin as [number, number];
    const [ch, cw] = ctx.core as [number, number];
    const [dy0, dx0] = ctx.dataOrigin as [number, number];
    const DW = ctx.dshape[1]!;
    const yEnd = oy + ch + (oy + ch === H ? 1 : 0);
    const xEnd = ox + cw + (ox + cw === W ? 1 : 0);
    const euler = this.euler;
    for (let y = oy; y < yEnd; y++) {
      const inB = y < H; // row y exists
      const inT = y > 0; // row y − 1 exists
      const rowB = (y - dy0) * DW - dx0;
      const rowT = rowB - DW;
      for (let x = ox; x < xEnd; x++) {
        const inR = x < W;
        const inL = x > 0;
        const d = inB && inR ? lab[rowB + x]! : 0; // bit 1
        const b = inT && inR ? lab[rowT + x]! : 0; // bit 2
        const c = inB && inL ? lab[rowB + x - 1]! : 0; // bit 4
        const a = inT && inL ? lab[rowT + x - 1]! : 0; // bit 8
        if (d === b && b === c && c === a) continue; // empty, or one label filling the window: coefficient 0
        if (d > 0) euler[d]! += EULER_2D_8[1 | (b === d ? 2 : 0) | (c === d ? 4 : 0) | (a === d ? 8 : 0)]!;
        if (b > 0 && b !== d) euler[b]! += EULER_2D_8[2 | (c === b ? 4 : 0) | (a === b ? 8 : 0)]!;
        if (c > 0 && c !== d && c !== b) euler[c]! += EULER_2D_8[4 | (a === c ? 8 : 0)]!;
        if (a > 0 && a !== d && a !== b && a !== c) euler[a]! += EULER_2D_8[8]!;
      }
    }
  }

  /**
   * The labels in lab[row + x0 .. row + x1) (the row's data index minus its first x) in order of first
   * appearance into `touched` (returns how many), with each one's first and last x in rowLo / rowHi.
   */
  private rowExtremes(lab: ArrayLike<number>, row: number, x0: number, x1: number, touched: Int32Array): number {
    const { rowLo: lo, rowHi: hi, rowStamp: stamp } = this;
    const tick = ++this.rowTick;
    let nt = 0;
    for (let x = x0; x < x1; x++) {
      const l = lab[row + x]!;
      if (l <= 0) continue;
      if (stamp[l] !== tick) {
        stamp[l] = tick;
        lo[l] = x;
        touched[nt++] = l;
      }
      hi[l] = x;
    }
    return nt;
  }

  /** Hull of each label's part of the core (its row extremes), merged with what earlier blocks gave. */
  private addHull(lab: ArrayLike<number>, ctx: BlockContext): void {
    const W = this.shape[1]!;
    const [oy, ox] = ctx.origin as [number, number];
    const [ch, cw] = ctx.core as [number, number];
    const DW = ctx.dshape[1]!;
    const [dy0, dx0] = ctx.dataOrigin as [number, number];
    // Row extremes as (label, row, c0, c1) records; per-label scratch kept across blocks (rowTick stamps rows).
    let rec = new Int32Array(1024);
    let nrec = 0;
    const { rowLo: lo, rowHi: hi } = this;
    const touched = new Int32Array(cw);
    for (let y = oy; y < oy + ch; y++) {
      const nt = this.rowExtremes(lab, (y - dy0) * DW - dx0, ox, ox + cw, touched);
      for (let t = 0; t < nt; t++) {
        if (nrec + 4 > rec.length) {
          const r = new Int32Array(rec.length * 2);
          r.set(rec);
          rec = r;
        }
        const l = touched[t]!;
        rec[nrec++] = l;
        rec[nrec++] = y;
        rec[nrec++] = lo[l]!;
        rec[nrec++] = hi[l]!;
      }
    }
    // Records grouped by label, rows in order within each label (a stable sort of the record offsets).
    const order = Int32Array.from({ length: nrec / 4 }, (_, i) => 4 * i).sort((a, b) => rec[a]! - rec[b]! || a - b);
    for (let j = 0; j < order.length;) {
      const l = rec[order[j]!]!;
      let e = j;
      while (e < order.length && rec[order[e]!] === l) e++;
      const pts = { keys: new Float64Array(6 * (e - j)), n: 0 };
      for (; j < e; j++) {
        const i = order[j]!;
        pushRowPoints(pts, rec[i + 1]!, rec[i + 2]!, rec[i + 3]!, W);
      }
      const hull = hullOfKeys(pts.keys.subarray(0, pts.n), W);
      const list = this.hulls[l];
      if (list) list.push(hull);
      else this.hulls[l] = [hull];
    }
  }

  /** 3-D: each label's voxel row extremes in the core, reduced to their hull's vertices, kept per block. */
  private addHull3d(lab: ArrayLike<number>, ctx: BlockContext): void {
    const [oz, oy, ox] = ctx.origin as [number, number, number];
    const [cz, cy, cx] = ctx.core as [number, number, number];
    const [dz0, dy0, dx0] = ctx.dataOrigin as [number, number, number];
    const [, DH, DW] = ctx.dshape as [number, number, number];
    const { rowLo: lo, rowHi: hi } = this;
    const touched = new Int32Array(cx);
    const byLabel = new Map<number, number[]>();
    for (let z = oz; z < oz + cz; z++) {
      for (let y = oy; y < oy + cy; y++) {
        const nt = this.rowExtremes(lab, ((z - dz0) * DH + (y - dy0)) * DW - dx0, ox, ox + cx, touched);
        for (let t = 0; t < nt; t++) {
          const l = touched[t]!;
          let list = byLabel.get(l);
          if (!list) byLabel.set(l, (list = []));
          list.push(2 * lo[l]!, 2 * y, 2 * z);
          if (hi[l] !== lo[l]) list.push(2 * hi[l]!, 2 * y, 2 * z);
        }
      }
    }
    for (const [l, list] of byLabel) {
      const pts = Int32Array.from(list);
      const faces = hull3d(pts);
      const kept = faces ? pointsAt(pts, hullVertices(faces)) : pts;
      const acc = this.points3d[l];
      if (acc) acc.push(kept);
      else this.points3d[l] = [kept];
    }
  }

  /** skimage's area_convex of label l (2-D): grid points in the hull of its pixels' edge midpoints. */
  convexArea(l: number): number {
    if (this.nd === 3) return this.convexVolume(l);
    const list = this.hulls[l];
    if (!list) return 0;
    const W = this.shape[1]!;
    const hull = list.length === 1 ? list[0]! : hullOfKeys(keysOfHulls(list, W), W);
    return gridPointsInHull(hull, this.bmin[l * 2]!, this.bmax[l * 2]!);
  }
  /** skimage's area_convex of label l (3-D): 0 when its voxels are flat (Qhull fails, skimage returns an empty image). */
  private convexVolume(l: number): number {
    const parts = this.points3d[l];
    if (!parts) return 0;
    const all = new Int32Array(parts.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of parts) {
      all.set(a, o);
      o += a.length;
    }
    const centres = hull3d(all);
    if (!centres) return 0;
    const offset = diamondOffsets(all, hullVertices(centres));
    const faces = hull3d(offset);
    if (!faces) return 0;
    return gridPointsInHull3d(offset, faces, this.bmin[3 * l]!, this.bmax[3 * l]!, this.bmin[3 * l + 1]!, this.bmax[3 * l + 1]!);
  }
}

/** perimeter's weight class of each code (1 = weight 1, 2 = √2, 3 = (1 + √2)/2, 0 = none). */
const PERIMETER_CLASS = (() => {
  const c = new Uint8Array(50);
  for (const i of [5, 7, 15, 17, 25, 27]) c[i] = 1;
  for (const i of [21, 33]) c[i] = 2;
  for (const i of [13, 23]) c[i] = 3;
  return c;
})();

interface BlockContext {
  origin: readonly number[];
  core: readonly number[];
  dataOrigin: readonly number[];
  dshape: readonly number[];
  dstrides: number[];
}

function blockContext(block: LabelBlock, dshape: readonly number[], shape: readonly number[]): BlockContext {
  const nd = shape.length;
  if (dshape.length !== nd) throw new Error(`regionprops: a block of ${dshape.length} dimensions in a label image of ${nd}.`);
  const dstrides = Array.from({ length: nd }, () => 0);
  let s = 1;
  for (let a = nd - 1; a >= 0; a--) {
    dstrides[a] = s;
    s *= dshape[a]!;
  }
  return { origin: block.origin, core: block.shape, dataOrigin: block.dataOrigin, dshape, dstrides };
}

/** Calls fn(index in data of the row's first core pixel, the row's leading global coordinates) for each core row, in C order. */
function forEachCoreRow(ctx: BlockContext, fn: (rowStart: number, lead: Int32Array) => void): void {
  const nd = ctx.origin.length;
  if (ctx.core.some((n) => n === 0)) return;
  const lead = new Int32Array(Math.max(0, nd - 1));
  for (let a = 0; a < nd - 1; a++) lead[a] = ctx.origin[a]!;
  for (;;) {
    let start = ctx.origin[nd - 1]! - ctx.dataOrigin[nd - 1]!;
    for (let a = 0; a < nd - 1; a++) start += (lead[a]! - ctx.dataOrigin[a]!) * ctx.dstrides[a]!;
    fn(start, lead);
    let a = nd - 2;
    for (; a >= 0; a--) {
      if (++lead[a]! < ctx.origin[a]! + ctx.core[a]!) break;
      lead[a] = ctx.origin[a]!;
    }
    if (a < 0) return;
  }
}

/** The triples of `p` at the given point indices. */
function pointsAt(p: Int32Array, indices: Set<number>): Int32Array {
  const out = new Int32Array(3 * indices.size);
  let o = 0;
  for (const i of indices) {
    out[o++] = p[3 * i]!;
    out[o++] = p[3 * i + 1]!;
    out[o++] = p[3 * i + 2]!;
  }
  return out;
}
