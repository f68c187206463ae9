// The pool of BEAT block workers: workers keyed by block, reused while idle, at most `size` alive;
// user blocks get dedicated (sandboxed) workers, each kept to one block; every job runs under its
// limits (a time limit for user blocks, cancel through its AbortSignal), with live process() counts
// reported on a port of its own.
import * as Comlink from 'comlink';
import { TOOLCHAIN_CANCELLED_MESSAGE, type BlockExecutionContext, type BlockRun } from '../core/beat';
import type { BlockProgressApi, BlockWorkerApi, BlockWorkerJob } from '../core/blockProtocol';
import { serveRpc } from './hostRpc';
import { WorkerHandle, type WorkerFactory } from './workerHandle';

/** The default wall-clock limit of a user block's job: 10 minutes. */
export const DEFAULT_USER_BLOCK_TIMEOUT_MS = 10 * 60 * 1000;

export function userBlockTimeout(value: number | null | undefined): number | null {
  if (value === undefined) return DEFAULT_USER_BLOCK_TIMEOUT_MS;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw new Error(`toolchains.run: blockTimeoutMs must be a positive number of milliseconds (at most ${2 ** 31 - 1}) or null, got ${String(value)}.`);
  }
  return value;
}

/** How a pool hands out its workers. */
export interface BlockPoolOptions {
  /**
   * Keep each worker to one block (id and module text): a worker that ran block X runs only X again;
   * an idle worker of another block is ended to make room. For user blocks, so that two blocks never
   * meet in one worker (or one sandbox frame). Default false: any idle worker takes any job.
   */
  dedicated?: boolean;
}

/** Limits of one job. */
export interface BlockJobLimits {
  /** Wall-clock limit (ms) from the moment the job has a worker; null or undefined: none. The worker is ended when it is exceeded. */
  timeoutMs?: number | null;
}

/** How a job is placed. */
export interface BlockJobPlacement {
  /** The job's loop port (a block of a loop), transferred to its worker. */
  loopPort?: MessagePort;
  /**
   * A worker of its own, made for this job and ended after it, beyond the pool's size: the two blocks
   * of a loop need two workers at once, which a pool of one (or a busy pool) could never give.
   */
  ownWorker?: boolean;
  /** The job's lazy arrays (issue 13: BlockArraysApi), served on its port beside the progress calls. */
  arrays?: Record<string, (...args: unknown[]) => Promise<unknown>>;
}

type BlockHandle = WorkerHandle<BlockWorkerApi>;

/** A small pool of block workers: at most `size` alive; jobs wait for an idle one. */
export class BlockWorkerPool {
  private idle: BlockHandle[] = [];
  private readonly all = new Set<BlockHandle>();
  /** The block (id + module text) each worker of a dedicated pool belongs to. */
  private readonly owner = new Map<BlockHandle, string>();
  private alive = 0;
  private waiting: { key: string; resolve: (h: BlockHandle) => void }[] = [];
  private created = 0;

  constructor(
    private readonly factory: WorkerFactory,
    readonly size: number,
    private readonly options: BlockPoolOptions = {},
  ) {}

  get workersCreated(): number {
    return this.created;
  }

  private spawn(key: string): BlockHandle {
    this.alive += 1;
    this.created += 1;
    const handle = new WorkerHandle<BlockWorkerApi>(this.factory(`block ${this.created}`));
    this.all.add(handle);
    this.owner.set(handle, key);
    return handle;
  }

  /** End an idle worker of a dedicated pool to make room for another block's. */
  private retire(h: BlockHandle): void {
    h.kill('The worker was ended to make room for another block.');
    if (this.all.delete(h)) this.alive -= 1;
    this.owner.delete(h);
  }

