// One runner worker seen from the engine: a Comlink remote whose pending calls all reject when the
// worker dies or is terminated (Comlink alone would leave them pending forever).
import * as Comlink from 'comlink';
import type { RunnerWorkerApi } from '../core/protocol';

/** A worker, or anything that behaves like one (an in-process host on a MessageChannel in Node tests). */
export interface WorkerLike {
  endpoint: Comlink.Endpoint;
  terminate(): void;
  /** Register a callback for the worker dying on its own (uncaught error, failed start). */
  onDeath(cb: (reason: string) => void): void;
}

export type WorkerFactory = (label: string) => WorkerLike;

export class WorkerDiedError extends Error {}

/** `T` is the API the worker exposes (a runner host by default; the prompt host for the prompt worker). */
export class WorkerHandle<T = RunnerWorkerApi> {
  readonly remote: Comlink.Remote<T>;
  private deathReason: string | null = null;
  private rejectDeath!: (e: Error) => void;
  private readonly death: Promise<never>;

  constructor(private readonly worker: WorkerLike) {
    this.remote = Comlink.wrap<T>(worker.endpoint);
    this.death = new Promise<never>((_, reject) => (this.rejectDeath = reject));
    this.death.catch(() => {}); // observed through call(); never an unhandled rejection
    worker.onDeath((reason) => this.kill(reason));
  }

  get dead(): boolean {
    return this.deathReason !== null;
  }

  /** Run a remote call; rejects at once if the worker is (or becomes) dead. */
  call<R>(fn: (remote: Comlink.Remote<T>) => Promise<R>): Promise<R> {
    if (this.deathReason !== null) return Promise.reject(new WorkerDiedError(this.deathReason));
    return Promise.race([fn(this.remote), this.death]);
  }

  /** Terminate the worker and reject every pending call with `reason`. Idempotent. */
  kill(reason: string): void {
    if (this.deathReason !== null) return;
    this.deathReason = reason;
    try {
      this.worker.terminate();
    } finally {
      this.rejectDeath(new WorkerDiedError(reason));
    }
  }
}
