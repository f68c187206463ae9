// Chunked N-D arrays at rest: Zarr v3 arrays (written and read by zarrita) whose keys are IndexedDB
// records (chunkStore.ts), with an atomic commit and garbage collection of whatever never committed.
//
// Lifecycle of one array:
// 1. createChunkedArray: one small transaction puts a 'staging' commit record under a fresh id; zarrita
//    then writes `zarr.json` under that id. Staging arrays are invisible: nothing lists or opens them.
// 2. writer.write(origin, block), any number of times: zarrita encodes each chunk the block touches and
//    puts it in its own small transaction (awaiting encoding between chunks is fine; a single
//    transaction over thousands of chunks would auto-commit at the first await that is not a request).
// 3. writer.commit(): ONE small transaction flips the record to 'committed'. Only from then on is the
//    array listed, opened and read. A crash, reload or failure before it leaves a 'staging' record
//    (or, for the chunk being written, nothing at all), which GC deletes with its chunks.
// Committed arrays are immutable; deleting one deletes its record and all its chunks in one
// transaction (a key-range delete is one request, so this needs no GC and leaves nothing behind).
import { alignedBlockTiles, tileBytes, type BlockTile } from '../core/alignedTiles';
import * as zarr from 'zarrita';
import { chunkHashList, digestOfHashes } from '../core/chunkDigest';
import { defaultChunkShape } from '../core/chunkPolicy';
import { alignedBlockRuns, type ChunkRun } from '../core/contiguousChunks';
import { bytesOf, itemSize, sizeOf, typedArrayCtor, type DType, type NDArray } from '../core/ndarray';
import { boundedQueue } from './chunkQueue';
import { chunkKeyRange, IdbChunkStore } from './chunkStore';
import { track, writeTx, type ChunkedArrayRecord, type StoreContext } from './db';
import { fromChunk, regionSelection, toChunk, zarrMetadata, type Region } from './zarrViews';

export type { Region } from './zarrViews';

/** What a chunked array is: element type, shape and the shape of its chunks. */
export interface ChunkedArrayInfo {
  id: string;
  dtype: DType;
  shape: number[];
  chunkShape: number[];
}

/** Options of a new chunked array. */
export interface NewChunkedArray {
  dtype: DType;
  shape: readonly number[];
  /** Default: defaultChunkShape(shape, dtype) (src/core/chunkPolicy.ts). */
  chunkShape?: readonly number[];
  /** Zarr attributes, stored in zarr.json. */
  attributes?: Record<string, unknown>;
}

/** An array being written: invisible until `commit()`; `abort()` (or GC) drops it. */
export interface ChunkedArrayWriter extends ChunkedArrayInfo {
  /** Write `block` with its first element at `origin` (one index per axis). */
  write(origin: readonly number[], block: NDArray): Promise<void>;
  /** Make the array visible, atomically. After this the writer refuses further writes. */
  commit(): Promise<ChunkedArrayInfo>;
  /** Delete the staged array and its chunks now (GC would do it later). */
  abort(): Promise<void>;
  /**
   * For a dataset field (see datasetArrays.ts): refuse further writes and return the array's digest
   * and stored bytes, leaving it staged (still protected from GC) for the dataset's transaction to
   * commit; then `settle()` once that transaction is over (committed or not: `abort()` if not).
   */
  seal(): Promise<SealedArray>;
  /** Read back `region` (or all) of what has been written so far (unwritten chunks read as 0). */
  readStaged(region?: Region): Promise<NDArray>;
}

/** A staged array ready for a dataset's commit. */
export interface SealedArray extends ChunkedArrayInfo {
  digest: string;
  storedBytes: number;
  /** SHA-256 of every chunk in C order (kept in the record: see ChunkedArrayRecord.chunkHashes). */
  chunkHashes: string[];
  /** The dataset transaction committed: stop protecting the (now committed or dropped) record from GC. */
  settle(): void;
  /** The dataset transaction failed: delete the staged array now. */
  abort(): Promise<void>;
}

/** A committed array, opened for reading. */
export interface ChunkedArrayReader extends ChunkedArrayInfo {
  /** The zarrita store of this array (keys `/zarr.json`, `/c/…`): what an export or another reader reads. */
  readonly store: IdbChunkStore;
  /** The whole array, or `region` of it (same number of axes, clipped to nothing: out of range throws). */
  read(region?: Region): Promise<NDArray>;
  /** Every zarr key stored for the array (`zarr.json`, `c/0/0`, …), sorted. */
  keys(): Promise<string[]>;
}

/** What collectGarbage removed. */
export interface GarbageReport {
  /** Ids of the staging arrays (and record-less chunk prefixes) deleted. */
  arrays: string[];
}

