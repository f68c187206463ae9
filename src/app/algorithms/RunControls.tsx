// The inputs of the next run (ordered datasets or one stack), the device, an optional time limit,
// and Run → api.execute(...). Several runs can be in flight; each new one appears (selected) in the
// runs panel. The first run of a third-party bundle asks first (TrustDialog, per bundle hash).
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { AlgorithmInfo } from '../../core/records';
import type { StackRecord } from '../../core/stacks';
import { useApi } from '../apiContext';
import { keys, useDatasets, useGpu, useStacks } from '../state/queries';
import { useSelection, type RunInputs } from '../state/selection';
import { AddInputPicker } from './AddInputPicker';
import { DeviceChooser, preferredDevice, runDevices, type RunDevice } from './DeviceChooser';
import type { FormResult } from './paramValues';
import { useTrustGate } from './TrustDialog';
import { thrownMessage } from '../../core/describeValue';

const SANDBOX_GPU = { available: false, reason: 'third-party bundles run in a sandbox that has no WebGPU, so they run on cpu' };

/** The dataset ids a run gets (a stack's slices in order), or the reason there are none. */
export function resolveInputs(inputs: RunInputs, stacks: StackRecord[] | undefined, stacksError?: Error | null): { ids: string[]; problem: string | null } {
  if (inputs.kind === 'datasets') return { ids: inputs.ids, problem: inputs.ids.length ? null : 'Choose the input datasets first.' };
  const s = stacks?.find((x) => x.id === inputs.id);
  if (!s) {
    if (stacksError) return { ids: [], problem: `Could not read the stacks: ${stacksError.message}` };
    return { ids: [], problem: stacks ? 'The selected stack no longer exists.' : 'Loading the stack…' };
  }
  return { ids: s.datasetIds, problem: s.datasetIds.length ? null : 'The selected stack is empty.' };
}

