// Which pyramid level and which of its tiles a viewport needs (pure; the tiled viewer reads exactly
// these). Level l of a pyramid halves level l − 1 along Y and X (src/core/pyramid.ts), so one pixel of
// level l covers 2^l × 2^l base pixels: level-l pixel j spans base pixels [j·2^l, (j + 1)·2^l).
import type { Box } from './slices';

/** One level's grid: its shape (…, H, W) and chunk shape; level 0 is the base image. */
export interface LevelGrid {
  shape: readonly number[];
  chunkShape: readonly number[];
}

/** The viewport's transform: screen = base · zoom + (tx, ty). */
export interface Viewport {
  zoom: number;
  tx: number;
  ty: number;
  width: number;
  height: number;
}

/** One tile of one level, and the base-image rectangle it covers (clipped to the image). */
export interface Tile {
  level: number;
  /** Chunk row and column of the tile in its level. */
  row: number;
  col: number;
  /** The tile's region in its level (leading axes whole). */
  region: Box;
  /** The base pixels it covers: x, y, width, height. */
  base: { x: number; y: number; w: number; h: number };
}

/**
 * The level to draw at `zoom` (screen pixels per base pixel) on a screen of `dpr` device pixels per CSS
 * pixel: the coarsest level whose pixels are no larger than a device pixel (napari's and OME-NGFF
 * viewers' rule: never upsample a coarse level while a finer one exists), so 1:1 and closer use the base.
 */
export function chooseLevel(levels: number, zoom: number, dpr = 1): number {
  const s = zoom * dpr;
  if (!(s > 0) || levels <= 1) return 0;
  const l = Math.floor(Math.log2(1 / s) + 1e-9);
  return Math.max(0, Math.min(levels - 1, l));
}

/** The base-image rectangle visible in the viewport (clipped to an image of `width` × `height`), or null. */
export function visibleRect(v: Viewport, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const x0 = Math.max(0, -v.tx / v.zoom);
  const y0 = Math.max(0, -v.ty / v.zoom);
  const x1 = Math.min(width, (v.width - v.tx) / v.zoom);
  const y1 = Math.min(height, (v.height - v.ty) / v.zoom);
  return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
}

/** The tiles of `level` of `grids` (grids[0] the base) that the viewport shows, row by row. */
export function visibleTiles(grids: readonly LevelGrid[], level: number, v: Viewport): Tile[] {
  const g = grids[level]!;
  const base = grids[0]!.shape;
  const n = base.length;
  const [bh, bw] = [base[n - 2]!, base[n - 1]!];
  const r = visibleRect(v, bw, bh);
  if (!r) return [];
  const f = 2 ** level;
  const [lh, lw] = [g.shape[n - 2]!, g.shape[n - 1]!];
  const [ch, cw] = [g.chunkShape[n - 2]!, g.chunkShape[n - 1]!];
  // Base span of one tile: ch·f rows, cw·f columns.
  const rows = [Math.floor(r.y0 / (ch * f)), Math.min(Math.ceil(lh / ch) - 1, Math.ceil(r.y1 / (ch * f)) - 1)] as const;
  const cols = [Math.floor(r.x0 / (cw * f)), Math.min(Math.ceil(lw / cw) - 1, Math.ceil(r.x1 / (cw * f)) - 1)] as const;
  const out: Tile[] = [];
  for (let row = rows[0]; row <= rows[1]; row++)
    for (let col = cols[0]; col <= cols[1]; col++) {
      const ly: [number, number] = [row * ch, Math.min((row + 1) * ch, lh)];
      const lx: [number, number] = [col * cw, Math.min((col + 1) * cw, lw)];
      const region: Box = g.shape.map((d, i): [number, number] => (i === n - 2 ? ly : i === n - 1 ? lx : [0, d]));
      const y = ly[0] * f;
      const x = lx[0] * f;
      out.push({ level, row, col, region, base: { x, y, w: Math.min(lx[1] * f, bw) - x, h: Math.min(ly[1] * f, bh) - y } });
    }
  return out;
}