/** Staging arrays this page is writing now, per store connection: GC never collects them. */
const activeStaging = new WeakMap<StoreContext, Set<string>>();

function active(ctx: StoreContext): Set<string> {
  let set = activeStaging.get(ctx);
  if (!set) activeStaging.set(ctx, (set = new Set()));
  return set;
}

/** A staging record not written to for this long is abandoned (its page crashed, reloaded or closed). */
export const STAGING_GRACE_MS = 10 * 60 * 1000;

function checkShapes(shape: readonly number[], chunkShape: readonly number[]): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`Chunked array: shape must be non-negative integers, got [${shape.join(', ')}].`);
  if (chunkShape.length !== shape.length || !chunkShape.every((c) => Number.isInteger(c) && c >= 1)) {
    throw new Error(`Chunked array: chunk shape [${chunkShape.join(', ')}] must be ${shape.length} positive integers (one per axis of [${shape.join(', ')}]).`);
  }
}

/**
 * Chunks that are whole contiguous runs of `block` (alignedBlockRuns), written as one copy each (padded
 * with the fill value at the array's edge): byte for byte what zarrita's set writes, without its
 * element-by-element copy or a read of the chunk first. A few at a time, as zarrita does.
 */
async function writeRuns(store: IdbChunkStore, block: NDArray, runs: readonly ChunkRun[], chunkElements: number): Promise<void> {
  const size = itemSize(block.dtype);
  const src = bytesOf(block);
  const q = boundedQueue();
  for (const r of runs) {
    q.add(() => {
      const bytes = new Uint8Array(chunkElements * size);
      bytes.set(src.subarray(r.start * size, (r.start + r.length) * size));
      return store.set(`/${r.key}`, bytes);
    });
  }
  await q.onIdle();
}

/** Chunks a block fills whole on a tiled grid: each made by row copies (alignedTiles.ts), byte for byte zarrita's. */
async function writeTiles(store: IdbChunkStore, block: NDArray, tiles: readonly BlockTile[], chunkShape: readonly number[]): Promise<void> {
  const q = boundedQueue();
  for (const t of tiles) q.add(() => store.set(`/${t.key}`, tileBytes(block, t, chunkShape)));
  await q.onIdle();
}

async function stagingRecord(ctx: StoreContext, info: ChunkedArrayInfo): Promise<void> {
  const now = Date.now();
  const rec: ChunkedArrayRecord = { ...info, state: 'staging', created: new Date(now).toISOString(), touched: now };
  await writeTx(ctx, 'stageChunkedArray', ['chunkedArrays'], async (tx) => {
    await tx.objectStore('chunkedArrays').add(rec);
  });
}

/** Delete the records and chunks of `ids` inside one transaction (records that are missing are skipped). */
async function dropArrays(
  ctx: StoreContext,
  operation: string,
  ids: readonly string[],
  keep?: (id: string, rec: ChunkedArrayRecord | undefined) => boolean,
): Promise<string[]> {
  return writeTx(ctx, operation, ['chunkedArrays', 'chunks'], async (tx) => {
    const arrays = tx.objectStore('chunkedArrays');
    const reads: Promise<unknown>[] = [];
    const recs = await Promise.all(ids.map((id) => track(reads, arrays.get(id))));
    const dropped = ids.filter((id, i) => !keep?.(id, recs[i]));
    const writes: Promise<unknown>[] = [];
    for (const id of dropped) {
      track(writes, arrays.delete(id));
      track(writes, tx.objectStore('chunks').delete(chunkKeyRange(id)));
    }
    await Promise.all(writes);
    return dropped;
  });
}

/**
 * Start a new chunked array (fill value 0/false; no compression codec: zarrita 0.7.5 decodes gzip and
 * zlib but cannot encode them). Nothing is visible until `commit()`.
 */
