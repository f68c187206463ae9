// Datasets: metadata records in `datasets`, the bytes of every field in `blobs` (deduplicated by
// SHA-256), so reading one key never reads another.
import { datasetLabel } from '../core/datasetLabel';
import { sha256Hex } from '../core/hash';
import { bytesOf, fromBytes, ndarrayProblem, type NDArray } from '../core/ndarray';
import type { DatasetMeta, DatasetRecord, FieldKind, FieldMeta, StoredField } from '../core/records';
import { makeThumbnail } from '../core/thumbnail';
import { addRef, applyRefDeltas, readBlobIn } from './blobs';
import { readTx, track, writeTx, type StoreContext, type WriteTx } from './db';

export interface NewDataset {
  fields: Record<string, StoredField>;
  name?: string;
  source: string;
  schema: string | null;
  extra?: Record<string, unknown>;
}

export interface DatasetPatch {
  name?: string;
  extra?: Record<string, unknown>;
}

const FIELD_KINDS: readonly FieldKind[] = ['array', 'arrayList', 'numbers', 'string'];

/** A field key is a non-empty string without '/'. Returns a message naming the key, or null. */
export function fieldKeyProblem(key: string): string | null {
  if (key.length === 0) return `Invalid field key '': a key must be a non-empty string.`;
  if (key.includes('/')) return `Invalid field key '${key}': a key must not contain '/'.`;
  return null;
}

function fieldProblem(key: string, f: unknown): string | null {
  if (typeof f !== 'object' || f === null) return `Field '${key}': expected {kind, array}.`;
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
}

/** Validate, copy, hash and make thumbnails of everything before the write transaction opens. */
export async function prepareDatasets(items: NewDataset[]): Promise<PreparedDatasets> {
  const sources = new Map<string, ArrayBuffer>();
  const deltas = new Map<string, number>();
  // Items of one batch get increasing times (1 ms apart) so "oldest first" keeps their order.
  const t0 = Date.now();
  const metas: DatasetMeta[] = [];
  for (const item of items) {
    const fields = item?.fields;
    if (typeof fields !== 'object' || fields === null) throw new Error('A dataset needs a fields object.');
    for (const [key, f] of Object.entries(fields)) {
      const p = fieldKeyProblem(key) ?? fieldProblem(key, f);
      if (p) throw new Error(p);
    }
    const id = crypto.randomUUID();
    const name = item.name === undefined ? `dataset-${id.slice(0, 8)}` : checkName(item.name);
    const keys: Record<string, FieldMeta> = {};
    let byteLength = 0;
    await Promise.all(
      Object.entries(fields).map(async ([key, f]) => {
        // Exactly the view's bytes, in a buffer of their own (no offset, no neighbouring bytes).
        const bytes = bytesOf(f.array).slice();
        const blob = await sha256Hex(bytes);
        if (!sources.has(blob)) sources.set(blob, bytes.buffer);
        keys[key] = { kind: f.kind, dtype: f.array.dtype, shape: [...f.array.shape], blob, byteLength: bytes.byteLength };
      }),
    );
    // Keep the caller's key order (the hashes above finish in any order).
    const ordered: Record<string, FieldMeta> = {};
    for (const key of Object.keys(fields)) {
      const fm = keys[key]!;
      ordered[key] = fm;
      byteLength += fm.byteLength;
      addRef(deltas, fm.blob, 1);
    }
    metas.push({
      id,
      name,
      created: new Date(t0 + metas.length).toISOString(),
      source: item.source,
      schema: item.schema ?? null,
      keys: ordered,
      byteLength,
      extra: checkExtra(item.extra),
      thumbnail: makeThumbnail(fields),
    });
  }
  return { metas, sources, deltas };
}

/** Write prepared datasets (metadata and blob references) inside `tx` (over 'datasets' and 'blobs'). */
export async function writeDatasetsIn(tx: WriteTx, prepared: PreparedDatasets): Promise<void> {
  await applyRefDeltas(tx, prepared.deltas, prepared.sources);
  const writes: Promise<unknown>[] = [];
  for (const meta of prepared.metas) track(writes, tx.objectStore('datasets').add(meta));
  await Promise.all(writes);
}

