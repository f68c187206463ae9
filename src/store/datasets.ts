// Datasets: metadata records in `datasets`; the bytes of every field either in `blobs` (small fields,
// deduplicated by SHA-256) or in a chunked Zarr v3 array (array fields of 64 KiB and more, deduplicated
// by digest; see datasetArrays.ts), so reading one key never reads another.
import { compositeRegion, compositeThumbnail, cutRegion, wantsComposite } from '../core/compositeThumbnail';
import { fieldAxes } from '../core/fieldAxes';
import { datasetLabel } from '../core/datasetLabel';
import { sha256Hex } from '../core/hash';
import { bytesOf, fromBytes, itemSize, ndarrayProblem, sizeOf, type DType, type NDArray } from '../core/ndarray';
import type { DatasetMeta, DatasetRecord, FieldKind, FieldMeta, RemoteArray, StoredField, Thumbnail } from '../core/records';
import { makeThumbnail, THUMBNAIL_KEYS } from '../core/thumbnail';
import { axesProblem, cloneAxes, type ImageAxes } from '../core/imageAxes';
import { addRef, applyRefDeltas, readBlobIn } from './blobs';
import type { ChunkCache } from './chunkCache';
import type { ChunkedArrayWriter, SealedArray } from './chunkedArrays';
import { commitArraysIn, emptyCommits, encodeArray, readFieldArray, regionOfArray, releaseArraysIn, storesChunked, type ArrayCommits } from './datasetArrays';
import { levelField, prepareGivenLevels } from './pyramids';
import { readRemoteField, remoteLevels } from './remoteArrays';
import type { Region } from './zarrViews';
import { readTx, track, writeTx, type ReadTx, type StoreContext, type StoreName, type WriteTx } from './db';

/** An array field written block by block into a staged chunked array (createChunkedArray), not yet committed. */
export interface StagedField {
  kind: 'array' | 'arrayList';
  staged: ChunkedArrayWriter;
}

/**
 * An array in memory. `owned`: the caller gives its buffer up (it arrived transferred from a worker and
 * nothing else holds it), so a chunk that is the whole buffer is stored and cached without a copy.
 */
export interface GivenField extends StoredField {
  owned?: boolean;
}

/**
 * An array of a remote OME-Zarr (datasets.openUrl): only its description is stored (FieldMeta.remote);
 * `preview` (a small plane, e.g. of its smallest level) makes the thumbnail.
 */
export interface RemoteField {
  kind: 'array';
  remote: RemoteArray;
  dtype: DType;
  shape: number[];
  chunkShape: number[];
  preview?: NDArray;
}

/** A field of a new dataset: an array in memory, a staged chunked array the dataset's write commits, or a remote array. */
export type NewField = GivenField | StagedField | RemoteField;

export interface NewDataset {
  fields: Record<string, NewField>;
  name?: string;
  source: string;
  schema: string | null;
  extra?: Record<string, unknown>;
  /** What the axes of array fields mean (src/core/imageAxes.ts), by field key; kept in the fields' `axes`. */
  axes?: Record<string, ImageAxes>;
  /**
   * A tiled image field's pyramid levels, given with it (an OME-TIFF's SubIFDs, an OME-Zarr's own
   * levels), by field key, level 1 first: staged arrays of exactly the shapes of src/core/pyramid.ts's
   * scheme, committed with the dataset into the field's `levels` (see pyramids.ts, prepareGivenLevels).
   */
  levels?: Record<string, ChunkedArrayWriter[]>;
}

export interface DatasetPatch {
  name?: string;
  extra?: Record<string, unknown>;
  /** Replaces the axes metadata of the named array fields (channel colours, windows, physical sizes). */
  axes?: Record<string, ImageAxes>;
}

const FIELD_KINDS: readonly FieldKind[] = ['array', 'arrayList', 'numbers', 'string'];

/** A field key is a non-empty string without '/'. Returns a message naming the key, or null. */
export function fieldKeyProblem(key: string): string | null {
  if (key.length === 0) return `Invalid field key '': a key must be a non-empty string.`;
  if (key.includes('/')) return `Invalid field key '${key}': a key must not contain '/'.`;
  return null;
}

function isStaged(f: NewField): f is StagedField {
  return 'staged' in f && f.staged !== undefined;
}

