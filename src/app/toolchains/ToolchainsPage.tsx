// The toolchain page: pick a built-in toolchain (built from the sample data) or write one as JSON,
// see its block diagram (connections given or inferred), set each block's parameters, run it and
// follow it live (per-block status and process() counts, Cancel), then read the analyzers' results
// (table and plots) and open any block output in the viewer. Past runs are listed and reopen from
// the address (`?page=toolchains&toolchain=<id>&run=<id>`).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { ToolchainJson } from '../../core/beat';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import { useTrustPrompt } from '../algorithms/TrustDialog';
import type { Drafts } from '../algorithms/paramValues';
import type { ParamFormProps } from '../algorithms/ParamForm';
import { BlockParameters, resolveParameters, type ParameterEdits } from './BlockParameters';
import { runnerArgs, runnerDrafts } from './runnerArgs';
import { BlocksList } from './BlocksList';
import { readToolchainParams, STATUS_CLASS, toolchainKeys, useToolchainRun, writeToolchainParams } from './runState';
import { RunView } from './RunView';
import { ToolchainDiagram } from './ToolchainDiagram';
import './toolchains.css';
import { thrownMessage } from '../../core/describeValue';

const CUSTOM = 'custom';

const EXAMPLE = JSON.stringify(
  {
    name: 'my toolchain',
    sources: [{ name: 'x', values: [{ value: 1 }, { value: 2 }, { value: 3 }], format: 'system/int32/1' }],
    blocks: [{ name: 'A', algorithm: 'builtin/fig3_labels/1' }],
    connections: [{ from: 'x', to: 'A.labels' }],
  },
  null,
  2,
);

