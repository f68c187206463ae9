// Executions: start one (checks in the reference's order, then a PENDING record), run it on a
// runner from the pool (device decision, HostApi served on its own port, results checked), follow it
// (the run registry: get, list, wait, subscribe), stop it (cancel, time limit, a dead worker) and
// finish it — the final record and the removal of whatever a run that did not complete had posted in
// one transaction — and, on start, clean runs a closed or reloaded page left unfinished.
import * as Comlink from 'comlink';
import { labelDatasetIds } from '../core/datasetLabel';
import { thrownMessage, thrownStack } from '../core/describeValue';
import { resolveDevice } from '../core/devices';
import { freeBytes, freeSpaceText } from '../core/quota';
import { validateArgs } from '../core/params';
import type { BundleCode } from '../core/protocol';
import { TERMINAL_STATUSES, type AlgorithmRecord, type DatasetMeta, type ExecutionRecord, type ExecutionStatus, type LogLevel } from '../core/records';
import type { Store } from '../store/index';
import type { EngineOptions, GpuInfo } from './engineOptions';
import { createHostApi } from './hostApi';
import { releaseRunArrays } from './hostArrays';
import type { HostApiContext } from './hostContext';
import { checkIdList, describeValue, isStringArray } from './hostChecks';
import { serveRpc } from './hostRpc';
import {
  DEFAULT_THIRD_PARTY_TIMEOUT_MS,
  INTERRUPTED_MESSAGE,
  SANDBOX_NO_GPU_REASON,
  isThirdParty,
  type ExecuteRequest,
  type ExecutionListener,
  type LiveRun,
  wholeBatch,
} from './liveRun';
import { inputGroups, outputsInInputOrder } from './inputGroups';
import type { Lease, RunnerPool } from './pool';
import { RunRegistry } from './runRegistry';
import { SANDBOX_DEAD } from './sandbox';
import { preferredDevice, storedSelfTests } from './selfTest';
import { SessionAccess } from './sessionAccess';
import { WorkerDiedError } from './workerHandle';

const nowIso = () => new Date().toISOString();
const clone = <T>(x: T): T => structuredClone(x);

/** The record with a log line saying how many posted datasets were removed (none: unchanged). */
function withRemovedNote(rec: ExecutionRecord, removed: string[], time: string): ExecutionRecord {
  if (removed.length) rec.log.push({ time, level: 'INFO', message: `Removed ${removed.length} dataset(s) this execution had posted.` });
  return rec;
}

export class Executions {
  /** Live runs' own state (the records themselves are followed by the registry). */
  private readonly runs = new Map<string, LiveRun>();
  private readonly registry: RunRegistry<ExecutionRecord>;
  private readonly sessions: SessionAccess;
  private readonly hostContext: HostApiContext;

  constructor(
    private readonly store: Store,
    private readonly pool: RunnerPool,
    private readonly opts: Omit<EngineOptions, 'store' | 'workerFactory'>,
    private readonly engineId: string,
    private readonly gpu: () => Promise<GpuInfo>,
  ) {
    this.registry = new RunRegistry<ExecutionRecord>({
      load: (id) => store.getExecution(id),
      notFound: (id) => `Execution record not found: '${id}'.`,
    });
    this.sessions = new SessionAccess(store, opts.sessionLimits);
    this.hostContext = {
      store,
      sessions: this.sessions,
      log: (run, level, message) => this.log(run, level, message),
      notify: (run) => this.notify(run),
      changed: (run) => {
        this.notify(run);
        void this.persist(run);
      },
      setStatus: (run, status) => this.setStatus(run, status),
    };
  }