function isRemote(f: NewField): f is RemoteField {
  return 'remote' in f && f.remote !== undefined;
}

function fieldProblem(key: string, f: unknown): string | null {
  if (typeof f !== 'object' || f === null) return `Field '${key}': expected {kind, array}.`;
  if (isRemote(f as NewField)) return (f as RemoteField).kind === 'array' ? null : `Field '${key}': a remote array must be of kind 'array'.`;
  if (isStaged(f as NewField)) {
    const { kind } = f as StagedField;
    return kind === 'array' || kind === 'arrayList'
      ? null
      : `Field '${key}': a staged chunked array must be of kind 'array' or 'arrayList', got ${JSON.stringify(kind)}.`;
  }
  const { kind, array } = f as Partial<StoredField>;
  if (!FIELD_KINDS.includes(kind as FieldKind)) {
    return `Field '${key}': kind must be one of ${FIELD_KINDS.join(', ')}, got ${JSON.stringify(kind)}.`;
  }
  const p = ndarrayProblem(array, `Field '${key}'`);
  if (p) return p;
  const a = array as NDArray;
  if (kind === 'numbers' && (a.dtype !== 'float64' || a.shape.length !== 1)) {
    return `Field '${key}': a 'numbers' field must be a 1-D float64 array, got ${a.dtype} [${a.shape.join(', ')}].`;
  }
  if (kind === 'string' && (a.dtype !== 'uint8' || a.shape.length !== 1)) {
    return `Field '${key}': a 'string' field must be a 1-D uint8 array, got ${a.dtype} [${a.shape.join(', ')}].`;
  }
  return null;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('A dataset name must be a non-empty string.');
  return name.trim();
}

function checkExtra(extra: unknown): Record<string, unknown> {
  if (extra === undefined) return {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new Error('A dataset extra must be a plain object.');
  }
  return extra as Record<string, unknown>;
}

export interface PreparedDatasets {
  metas: DatasetMeta[];
  /** Blob key → exact bytes, for blobs that may be new. */
  sources: Map<string, ArrayBuffer>;
  deltas: Map<string, number>;
  /** Chunked arrays to commit with the datasets (their ids go into the fields' `array`). */
  arrays: ArrayCommits;
  /** The staged arrays sealed for this write: settled (or aborted) once it is over. */
  sealed: SealedArray[];
}

/** One field made ready for the write transaction: its metadata (without `array` yet for chunked ones). */
async function prepareField(f: NewField, prepared: PreparedDatasets): Promise<FieldMeta> {
  if (isRemote(f)) {
    return { kind: 'array', dtype: f.dtype, shape: [...f.shape], chunkShape: [...f.chunkShape], byteLength: 0, remote: structuredClone(f.remote) };
  }
  if (isStaged(f)) {
    const s = await f.staged.seal();
    prepared.sealed.push(s);
    const list = prepared.arrays.sealed.get(s.digest) ?? [];
    list.push(s);
    prepared.arrays.sealed.set(s.digest, list);
    addRef(prepared.arrays.refs, s.digest, 1);
    const byteLength = sizeOf(s.shape) * itemSize(s.dtype);
    return { kind: f.kind, dtype: s.dtype, shape: [...s.shape], chunkShape: [...s.chunkShape], digest: s.digest, byteLength };
  }
  const a = f.array;
  if (storesChunked(f.kind, a.data.byteLength)) {
    const enc = await encodeArray(a, f.owned === true);
    if (!prepared.arrays.encoded.has(enc.digest)) prepared.arrays.encoded.set(enc.digest, enc);
    addRef(prepared.arrays.refs, enc.digest, 1);
    return { kind: f.kind, dtype: a.dtype, shape: [...a.shape], chunkShape: enc.chunkShape, digest: enc.digest, byteLength: a.data.byteLength };
  }
  // Exactly the view's bytes, in a buffer of their own (no offset, no neighbouring bytes).
  const bytes = bytesOf(a).slice();
  const blob = await sha256Hex(bytes);
  if (!prepared.sources.has(blob)) prepared.sources.set(blob, bytes.buffer);
  addRef(prepared.deltas, blob, 1);
  return { kind: f.kind, dtype: a.dtype, shape: [...a.shape], blob, byteLength: bytes.byteLength };
}

