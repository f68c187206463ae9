// The store: algobox's IndexedDB, one typed schema (see db.ts), one object with every operation.
import type { AlgorithmRecord, DatasetMeta, DatasetRecord, ExecutionRecord, FieldLevel, SessionRecord, StoredField } from '../core/records';
import type { StackRecord } from '../core/stacks';
import type { NDArray } from '../core/ndarray';
import * as algorithms from './algorithms';
import * as chunked from './chunkedArrays';
import type { ChunkedArrayInfo, ChunkedArrayReader, ChunkedArrayWriter, GarbageReport, NewChunkedArray, Region } from './chunkedArrays';
import { blobBytes, blobSizes, readBlob } from './blobs';
import { ChunkCache, type ChunkCacheStats } from './chunkCache';
import { DEFAULT_DB_NAME, deleteDatabase, openDatabase, type Database, type StoreContext, type StoreHooks } from './db';
import * as datasets from './datasets';
import type { DatasetArrayReader, DatasetPatch, NewDataset } from './datasets';
import * as executions from './executions';
import { saveEditedDataset, type EditRequest } from './editedDatasets';
import * as labelDrafts from './labelDrafts';
import type { LabelDraft, LabelDraftInfo } from './labelDrafts';
import { migrateBlobFields, type MigrationReport } from './migrateBlobFields';
import { buildFieldPyramid, type PyramidBuildOptions } from './pyramids';
import type { CloseExecutionOptions } from './executions';
import * as sessions from './sessions';
import * as stacks from './stacks';
import * as toolchains from './toolchains';
import type { BlockRecord, DataFormatRecord, SavedToolchainRecord, ToolchainRunRecord } from '../core/toolchainRecords';
import type { NewStack, PutWithStacksOptions, StackOfNew, StackPatch } from './stacks';

export type { NewDataset, DatasetPatch, DatasetArrayReader } from './datasets';
export type { EditRequest } from './editedDatasets';
export type { LabelDraft, LabelDraftInfo } from './labelDrafts';
export type { NewStack, StackPatch, StackOfNew, PutWithStacksOptions } from './stacks';
export type { StoreHooks } from './db';
export { remoteSource } from './remoteArrays';
export { warmZarrCodecs } from './zarrReader';
export type { ChunkCacheStats } from './chunkCache';
export type { MigrationReport } from './migrateBlobFields';
export type { PyramidBuildOptions } from './pyramids';
export type { ChunkedArrayInfo, ChunkedArrayReader, ChunkedArrayWriter, GarbageReport, NewChunkedArray, Region } from './chunkedArrays';

export interface StoreOptions {
  /** Observation and fault-injection points, for tests. */
  hooks?: StoreHooks;
  /** Bytes of chunks kept in memory (chunkCache.ts; default DEFAULT_CHUNK_CACHE_BYTES, 0: none). */
  chunkCacheBytes?: number;
}

export interface Usage {
  datasets: number;
  /** Sum of the datasets' byteLength (what they hold, before deduplication). */
  datasetBytes: number;
  algorithms: number;
  /** Bytes actually kept in the store (deduplicated blobs and chunked arrays; datasets and algorithm files together). */
  blobBytes: number;
}

