// The multiscale pyramid of a tiled 2-D image field (src/core/pyramid.ts): written once, level by
// level and tile by tile (each tile of level l is the 2×2 mean of at most four tiles of level l − 1,
// so memory holds a few tiles, never the image), into staged chunked arrays; then ONE transaction
// commits them (content addressed and reference counted like any field array, see datasetArrays.ts)
// and records them in the field's `levels`. Deleting the dataset releases them (deleteDatasetsIn).
// Two builders racing (two tabs): the second transaction finds `levels` set and drops its own arrays.
import { remoteLevels } from './remoteArrays';
import { datasetLabel } from '../core/datasetLabel';
import { gridShape } from '../core/chunkDigest';
import { downsample2x, isTiledImage, pyramidShapes } from '../core/pyramid';
import type { NDArray } from '../core/ndarray';
import type { DatasetMeta, FieldLevel, FieldMeta } from '../core/records';
import { addRef } from './blobs';
import { createChunkedArray, type ChunkedArrayWriter, type SealedArray } from './chunkedArrays';
import { commitArraysIn, emptyCommits, readFieldArray, type ArrayCommits } from './datasetArrays';
import { writeTx, type StoreContext } from './db';
import type { Region } from './zarrViews';

export interface PyramidBuildOptions {
  /** Called after every tile written: tiles done, tiles in all levels. */
  onProgress?(done: number, total: number): void;
}

/** The field, or a readable error. */
function fieldOf(meta: DatasetMeta, key: string): FieldMeta {
  const fm = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  if (!fm) throw new Error(`Dataset ${datasetLabel(meta)} has no field '${key}'.`);
  return fm;
}

/** Every chunk origin of a grid, in C order. */
function chunkOrigins(shape: readonly number[], chunkShape: readonly number[]): number[][] {
  const grid = gridShape({ dtype: 'uint8', shape, chunkShape });
  const out: number[][] = [];
  const coords = grid.map(() => 0);
  const total = grid.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    out.push(coords.map((c, i) => c * chunkShape[i]!));
    for (let ax = grid.length - 1; ax >= 0; ax--) {
      if (++coords[ax]! < grid[ax]!) break;
      coords[ax] = 0;
    }
  }
  return out;
}

/**
 * The pyramid of field `key` of dataset `id`: the stored levels, or (when none are stored and the field
 * is a tiled image) built, committed and returned. A field that is not a tiled image has none: [].
 */
export async function buildFieldPyramid(ctx: StoreContext, id: string, key: string, opts: PyramidBuildOptions = {}): Promise<FieldLevel[]> {
  const meta = await ctx.db().get('datasets', id);
  if (!meta) throw new Error(`Dataset '${id}' not found.`);
  const fm = fieldOf(meta, key);
  if (fm.levels) return fm.levels;
  // A remote field's levels are the OME-Zarr's own (nothing is stored: no array id, no digest).
  if (fm.remote) return remoteLevels(fm).map((l) => ({ array: '', digest: '', ...l }));
  if (!fm.array || !isTiledImage(fm.shape, fm.chunkShape)) return [];
  const shapes = pyramidShapes(fm.shape, fm.dtype);
  const writers: ChunkedArrayWriter[] = [];
  const sealed: SealedArray[] = [];
  let committed = false;
  try {
    let read = (region: Region): Promise<NDArray> => readFieldArray(ctx, fm, region);
    let srcShape = fm.shape;
    const plans = [];
    for (const shape of shapes) {
      const w = await createChunkedArray(ctx, { dtype: fm.dtype, shape });
      writers.push(w);
      plans.push({ w, origins: chunkOrigins(shape, w.chunkShape) });
    }
    const total = plans.reduce((n, p) => n + p.origins.length, 0);
    let done = 0;
    for (const { w, origins } of plans) {
      const n = w.shape.length;
      const from = srcShape;
      for (const origin of origins) {
        const region = origin.map((o, i): [number, number] => {
          const stop = Math.min(o + w.chunkShape[i]!, w.shape[i]!);
          return i < n - 2 ? [o, stop] : [2 * o, Math.min(2 * stop, from[i]!)];
        });
        await w.write(origin, downsample2x(await read(region)));
        opts.onProgress?.(++done, total);
      }
      read = (region) => w.readStaged(region);
      srcShape = w.shape;
    }
    for (const w of writers) sealed.push(await w.seal());
    const levels = await writeTx(ctx, 'putFieldLevels', ['datasets', 'chunkedArrays', 'chunks'], async (tx) => {
      const store = tx.objectStore('datasets');
      const current = await store.get(id);
      if (!current) throw new Error(`Dataset '${id}' was deleted while its pyramid was being built.`);
      const cur = fieldOf(current, key);
      if (cur.array !== fm.array) throw new Error(`Field '${key}' of dataset ${datasetLabel(current)} changed while its pyramid was being built.`);
      if (cur.levels) return { levels: cur.levels, ours: false };
      const commits = emptyCommits();
      for (const s of sealed) {
        commits.sealed.set(s.digest, [...(commits.sealed.get(s.digest) ?? []), s]);
        addRef(commits.refs, s.digest, 1);
      }
      const ids = await commitArraysIn(tx, commits);
      cur.levels = sealed.map((s) => ({ array: ids.get(s.digest)!, shape: [...s.shape], chunkShape: [...s.chunkShape], digest: s.digest }));
      await store.put(current);
      return { levels: cur.levels, ours: true };
    });
    committed = levels.ours;
    return levels.levels;
  } finally {
    if (committed) for (const s of sealed) s.settle();
    else await Promise.all(writers.map((w) => w.abort().catch(() => {}))); // else GC collects them
  }
}

