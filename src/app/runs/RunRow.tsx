// One run in the history: status, algorithm name, what it ran on and how ("coins · otsu": runTitle.ts),
// start time, and a progress bar with its percentage while it runs (subscribed only while live) and,
// for a failed or cancelled run, where it stopped. The tooltip lists every argument.
import type { ExecutionRecord } from '../../core/records';
import { formatValue } from '../../core/params';
import { useExecution } from '../state/queries';
import { ProgressBar, StatusBadge, formatWhen, isLive, progressPercent } from './format';

export function RunRow({ rec: stored, what, selected, onSelect }: { rec: ExecutionRecord; what: string; selected: boolean; onSelect(): void }) {
  const live = useExecution(isLive(stored.status) ? stored.id : null);
  const rec = live ?? stored;
  const n = rec.inputDatasetIds.length;
  const args = Object.entries(rec.args).map(([k, v]) => `${k}=${formatValue(v)}`);
  return (
    <li className={`run-row${selected ? ' selected' : ''}`} data-testid="run-row" data-id={rec.id} data-status={rec.status}>
      <button
        className="run-row-main"
        aria-pressed={selected}
        onClick={onSelect}
        aria-label={`${rec.algorithmName} ${rec.algorithmVersion}: ${what}, ${rec.status.toLowerCase()}, ${formatWhen(rec.timeCreated)}`}
        title={[`${rec.algorithmName} ${rec.algorithmVersion}`, `${n} ${n === 1 ? 'input' : 'inputs'}: ${what}`, ...args].join('\n')}
      >
        <span className="run-row-top">
          <StatusBadge status={rec.status} />
          <span className="run-row-name" data-testid="run-row-name">
            {rec.algorithmName}
          </span>
        </span>
        <span className="run-row-sub">
          <span className="run-row-what" data-testid="run-what">
            {what}
          </span>
          <span className="muted run-row-when">{formatWhen(rec.timeCreated)}</span>
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
