// Chunks a block fills whole when it is written on the chunk grid of a tiled array (a 2048² plane into
// 1024² chunks, a plane of a CZYX image): each chunk's uncompressed Zarr bytes (the `bytes` codec,
// little endian, C order within the chunk, zeros — the fill value — where an edge chunk sticks out of
// the array) are made by copying the block's rows into a zeroed chunk buffer, one typed-array copy per
// row, rather than zarrita's element-by-element strided copy. Byte for byte what zarrita writes
// (tests/unit/alignedTiles.test.ts compares them). Pure arithmetic and copies.
import { chunkKey } from './chunkDigest';
import { sizeOf, type NDArray } from './ndarray';

/** One chunk the block fills: its Zarr key, and where its part of the block starts and how far it extends (per axis). */
export interface BlockTile {
  key: string;
  /** Per axis, the tile's first element in the block's coordinates. */
  start: number[];
  /** Per axis, how many of the chunk's elements the block holds (less than the chunk only at the array's edge). */
  extent: number[];
}

/**
 * The chunks a block at `origin` covers whole (or up to the array's edge), when it starts on the chunk
 * grid and ends on it (or at the array's edge) along every axis; null otherwise.
 */
export function alignedBlockTiles(
  shape: readonly number[],
  chunkShape: readonly number[],
  origin: readonly number[],
  blockShape: readonly number[],
): BlockTile[] | null {
  const nd = shape.length;
  if (nd === 0 || chunkShape.length !== nd || blockShape.some((d) => d === 0)) return null;
  for (let i = 0; i < nd; i++) {
    const end = origin[i]! + blockShape[i]!;
    if (origin[i]! % chunkShape[i]! !== 0 || (end % chunkShape[i]! !== 0 && end !== shape[i])) return null;
  }
  const counts = blockShape.map((d, i) => Math.ceil(d / chunkShape[i]!));
  const tiles: BlockTile[] = [];
  const at = counts.map(() => 0);
  for (let n = 0; n < sizeOf(counts); n++) {
    const start = at.map((c, i) => c * chunkShape[i]!);
    const extent = start.map((s, i) => Math.min(chunkShape[i]!, blockShape[i]! - s));
    tiles.push({ key: chunkKey(at.map((c, i) => c + origin[i]! / chunkShape[i]!)), start, extent });
    for (let i = nd - 1; i >= 0; i--) {
      if (++at[i]! < counts[i]!) break;
      at[i] = 0;
    }
  }
  return tiles;
}

/** The chunk's bytes: the tile's rows of `block` copied into a zeroed buffer of `chunkShape` elements. */
export function tileBytes(block: NDArray, tile: BlockTile, chunkShape: readonly number[]): Uint8Array {
  const nd = chunkShape.length;
  const Ctor = block.data.constructor as new (n: number) => NDArray['data'];
  const out = new Ctor(sizeOf(chunkShape));
  const src = block.data;
  const bStrides = strides(block.shape);
  const cStrides = strides(chunkShape);
  const rowLen = tile.extent[nd - 1]!;
  const rows = sizeOf(tile.extent.slice(0, nd - 1));
  const idx: number[] = Array.from({ length: Math.max(0, nd - 1) }, () => 0);
  for (let r = 0; r < rows; r++) {
    let from = tile.start[nd - 1]!;
    let to = 0;
    for (let i = 0; i < nd - 1; i++) {
      from += (tile.start[i]! + idx[i]!) * bStrides[i]!;
      to += idx[i]! * cStrides[i]!;
    }
    (out as Uint8Array).set((src as Uint8Array).subarray(from, from + rowLen), to);
    for (let i = nd - 2; i >= 0; i--) {
      if (++idx[i]! < tile.extent[i]!) break;
      idx[i] = 0;
    }
  }
  return new Uint8Array(out.buffer, 0, out.byteLength);
}

function strides(shape: readonly number[]): number[] {
  const s: number[] = Array.from({ length: shape.length }, () => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}
