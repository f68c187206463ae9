// One toolchain run, live: its status (Cancel while it runs), a row per block (status, process()
// calls against the units it will see — a loop evaluator's answered requests —, time, split parts, the error or warnings), each analyzer's
// results (table and plots), and each block output as a stored stream whose data units open in the
// workbench viewer.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BlockRunRecord, ToolchainCheck, ToolchainRunRecord } from '../../api';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import { AnalyzerResults } from './AnalyzerResults';
import { durationMs, formatMs, STATUS_CLASS, toolchainKeys } from './runState';
import { thrownMessage } from '../../core/describeValue';

const MAX_UNIT_BUTTONS = 48;

/** The process() calls a block will make, where known: 1 for autonomous blocks, else the most units among its inputs (unknown for a loop evaluator: it counts the requests it answers). */
export function expectedCalls(check: ToolchainCheck | undefined, rec: ToolchainRunRecord, block: string): number | null {
  const b = check?.blocks.find((x) => x.name === block);
  if (!b || b.loop?.role === 'evaluator') return null;
  if (b.type === 'autonomous' || b.runner) return 1;
  let most: number | null = null;
  for (const i of b.inputs) {
    const source = check!.sources.find((s) => s.name === i.from);
    let n: number | null = null;
    if (source) n = source.units;
    else {
      const [from, output] = i.from.split('.');
      n = rec.blocks[from!]?.outputs[output!]?.indices.length ?? null;
    }
    if (n !== null) most = Math.max(most ?? 0, n);
  }
  return most;
}

function BlockRow({ name, b, expected, loopEvaluator }: { name: string; b: BlockRunRecord; expected: number | null; loopEvaluator: boolean }) {
  const sel = useSelection();
  const ms = durationMs(b.timeStarted, b.timeFinished);
  const pct = expected ? Math.min(100, (100 * b.processCalls) / expected) : b.status === 'DONE' ? 100 : 0;
  return (
    <tr data-testid={`tc-block-${name}`} data-status={b.status} data-calls={b.processCalls}>
      <th scope="row">{name}</th>
      <td className="mono small-text">{b.algorithm}</td>
      <td>
        <span className={`chip ${STATUS_CLASS[b.status] ?? ''}`}>{b.status.toLowerCase()}</span>
      </td>
      <td className="tc-calls">
        <span className="mono" data-testid={`tc-calls-${name}`}>
          {b.processCalls}
        </span>
        {expected !== null && <span className="muted"> / {expected}</span>}
        {loopEvaluator && <span className="muted"> requests</span>}
        <div className="progress" aria-hidden="true">
          <div style={{ width: `${b.status === 'DONE' ? 100 : pct}%` }} />
        </div>
      </td>
      <td className="mono small-text">{formatMs(ms)}</td>
      <td className="small-text">{b.ranges.length ? `${b.ranges.length} parts: ${b.ranges.map(([s, e]) => `[${s}–${e}]`).join(' ')}` : '—'}</td>
      <td className="small-text tc-why">
        {b.executionId && (
          <div>
            execution {b.executionStatus?.toLowerCase() ?? ''}
            {b.executionStatus === 'STARTED' && b.executionProgress !== undefined ? ` ${Math.round(b.executionProgress * 100)}%` : ''}{' '}
            <button
              type="button"
              className="small"
              onClick={() => {
                sel.setView({ kind: 'execution', id: b.executionId! });
                sel.setPage('workbench');
              }}
            >
              Open run
            </button>
          </div>
        )}
        {b.error && (
          <span className={b.status === 'FAILED' ? 'error-text' : 'warn-text'} role={b.status === 'FAILED' ? 'alert' : undefined}>
            {b.error.message}
          </span>
        )}
        {b.warnings.map((w) => (
          <div key={w} className="warn-text">
            {w}
          </div>
        ))}
      </td>
    </tr>
  );
}