function sameBlocks(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/** A rejected check or run: its problems one per line ("invalid toolchain: a; b" → a, b). */
function problemsOf(e: unknown): string[] {
  const m = thrownMessage(e);
  const colon = m.indexOf(': ');
  if (colon > 0 && m.includes('; ')) return [m.slice(0, colon) + ':', ...m.slice(colon + 2).split('; ').map((p) => `• ${p}`)];
  return [m];
}

export function ToolchainsPage() {
  const api = useApi();
  const qc = useQueryClient();
  const sel = useSelection();
  const [selected, setSelected] = useState<string>(() => readToolchainParams().toolchain ?? 'segmentation-eval');
  const [runId, setRunId] = useState<string | null>(() => readToolchainParams().run);
  const [customText, setCustomText] = useState(EXAMPLE);
  const [edits, setEdits] = useState<ParameterEdits>({});
  const [drafts, setDrafts] = useState<Record<string, Drafts>>({});
  const trust = useTrustPrompt();
  const [starting, setStarting] = useState(false);
  const [runError, setRunError] = useState<string[] | null>(null);

  useEffect(() => writeToolchainParams(sel.page, selected, runId), [sel.page, selected, runId]);

  const builtins = useQuery({ queryKey: toolchainKeys.builtins, queryFn: () => api.toolchains.builtins() });
  const runs = useQuery({ queryKey: toolchainKeys.runs, queryFn: () => api.toolchains.list() });
  const builtin = builtins.data?.find((b) => b.id === selected) ?? null;

  // The toolchain on screen: a built-in's, or the custom JSON.
  const base = useMemo((): { toolchain: ToolchainJson | null; problem: string | null } => {
    if (selected !== CUSTOM) return builtin ? { toolchain: builtin.toolchain, problem: builtin.problem } : { toolchain: null, problem: null };
    try {
      return { toolchain: JSON.parse(customText) as ToolchainJson, problem: null };
    } catch (e) {
      return { toolchain: null, problem: `The JSON does not parse: ${(e as Error).message}` };
    }
  }, [selected, builtin, customText]);
  const baseKey = base.toolchain ? JSON.stringify(base.toolchain) : '';
  const check = useQuery({ queryKey: toolchainKeys.check(baseKey), queryFn: () => api.toolchains.check(base.toolchain), enabled: !!base.toolchain, retry: false });
  const beatParams = check.data ? resolveParameters(check.data.blocks, edits) : { values: {}, errors: [] };
  // Runner blocks: their algorithms (for the parameter form and the trust question).
  const runnerIds = [...new Set((check.data?.blocks ?? []).flatMap((b) => (b.runner ? [b.runner.id] : [])))].sort();
  const runnerAlgs = useQuery({
    queryKey: ['toolchainRunnerAlgs', ...runnerIds],
    queryFn: () => Promise.all(runnerIds.map((id) => api.algorithms.get(id))),
    enabled: runnerIds.length > 0,
  });
  const runnerForms: Record<string, ParamFormProps | undefined> = {};
  const params = { values: { ...beatParams.values }, errors: [...beatParams.errors] };
  for (const b of check.data?.blocks ?? []) {
    const alg = b.runner ? runnerAlgs.data?.find((a) => a.id === b.runner!.id) : undefined;
    if (!alg) continue;
    const blockDrafts = drafts[b.name] ?? runnerDrafts(alg.additionalParameters, b.values);
    const r = runnerArgs(b.name, alg.additionalParameters, blockDrafts);
    params.values[b.name] = r.args;
    params.errors.push(...r.problems);
    runnerForms[b.name] = {
      params: alg.additionalParameters,
      drafts: blockDrafts,
      errors: r.errors,
      onChange: (name, draft) => setDrafts((cur) => ({ ...cur, [b.name]: { ...blockDrafts, [name]: draft } })),
      onResetAll: () => setDrafts((cur) => ({ ...cur, [b.name]: runnerDrafts(alg.additionalParameters, {}) })),
    };
  }
  const runnersReady = runnerIds.length === 0 || runnerAlgs.isSuccess;
  const { rec, error: runReadError } = useToolchainRun(runId);
  const running = rec?.status === 'RUNNING';

  const choose = (id: string) => {
    setSelected(id);
    setEdits({});
    setDrafts({});
    setRunError(null);
    setRunId(null);
  };

  const start = async () => {
    if (!base.toolchain || !check.data) return;
    setStarting(true);
    setRunError(null);
    try {
      // A third-party bundle used as a runner block asks first, as a run from the algorithm panel does.
      for (const alg of runnerAlgs.data ?? []) {
        if (!(await trust.ensureTrusted(alg, 'Trust and run the toolchain'))) return;
      }
      const toolchain = { ...base.toolchain, blocks: base.toolchain.blocks.map((b) => ({ ...b, parameters: params.values[b.name] ?? b.parameters ?? {} })) };
      const id = await api.toolchains.run(toolchain);
      setRunId(id);
      void qc.invalidateQueries({ queryKey: toolchainKeys.runs });
    } catch (e) {
      setRunError(problemsOf(e));
    } finally {
      setStarting(false);
    }
  };

  const createSamples = async () => {
    await api.samples.create();
    await invalidateData(qc);
    await qc.invalidateQueries({ queryKey: toolchainKeys.builtins });
  };

  return (
    <div className="toolchains-page">
      <aside className="tc-side panel" aria-label="Toolchains">
        <div className="panel-body">
          <h2>Toolchains</h2>
          <ul className="tc-choices" role="listbox" aria-label="Toolchain">
            {(builtins.data ?? []).map((b) => (
              <li key={b.id}>
                <button type="button" role="option" aria-selected={selected === b.id} className={selected === b.id ? 'selected' : ''} onClick={() => choose(b.id)} data-testid={`tc-choose-${b.id}`}>
                  {b.name}
                </button>
              </li>
            ))}
            <li>
              <button type="button" role="option" aria-selected={selected === CUSTOM} className={selected === CUSTOM ? 'selected' : ''} onClick={() => choose(CUSTOM)} data-testid="tc-choose-custom">
                Custom (JSON)
              </button>
            </li>
          </ul>
          <h2>Runs</h2>
          {runs.data?.length ? (
            <ul className="tc-history" aria-label="Toolchain runs">
              {runs.data.slice(0, 30).map((r) => (
                <li key={r.id}>
                  <button type="button" className={r.id === runId ? 'selected' : ''} onClick={() => setRunId(r.id)} title={r.id}>
                    <span className={`dot ${STATUS_CLASS[r.status] ?? ''}`} aria-hidden="true" />
                    <span className="ellipsis">{r.toolchain.name ?? 'toolchain'}</span>
                    <span className="muted small-text">{new Date(r.timeCreated).toLocaleTimeString()}</span>
                    <span className="sr-only">{r.status}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small-text">No runs yet.</p>
          )}
          <BlocksList />
        </div>
      </aside>
      <main className="tc-main panel" aria-label="Toolchain">
        <div className="panel-body">
          <header className="row tc-head">
            <h3 data-testid="tc-name">{selected === CUSTOM ? 'Custom toolchain' : (builtin?.name ?? '…')}</h3>
            <span className="grow" />
            {selected !== CUSTOM && base.toolchain && (
              <button
                type="button"
                onClick={() => {
                  setCustomText(JSON.stringify(base.toolchain, null, 2));
                  choose(CUSTOM);
                }}
              >
                Edit as JSON
              </button>
            )}
            <button type="button" className="primary" data-testid="tc-run-button" disabled={!check.data || !runnersReady || params.errors.length > 0 || starting || running} onClick={() => void start()}>
              {starting ? 'Starting…' : running ? 'Running…' : 'Run toolchain'}
            </button>
          </header>
          {builtin && <p className="muted">{builtin.description}</p>}
          {selected === CUSTOM && (
            <div className="tc-json">
              <label htmlFor="tc-json">Toolchain JSON (sources, blocks, connections — see docs/beat.md, “Toolchains”)</label>
              <textarea id="tc-json" spellCheck={false} rows={14} value={customText} onChange={(e) => setCustomText(e.target.value)} data-testid="tc-json" />
            </div>
          )}
          {base.problem && (
            <div role="alert" className="error-text">
              <p>{base.problem}</p>
              {selected !== CUSTOM && (
                <button type="button" onClick={() => void createSamples()}>
                  Create the sample data
                </button>
              )}
            </div>
          )}
          {check.isError && (
            <div role="alert" className="error-text tc-problems" data-testid="tc-problems">
              {problemsOf(check.error).map((p) => (
                <div key={p}>{p}</div>
              ))}
            </div>
          )}
          {check.data && (
            <>
              {check.data.description && <p className="muted">{check.data.description}</p>}
              <ToolchainDiagram check={check.data} run={rec && sameBlocks(rec.order, check.data.blocks.map((b) => b.name)) ? rec : null} />
              <h4>Parameters</h4>
              <BlockParameters blocks={check.data.blocks} edits={edits} onChange={setEdits} disabled={running} runnerForms={runnerForms} />
            </>
          )}
          {params.errors.length > 0 && <p className="error-text small-text">Fix the parameters above to run.</p>}
          {runError && (
            <div role="alert" className="error-text tc-problems" data-testid="tc-run-error">
              {runError.map((p) => (
                <div key={p}>{p}</div>
              ))}
            </div>
          )}
          {runReadError && (
            <p role="alert" className="error-text">
              {runReadError}
            </p>
          )}
          {runnerAlgs.isError && (
            <p role="alert" className="error-text">
              {(runnerAlgs.error as Error).message}
            </p>
          )}
          {rec && <RunView rec={rec} onDeleted={() => setRunId(null)} />}
          {trust.dialog}
        </div>
      </main>
    </div>
  );
}
