// Chunks that are contiguous runs of a C-order array. When a chunk grid is 1 along the leading axes,
// cuts one axis, and spans every axis after it whole (the default grid of a 2-D image that fits one
// chunk, of a stack of whole planes, of a 1-D array), each chunk's elements are one run of the array's
// memory, and the chunk's uncompressed Zarr bytes (the `bytes` codec, little endian) are exactly that
// run, followed by zeros (the fill value) for an edge chunk that sticks out of the array. Encoding such
// a chunk is one memory copy rather than zarrita's element-by-element strided copy; the result is byte
// for byte what zarrita writes (tests/unit/contiguousChunks.test.ts compares them). Pure arithmetic.
import { chunkKey } from './chunkDigest';
import { sizeOf } from './ndarray';

/** One chunk: its Zarr key (`c/3/0/0`) and the run of elements [start, start + length) it holds. */
export interface ChunkRun {
  key: string;
  start: number;
  length: number;
}

/**
 * The axis a contiguous-run grid cuts: chunks are 1 along every axis before it and whole along every
 * axis after it. Null when the grid is not of that kind (tiles of a large image), or for 0-D and empty
 * arrays.
 */
function cutAxis(shape: readonly number[], chunkShape: readonly number[]): number | null {
  const nd = shape.length;
  if (nd === 0 || chunkShape.length !== nd || shape.some((d) => d === 0)) return null;
  let k = 0;
  while (k < nd - 1 && chunkShape[k] === 1) k++;
  for (let j = k + 1; j < nd; j++) if (chunkShape[j] !== shape[j]) return null;
  return k;
}

/**
 * The chunks of an array of `shape` gridded by `chunkShape`, in C grid order, when every chunk is a
 * contiguous run of the array; null otherwise (tiles of a large image, 0-D arrays, empty arrays).
 * Every chunk holds sizeOf(chunkShape) elements; a run shorter than that is padded with the fill value.
 */
export function contiguousChunkRuns(shape: readonly number[], chunkShape: readonly number[]): ChunkRun[] | null {
  return alignedBlockRuns(
    shape,
    chunkShape,
    shape.map(() => 0),
    shape,
  );
}

/**
 * The chunks a block written at `origin` fills, when each is a contiguous run of the BLOCK (C order)
 * and the block covers every chunk it touches whole (or up to the array's edge, where the rest of the
 * chunk is fill): the chunk grid of `shape` is contiguous-run (see contiguousChunkRuns), the block
 * spans the trailing axes whole and starts and ends on chunk boundaries along the cut axis. Runs are
 * in the block's elements, keys in the array's grid. Null otherwise (zarrita then reads, merges and
 * writes the partial chunks).
 */
export function alignedBlockRuns(
  shape: readonly number[],
  chunkShape: readonly number[],
  origin: readonly number[],
  blockShape: readonly number[],
): ChunkRun[] | null {
  const k = cutAxis(shape, chunkShape);
  if (k === null || blockShape.some((d) => d === 0)) return null;
  for (let j = k + 1; j < shape.length; j++) if (origin[j] !== 0 || blockShape[j] !== shape[j]) return null;
  const step = chunkShape[k]!;
  const end = origin[k]! + blockShape[k]!;
  if (origin[k]! % step !== 0 || (end % step !== 0 && end !== shape[k])) return null;
  const lead = blockShape.slice(0, k);
  const along = blockShape[k]!;
  const rest = sizeOf(blockShape.slice(k + 1));
  const cuts = Math.ceil(along / step);
  const trailing = shape.slice(k + 1).map(() => 0);
  const runs: ChunkRun[] = [];
  const coords = lead.map(() => 0);
  for (let l = 0; l < sizeOf(lead); l++) {
    for (let c = 0; c < cuts; c++) {
      const rows = Math.min(step, along - c * step);
      const key = chunkKey([...coords.map((x, ax) => x + origin[ax]!), origin[k]! / step + c, ...trailing]);
      runs.push({ key, start: (l * along + c * step) * rest, length: rows * rest });
    }
    for (let ax = k - 1; ax >= 0; ax--) {
      if (++coords[ax]! < lead[ax]!) break;
      coords[ax] = 0;
    }
  }
  return runs;
}