export async function createChunkedArray(ctx: StoreContext, opts: NewChunkedArray): Promise<ChunkedArrayWriter> {
  const shape = [...opts.shape];
  const chunkShape = [...(opts.chunkShape ?? defaultChunkShape(shape, opts.dtype))];
  checkShapes(shape, chunkShape);
  typedArrayCtor(opts.dtype); // throws for float16 where the engine has no Float16Array
  const info: ChunkedArrayInfo = { id: crypto.randomUUID(), dtype: opts.dtype, shape, chunkShape };
  await stagingRecord(ctx, info);
  const staging = active(ctx);
  staging.add(info.id);
  const store = new IdbChunkStore(ctx, info.id, true);
  let arr: zarr.Array<zarr.DataType, IdbChunkStore>;
  try {
    const meta = zarrMetadata(opts.dtype, shape, chunkShape, opts.attributes);
    await store.set('/zarr.json', new TextEncoder().encode(JSON.stringify(meta)));
    arr = new zarr.Array(store, '/', meta);
  } catch (err) {
    staging.delete(info.id);
    await dropArrays(ctx, 'abortChunkedArray', [info.id]).catch(() => {}); // else GC collects it
    throw err;
  }
  let done = false;
  let sealed = false;
  const open = () => {
    if (done || sealed) throw new Error(`Chunked array '${info.id}' is already committed or aborted (or sealed for a dataset).`);
  };
  const writer: ChunkedArrayWriter = {
    ...info,
    async write(origin, block) {
      open();
      if (block.dtype !== info.dtype) throw new Error(`Chunked array '${info.id}' holds ${info.dtype}; cannot write a ${block.dtype} block.`);
      if (origin.length !== shape.length || block.shape.length !== shape.length) {
        throw new Error(`Chunked array '${info.id}' has ${shape.length} axes; got origin [${origin.join(', ')}] and block [${block.shape.join(', ')}].`);
      }
      const selection = origin.map((o, i) => {
        const stop = o + block.shape[i]!;
        if (!Number.isInteger(o) || o < 0 || stop > shape[i]!) {
          throw new Error(`Block [${block.shape.join(', ')}] at [${origin.join(', ')}] does not fit in [${shape.join(', ')}].`);
        }
        return zarr.slice(o, stop);
      });
      if (sizeOf(block.shape) === 0) return;
      const runs = alignedBlockRuns(shape, chunkShape, origin, block.shape);
      if (runs) return writeRuns(store, block, runs, sizeOf(chunkShape));
      const tiles = alignedBlockTiles(shape, chunkShape, origin, block.shape);
      if (tiles) return writeTiles(store, block, tiles, chunkShape);
      await zarr.set(arr, selection, toChunk(block), { createQueue: () => boundedQueue() });
    },
    async commit() {
      open();
      await writeTx(ctx, 'commitChunkedArray', ['chunkedArrays', 'chunks'], async (tx) => {
        const arrays = tx.objectStore('chunkedArrays');
        const [rec, meta] = await Promise.all([arrays.get(info.id), tx.objectStore('chunks').count(`${info.id}/zarr.json`)]);
        if (!rec || rec.state !== 'staging' || meta !== 1) {
          throw new Error(`Chunked array '${info.id}' cannot be committed: it was aborted or collected.`);
        }
        await arrays.put({ ...rec, state: 'committed', committed: new Date().toISOString() });
      });
      done = true;
      staging.delete(info.id);
      return info;
    },
    async abort() {
      if (done) return;
      done = true;
      staging.delete(info.id);
      await dropArrays(ctx, 'abortChunkedArray', [info.id]);
    },
    async readStaged(region) {
      if (done) throw new Error(`Chunked array '${info.id}' is already committed or aborted.`);
      const selection = regionSelection(`Chunked array '${info.id}'`, info.shape, region);
      return fromChunk(info.dtype, (await zarr.get(arr, selection, { createQueue: () => boundedQueue() })) as zarr.Chunk<zarr.DataType>);
    },
    async seal() {
      open();
      sealed = true;
      const chunkHashes = await chunkHashList(info, store.chunkHashes);
      const digest = await digestOfHashes(info, chunkHashes);
      let storedBytes = 0;
      for (const [key, n] of store.writtenBytes) if (key !== 'zarr.json') storedBytes += n;
      return {
        ...info,
        digest,
        storedBytes,
        chunkHashes,
        settle() {
          done = true;
          staging.delete(info.id);
        },
        abort: () => writer.abort(),
      };
    },
  };
  return writer;
}

/**
 * Store `a` as a new chunked array and commit it: all of it or nothing (on failure the staged chunks are
 * dropped, and if even that fails GC drops them). Returns the committed array.
 */
export async function putChunkedArray(ctx: StoreContext, a: NDArray, opts: Omit<NewChunkedArray, 'dtype' | 'shape'> = {}): Promise<ChunkedArrayInfo> {
  const writer = await createChunkedArray(ctx, { ...opts, dtype: a.dtype, shape: a.shape });
  try {
    await writer.write(
      a.shape.map(() => 0),
      a,
    );
    return await writer.commit();
  } catch (err) {
    await writer.abort().catch(() => {});
    throw err;
  }
}

