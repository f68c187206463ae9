// A zarrita store over IndexedDB: the Zarr v3 keys of ONE chunked array (`/zarr.json`, `/c/0/1`, …)
// as records `${arrayId}/${key}` of the `chunks` object store. Each array is the root of its own Zarr
// hierarchy, so its keys are exactly the files a Zarr v3 folder of that array would hold.
import type { AbsolutePath, AsyncMutable } from 'zarrita';
import { sha256Hex } from '../core/hash';
import { track, writeTx, type ReadTx, type StoreContext } from './db';

/** A chunk write waiting for its transaction. */
interface QueuedWrite {
  key: string;
  data: ArrayBuffer;
  resolve(): void;
  reject(err: unknown): void;
}

/** At most this many bytes of chunks go in one staged write transaction (a few chunks: memory stays bounded). */
const GROUP_BYTES = 32 * 1024 * 1024;

/** A staging record's `touched` is refreshed when older than this (GC spares staging touched recently). */
const TOUCH_EVERY_MS = 10_000;

/** The record key of zarr key `key` (`/c/0/1`) of array `arrayId`. */
export function chunkRecordKey(arrayId: string, key: string): string {
  return `${arrayId}/${key.startsWith('/') ? key.slice(1) : key}`;
}

/**
 * The key range holding every key of `arrayId`: `${id}/` up to, not including, `${id}0` ('0' is the
 * character after '/'). Ids are fixed-length UUIDs, so no other array's keys fall inside.
 */
export function chunkKeyRange(arrayId: string): IDBKeyRange {
  return IDBKeyRange.bound(`${arrayId}/`, `${arrayId}0`, false, true);
}

/** Whether zarr key `key` (`/c/0/1`) is a chunk (not `zarr.json`). */
function isChunkKey(key: string): boolean {
  const bare = key.startsWith('/') ? key.slice(1) : key;
  return bare === 'c' || bare.startsWith('c/');
}

/** Committed arrays' `base` (null: none), by id: immutable once committed, and ids are never reused. */
const bases = new Map<string, string | null>();

/** The array `id` was edited from (ChunkedArrayRecord.base), or null; one record read per id and page. */
async function baseOf(ctx: StoreContext, id: string): Promise<string | null> {
  const known = bases.get(id);
  if (known !== undefined) return known;
  const rec = await ctx.db().get('chunkedArrays', id);
  if (!rec || rec.state !== 'committed') return null;
  bases.set(id, rec.base ?? null);
  return rec.base ?? null;
}

/**
 * The ArrayBuffer to store for `value` without copying it when it already owns its whole buffer (what
 * zarrita's `bytes` codec hands over: a fresh chunk buffer); a view into a larger or shared buffer is
 * copied once, so that IndexedDB's structured clone does not clone the whole larger buffer.
 */
function ownBuffer(value: Uint8Array): ArrayBuffer {
  const { buffer } = value;
  if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) return buffer;
  return value.slice().buffer;
}

/**
 * zarrita's `AsyncMutable` over one array's records.
 * - `get` returns a Uint8Array over the ArrayBuffer IndexedDB's structured clone just produced for this
 *   read: nobody else holds that buffer, so it (and zarrita's typed-array view of an uncompressed
 *   chunk, which is a view of the same buffer) can be transferred to a worker as it is: no extra copy
 *   after the one copy out of storage, which IndexedDB always makes.
 * - `set` is only allowed on a writable store (a staging array): each key is one small readwrite
 *   transaction that first checks the array is still 'staging' (not committed, aborted or collected),
 *   so a write can never leave a chunk of an array that GC already removed.
 */
export class IdbChunkStore implements AsyncMutable {
  /** SHA-256 hex of every chunk this store wrote (by key, `c/0/1`): the array's digest is made from them. */
  readonly chunkHashes = new Map<string, string>();
  /** Bytes this store wrote, by key. */
  readonly writtenBytes = new Map<string, number>();
  /** The readonly transaction reads go through while it is alive (a new one is opened when it is not). */
  private tx: ReadTx | null;

  constructor(
    private readonly ctx: StoreContext,
    readonly arrayId: string,
    private readonly writable: boolean,
    tx?: ReadTx,
  ) {
    this.tx = tx ?? null;
  }