function Outputs({ rec }: { rec: ToolchainRunRecord }) {
  const sel = useSelection();
  const [all, setAll] = useState<Record<string, boolean>>({});
  const streams = rec.order.flatMap((block) => Object.values(rec.blocks[block]?.outputs ?? {}));
  if (!streams.length) return <p className="muted">{rec.status === 'RUNNING' ? 'Outputs appear as their blocks finish.' : 'No block wrote an output.'}</p>;
  const open = (id: string) => {
    sel.setView({ kind: 'dataset', id });
    sel.setPage('workbench');
  };
  return (
    <ul className="tc-outputs">
      {streams.map((s) => {
        const shown = all[s.stream] ? s.datasetIds.length : Math.min(MAX_UNIT_BUTTONS, s.datasetIds.length);
        return (
          <li key={s.stream} data-testid={`tc-output-${s.stream}`}>
            <div className="row">
              <strong className="mono">{s.stream}</strong>
              <span className="muted mono small-text">{s.format}</span>
              <span className="muted small-text">
                {s.datasetIds.length} data unit{s.datasetIds.length === 1 ? '' : 's'}
              </span>
            </div>
            <div className="tc-units">
              {s.datasetIds.slice(0, shown).map((id, k) => {
                const [start, end] = s.indices[k]!;
                return (
                  <button key={id} type="button" className="small" onClick={() => open(id)} title={`Open ${s.stream} [${start}–${end}] in the viewer`}>
                    {start === end ? start : `${start}–${end}`}
                  </button>
                );
              })}
              {shown < s.datasetIds.length && (
                <button type="button" className="small" onClick={() => setAll({ ...all, [s.stream]: true })}>
                  all {s.datasetIds.length}…
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** Delete a finished run: its record only, or with every dataset it stored (asked first). */
function DeleteRun({ rec, onDeleted }: { rec: ToolchainRunRecord; onDeleted: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stored = Object.values(rec.blocks).reduce((n, b) => n + Object.values(b.outputs).reduce((m, o) => m + o.datasetIds.length, 0), 0);
  const remove = async (withDatasets: boolean) => {
    setError(null);
    try {
      await api.toolchains.delete(rec.id, { withDatasets });
      await qc.invalidateQueries({ queryKey: toolchainKeys.runs });
      if (withDatasets) await invalidateData(qc);
      onDeleted();
    } catch (e) {
      setError(thrownMessage(e));
    }
  };
  if (!asking) {
    return (
      <button type="button" className="small" onClick={() => setAsking(true)}>
        Delete run…
      </button>
    );
  }
  return (
    <span className="row tc-delete" role="group" aria-label="Delete this run">
      <button type="button" className="small danger" onClick={() => void remove(true)}>
        Delete with its {stored} output dataset{stored === 1 ? '' : 's'}
      </button>
      <button type="button" className="small" onClick={() => void remove(false)}>
        Delete the run, keep the datasets
      </button>
      <button type="button" className="small" onClick={() => setAsking(false)}>
        Keep
      </button>
      {error && (
        <span className="error-text small-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

export function RunView({ rec, onDeleted }: { rec: ToolchainRunRecord; onDeleted: () => void }) {
  const api = useApi();
  const [cancelling, setCancelling] = useState(false);
  // The run's own toolchain, checked against the installed blocks (result types, unit counts).
  const check = useQuery({
    queryKey: ['toolchainRunCheck', rec.id],
    queryFn: () => api.toolchains.check(rec.toolchain),
    staleTime: Infinity,
    retry: false,
  });
  const ms = durationMs(rec.timeCreated, rec.timeFinished);
  const analyzers = rec.order.filter((n) => check.data?.blocks.find((b) => b.name === n)?.isAnalyzer || rec.blocks[n]?.results);
  return (
    <section className="tc-run" aria-label="Toolchain run" data-testid="tc-run" data-status={rec.status} data-run-id={rec.id}>
      <header className="row">
        <h3>Run</h3>
        <span className={`chip ${STATUS_CLASS[rec.status] ?? ''}`} data-testid="tc-run-status">
          {rec.status.toLowerCase()}
        </span>
        <span className="muted small-text">
          {new Date(rec.timeCreated).toLocaleString()} · {formatMs(ms)}
        </span>
        <span className="grow" />
        {rec.status !== 'RUNNING' && <DeleteRun key={rec.id} rec={rec} onDeleted={onDeleted} />}
        {rec.status === 'RUNNING' && (
          <button
            type="button"
            className="danger"
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              void api.toolchains.cancel(rec.id).finally(() => setCancelling(false));
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </header>
      {rec.error && (
        <p className={rec.status === 'CANCELLED' ? 'warn-text' : 'error-text'} role="alert">
          {rec.error}
        </p>
      )}
      <table className="tc-table tc-blocks">
        <thead>
          <tr>
            <th>block</th>
            <th>algorithm</th>
            <th>status</th>
            <th title="process() calls: how many times the block's process() ran, against the units it will see">units processed</th>
            <th>time</th>
            <th title="A splittable block runs in parallel parts over ranges of its units">run in parts</th>
            <th>notes</th>
          </tr>
        </thead>
        <tbody>
          {rec.order.map((n) => (
            <BlockRow
              key={n}
              name={n}
              b={rec.blocks[n]!}
              expected={expectedCalls(check.data, rec, n)}
              loopEvaluator={(rec.toolchain.loops ?? []).some((l) => l.evaluator === n)}
            />
          ))}
        </tbody>
      </table>
      {analyzers.map((n) => (
        <section key={n} className="tc-analyzer">
          <h4>
            Results of <span className="mono">{n}</span>
          </h4>
          <AnalyzerResults
            block={n}
            record={rec.blocks[n]!}
            specs={check.data?.blocks.find((b) => b.name === n)?.results ?? []}
            run={{ id: rec.id, toolchain: rec.toolchain.name ?? 'Toolchain' }}
          />
        </section>
      ))}
      <section>
        <h4>Outputs</h4>
        <p className="muted small-text">Each output is stored as an indexed stream: one dataset per data unit. Click a unit to open it in the viewer.</p>
        <Outputs rec={rec} />
      </section>
    </section>
  );
}
