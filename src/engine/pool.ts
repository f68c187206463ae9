// The runner cache: workers keyed by (algorithm id, device), each keeping its linked module and the
// assets loadAssets loaded. A worker runs one execution at a time, so cancelling one run never
// touches another; idle workers are reused (warm), least-recently-used ones are terminated when
// more than `maxWorkers` would exist, and requests wait when every worker is busy. A sandboxed
// request (a third-party bundle) gets a worker from the sandbox factory (engine/sandbox.ts) and never
// shares a worker with an unsandboxed one.
import { WorkerHandle, type WorkerFactory } from './workerHandle';
import type { BundleCode, RunnerHostStats } from '../core/protocol';

/** How long an evicted worker gets to release its model sessions before it is terminated. */
export const RELEASE_GRACE_MS = 2000;

interface Entry {
  key: string;
  algorithmId: string;
  handle: WorkerHandle;
  busy: boolean;
  lastUsed: number;
  /** Set when the algorithm was removed or replaced: terminate instead of returning to the pool. */
  stale: boolean;
}

export interface Lease {
  handle: WorkerHandle;
  /** True when the worker was reused from the cache. */
  warm: boolean;
  /** Return the worker to the pool (warm for the next execution). */
  release(): void;
  /** Terminate the worker (cancel, timeout, crash, failed load). */
  discard(reason: string): void;
}

interface Waiter {
  /** Who asked (an execution id), so exactly that request can be withdrawn. */
  owner: string;
  key: string;
  sandboxed: boolean;
  algorithmId: string;
  load: () => Promise<BundleCode>;
  resolve: (l: Lease) => void;
  reject: (e: Error) => void;
}

export class RunnerPool {
  private entries: Entry[] = [];
  private waiting: Waiter[] = [];
  private clock = 0;

  constructor(
    private readonly factory: WorkerFactory,
    public maxWorkers = 4,
    /** Workers for sandboxed requests (null: sandboxed requests are refused). */
    private readonly sandboxFactory: WorkerFactory | null = null,
  ) {}

  /** Can this pool start sandboxed workers? */
  get sandboxing(): boolean {
    return this.sandboxFactory !== null;
  }

  /** Workers alive now (for tests and the UI). */
  get size(): number {
    return this.entries.length;
  }

  describe(): { key: string; busy: boolean }[] {
    return this.entries.map((e) => ({ key: e.key, busy: e.busy }));
  }

  /** Each live worker's counters (module loads, loadAssets calls, model sessions): for tests and diagnostics. */
  async stats(): Promise<{ key: string; busy: boolean; stats: RunnerHostStats | null }[]> {
    return Promise.all(
      this.entries.map(async (e) => ({
        key: e.key,
        busy: e.busy,
        stats: await e.handle.call((r) => r.stats()).catch(() => null),
      })),
    );
  }

  /** A worker for (algorithmId, device), initialised with the bundle `load` returns; `sandboxed`: from the sandbox factory. */
  acquire(algorithmId: string, device: string, load: () => Promise<BundleCode>, owner = '', sandboxed = false): Promise<Lease> {
    if (sandboxed && !this.sandboxFactory) return Promise.reject(new Error('This engine has no sandbox for third-party bundles.'));
    const key = `${algorithmId}|${device}${sandboxed ? '|sandbox' : ''}`;
    return new Promise<Lease>((resolve, reject) => {
      this.waiting.push({ owner, key, sandboxed, algorithmId, load, resolve, reject });
      this.pump();
    });
  }

  /** Withdraw requests still waiting for a worker (a cancelled PENDING run: its owner id). */
  cancelWaiting(predicate: (owner: string) => boolean, reason: string): void {
    const keep: Waiter[] = [];
    for (const w of this.waiting) {
      if (predicate(w.owner)) w.reject(new Error(reason));
      else keep.push(w);
    }
    this.waiting = keep;
  }

  /** Drop cached workers of an algorithm (removed or re-installed); busy ones go when released. */
  evictAlgorithm(algorithmId: string): void {
    for (const e of this.entries) {
      if (e.algorithmId !== algorithmId) continue;
      e.stale = true;
      if (!e.busy) this.retire(e, 'The algorithm was removed or replaced.');
    }
  }

  /** Terminate every worker (page unload, tests). */
  shutdown(reason = 'The engine was shut down.'): void {
    for (const e of this.entries) this.remove(e, reason);
    this.cancelWaiting(() => true, reason);
  }

  private remove(e: Entry, reason: string): void {
    this.entries = this.entries.filter((x) => x !== e);
    e.handle.kill(reason);
  }

  /**
   * Retire an idle worker: it leaves the cache at once, is asked to release what its runner holds
   * (model sessions: WASM heap, GPU buffers), then is terminated (after at most `RELEASE_GRACE_MS`).
   */
  private retire(e: Entry, reason: string): void {
    this.entries = this.entries.filter((x) => x !== e);
    if (e.handle.dead) return;
    const timer = new Promise<void>((r) => setTimeout(r, RELEASE_GRACE_MS));
    void Promise.race([e.handle.call((r) => r.release()).catch(() => undefined), timer]).finally(() => e.handle.kill(reason));
  }

  private lease(e: Entry, warm: boolean): Lease {
    let done = false;
    return {
      handle: e.handle,
      warm,
      release: () => {
        if (done) return;
        done = true;
        e.busy = false;
        e.lastUsed = ++this.clock;
        if (e.handle.dead) this.remove(e, 'worker died');
        else if (e.stale) this.retire(e, 'The algorithm was removed or replaced.');
        this.pump();
      },
      discard: (reason: string) => {
        if (done) return;
        done = true;
        this.remove(e, reason);
        this.pump();
      },
    };
  }

  private pump(): void {
    // Drop workers that died on their own.
    for (const e of this.entries) if (e.handle.dead && !e.busy) this.remove(e, 'worker died');
    let progressed = true;
    while (progressed && this.waiting.length) {
      progressed = false;
      for (let i = 0; i < this.waiting.length; i++) {
        const w = this.waiting[i]!;
        const idle = this.entries.find((e) => e.key === w.key && !e.busy && !e.stale && !e.handle.dead);
        if (idle) {
          idle.busy = true;
          idle.lastUsed = ++this.clock;
          this.waiting.splice(i, 1);
          w.resolve(this.lease(idle, true));
          progressed = true;
          break;
        }
        if (this.entries.length >= this.maxWorkers) {
          const victim = this.entries.filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
          if (!victim) continue; // all busy: wait for a release
          this.retire(victim, 'Evicted from the runner cache (least recently used).');
        }
        this.waiting.splice(i, 1);
        this.start(w);
        progressed = true;
        break;
      }
    }
  }

  private start(w: Waiter): void {
    const handle = new WorkerHandle((w.sandboxed ? this.sandboxFactory! : this.factory)(w.key));
    const e: Entry = { key: w.key, algorithmId: w.algorithmId, handle, busy: true, lastUsed: ++this.clock, stale: false };
    this.entries.push(e);
    w.load()
      .then((bundle) => handle.call((r) => r.init(bundle)))
      .then(
        () => w.resolve(this.lease(e, false)),
        (err: Error) => {
          this.remove(e, `Worker start failed: ${err.message}`);
          w.reject(err);
          this.pump();
        },
      );
  }
}