  /**
   * Mark runs left unfinished by a closed or reloaded page as FAILED ("interrupted") and delete the
   * datasets they had posted, each run in one transaction (as a cancelled or failed run is cleaned).
   * Their progress stays at the last value persisted, so the history shows where they stopped.
   */
  async recoverInterrupted(): Promise<string[]> {
    const open = await this.store.executionsWithStatus(['PENDING', 'STARTED', 'RUNNING']);
    const fixed: string[] = [];
    for (const rec of await this.registry.interrupted(open, this.engineId, this.opts.isEngineAlive)) {
      const t = nowIso();
      rec.status = 'FAILED';
      rec.error = { message: INTERRUPTED_MESSAGE, stack: '' };
      rec.timeCompleted = t;
      rec.outputDatasetIds = [];
      rec.log.push({ time: t, level: 'ERROR', message: INTERRUPTED_MESSAGE });
      await this.store.closeExecution(rec, { removeOutputs: 'bySource', beforeWrite: (r, removed) => withRemovedNote(r, removed, t) });
      fixed.push(rec.id);
    }
    return fixed;
  }

  async execute(req: ExecuteRequest): Promise<string> {
    if (!req || typeof req !== 'object')
      throw new Error('execute: expected a request object {algorithmId, inputDatasetIds, args?, device?, sessionToken?, timeoutMs?}.');
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
    // A run may post at most what the storage has free as it starts: beyond, its posts fail with the numbers
    // (and what it posted is removed), instead of the browser's quota error halfway through a write.
    const configuredMaxPost = askedMaxPost === null ? engineMaxPost : Math.min(askedMaxPost, engineMaxPost);
    const est = this.opts.storageEstimate ? await this.opts.storageEstimate().catch(() => null) : null;
    const free = freeBytes(est);
    const storageBound = free !== null && free < configuredMaxPost;
    await this.store.putExecution(rec);
    const run: LiveRun = {
      rec,
      alg,
      lease: null,
      finished: false,
      posted: [],
      writes: new Set(),
      stopReason: null,
      timer: null,
      persistTimer: null,
      persistChain: Promise.resolve(),
      postedBytes: 0,
      named: 0,
      maxPostBytes: storageBound ? free : configuredMaxPost,
      postLimitReason: storageBound ? `only ${freeSpaceText(est!)} when the run started` : null,
      batch: wholeBatch(rec),
      sandboxed: isThirdParty(alg) && this.pool.sandboxing,
      stats: { fetched: 0, fetchMs: 0, posted: 0, postMs: 0 },
    };
    this.runs.set(rec.id, run);
    this.registry.begin(rec);
    if (timeoutMs !== null) {
      run.timer = setTimeout(() => this.stop(run, 'FAILED', `Execution exceeded its time limit of ${timeoutMs} ms and was stopped.`), timeoutMs);
    }
    void this.runExecution(run);
    return rec.id;
  }

  get(id: string): Promise<ExecutionRecord> {
    return this.registry.get(id);
  }

  async list(): Promise<ExecutionRecord[]> {
    const stored = await this.store.listExecutions();
    return stored.map((r) => this.registry.snapshot(r.id) ?? r);
  }

  /** Resolves with the final record once the execution is COMPLETED, FAILED or CANCELLED. */
  wait(id: string): Promise<ExecutionRecord> {
    return this.registry.wait(id);
  }

  async cancel(id: string): Promise<ExecutionRecord> {
    const run = this.runs.get(id);
    if (!run) {
      const rec = await this.get(id);
      if (TERMINAL_STATUSES.includes(rec.status)) return rec;
      throw new Error(`Execution ${id} is not running in this tab and cannot be cancelled here.`);
    }
    this.stop(run, 'CANCELLED', 'Execution was cancelled.');
    return this.registry.wait(id);
  }

  /** Call `cb` with the record now and after every change (the final record last); returns an unsubscribe function. */
  subscribe(id: string, cb: ExecutionListener): () => void {
    return this.registry.subscribe(id, cb);
  }

  // ── record updates ──