  /**
   * Reads share one readonly transaction for as long as it stays active (zarrita issues the chunk reads
   * of one selection back to back), so reading N chunks is not N transactions.
   */
  private request(recordKey: string) {
    if (this.tx) {
      try {
        return this.tx.objectStore('chunks').get(recordKey);
      } catch {
        // the transaction finished (TransactionInactiveError / InvalidStateError): open another
      }
    }
    this.tx = this.ctx.db().transaction(['chunks'], 'readonly');
    return this.tx.objectStore('chunks').get(recordKey);
  }

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    this.ctx.hooks.onChunkRead?.(this.arrayId, key.slice(1));
    const recordKey = chunkRecordKey(this.arrayId, key);
    if (this.writable) {
      // A staged array's chunks may still be rewritten: never cached.
      const rec = await this.request(recordKey);
      return rec ? new Uint8Array(rec.data) : undefined;
    }
    // An edited array (ChunkedArrayRecord.base) holds only the chunks its edit rewrote: the others are its base's.
    let id = this.arrayId;
    for (;;) {
      const got = await this.readCommitted(id, chunkRecordKey(id, key));
      if (got || !isChunkKey(key)) return got;
      const base = await baseOf(this.ctx, id);
      if (!base) return undefined;
      id = base;
    }
  }

  /** One record of a committed array, through the chunk cache. */
  private async readCommitted(id: string, recordKey: string): Promise<Uint8Array | undefined> {
    const cache = this.ctx.chunkCache;
    const hit = cache.get(recordKey);
    if (hit) return new Uint8Array(hit);
    const rec = await this.request(recordKey);
    if (!rec) return undefined;
    // The reader gets the buffer storage just made (it may transfer it); on a second read the cache keeps a copy.
    if (cache.admit(recordKey, rec.data.byteLength)) cache.put(id, recordKey, rec.data.slice(0));
    return new Uint8Array(rec.data);
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    if (!this.writable) throw new Error(`Chunked array '${this.arrayId}' is committed; its chunks cannot change.`);
    const data = ownBuffer(value);
    const bare = key.startsWith('/') ? key.slice(1) : key;
    if (isChunkKey(bare)) this.chunkHashes.set(bare, await sha256Hex(data));
    this.writtenBytes.set(bare, data.byteLength);
    await new Promise<void>((resolve, reject) => {
      this.queued.push({ key: chunkRecordKey(this.arrayId, key), data, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Chunk writes waiting for the next transaction. */
  private readonly queued: QueuedWrite[] = [];
  private draining: Promise<void> | null = null;

  /**
   * Group commit: one write transaction in flight per array; the chunks that arrive meanwhile (zarrita
   * writes a few at a time) go together in the next one, up to GROUP_BYTES. Each `set` resolves once
   * the transaction holding its chunk has committed, as if it had its own.
   */
  private async drain(): Promise<void> {
    while (this.queued.length) {
      let bytes = 0;
      let n = 0;
      while (n < this.queued.length && (n === 0 || bytes + this.queued[n]!.data.byteLength <= GROUP_BYTES)) bytes += this.queued[n++]!.data.byteLength;
      const group = this.queued.splice(0, n);
      try {
        await this.writeGroup(group);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.draining = null;
  }

  private writeGroup(group: readonly QueuedWrite[]): Promise<void> {
    const id = this.arrayId;
    return writeTx(
      this.ctx,
      'putChunk',
      ['chunkedArrays', 'chunks'],
      async (tx) => {
        const arrays = tx.objectStore('chunkedArrays');
        const rec = await arrays.get(id);
        if (!rec || rec.state !== 'staging') {
          throw new Error(`Chunked array '${id}' is not being written (it was committed, aborted or collected).`);
        }
        const requests: Promise<unknown>[] = [];
        for (const w of group) track(requests, tx.objectStore('chunks').put({ key: w.key, data: w.data }));
        const now = Date.now();
        if (now - rec.touched >= TOUCH_EVERY_MS) track(requests, arrays.put({ ...rec, touched: now }));
        await Promise.all(requests);
      },
      { durability: 'relaxed' },
    ); // staged chunks: the commit transaction (default durability) is what must last
  }
}
