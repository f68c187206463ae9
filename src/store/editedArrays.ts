// An edit of a chunked dataset field that writes only the chunks it touches (issue 16). The new array
// is a committed record with `base` = the edited array: it holds `zarr.json` and the touched chunks,
// and reads of any other key fall back to the base (chunkStore.ts). Its digest is still the content
// address of its full content: the base's per-chunk hashes (ChunkedArrayRecord.chunkHashes) with the
// touched chunks' hashes in their place — no unchanged chunk is read, except once for a base committed
// before version 8 (no `chunkHashes`), whose hashes are then recorded on it.
import * as zarr from 'zarrita';
import { chunkByteLength, chunkHashList, chunkKeys, digestOfHashes, type ChunkGrid } from '../core/chunkDigest';
import { touchedChunkKeys } from '../core/editTiles';
import { sha256Hex } from '../core/hash';
import { reshape, type NDArray } from '../core/ndarray';
import type { FieldMeta } from '../core/records';
import { boundedQueue } from './chunkQueue';
import { chunkRecordKey, IdbChunkStore } from './chunkStore';
import { track, type ChunkedArrayRecord, type StoreContext, type WriteTx } from './db';
import { toChunk } from './zarrViews';

/** A tile checked against its field: `shape` is its data's shape at the field's rank. */
export interface PlacedTile {
  origin: number[];
  shape: number[];
  data: NDArray;
}

/** The chunks an edit rewrote, encoded and hashed before the transaction. */
export interface EditedArray extends ChunkGrid {
  /** The edited array's id. */
  base: string;
  /** The base's `zarr.json` bytes (the edited array has the same metadata). */
  zarrJson: ArrayBuffer;
  /** Chunk key (`c/0/1`) → new bytes, for every chunk the tiles touch. */
  chunks: Map<string, ArrayBuffer>;
  chunkHashes: string[];
  digest: string;
  storedBytes: number;
  /** The base's chunk hashes when its record has none yet (recorded on it in the same transaction). */
  baseHashes?: string[];
}

/** The bytes of `view` in a buffer of their own. */
function own(view: Uint8Array): ArrayBuffer {
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
  return whole ? (view.buffer as ArrayBuffer) : view.slice().buffer;
}

/** SHA-256 of every chunk of a base without recorded hashes: read once, a few at a time. */
async function hashAllChunks(store: IdbChunkStore, grid: ChunkGrid): Promise<string[]> {
  const hashes = new Map<string, string>();
  const q = boundedQueue();
  for (const key of chunkKeys(grid)) {
    q.add(async () => {
      const bytes = await store.get(`/${key}`);
      if (bytes) hashes.set(key, await sha256Hex(bytes));
    });
  }
  await q.onIdle();
  return chunkHashList(grid, hashes);
}

/**
 * Read the chunks of field `fm` that `tiles` touch, write the tiles over them (zarrita over an in-memory
 * map: byte for byte what zarrita writes), hash them and make the edited array's digest. Nothing is
 * written to storage here.
 */
