// Live previews: an algorithm that declares `[tool.algobox] preview = true` (the fast built-ins:
// thresholds, mask cleanup) computed on ONE 2-D plane of a stored dataset, in memory, as its
// parameters change. The plane is read from the store (only its chunks), the arguments are validated
// as a run's are, the bundle's own `preview(image, args)` runs in a runner worker of the pool (the same
// code as its runs), and the output array comes back. Nothing is stored: no execution record, no
// dataset. Requests are latest-wins (core/latestWins.ts): while one is computed only the newest waits,
// older waiting ones resolve `{ superseded: true }`.
import * as Comlink from 'comlink';
import { LatestWins, isSuperseded } from '../core/latestWins';
import { ndarrayProblem, type NDArray } from '../core/ndarray';
import { ArgsError, validateArgs } from '../core/params';
import type { AlgorithmRecord, DatasetMeta } from '../core/records';
import type { Store } from '../store/index';
import { bundleCode } from './executions';
import { isThirdParty } from './liveRun';
import type { RunnerPool } from './pool';
import { WorkerDiedError } from './workerHandle';

/** Which plane of which field: indices for every axis but the last two (default: all 0). */
export interface PreviewPlane {
  /** The array field (default: `image`, else `volume`, else `mask`, else the dataset's first array field). */
  key?: string;
  at?: number[];
}

export interface PreviewRequest {
  algorithmId: string;
  datasetId: string;
  args?: Record<string, unknown>;
  plane?: PreviewPlane;
}

export interface PreviewResult {
  superseded: false;
  /** The preview's output for the plane ([H, W] of the plane: a mask for a segmentation). */
  output: NDArray;
  key: string;
  at: number[];
  /** Milliseconds the worker took (read and transfer included). */
  ms: number;
}

export type PreviewAnswer = PreviewResult | { superseded: true };

/** A preview that takes longer than this is stopped (its worker discarded): it is not live any more. */
export const PREVIEW_TIMEOUT_MS = 30_000;

const PREFERRED_KEYS = ['image', 'volume', 'mask'];

function previewKey(meta: DatasetMeta, key: string | undefined): string {
  const arrays = Object.entries(meta.keys)
    .filter(([, f]) => f.kind === 'array')
    .map(([k]) => k);
  if (key !== undefined) {
    if (!arrays.includes(key))
      throw new Error(`preview: dataset '${meta.name}' has no array field '${key}' (its array fields: ${arrays.join(', ') || 'none'}).`);
    return key;
  }
  const k = PREFERRED_KEYS.find((x) => arrays.includes(x)) ?? arrays[0];
  if (!k) throw new Error(`preview: dataset '${meta.name}' has no array field to preview.`);
  return k;
}

/** The plane's indices, checked against the field's shape. */
function planeIndex(meta: DatasetMeta, key: string, at: number[] | undefined): number[] {
  const shape = meta.keys[key]!.shape;
  if (shape.length < 2)
    throw new Error(`preview: field '${key}' of dataset '${meta.name}' has shape [${shape.join(', ')}]; a preview needs at least 2 dimensions.`);
  const lead = shape.length - 2;
  const idx = at ?? Array.from({ length: lead }, () => 0);
  if (!Array.isArray(idx) || idx.length !== lead || idx.some((v, i) => !Number.isInteger(v) || v < 0 || v >= shape[i]!)) {
    throw new Error(
      `preview: plane.at must give ${lead} index(es) within [${shape.slice(0, lead).join(', ')}] for field '${key}' of dataset '${meta.name}' (shape [${shape.join(', ')}]); got ${JSON.stringify(at)}.`,
    );
  }
  return idx;
}

export class Previews {
  private readonly latest = new LatestWins<PreviewRequest, PreviewResult>((req) => this.compute(req));

  constructor(
    private readonly store: Store,
    private readonly pool: RunnerPool,
    private readonly algorithmRecord: (id: string) => Promise<AlgorithmRecord>,
  ) {}

  /** The preview of `req` (computed now, or after the one running unless a newer request comes first). */
  async preview(req: PreviewRequest): Promise<PreviewAnswer> {
    if (!req || typeof req !== 'object') throw new Error('preview: expected { algorithmId, datasetId, args?, plane? }.');
    const r = await this.latest.request(req);
    return isSuperseded(r) ? { superseded: true } : r;
  }

  /** Counters (requests, computed, superseded, failed) for tests and diagnostics. */
  stats() {
    return this.latest.stats();
  }

  private async compute(req: PreviewRequest): Promise<PreviewResult> {
    const t0 = performance.now();
    const alg = await this.algorithmRecord(req.algorithmId);
    if (!alg.manifest.preview) {
      throw new Error(`preview: ${alg.name} ${alg.version} has no live preview (its pyproject.toml does not declare [tool.algobox] preview = true).`);
    }
    let args: Record<string, unknown>;
    try {
      args = validateArgs(alg.manifest.additionalParameters, req.args ?? {});
    } catch (e) {
      if (e instanceof ArgsError) throw new Error(`preview of ${alg.name}: ${e.message}`, { cause: e });
      throw e;
    }
    const meta = typeof req.datasetId === 'string' ? await this.store.getDatasetMeta(req.datasetId) : null;
    if (!meta) throw new Error(`preview: dataset '${String(req.datasetId).slice(0, 80)}' not found.`);
    const key = previewKey(meta, req.plane?.key);
    const at = planeIndex(meta, key, req.plane?.at);
    const shape = meta.keys[key]!.shape;
    const region = shape.map((_, i) => (i < at.length ? ([at[i]!, at[i]! + 1] as const) : null));
    const read = await this.store.readDatasetArray(meta.id, key, region);
    const [h, w] = shape.slice(-2) as [number, number];
    // A copy on its own buffer: the read may be a chunk's bytes that nothing else may lose to the transfer.
    const plane: NDArray = { dtype: read.dtype, shape: [h, w], data: read.data.slice() } as NDArray;
    const output = await this.run(alg, plane, args);
    const p = ndarrayProblem(output, `preview of ${alg.name}`);
    if (p) throw new Error(p);
    if (output.shape.length !== 2 || output.shape[0] !== h || output.shape[1] !== w) {
      throw new Error(
        `preview of ${alg.name}: preview(image, args) returned shape [${output.shape.join(', ')}] for a [${h}, ${w}] image; it must return one [H, W] array.`,
      );
    }
    return { superseded: false, output, key, at, ms: performance.now() - t0 };
  }

  /** `preview(image, args)` in a runner worker of the algorithm (a sandboxed one for a third-party bundle). */
  private async run(alg: AlgorithmRecord, image: NDArray, args: Record<string, unknown>): Promise<NDArray> {
    const sandboxed = isThirdParty(alg) && this.pool.sandboxing;
    const lease = await this.pool.acquire(alg.id, 'cpu', () => bundleCode(this.store, alg, 'cpu'), `preview:${alg.id}`, sandboxed);
    let timer: ReturnType<typeof setTimeout> | null = null;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`preview of ${alg.name}: no result after ${PREVIEW_TIMEOUT_MS / 1000} s; stopped.`)), PREVIEW_TIMEOUT_MS);
      });
      const buffer = image.data.buffer as ArrayBuffer;
      const out = await Promise.race([lease.handle.call((r) => r.preview(Comlink.transfer(image, [buffer]), args)), timeout]);
      lease.release();
      return out;
    } catch (e) {
      // A worker that died or hangs is not reused; a preview that threw leaves its worker as it was.
      if (e instanceof WorkerDiedError || (e instanceof Error && e.message.includes('no result after'))) lease.discard(e.message);
      else lease.release();
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
