// A model session as bundle code sees it: NDArrays in, NDArrays out, feeds checked against the
// model's declared inputs (names, dtypes, static dimensions) with messages that name the input.
// Wraps an onnxruntime-web InferenceSession; bundles never touch ORT directly.
import type * as Ort from 'onnxruntime-web';
import { isNDArray, ndarray, sizeOf, type DType, type NDArray } from '../core/ndarray';
import type { LogLevel } from '../core/records';
import { thrownMessage } from '../core/describeValue';

export type OnnxLog = (level: LogLevel, message: string) => Promise<void> | void;

/** An int64 feed (NDArray has no int64): `{ type: "int64", data: BigInt64Array, dims }`. */
export interface Int64Feed {
  type: 'int64';
  data: BigInt64Array;
  dims: number[];
}

export interface OnnxSessionInfo {
  /** Bundle-relative path of the model. */
  name: string;
  provider: 'webgpu' | 'wasm';
  /** WASM threads (0 on WebGPU). */
  threads: number;
}

export interface OnnxInputInfo {
  name: string;
  /** ORT element type ("float32", "int64", …). */
  type: string;
  /** Declared shape: numbers for fixed dimensions, strings for symbolic ones. */
  shape: (number | string)[];
}

const TO_ORT: Partial<Record<DType, string>> = {
  float32: 'float32',
  float64: 'float64',
  float16: 'float16',
  int32: 'int32',
  uint32: 'uint32',
  int16: 'int16',
  uint16: 'uint16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

const FROM_ORT: Record<string, DType> = Object.fromEntries(Object.entries(TO_ORT).map(([d, t]) => [t, d as DType]));

export class OnnxSession {
  readonly name: string;
  private _provider: 'webgpu' | 'wasm';
  private _threads: number;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs so far (for diagnostics). */
  runs = 0;
  private released = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ort: typeof Ort,
    private session: Ort.InferenceSession,
    info: OnnxSessionInfo,
    private readonly onRelease: () => void,
    /** For a WebGPU session: builds the same model on WASM, used once if WebGPU fails at run time. */
    private readonly wasmFallback: (() => Promise<{ session: Ort.InferenceSession; threads: number }>) | null = null,
    private readonly log: OnnxLog = () => undefined,
  ) {
    this.name = info.name;
    this._provider = info.provider;
    this._threads = info.threads;
    this.inputNames = Object.freeze([...session.inputNames]);
    this.outputNames = Object.freeze([...session.outputNames]);
  }

  /** Where the model runs: "webgpu" or "wasm" (it changes to "wasm" if WebGPU fails at run time). */
  get provider(): 'webgpu' | 'wasm' {
    return this._provider;
  }

  /** WASM threads (0 on WebGPU). */
  get threads(): number {
    return this._threads;
  }

  /** The model's declared inputs. */
  get inputs(): OnnxInputInfo[] {
    return this.session.inputMetadata.map((m) => ({
      name: m.name,
      type: m.isTensor ? String(m.type) : 'non-tensor',
      shape: m.isTensor ? [...(m.shape as (number | string)[])] : [],
    }));
  }

  /**
   * Run the model. `feeds` maps every input name to an NDArray (or an int64 feed); `outputs` picks
   * which outputs to compute (default: all). Returns NDArrays (int64 outputs become float64).
   * Calls on one session run one after another.
   */
  run(feeds: Record<string, NDArray | Int64Feed>, outputs?: readonly string[]): Promise<Record<string, NDArray>> {
    const next = this.queue.then(() => this.runNow(feeds, outputs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(feeds: Record<string, NDArray | Int64Feed>, outputs?: readonly string[]): Promise<Record<string, NDArray>> {
    if (this.released) throw new Error(`The session of ${this.name} was released.`);
    if (!feeds || typeof feeds !== 'object') throw new Error(`run(${this.name}): feeds must be an object of input name → NDArray.`);
    const tensors: Record<string, Ort.Tensor> = {};
    const meta = new Map(this.session.inputMetadata.map((m) => [m.name, m]));
    for (const k of Object.keys(feeds)) {
      if (!meta.has(k)) throw new Error(`run(${this.name}): the model has no input '${k}'; its inputs are ${this.inputNames.join(', ')}.`);
    }
    for (const name of this.inputNames) {
      const v = feeds[name];
      if (v === undefined) throw new Error(`run(${this.name}): input '${name}' is missing; the model's inputs are ${this.inputNames.join(', ')}.`);
      const m = meta.get(name)!;
      let type: string;
      let dims: number[];
      let data: Ort.Tensor.DataType;
      if (isNDArray(v)) {
        const t = TO_ORT[v.dtype];
        if (!t) throw new Error(`run(${this.name}): input '${name}' has dtype ${v.dtype}, which onnxruntime cannot take.`);
        type = t;
        dims = [...v.shape];
        data = v.data as Ort.Tensor.DataType;
      } else if (v && typeof v === 'object' && (v as Int64Feed).type === 'int64' && (v as Int64Feed).data instanceof BigInt64Array) {
        type = 'int64';
        dims = [...(v as Int64Feed).dims];
        data = (v as Int64Feed).data;
        if (sizeOf(dims) !== data.length) throw new Error(`run(${this.name}): input '${name}' has ${data.length} values for shape [${dims.join(', ')}].`);
      } else {
        throw new Error(`run(${this.name}): input '${name}' must be an NDArray (or { type: "int64", data: BigInt64Array, dims }).`);
      }
      if (m.isTensor) {
        if (String(m.type) !== type) {
          throw new Error(`run(${this.name}): input '${name}' must be ${String(m.type)}, got ${type}.`);
        }
        const want = m.shape as (number | string)[];
        const bad = want.length !== dims.length || want.some((d, i) => typeof d === 'number' && d >= 0 && d !== dims[i]);
        if (bad) {
          throw new Error(`run(${this.name}): input '${name}' must have shape [${want.join(', ')}], got [${dims.join(', ')}].`);
        }
      }
      tensors[name] = new this.ort.Tensor(type as 'float32', data as Float32Array, dims);
    }
    if (outputs) {
      for (const o of outputs)
        if (!this.outputNames.includes(o))
          throw new Error(`run(${this.name}): the model has no output '${o}'; its outputs are ${this.outputNames.join(', ')}.`);
    }
    const runOn = (session: Ort.InferenceSession) => (outputs ? session.run(tensors, [...outputs]) : session.run(tensors));
    let result: Ort.InferenceSession.ReturnType;
    try {
      result = await runOn(this.session);
    } catch (e) {
      // WebGPU lacks some kernels (e.g. MaxPool with ceil_mode) and only says so at run time: move
      // the model to WASM once, say why, and run again.
      if (this._provider !== 'webgpu' || !this.wasmFallback) throw e;
      await this.log('WARNING', `WebGPU could not run ${this.name} (${thrownMessage(e)}); running it on WASM from now on.`);
      const next = await this.wasmFallback();
      const old = this.session;
      this.session = next.session;
      this._provider = 'wasm';
      this._threads = next.threads;
      await old.release().catch(() => undefined);
      result = await runOn(this.session);
    }
    this.runs++;
    const out: Record<string, NDArray> = {};
    for (const [k, t] of Object.entries(result)) {
      const dims = [...t.dims];
      if (t.type === 'int64' || t.type === 'uint64') {
        const src = (await t.getData()) as BigInt64Array | BigUint64Array;
        out[k] = ndarray(
          'float64',
          dims,
          Float64Array.from(src, (x) => Number(x)),
        );
      } else {
        const dtype = FROM_ORT[t.type];
        if (!dtype) throw new Error(`run(${this.name}): output '${k}' has type ${t.type}, which algobox cannot hold.`);
        const data = (await t.getData(true)) as NDArray['data'];
        out[k] = ndarray(dtype, dims, data);
      }
      t.dispose();
    }
    return out;
  }

  /** Free the session's memory (WASM heap or GPU buffers). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    await this.session.release();
    this.onRelease();
  }

  get isReleased(): boolean {
    return this.released;
  }
}
