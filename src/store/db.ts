// The one typed IndexedDB schema of algobox (through idb), opening/upgrading it, and the
// transaction helper every logical write goes through.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { AlgorithmRecord, DatasetMeta, ExecutionRecord, SessionRecord } from '../core/records';
import type { StackRecord } from '../core/stacks';
import type { BlockRecord, DataFormatRecord, SavedToolchainRecord, ToolchainRunRecord } from '../core/toolchainRecords';
import type { DType } from '../core/ndarray';
import type { ChunkCache } from './chunkCache';

export const DEFAULT_DB_NAME = 'algobox';
/**
 * 1: blobs, datasets, algorithms, executions, sessions. 2: + stacks, settings. 3: + blocks, toolchainRuns (BEAT).
 * 4: + dataFormats (user BEAT data formats). 5: + chunkedArrays, chunks (Zarr v3 arrays, see chunkedArrays.ts).
 * 6: + chunkedArrays.digest index (dataset array fields live in chunked arrays, deduplicated by digest).
 * 7: + savedToolchains (toolchains the user saved with their bindings and parameters).
 * 8: + labelDrafts (the label editor's unsaved work, per target); chunked-array records may carry
 *    `chunkHashes` and `base` (edited arrays).
 */
export const DB_VERSION = 8;

/**
 * One stored byte string. Content-addressed: `key` is the SHA-256 hex of `data` (algorithm files
 * installed without deduplication use `${sha256}~${uuid}` so they are never shared). `refs` counts the
 * dataset fields and algorithm files that point at it; a blob whose count drops to 0 is deleted in
 * the same transaction.
 */
export interface BlobRecord {
  key: string;
  data: ArrayBuffer;
  byteLength: number;
  refs: number;
}

/**
 * One key of a chunked array's Zarr v3 hierarchy (`zarr.json` or a chunk such as `c/0/1`), stored under
 * `${arrayId}/${zarrKey}`. `data` is exactly the bytes zarrita gave (no header, no padding).
 */
export interface ChunkRecord {
  key: string;
  data: ArrayBuffer;
}

/**
 * The commit record of a chunked array. Its chunks are visible only while this record says
 * 'committed'; chunks with no record, or of a 'staging' record that nobody is writing any more, are
 * garbage (see collectGarbage). dtype/shape/chunkShape repeat zarr.json so listings need no chunk read.
 */
export interface ChunkedArrayRecord {
  id: string;
  state: 'staging' | 'committed';
  dtype: DType;
  shape: number[];
  chunkShape: number[];
  /** ISO time the staging began. */
  created: string;
  /** ISO time of the commit (committed records only). */
  committed?: string;
  /** Epoch ms of the last staging write (refreshed at most every few seconds): GC spares fresh staging. */
  touched: number;
  /**
   * Content address of the array (src/core/chunkDigest.ts): SHA-256 over its dtype, shape, chunk shape
   * and the SHA-256 of every chunk in C order. Set when a dataset field commits it (version 6).
   */
  digest?: string;
  /**
   * Dataset fields pointing at this array (a field of an identical array reuses it). The array is deleted
   * in the transaction that drops the last one. Absent on arrays made outside datasets (the store API).
   */
  refs?: number;
  /** Bytes of its stored chunks (what it takes in storage). */
  storedBytes?: number;
  /**
   * SHA-256 hex of every chunk of the grid in C order (src/core/chunkDigest.ts, chunkHashList), kept
   * for dataset arrays committed since version 8: an edit (editedDatasets.ts) makes the new digest from
   * them and the hashes of the chunks it rewrites, without reading the others. Absent on older arrays
   * (the first edit reads and hashes their chunks once, and records them).
   */
  chunkHashes?: string[];
  /**
   * An edited array (version 8): the id of the array it was edited from. A chunk key this array does
   * not hold itself is read from `base` (and on along its own `base`); `base`'s `refs` counts this array
   * as one reference, released when this array is deleted. Committed arrays stay immutable.
   */
  base?: string;
}

/** The label editor's unsaved tiles of one target (labelDrafts.ts), by `target` (version 8). */
export interface LabelDraftRecord {
  target: string;
  tiles: { origin: number[]; dtype: DType; shape: number[]; data: ArrayBuffer }[];
  strokes: number;
  updated: string;
  baseId: string | null;
  imageId: string | null;
  key: string | null;
  shape: number[];
  dtype: DType;
}