export interface Store {
  readonly name: string;
  close(): void;
  // datasets
  /** Ids in input order; one transaction for the whole batch. */
  putDatasets(items: NewDataset[]): Promise<string[]>;
  /** Reads only the blobs of `keys` (all keys when omitted); a requested key the dataset lacks is null. */
  getDataset(id: string, keys?: string[]): Promise<DatasetRecord | null>;
  /**
   * A new dataset: `req.baseId` with `req.tiles` written over field `req.key` (editedDatasets.ts): only the
   * chunks the tiles touch are written, the rest is shared with the base. One transaction. Its id.
   */
  saveEditedDataset(req: EditRequest): Promise<string>;
  /** The label editor's unsaved work, per target (labelDrafts.ts): replaced on put; null when none. */
  putLabelDraft(target: string, draft: LabelDraft): Promise<void>;
  getLabelDraft(target: string): Promise<LabelDraft | null>;
  deleteLabelDraft(target: string): Promise<void>;
  /** Every draft without its tiles' data, last updated first. */
  listLabelDrafts(): Promise<LabelDraftInfo[]>;
  /** Hits, misses and bytes of the in-memory chunk cache (chunkCache.ts). */
  chunkCacheStats(): ChunkCacheStats;
  /** Several datasets in one read transaction (null for an id that does not exist). */
  getDatasets(ids: readonly string[], keys?: string[]): Promise<(DatasetRecord | null)[]>;
  /** As getDataset, but every field as raw {kind, array} (strings stay uint8 arrays). */
  getDatasetFields(id: string, keys?: string[]): Promise<{ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null>;
  /** As getDatasetFields for several datasets, in one read transaction (null for an id that does not exist). */
  getManyDatasetFields(ids: readonly string[], keys?: string[]): Promise<({ meta: DatasetMeta; fields: Record<string, StoredField | null> } | null)[]>;
  getDatasetMeta(id: string): Promise<DatasetMeta | null>;
  /**
   * Move array fields written before version 6 (whole blobs) onto chunked arrays, one dataset per
   * transaction (both forms stay readable meanwhile). The app runs it in the background after opening.
   */
  migrateBlobFields(opts?: { signal?: AbortSignal }): Promise<MigrationReport>;
  /** Field `key` of a dataset for region reads (chunked or not); null when the dataset does not exist. */
  openDatasetArray(id: string, key: string): Promise<DatasetArrayReader | null>;
  /** `region` (or all) of field `key` (of its pyramid `level`, default 0); reads only the chunks it touches. Unknown dataset or key throws. */
  readDatasetArray(id: string, key: string, region?: Region, level?: number): Promise<NDArray>;
  /**
   * The multiscale pyramid of a tiled 2-D image field (pyramids.ts), level 1 first: the stored levels,
   * or built, committed with the dataset's references and returned when there are none. [] for a field
   * that is not a tiled image.
   */
  buildDatasetPyramid(id: string, key: string, opts?: PyramidBuildOptions): Promise<FieldLevel[]>;
  /** Oldest first. */
  listDatasets(): Promise<DatasetMeta[]>;
  /** The ids that do not exist, in input order, deduplicated. */
  missingDatasets(ids: string[]): Promise<string[]>;
  /**
   * One transaction; an unknown id throws "Dataset '<id>' not found." and nothing is deleted. The
   * datasets are also taken out of every stack (a stack left empty is deleted).
   */
  deleteDatasets(ids: string[]): Promise<void>;
  updateDataset(id: string, patch: DatasetPatch): Promise<DatasetMeta>;
  // stacks
  /**
   * Create (or replace, for an existing id) a stack of existing datasets: a non-empty name, at least
   * one dataset, no id twice; unknown ids throw "Datasets not found: a, b" (all of them).
   */
  putStack(rec: NewStack): Promise<StackRecord>;
  getStack(id: string): Promise<StackRecord | null>;
  /** Oldest first. */
  listStacks(): Promise<StackRecord[]>;
  /** The stacks listing a dataset. */
  stacksOf(datasetId: string): Promise<StackRecord[]>;
  /** Same checks as putStack; unknown id throws "Stack '<id>' not found.". */
  updateStack(id: string, patch: StackPatch): Promise<StackRecord>;
  /** With `withDatasets`, its datasets go too (refcounts released; removed from other stacks), one transaction. */
  deleteStack(id: string, opts?: { withDatasets?: boolean }): Promise<void>;
  /** New datasets and one stack of all of them (in input order), in one transaction. */
  putDatasetsAsStack(
    items: NewDataset[],
    stack: { name: string; source: string; extra?: Record<string, unknown> },
  ): Promise<{ ids: string[]; stack: StackRecord }>;
  /**
   * New datasets and any number of stacks of them, in one transaction; optionally sets a flag
   * setting in the same transaction (null: `onlyIfUnset` and the flag was already set, nothing written).
   */
  putDatasetsWithStacks(items: NewDataset[], stacks: StackOfNew[], opts?: PutWithStacksOptions): Promise<{ ids: string[]; stacks: StackRecord[] } | null>;
  // settings
  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;
  // blobs
  readBlob(key: string): Promise<Uint8Array | null>;
  /** Sizes of the blobs among `keys` that exist (read from an index: no blob data is read). */
  blobSizes(keys: readonly string[]): Promise<Map<string, number>>;
  // algorithms
  /** `files` maps every blob key of record.module and record.assets to its bytes. */
  putAlgorithm(record: AlgorithmRecord, files: Map<string, Uint8Array>): Promise<{ replaced: string[] }>;
  getAlgorithm(id: string): Promise<AlgorithmRecord | null>;
  /** Sorted by name, then version (numerically). */
  listAlgorithms(): Promise<AlgorithmRecord[]>;
  /** Case-insensitive name, highest version first. */
  findAlgorithms(name: string): Promise<AlgorithmRecord[]>;
  /** Unknown id throws "Algorithm '<id>' not found."; blobs still used elsewhere survive. */
  removeAlgorithm(id: string): Promise<void>;
  // executions
  putExecution(rec: ExecutionRecord): Promise<void>;
  /** The final record and the removal of the datasets `removeOutputs` names (ids, or by source); one transaction. Returns the deleted ids. */
  closeExecution(rec: ExecutionRecord, opts: CloseExecutionOptions): Promise<string[]>;
  getExecution(id: string): Promise<ExecutionRecord | null>;
  /** Newest first. */
  listExecutions(): Promise<ExecutionRecord[]>;
  executionsWithStatus(statuses: string[]): Promise<ExecutionRecord[]>;
  deleteExecution(id: string): Promise<void>;
  // sessions
  getSession(token: string): Promise<SessionRecord | null>;
  putSession(rec: SessionRecord): Promise<void>;
  /** Oldest first. */
  listSessions(): Promise<Pick<SessionRecord, 'token' | 'timeCreated'>[]>;
  deleteSessions(tokens: string[]): Promise<void>;
  // BEAT blocks and toolchain runs
  putBlock(rec: BlockRecord): Promise<void>;
  getBlock(id: string): Promise<BlockRecord | null>;
  /** Sorted by id. */
  listBlocks(): Promise<BlockRecord[]>;
  /** User BEAT data formats (one transaction for all). */
  putDataFormats(recs: readonly DataFormatRecord[]): Promise<void>;
  /** Sorted by name. */
  listDataFormats(): Promise<DataFormatRecord[]>;
  deleteDataFormat(name: string): Promise<void>;
  putToolchainRun(rec: ToolchainRunRecord): Promise<void>;
  getToolchainRun(id: string): Promise<ToolchainRunRecord | null>;
  /** Newest first. */
  listToolchainRuns(): Promise<ToolchainRunRecord[]>;
  /** The record, and with `withDatasets` every dataset the run stored; one transaction. Returns the deleted dataset ids. */
  deleteToolchainRun(id: string, opts?: { withDatasets?: boolean }): Promise<string[]>;
  /** A RUNNING run left by a closed page: `finish` rewrites its record, and the datasets it stored beyond its finished blocks' outputs are deleted; one transaction. Null when it is no longer RUNNING. */
  finishInterruptedToolchainRun(id: string, finish: (rec: ToolchainRunRecord) => void): Promise<string[] | null>;
  /** Saved toolchains (issue 15): put replaces by id; listed last saved first; delete throws for an unknown id. */
  putSavedToolchain(rec: SavedToolchainRecord): Promise<void>;
  getSavedToolchain(id: string): Promise<SavedToolchainRecord | null>;
  listSavedToolchains(): Promise<SavedToolchainRecord[]>;
  deleteSavedToolchain(id: string): Promise<void>;
  // chunked arrays (Zarr v3 over IndexedDB, see chunkedArrays.ts; datasets do not use them yet)
  /** A new array, invisible until the writer's commit(); written block by block. */
  createChunkedArray(opts: NewChunkedArray): Promise<ChunkedArrayWriter>;
  /** `a` as a new committed array (all or nothing). */
  putChunkedArray(a: NDArray, opts?: { chunkShape?: readonly number[]; attributes?: Record<string, unknown> }): Promise<ChunkedArrayInfo>;
  /** A committed array; null for an unknown or still-staging id. */
  openChunkedArray(id: string): Promise<ChunkedArrayReader | null>;
  /** The whole committed array or a region of it; null for an unknown id. */
  readChunkedArray(id: string, region?: Region): Promise<NDArray | null>;
  /** Committed arrays, oldest first. */
  listChunkedArrays(): Promise<ChunkedArrayInfo[]>;
  /** Records and chunks, one transaction; an unknown id throws "Chunked array '<id>' not found." and nothing is deleted. */
  deleteChunkedArrays(ids: readonly string[]): Promise<void>;
  /** Drop abandoned staging arrays and record-less chunks (openStore runs it on open). */
  collectGarbage(opts?: { graceMs?: number }): Promise<GarbageReport>;
  // housekeeping
  usage(): Promise<Usage>;
}

class IdbStore implements Store {
  private closed = false;
  private readonly ctx: StoreContext;

