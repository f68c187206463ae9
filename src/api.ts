// The public API: the one door for the UI, scripts and tests; also `window.algobox` in the app.
// Shapes are plain data: NDArrays cross as {dtype, shape, data} with a typed array; failures reject
// with an Error whose message is the human-readable reason. See docs/api.md.
import type { ImageAxes } from './core/imageAxes';
import type { SelfTestReport, SelfTestResults } from './engine/selfTest';
import { encodeItem } from './core/datasetCodec';
import { DATA_SCHEMAS, validateItem, type DataSchemaName } from './core/dataSchemas';
import type { AlgorithmFilter } from './core/algorithmQuery';
import { ndarray, type DType, type NDArray } from './core/ndarray';
import type { AlgorithmInfo, DatasetMeta, DatasetRecord, ExecutionRecord } from './core/records';
import { makeSamples } from './core/sampleData';
import type { StackRecord } from './core/stacks';
import {
  Engine,
  type EngineOptions,
  type ExecuteRequest,
  type ExecutionListener,
  type GpuInfo,
  type InstallOptions,
  type PreviewAnswer,
  type PreviewPlane,
} from './engine/engine';
import type { RunnerPool } from './engine/pool';
import type { PromptService } from './engine/prompts';
import type { BundleFileInfo, BundleInspection } from './core/pinning';
import type { BundleSource } from './engine/bundleSource';
import type { PromptInput, PromptSession, SaveMaskRequest } from './engine/prompts';
import type { ImageFileDecoder, ImportEntry, ImportOptions, ImportResult } from './engine/importFiles';
import {
  openStore,
  warmZarrCodecs,
  type ChunkCacheStats,
  type EditRequest,
  type LabelDraft,
  type LabelDraftInfo,
  type NewDataset,
  type Region,
  type Store,
} from './store/index';
import type { ToolchainJson } from './core/beat';
import type { ToolchainService, ToolchainCheck, BlockInfo, BlockInstallOptions, DataFormatInfo, ToolchainRunOptions } from './engine/toolchains';
import type { WorkerFactory } from './engine/workerHandle';
import type { BlockRunRecord, SavedToolchainRecord, ToolchainRunRecord } from './core/toolchainRecords';
import type { BindingCandidate, SourceBinding, SourceChoices } from './core/toolchainBindings';
import type { SaveToolchainInput } from './engine/savedToolchains';
import { thrownMessage } from './core/describeValue';
import type { OmeExportOptions } from './engine/exportOme';

// Import (codecs, OME, Zarr readers) and export load on first use: they stay out of the first screen's
// JavaScript (docs/benchmarks.md, "Start-up").
const importModule = () => import('./engine/importFiles');
const zarrModule = () => import('./engine/importZarr');
const exportOme: typeof import('./engine/exportOme').exportOme = async (...a) => (await import('./engine/exportOme')).exportOme(...a);

export interface PutMeta {
  name?: string;
  source?: string;
  /** Validate the fields against a built-in data schema before storing (e.g. "Image"). */
  schema?: DataSchemaName;
  extra?: Record<string, unknown>;
  /** What the axes of array fields mean, by field key (names, units, physical sizes, channels; see docs/api.md). */
  axes?: Record<string, ImageAxes>;
}

