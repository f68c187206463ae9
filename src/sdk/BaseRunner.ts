// BaseRunner: what every bundle's Runner extends (directly or through a typed runner).
// preprocess → inference → postprocess, with data, assets, logging, progress and the session cache
// reached only through the engine (HostApi). See docs/bundle-format.md.
import type { ImageAxes } from '../core/imageAxes';
import type { z } from 'zod';
import { DATA_SCHEMAS, schemaNameOf, validateItem, type DataSchemaName } from '../core/dataSchemas';
import type { NDArray } from '../core/ndarray';
import { decodeFields, encodeItem } from '../core/datasetCodec';
import { LOG_LEVELS, type LogLevel } from '../core/records';
import type { DatasetArrays, HostApi, StagedFieldRef } from '../core/protocol';
import type { StoredField } from '../core/records';
import { LazyArray, OutputArray, checkNewArray } from './lazyArrays';
import { adoptRunner, internalsOf } from './runnerState';
import type { OnnxSession } from './OnnxSession';
import type { OnnxModelOptions } from './onnxRuntime';
import { thrownMessage } from '../core/describeValue';
import { FETCH_BATCH, batches } from './transfer';

/** A data schema: a built-in name ("Image", "Segmentation", …), a built-in schema object, or any zod object schema. */
export type SchemaLike = DataSchemaName | (string & {}) | z.ZodType;

/** What preprocess receives, as in the reference (`input_data["input_dataset_ids"]`), in TS casing plus the original key. */
export interface InputData {
  inputDatasetIds: string[];
  /** Same list under the reference's name, for code ported from Python. */
  input_dataset_ids: string[];
}

export type Args = Record<string, unknown>;

function resolveSchema(schema: unknown, where: string): { zod: z.ZodType; name: DataSchemaName | null } {
  if (typeof schema === 'string') {
    const s = (DATA_SCHEMAS as Record<string, z.ZodType>)[schema];
    if (!s) throw new Error(`${where}: unknown schema '${schema}'; built-in schemas are ${Object.keys(DATA_SCHEMAS).join(', ')}.`);
    return { zod: s, name: schema as DataSchemaName };
  }
  if (schema && typeof schema === 'object' && typeof (schema as z.ZodType).safeParse === 'function') {
    return { zod: schema as z.ZodType, name: schemaNameOf(schema as z.ZodType) };
  }
  throw new Error(`${where}: expected a data schema (e.g. ImageSchema or "Image"), got ${schema === null ? 'null' : typeof schema}.`);
}

/**
 * Validate an item against `zod` and encode it; an OutputArray field is checked by its dtype and shape
 * (it is not in memory) and sent as a reference the engine commits with the dataset.
 */
function encodeWithOutputs(zod: z.ZodType, item: Record<string, unknown>, i: number): Record<string, StoredField | StagedFieldRef> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return encodeItem(validateItem(zod, item, i));
  const outputs = Object.entries(item).filter((e): e is [string, OutputArray] => e[1] instanceof OutputArray);
  if (outputs.length === 0) return encodeItem(validateItem(zod, item, i));
  const view = { ...item };
  for (const [k, out] of outputs) view[k] = out.schemaStandIn();
  const valid = validateItem(zod, view, i);
  // Keys the schema dropped (unknown to it) are not posted, as for in-memory fields.
  const kept = outputs.filter(([k]) => Object.hasOwn(valid, k));
  for (const [k] of kept) delete valid[k];
  const encoded: Record<string, StoredField | StagedFieldRef> = encodeItem(valid);
  for (const [k, out] of kept) encoded[k] = out.toField();
  return encoded;
}

function noHost(): never {
  throw new Error('This runner is not attached to an algobox engine (it was constructed outside an execution).');
}

export class BaseRunner {
  /** The reference's algorithm type of this runner class. */
  static algorithmType = 'Generic';

  constructor() {
    // Returning the proxy makes subclass constructors and class fields go through the attribute rules.
    return adoptRunner(this) as BaseRunner;
  }

  /** The device this runner runs on: "cpu" or "gpu" (WebGPU). Read-only. */
  get device(): 'cpu' | 'gpu' {
    return internalsOf(this).device;
  }

  /** Id of the execution this instance serves (null inside loadAssets). */
  get executionId(): string | null {
    return internalsOf(this).executionId;
  }

  protected get host(): HostApi {
    return internalsOf(this).host ?? noHost();
  }

  // ── the pipeline (override these) ──

  async preprocess(_inputData: InputData, _args: Args): Promise<unknown> {
    throw new Error('The preprocess method is not implemented. Please implement the preprocess method in the algorithm Runner class.');
  }

