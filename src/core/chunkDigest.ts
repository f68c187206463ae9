// The content address of a chunked array: SHA-256 over a header (dtype, shape, chunk shape) and the
// SHA-256 of every chunk of the grid in C order, a chunk never written counting as a chunk of fill
// value (zeros). Two arrays have the same digest exactly when they hold the same values in the same
// layout, however and in whatever order their chunks were written, and it is computed chunk by chunk as
// chunks are written (no whole-array pass, no array in memory). Pure TS (SubtleCrypto only).
import { sha256Hex, sha256Text } from './hash';
import { itemSize, sizeOf, type DType } from './ndarray';

export interface ChunkGrid {
  dtype: DType;
  shape: readonly number[];
  chunkShape: readonly number[];
}

/** Chunks along each axis. */
export function gridShape(g: ChunkGrid): number[] {
  return g.shape.map((d, i) => Math.ceil(d / g.chunkShape[i]!));
}

/** The Zarr v3 key (default chunk key encoding, separator '/') of the chunk at `coords`: `c/0/1`. */
export function chunkKey(coords: readonly number[]): string {
  return ['c', ...coords].join('/');
}

/** Every chunk key of the grid, in C order. */
export function chunkKeys(g: ChunkGrid): string[] {
  const grid = gridShape(g);
  const n = sizeOf(grid);
  const keys: string[] = [];
  const coords = grid.map(() => 0);
  for (let k = 0; k < n; k++) {
    keys.push(chunkKey(coords));
    for (let ax = grid.length - 1; ax >= 0; ax--) {
      if (++coords[ax]! < grid[ax]!) break;
      coords[ax] = 0;
    }
  }
  return keys;
}

/** Bytes of one (full, edge chunks included: Zarr pads them) uncompressed chunk. */
export function chunkByteLength(g: ChunkGrid): number {
  return sizeOf(g.chunkShape) * itemSize(g.dtype);
}

/** SHA-256 hex of a chunk of fill value (all zero bytes). */
const fillHashes = new Map<number, Promise<string>>();
export function fillChunkHash(byteLength: number): Promise<string> {
  let h = fillHashes.get(byteLength);
  if (!h) fillHashes.set(byteLength, (h = sha256Hex(new Uint8Array(byteLength))));
  return h;
}

/**
 * The SHA-256 hex of every chunk of the grid in C order, from the hashes of the stored chunks (by chunk
 * key, `c/0/1`); a key not in the map is a fill-value chunk. What a chunked-array record keeps in
 * `chunkHashes`, so that an edit of a few chunks has the new digest without reading the others.
 */
export async function chunkHashList(g: ChunkGrid, chunkHashes: ReadonlyMap<string, string>): Promise<string[]> {
  const keys = chunkKeys(g);
  const fill = keys.some((k) => !chunkHashes.has(k)) ? await fillChunkHash(chunkByteLength(g)) : '';
  return keys.map((k) => chunkHashes.get(k) ?? fill);
}

/** The digest of an array from the hashes of all its chunks in C order (chunkHashList). */
export function digestOfHashes(g: ChunkGrid, hashes: readonly string[]): Promise<string> {
  return sha256Text([`zarr-v3 ${g.dtype} [${g.shape.join(',')}] [${g.chunkShape.join(',')}]`, ...hashes].join('\n'));
}

/**
 * The digest of an array whose stored chunks have the SHA-256 hex `chunkHashes` (by chunk key, `c/0/1`);
 * a key of the grid not in the map is a fill-value chunk.
 */
export async function arrayDigest(g: ChunkGrid, chunkHashes: ReadonlyMap<string, string>): Promise<string> {
  return digestOfHashes(g, await chunkHashList(g, chunkHashes));
}
