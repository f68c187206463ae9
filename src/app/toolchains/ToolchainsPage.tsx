// The toolchain page: pick a built-in toolchain (built from the sample data), one of the user's saved
// toolchains, or write one as JSON; bind its sources to the user's own stacks or datasets; see its
// block diagram (connections given or inferred, loops), set each block's parameters, save it, run it
// and follow it live (per-block status and process() counts, Cancel), then read the analyzers' results
// (table and plots) and open any block output in the viewer. Past runs are listed and reopen from
// the address (`?page=toolchains&toolchain=<id>&run=<id>`); the side panel also lists the installed
// blocks and data formats, and installs them.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import { useTrustPrompt } from '../algorithms/TrustDialog';
import { BlockParameters, type ParameterEdits } from './BlockParameters';
import { BlocksList } from './BlocksList';
import { CUSTOM_EXAMPLE } from './customExample';
import { FormatsList } from './FormatsList';
import { ProblemList } from './ProblemList';
import { problemsOf, sameBlocks } from './problems';
import { RunHistory } from './RunHistory';
import { readToolchainParams, toolchainKeys, useToolchainRun, writeToolchainParams } from './runState';
import { RunView } from './RunView';
import { CUSTOM, savedChoice, savedIdOf, ToolchainChooser } from './ToolchainChooser';
import { bindSource, withParameters, type PickedBinding } from './bindings';
import { SavedNote, SaveToolchain } from './SaveToolchain';
import { SourceBindings } from './SourceBindings';
import { ToolchainDiagram } from './ToolchainDiagram';
import { useRunnerForms } from './useRunnerForms';
import { useToolchainSource } from './useToolchainSource';
import './toolchains.css';
import { thrownMessage } from '../../core/describeValue';

