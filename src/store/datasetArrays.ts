// Dataset array fields on chunked arrays (Zarr v3 over IndexedDB, see chunkedArrays.ts).
// - An `array` or `arrayList` field of at least CHUNKED_FIELD_MIN_BYTES is stored as a chunked array;
//   smaller fields and `numbers`/`string` fields stay one content-addressed blob (blobs.ts), as a
//   one-chunk array would be, without three records for a few bytes.
// - A field given whole (an NDArray in memory) is encoded into its Zarr keys by zarrita over an
//   in-memory map and hashed chunk by chunk BEFORE the dataset's transaction; the transaction then
//   writes the keys, the array's commit record and the dataset together: one logical write.
// - A field written block by block (a staged ChunkedArrayWriter: streaming import, a lazy output) is
//   sealed, and the dataset's transaction flips its staging record to committed.
// - Arrays are content addressed by their digest (src/core/chunkDigest.ts) and reference counted by
//   the fields using them, exactly as blobs are: an identical array is stored once.
import * as zarr from 'zarrita';
import { chunkHashList, digestOfHashes } from '../core/chunkDigest';
import { defaultChunkShape } from '../core/chunkPolicy';
import { sha256Hex } from '../core/hash';
import { contiguousChunkRuns } from '../core/contiguousChunks';
import { bytesOf, itemSize, sizeOf, type NDArray } from '../core/ndarray';
import type { FieldKind, FieldMeta } from '../core/records';
import { boundedQueue } from './chunkQueue';
import { chunkKeyRange, chunkRecordKey, IdbChunkStore } from './chunkStore';
import type { ChunkCache } from './chunkCache';
import type { SealedArray } from './chunkedArrays';
import { track, type ChunkedArrayRecord, type ReadTx, type StoreContext, type WriteTx } from './db';
import { fromChunk, regionSelection, toChunk, zarrMetadata, type Region } from './zarrViews';

/** Array fields of at least this many bytes are stored as chunked arrays (smaller ones as one blob). */
export const CHUNKED_FIELD_MIN_BYTES = 64 * 1024;

/** Whether a field of `kind` and `byteLength` is stored as a chunked array. */
export function storesChunked(kind: FieldKind, byteLength: number): boolean {
  return (kind === 'array' || kind === 'arrayList') && byteLength >= CHUNKED_FIELD_MIN_BYTES;
}

/** An in-memory field encoded into the Zarr keys of its array, hashed: ready for a transaction. */
export interface EncodedArray {
  dtype: NDArray['dtype'];
  shape: number[];
  chunkShape: number[];
  digest: string;
  /** Zarr key (`zarr.json`, `c/0/1`) → bytes. */
  keys: Map<string, ArrayBuffer>;
  storedBytes: number;
  /** SHA-256 of every chunk in C order (src/core/chunkDigest.ts, chunkHashList): kept in the array's record. */
  chunkHashes: string[];
}

/**
 * The Zarr keys of `a` (`/zarr.json`, `/c/0/1`, …) in memory: chunks that are contiguous runs of `a`
 * (whole images, whole planes of a stack) are one copy each (contiguousChunks.ts, byte for byte what
 * zarrita writes); any other grid (tiles of a large image) is written by zarrita.
 */
async function zarrKeys(a: NDArray, chunkShape: number[], owned: boolean): Promise<Map<string, Uint8Array>> {
  const map = new Map<string, Uint8Array>();
  const meta = zarrMetadata(a.dtype, a.shape, chunkShape);
  map.set('/zarr.json', new TextEncoder().encode(JSON.stringify(meta)));
  const runs = contiguousChunkRuns(a.shape, chunkShape);
  if (!runs) {
    await zarr.set(new zarr.Array(map, '/', meta), null, toChunk(a));
    return map;
  }
  const size = itemSize(a.dtype);
  const chunkBytes = sizeOf(chunkShape) * size;
  const src = bytesOf(a);
  for (const r of runs) {
    const run = src.subarray(r.start * size, (r.start + r.length) * size);
    const whole = run.byteOffset === 0 && run.byteLength === run.buffer.byteLength && run.buffer instanceof ArrayBuffer;
    const bytes = run.byteLength !== chunkBytes ? new Uint8Array(chunkBytes) : owned && whole ? run : run.slice();
    if (run.byteLength !== chunkBytes) bytes.set(run);
    map.set(`/${r.key}`, bytes);
  }
  return map;
}

/**
 * Encode `a` into its Zarr v3 keys (in memory) and hash every chunk, in parallel. `owned`: the caller
 * gives `a`'s buffer up, so a chunk that is that whole buffer is kept as it is (no copy).
 */
