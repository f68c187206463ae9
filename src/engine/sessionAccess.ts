// The session cache as runs use it: pruning old sessions before a run, and one chain of operations
// per session token, so concurrent runs of one session cannot lose each other's writes.
import { DEFAULT_SESSION_LIMITS, sessionsToPrune, type SessionLimits } from '../core/sessionCache';
import type { Store } from '../store/index';

export class SessionAccess {
  private readonly chains = new Map<string, Promise<unknown>>();
  readonly limits: SessionLimits;

  constructor(
    private readonly store: Store,
    limits?: SessionLimits,
  ) {
    this.limits = limits ?? DEFAULT_SESSION_LIMITS;
  }

  /** Drop the sessions past the limits (age, count), never `activeToken`'s. */
  async prune(activeToken: string): Promise<void> {
    const all = await this.store.listSessions();
    const drop = sessionsToPrune(all, activeToken, new Date(), this.limits);
    if (drop.length) await this.store.deleteSessions(drop);
  }

  /** Run `fn` after every earlier operation on the same token. */
  serial<T>(token: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(token) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.chains.set(
      token,
      next.catch(() => undefined),
    );
    return next;
  }
}