/** One app-wide setting (e.g. `samplesCreated`). */
export interface SettingRecord {
  key: string;
  value: unknown;
}

export interface AlgoboxDB extends DBSchema {
  blobs: {
    key: string;
    value: BlobRecord;
    /** Lets `usage()` total the bytes with a key cursor, without reading any blob's data. */
    indexes: { byteLength: number };
  };
  datasets: {
    key: string;
    value: DatasetMeta;
    indexes: { created: string };
  };
  algorithms: {
    key: string;
    value: AlgorithmRecord;
    indexes: { nameLower: string };
  };
  executions: {
    key: string;
    value: ExecutionRecord;
    indexes: { status: string; timeCreated: string };
  };
  sessions: {
    key: string;
    value: SessionRecord;
    /** Lets `listSessions()` walk tokens by a key cursor, without reading any session's values. */
    indexes: { timeCreated: string };
  };
  stacks: {
    key: string;
    value: StackRecord;
    /** `datasetIds` is multi-entry: finds the stacks holding a dataset without reading them all. */
    indexes: { created: string; datasetIds: string };
  };
  settings: {
    key: string;
    value: SettingRecord;
  };
  /** Installed BEAT blocks (declaration + module text), by id. */
  blocks: {
    key: string;
    value: BlockRecord;
  };
  /** Toolchain run records (block outputs are datasets; see docs/beat.md). */
  toolchainRuns: {
    key: string;
    value: ToolchainRunRecord;
  };
  /** User BEAT data formats (the library blocks copy theirs from), by name. */
  dataFormats: {
    key: string;
    value: DataFormatRecord;
  };
  /** Toolchains the user saved (bound sources, parameters), by id (version 7). */
  savedToolchains: {
    key: string;
    value: SavedToolchainRecord;
  };
  /** The label editor's drafts, by target (version 8). */
  labelDrafts: {
    key: string;
    value: LabelDraftRecord;
  };
  /** Commit records of chunked arrays (version 5; the digest index since 6). */
  chunkedArrays: {
    key: string;
    value: ChunkedArrayRecord;
    indexes: { digest: string };
  };
  /** Zarr v3 keys of chunked arrays, `${arrayId}/${zarrKey}` (version 5). */
  chunks: {
    key: string;
    value: ChunkRecord;
  };
}

export type StoreName = StoreNames<AlgoboxDB>;
export type Database = IDBPDatabase<AlgoboxDB>;
export type ReadTx = IDBPTransaction<AlgoboxDB, StoreName[], 'readonly' | 'readwrite'>;
export type WriteTx = IDBPTransaction<AlgoboxDB, StoreName[], 'readwrite'>;

/** Observation and fault-injection points (tests use them; the app passes none). */
export interface StoreHooks {
  /** Called once for every blob whose bytes are read (dataset reads, `readBlob`). */
  onBlobRead?(key: string): void;
  /** Called once for every chunked-array key read (`zarr.json`, `c/0/1`, …), with the array's id. */
  onChunkRead?(arrayId: string, key: string): void;
  /**
   * Called synchronously after a write transaction has made all its requests and just before it
   * commits, with the operation's name ('putDatasets', 'putAlgorithm', …). Throwing aborts the
   * transaction: nothing of that write is kept, and the error is rethrown to the caller.
   */
  beforeCommit?(operation: string): void;
}

/** What the per-concept modules (datasets.ts, algorithms.ts, …) are given. */
export interface StoreContext {
  readonly name: string;
  readonly hooks: StoreHooks;
  /** The open connection; throws once the store is closed. */
  db(): Database;
  /** Chunk bytes of committed arrays kept in memory (chunkCache.ts). */
  readonly chunkCache: ChunkCache;
}

/**
 * Open (creating or upgrading) the database. `version` is for the migration tests only (they write a
 * database as an older version would have); the app always opens DB_VERSION.
 */