  constructor(
    readonly name: string,
    private readonly database: Database,
    hooks: StoreHooks,
    chunkCacheBytes?: number,
  ) {
    this.ctx = { name, hooks, db: () => this.db(), chunkCache: new ChunkCache(chunkCacheBytes) };
  }

  private db(): Database {
    if (this.closed) throw new Error(`Store '${this.name}' is closed.`);
    return this.database;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.database.close();
  }

  putDatasets(items: NewDataset[]) {
    return datasets.putDatasets(this.ctx, items);
  }
  getDataset(id: string, keys?: string[]) {
    return datasets.getDataset(this.ctx, id, keys);
  }
  chunkCacheStats() {
    return this.ctx.chunkCache.stats();
  }
  saveEditedDataset(req: EditRequest) {
    return saveEditedDataset(this.ctx, req);
  }
  putLabelDraft(target: string, draft: LabelDraft) {
    return labelDrafts.putLabelDraft(this.ctx, target, draft);
  }
  getLabelDraft(target: string) {
    return labelDrafts.getLabelDraft(this.ctx, target);
  }
  deleteLabelDraft(target: string) {
    return labelDrafts.deleteLabelDraft(this.ctx, target);
  }
  listLabelDrafts() {
    return labelDrafts.listLabelDrafts(this.ctx);
  }
  getDatasets(ids: readonly string[], keys?: string[]) {
    return datasets.getDatasets(this.ctx, ids, keys);
  }
  migrateBlobFields(opts?: { signal?: AbortSignal }) {
    return migrateBlobFields(this.ctx, opts);
  }
  openDatasetArray(id: string, key: string) {
    return datasets.openDatasetArray(this.ctx, id, key);
  }
  async readDatasetArray(id: string, key: string, region?: Region, level?: number) {
    const reader = await datasets.openDatasetArray(this.ctx, id, key);
    if (!reader) throw new Error(`Dataset '${id}' not found.`);
    return reader.read(region, level);
  }
  buildDatasetPyramid(id: string, key: string, opts?: PyramidBuildOptions) {
    return buildFieldPyramid(this.ctx, id, key, opts);
  }
  getDatasetFields(id: string, keys?: string[]) {
    return datasets.getDatasetFields(this.ctx, id, keys);
  }
  getManyDatasetFields(ids: readonly string[], keys?: string[]) {
    return datasets.getManyDatasetFields(this.ctx, ids, keys);
  }
  getDatasetMeta(id: string) {
    return datasets.getDatasetMeta(this.ctx, id);
  }
  listDatasets() {
    return datasets.listDatasets(this.ctx);
  }
  missingDatasets(ids: string[]) {
    return datasets.missingDatasets(this.ctx, ids);
  }
  deleteDatasets(ids: string[]) {
    return datasets.deleteDatasets(this.ctx, ids);
  }
  updateDataset(id: string, patch: DatasetPatch) {
    return datasets.updateDataset(this.ctx, id, patch);
  }