/**
 * Validate, encode (small fields copied into blobs, large ones into Zarr chunks), hash and make
 * thumbnails of everything before the write transaction opens. On failure, staged arrays already
 * sealed are aborted.
 */
export async function prepareDatasets(items: NewDataset[]): Promise<PreparedDatasets> {
  const prepared: PreparedDatasets = { metas: [], sources: new Map(), deltas: new Map(), arrays: emptyCommits(), sealed: [] };
  try {
    await prepareInto(items, prepared);
  } catch (err) {
    await settlePrepared(prepared, false);
    throw err;
  }
  return prepared;
}

async function prepareInto(items: NewDataset[], prepared: PreparedDatasets): Promise<void> {
  // Items of one batch get increasing times (1 ms apart) so "oldest first" keeps their order.
  const t0 = Date.now();
  for (const item of items) {
    const fields = item?.fields;
    if (typeof fields !== 'object' || fields === null) throw new Error('A dataset needs a fields object.');
    for (const [key, f] of Object.entries(fields)) {
      const p = fieldKeyProblem(key) ?? fieldProblem(key, f);
      if (p) throw new Error(p);
    }
    const id = crypto.randomUUID();
    const name = item.name === undefined ? `dataset-${id.slice(0, 8)}` : checkName(item.name);
    const entries = Object.entries(fields);
    const metas = await Promise.all(entries.map(([, f]) => prepareField(f, prepared)));
    // Keep the caller's key order (the hashes above finish in any order).
    const keys: Record<string, FieldMeta> = {};
    let byteLength = 0;
    entries.forEach(([key], i) => {
      keys[key] = metas[i]!;
      byteLength += metas[i]!.byteLength;
    });
    applyAxes(keys, item.axes, name);
    for (const [key, writers] of Object.entries(item.levels ?? {})) {
      await prepareGivenLevels(
        Object.hasOwn(keys, key) ? keys[key] : undefined,
        writers,
        `Dataset '${name}', field '${key}'`,
        prepared.arrays,
        prepared.sealed,
      );
    }
    prepared.metas.push({
      id,
      name,
      created: new Date(t0 + prepared.metas.length).toISOString(),
      source: item.source,
      schema: item.schema ?? null,
      keys,
      byteLength,
      extra: checkExtra(item.extra),
      thumbnail: await thumbnailOf(fields, item.axes),
    });
  }
}

/**
 * Puts each field's axes metadata into its FieldMeta after checking it against the field's shape;
 * throws naming the dataset, the field and the problem (an unknown field, a count that does not match).
 */
function applyAxes(keys: Record<string, FieldMeta>, axes: Record<string, ImageAxes> | undefined, name: string): void {
  if (axes === undefined) return;
  if (typeof axes !== 'object' || axes === null || Array.isArray(axes)) throw new Error(`Dataset '${name}': axes must be an object {fieldKey: axes}.`);
  for (const [key, ax] of Object.entries(axes)) {
    const fm = Object.hasOwn(keys, key) ? keys[key] : undefined;
    const label = `Dataset '${name}', field '${key}'`;
    if (!fm) throw new Error(`${label}: axes were given for a field the dataset does not have (it has ${Object.keys(keys).join(', ') || 'none'}).`);
    if (fm.kind !== 'array') throw new Error(`${label}: axes describe array fields only; this field is of kind '${fm.kind}'.`);
    const p = axesProblem(ax, fm.shape, label);
    if (p) throw new Error(p);
    fm.axes = cloneAxes(ax);
  }
}

/**
 * The dataset's thumbnail: from the fields in memory, or from the first plane of a staged array; a
 * multichannel field (axes with microscope channels) as a composite of its channels' colours.
 */
async function thumbnailOf(fields: Record<string, NewField>, axes?: Record<string, ImageAxes>): Promise<Thumbnail | null> {
  const composite = await compositeOf(fields, axes);
  if (composite) return composite;
  const inMemory: Record<string, StoredField> = {};
  for (const key of THUMBNAIL_KEYS) {
    const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!f) continue;
    if (isRemote(f)) {
      if (f.preview) inMemory[key] = { kind: f.kind, array: f.preview };
      continue;
    }
    if (!isStaged(f)) {
      inMemory[key] = f;
      continue;
    }
    const plane = await firstPlane(key, f.staged);
    if (plane) inMemory[key] = { kind: f.kind, array: plane };
  }
  return makeThumbnail(inMemory);
}

