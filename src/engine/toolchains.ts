// Toolchains on the page side (issue 7): installed BEAT blocks, and toolchain runs. A run plans the
// toolchain (src/core/beat/toolchain.ts), reads its sources from the store, runs every block in a
// block worker from a small pool (size: navigator.hardwareConcurrency), splitting splittable blocks
// across the pool on index ranges, and stores each block output as an indexed stream — one dataset
// per data unit with `extra: { stream, start, end, toolchainRun }`, one transaction per output — so
// the viewers can open them. Run records live in memory (live) and in the store (persisted).
import { checkDeclaration, convertData, DataFormatRegistry, parseDeclaration, planToolchain, runToolchain, sourceStream } from '../core/beat';
import { TOOLCHAIN_CANCELLED_MESSAGE } from '../core/beat';
import type { AlgorithmDeclaration, BlockExecutionContext, BlockReport, BlockRun, DataStream, ToolchainJson, ToolchainPlan } from '../core/beat';
import type { BlockProgressApi, BlockWorkerApi, BlockWorkerJob } from '../core/blockProtocol';
import { encodeValue } from '../core/datasetCodec';
import { isNDArray } from '../core/ndarray';
import type { StoredField } from '../core/records';
import type { BlockRecord, BlockRunRecord, StoredStream, ToolchainRunRecord } from '../core/toolchainRecords';
import type { NewDataset, Store } from '../store/index';
import * as Comlink from 'comlink';
import { serveRpc } from './hostRpc';
import { WorkerHandle, type WorkerFactory } from './workerHandle';

export interface BlockInfo {
  id: string;
  name: string;
  origin: 'builtin' | 'user';
  installed: string;
  type: AlgorithmDeclaration['type'];
  isAnalyzer: boolean;
  splittable: boolean;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  parameters: string[];
  description: string | null;
}

export interface BlockInstallOptions {
  /** Default: a name derived from a hash of the declaration and the source (`block-xxxxxxxx`). */
  name?: string;
  /** First-party block (the app's built-ins). */
  builtin?: boolean;
}

export interface ToolchainRunOptions {
  /** Parts a splittable block is split into (default: the pool size). */
  parts?: number;
  /** Name prefix of the output datasets (default: the toolchain's name, or 'toolchain'). */
  name?: string;
}

/** A small pool of block workers: at most `size` alive; jobs wait for an idle one. */
export class BlockWorkerPool {
  private idle: WorkerHandle<BlockWorkerApi>[] = [];
  private readonly all = new Set<WorkerHandle<BlockWorkerApi>>();
  private alive = 0;
  private waiting: ((h: WorkerHandle<BlockWorkerApi>) => void)[] = [];
  private created = 0;

  constructor(
    private readonly factory: WorkerFactory,
    readonly size: number,
  ) {}

  get workersCreated(): number {
    return this.created;
  }