export async function encodeArray(a: NDArray, owned = false): Promise<EncodedArray> {
  const shape = [...a.shape];
  const chunkShape = defaultChunkShape(shape, a.dtype);
  const map = await zarrKeys(a, chunkShape, owned);
  const keys = new Map<string, ArrayBuffer>();
  const hashes = new Map<string, string>();
  let storedBytes = 0;
  await Promise.all(
    [...map].map(async ([path, bytes]) => {
      const key = path.slice(1);
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;
      keys.set(key, own);
      if (key === 'zarr.json') return;
      storedBytes += own.byteLength;
      hashes.set(key, await sha256Hex(own));
    }),
  );
  const grid = { dtype: a.dtype, shape, chunkShape };
  const chunkHashes = await chunkHashList(grid, hashes);
  const digest = await digestOfHashes(grid, chunkHashes);
  return { dtype: a.dtype, shape, chunkShape, digest, keys, storedBytes, chunkHashes };
}

/** What one dataset write commits: arrays encoded in memory and staged arrays, by digest. */
export interface ArrayCommits {
  encoded: Map<string, EncodedArray>;
  sealed: Map<string, SealedArray[]>;
  /** Fields per digest (the references to add). */
  refs: Map<string, number>;
}

export function emptyCommits(): ArrayCommits {
  return { encoded: new Map(), sealed: new Map(), refs: new Map() };
}

function sameLayout(rec: ChunkedArrayRecord, a: { dtype: string; shape: readonly number[]; chunkShape: readonly number[] }): boolean {
  return rec.dtype === a.dtype && rec.shape.join() === a.shape.join() && rec.chunkShape.join() === a.chunkShape.join();
}

/**
 * Inside `tx` (over 'chunkedArrays' and 'chunks'): for each digest, reuse a committed array with that
 * digest (its `refs` grow; staged copies are dropped) or commit this one (encoded keys written, or the
 * staging record flipped). Returns digest → array id, for the fields' `array`. With `cache`, the chunks
 * of arrays encoded in memory go into it once the transaction has committed (they are what storage now
 * holds under that id, whether written now or already there under the same digest).
 */
export async function commitArraysIn(tx: WriteTx, commits: ArrayCommits, cache?: ChunkCache): Promise<Map<string, string>> {
  const arrays = tx.objectStore('chunkedArrays');
  const chunks = tx.objectStore('chunks');
  const digests = [...commits.refs.keys()];
  const reads: Promise<unknown>[] = [];
  const existing = await Promise.all(digests.map((d) => track(reads, arrays.index('digest').getAll(d))));
  const stagedRecs = new Map<string, ChunkedArrayRecord | undefined>();
  await Promise.all(
    [...commits.sealed.values()].flat().map(async (s) => {
      stagedRecs.set(s.id, await track(reads, arrays.get(s.id)));
    }),
  );
  const ids = new Map<string, string>();
  const writes: Promise<unknown>[] = [];
  const now = new Date().toISOString();
  digests.forEach((digest, i) => {
    const refs = commits.refs.get(digest)!;
    const enc = commits.encoded.get(digest);
    const staged = commits.sealed.get(digest) ?? [];
    const layout = enc ?? staged[0]!;
    const reuse = existing[i]!.find((r) => r.state === 'committed' && r.refs !== undefined && sameLayout(r, layout));
    let keep: string | null = null;
    if (reuse) {
      track(writes, arrays.put({ ...reuse, refs: reuse.refs! + refs }));
      ids.set(digest, reuse.id);
    } else if (enc) {
      const id = crypto.randomUUID();
      const t = Date.now();
      const rec: ChunkedArrayRecord = {
        id,
        state: 'committed',
        dtype: enc.dtype,
        shape: enc.shape,
        chunkShape: enc.chunkShape,
        created: now,
        committed: now,
        touched: t,
        digest,
        refs,
        storedBytes: enc.storedBytes,
        chunkHashes: enc.chunkHashes,
      };
      track(writes, arrays.add(rec));
      for (const [key, data] of enc.keys) track(writes, chunks.put({ key: chunkRecordKey(id, key), data }));
      ids.set(digest, id);
    } else {
      const first = staged[0]!;
      const rec = stagedRecs.get(first.id);
      if (!rec || rec.state !== 'staging') throw new Error(`Chunked array '${first.id}' cannot be committed: it was aborted or collected.`);
      track(writes, arrays.put({ ...rec, state: 'committed', committed: now, digest, refs, storedBytes: first.storedBytes, chunkHashes: first.chunkHashes }));
      keep = first.id;
      ids.set(digest, first.id);
    }
    // Staged copies of an array that is already stored (or stored twice in this batch) go now.
    for (const s of staged) {
      if (s.id === keep) continue;
      track(writes, arrays.delete(s.id));
      track(writes, chunks.delete(chunkKeyRange(s.id)));
    }
  });
  await Promise.all(writes);
  if (cache && cache.maxBytes > 0) cacheOnCommit(tx, commits, ids, cache);
  return ids;
}

function cacheOnCommit(tx: WriteTx, commits: ArrayCommits, ids: ReadonlyMap<string, string>, cache: ChunkCache): void {
  tx.done.then(
    () => {
      for (const [digest, enc] of commits.encoded) {
        const id = ids.get(digest);
        if (!id) continue;
        for (const [key, data] of enc.keys) if (key !== 'zarr.json') cache.put(id, chunkRecordKey(id, key), data);
      }
    },
    () => {}, // aborted: nothing was stored, nothing is cached
  );
}