export function ToolchainsPage() {
  const api = useApi();
  const qc = useQueryClient();
  const sel = useSelection();
  const [selected, setSelected] = useState<string>(() => readToolchainParams().toolchain ?? 'segmentation-eval');
  const [runId, setRunId] = useState<string | null>(() => readToolchainParams().run);
  const [customText, setCustomText] = useState(CUSTOM_EXAMPLE);
  const [edits, setEdits] = useState<ParameterEdits>({});
  const [picked, setPicked] = useState<Record<string, PickedBinding>>({});
  const trust = useTrustPrompt();
  const [starting, setStarting] = useState(false);
  const [runError, setRunError] = useState<string[] | null>(null);

  useEffect(() => writeToolchainParams(sel.page, selected, runId), [sel.page, selected, runId]);

  const builtins = useQuery({ queryKey: toolchainKeys.builtins, queryFn: () => api.toolchains.builtins() });
  const runs = useQuery({ queryKey: toolchainKeys.runs, queryFn: () => api.toolchains.list() });
  const saved = useQuery({ queryKey: toolchainKeys.saved, queryFn: () => api.toolchains.saved.list() });
  const builtin = builtins.data?.find((b) => b.id === selected) ?? null;
  const savedRec = saved.data?.find((r) => r.id === savedIdOf(selected)) ?? null;
  const { base, bound, check } = useToolchainSource(selected, builtin, saved.data, customText, picked);
  const { params, runnerForms, runnerAlgs, runnersReady, resetDrafts } = useRunnerForms(check.data?.blocks, edits);
  const { rec, error: runReadError } = useToolchainRun(runId);
  const running = rec?.status === 'RUNNING';

  // What runs, is saved and "Edit as JSON" shows: the sources as bound, the parameters as set.
  const effective = bound && check.data ? withParameters(bound, params.values) : null;

  const open = (id: string) => {
    setSelected(id);
    setEdits({});
    setPicked({});
    resetDrafts();
    setRunError(null);
  };
  const choose = (id: string) => {
    open(id);
    setRunId(null);
  };

  /** A source bound on the page; in the JSON editor the binding is written into the text. */
  const bind = (source: string, b: PickedBinding) => {
    if (selected === CUSTOM && base.toolchain) setCustomText(JSON.stringify(bindSource(base.toolchain, source, b), null, 2));
    else setPicked((cur) => ({ ...cur, [source]: b }));
  };

  const start = async () => {
    if (!effective) return;
    setStarting(true);
    setRunError(null);
    try {
      // A third-party bundle used as a runner block asks first, as a run from the algorithm panel does.
      for (const alg of runnerAlgs.data ?? []) {
        if (!(await trust.ensureTrusted(alg, 'Trust and run the toolchain'))) return;
      }
      const id = await api.toolchains.run(effective);
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
          <ToolchainChooser
            builtins={builtins.data ?? []}
            saved={saved.data ?? []}
            selected={selected}
            onChoose={choose}
            onDeleted={(id) => selected === savedChoice(id) && choose('segmentation-eval')}
          />
          <h2>Runs</h2>
          <RunHistory runs={runs.data} current={runId} onOpen={setRunId} />
          <BlocksList />
          <FormatsList />
        </div>
      </aside>
      <main className="tc-main panel" aria-label="Toolchain">
        <div className="panel-body">
          <header className="row tc-head">
            <h3 data-testid="tc-name">{selected === CUSTOM ? 'Custom toolchain' : (savedRec?.name ?? builtin?.name ?? '…')}</h3>
            <span className="grow" />
            <SaveToolchain
              toolchain={effective}
              from={builtin?.id ?? savedRec?.from ?? null}
              open={savedRec}
              defaultName={savedRec?.name ?? (builtin ? `${builtin.name} (my data)` : (bound?.name ?? 'my toolchain'))}
              disabled={params.errors.length > 0}
              onSaved={(rec) => open(savedChoice(rec.id))}
            />
            {selected !== CUSTOM && bound && (
              <button
                type="button"
                onClick={() => {
                  setCustomText(JSON.stringify(effective ?? bound, null, 2));
                  choose(CUSTOM);
                }}
              >
                Edit as JSON
              </button>
            )}
            <button
              type="button"
              className="primary"
              data-testid="tc-run-button"
              disabled={!check.data || !runnersReady || params.errors.length > 0 || starting || running}
              onClick={() => void start()}
            >
              {starting ? 'Starting…' : running ? 'Running…' : 'Run toolchain'}
            </button>
          </header>
          {builtin && <p className="muted">{builtin.description}</p>}
          {savedRec && <SavedNote rec={savedRec} builtins={builtins.data ?? []} />}
          {selected === CUSTOM && (
            <div className="tc-json">
              <label htmlFor="tc-json">Toolchain JSON (sources, blocks, connections, loops — see docs/beat.md, “Toolchains”)</label>
              <textarea id="tc-json" spellCheck={false} rows={14} value={customText} onChange={(e) => setCustomText(e.target.value)} data-testid="tc-json" />
            </div>
          )}
          {base.problem && (
            <div role="alert" className="error-text">
              <p>{base.problem}</p>
              {builtin && (
                <button type="button" onClick={() => void createSamples()}>
                  Create the sample data
                </button>
              )}
            </div>
          )}
          {check.isError && <ProblemList problems={problemsOf(check.error)} testId="tc-problems" />}
          {check.data && (
            <>
              {check.data.description && <p className="muted">{check.data.description}</p>}
              <ToolchainDiagram
                check={check.data}
                run={
                  rec &&
                  sameBlocks(
                    rec.order,
                    check.data.blocks.map((b) => b.name),
                  )
                    ? rec
                    : null
                }
              />
              {bound && <SourceBindings key={selected} toolchain={bound} disabled={running} onBind={bind} />}
              <h4>Parameters</h4>
              <BlockParameters blocks={check.data.blocks} edits={edits} onChange={setEdits} disabled={running} runnerForms={runnerForms} />
            </>
          )}
          {params.errors.length > 0 && <p className="error-text small-text">Fix the parameters above to run.</p>}
          {runError && <ProblemList problems={runError} testId="tc-run-error" />}
          {runReadError && (
            <p role="alert" className="error-text">
              {runReadError}
            </p>
          )}
          {runnerAlgs.isError && (
            <p role="alert" className="error-text">
              {thrownMessage(runnerAlgs.error)}
            </p>
          )}
          {rec && <RunView rec={rec} onDeleted={() => setRunId(null)} />}
          {trust.dialog}
        </div>
      </main>
    </div>
  );
}
