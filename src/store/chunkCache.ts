// A bounded, least-recently-used cache of chunk bytes in memory, in front of the `chunks` object store.
// Committed chunked arrays are immutable and their ids are never reused, so a cached key can never be
// stale: no invalidation is needed beyond dropping an array's keys when it is deleted (to free memory
// early; a deleted array's keys would otherwise just age out). What it saves is IndexedDB's per-read
// cost (a cross-process round trip and a structured clone): data just written and read again (an import
// then a run over it, a run's outputs then the viewer) comes from memory, as a file just written comes
// from the operating system's page cache.
// - Filled by the commit of arrays encoded in memory (after their transaction completes: a write that
//   aborted leaves nothing here) and by reads of committed arrays, but a chunk read from storage is
//   admitted only on its SECOND read, and only when the first was recent: the keys read once are
//   remembered in a "ghost" list holding no more bytes' worth of keys than the cache itself (as ARC's
//   ghost lists). So a pass over a volume bigger than the cache (a threshold, a slider through every
//   slice), or two passes (a histogram, then a mask), neither pays a copy per chunk nor flushes what is
//   in use, while data read again and again within the cache's reach (a viewer going back, a run
//   repeated) comes from memory from its third read on. Staged arrays (being written block by block)
//   are never cached: their chunks may still change.
// - The cache owns the buffers it holds; `get` hands out a copy, which the caller owns (and may
//   transfer to a worker), so nothing a caller does can change a cached chunk.
// - Bounded by bytes (`maxBytes`, 0 disables it); a chunk larger than a quarter of the budget is not
//   cached, so one big read cannot flush everything else.

/** Default budget: room for a working set of a few hundred typical chunks without weighing on the tab. */
export const DEFAULT_CHUNK_CACHE_BYTES = 128 * 1024 * 1024;

export interface ChunkCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
  maxBytes: number;
}

export class ChunkCache {
  /** Record key (`<arrayId>/<zarr key>`) → bytes, least recently used first (Map keeps insertion order). */
  private readonly entries = new Map<string, ArrayBuffer>();
  /** Array id → its cached record keys (to drop them when the array is deleted). */
  private readonly byArray = new Map<string, Set<string>>();
  /** Record keys read once from storage → their bytes, oldest first (at most maxBytes' worth). */
  private readonly seen = new Map<string, number>();
  private seenBytes = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(readonly maxBytes: number = DEFAULT_CHUNK_CACHE_BYTES) {
    if (!(maxBytes >= 0)) throw new Error(`A chunk cache budget must be a number of bytes ≥ 0, got ${maxBytes}.`);
  }

  /** A copy of the cached bytes of `recordKey` (the caller owns it), or undefined. */
  get(recordKey: string): ArrayBuffer | undefined {
    const buf = this.entries.get(recordKey);
    if (!buf) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(recordKey); // most recently used goes last
    this.entries.set(recordKey, buf);
    return buf.slice(0);
  }

  /**
   * A chunk of `byteLength` bytes was just read from storage: true when it was read before, recently
   * enough that the cache could have held everything read since (cache it now: `put` a copy); false
   * otherwise (its key is remembered, the oldest remembered keys forgotten beyond maxBytes' worth).
   */
  admit(recordKey: string, byteLength: number): boolean {
    if (this.maxBytes === 0 || byteLength * 4 > this.maxBytes) return false;
    const seen = this.seen.get(recordKey);
    if (seen !== undefined) {
      this.seen.delete(recordKey);
      this.seenBytes -= seen;
      return true;
    }
    this.seen.set(recordKey, byteLength);
    this.seenBytes += byteLength;
    for (const [k, n] of this.seen) {
      if (this.seenBytes <= this.maxBytes) break;
      this.seen.delete(k);
      this.seenBytes -= n;
    }
    return false;
  }

  /**
   * Keep `buf` for `recordKey` of array `arrayId`. The cache takes the buffer as it is: the caller must
   * not change it afterwards (pass a copy when it keeps using its own).
   */
  put(arrayId: string, recordKey: string, buf: ArrayBuffer): void {
    if (this.maxBytes === 0 || buf.byteLength * 4 > this.maxBytes) return;
    const old = this.entries.get(recordKey);
    if (old) {
      this.bytes -= old.byteLength;
      this.entries.delete(recordKey);
    }
    this.entries.set(recordKey, buf);
    this.bytes += buf.byteLength;
    let keys = this.byArray.get(arrayId);
    if (!keys) this.byArray.set(arrayId, (keys = new Set()));
    keys.add(recordKey);
    this.evict();
  }

  /** Forget every key of `arrayId` (it was deleted or rewritten). */
  dropArray(arrayId: string): void {
    const keys = this.byArray.get(arrayId);
    if (!keys) return;
    for (const k of keys) this.forget(k);
    this.byArray.delete(arrayId);
  }

  /** Forget one key (a staged chunk that was written again). */
  dropKey(arrayId: string, recordKey: string): void {
    this.forget(recordKey);
    this.byArray.get(arrayId)?.delete(recordKey);
  }

  stats(): ChunkCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, entries: this.entries.size, maxBytes: this.maxBytes };
  }

  private forget(recordKey: string): void {
    const buf = this.entries.get(recordKey);
    if (!buf) return;
    this.bytes -= buf.byteLength;
    this.entries.delete(recordKey);
  }

  private evict(): void {
    for (const [k, buf] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= buf.byteLength;
      const id = k.slice(0, k.indexOf('/'));
      const keys = this.byArray.get(id);
      keys?.delete(k);
      if (keys?.size === 0) this.byArray.delete(id);
    }
  }
}