export function RunControls({ alg, form }: { alg: AlgorithmInfo; form: FormResult }) {
  const api = useApi();
  const qc = useQueryClient();
  const { inputs } = useSelection();
  const stacks = useStacks();
  const probed = useGpu();
  // Third-party bundles run in the opaque-origin sandbox, which has no WebGPU (docs/security.md).
  const gpu = alg.origin.kind === 'builtin' ? probed : { data: SANDBOX_GPU };
  const [chosen, setChosen] = useState<RunDevice | null>(null);
  const [limit, setLimit] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState(0);
  const { ensureTrusted, dialog } = useTrustGate(alg);
  const limitId = useId();
  const whyId = useId();

  const devs = runDevices(alg.supportedDevices);
  const device =
    chosen && devs.includes(chosen) && !(chosen === 'gpu' && !gpu.data?.available)
      ? chosen
      : preferredDevice(alg.supportedDevices, alg.defaultDevice, gpu.data);
  const limitSec = limit.trim() === '' ? null : Number(limit);
  const limitProblem =
    limitSec !== null && !(Number.isFinite(limitSec) && limitSec > 0) ? 'The time limit must be a positive number of seconds (or empty for none).' : null;
  const resolved = resolveInputs(inputs, stacks.data, stacks.error as Error | null);
  const nErrors = Object.keys(form.errors).length;
  const why = resolved.problem ?? (nErrors ? `Fix the ${nErrors === 1 ? 'parameter error' : `${nErrors} parameter errors`} above.` : limitProblem);

  const onRun = async () => {
    setError(null);
    try {
      if (!(await ensureTrusted('Trust and run'))) return;
    } catch (e) {
      setError(thrownMessage(e));
      return;
    }
    setBusy(true);
    try {
      await api.execute({
        algorithmId: alg.id,
        inputDatasetIds: resolved.ids,
        args: form.args,
        ...(device ? { device } : {}),
        timeoutMs: limitSec === null ? null : Math.round(limitSec * 1000),
      });
      setStarted((n) => n + 1);
      await qc.invalidateQueries({ queryKey: keys.executions });
    } catch (e) {
      setError(thrownMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="run-controls" aria-label="Run">
      {dialog}
      <InputsSummary />
      <div className="row run-options">
        <DeviceChooser supported={alg.supportedDevices} gpu={gpu.data} value={device} onChange={setChosen} />
      </div>
      <div className="row run-bottom">
        <label htmlFor={limitId} className="run-limit-label">
          Time limit
        </label>
        <input
          id={limitId}
          type="number"
          min={0}
          step="any"
          className="run-limit"
          placeholder="none"
          value={limit}
          onChange={(e) => setLimit(e.target.value)}
          aria-invalid={!!limitProblem}
          aria-describedby={limitProblem ? whyId : undefined}
        />
        <span className="muted">s</span>
        <div className="grow" />
        <button
          className="primary run-button"
          onClick={() => void onRun()}
          disabled={!!why || busy}
          aria-describedby={why ? whyId : undefined}
          data-testid="run-button"
        >
          {busy ? 'Starting…' : `Run ${alg.name}`}
        </button>
      </div>
      {why && (
        <p id={whyId} className="muted run-why" data-testid="run-why">
          {why}
        </p>
      )}
      {error && (
        <p role="alert" className="error-text run-error" data-testid="run-error">
          {error}
        </p>
      )}
      {!error && started > 0 && !why && (
        <p className="muted run-why" role="status">
          Started {started === 1 ? 'a run' : `${started} runs`} — see Runs below.
        </p>
      )}
    </section>
  );
}

/** Numbered inputs (order matters: slice 0 first), reorder/remove, and a picker to add more. */
function InputsSummary() {
  const { inputs, setInputs } = useSelection();
  const datasets = useDatasets();
  const stacks = useStacks();
  const names = new Map((datasets.data ?? []).map((d) => [d.id, d.name]));
  const ids = inputs.kind === 'datasets' ? inputs.ids : [];
  const stack = inputs.kind === 'stack' ? stacks.data?.find((s) => s.id === inputs.id) : undefined;

  const move = (i: number, by: number) => {
    const next = [...ids];
    const j = i + by;
    if (j < 0 || j >= next.length) return;
    [next[i], next[j]] = [next[j]!, next[i]!];
    setInputs({ kind: 'datasets', ids: next });
  };
  const stackList = stacks.data ?? [];

  return (
    <div className="run-inputs" data-testid="run-inputs">
      <div className="row">
        <h2 className="grow">Inputs</h2>
        {inputs.kind === 'datasets' && ids.length > 0 && (
          <span className="muted">
            {ids.length} {ids.length === 1 ? 'dataset' : 'datasets'}
          </span>
        )}
        {(ids.length > 0 || inputs.kind === 'stack') && (
          <button className="small" onClick={() => setInputs({ kind: 'datasets', ids: [] })}>
            Clear
          </button>
        )}
      </div>
      {inputs.kind === 'stack' ? (
        <p className="run-stack" data-testid="run-input-stack">
          Stack <strong>{stack?.name ?? '(unknown stack)'}</strong> —{' '}
          {stack ? `${stack.datasetIds.length} ${stack.datasetIds.length === 1 ? 'slice' : 'slices'}` : 'not found'}
        </p>
      ) : ids.length === 0 ? (
        <p className="muted run-empty">Select datasets (tick them) or a stack on the left.</p>
      ) : (
        <ol className="run-input-list">
          {ids.map((id, i) => (
            <li key={id} className="row" data-testid="run-input">
              <span className="run-input-n mono">{i + 1}.</span>
              <span className="grow run-input-name" title={names.get(id) ?? id}>
                {names.get(id) ?? <span className="muted">{id.slice(0, 8)}… (missing)</span>}
              </span>
              <button className="small icon" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${names.get(id) ?? id} up`}>
                ↑
              </button>
              <button className="small icon" onClick={() => move(i, 1)} disabled={i === ids.length - 1} aria-label={`Move ${names.get(id) ?? id} down`}>
                ↓
              </button>
              <button
                className="small icon"
                onClick={() => setInputs({ kind: 'datasets', ids: ids.filter((x) => x !== id) })}
                aria-label={`Remove ${names.get(id) ?? id} from the inputs`}
              >
                ×
              </button>
            </li>
          ))}
        </ol>
      )}
      <AddInputPicker
        datasets={datasets.data}
        stacks={stackList}
        chosen={ids}
        onFocus={() => {
          void datasets.refetch();
          void stacks.refetch();
        }}
        onAddDataset={(id) => setInputs({ kind: 'datasets', ids: [...ids, id] })}
        onUseStack={(id) => setInputs({ kind: 'stack', id })}
      />
    </div>
  );
}