/** A committed array for reading; null when there is none with this id (staging ones included). */
export async function openChunkedArray(ctx: StoreContext, id: string): Promise<ChunkedArrayReader | null> {
  const rec = await ctx.db().get('chunkedArrays', id);
  if (!rec || rec.state !== 'committed') return null;
  const store = new IdbChunkStore(ctx, id, false);
  const arr = await zarr.open.v3(store, { kind: 'array' });
  const info: ChunkedArrayInfo = { id, dtype: rec.dtype, shape: rec.shape, chunkShape: rec.chunkShape };
  return {
    ...info,
    store,
    async read(region) {
      const selection = regionSelection(`Chunked array '${id}'`, info.shape, region);
      const chunk = await zarr.get(arr, selection, { createQueue: () => boundedQueue() });
      return fromChunk(info.dtype, chunk as zarr.Chunk<zarr.DataType>);
    },
    async keys() {
      const keys = (await ctx.db().getAllKeys('chunks', chunkKeyRange(id))) as string[];
      return keys.map((k) => k.slice(id.length + 1)).sort();
    },
  };
}

/** Read a committed array whole (or a region of it); null when it does not exist. */
export async function readChunkedArray(ctx: StoreContext, id: string, region?: Region): Promise<NDArray | null> {
  const reader = await openChunkedArray(ctx, id);
  return reader ? reader.read(region) : null;
}

/** Committed arrays, oldest first. */
export async function listChunkedArrays(ctx: StoreContext): Promise<ChunkedArrayInfo[]> {
  const recs = await ctx.db().getAll('chunkedArrays');
  return recs
    .filter((r) => r.state === 'committed')
    .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0))
    .map(({ id, dtype, shape, chunkShape }) => ({ id, dtype, shape, chunkShape }));
}

/**
 * Delete committed arrays with all their chunks, in one transaction. An unknown (or staging) id throws
 * "Chunked array '<id>' not found." and nothing is deleted.
 */
export async function deleteChunkedArrays(ctx: StoreContext, ids: readonly string[]): Promise<void> {
  await writeTx(ctx, 'deleteChunkedArrays', ['chunkedArrays', 'chunks'], async (tx) => {
    const arrays = tx.objectStore('chunkedArrays');
    const reads: Promise<unknown>[] = [];
    const recs = await Promise.all(ids.map((id) => track(reads, arrays.get(id))));
    const missing = ids.find((_, i) => recs[i]?.state !== 'committed');
    if (missing !== undefined) throw new Error(`Chunked array '${missing}' not found.`);
    const writes: Promise<unknown>[] = [];
    for (const id of new Set(ids)) {
      track(writes, arrays.delete(id));
      track(writes, tx.objectStore('chunks').delete(chunkKeyRange(id)));
    }
    await Promise.all(writes);
  });
}

/**
 * Delete what no commit refers to: chunks whose array has no record, and staging arrays (record and
 * chunks) that this connection is not writing and that nobody has written to for `graceMs` (default
 * STAGING_GRACE_MS, so that another tab's write in progress survives). openStore runs it on every open;
 * with `graceMs: 0` every staging array not being written by this connection goes.
 * One readonly scan (records, then chunk keys prefix by prefix, reading no chunk data), then, only if
 * something is garbage, one readwrite transaction that re-checks each candidate before deleting it.
 */
export async function collectGarbage(ctx: StoreContext, opts: { graceMs?: number } = {}): Promise<GarbageReport> {
  const graceMs = opts.graceMs ?? STAGING_GRACE_MS;
  const mine = active(ctx);
  const now = Date.now();
  const isGarbage = (id: string, rec: ChunkedArrayRecord | undefined) => !mine.has(id) && (!rec || (rec.state === 'staging' && now - rec.touched >= graceMs));
  const tx = ctx.db().transaction(['chunkedArrays', 'chunks'], 'readonly');
  const recs = new Map((await tx.objectStore('chunkedArrays').getAll()).map((r) => [r.id, r]));
  const candidates = new Set<string>();
  for (const [id, rec] of recs) if (isGarbage(id, rec)) candidates.add(id);
  let cursor = await tx.objectStore('chunks').openKeyCursor();
  while (cursor) {
    const key = cursor.key;
    const slash = key.indexOf('/');
    if (slash <= 0) {
      cursor = await cursor.continue(); // not an array key (never written by this module)
      continue;
    }
    const id = key.slice(0, slash);
    if (!recs.has(id) && isGarbage(id, undefined)) candidates.add(id);
    cursor = await cursor.continue(`${id}0`); // jump over the rest of this array's keys
  }
  if (candidates.size === 0) return { arrays: [] };
  // Re-checked inside the deleting transaction: a candidate committed, touched or started meanwhile stays.
  const arrays = await dropArrays(ctx, 'collectGarbage', [...candidates], (id, rec) => !isGarbage(id, rec));
  return { arrays };
}
