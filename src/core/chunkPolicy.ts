// The default chunk shape of a chunked (Zarr v3) array: pure arithmetic on shape and dtype, shared by
// the page store and, later, any other reader/writer of the same layout (a cluster worker, an export).
import { itemSize, type DType } from './ndarray';

/**
 * Target bytes of one chunk: 4 MiB. Why this size:
 * - IndexedDB pays a fixed cost per record (a transaction, a structured clone, a LevelDB/SQLite row):
 *   with records of a few MiB that cost is small against the bytes moved, and a 2 GiB volume is
 *   ~500 records rather than millions.
 * - A chunk is the unit a reader materialises and a worker gets transferred: a few MiB keeps memory
 *   "bounded by a few chunks" and lets many chunks be in flight in parallel.
 * - Typical image planes fit exactly: a 2048² uint8 or 1024² uint16/float32 plane is one chunk.
 */
export const TARGET_CHUNK_BYTES = 4 * 1024 * 1024;

/** A trailing axis this short (RGB, RGBA, a few channels) is kept whole inside each chunk. */
const MAX_INTERLEAVED_CHANNELS = 4;

/** The largest power of two ≤ x (at least 1). */
function floorPow2(x: number): number {
  let p = 1;
  while (p * 2 <= x) p *= 2;
  return p;
}

/**
 * The default chunk shape for an array of `shape` and `dtype`:
 * - 0-D: `[]`; 1-D: runs of up to TARGET_CHUNK_BYTES.
 * - 2-D images `[Y, X]` (and `[Y, X, C]` with C ≤ 4, channels kept in the chunk): the whole image when it
 *   fits in TARGET_CHUNK_BYTES, else square power-of-two tiles (uint8 2048², uint16/float32 1024²,
 *   float64 512²): tiles line up with viewer tiles and pyramid levels, and every chunk holds the same
 *   number of rows and columns, so block iteration with a halo is uniform.
 * - 3-D stacks `[Z, Y, X]` and higher: 1 along every leading axis and the 2-D rule on the last two, so a
 *   chunk is a whole 2-D slice (or a tile of one): opening slice k in a viewer or processing slice by
 *   slice reads exactly the chunks of that slice and nothing of its neighbours.
 * A thin image (fewer rows or columns than a tile side) gets tiles stretched along its long axis.
 * Never larger than the shape along any axis (a 0-length axis gets chunk length 1).
 */
export function defaultChunkShape(shape: readonly number[], dtype: DType): number[] {
  const bytes = itemSize(dtype);
  const nd = shape.length;
  if (nd === 0) return [];
  const clamp = (c: number, d: number) => Math.max(1, Math.min(c, d));
  if (nd === 1) return [clamp(floorPow2(Math.floor(TARGET_CHUNK_BYTES / bytes)), shape[0]!)];
  const channelsLast = nd === 3 && shape[2]! <= MAX_INTERLEAVED_CHANNELS;
  const planeAxes = channelsLast ? 0 : nd - 2; // index of the Y axis
  const channels = channelsLast ? Math.max(1, shape[2]!) : 1;
  const [y, x] = [shape[planeAxes]!, shape[planeAxes + 1]!];
  const perPixel = bytes * channels;
  let tileY = y;
  let tileX = x;
  if (y * x * perPixel > TARGET_CHUNK_BYTES) {
    const side = floorPow2(Math.floor(Math.sqrt(TARGET_CHUNK_BYTES / perPixel)));
    // A thin image (fewer rows or columns than a tile) gets tiles stretched along the long axis.
    const across = (short: number) => floorPow2(Math.floor(TARGET_CHUNK_BYTES / (short * perPixel)));
    tileY = y < side ? y : x < side ? across(x) : side;
    tileX = x < side ? x : y < side ? across(y) : side;
  }
  if (channelsLast) return [clamp(tileY, y), clamp(tileX, x), channels];
  return [...shape.slice(0, nd - 2).map(() => 1), clamp(tileY, y), clamp(tileX, x)];
}