export async function editChunks(ctx: StoreContext, fm: FieldMeta, tiles: readonly PlacedTile[]): Promise<EditedArray> {
  const grid: ChunkGrid = { dtype: fm.dtype, shape: fm.shape, chunkShape: fm.chunkShape! };
  const baseId = fm.array!;
  const src = new IdbChunkStore(ctx, baseId, false);
  const touched = new Set(tiles.flatMap((t) => touchedChunkKeys(grid.chunkShape, t.origin, t.shape)));
  const [json, rec] = await Promise.all([src.get('/zarr.json'), ctx.db().get('chunkedArrays', baseId)]);
  if (!json || !rec || rec.state !== 'committed') throw new Error(`The chunked array of the field (${baseId}) is missing from the store.`);
  const map = new Map<string, Uint8Array>();
  const q = boundedQueue();
  for (const key of touched) {
    q.add(async () => {
      const bytes = await src.get(`/${key}`);
      if (bytes) map.set(`/${key}`, bytes);
    });
  }
  await q.onIdle();
  const meta = JSON.parse(new TextDecoder().decode(json)) as zarr.ArrayMetadata<zarr.DataType>;
  const arr = new zarr.Array(map, '/', meta);
  for (const t of tiles) {
    const selection = t.origin.map((o, i) => zarr.slice(o, o + t.shape[i]!));
    await zarr.set(arr, selection, toChunk(reshape(t.data, t.shape)));
  }
  const chunkBytes = chunkByteLength(grid);
  const chunks = new Map<string, ArrayBuffer>();
  const newHashes = new Map<string, string>();
  let storedBytes = 0;
  await Promise.all(
    [...touched].map(async (key) => {
      // A touched chunk is always stored, even all zeros: it must hide the base's chunk.
      const bytes = own(map.get(`/${key}`) ?? new Uint8Array(chunkBytes));
      chunks.set(key, bytes);
      storedBytes += bytes.byteLength;
      newHashes.set(key, await sha256Hex(bytes));
    }),
  );
  const baseHashes = rec.chunkHashes ?? (await hashAllChunks(src, grid));
  const index = new Map(chunkKeys(grid).map((k, i) => [k, i]));
  const chunkHashes = [...baseHashes];
  for (const [key, h] of newHashes) chunkHashes[index.get(key)!] = h;
  const digest = await digestOfHashes(grid, chunkHashes);
  return {
    ...grid,
    base: baseId,
    zarrJson: own(json),
    chunks,
    chunkHashes,
    digest,
    storedBytes,
    ...(rec.chunkHashes ? {} : { baseHashes }),
  };
}

/**
 * Inside `tx`: commit `edit` as a new array based on its base — or reuse a committed array with the same
 * digest (an edit that changed nothing reuses the base itself). References to take are added to
 * `retained` (the new array's on its base, or the reused array's), hash backfills to `patches`, for
 * retainArraysIn to apply once. Returns the id of the field's array and the chunk records written.
 */
export async function writeEditedArrayIn(
  tx: WriteTx,
  edit: EditedArray,
  retained: Map<string, number>,
  patches: Map<string, Partial<ChunkedArrayRecord>>,
): Promise<{ id: string; written: number }> {
  const arrays = tx.objectStore('chunkedArrays');
  const same = (r: ChunkedArrayRecord) =>
    r.state === 'committed' &&
    r.refs !== undefined &&
    r.dtype === edit.dtype &&
    r.shape.join() === edit.shape.join() &&
    r.chunkShape.join() === edit.chunkShape.join();
  const reuse = (await arrays.index('digest').getAll(edit.digest)).find(same);
  if (edit.baseHashes) patches.set(edit.base, { chunkHashes: edit.baseHashes });
  if (reuse) {
    retained.set(reuse.id, (retained.get(reuse.id) ?? 0) + 1);
    return { id: reuse.id, written: 0 };
  }
  const id = crypto.randomUUID();
  const now = new Date();
  const rec: ChunkedArrayRecord = {
    id,
    state: 'committed',
    dtype: edit.dtype,
    shape: [...edit.shape],
    chunkShape: [...edit.chunkShape],
    created: now.toISOString(),
    committed: now.toISOString(),
    touched: now.getTime(),
    digest: edit.digest,
    refs: 1,
    storedBytes: edit.storedBytes,
    chunkHashes: edit.chunkHashes,
    base: edit.base,
  };
  const writes: Promise<unknown>[] = [];
  const chunks = tx.objectStore('chunks');
  track(writes, arrays.add(rec));
  track(writes, chunks.add({ key: chunkRecordKey(id, 'zarr.json'), data: edit.zarrJson }));
  for (const [key, data] of edit.chunks) track(writes, chunks.add({ key: chunkRecordKey(id, key), data }));
  retained.set(edit.base, (retained.get(edit.base) ?? 0) + 1);
  await Promise.all(writes);
  return { id, written: edit.chunks.size };
}
