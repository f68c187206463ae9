// Tiles of an edit (a label editor's painted regions): their geometry against the field they are
// written over — shape checks, the chunks each touches, and the copy into an array in memory. Pure TS.
import { chunkKey } from './chunkDigest';
import { sizeOf, stridesOf, type NDArray } from './ndarray';

/** A region written over a field: `data`'s first element goes at `origin` (one index per axis of the field). */
export interface EditTile {
  origin: number[];
  data: NDArray;
}

/**
 * The shape of a tile of `dataShape` inside a field of `rank` axes: the data's own shape when it has as
 * many axes, else with leading axes of length 1 added ([256, 256] over a [Z, Y, X] field is [1, 256, 256]).
 * Null when the data has more axes than the field.
 */
export function tileShapeIn(rank: number, dataShape: readonly number[]): number[] | null {
  if (dataShape.length > rank) return null;
  return [...Array.from({ length: rank - dataShape.length }, () => 1), ...dataShape];
}

/**
 * Why tile `index` at `origin` with `shape` (already of the field's rank) does not fit a field of
 * `fieldShape`, prefixed with `label`; null when it fits.
 */
export function tileProblem(label: string, index: number, fieldShape: readonly number[], origin: unknown, shape: readonly number[]): string | null {
  const at = `${label}: tile ${index}`;
  if (!Array.isArray(origin) || origin.length !== fieldShape.length || !origin.every((o) => Number.isInteger(o))) {
    return `${at}: origin must be ${fieldShape.length} integers (one per axis of the field's shape [${fieldShape.join(', ')}]), got ${JSON.stringify(origin)}.`;
  }
  const fits = origin.every((o: number, i) => o >= 0 && o + shape[i]! <= fieldShape[i]!);
  if (!fits) return `${at} at [${origin.join(', ')}] of shape [${shape.join(', ')}] does not fit in the field's shape [${fieldShape.join(', ')}].`;
  return null;
}

/** The keys (`c/0/1`) of the chunks of a `chunkShape` grid that the region `origin` + `shape` touches, in C order. */
export function touchedChunkKeys(chunkShape: readonly number[], origin: readonly number[], shape: readonly number[]): string[] {
  if (sizeOf(shape) === 0) return [];
  const first = origin.map((o, i) => Math.floor(o / chunkShape[i]!));
  const last = origin.map((o, i) => Math.floor((o + shape[i]! - 1) / chunkShape[i]!));
  const keys: string[] = [];
  const coords = [...first];
  for (;;) {
    keys.push(chunkKey(coords));
    let ax = coords.length - 1;
    for (; ax >= 0; ax--) {
      if (++coords[ax]! <= last[ax]!) break;
      coords[ax] = first[ax]!;
    }
    if (ax < 0) return keys;
  }
}

/**
 * Copy `tile` (of `dst`'s dtype, `shape` its shape at `dst`'s rank) into `dst` at `origin`, in place:
 * one row (run along the last axis) at a time.
 */
export function pasteTile(dst: NDArray, origin: readonly number[], shape: readonly number[], tile: NDArray): void {
  const rank = dst.shape.length;
  if (rank === 0 || sizeOf(shape) === 0) {
    if (rank === 0) dst.data[0] = tile.data[0]!;
    return;
  }
  const strides = stridesOf(dst.shape);
  const row = shape[rank - 1]!;
  const rows = sizeOf(shape) / row;
  const idx = Array.from({ length: rank - 1 }, () => 0);
  for (let r = 0; r < rows; r++) {
    let at = origin[rank - 1]!;
    for (let ax = 0; ax < rank - 1; ax++) at += (origin[ax]! + idx[ax]!) * strides[ax]!;
    (dst.data as Uint8Array).set((tile.data as Uint8Array).subarray(r * row, (r + 1) * row), at);
    for (let ax = rank - 2; ax >= 0; ax--) {
      if (++idx[ax]! < shape[ax]!) break;
      idx[ax] = 0;
    }
  }
}
