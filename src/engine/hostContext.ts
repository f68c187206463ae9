// What the host API of one run needs of the executions that own it: the store, the session
// cache, and ways to log, announce changes and set the run's status.
import type { ExecutionStatus, LogLevel } from '../core/records';
import type { Store } from '../store/index';
import type { LiveRun } from './liveRun';
import type { SessionAccess } from './sessionAccess';

/** What the host API needs of the executions that own the run. */
export interface HostApiContext {
  store: Store;
  sessions: SessionAccess;
  log(run: LiveRun, level: LogLevel, message: string): void;
  /** Subscribers hear of a change now. */
  notify(run: LiveRun): void;
  /** Subscribers hear of a change now; the store soon (throttled). */
  changed(run: LiveRun): void;
  setStatus(run: LiveRun, status: ExecutionStatus): Promise<void>;
}
