// Mask cleanup over a 2-D plane too large to hold whole: remove_small_objects and binary_fill_holes
// computed tile by tile, with connected components that cross tile borders, giving exactly what the
// in-memory kernels (morphology.ts, scikit-image / scipy parity) give on the whole plane.
//
// How: each tile is labelled on its own (morphology.label: deterministic local numbering); local labels
// get global ids (the tile's offset + local label); a union-find over global ids joins the components
// that touch across a tile border — the tile's top row against the image row just above (kept from the
// tile row above, so tile corners are covered for connectivity 2), its left column against the right
// column of the tile to its left. Component sizes (and "touches the image border", for holes) are summed
// at the roots. A second pass re-reads and re-labels each tile (the same numbering) and writes its
// output tile. Memory: one tile, one image row of labels, one tile column, and per component a few
// integers; never the plane. Every tile is read twice, three times with hole filling (holes are found on
// the cleaned mask, recomputed tile by tile rather than stored).
import type { NDArray } from '../../core/ndarray';
import { label } from './morphology';
import { Components } from './unionFind';

/** A plane of `height × width` read and written in tiles of `tileHeight × tileWidth` (edge tiles smaller). */
export interface TiledPlane {
  height: number;
  width: number;
  tileHeight: number;
  tileWidth: number;
  /** The tile with its first pixel at (y, x), `h × w` pixels, as a 2-D array (non-zero = foreground). */
  read(y: number, x: number, h: number, w: number): Promise<NDArray>;
}

/** Writes an output tile (uint8 0/1, `[h, w]`) with its first pixel at (y, x). */
export type TileWriter = (y: number, x: number, tile: NDArray<'uint8'>) => Promise<void>;

export interface TiledCleanupOptions {
  /** Objects with fewer pixels are removed (0: none). */
  minSize: number;
  fillHoles: boolean;
  /** Of the objects (remove_small_objects); 1 = faces, 2 = faces and corners. Default 1. */
  connectivity?: number;
  /** Of the background flood that finds holes (scipy's default structure: 1). Default 1. */
  holeConnectivity?: number;
  /** Called after each pass with (pass, passes). */
  onPass?(done: number, total: number): void;
}

interface Tile {
  y: number;
  x: number;
  h: number;
  w: number;
}

function tilesOf(p: TiledPlane): Tile[] {
  const out: Tile[] = [];
  for (let y = 0; y < p.height; y += p.tileHeight) {
    for (let x = 0; x < p.width; x += p.tileWidth) out.push({ y, x, h: Math.min(p.tileHeight, p.height - y), w: Math.min(p.tileWidth, p.width - x) });
  }
  return out;
}

/** Local labels of one tile under `conn`, with per-label pixel counts and image-border flags. */
function labelTile(mask: NDArray, t: Tile, p: TiledPlane, conn: number) {
  const { labels, count } = label(mask, conn);
  const lab = labels.data;
  const sizes = new Float64Array(count + 1);
  const border = new Uint8Array(count + 1);
  for (let i = 0; i < t.h; i++) {
    const onEdgeRow = t.y + i === 0 || t.y + i === p.height - 1;
    for (let j = 0; j < t.w; j++) {
      const l = lab[i * t.w + j]!;
      if (l === 0) continue;
      sizes[l]!++;
      if (onEdgeRow || t.x + j === 0 || t.x + j === p.width - 1) border[l] = 1;
    }
  }
  return { lab, count, sizes, border };
}

/**
 * One labelling pass over every tile of `masks` (a tile → its mask): global components, joined across
 * tile borders, with sizes and image-border flags summed. Returns the union-find and each tile's base id.
 */
