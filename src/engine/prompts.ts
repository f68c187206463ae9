// Click-to-segment on stored embeddings. An Embedding dataset made by a run of an algorithm that
// declares `[tool.algobox.prompt]` is decoded with that algorithm's decoder model in one prompt
// worker (created lazily, recreated after a crash or a hang, terminated with the engine). The
// service resolves embedding → run → algorithm → decoder file and the source image, validates
// prompts, keeps worker calls one at a time, and offers latest-wins sessions for the viewer.
import { datasetLabel } from '../core/datasetLabel';
import * as Comlink from 'comlink';
import { validateItem } from '../core/dataSchemas';
import { encodeItem } from '../core/datasetCodec';
import { LatestWins, type LatestWinsStats, type Superseded } from '../core/latestWins';
import type { NDArray } from '../core/ndarray';
import type { PromptDecodeResult, PromptHostApi, PromptHostStats, PromptNeeds } from '../core/promptProtocol';
import type { AlgorithmRecord, DatasetMeta, ExecutionRecord } from '../core/records';
import { samEmbeddingProblem, validatePrompts, type ImageSize, type PromptBox, type PromptPoint, type Prompts } from '../core/samPrompts';
import type { Store } from '../store/index';
import { WorkerDiedError, WorkerHandle, type WorkerFactory } from './workerHandle';

export interface PromptServiceOptions {
  store: Store;
  /** Creates the prompt worker; without one, decoding reports that it is unavailable. */
  workerFactory?: WorkerFactory | null;
  /** A worker call (decode, embedding transfer) taking longer is a hang: the worker is stopped and recreated on the next request. Default 30 s. */
  callTimeoutMs?: number;
  /** Loading a decoder model (first use). Default 120 s. */
  loadTimeoutMs?: number;
}

/** What an embedding resolves to. */
export interface PromptTarget {
  embeddingDatasetId: string;
  /** The image the embedding was computed from (null when the run's record does not say). */
  imageDatasetId: string | null;
  executionId: string;
  algorithm: { id: string; name: string; version: string };
  kind: 'sam';
  /** Bundle path of the decoder model and the blob key it is stored (and cached in the worker) under. */
  decoderPath: string;
  decoderKey: string;
  /** [H, W] of the original image (the mask's shape). */
  originalSize: [number, number];
}

/** Prompts as the API takes them: points [[x, y, label], …] and an optional box [x0, y0, x1, y1]. */
export interface PromptInput {
  points?: PromptPoint[] | number[][];
  box?: PromptBox | number[] | null;
}

export interface PromptResult extends PromptDecodeResult {
  embeddingDatasetId: string;
  /** The (validated) prompts this mask answers. */
  prompts: Prompts;
}

export interface PromptSession {
  readonly embeddingDatasetId: string;
  readonly imageDatasetId: string | null;
  readonly width: number;
  readonly height: number;
  readonly algorithm: { id: string; name: string; version: string };
  /** Latest wins: a request replaced by a newer one before it started resolves `{ superseded: true }`. Invalid prompts reject at once. */
  request(prompts: PromptInput): Promise<PromptResult | Superseded>;
  stats(): LatestWinsStats;
  /** Resolves when nothing is computing or waiting. */
  idle(): Promise<void>;
  close(): void;
}

export interface SaveMaskRequest {
  embeddingDatasetId: string;
  mask: NDArray;
  name?: string;
  /** The prompts that made the mask (recorded in `meta.extra.prompts`). */
  prompts?: PromptInput;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_LOAD_TIMEOUT_MS = 120_000;

function isEmbeddingMeta(meta: DatasetMeta): boolean {
  if (meta.schema) return meta.schema === 'Embedding';
  return !!(meta.keys.features && meta.keys.original_size);
}

function checkId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !id) throw new Error(`prompts: ${what} must be a dataset id string; got ${JSON.stringify(id)}.`);
}

export class PromptService {
  private handle: WorkerHandle<PromptHostApi> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Workers started so far (a crash or hang makes the next request start another). */
  workersCreated = 0;
  decodes = 0;

  constructor(private readonly opts: PromptServiceOptions) {}

  // ───────────────────────────── resolving ─────────────────────────────

