// The engine: page-side orchestration of installs and executions. It owns the runner pool, keeps
// execution records (in memory for live subscribers, persisted to the store), answers every request
// a runner worker makes (HostApi) after validating it, and never lets a failing or hanging bundle
// take anything else down.
import * as Comlink from 'comlink';
import { DATA_SCHEMAS, validateItem, type DataSchemaName } from '../core/dataSchemas';
import { decodeFields } from '../core/datasetCodec';
import { resolveDevice } from '../core/devices';
import { ndarrayProblem, type NDArray } from '../core/ndarray';
import { validateArgs } from '../core/params';
import { matchesFilter, versionMatches, type AlgorithmFilter } from '../core/algorithmQuery';
import {
  LOG_LEVELS,
  TERMINAL_STATUSES,
  type AlgorithmInfo,
  type AlgorithmRecord,
  type ExecutionRecord,
  type ExecutionStatus,
  type FieldKind,
  type LogLevel,
  type StoredField,
} from '../core/records';
import type { BundleCode, HostApi, RawFields } from '../core/protocol';
import { DEFAULT_SESSION_LIMITS, sessionLoad, sessionRemove, sessionSave, sessionsToPrune, type SessionLimits } from '../core/sessionCache';
import { normalizePath } from '../sdk/moduleLoader';
import type { Store } from '../store/index';
import { RunnerPool, type Lease } from './pool';
import { WorkerDiedError, type WorkerFactory } from './workerHandle';
import { readBundleSource, type BundleSource } from './bundleSource';
import { prepareInstall } from './install';
import { PromptService } from './prompts';
import { preferredDevice, runSelfTest, storedSelfTests, type SelfTestReport, type SelfTestResults } from './selfTest';

export interface GpuInfo {
  available: boolean;
  reason?: string;
}

export interface EngineOptions {
  store: Store;
  workerFactory: WorkerFactory;
  /** Most runner workers alive at once (the runner cache size). */
  maxWorkers?: number;
  /** WebGPU availability, probed once. */
  gpu?: () => Promise<GpuInfo>;
  /** This engine's id (one per tab); records it runs carry it. */
  engineId?: string;
  /** Is the engine that owns a record still alive (another tab)? Default: only this one is. */
  isEngineAlive?: (engineId: string) => Promise<boolean>;
  sessionLimits?: SessionLimits;
  fetch?: typeof fetch;
  /** How often progress/log changes are written to the store while a run is live (ms). */
  persistIntervalMs?: number;
  /** Most bytes one execution may post (all postData calls together). */
  maxPostBytes?: number;
  maxLogLines?: number;
  /** Creates the prompt worker (click-to-segment; see prompts.ts). Without one, prompts report they are unavailable. */
  promptWorkerFactory?: WorkerFactory;
  /** A prompt worker call taking longer is treated as a hang (worker stopped, recreated on the next request). */
  promptTimeoutMs?: number;
}

export interface ExecuteRequest {
  algorithmId: string;
  inputDatasetIds: string[];
  args?: Record<string, unknown>;
  device?: string | null;
  sessionToken?: string | null;
  timeoutMs?: number | null;
}

export type ExecutionListener = (rec: ExecutionRecord) => void;

interface LiveRun {
  rec: ExecutionRecord;
  alg: AlgorithmRecord;
  lease: Lease | null;
  finished: boolean;
  /** Resolves with the final record. */
  done: Promise<ExecutionRecord>;
  resolveDone: (r: ExecutionRecord) => void;
  posted: string[];
  stopReason: { status: 'CANCELLED' | 'FAILED'; message: string } | null;
  timer: ReturnType<typeof setTimeout> | null;
  persistTimer: ReturnType<typeof setTimeout> | null;
  persistChain: Promise<void>;
  postedBytes: number;
  stats: { fetched: number; fetchMs: number; posted: number; postMs: number };
}

