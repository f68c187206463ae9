// The public API: the one door for the UI, scripts and tests; also `window.algobox` in the app.
// Shapes are plain data: NDArrays cross as {dtype, shape, data} with a typed array; failures reject
// with an Error whose message is the human-readable reason. See docs/api.md.
import { encodeItem } from './core/datasetCodec';
import { DATA_SCHEMAS, validateItem, type DataSchemaName } from './core/dataSchemas';
import type { AlgorithmFilter } from './core/algorithmQuery';
import type { AlgorithmInfo, DatasetMeta, DatasetRecord, ExecutionRecord } from './core/records';
import { Engine, type EngineOptions, type ExecuteRequest, type ExecutionListener } from './engine/engine';
import type { BundleSource } from './engine/bundleSource';
import { openStore, type Store } from './store/index';

export interface PutMeta {
  name?: string;
  source?: string;
  /** Validate the fields against a built-in data schema before storing (e.g. "Image"). */
  schema?: DataSchemaName;
  extra?: Record<string, unknown>;
}

export interface ImportResult {
  ids: string[];
  /** Files that could not be read, each with the reason; the rest were imported. */
  errors: { file: string; message: string }[];
}

/** Decodes one image file into 2-D images (one per page). Injected by the app (needs a browser for JPEG). */
export type ImageFileDecoder = (file: Blob & { name?: string }) => Promise<{ image: import('./core/ndarray').NDArray; page: number; pages: number }[]>;

export interface AlgoboxOptions extends Omit<EngineOptions, 'store'> {
  /** IndexedDB database name (default "algobox"). */
  dbName?: string;
  store?: Store;
  decodeImageFile?: ImageFileDecoder;
  /** Called once the store is open and interrupted runs are recovered (e.g. install built-ins). */
  onReady?: (api: Algobox) => Promise<void>;
}

export interface Algobox {
  /** Resolves when the store is open, interrupted runs are marked FAILED and built-ins are installed. */
  ready: Promise<void>;
  datasets: {
    put(fields: Record<string, unknown>, meta?: PutMeta): Promise<string>;
    get(id: string, keys?: string[]): Promise<DatasetRecord>;
    list(): Promise<DatasetMeta[]>;
    delete(id: string | string[]): Promise<void>;
    rename(id: string, name: string): Promise<DatasetMeta>;
    importFiles(files: Iterable<Blob & { name?: string }> | ArrayLike<Blob & { name?: string }>): Promise<string[]>;
    importFilesDetailed(
      files: Iterable<Blob & { name?: string }> | ArrayLike<Blob & { name?: string }>,
      onProgress?: (done: number, total: number) => void,
    ): Promise<ImportResult>;
  };
  algorithms: {
    install(source: BundleSource, opts?: { builtin?: boolean }): Promise<AlgorithmInfo>;
    list(filter?: AlgorithmFilter): Promise<AlgorithmInfo[]>;
    get(nameOrId: string, version?: string): Promise<AlgorithmInfo>;
    remove(id: string): Promise<void>;
    readFile(id: string, path: string): Promise<Uint8Array>;
  };
  execute(req: ExecuteRequest): Promise<string>;
  executions: {
    get(id: string): Promise<ExecutionRecord>;
    list(): Promise<ExecutionRecord[]>;
    wait(id: string): Promise<ExecutionRecord>;
    cancel(id: string): Promise<ExecutionRecord>;
    subscribe(id: string, cb: ExecutionListener): () => void;
  };
  /** Low-level access for the app and tests (the engine and its store). */
  engine(): Promise<Engine>;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

export function createAlgobox(opts: AlgoboxOptions): Algobox {
  let engineRef: Engine | null = null;
  const engineP: Promise<Engine> = (async () => {
    const store = opts.store ?? (await openStore(opts.dbName ?? 'algobox'));
    const engine = new Engine({ ...opts, store });
    engineRef = engine;
    await engine.recoverInterrupted();
    return engine;
  })();

  const e = () => engineP;

  async function importFilesDetailed(
    files: Iterable<Blob & { name?: string }> | ArrayLike<Blob & { name?: string }>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    const decode = opts.decodeImageFile;
    if (!decode) throw new Error('importFiles needs an image decoder (available in the browser app).');
    const list = Array.from(files as ArrayLike<Blob & { name?: string }>).sort((a, b) => naturalCompare(a.name ?? '', b.name ?? ''));
    const engine = await e();
    const ids: string[] = [];
    const errors: ImportResult['errors'] = [];
    let done = 0;
    for (const f of list) {
      const name = f.name ?? 'file';
      try {
        const pages = await decode(f);
        const items = pages.map((p) => {
          validateItem(DATA_SCHEMAS.Image, { image: p.image });
          return {
            fields: encodeItem({ image: p.image }),
            name: p.pages > 1 ? `${name} [${p.page + 1}/${p.pages}]` : name,
            source: 'upload',
            schema: 'Image',
            extra: { file: name, page: p.page, pages: p.pages, stack: p.pages > 1 ? name : null },
          };
        });
        ids.push(...(await engine.store.putDatasets(items)));
      } catch (err) {
        errors.push({ file: name, message: (err as Error).message });
      }
      onProgress?.(++done, list.length);
    }
    return { ids, errors };
  }

  const api: Algobox = {
    ready: engineP.then(async () => {
      if (opts.onReady) await opts.onReady(api);
    }),

    datasets: {
      async put(fields, meta = {}) {
        if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
          throw new Error('datasets.put: fields must be an object of named NDArrays, e.g. {image: {dtype, shape, data}}.');
        }
        const item = meta.schema ? validateItem(meta.schema, fields) : fields;
        const engine = await e();
        const [id] = await engine.store.putDatasets([
          {
            fields: encodeItem(item as Record<string, unknown>),
            ...(meta.name ? { name: meta.name } : {}),
            source: meta.source ?? 'upload',
            schema: meta.schema ?? null,
            extra: meta.extra ?? {},
          },
        ]);
        return id!;
      },
      async get(id, keys) {
        const rec = await (await e()).store.getDataset(id, keys);
        if (!rec) throw new Error(`Dataset not found: '${id}'.`);
        return rec;
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
      async importFiles(files) {
        const r = await importFilesDetailed(files);
        if (r.errors.length && !r.ids.length) throw new Error(r.errors.map((x) => `${x.file}: ${x.message}`).join('\n'));
        return r.ids;
      },
      importFilesDetailed,
    },

    algorithms: {
      install: async (source, o) => (await e()).install(source, o),
      list: async (filter) => (await e()).listAlgorithms(filter),
      get: async (nameOrId, version) => (await e()).getAlgorithm(nameOrId, version),
      remove: async (id) => (await e()).removeAlgorithm(id),
      readFile: async (id, path) => (await e()).readAlgorithmFile(id, path),
    },

    execute: async (req) => (await e()).execute(req),

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

    engine: e,
  };
  return api;
}

export type { ExecuteRequest, AlgorithmFilter, BundleSource };
export { Engine };
export const SCHEMA_NAMES = Object.keys(DATA_SCHEMAS) as DataSchemaName[];