  /** The embedding's metadata, original size, run and source image; checks that it is an Embedding. */
  async describe(
    embeddingId: string,
  ): Promise<{ meta: DatasetMeta; originalSize: [number, number]; execution: ExecutionRecord | null; imageDatasetId: string | null }> {
    checkId(embeddingId, 'embeddingDatasetId');
    const store = this.opts.store;
    const meta = await store.getDatasetMeta(embeddingId);
    if (!meta) throw new Error(`Dataset not found: '${embeddingId}'.`);
    if (!isEmbeddingMeta(meta)) {
      throw new Error(
        `Dataset ${datasetLabel(meta)} is not an Embedding dataset (its schema is ${meta.schema ?? 'none'}); click-to-segment needs an embedding computed from an image, e.g. by sam_embedding.`,
      );
    }
    const got = await store.getDataset(embeddingId, ['original_size']);
    const os = got?.fields.original_size;
    const osValues = os && typeof os === 'object' ? Array.from(os.data as ArrayLike<number>) : null;
    const problem = samEmbeddingProblem(meta.keys.features ? { dtype: meta.keys.features.dtype, shape: meta.keys.features.shape } : null, osValues);
    if (problem) throw new Error(`Embedding ${datasetLabel(meta)} cannot be decoded: ${problem}.`);
    const m = /^execution:(.+)$/.exec(meta.source);
    const execution = m ? await store.getExecution(m[1]!) : null;
    let imageDatasetId: string | null = null;
    if (execution) {
      const i = execution.outputDatasetIds.indexOf(embeddingId);
      imageDatasetId = i >= 0 ? (execution.inputDatasetIds[i] ?? null) : null;
    }
    return { meta, originalSize: [osValues![0]!, osValues![1]!], execution, imageDatasetId };
  }

  /** The installed algorithm of a run: by id, or (reinstalled) by name and version. */
  private async algorithmOf(ex: ExecutionRecord): Promise<AlgorithmRecord | null> {
    const byId = await this.opts.store.getAlgorithm(ex.algorithmId);
    if (byId) return byId;
    const same = await this.opts.store.findAlgorithms(ex.algorithmName);
    return same.find((a) => a.version === ex.algorithmVersion) ?? null;
  }

  /** Embedding → run → algorithm → its declared prompt decoder; errors name the id and the problem. */
  async resolve(embeddingId: string): Promise<PromptTarget> {
    const d = await this.describe(embeddingId);
    const src = d.meta.source;
    const label = datasetLabel(d.meta);
    if (!src.startsWith('execution:')) {
      throw new Error(`Embedding ${label} was not computed by an algorithm run (its source is '${src}'), so no prompt decoder is known for it.`);
    }
    const ex = d.execution;
    if (!ex) throw new Error(`The run that computed embedding ${label} (${src}) is no longer recorded, so its prompt decoder is unknown.`);
    const alg = await this.algorithmOf(ex);
    if (!alg) {
      throw new Error(
        `The algorithm that computed embedding ${label} (${ex.algorithmName} ${ex.algorithmVersion}) was removed; reinstall it to segment with this embedding.`,
      );
    }
    const prompt = alg.manifest.prompt;
    if (!prompt) {
      throw new Error(
        `Algorithm ${alg.name} ${alg.version} declares no prompt decoder ([tool.algobox.prompt] in its pyproject.toml), so embedding ${label} cannot be segmented interactively.`,
      );
    }
    const decoderKey = alg.assets[prompt.decoder] ?? alg.module[prompt.decoder];
    if (!decoderKey) {
      throw new Error(`Algorithm ${alg.name} ${alg.version} declares the prompt decoder '${prompt.decoder}', but its bundle has no such file; reinstall it.`);
    }
    return {
      embeddingDatasetId: embeddingId,
      imageDatasetId: d.imageDatasetId,
      executionId: ex.id,
      algorithm: { id: alg.id, name: alg.name, version: alg.version },
      kind: prompt.kind,
      decoderPath: prompt.decoder,
      decoderKey,
      originalSize: d.originalSize,
    };
  }

  /** Embedding datasets computed from an image by an algorithm that declares a prompt decoder, newest first. */
  async embeddingsFor(imageDatasetId: string): Promise<string[]> {
    checkId(imageDatasetId, 'imageDatasetId');
    const store = this.opts.store;
    const algs = new Map<string, Promise<AlgorithmRecord | null>>();
    const out: string[] = [];
    for (const ex of await store.listExecutions()) {
      if (ex.status !== 'COMPLETED' || ex.outputDatasetIds.length !== ex.inputDatasetIds.length) continue;
      const hits = ex.outputDatasetIds.filter((_, i) => ex.inputDatasetIds[i] === imageDatasetId);
      if (!hits.length) continue;
      const key = `${ex.algorithmId}|${ex.algorithmName}|${ex.algorithmVersion}`;
      if (!algs.has(key)) algs.set(key, this.algorithmOf(ex));
      const alg = await algs.get(key)!;
      if (!alg?.manifest.prompt) continue;
      for (const id of hits) {
        const meta = await store.getDatasetMeta(id);
        if (meta && isEmbeddingMeta(meta) && !out.includes(id)) out.push(id);
      }
    }
    return out;
  }

