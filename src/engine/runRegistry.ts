// One registry of live runs, shared by executions and toolchain runs: the mutable record of each
// live run, its subscribers (a snapshot now and after every change, the final record last), its
// waiters, and which stored runs an engine that is gone left unfinished (interrupted by a reload).
export type RunListener<R> = (rec: R) => void;

export interface RunRegistryOptions<R> {
  /** The stored record of a run that is not live (null when there is none). */
  load(id: string): Promise<R | null>;
  /** The error message for an unknown run id. */
  notFound(id: string): string;
}

interface LiveEntry<R> {
  rec: R;
  done: Promise<R>;
  resolve: (rec: R) => void;
}

const clone = <T>(x: T): T => structuredClone(x);

export class RunRegistry<R extends { id: string; engineId: string }> {
  private readonly live = new Map<string, LiveEntry<R>>();
  private readonly listeners = new Map<string, Set<RunListener<R>>>();

  constructor(private readonly opts: RunRegistryOptions<R>) {}

  /** Follow a live run; `rec` is the record its owner changes (then calls `notify`). */
  begin(rec: R): void {
    let resolve!: (r: R) => void;
    const done = new Promise<R>((r) => (resolve = r));
    this.live.set(rec.id, { rec, done, resolve });
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** A copy of a live run's record, or undefined. */
  snapshot(id: string): R | undefined {
    const e = this.live.get(id);
    return e ? clone(e.rec) : undefined;
  }

  /** Every subscriber of the run gets a snapshot of its record as it is now. */
  notify(id: string): void {
    const e = this.live.get(id);
    const set = this.listeners.get(id);
    if (!e || !set?.size) return;
    const snap = clone(e.rec);
    for (const cb of set) {
      try {
        cb(snap);
      } catch (err) {
        console.error('run listener failed', err);
      }
    }
  }

  /** The run is over: subscribers hear its final record last, waiters get it, it is no longer live. */
  end(id: string): R | undefined {
    const e = this.live.get(id);
    if (!e) return undefined;
    this.notify(id);
    this.live.delete(id);
    this.listeners.delete(id);
    const final = clone(e.rec);
    e.resolve(clone(final));
    return final;
  }

  /** The live record (a copy) or the stored one; an unknown id throws. */
  async get(id: string): Promise<R> {
    const live = this.snapshot(id);
    if (live) return live;
    const rec = await this.opts.load(id);
    if (!rec) throw new Error(this.opts.notFound(id));
    return rec;
  }

  /** Resolves with the final record of a live run, or the stored record of any other. */
  async wait(id: string): Promise<R> {
    const e = this.live.get(id);
    if (e) return clone(await e.done);
    return this.get(id);
  }

  /**
   * `cb` gets the record now (asynchronously, after this returns) and after every change until the
   * run ends; the final record is its last call. For a run that is not live: the stored record, once.
   * Returns the unsubscribe function.
   */
  subscribe(id: string, cb: RunListener<R>): () => void {
    let active = true;
    const guarded: RunListener<R> = (r) => {
      if (active) cb(r);
    };
    if (this.live.has(id)) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(guarded);
      queueMicrotask(() => {
        const snap = this.snapshot(id);
        if (snap) guarded(snap);
      });
      return () => {
        active = false;
        this.listeners.get(id)?.delete(guarded);
      };
    }
    void this.opts.load(id).then(
      (r) => r && guarded(r),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }

  /**
   * Of stored runs that are not finished, those whose engine is gone (a closed or reloaded page):
   * not live here, and owned by this engine or by one `isEngineAlive` says is gone.
   */
  async interrupted(candidates: R[], engineId: string, isEngineAlive?: (engineId: string) => Promise<boolean>): Promise<R[]> {
    const out: R[] = [];
    for (const rec of candidates) {
      if (this.live.has(rec.id)) continue;
      if (rec.engineId !== engineId && isEngineAlive && (await isEngineAlive(rec.engineId))) continue;
      out.push(rec);
    }
    return out;
  }
}