/**
 * Levels given with a new dataset's field (NewDataset.levels): sealed into `arrays` (committed with
 * the dataset, one reference each) and recorded in `fm.levels` (their `array` ids are filled in by the
 * write). Throws naming the field when it is not a tiled image or a level is not the scheme's.
 */
export async function prepareGivenLevels(
  fm: FieldMeta | undefined,
  writers: readonly ChunkedArrayWriter[],
  label: string,
  arrays: ArrayCommits,
  sealed: SealedArray[],
): Promise<void> {
  if (!fm) throw new Error(`${label}: pyramid levels were given for a field the dataset does not have.`);
  if (fm.kind !== 'array' || !isTiledImage(fm.shape, fm.chunkShape))
    throw new Error(`${label}: pyramid levels were given, but the field is not a tiled image.`);
  const want = pyramidShapes(fm.shape, fm.dtype);
  if (writers.length !== want.length) throw new Error(`${label}: ${writers.length} pyramid level(s) were given; the scheme has ${want.length}.`);
  const levels: FieldLevel[] = [];
  for (const [i, w] of writers.entries()) {
    const s = await w.seal();
    sealed.push(s);
    if (s.dtype !== fm.dtype || s.shape.join() !== want[i]!.join()) {
      throw new Error(`${label}: pyramid level ${i + 1} is ${s.dtype} [${s.shape.join(', ')}]; expected ${fm.dtype} [${want[i]!.join(', ')}].`);
    }
    arrays.sealed.set(s.digest, [...(arrays.sealed.get(s.digest) ?? []), s]);
    addRef(arrays.refs, s.digest, 1);
    levels.push({ array: '', shape: [...s.shape], chunkShape: [...s.chunkShape], digest: s.digest });
  }
  fm.levels = levels;
}

/** Level `level` (0: the field itself) of field `key` as a field for readFieldArray; throws when it does not exist. */
export function levelField(fm: FieldMeta, key: string, level: number): FieldMeta {
  if (level === 0) return fm;
  const lv = fm.levels?.[level - 1];
  if (!Number.isInteger(level) || level < 0 || !lv) {
    throw new Error(`Field '${key}' has no pyramid level ${level} (it has ${fm.levels?.length ?? 0} level(s) below the base).`);
  }
  return { kind: fm.kind, dtype: fm.dtype, shape: lv.shape, chunkShape: lv.chunkShape, array: lv.array, digest: lv.digest, byteLength: 0 };
}