/** The composite thumbnail of the first thumbnail field whose axes name microscope channels, or null. */
async function compositeOf(fields: Record<string, NewField>, axes: Record<string, ImageAxes> | undefined): Promise<Thumbnail | null> {
  if (!axes) return null;
  for (const key of THUMBNAIL_KEYS) {
    const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
    const ax = Object.hasOwn(axes, key) ? axes[key] : undefined;
    if (!f || !wantsComposite(ax)) continue;
    const array = isStaged(f) ? f.staged : 'array' in f ? f.array : null;
    if (!array || array.shape.length !== ax.axes.length || array.shape.length < 3) return null;
    const region = compositeRegion(array.shape, ax);
    if (region.reduce((n, [lo, hi]) => n * (hi - lo), itemSize(array.dtype)) > MAX_THUMBNAIL_PLANE_BYTES) return null;
    const plane = isStaged(f) ? await f.staged.readStaged(region) : 'array' in f ? cutRegion(f.array, region) : null;
    return plane
      ? compositeThumbnail(
          plane,
          ax.axes.findIndex((a) => a.name === 'c'),
          ax,
        )
      : null;
  }
  return null;
}

/** Planes larger than this are not read for a thumbnail. */
const MAX_THUMBNAIL_PLANE_BYTES = 64 * 1024 * 1024;

/** Index 0 along the leading axes of a staged array (all 3 planes of a channel-first RGB `image`). */
async function firstPlane(key: string, w: ChunkedArrayWriter): Promise<NDArray | null> {
  const nd = w.shape.length;
  if (nd < 2) return null;
  const rgb = key === 'image' && nd === 3 && w.shape[0] === 3;
  const region = w.shape.map((d, i): [number, number] => (i >= nd - 2 || rgb ? [0, d] : [0, Math.min(1, d)]));
  if (region.reduce((n, [a, b]) => n * (b - a), itemSize(w.dtype)) > MAX_THUMBNAIL_PLANE_BYTES) return null;
  return w.readStaged(region);
}

/** After the write transaction (committed or not): staged arrays stop being protected, or are aborted. */
export async function settlePrepared(prepared: PreparedDatasets, committed: boolean): Promise<void> {
  if (committed) for (const s of prepared.sealed) s.settle();
  else await Promise.all(prepared.sealed.map((s) => s.abort().catch(() => {}))); // else GC collects them
}

/**
 * Write prepared datasets (metadata, blob references, chunked arrays) inside `tx` (see DATASET_STORES);
 * with `cache`, their chunks are kept in it once `tx` commits.
 */
export async function writeDatasetsIn(tx: WriteTx, prepared: PreparedDatasets, cache?: ChunkCache): Promise<void> {
  const [, arrayIds] = await Promise.all([applyRefDeltas(tx, prepared.deltas, prepared.sources), commitArraysIn(tx, prepared.arrays, cache)]);
  const writes: Promise<unknown>[] = [];
  for (const meta of prepared.metas) {
    for (const fm of Object.values(meta.keys)) {
      if (fm.digest) fm.array = arrayIds.get(fm.digest)!;
      for (const lv of fm.levels ?? []) lv.array = arrayIds.get(lv.digest)!;
    }
    track(writes, tx.objectStore('datasets').add(meta));
  }
  await Promise.all(writes);
}

/** The object stores a dataset write or delete touches. */
export const DATASET_STORES: StoreName[] = ['datasets', 'blobs', 'chunkedArrays', 'chunks'];

/** Prepare `items`, write them with `write` (inside one transaction), then settle staged arrays. */
export async function withPrepared<T>(items: NewDataset[], write: (prepared: PreparedDatasets) => Promise<T>): Promise<T> {
  const prepared = await prepareDatasets(items);
  let result: T;
  try {
    result = await write(prepared);
  } catch (err) {
    await settlePrepared(prepared, false);
    throw err;
  }
  await settlePrepared(prepared, true);
  return result;
}

