// Latest-wins coalescing of requests to one slow worker (interactive decoding: pointer moves and
// clicks arrive faster than masks come back). At most one request is computed at a time; while it
// runs, only the newest request waits. A waiting request that a newer one replaces resolves with
// `{ superseded: true }` (it never rejects for that reason), so callers simply ignore it.
//
//   request A → computed at once
//   request B, C, D while A runs → B and C resolve { superseded: true }; D is computed after A
//
// Pure: the computation is injected, so the rules are unit-tested without a worker.

export interface Superseded {
  superseded: true;
}

export interface LatestWinsStats {
  /** Requests accepted (not counting those refused after close()). */
  requests: number;
  /** Requests actually computed (started). */
  decoded: number;
  /** Requests replaced by a newer one before they started. */
  superseded: number;
  /** Computations that rejected. */
  failed: number;
}

export const SESSION_CLOSED_MESSAGE = 'This prompt session is closed; open a new one.';

export function isSuperseded(x: unknown): x is Superseded {
  return typeof x === 'object' && x !== null && (x as { superseded?: unknown }).superseded === true;
}

interface Waiting<Req, Res> {
  req: Req;
  resolve: (r: Res | Superseded) => void;
  reject: (e: unknown) => void;
}

export class LatestWins<Req, Res> {
  private running = false;
  private waiting: Waiting<Req, Res> | null = null;
  private closed = false;
  private readonly counts: LatestWinsStats = { requests: 0, decoded: 0, superseded: 0, failed: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly compute: (req: Req) => Promise<Res>) {}

  /** Computed now if nothing runs, else after the running one unless a newer request arrives first. */
  request(req: Req): Promise<Res | Superseded> {
    if (this.closed) return Promise.reject(new Error(SESSION_CLOSED_MESSAGE));
    this.counts.requests++;
    return new Promise<Res | Superseded>((resolve, reject) => {
      this.supersedeWaiting();
      this.waiting = { req, resolve, reject };
      this.pump();
    });
  }

  /** Is a request being computed or waiting? */
  get busy(): boolean {
    return this.running || this.waiting !== null;
  }

  /** Resolves once nothing is computing or waiting. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stats(): LatestWinsStats {
    return { ...this.counts };
  }

  /** Refuse further requests; a waiting request resolves superseded, a running one completes. */
  close(): void {
    this.closed = true;
    this.supersedeWaiting();
    if (!this.running) this.notifyIdle();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private supersedeWaiting(): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = null;
    this.counts.superseded++;
    w.resolve({ superseded: true });
  }

  private pump(): void {
    if (this.running) return;
    const job = this.waiting;
    if (!job) {
      this.notifyIdle();
      return;
    }
    this.waiting = null;
    this.running = true;
    this.counts.decoded++;
    let p: Promise<Res>;
    try {
      p = Promise.resolve(this.compute(job.req));
    } catch (e) {
      p = Promise.reject(e);
    }
    // Not busy any more before the caller hears back, so its next request starts at once.
    p.then(
      (r) => {
        this.running = false;
        job.resolve(r);
        this.pump();
      },
      (e) => {
        this.running = false;
        this.counts.failed++;
        job.reject(e);
        this.pump();
      },
    );
  }

  private notifyIdle(): void {
    for (const r of this.idleWaiters.splice(0)) r();
  }
}