  private acquire(): Promise<WorkerHandle<BlockWorkerApi>> {
    const h = this.idle.pop();
    if (h) return Promise.resolve(h);
    if (this.alive < this.size) {
      this.alive += 1;
      this.created += 1;
      const handle = new WorkerHandle<BlockWorkerApi>(this.factory(`block ${this.created}`));
      this.all.add(handle);
      return Promise.resolve(handle);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(h: WorkerHandle<BlockWorkerApi>): void {
    if (h.dead) {
      if (this.all.delete(h)) this.alive -= 1;
      const next = this.waiting.shift();
      if (next) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(h);
    else this.idle.push(h);
  }

  /** Run a job on an idle worker. Aborting `context.signal` ends that worker (the call rejects). */
  async run(job: BlockWorkerJob, context: BlockExecutionContext = {}): Promise<BlockRun> {
    const { signal, onProcessCalls } = context;
    if (signal?.aborted) throw new Error(TOOLCHAIN_CANCELLED_MESSAGE);
    const h = await this.acquire();
    const kill = (): void => h.kill(TOOLCHAIN_CANCELLED_MESSAGE);
    signal?.addEventListener('abort', kill, { once: true });
    // Progress comes back on the job's own port, served by the strict dispatcher (counts checked).
    const channel = new MessageChannel();
    const progress: BlockProgressApi = {
      processCalls(count: unknown) {
        if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) onProcessCalls?.(count);
      },
    };
    const stop = serveRpc(channel.port1, progress as unknown as Parameters<typeof serveRpc>[1], { maxInFlight: 8 });
    try {
      if (signal?.aborted) throw new Error(TOOLCHAIN_CANCELLED_MESSAGE);
      return await h.call((r) => r.run(job, Comlink.transfer(channel.port2, [channel.port2])));
    } finally {
      stop();
      signal?.removeEventListener('abort', kill);
      this.release(h);
    }
  }

  /** Terminate every block worker; running jobs fail (their blocks are FAILED with the reason). */
  shutdown(reason = 'The engine was shut down.'): void {
    for (const h of this.all) h.kill(reason);
    this.all.clear();
    this.idle = [];
    this.alive = 0;
  }
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function blockInfo(rec: BlockRecord): BlockInfo {
  const d = parseDeclaration(rec.declaration);
  return {
    id: rec.id,
    name: rec.name,
    origin: rec.origin,
    installed: rec.installed,
    type: d.type,
    isAnalyzer: d.isAnalyzer,
    splittable: d.splittable,
    inputs: { ...d.inputMap },
    outputs: { ...d.outputMap },
    parameters: d.parameters.map((p) => p.name),
    description: d.description,
  };
}

/** A data unit's fields as dataset fields: arrays as they are, numbers/booleans as 1-element number lists, strings as text, anything else as JSON text. */
export function unitFields(data: unknown): Record<string, StoredField> {
  const obj = typeof data === 'object' && data !== null && !isNDArray(data) ? (data as Record<string, unknown>) : { value: data };
  const out: Record<string, StoredField> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    if (isNDArray(v) || typeof v === 'string') out[k] = encodeValue(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = encodeValue(k, [Number(v)]);
    else out[k] = encodeValue(k, JSON.stringify(v));
  }
  return out;
}

const now = (): string => new Date().toISOString();

export const TOOLCHAIN_INTERRUPTED_MESSAGE = 'Toolchain run was interrupted: the page was closed or reloaded while it ran.';

export interface ToolchainServiceOptions {
  /** Block workers (null: runs are refused). */
  workerFactory: WorkerFactory | null;
  /** Default navigator.hardwareConcurrency (4 where unknown). */
  poolSize?: number;
  /** This engine's id, recorded in the runs it starts. */
  engineId?: string;
  /** Is the engine that owns a record still alive (another tab)? Default: only this one is. */
  isEngineAlive?: (engineId: string) => Promise<boolean>;
}

export class ToolchainService {
  private readonly pool: BlockWorkerPool | null;
  private readonly live = new Map<string, ToolchainRunRecord>();
  private readonly done = new Map<string, Promise<ToolchainRunRecord>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Map<string, Set<(rec: ToolchainRunRecord) => void>>();

  private readonly engineId: string;

  constructor(
    private readonly store: Store,
    private readonly opts: ToolchainServiceOptions,
  ) {
    const poolSize = opts.poolSize ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 4;
    this.pool = opts.workerFactory ? new BlockWorkerPool(opts.workerFactory, Math.max(1, poolSize)) : null;
    this.engineId = opts.engineId ?? crypto.randomUUID();
  }

  /** Mark stored RUNNING runs whose engine is gone (a closed or reloaded page) as FAILED ("interrupted"). */
  async recoverInterrupted(): Promise<string[]> {
    const fixed: string[] = [];
    for (const rec of await this.store.listToolchainRuns()) {
      if (rec.status !== 'RUNNING' || this.live.has(rec.id)) continue;
      if (rec.engineId !== this.engineId && this.opts.isEngineAlive && (await this.opts.isEngineAlive(rec.engineId))) continue;
      rec.status = 'FAILED';
      rec.error = TOOLCHAIN_INTERRUPTED_MESSAGE;
      rec.timeFinished = now();
      for (const b of Object.values(rec.blocks)) {
        if (b.status === 'PENDING' || b.status === 'RUNNING') {
          b.status = 'FAILED';
          b.error = { code: 'E_INTERRUPTED', message: TOOLCHAIN_INTERRUPTED_MESSAGE, block: '' };
        }
      }
      await this.store.putToolchainRun(rec);
      fixed.push(rec.id);
    }
    return fixed;
  }

  get poolSize(): number {
    return this.pool?.size ?? 0;
  }

  // ------------------------------------------------------------------ blocks

  async installBlock(declaration: unknown, moduleSource: string, opts: BlockInstallOptions = {}): Promise<BlockInfo> {
    const { declaration: d, errors } = checkDeclaration(declaration);
    if (!d) throw new Error(`Invalid block declaration: ${errors.join('; ')}`);
    if (typeof moduleSource !== 'string' || !moduleSource.trim()) throw new Error('blocks.install: moduleSource must be the JS module text exporting the algorithm class.');
    const name = opts.name ?? `block-${fnv(JSON.stringify(declaration) + moduleSource)}`;
    if (!/^[\w./-]+$/.test(name)) throw new Error(`blocks.install: invalid block name '${name}' (letters, digits, _ . / -)`);
    const rec: BlockRecord = {
      id: name,
      name,
      declaration: structuredClone(declaration) as Record<string, unknown>,
      moduleSource,
      origin: opts.builtin ? 'builtin' : 'user',
      installed: now(),
    };
    await this.store.putBlock(rec);
    return blockInfo(rec);
  }

  async listBlocks(): Promise<BlockInfo[]> {
    return (await this.store.listBlocks()).map(blockInfo);
  }

  async getBlock(id: string): Promise<BlockInfo> {
    const rec = await this.store.getBlock(id);
    if (!rec) throw new Error(`Block '${id}' not found.`);
    return blockInfo(rec);
  }

  // ------------------------------------------------------------------ runs

  private async sourceStreams(t: ToolchainJson): Promise<Record<string, DataStream>> {
    const registry = new DataFormatRegistry();
    const out: Record<string, DataStream> = {};
    for (const s of t.sources) {
      const format = registry.get(s.format);
      if (s.values !== undefined) {
        out[s.name] = sourceStream(
          s,
          s.values.map((v, k) => {
            try {
              return convertData(format, v);
            } catch (e) {
              throw new Error(`source '${s.name}': values[${k}] is not ${s.format}: ${(e as Error).message}`, { cause: e });
            }
          }),
        );
        continue;
      }
      let ids: string[];
      if (s.stackId !== undefined) {
        const stack = await this.store.getStack(s.stackId);
        if (!stack) throw new Error(`source '${s.name}': stack '${s.stackId}' not found.`);
        ids = stack.datasetIds;
      } else ids = s.datasetIds!;
      const items: unknown[] = [];
      for (const id of ids) {
        const rec = await this.store.getDataset(id, s.field ? [s.field] : undefined);
        if (!rec) throw new Error(`source '${s.name}': dataset '${id}' not found.`);
        const keys = Object.keys(rec.fields);
        const key = s.field ?? (keys.length === 1 ? keys[0]! : undefined);
        if (key === undefined || rec.fields[key] === null || rec.fields[key] === undefined) {
          throw new Error(`source '${s.name}': dataset '${rec.meta.name}' has ${s.field ? `no field '${s.field}'` : `fields ${keys.join(', ')}; say which one with "field"`}.`);
        }
        try {
          items.push(convertData(format, { value: rec.fields[key] }));
        } catch (e) {
          throw new Error(`source '${s.name}': dataset '${rec.meta.name}' field '${key}' is not ${s.format}: ${(e as Error).message}`, { cause: e });
        }
      }
      out[s.name] = sourceStream(s, items);
    }
    return out;
  }

  private async plan(toolchain: unknown): Promise<{ plan: ToolchainPlan; blocks: Map<string, BlockRecord> }> {
    const blocks = new Map((await this.store.listBlocks()).map((b) => [b.id, b]));
    const plan = planToolchain(toolchain, (algorithm) => {
      const rec = blocks.get(algorithm);
      return rec ? parseDeclaration(rec.declaration) : null;
    });
    return { plan, blocks };
  }

  /** Check the toolchain and read its sources, then start it; resolves with the run id. Invalid toolchains reject with every problem named. */
  async run(toolchain: unknown, options: ToolchainRunOptions = {}): Promise<string> {
    const pool = this.pool;
    if (!pool) throw new Error('toolchains.run: this engine has no block workers (blockWorkerFactory).');
    const { plan, blocks } = await this.plan(toolchain);
    const sources = await this.sourceStreams(plan.toolchain);
    const id = crypto.randomUUID();
    const rec: ToolchainRunRecord = {
      id,
      engineId: this.engineId,
      status: 'RUNNING',
      toolchain: plan.toolchain,
      order: plan.blocks.map((b) => b.name),
      blocks: Object.fromEntries(
        plan.blocks.map((b): [string, BlockRunRecord] => [
          b.name,
          { status: 'PENDING', algorithm: b.algorithm, processCalls: 0, outputs: {}, results: null, error: null, ranges: [], warnings: [], timeStarted: null, timeFinished: null },
        ]),
      ),
      error: null,
      timeCreated: now(),
      timeFinished: null,
    };
    this.live.set(id, rec);
    const controller = new AbortController();
    this.controllers.set(id, controller);
    await this.store.putToolchainRun(rec);
    const prefix = options.name ?? plan.toolchain.name ?? 'toolchain';
    // Every change reaches the subscribers at once; writes to the store are coalesced (one pending at a time).
    let persisting: Promise<void> = Promise.resolve();
    let queued = false;
    const persist = (): void => {
      this.emit(rec);
      if (queued) return;
      queued = true;
      persisting = persisting
        .then(() => {
          queued = false;
          return this.store.putToolchainRun(structuredClone(rec));
        })
        .catch(() => undefined);
    };
    const storing: Promise<void>[] = [];
    const storeOutputs = async (block: string, report: BlockReport): Promise<void> => {
      const planned = plan.blocks.find((b) => b.name === block)!;
      for (const [output, units] of Object.entries(report.outputs)) {
        const stream = `${block}.${output}`;
        const items: NewDataset[] = units.map((u) => ({
          name: `${prefix} ${stream} [${u.start}–${u.end}]`,
          source: `toolchain:${id}`,
          schema: null,
          fields: unitFields(u.data),
          extra: { toolchainRun: id, stream, start: u.start, end: u.end, format: planned.declaration.outputMap[output] },
        }));
        const ids = items.length ? await this.store.putDatasets(items) : [];
        const stored: StoredStream = { stream, format: planned.declaration.outputMap[output]!, datasetIds: ids, indices: units.map((u) => [u.start, u.end]) };
        rec.blocks[block]!.outputs[output] = stored;
      }
    };
    const job = async (): Promise<ToolchainRunRecord> => {
      try {
        const result = await runToolchain(plan, {
          sources,
          parts: options.parts ?? pool.size,
          signal: controller.signal,
          execute: (j, context) => {
            const b = blocks.get(j.algorithm)!;
            return pool.run({ blockId: b.id, moduleSource: b.moduleSource, declaration: b.declaration, parameters: j.parameters, inputs: j.inputs, range: j.range }, context);
          },
          onProgress: (block, report) => {
            const r = rec.blocks[block]!;
            r.status = report.status;
            r.processCalls = report.processCalls;
            r.results = report.result;
            r.ranges = report.ranges;
            r.warnings = report.warnings;
            r.error = report.error ? { code: report.error.code, message: report.error.message, block: report.error.block } : null;
            if (report.status === 'RUNNING') r.timeStarted ??= now();
            else if (report.status !== 'PENDING') r.timeFinished = now();
            if (report.status === 'DONE') {
              storing.push(
                storeOutputs(block, report).catch((e: unknown) => {
                  r.status = 'FAILED';
                  r.error = { code: 'E_STORE', message: `block '${block}': its outputs could not be stored: ${(e as Error).message}`, block };
                }),
              );
            }
            persist();
          },
        });
        await Promise.all(storing);
        if (result.status === 'CANCELLED') {
          rec.status = 'CANCELLED';
          rec.error = `The run was ${TOOLCHAIN_CANCELLED_MESSAGE}.`;
        } else rec.status = result.status === 'DONE' && Object.values(rec.blocks).every((b) => b.status === 'DONE') ? 'DONE' : 'FAILED';
      } catch (e) {
        rec.status = 'FAILED';
        rec.error = (e as Error).message;
      }
      rec.timeFinished = now();
      persist();
      await persisting;
      this.live.delete(id);
      this.controllers.delete(id);
      this.emit(rec);
      this.listeners.delete(id);
      return structuredClone(rec);
    };
    this.done.set(id, job());
    return id;
  }

  /**
   * Cancel a running toolchain: blocks not yet started become CANCELLED, running ones have their
   * workers ended (CANCELLED too); finished blocks keep their stored outputs. The run ends CANCELLED.
   * Resolves with the final record. A finished run is left as it is.
   */
  async cancel(runId: string): Promise<ToolchainRunRecord> {
    const c = this.controllers.get(runId);
    if (!c) return this.get(runId);
    c.abort();
    return this.wait(runId);
  }

  /**
   * Follow a run: `cb` gets a snapshot now and on every change (status, process() counts, outputs,
   * results) until the run finishes (its final record is the last call). Returns the unsubscribe.
   */
  subscribe(runId: string, cb: (rec: ToolchainRunRecord) => void): () => void {
    let active = true;
    const live = this.live.get(runId);
    if (live) {
      let set = this.listeners.get(runId);
      if (!set) this.listeners.set(runId, (set = new Set()));
      const wrapped = (rec: ToolchainRunRecord): void => {
        if (active) cb(rec);
      };
      set.add(wrapped);
      cb(structuredClone(live));
      return () => {
        active = false;
        set.delete(wrapped);
      };
    }
    void this.get(runId).then(
      (rec) => active && cb(rec),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }

  private emit(rec: ToolchainRunRecord): void {
    const set = this.listeners.get(rec.id);
    if (!set || set.size === 0) return;
    const snapshot = structuredClone(rec);
    for (const cb of set) {
      try {
        cb(snapshot);
      } catch {
        /* a listener's error is its own */
      }
    }
  }

  async get(runId: string): Promise<ToolchainRunRecord> {
    const live = this.live.get(runId);
    if (live) return structuredClone(live);
    const rec = await this.store.getToolchainRun(runId);
    if (!rec) throw new Error(`Toolchain run '${runId}' not found.`);
    return rec;
  }

  async wait(runId: string): Promise<ToolchainRunRecord> {
    const p = this.done.get(runId);
    if (p) return p;
    return this.get(runId);
  }

  list(): Promise<ToolchainRunRecord[]> {
    return this.store.listToolchainRuns();
  }

  shutdown(): void {
    this.pool?.shutdown();
  }
}
