// The content-addressed blob store: reference counting inside a caller's transaction, and reads.
import { readTx, track, type ReadTx, type StoreContext, type WriteTx } from './db';

/** Add `delta` to the pending reference change of `key`. */
export function addRef(deltas: Map<string, number>, key: string, delta: number): void {
  deltas.set(key, (deltas.get(key) ?? 0) + delta);
}

/**
 * Apply reference-count changes inside `tx`: a blob gaining its first reference is written from
 * `sources` (which must then hold its bytes), a blob whose count reaches 0 is deleted, and keys with
 * a net change of 0 are not touched at all (no rewrite of their bytes).
 */
export async function applyRefDeltas(tx: WriteTx, deltas: ReadonlyMap<string, number>, sources: ReadonlyMap<string, ArrayBuffer>): Promise<void> {
  const store = tx.objectStore('blobs');
  const keys = [...deltas.keys()].filter((k) => deltas.get(k) !== 0);
  if (keys.length === 0) return;
  const reads: Promise<unknown>[] = [];
  const existing = await Promise.all(keys.map((k) => track(reads, store.get(k))));
  // Decide everything first, so a missing source throws before any write is made.
  const plan = keys.map((key, i) => {
    const cur = existing[i];
    const refs = (cur?.refs ?? 0) + deltas.get(key)!;
    if (!cur && refs > 0 && !sources.has(key)) {
      throw new Error(`Blob '${key}' is not in the store and no bytes were given for it.`);
    }
    return { key, cur, refs };
  });
  const writes: Promise<unknown>[] = [];
  for (const { key, cur, refs } of plan) {
    if (refs <= 0) {
      if (cur) track(writes, store.delete(key));
    } else if (cur) {
      track(writes, store.put({ ...cur, refs }));
    } else {
      const data = sources.get(key)!;
      track(writes, store.put({ key, data, byteLength: data.byteLength, refs }));
    }
  }
  await Promise.all(writes);
}

/** The bytes of one blob inside `tx`, or null. Reports the read to the `onBlobRead` hook. */
export async function readBlobIn(ctx: StoreContext, tx: ReadTx, key: string): Promise<ArrayBuffer | null> {
  ctx.hooks.onBlobRead?.(key);
  const rec = await tx.objectStore('blobs').get(key);
  return rec ? rec.data : null;
}

export async function readBlob(ctx: StoreContext, key: string): Promise<Uint8Array | null> {
  const tx = readTx(ctx, ['blobs']);
  const data = await readBlobIn(ctx, tx, key);
  return data ? new Uint8Array(data) : null;
}

/** The byteLength of each of `keys` that exists, from the byteLength index (no blob data is read). */
export async function blobSizes(ctx: StoreContext, keys: readonly string[]): Promise<Map<string, number>> {
  const want = new Set(keys);
  const out = new Map<string, number>();
  if (want.size === 0) return out;
  let cursor = await ctx.db().transaction('blobs').store.index('byteLength').openKeyCursor();
  while (cursor && out.size < want.size) {
    const key = cursor.primaryKey;
    if (want.has(key)) out.set(key, cursor.key);
    cursor = await cursor.continue();
  }
  return out;
}

/** Total bytes held in the blob store, summed from the byteLength index (no blob data is read). */
export async function blobBytes(ctx: StoreContext): Promise<number> {
  let total = 0;
  let cursor = await ctx.db().transaction('blobs').store.index('byteLength').openKeyCursor();
  while (cursor) {
    total += cursor.key;
    cursor = await cursor.continue();
  }
  return total;
}
