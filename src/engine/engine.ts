// The engine: page-side orchestration of installs and executions. It owns the runner pool, keeps
// execution records (in memory for live subscribers, persisted to the store), answers every request
// a runner worker makes (HostApi) after validating it, and never lets a failing or hanging bundle
// take anything else down.
import * as Comlink from 'comlink';
import { zipSync, type Zippable } from 'fflate';
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
import { parseSha256, pinMismatchMessage, trustKey, type BundleFileInfo, type BundleInspection, type TrustDecision } from '../core/pinning';
import { normalizePath } from '../sdk/moduleLoader';
import type { Store } from '../store/index';
import { RunnerPool, type Lease } from './pool';
import { WorkerDiedError, type WorkerFactory } from './workerHandle';
import { serveRpc, transferred } from './hostRpc';
import { SANDBOX_DEAD } from './sandbox';
import { readBundleSource, type BundleSource } from './bundleSource';
import { InstallError, prepareInstall } from './install';
import { PromptService } from './prompts';
import { preferredDevice, runSelfTest, storedSelfTests, type SelfTestReport, type SelfTestResults } from './selfTest';
import { describeValue, thrownStack, TYPE_ONLY } from '../core/describeValue';

export interface GpuInfo {
  available: boolean;
  reason?: string;
}

export interface EngineOptions {
  store: Store;
  /** Workers for built-in (first-party) bundles: same-origin module workers in the browser. */
  workerFactory: WorkerFactory;
  /**
   * Workers for third-party bundles (origin other than "builtin"): opaque-origin sandboxed iframes
   * (engine/sandbox.ts). Without one, third-party bundles run in `workerFactory`'s workers (Node tests).
   */
  sandboxWorkerFactory?: WorkerFactory;
  /** Wall-clock limit of a third-party run unless the request gives `timeoutMs` (default 10 minutes). */
  thirdPartyTimeoutMs?: number;
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
  /** Most bytes one execution may post (all postData calls together); a request may set a lower `maxPostBytes`. */
  maxPostBytes?: number;
  /** Most HostApi calls of one execution answered at once (more are refused). */
  maxHostCallsInFlight?: number;
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
  /** Wall-clock limit in ms; null: none for built-in bundles, `thirdPartyTimeoutMs` (10 min) for third-party ones. */
  timeoutMs?: number | null;
  /** Most bytes this execution may post (at most the engine's limit). */
  maxPostBytes?: number | null;
}

export type ExecutionListener = (rec: ExecutionRecord) => void;

export interface InstallOptions {
  /** Mark it first-party (origin kind 'builtin': never asks for trust). For the app's own bundles. */
  builtin?: boolean;
  /** The bundle hash it must have (64 hex digits); otherwise the install is refused before anything is stored. */
  sha256?: string;
}

/** Files larger than this are stored uncompressed in a downloaded bundle zip (models barely compress). */
const ZIP_STORE_ABOVE = 4 * 1024 * 1024;
/** A fixed time stamp, so the same files always give the same zip bytes. */
const ZIP_MTIME = new Date(1980, 0, 1);

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
  maxPostBytes: number;
  /** Runs in the opaque-origin sandbox (a third-party bundle with a sandbox configured). */
  sandboxed: boolean;
  stats: { fetched: number; fetchMs: number; posted: number; postMs: number };
}

export const INTERRUPTED_MESSAGE = 'Execution was interrupted: the page was closed or reloaded while it ran.';

/** Default wall-clock limit of a third-party run (overridable per run with `timeoutMs`). */
export const DEFAULT_THIRD_PARTY_TIMEOUT_MS = 10 * 60 * 1000;

/** Why a sandboxed run never gets WebGPU (logged as the reason of the gpu → cpu WARNING). */
export const SANDBOX_NO_GPU_REASON =
  'third-party bundles run in the opaque-origin sandbox, whose workers are not secure contexts and have no WebGPU; see docs/security.md';

/** Is this bundle third-party (anything not shipped with the app)? */
export const isThirdParty = (alg: Pick<AlgorithmRecord, 'origin'>): boolean => alg.origin?.kind !== 'builtin';

