// One run in the history: status, algorithm name and version, input count, start time, and a live
// progress bar while it runs (subscribed only while live).
import type { ExecutionRecord } from '../../core/records';
import { useExecution } from '../state/queries';
import { ProgressBar, StatusBadge, formatWhen, isLive } from './format';

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
        {isLive(rec.status) && <ProgressBar rec={rec} label={`Progress of ${rec.algorithmName}`} />}
      </button>
    </li>
  );
}
