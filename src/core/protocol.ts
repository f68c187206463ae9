// The message boundary between the engine (page) and a runner host (worker). Everything bundle code
// can reach goes through HostApi; the engine validates every value that arrives through it.
// Both interfaces are used over Comlink today and keep to structured-cloneable values so the
// transport can move into a sandboxed iframe's worker without changing shape.
import type { StoredField, FieldKind, LogLevel } from './records';
import type { NDArray } from './ndarray';

export type RawFields = Record<string, { kind: FieldKind; array: NDArray } | null>;

/** What the worker may ask of the engine, for one execution (or for loadAssets of one runner). */
export interface HostApi {
  /** Fields of each dataset, in id order; keys null = every key; a requested key that is absent is null. */
  fetchData(ids: string[], keys: string[] | null): Promise<RawFields[]>;
  /** Store items (already encoded); schemaName is a built-in data schema or null for a custom one. Returns new ids in order. */
  postData(items: Record<string, StoredField>[], schemaName: string | null): Promise<string[]>;
  fetchAsset(path: string): Promise<Uint8Array>;
  log(level: LogLevel, message: string): Promise<void>;
  progress(p: number): Promise<void>;
  /** Pipeline milestones: 'RUNNING' when preprocess starts; stage timings in ms. */
  stage(name: 'running' | 'preprocess' | 'inference' | 'postprocess', ms?: number): Promise<void>;
  sessionSave(key: string, value: unknown): Promise<void>;
  sessionLoad(key: string): Promise<unknown>;
  sessionRemove(key: string): Promise<void>;
}

/** The bundle as a runner host receives it: code as text (the worker links it), assets stay with the engine. */
export interface BundleCode {
  algorithmId: string;
  name: string;
  version: string;
  entry: string;
  /** Bundle-relative path → source text, for every code file. */
  modules: Record<string, string>;
  device: 'cpu' | 'gpu';
}

export interface ExecuteRequest {
  executionId: string;
  inputDatasetIds: string[];
  args: Record<string, unknown>;
}

export interface ExecuteResult {
  outputDatasetIds: unknown;
  /** ms spent loading the module and running loadAssets (0 when the runner was cached). */
  loadMs: number;
}

export interface RunnerHostStats {
  loadAssetsCalls: number;
  executions: number;
  moduleLoads: number;
  /** ONNX sessions created / released in this worker, and the model bytes loaded. */
  modelLoads: number;
  modelsReleased: number;
  modelBytes: number;
}

/** What the engine may ask of a runner host. */
export interface RunnerHostApi {
  /** Give the host its bundle. Idempotent for the same algorithm id. */
  init(bundle: BundleCode): Promise<void>;
  /** Run one execution; loads the module and runs loadAssets on first use. */
  execute(req: ExecuteRequest, host: HostApi): Promise<ExecuteResult>;
  /** Counters for tests and diagnostics. */
  stats(): Promise<RunnerHostStats>;
  /** Release what the cached runner holds (model sessions) before the worker is terminated. */
  release(): Promise<void>;
}