  // ───────────────────────────── decoding ─────────────────────────────

  /** One mask for these prompts (always computed). */
  async segment(embeddingId: string, prompts: PromptInput): Promise<PromptResult> {
    const target = await this.resolve(embeddingId);
    const p = validatePrompts(prompts, target.originalSize);
    return this.decode(target, p);
  }

  /** A latest-wins session on one embedding; the decoder and embedding are loaded into the worker at once. */
  async open(embeddingId: string): Promise<PromptSession> {
    const target = await this.resolve(embeddingId);
    const lw = new LatestWins<Prompts, PromptResult>((p) => this.decode(target, p));
    void this.prepare(target).catch(() => undefined); // errors surface on the first request
    const [height, width] = target.originalSize;
    return {
      embeddingDatasetId: embeddingId,
      imageDatasetId: target.imageDatasetId,
      width,
      height,
      algorithm: { ...target.algorithm },
      request: (prompts) => {
        let p: Prompts;
        try {
          p = validatePrompts(prompts, target.originalSize);
        } catch (e) {
          return Promise.reject(e);
        }
        return lw.request(p);
      },
      stats: () => lw.stats(),
      idle: () => lw.idle(),
      close: () => lw.close(),
    };
  }

  /** Store a mask as a Segmentation dataset (one transaction) recording its image, embedding and prompts. */
  async save(req: SaveMaskRequest): Promise<string> {
    if (!req || typeof req !== 'object') throw new Error('prompts.save: expected { embeddingDatasetId, mask, name?, prompts? }.');
    const d = await this.describe(req.embeddingDatasetId);
    const [H, W] = d.originalSize;
    const m = req.mask as NDArray | undefined;
    if (!m || typeof m !== 'object' || !(m.dtype === 'uint8' || m.dtype === 'bool') || !Array.isArray(m.shape)) {
      throw new Error(
        `prompts.save: mask must be a uint8 NDArray of shape [${H}, ${W}]; got ${m && typeof m === 'object' ? `${m.dtype} [${m.shape?.join?.(', ')}]` : JSON.stringify(m)}.`,
      );
    }
    if (m.shape.length !== 2 || m.shape[0] !== H || m.shape[1] !== W) {
      throw new Error(`prompts.save: mask must have the embedding's original size [${H}, ${W}]; got [${m.shape.join(', ')}].`);
    }
    if (req.name !== undefined && (typeof req.name !== 'string' || !req.name.trim())) throw new Error('prompts.save: name must be a non-empty string.');
    const prompts = req.prompts ? validatePrompts(req.prompts, d.originalSize) : null;
    const mask: NDArray<'uint8'> = {
      dtype: 'uint8',
      shape: [H, W],
      data: m.dtype === 'uint8' ? (m.data as Uint8Array) : Uint8Array.from(m.data as ArrayLike<number>),
    };
    const item = validateItem('Segmentation', { mask });
    const imageMeta = d.imageDatasetId ? await this.opts.store.getDatasetMeta(d.imageDatasetId) : null;
    const name = req.name?.trim() ?? `${imageMeta?.name ?? d.meta.name} (prompt mask)`;
    const [id] = await this.opts.store.putDatasets([
      {
        fields: encodeItem(item as Record<string, unknown>),
        name,
        source: `prompt:${req.embeddingDatasetId}`,
        schema: 'Segmentation',
        extra: {
          image: d.imageDatasetId,
          embedding: req.embeddingDatasetId,
          ...(d.execution ? { algorithm: `${d.execution.algorithmName} ${d.execution.algorithmVersion}` } : {}),
          ...(prompts ? { prompts: { points: prompts.points, box: prompts.box } } : {}),
          // The viewers overlay a mask on `inputs[0]`.
          inputs: d.imageDatasetId ? [d.imageDatasetId] : [],
        },
      },
    ]);
    return id!;
  }

