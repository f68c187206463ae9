// Installed algorithms: records in `algorithms`, every bundle file's bytes in `blobs`.
import { sha256Hex } from '../core/hash';
import type { AlgorithmRecord } from '../core/records';
import { addRef, applyRefDeltas } from './blobs';
import { track, writeTx, type StoreContext } from './db';

/** Compare two [major, minor, patch] keys numerically. */
export function compareVersionKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Name (case-insensitive), then version ascending (numerically), then exact name and id for a stable order. */
export function compareAlgorithms(a: AlgorithmRecord, b: AlgorithmRecord): number {
  return (
    cmpStr(a.nameLower, b.nameLower) ||
    compareVersionKeys(a.versionKey, b.versionKey) ||
    cmpStr(a.version, b.version) ||
    cmpStr(a.name, b.name) ||
    cmpStr(a.id, b.id)
  );
}

/** Every blob key the record points at, once per referencing file. */
function referencedKeys(rec: Pick<AlgorithmRecord, 'module' | 'assets'>): string[] {
  return [...Object.values(rec.module ?? {}), ...Object.values(rec.assets ?? {})];
}

/**
 * Validate the record against `files` and copy the bytes, before any transaction: every referenced
 * key must be given, every given key referenced, and each key must start with the SHA-256 of its bytes.
 */
async function prepare(record: AlgorithmRecord, files: Map<string, Uint8Array>) {
  if (typeof record.id !== 'string' || record.id === '') throw new Error('An algorithm record needs a non-empty id.');
  if (typeof record.name !== 'string' || record.name === '') throw new Error(`Algorithm '${record.id}' needs a non-empty name.`);
  if (typeof record.version !== 'string') throw new Error(`Algorithm '${record.id}' needs a version string.`);
  if (!Array.isArray(record.versionKey) || record.versionKey.length !== 3 || !record.versionKey.every(Number.isFinite)) {
    throw new Error(`Algorithm '${record.id}': versionKey must be [major, minor, patch] numbers.`);
  }
  const refs = referencedKeys(record);
  const referenced = new Set(refs);
  for (const key of referenced) {
    if (!files.has(key)) throw new Error(`Algorithm '${record.id}': no bytes were given for blob '${key}'.`);
  }
  for (const key of files.keys()) {
    if (!referenced.has(key)) throw new Error(`Algorithm '${record.id}': blob '${key}' is given but no file refers to it.`);
  }
  const sources = new Map<string, ArrayBuffer>();
  await Promise.all(
    [...files].map(async ([key, bytes]) => {
      // A real copy: Node's Buffer.slice() is a view into a shared pool.
      const copy = new Uint8Array(bytes);
      const hash = await sha256Hex(copy);
      if (key.split('~')[0] !== hash) {
        throw new Error(`Algorithm '${record.id}': blob key '${key}' does not match the SHA-256 of its bytes (${hash}).`);
      }
      sources.set(key, copy.buffer);
    }),
  );
  const deltas = new Map<string, number>();
  for (const key of refs) addRef(deltas, key, 1);
  const stored: AlgorithmRecord = { ...record, nameLower: record.name.toLowerCase() };
  return { stored, sources, deltas };
}

/**
 * Install in ONE transaction: every existing algorithm with the same name (case-insensitive) and
 * version — and one with the same id, if any — is removed (its blob references released), the new
 * blobs are added or their counts raised, and the record is written. Returns the removed ids.
 */
export async function putAlgorithm(ctx: StoreContext, record: AlgorithmRecord, files: Map<string, Uint8Array>): Promise<{ replaced: string[] }> {
  const { stored, sources, deltas } = await prepare(record, files);
  return writeTx(ctx, 'putAlgorithm', ['algorithms', 'blobs'], async (tx) => {
    const store = tx.objectStore('algorithms');
    const [sameName, sameId] = await Promise.all([store.index('nameLower').getAll(stored.nameLower), store.get(stored.id)]);
    const old = sameName.filter((a) => a.version === stored.version);
    if (sameId && !old.some((a) => a.id === sameId.id)) old.push(sameId);
    for (const a of old) for (const key of referencedKeys(a)) addRef(deltas, key, -1);
    await applyRefDeltas(tx, deltas, sources);
    const writes: Promise<unknown>[] = [];
    for (const a of old) if (a.id !== stored.id) track(writes, store.delete(a.id));
    track(writes, store.put(stored));
    await Promise.all(writes);
    return { replaced: old.map((a) => a.id) };
  });
}

export async function getAlgorithm(ctx: StoreContext, id: string): Promise<AlgorithmRecord | null> {
  return (await ctx.db().get('algorithms', id)) ?? null;
}

/** Sorted by name, then version (numerically). */
export async function listAlgorithms(ctx: StoreContext): Promise<AlgorithmRecord[]> {
  return (await ctx.db().getAll('algorithms')).sort(compareAlgorithms);
}

/** Case-insensitive name match, highest version first. */
export async function findAlgorithms(ctx: StoreContext, name: string): Promise<AlgorithmRecord[]> {
  const found = await ctx.db().getAllFromIndex('algorithms', 'nameLower', name.toLowerCase());
  return found.sort((a, b) => compareAlgorithms(b, a));
}

/** Remove one algorithm and release its blobs (those still used elsewhere survive). */
export async function removeAlgorithm(ctx: StoreContext, id: string): Promise<void> {
  await writeTx(ctx, 'removeAlgorithm', ['algorithms', 'blobs'], async (tx) => {
    const store = tx.objectStore('algorithms');
    const rec = await store.get(id);
    if (!rec) throw new Error(`Algorithm '${id}' not found.`);
    const deltas = new Map<string, number>();
    for (const key of referencedKeys(rec)) addRef(deltas, key, -1);
    await applyRefDeltas(tx, deltas, new Map());
    await store.delete(id);
  });
}
