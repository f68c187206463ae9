// Small display helpers for runs (pure).
import { TERMINAL_STATUSES, type ExecutionRecord, type ExecutionStatus } from '../../core/records';

export const isLive = (s: ExecutionStatus): boolean => !TERMINAL_STATUSES.includes(s);

/** "850 ms", "1.24 s", "2 min 5 s". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** Clock time for a log line: "14:03:07.123". */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** When a run was started, for the history: "14:03:07" today, else "Mar 4, 14:03". */
export function formatWhen(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export const STATUS_LABEL: Record<ExecutionStatus, string> = {
  PENDING: 'pending',
  STARTED: 'starting',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <span className={`run-status status-${status.toLowerCase()}`} data-testid="run-status" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

/** A record's progress as a whole percentage, 0 to 100. */
export const progressPercent = (progress: number): number => Math.round(Math.max(0, Math.min(1, progress)) * 100);

export function ProgressBar({ rec, label }: { rec: Pick<ExecutionRecord, 'progress' | 'status'>; label: string }) {
  const pct = progressPercent(rec.progress);
  return (
    <div
      className={`progress run-progress status-${rec.status.toLowerCase()}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-testid="run-progress"
    >
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}