  /** Counters of this service and of its live worker (null when none is running). */
  async stats(): Promise<{ workersCreated: number; decodes: number; worker: PromptHostStats | null }> {
    const h = this.handle;
    const worker = h && !h.dead ? await h.call((w) => w.stats()).catch(() => null) : null;
    return { workersCreated: this.workersCreated, decodes: this.decodes, worker };
  }

  /** Terminate the worker (engine shutdown). Later requests start a new one unless `final`. */
  shutdown(final = true): void {
    if (final) this.closed = true;
    this.handle?.kill('The engine was shut down.');
    this.handle = null;
  }

  // ───────────────────────────── the worker ─────────────────────────────

  private worker(): WorkerHandle<PromptHostApi> {
    if (this.handle && !this.handle.dead) return this.handle;
    if (this.closed) throw new Error('The engine was shut down; click-to-segment is no longer available.');
    const factory = this.opts.workerFactory;
    if (!factory) throw new Error('Click-to-segment is not available here: the engine has no prompt worker.');
    this.workersCreated++;
    this.handle = new WorkerHandle<PromptHostApi>(factory(`#${this.workersCreated}`));
    return this.handle;
  }

  /** One worker operation at a time (an embedding set by one caller is not swapped out mid-decode by another). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A worker call with a time limit: past it the worker is stopped (and recreated on the next request). */
  private async call<R>(h: WorkerHandle<PromptHostApi>, what: string, ms: number, fn: (w: Comlink.Remote<PromptHostApi>) => Promise<R>): Promise<R> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const msg = `The prompt worker did not finish ${what} within ${ms / 1000} s; it was stopped and will be restarted on the next request.`;
        h.kill(msg);
        reject(new Error(msg));
      }, ms);
    });
    try {
      return await Promise.race([h.call(fn), limit]);
    } catch (e) {
      if (e instanceof WorkerDiedError) {
        throw new Error(
          /will be restarted/.test(e.message) ? e.message : `The prompt worker stopped (${e.message}); it will be restarted on the next request.`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Give the worker what it lacks (decoder session, embedding) for `target`. */
  private async supply(h: WorkerHandle<PromptHostApi>, target: PromptTarget, needs: PromptNeeds['needs']): Promise<void> {
    const store = this.opts.store;
    const callMs = this.opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (needs.includes('decoder')) {
      const bytes = await store.readBlob(target.decoderKey);
      if (!bytes)
        throw new Error(`The stored bytes of ${target.algorithm.name}'s prompt decoder '${target.decoderPath}' are missing; reinstall the algorithm.`);
      const name = `${target.algorithm.name} ${target.decoderPath}`;
      await this.call(h, `loading the decoder ${target.decoderPath}`, this.opts.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS, (w) =>
        w.loadDecoder(target.decoderKey, name, Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer])),
      );
    }
    if (needs.includes('embedding')) {
      const got = await store.getDatasetFields(target.embeddingDatasetId, ['features']);
      const f = got?.fields.features;
      if (!f) throw new Error(`Dataset not found: '${target.embeddingDatasetId}'.`);
      const features = f.array as NDArray<'float32'>;
      await this.call(h, 'receiving the embedding', callMs, (w) =>
        w.setEmbedding(target.embeddingDatasetId, Comlink.transfer(features, [features.data.buffer as ArrayBuffer]), target.originalSize as ImageSize),
      );
    }
  }

  private prepare(target: PromptTarget): Promise<void> {
    return this.exclusive(async () => {
      const h = this.worker();
      const { needs } = await this.call(h, 'checking its models', this.opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, (w) =>
        w.holds(target.decoderKey, target.embeddingDatasetId),
      );
      if (needs.length) await this.supply(h, target, needs);
    });
  }

  private decode(target: PromptTarget, prompts: Prompts): Promise<PromptResult> {
    return this.exclusive(async () => {
      const h = this.worker();
      const callMs = this.opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
      const req = { decoderKey: target.decoderKey, embeddingId: target.embeddingDatasetId, prompts };
      const run = () => this.call<PromptDecodeResult | PromptNeeds>(h, 'decoding', callMs, (w) => w.decode(req));
      let r = await run();
      if ('needs' in r) {
        await this.supply(h, target, r.needs);
        r = await run();
        if ('needs' in r) throw new Error(`The prompt worker could not hold the ${r.needs.join(' and ')} it needs.`);
      }
      this.decodes++;
      return { ...r, embeddingDatasetId: target.embeddingDatasetId, prompts };
    });
  }
}