/** Field names a worker may not use (they would change an object's prototype when assigned). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_IDS = 10_000;
const MAX_ID_LENGTH = 256;
const MAX_MESSAGE_CHARS = 1_000_000;

function checkIdList(x: unknown, what: string): string[] {
  if (!isStringArray(x)) throw new Error(`${what} must be a list of strings, got ${describeValue(x, TYPE_ONLY)}.`);
  if (x.length > MAX_IDS) throw new Error(`${what} has ${x.length} entries; at most ${MAX_IDS} are allowed.`);
  const bad = x.find((s) => !s || s.length > MAX_ID_LENGTH);
  if (bad !== undefined) throw new Error(`${what} holds an empty or over-long (${bad.length} characters) string.`);
  return [...x];
}

/** Every string in the run's arguments (a bundle may read a dataset whose id it was given as an argument). */
function stringsIn(x: unknown, out: Set<string>, depth = 0): Set<string> {
  if (typeof x === 'string') out.add(x);
  else if (depth < 4 && x && typeof x === 'object') for (const v of Object.values(x)) stringsIn(v, out, depth + 1);
  return out;
}

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
    this.pool = new RunnerPool(opts.workerFactory, opts.maxWorkers ?? 4, opts.sandboxWorkerFactory ?? null);
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
    for (const cb of this.shutdownHooks.splice(0)) cb();
  }

  private readonly shutdownHooks: (() => void)[] = [];

  /** Run `cb` when the engine shuts down (services living beside it: the toolchain block workers). */
  onShutdown(cb: () => void): void {
    this.shutdownHooks.push(cb);
  }

  // ───────────────────────────── algorithms ─────────────────────────────

  /**
   * Read, check and store a bundle. With `sha256`, the bundle hash of what was read must equal it:
   * otherwise nothing is stored and the error gives both hashes.
   */
  async install(source: BundleSource, opts: InstallOptions = {}): Promise<AlgorithmInfo> {
    if (opts === null || typeof opts !== 'object') throw new Error(`install: options must be an object such as { sha256 }, got ${opts === null ? 'null' : typeof opts}.`);
    const expected = opts.sha256 === undefined ? null : parseSha256(opts.sha256, 'install: sha256');
    const read = await readBundleSource(source, this.opts.fetch);
    const origin: AlgorithmRecord['origin'] = opts.builtin ? { kind: 'builtin', ...(read.origin.url ? { url: read.origin.url } : {}) } : read.origin;
    const { record, blobs } = await prepareInstall(read.files, origin);
    if (expected !== null && record.bundleHash !== expected) throw new InstallError(pinMismatchMessage(record.bundleHash, expected));
    const { replaced } = await this.store.putAlgorithm(record, blobs);
    for (const id of replaced) this.pool.evictAlgorithm(id);
    return publicAlgorithm(record);
  }

  /** Read and check a bundle as `install` would, and report what it is (name, version, bundle hash, files) without storing anything. */
  async inspectBundle(source: BundleSource): Promise<BundleInspection> {
    const read = await readBundleSource(source, this.opts.fetch);
    const { record, fileHashes } = await prepareInstall(read.files, read.origin);
    const files = [...read.files.entries()]
      .map(([path, bytes]) => ({ path, size: bytes.byteLength, sha256: fileHashes[path]! }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      name: record.name,
      version: record.version,
      algorithmType: record.algorithmType,
      description: record.description,
      warnings: [...record.warnings],
      origin: { ...read.origin },
      bundleHash: record.bundleHash,
      byteLength: record.byteLength,
      files,
    };
  }

  /** Every stored file of an algorithm, by path: size and SHA-256 (no file is read). */
  async algorithmFiles(id: string): Promise<BundleFileInfo[]> {
    const alg = await this.algorithmRecord(id);
    const entries = [...Object.entries(alg.module), ...Object.entries(alg.assets)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sizes = await this.store.blobSizes(entries.map(([, key]) => key));
    return entries.map(([path, key]) => {
      const size = sizes.get(key);
      if (size === undefined) throw new Error(`The stored bytes of ${path} are missing; re-install ${alg.name} ${alg.version}.`);
      // Blob keys are the file's SHA-256, or `<sha256>~<uuid>` when not deduplicated.
      return { path, size, sha256: key.split('~')[0]! };
    });
  }

  /**
   * Remember that the user trusts this bundle (per bundle hash, one settings write): a bundle with
   * the same hash is trusted wherever it is installed from; a changed bundle is not. Built-ins need none.
   * The engine itself does not enforce trust (the app asks before the first run).
   */
  async trust(id: string): Promise<void> {
    const alg = await this.algorithmRecord(id);
    if (alg.origin.kind === 'builtin') return;
    const decision: TrustDecision = { trusted: true, time: nowIso(), name: alg.name, version: alg.version, origin: { ...alg.origin } };
    await this.store.setSetting(trustKey(alg.bundleHash), decision);
  }

  /** Built-ins: true; otherwise whether `trust` was given for this bundle hash. */
  async isTrusted(id: string): Promise<boolean> {
    const alg = await this.algorithmRecord(id);
    if (alg.origin.kind === 'builtin') return true;
    const v = (await this.store.getSetting(trustKey(alg.bundleHash))) as Partial<TrustDecision> | undefined;
    return v?.trusted === true;
  }

  /**
   * A zip of the algorithm's stored files (each at its bundle path, read through readAlgorithmFile),
   * which installs again with the same bundle hash. A stored bundle.lock.json is kept; none is added.
   */
  async exportBundle(id: string): Promise<Uint8Array<ArrayBuffer>> {
    const alg = await this.algorithmRecord(id);
    const paths = [...Object.keys(alg.module), ...Object.keys(alg.assets)].sort();
    const entries: Zippable = {};
    for (const p of paths) {
      const bytes = await this.readAlgorithmFile(alg.id, p);
      entries[p] = [bytes, { level: bytes.byteLength > ZIP_STORE_ABOVE ? 0 : 6 }];
    }
    return zipSync(entries, { mtime: ZIP_MTIME }) as Uint8Array<ArrayBuffer>;
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
    const asked = req.timeoutMs ?? null;
    if (asked !== null && !(typeof asked === 'number' && asked > 0 && Number.isFinite(asked))) {
      throw new Error(`execute: timeoutMs must be a positive number of milliseconds or null, got ${JSON.stringify(asked)}.`);
    }
    // Third-party code never runs unbounded: a runaway loop is stopped by the default limit.
    const timeoutMs = asked ?? (isThirdParty(alg) ? (this.opts.thirdPartyTimeoutMs ?? DEFAULT_THIRD_PARTY_TIMEOUT_MS) : null);
    const engineMaxPost = this.opts.maxPostBytes ?? 4 * 1024 ** 3;
    const askedMaxPost = req.maxPostBytes ?? null;
    if (askedMaxPost !== null && !(typeof askedMaxPost === 'number' && askedMaxPost >= 0 && Number.isFinite(askedMaxPost))) {
      throw new Error(`execute: maxPostBytes must be a non-negative number of bytes or null, got ${JSON.stringify(askedMaxPost)}.`);
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
      maxPostBytes: askedMaxPost === null ? engineMaxPost : Math.min(askedMaxPost, engineMaxPost),
      sandboxed: isThirdParty(alg) && this.pool.sandboxing,
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
      if (run.sandboxed) {
        this.log(run, 'INFO', 'Third-party bundle: it runs in an opaque-origin sandbox (no storage, no network; data only through the engine).');
      }
      // WebGPU does not exist in the sandbox: a third-party bundle that asks for gpu runs on cpu, with the reason.
      const gpu = run.sandboxed ? { available: false, reason: SANDBOX_NO_GPU_REASON } : await this.gpu();
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
      const lease = await this.pool.acquire(alg.id, device, () => this.bundleCode(alg, device), rec.id, run.sandboxed);
      run.lease = lease;
      this.throwIfStopped(run);
      rec.timeStarted = nowIso();
      this.log(run, 'INFO', `Fetching algorithm ${alg.name} ${alg.version} (${lease.warm ? 'cached runner' : 'new runner'}).`);
      await this.setStatus(run, 'STARTED');

      // The run's HostApi is served on its own port by the strict dispatcher (never Comlink.expose).
      const channel = new MessageChannel();
      const stopHost = serveRpc(channel.port1, this.hostFor(run) as unknown as Parameters<typeof serveRpc>[1], {
        maxInFlight: this.opts.maxHostCallsInFlight ?? 64,
      });
      let result: unknown;
      try {
        result = await lease.handle.call((r) =>
          r.execute({ executionId: rec.id, inputDatasetIds: rec.inputDatasetIds, args: rec.args }, Comlink.transfer(channel.port2, [channel.port2])),
        );
      } finally {
        stopHost();
      }
      if (!result || typeof result !== 'object' || Array.isArray(result)) throw new Error(`The runner returned ${describeValue(result, TYPE_ONLY)} instead of its result.`);
      const { loadMs, outputDatasetIds: ids } = result as { loadMs?: unknown; outputDatasetIds?: unknown };
      if (typeof loadMs === 'number' && Number.isFinite(loadMs) && loadMs >= 0) rec.timings.load = Math.round(loadMs * 10) / 10;
      if (!isStringArray(ids)) {
        throw new Error(`postprocess must return the list of dataset ids that postData gave; it returned ${describeValue(ids, TYPE_ONLY)}.`);
      }
      checkIdList(ids, 'postprocess: the returned dataset ids');
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
      const raw = (e ?? {}) as { message?: unknown; stack?: unknown };
      const err = { message: typeof raw.message === 'string' ? raw.message : String(e), stack: thrownStack(e) };
      if (run.lease) {
        // A crashed, cancelled or timed-out worker is gone; one that failed to load is not reused.
        if (stop || died || /^Loading |Can't instantiate|must export a class|must extend BaseRunner/.test(err?.message ?? '')) {
          run.lease.discard(stop?.message ?? `Execution failed: ${err?.message}`);
        } else run.lease.release();
        run.lease = null;
      }
      if (stop) await this.finish(run, stop.status, { message: stop.message, stack: '' });
      else {
        const message = died ? (err.message.startsWith(SANDBOX_DEAD) ? err.message : `The runner worker stopped: ${err.message}`) : err.message;
        await this.finish(run, 'FAILED', { message, stack: err.stack });
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
    const maxPost = run.maxPostBytes;
    // A third-party bundle reads only what it was given: its inputs, ids among its arguments, its own outputs.
    const readable = isThirdParty(alg) ? stringsIn(rec.args, new Set(rec.inputDatasetIds)) : null;
    const sessionKey = (key: unknown, what: string): string => {
      if (typeof key !== 'string' || !key || key.length > MAX_ID_LENGTH || FORBIDDEN_KEYS.has(key)) {
        throw new Error(`${what}: the key must be a non-empty string of at most ${MAX_ID_LENGTH} characters other than __proto__, constructor and prototype, got ${describeValue(key, TYPE_ONLY)}.`);
      }
      return key;
    };

    return {
      fetchData: async (ids, keys) => {
        alive();
        const idList = checkIdList(ids, 'fetchData: ids');
        const keyList = keys === null ? null : checkIdList(keys, 'fetchData: keys');
        if (readable) {
          const denied = idList.filter((id) => !readable.has(id) && !run.posted.includes(id));
          if (denied.length) {
            throw new Error(`fetchData: ${denied.map((d) => `'${d.slice(0, 80)}'`).join(', ')} ${denied.length > 1 ? 'are' : 'is'} not an input of this execution; a third-party bundle may read only its inputs, datasets named in its arguments and datasets it posted.`);
          }
        }
        const t = performance.now();
        const out: RawFields[] = [];
        const transfer: ArrayBuffer[] = [];
        for (const id of idList) {
          const got = await this.store.getDatasetFields(id, keyList ?? undefined);
          if (!got) throw new Error(`fetchData: dataset '${id}' not found.`);
          const fields: RawFields = {};
          for (const [k, f] of Object.entries(got.fields)) {
            fields[k] = f ? { kind: f.kind, array: f.array } : null;
            if (f && f.array.data.buffer instanceof ArrayBuffer && !transfer.includes(f.array.data.buffer)) transfer.push(f.array.data.buffer);
          }
          out.push(fields);
        }
        run.stats.fetched += idList.length;
        run.stats.fetchMs += performance.now() - t;
        return transferred(out, transfer);
      },

      postData: async (items, schemaName) => {
        alive();
        if (!Array.isArray(items)) throw new Error(`postData: expected a list of items, got ${describeValue(items, TYPE_ONLY)}.`);
        if (items.length > MAX_IDS) throw new Error(`postData: ${items.length} items in one call; at most ${MAX_IDS} are allowed.`);
        if (schemaName !== null && !(typeof schemaName === 'string' && Object.hasOwn(DATA_SCHEMAS, schemaName))) {
          throw new Error(`postData: unknown schema ${JSON.stringify(typeof schemaName === 'string' ? schemaName.slice(0, 80) : describeValue(schemaName, TYPE_ONLY))}.`);
        }
        const t = performance.now();
        let bytes = 0;
        const checked = items.map((item: unknown, i) => {
          if (!isPlainRecord(item)) throw new Error(`postData: item ${i} must be an object of fields, got ${describeValue(item, TYPE_ONLY)}.`);
          // Rebuilt from checked parts only: nothing else the worker sent (extra keys, __proto__) reaches the store.
          const fields: Record<string, StoredField> = {};
          for (const k of Object.keys(item)) {
            if (!k || k.includes('/') || k.length > MAX_ID_LENGTH || FORBIDDEN_KEYS.has(k)) {
              throw new Error(`postData: item ${i} has an invalid field name ${JSON.stringify(k.slice(0, 80))}.`);
            }
            const sf = item[k] as { kind?: unknown; array?: unknown } | null;
            if (!isPlainRecord(sf) || !FIELD_KINDS.includes(sf.kind as FieldKind)) {
              throw new Error(`postData: item ${i} field '${k}' is malformed (expected {kind, array} with kind one of ${FIELD_KINDS.join(', ')}).`);
            }
            const p = ndarrayProblem(sf.array, `postData: item ${i} field '${k}'`);
            if (p) throw new Error(p);
            const a = sf.array as NDArray;
            bytes += a.data.byteLength;
            if (run.postedBytes + bytes > maxPost) {
              throw new Error(`postData: item ${i} field '${k}' (${a.data.byteLength} bytes) would bring this execution's posted bytes to ${run.postedBytes + bytes}, more than its limit of ${maxPost}.`);
            }
            fields[k] = { kind: sf.kind as FieldKind, array: { dtype: a.dtype, shape: [...a.shape], data: a.data } as NDArray };
          }
          // Re-validate on the trusted side against the named schema.
          if (schemaName) validateItem(DATA_SCHEMAS[schemaName as DataSchemaName], decodeFields(fields), i);
          return fields;
        });
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
        if (typeof path !== 'string' || !path || path.length > 4096) throw new Error(`fetchAsset: path must be a non-empty string, got ${describeValue(path, TYPE_ONLY)}.`);
        let p: string;
        try {
          p = normalizePath(path);
        } catch {
          throw new Error(`fetchAsset: '${path}' points outside the bundle.`);
        }
        const key = Object.hasOwn(alg.assets, p) ? alg.assets[p] : undefined;
        if (!key) {
          const files = Object.keys(alg.assets);
          throw new Error(`fetchAsset: the bundle has no asset '${p}'. Its assets are: ${files.join(', ') || 'none'}.`);
        }
        const bytes = await this.store.readBlob(key);
        if (!bytes) throw new Error(`fetchAsset: the stored bytes of '${p}' are missing; re-install the algorithm.`);
        this.log(run, 'DEBUG', `Fetched asset ${p} (${bytes.byteLength} bytes).`);
        return transferred(bytes, [bytes.buffer as ArrayBuffer]);
      },

      log: async (level, message) => {
        if (run.finished) return;
        if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
          throw new Error(`Invalid logging level provided: ${JSON.stringify(typeof level === 'string' ? level.slice(0, 40) : describeValue(level, TYPE_ONLY))}.`);
        }
        if (typeof message === 'string' && message.length > MAX_MESSAGE_CHARS) throw new Error(`log: a message of ${message.length} characters; at most ${MAX_MESSAGE_CHARS} are accepted.`);
        this.log(run, level, typeof message === 'string' ? message : describeValue(message, TYPE_ONLY));
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
          sessionKey(key, 'sessionSave');
          const size = approxBytes(value);
          if (run.postedBytes + size > maxPost) {
            throw new Error(`sessionSave: the value of '${key}' (about ${size} bytes) would bring this execution's stored bytes over its limit of ${maxPost}.`);
          }
          run.postedBytes += size;
          const cur = await this.store.getSession(rec.sessionToken);
          const next = sessionSave(cur, rec.sessionToken, key, value, new Date(), limits);
          await this.store.putSession(next);
          this.log(run, 'INFO', `Saved object with key ${key} to the session.`);
        }),

      sessionLoad: (key) =>
        this.withSession(rec.sessionToken, async () => {
          alive();
          sessionKey(key, 'sessionLoad');
          const cur = await this.store.getSession(rec.sessionToken);
          const { value, record } = sessionLoad(cur, rec.sessionToken, key);
          await this.store.putSession(record);
          this.log(run, 'INFO', `Loaded object with key ${key} from the session.`);
          return value;
        }),

      sessionRemove: (key) =>
        this.withSession(rec.sessionToken, async () => {
          alive();
          sessionKey(key, 'sessionRemove');
          const cur = await this.store.getSession(rec.sessionToken);
          const next = sessionRemove(cur, rec.sessionToken, key);
          if (next) await this.store.putSession(next);
          else await this.store.deleteSessions([rec.sessionToken]);
          this.log(run, 'INFO', `Removed object with key ${key} from the session.`);
        }),
    };
  }
}

/** A plain object (not an array, typed array, Map, …): what a worker's item or field must be. */
function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Rough size of a structured-cloneable value (typed arrays by bytes, strings by 2 bytes a character). */
function approxBytes(x: unknown, depth = 0): number {
  if (typeof x === 'string') return x.length * 2;
  if (x === null || typeof x !== 'object') return 8;
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (x instanceof ArrayBuffer) return x.byteLength;
  if (depth > 32) return 0;
  let n = 16;
  if (x instanceof Map) for (const [k, v] of x) n += approxBytes(k, depth + 1) + approxBytes(v, depth + 1);
  else if (x instanceof Set) for (const v of x) n += approxBytes(v, depth + 1);
  else for (const v of Object.values(x)) n += approxBytes(v, depth + 1);
  return n;
}