  putStack(rec: NewStack) {
    return stacks.putStack(this.ctx, rec);
  }
  getStack(id: string) {
    return stacks.getStack(this.ctx, id);
  }
  listStacks() {
    return stacks.listStacks(this.ctx);
  }
  stacksOf(datasetId: string) {
    return stacks.stacksOf(this.ctx, datasetId);
  }
  updateStack(id: string, patch: StackPatch) {
    return stacks.updateStack(this.ctx, id, patch);
  }
  deleteStack(id: string, opts?: { withDatasets?: boolean }) {
    return stacks.deleteStack(this.ctx, id, opts);
  }
  putDatasetsAsStack(items: NewDataset[], stack: { name: string; source: string; extra?: Record<string, unknown> }) {
    return stacks.putDatasetsAsStack(this.ctx, items, stack);
  }
  putDatasetsWithStacks(items: NewDataset[], list: StackOfNew[], opts?: PutWithStacksOptions) {
    return stacks.putDatasetsWithStacks(this.ctx, items, list, opts);
  }
  getSetting(key: string) {
    return stacks.getSetting(this.ctx, key);
  }
  setSetting(key: string, value: unknown) {
    return stacks.setSetting(this.ctx, key, value);
  }

  readBlob(key: string) {
    return readBlob(this.ctx, key);
  }
  blobSizes(keys: readonly string[]) {
    return blobSizes(this.ctx, keys);
  }