/** The parts of the browser's StorageManager (`navigator.storage`) the API uses. */
export interface StorageManagerLike {
  estimate?(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StorageEstimate {
  /** Bytes this origin uses, as the browser reports it (null where unavailable). */
  usage: number | null;
  /** Bytes this origin may use (null where unavailable). */
  quota: number | null;
  /** Whether storage is persistent (not evicted under pressure); null where unavailable. */
  persisted: boolean | null;
  datasets: number;
  datasetBytes: number;
  algorithms: number;
  /** Bytes in the blob store (deduplicated). */
  blobBytes: number;
}

export interface SamplesResult {
  ids: string[];
  stacks: StackRecord[];
}

/** The setting that records that the sample data was created once. */
export const SAMPLES_FLAG = 'samplesCreated';

/** One array field opened for region reads (`datasets.openArray`). */
export interface ArrayHandle {
  dtype: DType;
  shape: number[];
  /** How the field is chunked: a region read reads exactly the chunks it touches. */
  chunkShape: number[];
  /** Its multiscale pyramid below it (level 1 first), as stored when the handle was opened; empty until `datasets.pyramid` built it. */
  levels: ArrayLevel[];
  /** `region` (per axis [start, stop) or null for the whole axis; omitted: everything) of the field, or of pyramid `level`. */
  read(region?: Region, opts?: { level?: number }): Promise<NDArray>;
}

/** One pyramid level of a field: level l halves level l − 1 along Y and X (2×2 mean). */
export interface ArrayLevel {
  shape: number[];
  chunkShape: number[];
}

/** What `datasets.createWriter` makes: one array field written block by block, then a dataset. */
export interface DatasetWriterSpec {
  /** The field's key (e.g. "volume"). */
  key: string;
  dtype: DType;
  shape: number[];
  /** Default: the data plane's chunk policy (one chunk per 2-D slice, tiles for large planes). */
  chunkShape?: number[];
  name?: string;
  source?: string;
  /** A built-in schema the field's dtype and number of axes must fit (the values are not read). */
  schema?: DataSchemaName;
  extra?: Record<string, unknown>;
  /** What the field's axes mean (names, units, physical sizes, channels). */
  axes?: ImageAxes;
}

/** A dataset being written: invisible until `commit()`, which resolves with its id. */
export interface DatasetWriter {
  /** Write `block` with its first element at `origin` (one index per axis), e.g. slice z at [z, 0, 0]. */
  write(origin: number[], block: NDArray): Promise<void>;
  commit(): Promise<string>;
  abort(): Promise<void>;
}

export interface AlgoboxOptions extends Omit<EngineOptions, 'store'> {
  /** IndexedDB database name (default "algobox"). */
  dbName?: string;
  store?: Store;
  decodeImageFile?: ImageFileDecoder;
  /** Most bytes one decoded image may take on import (default 1 GiB; see ImportOptions.maxImageBytes). */
  maxImageBytes?: number;
  /** Storage quota and persistence (default `navigator.storage`; null: none). */
  storageManager?: StorageManagerLike | null;
  /** Workers for BEAT blocks (toolchains): workers/block.worker.ts in the browser, in-process hosts in Node tests. */
  blockWorkerFactory?: WorkerFactory;
  /** Workers for user BEAT blocks: the opaque-origin sandbox in the browser (docs/security.md). Default: `blockWorkerFactory`. */
  sandboxBlockWorkerFactory?: WorkerFactory;
  /** Block workers alive at once; splittable blocks are split into this many parts (default navigator.hardwareConcurrency). */
  blockPoolSize?: number;
  /** Called once the store is open and interrupted runs are recovered (e.g. install built-ins); `ready` waits for it, `usable` does not. */
  onReady?: (api: Algobox) => Promise<void>;
}

export interface Algobox {
  /** Resolves when the store is open, interrupted runs are marked FAILED and start-up work (`onReady`: built-ins, samples) is done. */
  ready: Promise<void>;
  /** Resolves once the store is open and interrupted runs are marked FAILED (before `ready`): import, lists and runs work. */
  usable: Promise<void>;
  datasets: {
    put(fields: Record<string, unknown>, meta?: PutMeta): Promise<string>;
    /** Many datasets in one write (one transaction: all stored, or none); their ids in order. */
    putMany(items: readonly { fields: Record<string, unknown>; meta?: PutMeta }[]): Promise<string[]>;
    get(id: string, keys?: string[]): Promise<DatasetRecord>;
    /** Many datasets (`keys` of each, or all) in one read transaction, in order; an unknown id throws. */
    getMany(ids: readonly string[], keys?: string[]): Promise<DatasetRecord[]>;
    list(): Promise<DatasetMeta[]>;
    delete(id: string | string[]): Promise<void>;
    rename(id: string, name: string): Promise<DatasetMeta>;
    /** Replace what the axes of field `key` mean (channel names and colours, windows, units, physical sizes); checked against its shape. */
    setAxes(id: string, key: string, axes: ImageAxes): Promise<DatasetMeta>;
    /** The ids made; throws when nothing could be imported. `opts`: e.g. `{ layout: 'volume' }`, `{ as: 'labels' }`, `{ labelsOf: imageId }` (see ImportOptions). */
    importFiles(files: Iterable<ImportEntry> | ArrayLike<ImportEntry>, opts?: ImportOptions): Promise<string[]>;
    importFilesDetailed(
      files: Iterable<ImportEntry> | ArrayLike<ImportEntry>,
      opts?: ImportOptions | ((done: number, total: number) => void),
    ): Promise<ImportResult>;
    /** Field `key` for region reads: its layout, pyramid levels and `read(region, { level })`. */
    openArray(id: string, key: string): Promise<ArrayHandle>;
    /** `region` of field `key` (of pyramid `level`): reads only the chunks the region touches. */
    readRegion(id: string, key: string, region?: Region, opts?: { level?: number }): Promise<NDArray>;
    /**
     * The multiscale pyramid of a large 2-D image field (more than one tile), level 1 first: built once
     * (the viewer does it at first view) and stored with the dataset; [] for any other field.
     */
    pyramid(id: string, key: string, opts?: { onProgress?: (done: number, total: number) => void }): Promise<ArrayLevel[]>;
    /** A one-field dataset written block by block (a volume slice by slice), never whole in memory. */
    createWriter(spec: DatasetWriterSpec): Promise<DatasetWriter>;
    /**
     * A new dataset: `baseId` with `tiles` ({ origin, data }) written over field `key`; the other fields are
     * shared with the base and only the chunks the tiles touch are written (a labels field is widened
     * uint8 → uint16 → int32 when a tile needs it). One transaction. Returns the new id. See docs/api.md.
     */
    saveEdited(req: EditRequest): Promise<string>;
    /**
     * Field `opts.key` (default the main array field) as OME-TIFF or OME-Zarr 0.4/0.5 (a zip), read one
     * plane at a time: a Blob, or null once written into `opts.target` (a file or, for OME-Zarr, a folder
     * handle). `opts.labels`: mask dataset ids written as OME-Zarr `labels/<name>`. See docs/api.md.
     */
    exportOme(id: string, opts: OmeExportOptions): Promise<Blob | null>;
    /**
     * A dataset over the OME-Zarr image at `url` (NGFF 0.4 / 0.5), read lazily: only its metadata (and
     * the smallest level's first plane, for the thumbnail) is fetched now; reads fetch the chunks they
     * touch. Its field's meta has `remote` instead of a stored array. The server must allow this origin (CORS).
     */
    openUrl(url: string): Promise<string>;
    /** A remote dataset (openUrl) copied into the browser: a NEW dataset's id (the remote one stays until deleted). */
    importRemote(id: string): Promise<string>;
    /**
     * Load the WebAssembly chunk decoders (Blosc, zstd, lz4) now, once per page, so an OME-Zarr opened
     * next shows its first tile without waiting for them ("Open OME-Zarr URL…" calls it when it opens).
     */
    preloadZarrCodecs(): Promise<void>;
  };
  /** The label editor's unsaved work, one draft per target, kept across reloads (see docs/api.md). */
  labelDrafts: {
    /** Replaces the target's draft. */
    put(target: string, draft: LabelDraft): Promise<void>;
    /** Null when the target has none. */
    get(target: string): Promise<LabelDraft | null>;
    delete(target: string): Promise<void>;
    /** Every draft without its tiles' data (`tiles`: their count), last updated first. */
    list(): Promise<LabelDraftInfo[]>;
  };
  stacks: {
    /** Oldest first. */
    list(): Promise<StackRecord[]>;
    get(id: string): Promise<StackRecord>;
    /** A stack of existing datasets, in the order given (source 'user' unless said). */
    create(stack: { name: string; datasetIds: string[]; extra?: Record<string, unknown>; source?: string }): Promise<StackRecord>;
    update(id: string, patch: { name?: string; datasetIds?: string[] }): Promise<StackRecord>;
    rename(id: string, name: string): Promise<StackRecord>;
    /** With `withDatasets`, its datasets are deleted too (one transaction). */
    delete(id: string, opts?: { withDatasets?: boolean }): Promise<void>;
    /** The stack (2-D slices of one shape) as a Z stack in OME-TIFF or OME-Zarr, as `datasets.exportOme` (no `key`). */
    exportOme(id: string, opts: OmeExportOptions): Promise<Blob | null>;
  };
  storage: {
    estimate(): Promise<StorageEstimate>;
    /** Ask the browser to keep this origin's data (navigator.storage.persist()); false where unavailable. */
    persist(): Promise<boolean>;
  };
  samples: {
    /** Write the sample datasets and stacks (source 'sample'), in one transaction. */
    create(): Promise<SamplesResult>;
    /** Create them only if they were never created in this database (null when they were, even if since deleted). */
    ensure(): Promise<SamplesResult | null>;
  };
  algorithms: {
    /** `opts.sha256`: the bundle hash it must have (else refused, nothing stored); `opts.builtin`: first-party. */
    install(source: BundleSource, opts?: InstallOptions): Promise<AlgorithmInfo>;
    /** Read and check a bundle as install would (name, version, bundle hash, files) without storing it. */
    inspect(source: BundleSource): Promise<BundleInspection>;
    /** The stored files of an algorithm: [{ path, size, sha256 }], by path. */
    files(id: string): Promise<BundleFileInfo[]>;
    /** Remember that the user trusts this algorithm's bundle (per bundle hash). Not enforced for API calls. */
    trust(id: string): Promise<void>;
    /** Built-ins: true; otherwise whether its bundle hash was trusted. */
    isTrusted(id: string): Promise<boolean>;
    /** A zip of the stored files (`<name>-<version>.zip` in the app) that installs with the same bundle hash. */
    exportZip(id: string): Promise<Uint8Array<ArrayBuffer>>;
    list(filter?: AlgorithmFilter): Promise<AlgorithmInfo[]>;
    get(nameOrId: string, version?: string): Promise<AlgorithmInfo>;
    remove(id: string): Promise<void>;
    readFile(id: string, path: string): Promise<Uint8Array>;
    /** Run the bundle's self-tests on a device: pass/fail per output with the worst element. */
    selfTest(id: string, device: 'cpu' | 'gpu'): Promise<SelfTestReport>;
    /** The last self-test report per device (for the installed bundle hash). */
    selfTestResults(id: string): Promise<SelfTestResults>;
  };
  execute(req: ExecuteRequest): Promise<string>;
  /**
   * A live preview: the algorithm (one that declares `[tool.algobox] preview = true`) on ONE 2-D plane of a
   * dataset (`plane.key`, default image/volume/mask; `plane.at`, the indices of the leading axes, default 0)
   * with these arguments (validated as a run's), in memory. Nothing is stored. Latest-wins: a request still
   * waiting when a newer one arrives resolves `{ superseded: true }`.
   */
  preview(algorithmId: string, datasetId: string, args?: Record<string, unknown>, plane?: PreviewPlane): Promise<PreviewAnswer>;
  executions: {
    get(id: string): Promise<ExecutionRecord>;
    list(): Promise<ExecutionRecord[]>;
    wait(id: string): Promise<ExecutionRecord>;
    cancel(id: string): Promise<ExecutionRecord>;
    subscribe(id: string, cb: ExecutionListener): () => void;
  };
  /** Click-to-segment on stored SAM embeddings (see docs/api.md, "Prompts"). */
  prompts: {
    /** One mask (uint8 [H, W] of the original image, 1 = object) for points [[x, y, label], …] (label 1 object, 0 background) and/or a box [x0, y0, x1, y1]. Always computed. */
    segment(req: { embeddingDatasetId: string } & PromptInput): Promise<NDArray<'uint8'>>;
    /** A latest-wins session on one embedding (for live interaction): superseded requests resolve `{ superseded: true }`. */
    open(embeddingDatasetId: string): Promise<PromptSession>;
    /** Embedding dataset ids computed from an image by an algorithm that declares a prompt decoder, newest first. */
    embeddingsFor(imageDatasetId: string): Promise<string[]>;
    /** Store a mask as a Segmentation dataset (one transaction); `meta.extra` records the image, the embedding and the prompts. Returns its id. */
    save(req: SaveMaskRequest): Promise<string>;
  };
  /** BEAT blocks: a declaration JSON and the JS module text exporting the algorithm class (see docs/beat.md). */
  blocks: {
    install(declaration: unknown, moduleSource: string, opts?: BlockInstallOptions): Promise<BlockInfo>;
    /** Sorted by id. */
    list(): Promise<BlockInfo[]>;
    get(id: string): Promise<BlockInfo>;
    /**
     * User data formats (docs/beat.md, "User data formats"): a library of `{ "<user>/<name>/<version>":
     * declaration }` that blocks copy the formats they use from at install (`blocks.install(…, { formats })`
     * installs them with the block).
     */
    formats: {
      /** Install (or replace) formats, all or none; rejects naming every problem (format, field, value, expectation). */
      install(formats: Record<string, unknown>): Promise<DataFormatInfo[]>;
      /** Sorted by name, with their compiled fields and the blocks that carry them. */
      list(): Promise<DataFormatInfo[]>;
      /** Remove one from the library (blocks keep their copies). */
      remove(name: string): Promise<void>;
    };
  };
  /** BEAT toolchains: sources → blocks → outputs (see docs/beat.md, "Toolchains"). */
  toolchains: {
    /** Check the toolchain (rejects naming every problem), read its sources, start it: the run id. */
    run(toolchain: unknown, options?: ToolchainRunOptions): Promise<string>;
    /** Per-block status, process() calls, outputs (stored streams) and analyzer results. */
    get(runId: string): Promise<ToolchainRunRecord>;
    /** Resolves when the run has finished (DONE or FAILED). */
    wait(runId: string): Promise<ToolchainRunRecord>;
    /** Newest first. */
    list(): Promise<ToolchainRunRecord[]>;
    /** Check a toolchain without running it (connections given or inferred, parameters, depths); rejects naming every problem. */
    check(toolchain: unknown): Promise<ToolchainCheck>;
    /** The app's built-in toolchains, built from the sample data (`toolchain` null and `problem` set when the samples are missing). */
    builtins(): Promise<BuiltinToolchainInfo[]>;
    /**
     * For each source of the toolchain whose format is one array `value` (an image, a mask, a volume):
     * the stored stacks and datasets that can feed it (a field converting to the format without loss)
     * and, for the others, why not — naming the dataset, the field, its dtype or shape and what the
     * format needs. Bind one by putting its `stackId` or `datasetIds` and `field` in the source.
     */
    sourceChoices(toolchain: unknown): Promise<SourceChoices[]>;
    /** The user's saved toolchains (sources bound, parameters set): save (checked first; `id` replaces one), list (last saved first), get, delete. */
    saved: {
      save(input: SaveToolchainInput): Promise<SavedToolchainRecord>;
      list(): Promise<SavedToolchainRecord[]>;
      get(id: string): Promise<SavedToolchainRecord>;
      delete(id: string): Promise<void>;
    };
    /** Cancel a running toolchain (its running blocks' workers are ended); resolves with the final record (CANCELLED). */
    cancel(runId: string): Promise<ToolchainRunRecord>;
    /** Delete a finished run (a running one is refused) and, with `withDatasets`, every dataset it stored; one transaction. Resolves with the deleted dataset ids. */
    delete(runId: string, opts?: { withDatasets?: boolean }): Promise<string[]>;
    /** `cb` gets the record now and on every change (status, live process() counts, outputs) until the run ends. Returns the unsubscribe. */
    subscribe(runId: string, cb: (rec: ToolchainRunRecord) => void): () => void;
  };
  /** WebGPU availability in this tab (probed once): `{ available, reason? }`. */
  gpu(): Promise<GpuInfo>;
  /** Diagnostics: every cached runner worker with its counters (module loads, loadAssets calls, model sessions), and the prompt worker's. */
  stats(): Promise<AlgoboxStats>;
  /** End every worker (runners, block workers, the prompt worker); later runs and prompts are refused. Stored data stays. */
  close(): Promise<void>;
}

/** A dataset to store from `datasets.put`'s arguments: checked (and validated against `meta.schema`), errors prefixed with `label`. */
function newDataset(label: string, fields: unknown, meta: PutMeta): NewDataset {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new Error(`${label}: fields must be an object of named NDArrays, e.g. {image: {dtype, shape, data}}.`);
  }
  let item = fields as Record<string, unknown>;
  try {
    if (meta.schema) item = validateItem(meta.schema, item);
  } catch (err) {
    throw new Error(`${label}${meta.name ? ` '${meta.name}'` : ''}: ${thrownMessage(err)}`, { cause: err });
  }
  return {
    fields: encodeItem(item),
    ...(meta.name ? { name: meta.name } : {}),
    source: meta.source ?? 'upload',
    schema: meta.schema ?? null,
    extra: meta.extra ?? {},
    ...(meta.axes ? { axes: meta.axes } : {}),
  };
}

/** What `algobox.stats()` reports. */
export interface AlgoboxStats {
  runners: Awaited<ReturnType<RunnerPool['stats']>>;
  prompts: Awaited<ReturnType<PromptService['stats']>>;
  /** Chunk records this page has read (the data plane's reads; a store given in the options is not counted). */
  chunks: ChunkReadStats;
}

export interface ChunkReadStats {
  /** Chunk records read since the page opened (`zarr.json` included), from storage or from the chunk cache. */
  reads: number;
  /** The last ones read (at most 512, oldest first), as `<array id>/<zarr key>`: `3f2a…/c/17/0/0`. */
  recent: string[];
  /** The in-memory chunk cache in front of storage (src/store/chunkCache.ts): hits, misses, bytes held. */
  cache: ChunkCacheStats;
}

const RECENT_CHUNK_READS = 512;

/**
 * Datasets written before the chunked data plane (whole-blob array fields) move onto chunked arrays in
 * the background, one dataset per transaction; both forms are readable meanwhile, and a shutdown stops it.
 */
function migrateInBackground(engine: Engine): void {
  const stop = new AbortController();
  engine.onShutdown(() => stop.abort());
  engine.store.migrateBlobFields({ signal: stop.signal }).then(
    (r) => {
      if (r.datasets > 0) console.info(`algobox: moved ${r.fields} field(s) of ${r.datasets} dataset(s) onto chunked arrays.`);
    },
    (e: unknown) => {
      if (!stop.signal.aborted) console.warn(`algobox: moving datasets onto chunked arrays stopped: ${thrownMessage(e)}`);
    },
  );
}

export function createAlgobox(opts: AlgoboxOptions): Algobox {
  let engineRef: Engine | null = null;
  const chunkReads: Omit<ChunkReadStats, 'cache'> = { reads: 0, recent: [] };
  const onChunkRead = (arrayId: string, key: string) => {
    chunkReads.reads++;
    chunkReads.recent.push(`${arrayId}/${key}`);
    if (chunkReads.recent.length > RECENT_CHUNK_READS) chunkReads.recent.splice(0, chunkReads.recent.length - RECENT_CHUNK_READS);
  };
  const engineP: Promise<Engine> = (async () => {
    const store = opts.store ?? (await openStore(opts.dbName ?? 'algobox', { hooks: { onChunkRead } }));
    const engine = new Engine({ ...opts, store, storageEstimate: estimate });
    engineRef = engine;
    await engine.recoverInterrupted();
    migrateInBackground(engine);
    return engine;
  })();

  const e = () => engineP;
  const pyramidBuilds = new Map<string, Promise<Awaited<ReturnType<Store['buildDatasetPyramid']>>>>();
  // The toolchain service (BEAT blocks, their checks) loads on first use or with `ready`, apart from
  // the first screen; it marks interrupted toolchain runs FAILED before it answers.
  let toolchainsP: Promise<ToolchainService> | null = null;
  const startToolchains = (): Promise<ToolchainService> =>
    engineP.then(async (en) => {
      const { ToolchainService } = await import('./engine/toolchains');
      const service = new ToolchainService(en.store, {
        workerFactory: opts.blockWorkerFactory ?? null,
        sandboxWorkerFactory: opts.sandboxBlockWorkerFactory ?? null,
        poolSize: opts.blockPoolSize,
        runners: en,
        engineId: en.engineId,
        isEngineAlive: opts.isEngineAlive,
      });
      en.onShutdown(() => service.shutdown());
      await service.recoverInterrupted();
      return service;
    });
  const tc = () => (toolchainsP ??= startToolchains());

  const storageManager = (): StorageManagerLike | null =>
    opts.storageManager !== undefined ? opts.storageManager : ((globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage ?? null);

  /** `navigator.storage.estimate()`, null where unavailable or failing. */
  async function estimate(): Promise<{ usage?: number; quota?: number } | null> {
    const sm = storageManager();
    return sm?.estimate ? sm.estimate().catch(() => null) : null;
  }

  async function persist(): Promise<boolean | null> {
    const sm = storageManager();
    if (!sm?.persist) return null;
    try {
      return await sm.persist();
    } catch {
      return null;
    }
  }

  const importFilesDetailed: Algobox['datasets']['importFilesDetailed'] = async (files, options) =>
    (await importModule()).importFiles(
      { decode: opts.decodeImageFile, maxImageBytes: opts.maxImageBytes, store: async () => (await e()).store, persist, estimate },
      files,
      options,
    );

  /** The sample set as store items (validated against their schemas) and stacks of them. */
  function sampleItems() {
    const s = makeSamples();
    const index = new Map(s.datasets.map((d, i) => [d.name, i]));
    const items: NewDataset[] = s.datasets.map((d) => ({
      fields: encodeItem(d.schema ? validateItem(d.schema, d.fields) : d.fields),
      name: d.name,
      source: 'sample',
      schema: d.schema,
      extra: d.extra,
      ...(d.axes ? { axes: d.axes } : {}),
    }));
    const stacks = s.stacks.map((st) => ({ name: st.name, source: 'sample', extra: st.extra, items: st.datasetNames.map((n) => index.get(n)!) }));
    return { items, stacks };
  }

  const usable = engineP.then(() => undefined);
  // Handled here too, so that a failed start is reported through `ready`/`usable` only when awaited.
  usable.catch(() => undefined);

  const api: Algobox = {
    usable,
    ready: engineP.then(async () => {
      if (opts.onReady) await opts.onReady(api);
      await tc();
    }),

    datasets: {
      async put(fields, meta = {}) {
        const [id] = await (await e()).store.putDatasets([newDataset('datasets.put', fields, meta)]);
        return id!;
      },
      async putMany(items) {
        if (!Array.isArray(items)) throw new Error('datasets.putMany: expected an array of {fields, meta}.');
        const news = items.map((it, i) => newDataset(`datasets.putMany: item ${i}`, (it as { fields?: unknown } | null)?.fields, it?.meta ?? {}));
        return (await e()).store.putDatasets(news);
      },
      async get(id, keys) {
        const rec = await (await e()).store.getDataset(id, keys);
        if (!rec) throw new Error(`Dataset not found: '${id}'.`);
        return rec;
      },
      async getMany(ids, keys) {
        if (!Array.isArray(ids)) throw new Error('datasets.getMany: expected an array of dataset ids.');
        const recs = await (await e()).store.getDatasets(ids, keys);
        return recs.map((r, i) => {
          if (!r) throw new Error(`Dataset not found: '${ids[i]}'.`);
          return r;
        });
      },
      async list() {
        return (await e()).store.listDatasets();
      },
      async delete(id) {
        await (await e()).store.deleteDatasets(Array.isArray(id) ? id : [id]);
      },
      async rename(id, name) {
        return (await e()).store.updateDataset(id, { name });
      },
      async setAxes(id, key, axes) {
        return (await e()).store.updateDataset(id, { axes: { [key]: axes } });
      },
      async importFiles(files, opts) {
        const r = await importFilesDetailed(files, opts);
        if (r.errors.length && !r.ids.length) throw new Error(r.errors.map((x) => `${x.file}: ${x.message}`).join('\n'));
        return r.ids;
      },
      importFilesDetailed,
      async openArray(id, key) {
        const reader = await (await e()).store.openDatasetArray(id, key);
        if (!reader) throw new Error(`Dataset not found: '${id}'.`);
        const { dtype, shape, chunkShape, levels } = reader;
        return { dtype, shape, chunkShape, levels, read: (region, o) => reader.read(region, o?.level ?? 0) };
      },
      async readRegion(id, key, region, o) {
        return (await e()).store.readDatasetArray(id, key, region, o?.level ?? 0);
      },
      async openUrl(url) {
        return (await zarrModule()).openRemoteZarr((await e()).store, url);
      },
      preloadZarrCodecs: () => warmZarrCodecs(),
      async importRemote(id) {
        return (await zarrModule()).copyRemoteDataset((await e()).store, id);
      },
      async pyramid(id, key, o) {
        // One build per field at a time in this page (a second viewer, or a re-mount, waits for it).
        const at = `${id}\u0000${key}`;
        let p = pyramidBuilds.get(at);
        if (!p) {
          p = (async () => (await e()).store.buildDatasetPyramid(id, key, { onProgress: o?.onProgress }))().finally(() => pyramidBuilds.delete(at));
          pyramidBuilds.set(at, p);
        }
        return (await p).map((l) => ({ shape: [...l.shape], chunkShape: [...l.chunkShape] }));
      },
      async saveEdited(req) {
        return (await e()).store.saveEditedDataset(req);
      },
      async createWriter(spec) {
        if (!spec || typeof spec !== 'object') throw new Error('datasets.createWriter: expected { key, dtype, shape, name?, schema?, … }.');
        const { key, dtype, shape } = spec;
        if (spec.schema) {
          // The schema's checks on dtype and axes, on a tiny stand-in of the same dtype (each axis at most 3 long).
          try {
            validateItem(spec.schema, {
              [key]: ndarray(
                dtype,
                shape.map((d) => Math.min(d, 3)),
              ),
            });
          } catch (err) {
            throw new Error(`datasets.createWriter${spec.name ? ` '${spec.name}'` : ''}: ${thrownMessage(err)}`, { cause: err });
          }
        }
        const store = (await e()).store;
        const staged = await store.createChunkedArray({ dtype, shape, ...(spec.chunkShape ? { chunkShape: spec.chunkShape } : {}) });
        return {
          write: (origin, block) => staged.write(origin, block),
          abort: () => staged.abort(),
          async commit() {
            const [id] = await store.putDatasets([
              {
                fields: { [key]: { kind: 'array', staged } },
                ...(spec.name ? { name: spec.name } : {}),
                source: spec.source ?? 'upload',
                schema: spec.schema ?? null,
                extra: spec.extra ?? {},
                ...(spec.axes ? { axes: { [key]: spec.axes } } : {}),
              },
            ]);
            return id!;
          },
        };
      },
      exportOme: async (id, o) => exportOme((await e()).store, { dataset: id }, o),
    },

    labelDrafts: {
      put: async (target, draft) => (await e()).store.putLabelDraft(target, draft),
      get: async (target) => (await e()).store.getLabelDraft(target),
      delete: async (target) => (await e()).store.deleteLabelDraft(target),
      list: async () => (await e()).store.listLabelDrafts(),
    },
    stacks: {
      list: async () => (await e()).store.listStacks(),
      async get(id) {
        const rec = await (await e()).store.getStack(id);
        if (!rec) throw new Error(`Stack not found: '${id}'.`);
        return rec;
      },
      async create(stack) {
        if (typeof stack !== 'object' || stack === null) throw new Error('stacks.create: expected {name, datasetIds, extra?}.');
        return (await e()).store.putStack({
          name: stack.name,
          datasetIds: stack.datasetIds,
          source: stack.source ?? 'user',
          ...(stack.extra !== undefined ? { extra: stack.extra } : {}),
        });
      },
      update: async (id, patch) => (await e()).store.updateStack(id, patch),
      rename: async (id, name) => (await e()).store.updateStack(id, { name }),
      delete: async (id, o) => (await e()).store.deleteStack(id, o),
      exportOme: async (id, o) => exportOme((await e()).store, { stack: id }, o),
    },

    storage: {
      async estimate() {
        const sm = storageManager();
        const [est, persisted, usage] = await Promise.all([
          sm?.estimate ? sm.estimate().catch(() => null) : Promise.resolve(null),
          sm?.persisted ? sm.persisted().catch(() => null) : Promise.resolve(null),
          e().then((en) => en.store.usage()),
        ]);
        return {
          usage: typeof est?.usage === 'number' ? est.usage : null,
          quota: typeof est?.quota === 'number' ? est.quota : null,
          persisted: typeof persisted === 'boolean' ? persisted : null,
          ...usage,
        };
      },
      persist: async () => (await persist()) ?? false,
    },

    samples: {
      async create() {
        const { items, stacks } = sampleItems();
        return (await (await e()).store.putDatasetsWithStacks(items, stacks, { flag: SAMPLES_FLAG }))!;
      },
      async ensure() {
        const engine = await e();
        if (await engine.store.getSetting(SAMPLES_FLAG)) return null;
        const { items, stacks } = sampleItems();
        return engine.store.putDatasetsWithStacks(items, stacks, { flag: SAMPLES_FLAG, onlyIfUnset: true });
      },
    },

    algorithms: {
      install: async (source, o) => (await e()).install(source, o),
      inspect: async (source) => (await e()).inspectBundle(source),
      files: async (id) => (await e()).algorithmFiles(id),
      trust: async (id) => (await e()).trust(id),
      isTrusted: async (id) => (await e()).isTrusted(id),
      exportZip: async (id) => (await e()).exportBundle(id),
      list: async (filter) => (await e()).listAlgorithms(filter),
      get: async (nameOrId, version) => (await e()).getAlgorithm(nameOrId, version),
      remove: async (id) => (await e()).removeAlgorithm(id),
      readFile: async (id, path) => (await e()).readAlgorithmFile(id, path),
      selfTest: async (id, device) => (await e()).selfTest(id, device),
      selfTestResults: async (id) => (await e()).selfTestResults(id),
    },

    execute: async (req) => (await e()).execute(req),
    preview: async (algorithmId, datasetId, args, plane) =>
      (await e()).preview({ algorithmId, datasetId, ...(args ? { args } : {}), ...(plane ? { plane } : {}) }),

    executions: {
      get: async (id) => (await e()).getExecution(id),
      list: async () => (await e()).listExecutions(),
      wait: async (id) => (await e()).wait(id),
      cancel: async (id) => (await e()).cancel(id),
      subscribe(id, cb) {
        if (engineRef) return engineRef.subscribe(id, cb);
        let un: (() => void) | null = null;
        let cancelled = false;
        void engineP.then((en) => {
          if (!cancelled) un = en.subscribe(id, cb);
        });
        return () => {
          cancelled = true;
          un?.();
        };
      },
    },

    prompts: {
      async segment(req) {
        if (!req || typeof req !== 'object') throw new Error('prompts.segment: expected { embeddingDatasetId, points: [[x, y, label], …], box? }.');
        const { embeddingDatasetId, ...prompts } = req;
        return (await (await e()).prompts.segment(embeddingDatasetId, prompts)).mask;
      },
      open: async (id) => (await e()).prompts.open(id),
      embeddingsFor: async (id) => (await e()).prompts.embeddingsFor(id),
      save: async (req) => (await e()).prompts.save(req),
    },

    blocks: {
      install: async (declaration, moduleSource, o) => (await tc()).installBlock(declaration, moduleSource, o),
      list: async () => (await tc()).listBlocks(),
      get: async (id) => (await tc()).getBlock(id),
      formats: {
        install: async (formats) => (await tc()).installFormats(formats),
        list: async () => (await tc()).listFormats(),
        remove: async (name) => (await tc()).removeFormat(name),
      },
    },

    toolchains: {
      run: async (toolchain, o) => (await tc()).run(toolchain, o),
      get: async (id) => (await tc()).get(id),
      wait: async (id) => (await tc()).wait(id),
      list: async () => (await tc()).list(),
      cancel: async (id) => (await tc()).cancel(id),
      check: async (t) => (await tc()).check(t),
      delete: async (id, o) => (await tc()).delete(id, o),
      sourceChoices: async (t) => (await tc()).sourceChoices(t),
      saved: {
        save: async (input) => (await tc()).saved.save(input),
        list: async () => (await tc()).saved.list(),
        get: async (id) => (await tc()).saved.get(id),
        delete: async (id) => (await tc()).saved.delete(id),
      },
      builtins: async () => {
        const en = await e();
        const [datasets, stacks, { BUILTIN_TOOLCHAINS }] = await Promise.all([
          en.store.listDatasets(),
          en.store.listStacks(),
          import('./blocks/builtinToolchains'),
        ]);
        return BUILTIN_TOOLCHAINS.map(({ id, name, description, build }): BuiltinToolchainInfo => {
          try {
            return { id, name, description, toolchain: build(datasets, stacks), problem: null };
          } catch (err) {
            return { id, name, description, toolchain: null, problem: thrownMessage(err) };
          }
        });
      },
      subscribe: (id, cb) => {
        let off: (() => void) | null = null;
        let stopped = false;
        void tc().then((service) => {
          if (!stopped) off = service.subscribe(id, cb);
        });
        return () => {
          stopped = true;
          off?.();
        };
      },
    },

    gpu: async () => (await e()).gpu(),
    stats: async () => {
      const en = await e();
      const [runners, prompts] = await Promise.all([en.pool.stats(), en.prompts.stats()]);
      return { runners, prompts, chunks: { reads: chunkReads.reads, recent: [...chunkReads.recent], cache: en.store.chunkCacheStats() } };
    },
    close: async () => {
      const en = await e();
      if (toolchainsP) await toolchainsP.catch(() => undefined);
      en.shutdown();
    },
  };
  return api;
}

/** A built-in toolchain as the API lists it. */
export interface BuiltinToolchainInfo {
  id: string;
  name: string;
  description: string;
  toolchain: ToolchainJson | null;
  problem: string | null;
}

export type { ToolchainCheck, BlockInfo, BlockInstallOptions, DataFormatInfo, ToolchainRunOptions, ToolchainRunRecord, BlockRunRecord };
export type { BindingCandidate, SaveToolchainInput, SavedToolchainRecord, SourceBinding, SourceChoices };
export type { ExecuteRequest, AlgorithmFilter, BundleSource, StackRecord, InstallOptions, BundleFileInfo, BundleInspection };
export type { SelfTestReport, SelfTestResults, Region };
export type { Axis, Channel, ImageAxes } from './core/imageAxes';
export type { OmeExportOptions, OmeFormat } from './engine/exportOme';
export type { PromptInput, PromptResult, PromptSession, SaveMaskRequest } from './engine/prompts';
export type { PreviewAnswer, PreviewPlane, PreviewResult } from './engine/previews';
export type { ImageFileDecoder, ImportBytes, ImportEntry, ImportError, ImportLayout, ImportOptions, ImportResult } from './engine/importFiles';
export { AUTO_VOLUME_BYTES, DEFAULT_PERSIST_THRESHOLD_BYTES } from './engine/importDefaults';
export const SCHEMA_NAMES = Object.keys(DATA_SCHEMAS) as DataSchemaName[];