export const INTERRUPTED_MESSAGE = 'Execution was interrupted: the page was closed or reloaded while it ran.';

const nowIso = () => new Date().toISOString();
const clone = <T>(x: T): T => structuredClone(x);

function publicAlgorithm(r: AlgorithmRecord): AlgorithmInfo {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    algorithmType: r.algorithmType,
    tags: [...r.tags],
    description: r.description,
    supportedDevices: [...r.supportedDevices],
    defaultDevice: r.defaultDevice,
    additionalParameters: clone(r.additionalParameters),
    warnings: [...r.warnings],
    origin: { ...r.origin },
    bundleHash: r.bundleHash,
    selfTests: (r.manifest?.tests ?? []).map((t) => t.name),
    installed: r.installed,
  };
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

const FIELD_KINDS: readonly FieldKind[] = ['array', 'arrayList', 'numbers', 'string'];

export class Engine {
  readonly store: Store;
  readonly pool: RunnerPool;
  /** Click-to-segment on stored embeddings (one lazily created prompt worker). */
  readonly prompts: PromptService;
  readonly engineId: string;
  private readonly opts: EngineOptions;
  private readonly live = new Map<string, LiveRun>();
  private readonly listeners = new Map<string, Set<ExecutionListener>>();
  private gpuInfo: Promise<GpuInfo> | null = null;
  private sessionChains = new Map<string, Promise<unknown>>();

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.engineId = opts.engineId ?? crypto.randomUUID();
    this.pool = new RunnerPool(opts.workerFactory, opts.maxWorkers ?? 4);
    this.prompts = new PromptService({
      store: opts.store,
      workerFactory: opts.promptWorkerFactory ?? null,
      ...(opts.promptTimeoutMs ? { callTimeoutMs: opts.promptTimeoutMs } : {}),
    });
  }

  /** Mark runs left unfinished by a closed or reloaded page as FAILED ("interrupted"). */
  async recoverInterrupted(): Promise<string[]> {
    const open = await this.store.executionsWithStatus(['PENDING', 'STARTED', 'RUNNING']);
    const fixed: string[] = [];
    for (const rec of open) {
      if (this.live.has(rec.id)) continue;
      if (rec.engineId !== this.engineId && this.opts.isEngineAlive && (await this.opts.isEngineAlive(rec.engineId))) continue;
      const t = nowIso();
      rec.status = 'FAILED';
      rec.progress = 1;
      rec.error = { message: INTERRUPTED_MESSAGE, stack: '' };
      rec.timeCompleted = t;
      rec.outputDatasetIds = [];
      rec.log.push({ time: t, level: 'ERROR', message: INTERRUPTED_MESSAGE });
      await this.store.putExecution(rec);
      fixed.push(rec.id);
    }
    return fixed;
  }

  gpu(): Promise<GpuInfo> {
    this.gpuInfo ??= (this.opts.gpu?.() ?? Promise.resolve({ available: false, reason: 'no WebGPU probe configured' })).catch(
      (e: Error) => ({ available: false, reason: e.message }),
    );
    return this.gpuInfo;
  }

  /**
   * Run the algorithm's self-tests ([[tool.algobox.tests]]) on a device and report pass/fail with
   * the worst element per output; the result is remembered (see storedSelfTests/preferredDevice).
   */
  selfTest(algorithmId: string, device: 'cpu' | 'gpu'): Promise<SelfTestReport> {
    return runSelfTest(
      {
        store: this.store,
        algorithmRecord: (id) => this.algorithmRecord(id),
        readAlgorithmFile: (id, path) => this.readAlgorithmFile(id, path),
        execute: (req) => this.execute(req),
        wait: (id) => this.wait(id),
      },
      algorithmId,
      device,
    );
  }

  /** The last self-test report per device for the algorithm's installed version. */
  async selfTestResults(algorithmId: string): Promise<SelfTestResults> {
    return storedSelfTests(this.store, await this.algorithmRecord(algorithmId));
  }

  shutdown(): void {
    this.pool.shutdown();
    this.prompts.shutdown();
  }

  // ───────────────────────────── algorithms ─────────────────────────────

  async install(source: BundleSource, opts: { builtin?: boolean } = {}): Promise<AlgorithmInfo> {
    const read = await readBundleSource(source, this.opts.fetch);
    const origin: AlgorithmRecord['origin'] = opts.builtin ? { kind: 'builtin', ...(read.origin.url ? { url: read.origin.url } : {}) } : read.origin;
    const { record, blobs } = await prepareInstall(read.files, origin);
    const { replaced } = await this.store.putAlgorithm(record, blobs);
    for (const id of replaced) this.pool.evictAlgorithm(id);
    return publicAlgorithm(record);
  }

  async listAlgorithms(filter?: AlgorithmFilter): Promise<AlgorithmInfo[]> {
    return (await this.store.listAlgorithms()).filter((a) => matchesFilter(a, filter)).map(publicAlgorithm);
  }

  /** By id, or by name (case-insensitive; highest version unless `version` — full or a major/minor prefix — is given). */
  async getAlgorithm(nameOrId: string, version?: string): Promise<AlgorithmInfo> {
    return publicAlgorithm(await this.algorithmRecord(nameOrId, version));
  }

  async algorithmRecord(nameOrId: string, version?: string): Promise<AlgorithmRecord> {
    if (typeof nameOrId !== 'string' || !nameOrId) throw new Error('Algorithm name or id must be a non-empty string.');
    if (version === undefined) {
      const byId = await this.store.getAlgorithm(nameOrId);
      if (byId) return byId;
    }
    const all = await this.store.findAlgorithms(nameOrId);
    const hit = version === undefined ? all[0] : all.find((a) => versionMatches(a.version, String(version)));
    if (!hit) {
      if (all.length && version !== undefined) {
        throw new Error(`Algorithm '${nameOrId}' has no version ${version}; installed: ${all.map((a) => a.version).join(', ')}.`);
      }
      throw new Error(`Algorithm not found: '${nameOrId}'.`);
    }
    return hit;
  }

  async removeAlgorithm(id: string): Promise<void> {
    await this.store.removeAlgorithm(id);
    this.pool.evictAlgorithm(id);
  }

  async readAlgorithmFile(id: string, path: string): Promise<Uint8Array> {
    const alg = await this.algorithmRecord(id);
    const key = alg.module[path] ?? alg.assets[path];
    if (!key) throw new Error(`Algorithm ${alg.name} ${alg.version} has no file '${path}'.`);
    const bytes = await this.store.readBlob(key);
    if (!bytes) throw new Error(`The stored bytes of ${path} are missing.`);
    return bytes;
  }

  // ───────────────────────────── executions ─────────────────────────────

  async execute(req: ExecuteRequest): Promise<string> {
    if (!req || typeof req !== 'object') throw new Error('execute: expected a request object {algorithmId, inputDatasetIds, args?, device?, sessionToken?, timeoutMs?}.');
    if (typeof req.algorithmId !== 'string' || !req.algorithmId) {
      throw new Error(`execute: algorithmId must be a non-empty string, got ${JSON.stringify(req.algorithmId)}.`);
    }
    if (!isStringArray(req.inputDatasetIds)) {
      throw new Error('execute: inputDatasetIds must be a list of dataset id strings.');
    }
    // Unknown datasets first, all of them (as the reference), then the algorithm, then the arguments.
    const missing = await this.store.missingDatasets(req.inputDatasetIds);
    if (missing.length) throw new Error(`Input datasets with the following identifiers not found: ${missing.join(', ')}`);
    const alg = await this.store.getAlgorithm(req.algorithmId);
    if (!alg) throw new Error(`Algorithm not found: '${req.algorithmId}'.`);
    const args = validateArgs(alg.additionalParameters, req.args ?? {});
    if (req.device !== undefined && req.device !== null && typeof req.device !== 'string') {
      throw new Error(`execute: device must be "cpu", "gpu" or null, got ${JSON.stringify(req.device)}.`);
    }
    const timeoutMs = req.timeoutMs ?? null;
    if (timeoutMs !== null && !(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new Error(`execute: timeoutMs must be a positive number of milliseconds or null, got ${JSON.stringify(timeoutMs)}.`);
    }
    if (req.sessionToken != null && (typeof req.sessionToken !== 'string' || !req.sessionToken)) {
      throw new Error('execute: sessionToken must be a non-empty string or null.');
    }

    const t = nowIso();
    const rec: ExecutionRecord = {
      id: crypto.randomUUID(),
      algorithmId: alg.id,
      algorithmName: alg.name,
      algorithmVersion: alg.version,
      inputDatasetIds: [...req.inputDatasetIds],
      status: 'PENDING',
      progress: 0,
      log: [],
      outputDatasetIds: [],
      args,
      requestedDevice: req.device ?? null,
      device: null,
      timings: {},
      error: null,
      sessionToken: req.sessionToken ?? crypto.randomUUID(),
      timeoutMs,
      timeCreated: t,
      timeStarted: null,
      timeCompleted: null,
      engineId: this.engineId,
    };
    await this.store.putExecution(rec);
    let resolveDone!: (r: ExecutionRecord) => void;
    const done = new Promise<ExecutionRecord>((r) => (resolveDone = r));
    const run: LiveRun = {
      rec,
      alg,
      lease: null,
      finished: false,
      done,
      resolveDone,
      posted: [],
      stopReason: null,
      timer: null,
      persistTimer: null,
      persistChain: Promise.resolve(),
      postedBytes: 0,
      stats: { fetched: 0, fetchMs: 0, posted: 0, postMs: 0 },
    };
    this.live.set(rec.id, run);
    if (timeoutMs !== null) {
      run.timer = setTimeout(() => this.stop(run, 'FAILED', `Execution exceeded its time limit of ${timeoutMs} ms and was stopped.`), timeoutMs);
    }
    void this.runExecution(run);
    return rec.id;
  }

  async getExecution(id: string): Promise<ExecutionRecord> {
    const run = this.live.get(id);
    if (run) return clone(run.rec);
    const rec = await this.store.getExecution(id);
    if (!rec) throw new Error(`Execution record not found: '${id}'.`);
    return rec;
  }

  async listExecutions(): Promise<ExecutionRecord[]> {
    const stored = await this.store.listExecutions();
    return stored.map((r) => (this.live.has(r.id) ? clone(this.live.get(r.id)!.rec) : r));
  }

  /** Resolves with the final record once the execution is COMPLETED, FAILED or CANCELLED. */
  async wait(id: string): Promise<ExecutionRecord> {
    const run = this.live.get(id);
    if (run) return clone(await run.done);
    return this.getExecution(id);
  }

  async cancel(id: string): Promise<ExecutionRecord> {
    const run = this.live.get(id);
    if (!run) {
      const rec = await this.getExecution(id);
      if (TERMINAL_STATUSES.includes(rec.status)) return rec;
      throw new Error(`Execution ${id} is not running in this tab and cannot be cancelled here.`);
    }
    this.stop(run, 'CANCELLED', 'Execution was cancelled.');
    return clone(await run.done);
  }

  /** Call `cb` with the record now and after every change; returns an unsubscribe function. */
  subscribe(id: string, cb: ExecutionListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(cb);
    const run = this.live.get(id);
    if (run) queueMicrotask(() => set!.has(cb) && cb(clone(run.rec)));
    else
      void this.store.getExecution(id).then((r) => {
        if (r && set!.has(cb)) cb(r);
      });
    return () => {
      set!.delete(cb);
      if (!set!.size) this.listeners.delete(id);
    };
  }

  // ── record updates ──

  private notify(run: LiveRun): void {
    const set = this.listeners.get(run.rec.id);
    if (!set?.size) return;
    const snapshot = clone(run.rec);
    for (const cb of set) {
      try {
        cb(snapshot);
      } catch (e) {
        console.error('execution listener failed', e);
      }
    }
  }

  /** Persist now (status changes) or soon (progress and log lines, throttled). */
  private persist(run: LiveRun, now = false): Promise<void> {
    const write = () => {
      run.persistTimer = null;
      const snapshot = clone(run.rec);
      run.persistChain = run.persistChain.then(() => this.store.putExecution(snapshot)).catch((e) => console.error('could not save execution record', e));
      return run.persistChain;
    };
    if (now) {
      if (run.persistTimer) clearTimeout(run.persistTimer);
      return write();
    }
    run.persistTimer ??= setTimeout(write, this.opts.persistIntervalMs ?? 150);
    return run.persistChain;
  }

  private log(run: LiveRun, level: LogLevel, message: string): void {
    const max = this.opts.maxLogLines ?? 20_000;
    if (run.rec.log.length >= max) {
      if (run.rec.log.length === max) run.rec.log.push({ time: nowIso(), level: 'WARNING', message: `Log truncated after ${max} lines.` });
      return;
    }
    run.rec.log.push({ time: nowIso(), level, message: message.length > 10_000 ? `${message.slice(0, 10_000)}…` : message });
    this.notify(run);
    void this.persist(run);
  }

  private setStatus(run: LiveRun, status: ExecutionStatus): Promise<void> {
    run.rec.status = status;
    this.notify(run);
    return this.persist(run, true);
  }

  // ── the run ──

  private async runExecution(run: LiveRun): Promise<void> {
    const { rec, alg } = run;
    try {
      const gpu = await this.gpu();
      const decision = resolveDevice({
        defaultDevice: alg.defaultDevice,
        supportedDevices: alg.supportedDevices,
        override: rec.requestedDevice,
        gpuAvailable: gpu.available,
        ...(gpu.reason ? { gpuUnavailableReason: gpu.reason } : {}),
      });
      for (const l of decision.log) this.log(run, l.level, l.message);
      let device = decision.device;
      if (device === 'gpu' && alg.manifest.tests?.length) {
        const pref = preferredDevice(device, await storedSelfTests(this.store, alg));
        if (pref.warning) this.log(run, 'WARNING', pref.warning);
        device = pref.device;
      }
      rec.device = device;
      this.throwIfStopped(run);

      await this.pruneSessions(rec.sessionToken);
      const lease = await this.pool.acquire(alg.id, device, () => this.bundleCode(alg, device), rec.id);
      run.lease = lease;
      this.throwIfStopped(run);
      rec.timeStarted = nowIso();
      this.log(run, 'INFO', `Fetching algorithm ${alg.name} ${alg.version} (${lease.warm ? 'cached runner' : 'new runner'}).`);
      await this.setStatus(run, 'STARTED');

      const host = this.hostFor(run);
      const result = await lease.handle.call((r) =>
        r.execute({ executionId: rec.id, inputDatasetIds: rec.inputDatasetIds, args: rec.args }, Comlink.proxy(host)),
      );
      rec.timings.load = Math.round(result.loadMs * 10) / 10;
      const ids = result.outputDatasetIds;
      if (!isStringArray(ids)) {
        throw new Error(`postprocess must return the list of dataset ids that postData gave; it returned ${describeValue(ids)}.`);
      }
      const unknown = ids.filter((id) => !run.posted.includes(id));
      if (unknown.length) {
        const stillMissing = await this.store.missingDatasets(unknown);
        if (stillMissing.length) {
          throw new Error(`postprocess returned ${stillMissing.map((s) => JSON.stringify(s)).join(', ')}, which ${stillMissing.length > 1 ? 'are not dataset ids' : 'is not a dataset id'}; return the ids that postData gave.`);
        }
      }
      this.throwIfStopped(run);
      lease.release();
      run.lease = null;
      rec.outputDatasetIds = [...ids];
      await this.finish(run, 'COMPLETED', null);
    } catch (e) {
      const stop = run.stopReason;
      const died = e instanceof WorkerDiedError;
      const err = (e ?? {}) as { message?: string; stack?: string };
      if (run.lease) {
        // A crashed, cancelled or timed-out worker is gone; one that failed to load is not reused.
        if (stop || died || /^Loading |Can't instantiate|must export a class|must extend BaseRunner/.test(err?.message ?? '')) {
          run.lease.discard(stop?.message ?? `Execution failed: ${err?.message}`);
        } else run.lease.release();
        run.lease = null;
      }
      if (stop) await this.finish(run, stop.status, { message: stop.message, stack: '' });
      else {
        const message = died ? `The runner worker stopped: ${err.message}` : (err.message ?? String(e));
        await this.finish(run, 'FAILED', { message, stack: typeof err?.stack === 'string' ? err.stack : '' });
      }
    }
  }

  /** (A method, not an inline check: stop() changes run.stopReason across awaits.) */
  private throwIfStopped(run: LiveRun): void {
    if (run.stopReason) throw new Error(run.stopReason.message);
  }

  /** Stop a live run: terminate its worker (which rejects every pending call) and record why. */
  private stop(run: LiveRun, status: 'CANCELLED' | 'FAILED', message: string): void {
    if (run.finished || run.stopReason) return;
    run.stopReason = { status, message };
    if (run.lease) {
      run.lease.discard(message);
    } else {
      // Still waiting for a worker: withdraw the request.
      this.pool.cancelWaiting((owner) => owner === run.rec.id, message);
    }
  }

  private async finish(run: LiveRun, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: ExecutionRecord['error']): Promise<void> {
    if (run.finished) return;
    run.finished = true;
    if (run.timer) clearTimeout(run.timer);
    const { rec } = run;
    const s = run.stats;
    this.log(run, 'INFO', `File fetching stats: ${s.fetched} datasets fetched in ${(s.fetchMs / 1000).toFixed(4)} seconds.`);
    this.log(run, 'INFO', `File posting stats: ${s.posted} datasets posted in ${(s.postMs / 1000).toFixed(4)} seconds.`);
    if (status !== 'COMPLETED') {
      if (error) this.log(run, status === 'CANCELLED' ? 'WARNING' : 'ERROR', error.message);
      rec.outputDatasetIds = [];
      // Outputs of a run that did not complete are removed so nothing half-done remains.
      if (run.posted.length) {
        try {
          const missing = await this.store.missingDatasets(run.posted);
          await this.store.deleteDatasets(run.posted.filter((id) => !missing.includes(id)));
          this.log(run, 'INFO', `Removed ${run.posted.length} dataset(s) this execution had posted.`);
        } catch (e) {
          this.log(run, 'WARNING', `Could not remove the datasets this execution posted: ${(e as Error).message}`);
        }
      }
    }
    rec.error = error;
    rec.progress = 1;
    rec.timeCompleted = nowIso();
    if (rec.timeStarted) rec.timings.total = Math.round((Date.parse(rec.timeCompleted) - Date.parse(rec.timeStarted)) * 10) / 10;
    await this.setStatus(run, status);
    this.live.delete(rec.id);
    run.resolveDone(clone(rec));
  }

  private async bundleCode(alg: AlgorithmRecord, device: 'cpu' | 'gpu'): Promise<BundleCode> {
    const modules: Record<string, string> = {};
    for (const [path, key] of Object.entries(alg.module)) {
      const bytes = await this.store.readBlob(key);
      if (!bytes) throw new Error(`The stored code of ${alg.name} (${path}) is missing; re-install the algorithm.`);
      modules[path] = new TextDecoder().decode(bytes);
    }
    return { algorithmId: alg.id, name: alg.name, version: alg.version, entry: alg.manifest.entry, modules, device };
  }

  private async pruneSessions(activeToken: string): Promise<void> {
    const limits = this.opts.sessionLimits ?? DEFAULT_SESSION_LIMITS;
    const all = await this.store.listSessions();
    const drop = sessionsToPrune(all, activeToken, new Date(), limits);
    if (drop.length) await this.store.deleteSessions(drop);
  }

  /** Serialise session operations per token so concurrent runs cannot lose each other's writes. */
  private withSession<T>(token: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.sessionChains.get(token) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.sessionChains.set(
      token,
      next.catch(() => undefined),
    );
    return next;
  }

  /** The engine's side of the message boundary for one run: every argument is checked. */
  private hostFor(run: LiveRun): HostApi {
    const { rec, alg } = run;
    const alive = () => {
      if (run.finished || run.stopReason) throw new Error('This execution is over.');
    };
    const limits = this.opts.sessionLimits ?? DEFAULT_SESSION_LIMITS;
    const maxPost = this.opts.maxPostBytes ?? 4 * 1024 ** 3;

    return {
      fetchData: async (ids, keys) => {
        alive();
        if (!isStringArray(ids)) throw new Error('fetchData: ids must be a list of dataset id strings.');
        if (keys !== null && !isStringArray(keys)) throw new Error('fetchData: keys must be a list of strings.');
        const t = performance.now();
        const out: RawFields[] = [];
        const transfer: ArrayBuffer[] = [];
        for (const id of ids) {
          const got = await this.store.getDatasetFields(id, keys ?? undefined);
          if (!got) throw new Error(`fetchData: dataset '${id}' not found.`);
          const fields: RawFields = {};
          for (const [k, f] of Object.entries(got.fields)) {
            fields[k] = f ? { kind: f.kind, array: f.array } : null;
            if (f && f.array.data.buffer instanceof ArrayBuffer && !transfer.includes(f.array.data.buffer)) transfer.push(f.array.data.buffer);
          }
          out.push(fields);
        }
        run.stats.fetched += ids.length;
        run.stats.fetchMs += performance.now() - t;
        return Comlink.transfer(out, transfer);
      },

      postData: async (items, schemaName) => {
        alive();
        if (!Array.isArray(items)) throw new Error('postData: expected a list of items.');
        if (schemaName !== null && !(typeof schemaName === 'string' && schemaName in DATA_SCHEMAS)) {
          throw new Error(`postData: unknown schema ${JSON.stringify(schemaName)}.`);
        }
        const t = performance.now();
        let bytes = 0;
        const checked = items.map((item, i) => {
          if (!item || typeof item !== 'object' || Array.isArray(item)) throw new Error(`postData: item ${i} must be an object of fields.`);
          const fields: Record<string, StoredField> = {};
          for (const [k, f] of Object.entries(item as Record<string, unknown>)) {
            if (!k || k.includes('/')) throw new Error(`postData: item ${i} has an invalid field name ${JSON.stringify(k)}.`);
            const sf = f as StoredField;
            if (!sf || typeof sf !== 'object' || !FIELD_KINDS.includes(sf.kind)) throw new Error(`postData: item ${i} field '${k}' is malformed.`);
            const p = ndarrayProblem(sf.array, `postData: item ${i} field '${k}'`);
            if (p) throw new Error(p);
            bytes += sf.array.data.byteLength;
            fields[k] = { kind: sf.kind, array: sf.array as NDArray };
          }
          // Re-validate on the trusted side against the named schema.
          if (schemaName) validateItem(DATA_SCHEMAS[schemaName as DataSchemaName], decodeFields(fields), i);
          return fields;
        });
        if (run.postedBytes + bytes > maxPost) {
          throw new Error(`postData: this execution would post ${run.postedBytes + bytes} bytes, more than the limit of ${maxPost}.`);
        }
        const short = rec.id.slice(0, 8);
        const ids = await this.store.putDatasets(
          checked.map((fields, i) => ({
            fields,
            name: `${alg.name} ${short} #${run.posted.length + i + 1}`,
            source: `execution:${rec.id}`,
            schema: schemaName,
            extra: { algorithm: `${alg.name} ${alg.version}`, execution: rec.id, inputs: rec.inputDatasetIds },
          })),
        );
        run.postedBytes += bytes;
        run.posted.push(...ids);
        run.stats.posted += ids.length;
        run.stats.postMs += performance.now() - t;
        this.log(run, 'INFO', `Uploading ${ids.length} results to the database.`);
        return ids;
      },

      fetchAsset: async (path) => {
        alive();
        if (typeof path !== 'string' || !path) throw new Error('fetchAsset: path must be a non-empty string.');
        let p: string;
        try {
          p = normalizePath(path);
        } catch {
          throw new Error(`fetchAsset: '${path}' points outside the bundle.`);
        }
        const key = alg.assets[p];
        if (!key) {
          const files = Object.keys(alg.assets);
          throw new Error(`fetchAsset: the bundle has no asset '${p}'. Its assets are: ${files.join(', ') || 'none'}.`);
        }
        const bytes = await this.store.readBlob(key);
        if (!bytes) throw new Error(`fetchAsset: the stored bytes of '${p}' are missing; re-install the algorithm.`);
        this.log(run, 'DEBUG', `Fetched asset ${p} (${bytes.byteLength} bytes).`);
        return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
      },

      log: async (level, message) => {
        if (run.finished) return;
        if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`Invalid logging level provided: ${JSON.stringify(level)}.`);
        this.log(run, level, typeof message === 'string' ? message : String(message));
      },

      progress: async (p) => {
        alive();
        if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error('Progress must be between 0 and 1.');
        if (p > run.rec.progress) {
          run.rec.progress = p;
          this.notify(run);
          void this.persist(run);
        }
      },

      stage: async (name, ms) => {
        alive();
        if (name === 'running') {
          await this.setStatus(run, 'RUNNING');
          return;
        }
        if (name !== 'preprocess' && name !== 'inference' && name !== 'postprocess') throw new Error(`Unknown stage ${JSON.stringify(name)}.`);
        if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) run.rec.timings[name] = Math.round(ms * 10) / 10;
        this.notify(run);
      },

      sessionSave: (key, value) =>
        this.withSession(rec.sessionToken, async () => {
          alive();
          const cur = await this.store.getSession(rec.sessionToken);
          const next = sessionSave(cur, rec.sessionToken, key, value, new Date(), limits);
          await this.store.putSession(next);
          this.log(run, 'INFO', `Saved object with key ${key} to the session.`);
        }),

      sessionLoad: (key) =>
        this.withSession(rec.sessionToken, async () => {
          alive();
          const cur = await this.store.getSession(rec.sessionToken);
          const { value, record } = sessionLoad(cur, rec.sessionToken, key);
          await this.store.putSession(record);
          this.log(run, 'INFO', `Loaded object with key ${key} from the session.`);
          return value;
        }),

      sessionRemove: (key) =>
        this.withSession(rec.sessionToken, async () => {
          alive();
          const cur = await this.store.getSession(rec.sessionToken);
          const next = sessionRemove(cur, rec.sessionToken, key);
          if (next) await this.store.putSession(next);
          else await this.store.deleteSessions([rec.sessionToken]);
          this.log(run, 'INFO', `Removed object with key ${key} from the session.`);
        }),
    };
  }
}

function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `a list containing ${x.map((v) => typeof v).join(', ') || 'nothing'}`;
  return typeof x;
}
