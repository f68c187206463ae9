// The selected run, live: status, progress (fed by the runner's setProgress), stage timings, args,
// device, error, the log, Cancel while it runs, "Open results" and "Export all outputs" once it completed with
// outputs, and "Run again" once it finished (a failed or cancelled run's bar stays where it stopped).
import { useState } from 'react';
import type { ExecutionRecord } from '../../core/records';
import { formatValue } from '../../core/params';
import { useApi } from '../apiContext';
import { useDatasets, useExecution } from '../state/queries';
import { useSelection } from '../state/selection';
import { ProgressBar, StatusBadge, formatMs, isLive, progressPercent } from './format';
import { RunAgainButton } from './RunAgainButton';
import { LogView, type LevelFilter } from './LogView';
import { thrownMessage } from '../../core/describeValue';
import { ExportAllOutputs } from './ExportAllOutputs';

const STAGES = ['load', 'preprocess', 'inference', 'postprocess', 'total'] as const;

export function RunDetails({ stored, levels, onLevels }: { stored: ExecutionRecord; levels: LevelFilter; onLevels(l: LevelFilter): void }) {
  const api = useApi();
  const live = useExecution(stored.id);
  const rec = live?.id === stored.id ? live : stored;
  const { view, setView } = useSelection();
  const datasets = useDatasets();
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = isLive(rec.status);
  const canOpen = rec.status === 'COMPLETED' && rec.outputDatasetIds.length > 0;
  const showing = view?.kind === 'execution' && view.id === rec.id;
  const names = new Map((datasets.data ?? []).map((d) => [d.id, d.name]));
  const args = Object.entries(rec.args);

  const onCancel = async () => {
    setCancelling(true);
    setError(null);
    try {
      await api.executions.cancel(rec.id);
    } catch (e) {
      setError(thrownMessage(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="run-details" data-testid="run-details" data-id={rec.id}>
      <div className="run-meta">
        <div className="row run-details-head">
          <StatusBadge status={rec.status} />
          <strong className="grow run-details-name" title={`${rec.algorithmName} ${rec.algorithmVersion}`}>
            {rec.algorithmName} <span className="muted mono">{rec.algorithmVersion}</span>
          </strong>
        </div>
        <div className="row run-progress-row">
          <ProgressBar rec={rec} label="Run progress" />
          <span className="mono run-pct" data-testid="run-pct">
            {progressPercent(rec.progress)}%
          </span>
          {running && (
            <button className="small danger" onClick={() => void onCancel()} disabled={cancelling} data-testid="run-cancel">
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          <button
            className={`small${canOpen && !showing ? ' primary' : ''}`}
            onClick={() => setView({ kind: 'execution', id: rec.id })}
            disabled={!canOpen}
            aria-pressed={showing}
            title={
              canOpen ? 'Show the outputs in the viewer' : rec.status === 'COMPLETED' ? 'This run produced no datasets' : 'Available when the run has completed'
            }
            data-testid="run-open-results"
          >
            {showing ? 'Showing results' : 'Open results'}
          </button>
        </div>
        {canOpen && <ExportAllOutputs rec={rec} datasets={datasets.data ?? []} />}
        {!running && (
          <div className="row run-again-row">
            <RunAgainButton rec={rec} />
          </div>
        )}
        {error && (
          <p role="alert" className="error-text run-small">
            {error}
          </p>
        )}
        {rec.error && (
          <p className="error-text run-small run-error-msg" data-testid="run-error-message">
            {rec.error.message}
          </p>
        )}
        <dl className="run-facts">
          <dt>Stages</dt>
          <dd className="run-timings" data-testid="run-timings">
            {STAGES.map((s) => (
              <span key={s} className={rec.timings[s] === undefined ? 'muted' : ''}>
                {s} <span className="mono">{formatMs(rec.timings[s])}</span>
              </span>
            ))}
          </dd>
          <dt>Device</dt>
          <dd data-testid="run-device">
            {rec.device ?? '—'}
            {rec.requestedDevice && rec.requestedDevice !== rec.device ? <span className="muted"> (asked: {rec.requestedDevice})</span> : null}
          </dd>
          <dt>Inputs</dt>
          <dd className="run-inputs-text" title={rec.inputDatasetIds.map((id) => names.get(id) ?? id).join('\n')}>
            {rec.inputDatasetIds.length}: {rec.inputDatasetIds.map((id) => names.get(id) ?? `${id.slice(0, 8)}…`).join(', ')}
          </dd>
          <dt>Args</dt>
          <dd className="run-args mono" data-testid="run-args">
            {args.length === 0 ? <span className="muted">none</span> : args.map(([k, v]) => <span key={k}>{`${k}=${formatValue(v)}`}</span>)}
          </dd>
          {rec.timeoutMs !== null && (
            <>
              <dt>Limit</dt>
              <dd>{formatMs(rec.timeoutMs)}</dd>
            </>
          )}
          {rec.status === 'COMPLETED' && (
            <>
              <dt>Outputs</dt>
              <dd>{rec.outputDatasetIds.length}</dd>
            </>
          )}
        </dl>
      </div>
      <LogView lines={rec.log} levels={levels} onLevels={onLevels} />
    </div>
  );
}