export function openDatabase(name: string = DEFAULT_DB_NAME, onBlocking?: () => void, version: number = DB_VERSION): Promise<Database> {
  return openDB<AlgoboxDB>(name, version, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      // Each step runs when upgrading past its version, and only up to the version asked for.
      const step = (v: number) => oldVersion < v && v <= version;
      if (step(1)) {
        const blobs = db.createObjectStore('blobs', { keyPath: 'key' });
        blobs.createIndex('byteLength', 'byteLength');
        const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
        datasets.createIndex('created', 'created');
        const algorithms = db.createObjectStore('algorithms', { keyPath: 'id' });
        algorithms.createIndex('nameLower', 'nameLower', { unique: false });
        const executions = db.createObjectStore('executions', { keyPath: 'id' });
        executions.createIndex('status', 'status');
        executions.createIndex('timeCreated', 'timeCreated');
        const sessions = db.createObjectStore('sessions', { keyPath: 'token' });
        sessions.createIndex('timeCreated', 'timeCreated');
      }
      if (step(2)) {
        const stacks = db.createObjectStore('stacks', { keyPath: 'id' });
        stacks.createIndex('created', 'created');
        stacks.createIndex('datasetIds', 'datasetIds', { multiEntry: true });
        db.createObjectStore('settings', { keyPath: 'key' });
      }
      if (step(3)) {
        db.createObjectStore('blocks', { keyPath: 'id' });
        db.createObjectStore('toolchainRuns', { keyPath: 'id' });
      }
      // 3 → 4 only adds a store: blocks installed before carry no formats (they could only use built-in ones).
      if (step(4)) db.createObjectStore('dataFormats', { keyPath: 'name' });
      // 4 → 5 only adds the chunked-array stores; no existing record is touched (datasets stay whole blobs).
      if (step(5)) {
        db.createObjectStore('chunkedArrays', { keyPath: 'id' });
        db.createObjectStore('chunks', { keyPath: 'key' });
      }
      // 5 → 6 adds the digest index; whole-blob dataset fields stay readable as they are, and
      // store.migrateBlobFields() moves them onto chunked arrays afterwards, one dataset per transaction.
      if (step(6)) transaction.objectStore('chunkedArrays').createIndex('digest', 'digest');
      // 6 → 7 only adds a store.
      if (step(7)) db.createObjectStore('savedToolchains', { keyPath: 'id' });
      // 7 → 8 only adds a store (chunked-array records without the new optional fields stay as they are).
      if (step(8)) db.createObjectStore('labelDrafts', { keyPath: 'target' });
    },
    // Another connection wants a newer version or to delete the database: step aside.
    blocking() {
      onBlocking?.();
    },
  });
}

export function deleteDatabase(name: string): Promise<void> {
  return deleteDB(name);
}

const noop = (): void => {};

/**
 * Keep a request's promise for a later `Promise.all`, marking it handled now so that a request
 * failing because the transaction aborted never shows up as an unhandled rejection.
 */
export function track<T>(requests: Promise<unknown>[], p: Promise<T>): Promise<T> {
  p.catch(noop);
  requests.push(p);
  return p;
}

/**
 * Run one logical write as ONE readwrite transaction over `stores`. `fn` may await only requests of
 * `tx` (anything else lets the transaction auto-commit early): compute hashes and validate before.
 * If `fn` throws, a request fails, or the `beforeCommit` hook throws, the transaction is aborted and
 * nothing is written. `durability: 'relaxed'` (staged chunk writes) lets the commit return before the
 * OS has flushed it: a crash may lose that write, never half of it, which GC handles like any staging.
 */
export async function writeTx<T>(
  ctx: StoreContext,
  operation: string,
  stores: StoreName[],
  fn: (tx: WriteTx) => Promise<T>,
  opts: { durability?: IDBTransactionDurability } = {},
): Promise<T> {
  const tx = ctx.db().transaction(stores, 'readwrite', opts.durability ? { durability: opts.durability } : undefined);
  tx.done.catch(noop); // awaited below; this only keeps an abort from being reported as unhandled
  try {
    const result = await fn(tx);
    ctx.hooks.beforeCommit?.(operation);
    await tx.done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // already aborted (a failed request aborts it) or finished
    }
    throw err;
  }
}

/** A readonly transaction over `stores`. */
export function readTx(ctx: StoreContext, stores: StoreName[]): ReadTx {
  return ctx.db().transaction(stores, 'readonly');
}