  putAlgorithm(record: AlgorithmRecord, files: Map<string, Uint8Array>) {
    return algorithms.putAlgorithm(this.ctx, record, files);
  }
  getAlgorithm(id: string) {
    return algorithms.getAlgorithm(this.ctx, id);
  }
  listAlgorithms() {
    return algorithms.listAlgorithms(this.ctx);
  }
  findAlgorithms(name: string) {
    return algorithms.findAlgorithms(this.ctx, name);
  }
  removeAlgorithm(id: string) {
    return algorithms.removeAlgorithm(this.ctx, id);
  }

  putExecution(rec: ExecutionRecord) {
    return executions.putExecution(this.ctx, rec);
  }
  getExecution(id: string) {
    return executions.getExecution(this.ctx, id);
  }
  listExecutions() {
    return executions.listExecutions(this.ctx);
  }
  executionsWithStatus(statuses: string[]) {
    return executions.executionsWithStatus(this.ctx, statuses);
  }
  closeExecution(rec: ExecutionRecord, opts: CloseExecutionOptions) {
    return executions.closeExecution(this.ctx, rec, opts);
  }
  deleteExecution(id: string) {
    return executions.deleteExecution(this.ctx, id);
  }

  getSession(token: string) {
    return sessions.getSession(this.ctx, token);
  }
  putSession(rec: SessionRecord) {
    return sessions.putSession(this.ctx, rec);
  }
  listSessions() {
    return sessions.listSessions(this.ctx);
  }
  deleteSessions(tokens: string[]) {
    return sessions.deleteSessions(this.ctx, tokens);
  }

