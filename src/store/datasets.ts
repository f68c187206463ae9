// Datasets: metadata records in `datasets`, the bytes of every field in `blobs` (deduplicated by
// SHA-256), so reading one key never reads another.
import { sha256Hex } from '../core/hash';
import { bytesOf, fromBytes, ndarrayProblem, type NDArray } from '../core/ndarray';
import type { DatasetMeta, DatasetRecord, FieldKind, FieldMeta, StoredField } from '../core/records';
import { addRef, applyRefDeltas, readBlobIn } from './blobs';
import { readTx, track, writeTx, type StoreContext } from './db';

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

interface Prepared {
  metas: DatasetMeta[];
  /** Blob key → exact bytes, for blobs that may be new. */
  sources: Map<string, ArrayBuffer>;
  deltas: Map<string, number>;
}

/** Validate, copy and hash everything before the write transaction opens. */
async function prepare(items: NewDataset[]): Promise<Prepared> {
  const sources = new Map<string, ArrayBuffer>();
  const deltas = new Map<string, number>();
  const created = new Date().toISOString();
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
      created,
      source: item.source,
      schema: item.schema ?? null,
      keys: ordered,
      byteLength,
      extra: checkExtra(item.extra),
    });
  }
  return { metas, sources, deltas };
}

export async function putDatasets(ctx: StoreContext, items: NewDataset[]): Promise<string[]> {
  if (items.length === 0) return [];
  const { metas, sources, deltas } = await prepare(items);
  await writeTx(ctx, 'putDatasets', ['datasets', 'blobs'], async (tx) => {
    await applyRefDeltas(tx, deltas, sources);
    const writes: Promise<unknown>[] = [];
    for (const meta of metas) track(writes, tx.objectStore('datasets').add(meta));
    await Promise.all(writes);
  });
  return metas.map((m) => m.id);
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
      throw new Error(`Dataset '${id}': the bytes of field '${key}' (blob ${fm.blob}) are missing from the store.`);
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

/** Oldest first (datasets created in one batch share a time and then follow id order). */
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

/** Delete all of `ids` in one transaction; an unknown id fails the whole call and deletes nothing. */
export async function deleteDatasets(ctx: StoreContext, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  await writeTx(ctx, 'deleteDatasets', ['datasets', 'blobs'], async (tx) => {
    const store = tx.objectStore('datasets');
    const reads: Promise<unknown>[] = [];
    const metas = await Promise.all(unique.map((id) => track(reads, store.get(id))));
    const deltas = new Map<string, number>();
    unique.forEach((id, i) => {
      const meta = metas[i];
      if (!meta) throw new Error(`Dataset '${id}' not found.`);
      for (const fm of Object.values(meta.keys)) addRef(deltas, fm.blob, -1);
    });
    await applyRefDeltas(tx, deltas, new Map());
    const writes: Promise<unknown>[] = [];
    for (const id of unique) track(writes, store.delete(id));
    await Promise.all(writes);
  });
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