async function labelPass(
  p: TiledPlane,
  tiles: Tile[],
  mask: (t: Tile, k: number) => Promise<NDArray>,
  conn: number,
): Promise<{ comps: Components; bases: number[] }> {
  const comps = new Components();
  const bases: number[] = [];
  // Global labels of the image row just above the current tile row, and the right column of the tile to the left.
  let rowAbove = new Int32Array(p.width);
  let rowBelow = new Int32Array(p.width);
  let leftColumn: Int32Array | null = null;
  for (let k = 0; k < tiles.length; k++) {
    const t = tiles[k]!;
    if (t.x === 0 && t.y > 0) {
      [rowAbove, rowBelow] = [rowBelow, rowAbove];
      leftColumn = null;
    }
    const { lab, count, sizes, border } = labelTile(await mask(t, k), t, p, conn);
    const base = comps.add(sizes, border, count);
    bases.push(base);
    const g = (i: number, j: number) => {
      const l = lab[i * t.w + j]!;
      return l === 0 ? 0 : base + l;
    };
    // Top row against the row above (dx = -1..1 for corners under connectivity 2).
    if (t.y > 0) {
      for (let j = 0; j < t.w; j++) {
        const b = g(0, j);
        if (b === 0) continue;
        for (let dx = conn > 1 ? -1 : 0; dx <= (conn > 1 ? 1 : 0); dx++) {
          const x = t.x + j + dx;
          if (x < 0 || x >= p.width) continue;
          const a = rowAbove[x]!;
          if (a !== 0) comps.union(a, b);
        }
      }
    }
    // Left column against the right column of the tile to the left (same tile row).
    if (leftColumn) {
      for (let i = 0; i < t.h; i++) {
        const b = g(i, 0);
        if (b === 0) continue;
        for (let dy = conn > 1 ? -1 : 0; dy <= (conn > 1 ? 1 : 0); dy++) {
          const r = i + dy;
          if (r < 0 || r >= t.h) continue;
          const a = leftColumn[r]!;
          if (a !== 0) comps.union(a, b);
        }
      }
    }
    leftColumn = new Int32Array(t.h);
    for (let i = 0; i < t.h; i++) leftColumn[i] = g(i, t.w - 1);
    for (let j = 0; j < t.w; j++) rowBelow[t.x + j] = g(t.h - 1, j);
  }
  return { comps, bases };
}

function binary(data: ArrayLike<number>, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = data[k] !== 0 ? 1 : 0;
  return out;
}

/**
 * remove_small_objects then (optionally) binary_fill_holes over a tiled plane, writing the uint8 0/1
 * result tile by tile; equal to morphology.removeSmallObjects / binaryFillHoles on the whole plane.
 */
export async function cleanMaskTiled(p: TiledPlane, write: TileWriter, opts: TiledCleanupOptions): Promise<void> {
  const conn = opts.connectivity ?? 1;
  const holeConn = opts.holeConnectivity ?? 1;
  const passes = opts.fillHoles ? 3 : 2;
  const tiles = tilesOf(p);
  const read = (t: Tile) => p.read(t.y, t.x, t.h, t.w);
  const objects = await labelPass(p, tiles, read, conn);
  opts.onPass?.(1, passes);
  // The cleaned tile: the foreground components of `minSize` pixels or more.
  const cleaned = async (t: Tile, k: number): Promise<Uint8Array> => {
    const mask = await read(t);
    const n = t.h * t.w;
    if (opts.minSize <= 0) return binary(mask.data as ArrayLike<number>, n);
    const lab = label(mask, conn).labels.data;
    const out = new Uint8Array(n);
    const base = objects.bases[k]!;
    for (let q = 0; q < n; q++) {
      const l = lab[q]!;
      out[q] = l !== 0 && objects.comps.size[objects.comps.find(base + l)]! >= opts.minSize ? 1 : 0;
    }
    return out;
  };
  if (!opts.fillHoles) {
    for (let k = 0; k < tiles.length; k++) {
      const t = tiles[k]!;
      await write(t.y, t.x, { dtype: 'uint8', shape: [t.h, t.w], data: await cleaned(t, k) });
    }
    opts.onPass?.(2, 2);
    return;
  }
  // Holes: background components of the cleaned mask that do not touch the image border.
  const background = async (t: Tile, k: number): Promise<NDArray> => {
    const c = await cleaned(t, k);
    for (let q = 0; q < c.length; q++) c[q] = c[q] ? 0 : 1;
    return { dtype: 'uint8', shape: [t.h, t.w], data: c };
  };
  const holes = await labelPass(p, tiles, background, holeConn);
  opts.onPass?.(2, passes);
  for (let k = 0; k < tiles.length; k++) {
    const t = tiles[k]!;
    const c = await cleaned(t, k);
    const bg = new Uint8Array(c.length);
    for (let q = 0; q < c.length; q++) bg[q] = c[q] ? 0 : 1;
    const lab = label({ dtype: 'uint8', shape: [t.h, t.w], data: bg }, holeConn).labels.data;
    const base = holes.bases[k]!;
    for (let q = 0; q < c.length; q++) {
      const l = lab[q]!;
      if (l !== 0 && !holes.comps.flag[holes.comps.find(base + l)]) c[q] = 1;
    }
    await write(t.y, t.x, { dtype: 'uint8', shape: [t.h, t.w], data: c });
  }
  opts.onPass?.(3, passes);
}