  putBlock(rec: BlockRecord) {
    return toolchains.putBlock(this.ctx, rec);
  }
  getBlock(id: string) {
    return toolchains.getBlock(this.ctx, id);
  }
  listBlocks() {
    return toolchains.listBlocks(this.ctx);
  }
  putDataFormats(recs: readonly DataFormatRecord[]) {
    return toolchains.putDataFormats(this.ctx, recs);
  }
  listDataFormats() {
    return toolchains.listDataFormats(this.ctx);
  }
  deleteDataFormat(name: string) {
    return toolchains.deleteDataFormat(this.ctx, name);
  }
  putToolchainRun(rec: ToolchainRunRecord) {
    return toolchains.putToolchainRun(this.ctx, rec);
  }
  getToolchainRun(id: string) {
    return toolchains.getToolchainRun(this.ctx, id);
  }
  listToolchainRuns() {
    return toolchains.listToolchainRuns(this.ctx);
  }
  deleteToolchainRun(id: string, opts?: { withDatasets?: boolean }) {
    return toolchains.deleteToolchainRun(this.ctx, id, opts);
  }
  finishInterruptedToolchainRun(id: string, finish: (rec: ToolchainRunRecord) => void) {
    return toolchains.finishInterruptedToolchainRun(this.ctx, id, finish);
  }
  putSavedToolchain(rec: SavedToolchainRecord) {
    return toolchains.putSavedToolchain(this.ctx, rec);
  }
  getSavedToolchain(id: string) {
    return toolchains.getSavedToolchain(this.ctx, id);
  }
  listSavedToolchains() {
    return toolchains.listSavedToolchains(this.ctx);
  }
  deleteSavedToolchain(id: string) {
    return toolchains.deleteSavedToolchain(this.ctx, id);
  }

  createChunkedArray(opts: NewChunkedArray) {
    return chunked.createChunkedArray(this.ctx, opts);
  }
  putChunkedArray(a: NDArray, opts?: { chunkShape?: readonly number[]; attributes?: Record<string, unknown> }) {
    return chunked.putChunkedArray(this.ctx, a, opts);
  }
  openChunkedArray(id: string) {
    return chunked.openChunkedArray(this.ctx, id);
  }
  readChunkedArray(id: string, region?: Region) {
    return chunked.readChunkedArray(this.ctx, id, region);
  }
  listChunkedArrays() {
    return chunked.listChunkedArrays(this.ctx);
  }
  deleteChunkedArrays(ids: readonly string[]) {
    return chunked.deleteChunkedArrays(this.ctx, ids);
  }
  collectGarbage(opts?: { graceMs?: number }) {
    return chunked.collectGarbage(this.ctx, opts);
  }

  async usage(): Promise<Usage> {
    const db = this.db();
    const [metas, algorithmCount, bytes, arrays] = await Promise.all([
      db.getAll('datasets'),
      db.count('algorithms'),
      blobBytes(this.ctx),
      db.getAll('chunkedArrays'),
    ]);
    return {
      datasets: metas.length,
      datasetBytes: metas.reduce((s, m) => s + m.byteLength, 0),
      algorithms: algorithmCount,
      blobBytes: bytes + arrays.reduce((s, a) => s + (a.state === 'committed' ? (a.storedBytes ?? 0) : 0), 0),
    };
  }
}

/**
 * Open the store (creating the database on first use). When another connection needs the database
 * (a newer version elsewhere, or `deleteStore`), this one closes itself and later calls throw.
 * Every open collects garbage first: chunked arrays a crash or reload left uncommitted (abandoned for
 * STAGING_GRACE_MS) go with their chunks; committed data is never touched.
 */
export async function openStore(name: string = DEFAULT_DB_NAME, options: StoreOptions = {}): Promise<Store> {
  let store: IdbStore | undefined;
  const db = await openDatabase(name, () => store?.close());
  store = new IdbStore(name, db, options.hooks ?? {}, options.chunkCacheBytes);
  await store.collectGarbage();
  return store;
}

/** Delete the whole database. Connections this page holds close themselves (see openStore). */
export function deleteStore(name: string): Promise<void> {
  return deleteDatabase(name);
}