  private acquire(key: string): Promise<BlockHandle> {
    const dedicated = this.options.dedicated ?? false;
    const i = dedicated ? this.idle.findLastIndex((h) => this.owner.get(h) === key) : this.idle.length - 1;
    if (i >= 0) return Promise.resolve(this.idle.splice(i, 1)[0]!);
    if (this.alive < this.size) return Promise.resolve(this.spawn(key));
    if (dedicated && this.idle.length > 0) {
      this.retire(this.idle.shift()!);
      return Promise.resolve(this.spawn(key));
    }
    return new Promise((resolve) => this.waiting.push({ key, resolve }));
  }

  private release(h: BlockHandle): void {
    if (h.dead) {
      if (this.all.delete(h)) this.alive -= 1;
      this.owner.delete(h);
      const next = this.waiting.shift();
      if (next) void this.acquire(next.key).then(next.resolve);
      return;
    }
    const dedicated = this.options.dedicated ?? false;
    const i = dedicated ? this.waiting.findIndex((w) => w.key === this.owner.get(h)) : this.waiting.length > 0 ? 0 : -1;
    if (i >= 0) {
      this.waiting.splice(i, 1)[0]!.resolve(h);
      return;
    }
    const other = this.waiting.shift();
    if (other) {
      // Only jobs of other blocks are waiting: this worker makes room for one of them.
      this.retire(h);
      other.resolve(this.spawn(other.key));
      return;
    }
    this.idle.push(h);
  }

  /**
   * Run a job on an idle worker. Aborting `context.signal` ends that worker (the call rejects); so does
   * exceeding `limits.timeoutMs` (with a message naming the block and the limit).
   */
  async run(job: BlockWorkerJob, context: BlockExecutionContext = {}, limits: BlockJobLimits = {}, placement: BlockJobPlacement = {}): Promise<BlockRun> {
    const { signal, onProcessCalls } = context;
    if (signal?.aborted) throw new Error(TOOLCHAIN_CANCELLED_MESSAGE);
    const h = placement.ownWorker ? this.spawnOwn() : await this.acquire(`${job.blockId}\u0000${job.moduleSource}`);
    const kill = (): void => h.kill(TOOLCHAIN_CANCELLED_MESSAGE);
    signal?.addEventListener('abort', kill, { once: true });
    const limit = limits.timeoutMs;
    const timer =
      limit !== null && limit !== undefined
        ? setTimeout(() => h.kill(`the job of block '${job.blockId}' exceeded its time limit of ${limit} ms; its worker was stopped.`), limit)
        : null;
    // Progress comes back on the job's own port, served by the strict dispatcher (counts checked).
    const channel = new MessageChannel();
    const progress: BlockProgressApi = {
      processCalls(count: unknown) {
        if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) onProcessCalls?.(count);
      },
    };
    const stop = serveRpc(channel.port1, { ...placement.arrays, ...(progress as unknown as Parameters<typeof serveRpc>[1]) }, { maxInFlight: 8 });
    try {
      if (signal?.aborted) throw new Error(TOOLCHAIN_CANCELLED_MESSAGE);
      const loopPort = placement.loopPort;
      return await h.call((r) =>
        loopPort
          ? r.run(job, Comlink.transfer(channel.port2, [channel.port2]), Comlink.transfer(loopPort, [loopPort]))
          : r.run(job, Comlink.transfer(channel.port2, [channel.port2])),
      );
    } finally {
      if (timer !== null) clearTimeout(timer);
      stop();
      signal?.removeEventListener('abort', kill);
      if (placement.ownWorker) {
        h.kill('The job of this worker has finished.');
        this.all.delete(h);
      } else this.release(h);
    }
  }

  /** A worker for one job only (not counted in the pool's size; ended by `shutdown` too). */
  private spawnOwn(): BlockHandle {
    this.created += 1;
    const handle = new WorkerHandle<BlockWorkerApi>(this.factory(`block ${this.created}`));
    this.all.add(handle);
    return handle;
  }

  /** Terminate every block worker; running jobs fail (their blocks are FAILED with the reason). */
  shutdown(reason = 'The engine was shut down.'): void {
    for (const h of this.all) h.kill(reason);
    this.all.clear();
    this.owner.clear();
    this.idle = [];
    this.alive = 0;
  }
}
