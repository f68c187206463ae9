// One run in the history: status, algorithm name and version, input count, start time, and a
// progress bar with its percentage while it runs (subscribed only while live) and, for a failed or
// cancelled run, where it stopped.
import type { ExecutionRecord } from '../../core/records';
import { useExecution } from '../state/queries';
import { ProgressBar, StatusBadge, formatWhen, isLive, progressPercent } from './format';

export function RunRow({ rec: stored, selected, onSelect }: { rec: ExecutionRecord; selected: boolean; onSelect(): void }) {
  const live = useExecution(isLive(stored.status) ? stored.id : null);
  const rec = live ?? stored;
  const n = rec.inputDatasetIds.length;
  return (
    <li className={`run-row${selected ? ' selected' : ''}`} data-testid="run-row" data-id={rec.id} data-status={rec.status}>
      <button
        className="run-row-main"
        aria-pressed={selected}
        onClick={onSelect}
        aria-label={`${rec.algorithmName} ${rec.algorithmVersion}, ${rec.status.toLowerCase()}, ${formatWhen(rec.timeCreated)}`}
      >
        <span className="run-row-top">
          <StatusBadge status={rec.status} />
          <span className="run-row-name">
            {rec.algorithmName} <span className="muted mono">{rec.algorithmVersion}</span>
          </span>
        </span>
        <span className="run-row-sub muted">
          <span>
            {n} {n === 1 ? 'input' : 'inputs'}
          </span>
          <span>{formatWhen(rec.timeCreated)}</span>
        </span>
        {rec.status !== 'COMPLETED' && (
          <span className="run-row-progress">
            <ProgressBar rec={rec} label={`Progress of ${rec.algorithmName}`} />
            <span className="mono run-row-pct" data-testid="run-row-pct">
              {progressPercent(rec.progress)}%
            </span>
          </span>
        )}
      </button>
    </li>
  );
}