export async function putDatasets(ctx: StoreContext, items: NewDataset[]): Promise<string[]> {
  if (items.length === 0) return [];
  const prepared = await prepareDatasets(items);
  await writeTx(ctx, 'putDatasets', ['datasets', 'blobs'], (tx) => writeDatasetsIn(tx, prepared));
  return prepared.metas.map((m) => m.id);
}

export async function getDatasetFields(
  ctx: StoreContext,
  id: string,
  keys?: string[],
): Promise<{ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null> {
  const tx = readTx(ctx, ['datasets', 'blobs']);
  const meta = await tx.objectStore('datasets').get(id);
  if (!meta) return null;
  const wanted = [...new Set(keys ?? Object.keys(meta.keys))];
  // One read per distinct blob among the requested keys; all issued at once inside the transaction.
  const reads = new Map<string, Promise<ArrayBuffer | null>>();
  const pending: Promise<unknown>[] = [];
  for (const key of wanted) {
    const fm = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
    if (fm && !reads.has(fm.blob)) reads.set(fm.blob, track(pending, readBlobIn(ctx, tx, fm.blob)));
  }
  await Promise.all(pending);
  const used = new Set<string>();
  const fields: Record<string, StoredField | null> = {};
  for (const key of wanted) {
    const fm = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
    if (!fm) {
      fields[key] = null;
      continue;
    }
    let data = await reads.get(fm.blob)!;
    if (!data) {
      throw new Error(`Dataset ${datasetLabel(meta)}: the bytes of field '${key}' (blob ${fm.blob}) are missing from the store.`);
    }
    // Two keys with identical bytes share a blob: give each its own buffer.
    if (used.has(fm.blob)) data = data.slice(0);
    used.add(fm.blob);
    fields[key] = { kind: fm.kind, array: fromBytes(fm.dtype, fm.shape, data) };
  }
  return { meta, fields };
}

const decoder = new TextDecoder();

export async function getDataset(ctx: StoreContext, id: string, keys?: string[]): Promise<DatasetRecord | null> {
  const got = await getDatasetFields(ctx, id, keys);
  if (!got) return null;
  const fields: DatasetRecord['fields'] = {};
  for (const [key, f] of Object.entries(got.fields)) {
    fields[key] = f === null ? null : f.kind === 'string' ? decoder.decode(f.array.data as Uint8Array) : f.array;
  }
  return { id, meta: got.meta, fields };
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
 * Delete datasets inside `tx` (over 'datasets', 'blobs' and 'stacks'): their blob references are
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
  const deleted: string[] = [];
  unique.forEach((id, i) => {
    const meta = metas[i];
    if (!meta) {
      if (opts.ignoreMissing) return;
      throw new Error(`Dataset '${id}' not found.`);
    }
    deleted.push(id);
    for (const fm of Object.values(meta.keys)) addRef(deltas, fm.blob, -1);
  });
  const gone = new Set(deleted);
  const touched = [...new Set(stackKeys.flat())];
  const stackRecs = await Promise.all(touched.map((key) => track(reads, stacks.get(key))));
  await applyRefDeltas(tx, deltas, new Map());
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
  await writeTx(ctx, 'deleteDatasets', ['datasets', 'blobs', 'stacks'], (tx) => deleteDatasetsIn(tx, ids));
}

/** Rename and/or replace the extras (the whole `extra` object is replaced, not merged). */
export async function updateDataset(ctx: StoreContext, id: string, patch: DatasetPatch): Promise<DatasetMeta> {
  const name = patch.name === undefined ? undefined : checkName(patch.name);
  const extra = patch.extra === undefined ? undefined : structuredClone(checkExtra(patch.extra));
  return writeTx(ctx, 'updateDataset', ['datasets'], async (tx) => {
    const store = tx.objectStore('datasets');
    const meta = await store.get(id);
    if (!meta) throw new Error(`Dataset '${id}' not found.`);
    if (name !== undefined) meta.name = name;
    if (extra !== undefined) meta.extra = extra;
    await store.put(meta);
    return structuredClone(meta);
  });
}