  private notify(run: LiveRun): void {
    this.registry.notify(run.rec.id);
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

      await this.sessions.prune(rec.sessionToken);
      const lease = await this.pool.acquire(alg.id, device, () => this.bundleCode(alg, device), rec.id, run.sandboxed);
      run.lease = lease;
      this.throwIfStopped(run);
      rec.timeStarted = nowIso();
      this.log(run, 'INFO', `Fetching algorithm ${alg.name} ${alg.version} (${lease.warm ? 'cached runner' : 'new runner'}).`);
      await this.setStatus(run, 'STARTED');

      // Inputs of mixed shapes (a per-item type) run as groups, one after the other, on this runner.
      const groups = await inputGroups(this.store, alg, rec.inputDatasetIds);
      const n = rec.inputDatasetIds.length;
      if (groups.length > 1) {
        const shapes = groups.map((g) => `${g.indices.length} × ${g.shape}`).join('; ');
        this.log(run, 'INFO', `The ${n} inputs differ in shape or dtype: they run as ${groups.length} groups, one after the other (${shapes}).`);
      }
      const outputs: string[][] = [];
      let done = 0;
      for (const [k, g] of groups.entries()) {
        this.throwIfStopped(run);
        const inputIds = g.indices.map((i) => rec.inputDatasetIds[i]!);
        run.batch = { inputIds, posted: 0, progressFrom: n ? done / n : 0, progressSpan: n ? g.indices.length / n : 1, timingsBefore: { ...rec.timings } };
        if (groups.length > 1) this.log(run, 'INFO', `Group ${k + 1} of ${groups.length}: ${inputIds.length} input(s), ${g.shape}.`);
        outputs.push(await this.runBatch(run, lease, inputIds));
        done += g.indices.length;
        // A finished group is its share of the bar, whether or not its runner reported progress.
        if (groups.length > 1 && done < n && done / n > rec.progress) {
          rec.progress = done / n;
          this.hostContext.changed(run);
        }
      }
      this.throwIfStopped(run);
      lease.release();
      run.lease = null;
      rec.outputDatasetIds = outputsInInputOrder(groups, outputs);
      await this.finish(run, 'COMPLETED', null);
    } catch (e) {
      const stop = run.stopReason;
      const died = e instanceof WorkerDiedError;
      const err = { message: thrownMessage(e), stack: thrownStack(e) };
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

  /** One call of the runner on `inputIds` (the run's inputs, or one group of them): the ids it posted, checked. */
  private async runBatch(run: LiveRun, lease: Lease, inputIds: string[]): Promise<string[]> {
    const { rec } = run;
    // The run's HostApi is served on its own port by the strict dispatcher (never Comlink.expose).
    const channel = new MessageChannel();
    const stopHost = serveRpc(channel.port1, createHostApi(run, this.hostContext) as unknown as Parameters<typeof serveRpc>[1], {
      maxInFlight: this.opts.maxHostCallsInFlight ?? 64,
    });
    let result: unknown;
    try {
      result = await lease.handle.call((r) =>
        r.execute({ executionId: rec.id, inputDatasetIds: inputIds, args: rec.args }, Comlink.transfer(channel.port2, [channel.port2])),
      );
    } finally {
      stopHost();
    }
    if (!result || typeof result !== 'object' || Array.isArray(result)) throw new Error(`The runner returned ${describeValue(result)} instead of its result.`);
    const { loadMs, outputDatasetIds: ids } = result as { loadMs?: unknown; outputDatasetIds?: unknown };
    if (typeof loadMs === 'number' && Number.isFinite(loadMs) && loadMs >= 0) rec.timings.load = Math.round(((rec.timings.load ?? 0) + loadMs) * 10) / 10;
    if (!isStringArray(ids)) {
      throw new Error(`postprocess must return the list of dataset ids that postData gave; it returned ${describeValue(ids)}.`);
    }
    checkIdList(ids, 'postprocess: the returned dataset ids');
    const unknown = ids.filter((id) => !run.posted.includes(id));
    if (unknown.length) {
      const stillMissing = await this.store.missingDatasets(unknown);
      if (stillMissing.length) {
        throw new Error(
          `postprocess returned ${stillMissing.map((s) => JSON.stringify(s)).join(', ')}, which ${stillMissing.length > 1 ? 'are not dataset ids' : 'is not a dataset id'}; return the ids that postData gave.`,
        );
      }
    }
    return [...ids];
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
    this.log(run, 'INFO', `Read ${s.fetched} ${s.fetched === 1 ? 'dataset' : 'datasets'} from this browser's storage in ${(s.fetchMs / 1000).toFixed(3)} s.`);
    this.log(run, 'INFO', `Saved ${s.posted} ${s.posted === 1 ? 'result' : 'results'} in this browser in ${(s.postMs / 1000).toFixed(3)} s.`);
    const failed = status !== 'COMPLETED';
    if (failed) {
      rec.outputDatasetIds = [];
      // Posts still being written land first, so the cleanup below finds them too.
      await Promise.allSettled(run.writes);
      // The error names datasets by their names, in the record and in the log alike.
      if (error) error = { ...error, message: await this.nameDatasets(error.message, [...rec.inputDatasetIds, ...run.posted]) };
      if (error) this.log(run, status === 'CANCELLED' ? 'WARNING' : 'ERROR', error.message);
    }
    // Output arrays the run created and did not post go now (a failed run leaves nothing staged).
    const dropped = await releaseRunArrays(run);
    if (dropped) this.log(run, 'INFO', `Dropped ${dropped} output array(s) this execution had not posted.`);
    rec.error = error;
    // A failed or cancelled run keeps the progress it reached: where it stopped.
    if (status === 'COMPLETED') rec.progress = 1;
    rec.timeCompleted = nowIso();
    if (rec.timeStarted) rec.timings.total = Math.round((Date.parse(rec.timeCompleted) - Date.parse(rec.timeStarted)) * 10) / 10;
    rec.status = status;
    if (run.persistTimer) clearTimeout(run.persistTimer);
    run.persistTimer = null;
    await run.persistChain;
    // The final record and, for a run that did not complete, the removal of everything it posted: one transaction.
    try {
      const t = nowIso();
      await this.store.closeExecution(clone(rec), {
        // Posts in flight were awaited above, so the run knows every dataset it posted: no scan.
        removeOutputs: failed ? [...run.posted] : false,
        beforeWrite: (r, removed) => {
          const noted = withRemovedNote(r, removed, t);
          rec.log = noted.log;
          return noted;
        },
      });
    } catch (e) {
      this.log(run, 'WARNING', `Could not remove the datasets this execution posted: ${thrownMessage(e)}`);
      await this.store.putExecution(clone(rec)).catch((err) => console.error('could not save execution record', err));
    }
    this.runs.delete(rec.id);
    this.registry.end(rec.id);
  }

  /** Dataset ids in an error message, named as people know them: 'name' (path, id …). */
  private async nameDatasets(message: string, ids: string[]): Promise<string> {
    const present = [...new Set(ids)].filter((id) => message.includes(id));
    if (!present.length) return message;
    const metas = await Promise.all(present.map((id) => this.store.getDatasetMeta(id).catch(() => null)));
    return labelDatasetIds(
      message,
      metas.filter((m): m is DatasetMeta => !!m),
    );
  }

  private bundleCode(alg: AlgorithmRecord, device: 'cpu' | 'gpu'): Promise<BundleCode> {
    return bundleCode(this.store, alg, device);
  }
}

/** What a runner worker is initialised with: the algorithm's stored code files. */
export async function bundleCode(store: Store, alg: AlgorithmRecord, device: 'cpu' | 'gpu'): Promise<BundleCode> {
  const modules: Record<string, string> = {};
  for (const [path, key] of Object.entries(alg.module)) {
    const bytes = await store.readBlob(key);
    if (!bytes) throw new Error(`The stored code of ${alg.name} (${path}) is missing; re-install the algorithm.`);
    modules[path] = new TextDecoder().decode(bytes);
  }
  return { algorithmId: alg.id, name: alg.name, version: alg.version, entry: alg.manifest.entry, modules, device };
}