/**
 * Inside `tx`: drop `deltas` (array id → references released); an array left with no reference is
 * deleted with all its chunks (a key-range delete: one request), and an edited one then releases its
 * `base` in turn (one round per level of edits).
 */
export async function releaseArraysIn(tx: WriteTx, deltas: ReadonlyMap<string, number>): Promise<void> {
  let pending = new Map(deltas);
  while (pending.size > 0) {
    const arrays = tx.objectStore('chunkedArrays');
    const ids = [...pending.keys()];
    const reads: Promise<unknown>[] = [];
    const recs = await Promise.all(ids.map((id) => track(reads, arrays.get(id))));
    const writes: Promise<unknown>[] = [];
    const next = new Map<string, number>();
    ids.forEach((id, i) => {
      const rec = recs[i];
      if (!rec) return;
      const refs = (rec.refs ?? 0) - pending.get(id)!;
      if (refs > 0) {
        track(writes, arrays.put({ ...rec, refs }));
      } else {
        track(writes, arrays.delete(id));
        track(writes, tx.objectStore('chunks').delete(chunkKeyRange(id)));
        if (rec.base) next.set(rec.base, (next.get(rec.base) ?? 0) + 1);
      }
    });
    await Promise.all(writes);
    pending = next;
  }
}

/**
 * Inside `tx`: add `deltas` (array id → references taken) to committed arrays, with `patches` merged into
 * their records; one that is gone throws naming `label(id)`, which aborts the transaction.
 */
export async function retainArraysIn(
  tx: WriteTx,
  deltas: ReadonlyMap<string, number>,
  label: (id: string) => string,
  patches: ReadonlyMap<string, Partial<ChunkedArrayRecord>> = new Map(),
): Promise<void> {
  const arrays = tx.objectStore('chunkedArrays');
  const ids = [...deltas.keys()];
  const reads: Promise<unknown>[] = [];
  const recs = await Promise.all(ids.map((id) => track(reads, arrays.get(id))));
  const writes: Promise<unknown>[] = [];
  ids.forEach((id, i) => {
    const rec = recs[i];
    if (!rec || rec.state !== 'committed') throw new Error(`${label(id)}: its chunked array (${id}) is missing from the store.`);
    track(writes, arrays.put({ ...rec, ...patches.get(id), refs: (rec.refs ?? 0) + deltas.get(id)! }));
  });
  await Promise.all(writes);
}

/** The zarrita array of a chunked field, from the field's metadata (no zarr.json read). */
export function fieldArray(ctx: StoreContext, fm: FieldMeta, tx?: ReadTx): zarr.Array<zarr.DataType, IdbChunkStore> {
  const store = new IdbChunkStore(ctx, fm.array!, false, tx);
  return new zarr.Array(store, '/', zarrMetadata(fm.dtype, fm.shape, fm.chunkShape!));
}

/**
 * Read a chunked field whole (or `region` of it). A region that is exactly one whole chunk (a one-chunk
 * array read whole, a slice of a stack, a viewer's tile) is that chunk's bytes as read from storage: no
 * copy into a new array; otherwise zarrita assembles the region, a few chunks at a time. Reads share
 * `tx` while it is active.
 */
export async function readFieldArray(ctx: StoreContext, fm: FieldMeta, region?: Region, tx?: ReadTx): Promise<NDArray> {
  const arr = fieldArray(ctx, fm, tx);
  const selection = regionSelection(`Field of shape [${fm.shape.join(', ')}]`, fm.shape, region);
  const coords = wholeChunkAt(fm.shape, fm.chunkShape!, region ?? fm.shape.map(() => null));
  if (coords) return fromChunk(fm.dtype, (await arr.getChunk(coords)) as zarr.Chunk<zarr.DataType>);
  const chunk = await zarr.get(arr, selection, { createQueue: () => boundedQueue() });
  return fromChunk(fm.dtype, chunk as zarr.Chunk<zarr.DataType>);
}

/** The chunk coordinates when `region` (already checked) covers exactly one whole chunk of the grid, else null. */
function wholeChunkAt(shape: readonly number[], chunkShape: readonly number[], region: Region): number[] | null {
  const coords: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const [start, stop] = region[i] ?? [0, shape[i]!];
    const c = chunkShape[i]!;
    if (start % c !== 0 || stop - start !== c) return null;
    coords.push(start / c);
  }
  return coords;
}

/** `region` of an array held in memory (a blob field), through zarrita (one chunk, in a map). */
export async function regionOfArray(a: NDArray, region?: Region): Promise<NDArray> {
  const selection = regionSelection(`Field of shape [${a.shape.join(', ')}]`, a.shape, region);
  if (!selection) return a;
  const map = new Map<string, Uint8Array>();
  const arr = new zarr.Array(
    map,
    '/',
    zarrMetadata(
      a.dtype,
      a.shape,
      a.shape.map((d) => Math.max(1, d)),
    ),
  );
  await zarr.set(arr, null, toChunk(a));
  return fromChunk(a.dtype, (await zarr.get(arr, selection)) as zarr.Chunk<zarr.DataType>);
}
