// The message boundary between the engine (page) and a runner host (worker). Everything bundle code
// can reach goes through HostApi; the engine validates every value that arrives through it.
// Both interfaces keep to structured-cloneable values: the same code runs in a same-origin module
// worker (built-in bundles) and in a classic worker inside an opaque-origin sandboxed iframe
// (third-party bundles; see docs/security.md). The engine calls a worker over Comlink; the worker
// calls the engine's HostApi over a MessagePort the engine serves with a strict dispatcher
// (engine/hostRpc.ts), never with Comlink's expose.
import type { StoredField, FieldKind, LogLevel } from './records';
import type { DType, NDArray } from './ndarray';
import type { ArrayRegion } from './lazyArrays';
import type { ImageAxes } from './imageAxes';

export type RawFields = Record<string, { kind: FieldKind; array: NDArray } | null>;

/** One field of a stored dataset as describeData tells it: what it is, without reading it. */
export interface ArrayFieldInfo {
  kind: FieldKind;
  dtype: DType;
  shape: number[];
  /** The chunk shape (a small field is one chunk: its shape). */
  chunks: number[];
  /**
   * What the axes mean (names t/c/z/y/x, units, physical sizes, channels; src/core/imageAxes.ts): as
   * stored with the dataset, else the defaults for its shape; null for fields that are not arrays.
   */
  axes: ImageAxes | null;
}

/** What describeData returns per dataset. */
export interface DatasetArrays {
  schema: string | null;
  fields: Record<string, ArrayFieldInfo>;
  /**
   * The image its `mask` was made from (followed through `extra.madeFrom`, src/engine/sourceImage.ts), of the
   * same Y × X size; null when unknown. A bundle may read it as it reads its inputs.
   */
  sourceImage: string | null;
}

/** A new output array (createArray): written block by block, invisible until posted. */
export interface NewArraySpec {
  dtype: DType;
  shape: number[];
  /** Chunk shape; default: src/core/chunkPolicy.ts. */
  chunks?: number[] | null;
}

/** An output array of this execution, by handle. */
export interface OutputArrayInfo {
  handle: string;
  dtype: DType;
  shape: number[];
  chunks: number[];
}

/** A field of a postData item that is an output array written with writeArray (committed with its dataset). */
export interface StagedFieldRef {
  kind: 'array';
  staged: string;
}

/** What the worker may ask of the engine, for one execution (or for loadAssets of one runner). */
export interface HostApi {
  /** Fields of each dataset, in id order; keys null = every key; a requested key that is absent is null. */
  fetchData(ids: string[], keys: string[] | null): Promise<RawFields[]>;
  /** Store items (already encoded); schemaName is a built-in data schema or null for a custom one. Returns new ids in order. */
  postData(items: Record<string, StoredField | StagedFieldRef>[], schemaName: string | null): Promise<string[]>;
  /** Lazy arrays: the fields of each dataset (kind, dtype, shape, chunks, axes) without reading them; same access rules as fetchData. */
  describeData(ids: string[]): Promise<DatasetArrays[]>;
  /** Set what the axes of field `key` of a dataset this execution posted mean (instead of what it inherited from its input). */
  setOutputAxes(id: string, key: string, axes: ImageAxes): Promise<void>;
  /** `region` (null: all) of field `key`; only the chunks it touches are read; the bytes are transferred. */
  readArray(id: string, key: string, region: ArrayRegion | null): Promise<NDArray>;
  /** A new output array, counted against the run's byte limit; posted as a field `{kind: 'array', staged: handle}`. */
  createArray(spec: NewArraySpec): Promise<OutputArrayInfo>;
  /** Write `block` with its first element at `origin` (the block's bytes are transferred when it owns its buffer). */
  writeArray(handle: string, origin: number[], block: NDArray): Promise<void>;
  /** Drop an output array that will not be posted (the run's end drops every one not posted). */
  abortArray(handle: string): Promise<void>;
  /** Read back `region` (null: all) of an output array not yet posted (what was never written reads as 0). */
  readOutput(handle: string, region: ArrayRegion | null): Promise<NDArray>;
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

/**
 * What a runner worker exposes to the engine (over Comlink): the runner host, with `execute` taking
 * the MessagePort on which the engine serves this execution's HostApi.
 */
export interface RunnerWorkerApi extends Omit<RunnerHostApi, 'execute'> {
  execute(req: ExecuteRequest, hostPort: MessagePort): Promise<ExecuteResult>;
}

/** What the engine may ask of a runner host. */
export interface RunnerHostApi {
  /** Give the host its bundle. Idempotent for the same algorithm id. */
  init(bundle: BundleCode): Promise<void>;
  /** Run one execution; loads the module and runs loadAssets on first use. */
  execute(req: ExecuteRequest, host: HostApi): Promise<ExecuteResult>;
  /**
   * The live preview of a bundle that declares `[tool.algobox] preview = true`: its entry module's
   * `preview(image, args)` on one 2-D image (validated args), in memory; no HostApi, nothing stored.
   */
  preview(image: NDArray, args: Record<string, unknown>): Promise<NDArray>;
  /** Counters for tests and diagnostics. */
  stats(): Promise<RunnerHostStats>;
  /** Release what the cached runner holds (model sessions) before the worker is terminated. */
  release(): Promise<void>;
}

/** onnxruntime-web's CPU build as the sandbox worker receives it (bytes from the app's own build). */
export interface SandboxOrtFiles {
  /** ort.wasm.min.mjs */
  ortMjs: ArrayBuffer;
  /** ort-wasm-simd-threaded.mjs (the emscripten glue; also what its pthread workers import). */
  wasmMjs: ArrayBuffer;
  /** ort-wasm-simd-threaded.wasm, given to ORT as wasmBinary. */
  wasm: ArrayBuffer;
}

/** What a sandboxed runner worker may ask of the engine besides the HostApi of an execution. */
export interface SandboxServices {
  /** The ORT files, once per worker. */
  ortFiles(): Promise<SandboxOrtFiles>;
}