export async function putDatasets(ctx: StoreContext, items: NewDataset[]): Promise<string[]> {
  if (items.length === 0) return [];
  return withPrepared(items, async (prepared) => {
    await writeTx(ctx, 'putDatasets', DATASET_STORES, (tx) => writeDatasetsIn(tx, prepared, ctx.chunkCache));
    return prepared.metas.map((m) => m.id);
  });
}

export async function getDatasetFields(
  ctx: StoreContext,
  id: string,
  keys?: string[],
): Promise<{ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null> {
  return getDatasetFieldsIn(ctx, readTx(ctx, DATASET_READ_STORES), id, keys);
}

const DATASET_READ_STORES: StoreName[] = ['datasets', 'blobs', 'chunkedArrays', 'chunks'];

async function getDatasetFieldsIn(
  ctx: StoreContext,
  tx: ReadTx,
  id: string,
  keys?: string[],
): Promise<{ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null> {
  const meta = await tx.objectStore('datasets').get(id);
  if (!meta) return null;
  const wanted = [...new Set(keys ?? Object.keys(meta.keys))];
  const fieldOf = (key: string) => (Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined);
  // One read per distinct blob or array among the requested keys; all issued at once inside the transaction.
  const reads = new Map<string, Promise<ArrayBuffer | NDArray | null>>();
  const pending: Promise<unknown>[] = [];
  for (const key of wanted) {
    const fm = fieldOf(key);
    if (!fm) continue;
    const at = fieldAt(fm);
    if (reads.has(at)) continue;
    // A remote field is fetched outside IndexedDB (the transaction is not used for it).
    const read = fm.remote ? readRemoteField(fm, fieldLabel(meta, key)) : fm.array ? readArrayIn(ctx, tx, meta, key, fm) : readBlobIn(ctx, tx, fm.blob!);
    reads.set(at, track<ArrayBuffer | NDArray | null>(pending, read));
  }
  await Promise.all(pending);
  const used = new Set<string>();
  const fields: Record<string, StoredField | null> = {};
  for (const key of wanted) {
    const fm = fieldOf(key);
    if (!fm) {
      fields[key] = null;
      continue;
    }
    const at = fieldAt(fm);
    const got = await reads.get(at)!;
    if (!got) {
      throw new Error(`Dataset ${datasetLabel(meta)}: the bytes of field '${key}' (blob ${fm.blob}) are missing from the store.`);
    }
    // Two keys with identical bytes share a blob or an array: give each its own buffer.
    const again = used.has(at);
    used.add(at);
    if (got instanceof ArrayBuffer) fields[key] = { kind: fm.kind, array: fromBytes(fm.dtype, fm.shape, again ? got.slice(0) : got) };
    else fields[key] = { kind: fm.kind, array: again ? fromBytes(got.dtype, got.shape, bytesOf(got).slice().buffer) : got };
  }
  return { meta, fields };
}

/** What identifies a field's bytes (fields sharing them are read once). */
function fieldAt(fm: FieldMeta): string {
  return fm.remote ? `remote:${fm.remote.url}\u0000${fm.remote.path}` : (fm.array ?? fm.blob!);
}

function fieldLabel(meta: DatasetMeta, key: string): string {
  return `Dataset ${datasetLabel(meta)}, field '${key}'`;
}

/** A chunked field read whole inside `tx` (its commit record checked, so a lost array is an error, not zeros). */
async function readArrayIn(ctx: StoreContext, tx: ReadTx, meta: DatasetMeta, key: string, fm: FieldMeta): Promise<NDArray> {
  const [rec, array] = await Promise.all([tx.objectStore('chunkedArrays').get(fm.array!), readFieldArray(ctx, fm, undefined, tx)]);
  if (!rec || rec.state !== 'committed') {
    throw new Error(`Dataset ${datasetLabel(meta)}: the chunked array of field '${key}' (${fm.array}) is missing from the store.`);
  }
  return array;
}

/** One array field of a stored dataset, opened for region reads (chunked or blob alike). */
export interface DatasetArrayReader {
  datasetId: string;
  key: string;
  kind: FieldKind;
  dtype: NDArray['dtype'];
  shape: number[];
  /** The chunk shape (a blob field is one chunk: its shape). */
  chunkShape: number[];
  /** The field's pyramid levels below it (level 1 first; see pyramids.ts), empty until built. */
  levels: { shape: number[]; chunkShape: number[] }[];
  /** What the axes mean: as stored, else the defaults for the shape (src/core/fieldAxes.ts); null for non-array fields. */
  axes: ImageAxes | null;
  /**
   * The whole field, or `region` of it (per axis [start, stop) or null); only the chunks it touches are
   * read. `level` (default 0, the field itself) reads that pyramid level instead.
   */
  read(region?: Region, level?: number): Promise<NDArray>;
}

/** Open field `key` of dataset `id`: null when the dataset does not exist; throws when it lacks the key. */
export async function openDatasetArray(ctx: StoreContext, id: string, key: string): Promise<DatasetArrayReader | null> {
  const meta = await getDatasetMeta(ctx, id);
  if (!meta) return null;
  const fm = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  if (!fm)
    throw new Error(
      `Dataset ${datasetLabel(meta)} has no field '${key}' (it has ${
        Object.keys(meta.keys)
          .map((k) => `'${k}'`)
          .join(', ') || 'none'
      }).`,
    );
  const levels = fm.remote ? remoteLevels(fm) : (fm.levels ?? []).map((l) => ({ shape: [...l.shape], chunkShape: [...l.chunkShape] }));
  const base = {
    datasetId: id,
    key,
    kind: fm.kind,
    dtype: fm.dtype,
    shape: [...fm.shape],
    chunkShape: [...(fm.chunkShape ?? fm.shape)],
    levels,
    axes: fieldAxes(key, fm),
  };
  if (fm.remote) return { ...base, read: (region, level = 0) => readRemoteField(fm, fieldLabel(meta, key), region, level) };
  if (fm.array) return { ...base, read: (region, level = 0) => readFieldArray(ctx, levelField(fm, key, level), region) };
  return {
    ...base,
    async read(region, level = 0) {
      if (level !== 0) levelField(fm, key, level); // throws: a blob field has no pyramid
      const got = await getDatasetFields(ctx, id, [key]);
      const f = got?.fields[key];
      if (!f) throw new Error(`Dataset ${datasetLabel(meta)} was deleted while field '${key}' was being read.`);
      return regionOfArray(f.array, region);
    },
  };
}

const decoder = new TextDecoder();

export async function getDataset(ctx: StoreContext, id: string, keys?: string[]): Promise<DatasetRecord | null> {
  const got = await getDatasetFields(ctx, id, keys);
  return got ? recordOf(id, got.fields, got.meta) : null;
}

/** The API's view of stored fields: strings decoded, arrays as they are. */
function recordOf(id: string, stored: Record<string, StoredField | null>, meta: DatasetMeta): DatasetRecord {
  const fields: DatasetRecord['fields'] = {};
  for (const [key, f] of Object.entries(stored)) {
    fields[key] = f === null ? null : f.kind === 'string' ? decoder.decode(f.array.data as Uint8Array) : f.array;
  }
  return { id, meta, fields };
}

/**
 * Several datasets (`keys` of each, or all) read in one transaction: their reads are all issued at
 * once instead of one transaction after another. Null for an id that does not exist.
 */
export async function getDatasets(ctx: StoreContext, ids: readonly string[], keys?: string[]): Promise<(DatasetRecord | null)[]> {
  const got = await getManyDatasetFields(ctx, ids, keys);
  return got.map((g, i) => (g ? recordOf(ids[i]!, g.fields, g.meta) : null));
}

/** As getDatasetFields for several datasets, in one transaction (null for an id that does not exist). */
export function getManyDatasetFields(
  ctx: StoreContext,
  ids: readonly string[],
  keys?: string[],
): Promise<({ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null)[]> {
  const tx = readTx(ctx, DATASET_READ_STORES);
  return Promise.all(ids.map((id) => getDatasetFieldsIn(ctx, tx, id, keys)));
}

export async function getDatasetMeta(ctx: StoreContext, id: string): Promise<DatasetMeta | null> {
  return (await ctx.db().get('datasets', id)) ?? null;
}

/** Oldest first (items of one batch are 1 ms apart, so they keep their order). */
export async function listDatasets(ctx: StoreContext): Promise<DatasetMeta[]> {
  return ctx.db().getAllFromIndex('datasets', 'created');
}

/** The ids that do not exist, in input order, without duplicates. */
export async function missingDatasets(ctx: StoreContext, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const store = readTx(ctx, ['datasets']).objectStore('datasets');
  const found = await Promise.all(unique.map((id) => store.getKey(id)));
  return unique.filter((_, i) => found[i] === undefined);
}

/**
 * Delete datasets inside `tx` (over DATASET_STORES and 'stacks'): their blob and array references are
 * released, and they are taken out of every stack that lists them (a stack left empty is deleted).
 * An unknown id throws "Dataset '<id>' not found." unless `ignoreMissing`. Returns the ids deleted
 * and the ids of the stacks deleted for being empty.
 */
export async function deleteDatasetsIn(
  tx: WriteTx,
  ids: readonly string[],
  opts: { ignoreMissing?: boolean } = {},
): Promise<{ deleted: string[]; emptiedStacks: string[] }> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { deleted: [], emptiedStacks: [] };
  const store = tx.objectStore('datasets');
  const stacks = tx.objectStore('stacks');
  const reads: Promise<unknown>[] = [];
  const metaReads = unique.map((id) => track(reads, store.get(id)));
  const stackKeyReads = unique.map((id) => track(reads, stacks.index('datasetIds').getAllKeys(id)));
  const metas = await Promise.all(metaReads);
  const stackKeys = await Promise.all(stackKeyReads);
  const deltas = new Map<string, number>();
  const released = new Map<string, number>();
  const deleted: string[] = [];
  unique.forEach((id, i) => {
    const meta = metas[i];
    if (!meta) {
      if (opts.ignoreMissing) return;
      throw new Error(`Dataset '${id}' not found.`);
    }
    deleted.push(id);
    for (const fm of Object.values(meta.keys)) {
      if (fm.array) addRef(released, fm.array, 1);
      else if (fm.blob) addRef(deltas, fm.blob, -1); // a remote field holds nothing here
      for (const lv of fm.levels ?? []) addRef(released, lv.array, 1);
    }
  });
  const gone = new Set(deleted);
  const touched = [...new Set(stackKeys.flat())];
  const stackRecs = await Promise.all(touched.map((key) => track(reads, stacks.get(key))));
  await Promise.all([applyRefDeltas(tx, deltas, new Map()), releaseArraysIn(tx, released)]);
  const writes: Promise<unknown>[] = [];
  const emptiedStacks: string[] = [];
  for (const rec of stackRecs) {
    if (!rec) continue;
    const left = rec.datasetIds.filter((d) => !gone.has(d));
    if (left.length === rec.datasetIds.length) continue;
    if (left.length === 0) {
      emptiedStacks.push(rec.id);
      track(writes, stacks.delete(rec.id));
    } else {
      track(writes, stacks.put({ ...rec, datasetIds: left }));
    }
  }
  for (const id of deleted) track(writes, store.delete(id));
  await Promise.all(writes);
  return { deleted, emptiedStacks };
}

/**
 * Delete all of `ids` in one transaction, taking them out of every stack (stacks left empty are
 * deleted); an unknown id fails the whole call and deletes nothing.
 */
export async function deleteDatasets(ctx: StoreContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await writeTx(ctx, 'deleteDatasets', [...DATASET_STORES, 'stacks'], (tx) => deleteDatasetsIn(tx, ids));
}

/** Rename, replace the extras (the whole `extra` object is replaced, not merged) and/or the axes metadata of named fields. */
export async function updateDataset(ctx: StoreContext, id: string, patch: DatasetPatch): Promise<DatasetMeta> {
  const name = patch.name === undefined ? undefined : checkName(patch.name);
  const extra = patch.extra === undefined ? undefined : structuredClone(checkExtra(patch.extra));
  return writeTx(ctx, 'updateDataset', ['datasets'], async (tx) => {
    const store = tx.objectStore('datasets');
    const meta = await store.get(id);
    if (!meta) throw new Error(`Dataset '${id}' not found.`);
    if (name !== undefined) meta.name = name;
    if (extra !== undefined) meta.extra = extra;
    applyAxes(meta.keys, patch.axes, meta.name);
    await store.put(meta);
    return structuredClone(meta);
  });
}
