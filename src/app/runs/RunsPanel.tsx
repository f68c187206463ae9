// The bottom strip: the run history (newest first, persisted) on the left, the selected run's live
// details and log on the right. Each row says what the run ran on and how ("coins · otsu"). A run that appears while the panel is open (e.g. Run was pressed)
// is selected automatically.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useAlgorithms, useDatasets, useExecutions, useStacks } from '../state/queries';
import { DEFAULT_LEVELS, type LevelFilter } from './LogView';
import { RunDetails } from './RunDetails';
import { RunRow } from './RunRow';
import { isLive } from './format';
import { runWhat } from './runTitle';
import './runs.css';
import { thrownMessage } from '../../core/describeValue';
import type { ExecutionRecord } from '../../core/records';

export function RunsPanel() {
  const executions = useExecutions();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [levels, setLevels] = useState<LevelFilter>(DEFAULT_LEVELS);
  const seen = useRef<Set<string> | null>(null);
  const list = executions.data ?? [];
  const describe = useRunWhat();

  // Select runs that appear after the first load (the newest of them).
  useEffect(() => {
    if (!executions.data) return;
    const ids = executions.data.map((r) => r.id);
    if (seen.current) {
      const fresh = executions.data.find((r) => !seen.current!.has(r.id));
      if (fresh) setSelectedId(fresh.id);
    }
    seen.current = new Set(ids);
  }, [executions.data]);

  const selected = list.find((r) => r.id === selectedId) ?? list[0] ?? null;
  const liveCount = list.filter((r) => isLive(r.status)).length;

  return (
    <div className="panel runs-panel" data-testid="runs-panel">
      <div className="runs-history">
        <div className="row runs-head">
          <h2 className="grow">Runs</h2>
          {list.length > 0 && (
            <span className="muted" data-testid="runs-count">
              {list.length}
              {liveCount > 0 ? ` · ${liveCount} running` : ''}
            </span>
          )}
        </div>
        {executions.isPending ? (
          <p className="empty" role="status">
            Loading runs…
          </p>
        ) : executions.isError ? (
          <p className="error-text runs-note" role="alert">
            Could not list the runs: {thrownMessage(executions.error)}
          </p>
        ) : list.length === 0 ? (
          <p className="empty runs-note">No runs yet. Choose inputs and an algorithm on the right, then press Run.</p>
        ) : (
          <ul className="runs-list" aria-label="Run history">
            {list.map((r) => (
              <RunRow key={r.id} rec={r} what={describe(r)} selected={selected?.id === r.id} onSelect={() => setSelectedId(r.id)} />
            ))}
          </ul>
        )}
      </div>
      {selected ? (
        <RunDetails key={selected.id} stored={selected} levels={levels} onLevels={setLevels} />
      ) : (
        <div className="run-details run-details-empty">
          <p className="empty">The details and log of a run show here.</p>
        </div>
      )}
    </div>
  );
}

/** "coins · otsu" for a run (runTitle.ts), from the datasets' names, the stacks and the algorithms' declared defaults. */
function useRunWhat(): (rec: ExecutionRecord) => string {
  const datasets = useDatasets().data;
  const stacks = useStacks().data;
  const algorithms = useAlgorithms().data;
  return useMemo(() => {
    const names = new Map((datasets ?? []).map((d) => [d.id, d.name]));
    const params = new Map((algorithms ?? []).map((a) => [a.id, a.additionalParameters]));
    return (rec: ExecutionRecord) => runWhat(rec, names, stacks ?? [], params.get(rec.algorithmId) ?? null);
  }, [datasets, stacks, algorithms]);
}