  async inference(_data: unknown, _args: Args): Promise<unknown> {
    throw new Error('The inference method is not implemented. Please implement the inference method in the algorithm Runner class.');
  }

  async postprocess(_data: unknown, _args: Args): Promise<string[]> {
    throw new Error('The postprocess method is not implemented. Please implement the postprocess method in the algorithm Runner class.');
  }

  /** Load models and other assets once per cached runner; attributes assigned here are shared and locked. */
  async loadAssets(): Promise<void> {}

  // ── data ──

  /**
   * Fetch datasets and validate each against `schema`. With keys, only those fields are read
   * (a key the dataset lacks is null); without, every field. Typed runners bind the schema:
   * there it is `fetchData(ids, ...keys)`; `fetchDataAs` takes an explicit schema in every runner.
   */
  async fetchData(ids: string[], schema: SchemaLike, ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, schema, ...keys);
  }

  /**
   * Validate items against `schema`, store each as a new dataset and return their ids in order. The
   * arrays' buffers are transferred to the engine, not copied: afterwards they are empty (detached)
   * here, so post a copy (`copy(a)`) of an array you still need.
   */
  async postData(items: Record<string, unknown>[], schema: SchemaLike): Promise<string[]> {
    return this.postDataAs(items, schema);
  }

  async fetchDataAs(ids: string[], schema: SchemaLike, ...keys: string[]): Promise<Record<string, unknown>[]> {
    if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
      throw new Error(`fetchData: ids must be an array of dataset id strings, got ${JSON.stringify(ids)?.slice(0, 80)}.`);
    }
    for (const k of keys) if (typeof k !== 'string') throw new Error(`fetchData: keys must be strings, got ${typeof k}.`);
    const { zod } = resolveSchema(schema, 'fetchData');
    // FETCH_BATCH datasets per call (bounded messages; each reply's buffers are transferred).
    const raw: Awaited<ReturnType<HostApi['fetchData']>> = [];
    for (const part of batches(ids, FETCH_BATCH)) raw.push(...(await this.host.fetchData(part, keys.length ? keys : null)));
    return raw.map((fields, i) => {
      try {
        return validateItem(zod, decodeFields(fields), i);
      } catch (e) {
        // Name the dataset (the engine puts its name before the id) and what it lacks.
        const missing = Object.keys(fields).filter((k) => fields[k] === null);
        const lacks = missing.length ? ` has no field ${missing.map((k) => `'${k}'`).join(', ')}` : '';
        throw new Error(`fetchData: input dataset ${ids[i]}${lacks}: ${thrownMessage(e)}${nDimHint(fields)}`, { cause: e });
      }
    });
  }

  async postDataAs(items: Record<string, unknown>[], schema: SchemaLike): Promise<string[]> {
    if (!Array.isArray(items)) {
      throw new Error(`postData: expected a list of items (one object per dataset), got ${items === null ? 'null' : typeof items}.`);
    }
    const { zod, name } = resolveSchema(schema, 'postData');
    const encoded = items.map((item, i) => encodeWithOutputs(zod, item, i));
    return this.host.postData(encoded, name);
  }

  // ── lazy arrays (large data: read by region or block, written block by block) ──

  /** The fields of each dataset (kind, dtype, shape, chunks) and its schema name, without reading any bytes. */
  async describeData(ids: string[]): Promise<DatasetArrays[]> {
    if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
      throw new Error(`describeData: ids must be an array of dataset id strings, got ${JSON.stringify(ids)?.slice(0, 80)}.`);
    }
    return this.host.describeData(ids);
  }

  /**
   * Say what the axes of field `key` of an output this run posted mean (names, units, physical sizes,
   * channels; see docs/bundle-format.md). Outputs inherit their input's axes when the shapes allow it
   * (src/core/imageAxes.ts inheritAxes); call this when the runner knows better.
   */
  async setOutputAxes(datasetId: string, key: string, axes: ImageAxes): Promise<void> {
    if (typeof datasetId !== 'string' || !datasetId) throw new Error(`setOutputAxes: datasetId must be a dataset id string, got ${JSON.stringify(datasetId)}.`);
    if (typeof key !== 'string' || !key) throw new Error(`setOutputAxes: key must be a field name, got ${JSON.stringify(key)}.`);
    return this.host.setOutputAxes(datasetId, key, axes);
  }

  /**
   * Field `key` of a dataset as a lazy array: `shape`, `dtype`, `chunks`, `read(region)` (reads only the
   * chunks the region touches) and `blocks({ halo })` (chunk-aligned blocks, one or two in memory at a time).
   */
  async openArray(datasetId: string, key: string): Promise<LazyArray> {
    if (typeof datasetId !== 'string' || !datasetId) throw new Error(`openArray: datasetId must be a dataset id string, got ${JSON.stringify(datasetId)}.`);
    if (typeof key !== 'string' || !key) throw new Error(`openArray: key must be a field name, got ${JSON.stringify(key)}.`);
    const [info] = await this.host.describeData([datasetId]);
    const field = info && Object.hasOwn(info.fields, key) ? info.fields[key] : undefined;
    if (!field) {
      const keys = Object.keys(info?.fields ?? {});
      throw new Error(`openArray: dataset ${datasetId} has no field '${key}' (it has ${keys.map((k) => `'${k}'`).join(', ') || 'none'}).`);
    }
    return new LazyArray(this.host, datasetId, key, field);
  }

  /**
   * A new output array of `dtype` and `shape` (chunk shape `chunks`, default the store's), written block
   * by block with `write(origin, block)`; put it in an item given to postData (`postData([{ mask: out }])`)
   * to store it with its dataset in one transaction. Arrays not posted are dropped when the run ends.
   */
  async createArray(spec: { dtype: NDArray['dtype']; shape: readonly number[]; chunks?: readonly number[] | null }): Promise<OutputArray> {
    const checked = checkNewArray(spec);
    return new OutputArray(this.host, await this.host.createArray(checked));
  }

  /** Bytes of a bundle file other than code, by its bundle-relative path (e.g. "files/model.onnx"). */
  async fetchAsset(path: string): Promise<Uint8Array> {
    if (typeof path !== 'string' || !path) throw new Error(`fetchAsset: path must be a non-empty string, got ${JSON.stringify(path)}.`);
    return this.host.fetchAsset(path);
  }

  /**
   * Load an ONNX model shipped with the bundle (e.g. "files/model.onnx") into an onnxruntime-web
   * session on this runner's device: WebGPU for "gpu" when the worker has an adapter, otherwise
   * WASM (SIMD, one thread per core when cross-origin isolated); a fallback logs a WARNING. Call
   * it in loadAssets so the session is kept with the cached runner (and released when it is evicted).
   */
  async loadOnnxModel(path: string, options?: OnnxModelOptions): Promise<OnnxSession> {
    const bytes = await this.fetchAsset(path);
    const { createOnnxSession } = await import('./onnxRuntime');
    return createOnnxSession(bytes, {
      name: path,
      device: this.device,
      options,
      log: (level, message) => this.host.log(level, message),
    });
  }

  // ── reporting ──

  /**
   * Log to the execution record. Level is exactly one of INFO, WARNING, ERROR, DEBUG. Validation
   * throws at once (so a forgotten `await` cannot hide a bad level); awaiting is optional.
   */
  logMessage(message: unknown, loggingLevel: LogLevel = 'INFO'): Promise<void> {
    if (!(LOG_LEVELS as readonly string[]).includes(loggingLevel as string)) {
      throw new Error(`Invalid logging level provided. Expected one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(loggingLevel)}.`);
    }
    return this.host.log(loggingLevel, typeof message === 'string' ? message : String(message));
  }

  /** Report progress in [0, 1] (throws at once otherwise). The record's progress never goes down and is 1 at the end. */
  setProgress(progress: number): Promise<void> {
    if (typeof progress !== 'number') throw new Error(`Progress must be a number (got ${typeof progress}).`);
    if (!(progress >= 0 && progress <= 1)) throw new Error('Progress must be between 0 and 1.');
    return this.host.progress(progress);
  }

  // ── session cache (survives between executions that share a session token) ──

  async saveItemToSession(obj: unknown, key: string): Promise<void> {
    await this.host.sessionSave(key, obj);
  }

  async loadItemFromSession(key: string): Promise<unknown> {
    return this.host.sessionLoad(key);
  }

  async removeItemFromSession(key: string): Promise<void> {
    await this.host.sessionRemove(key);
  }
}

/**
 * For an input that failed a 2-D schema because it is a multichannel or Z/T image (an OME-TIFF's CZYX):
 * what to do instead, since the schema's own message ("Image must be 2D") does not say.
 */
function nDimHint(fields: Record<string, { kind: string; array: NDArray } | null>): string {
  const shape = fields.image?.array.shape;
  // Not for 3-D arrays that look channel-last (H × W × 3 or 4: a different mistake) or RGB.
  if (!shape || shape.length < 3 || (shape.length === 3 && (shape[0] === 3 || shape[2]! <= 4))) return '';
  return ` It is a ${shape.length}-D image [${shape.join(', ')}] (channels, Z or T: see its axes); this algorithm takes 2-D images one at a time — give it one plane or channel as a dataset of its own, or use an algorithm that reads channels and Z/T (docs/microscopy.md).`;
}
