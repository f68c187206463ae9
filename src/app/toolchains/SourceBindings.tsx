// "Data": each source of the toolchain that stored data can feed (an image, mask or volume format),
// bound to one of the user's stacks or datasets (`algobox.toolchains.sourceChoices`). The usable
// ones are listed first — for ground truth (a source only analyzers read) masks and labels first —
// and the others are shown disabled with why they cannot feed it (dataset, field, dtype or shape, and
// what the format needs).
import { useQuery } from '@tanstack/react-query';
import type { BindingCandidate, SourceChoices } from '../../api';
import type { ToolchainJson } from '../../core/beat';
import { useApi } from '../apiContext';
import { useDatasets, useStacks } from '../state/queries';
import { bindingKey, type PickedBinding } from './bindings';
import { thrownMessage } from '../../core/describeValue';

const CURRENT = 'current';

function label(c: BindingCandidate): string {
  const what = c.kind === 'stack' ? `stack of ${c.units}` : 'dataset';
  return c.problem ? `${c.name} — ${c.problem}` : `${c.name} (${what}${c.field ? `, field ${c.field}` : ''})`;
}

/** The option the source is bound to now, or null when it reads something no single candidate is (several datasets, inline values). */
function currentKey(s: SourceChoices): string | null {
  if (s.bound.kind === 'stack') return bindingKey('stack', s.bound.id);
  if (s.bound.kind === 'datasets' && s.bound.ids.length === 1) return bindingKey('dataset', s.bound.ids[0]!);
  return null;
}

function boundText(s: SourceChoices): string {
  if (s.bound.kind === 'datasets') return `as in the toolchain (${s.bound.ids.length} dataset${s.bound.ids.length === 1 ? '' : 's'})`;
  if (s.bound.kind === 'values') return 'as in the toolchain (inline values)';
  return 'as in the toolchain (a stack that no longer exists)';
}

/** The units the source gives as bound (null when not known here). */
function boundUnits(s: SourceChoices): number | null {
  if (s.bound.kind === 'datasets') return s.bound.ids.length;
  if (s.bound.kind === 'stack') {
    const id = s.bound.id;
    return s.candidates.find((c) => c.kind === 'stack' && c.id === id)?.units ?? null;
  }
  return null;
}

/** "images 3, ground_truth 5" when the bound sources give different numbers of units, else null. */
function unitMismatch(choices: readonly SourceChoices[]): string | null {
  const counts = choices.flatMap((s) => {
    const n = boundUnits(s);
    return n === null ? [] : [`${s.source} ${n}`];
  });
  const distinct = new Set(choices.map(boundUnits).filter((n) => n !== null));
  return distinct.size > 1 ? counts.join(', ') : null;
}

function SourceRow({ s, disabled, onBind }: { s: SourceChoices; disabled: boolean; onBind: (source: string, b: PickedBinding) => void }) {
  const usable = s.candidates.filter((c) => c.problem === null);
  const unusable = s.candidates.filter((c) => c.problem !== null);
  const key = currentKey(s);
  const value = key && usable.some((c) => bindingKey(c.kind, c.id) === key) ? key : CURRENT;
  const id = `tc-bind-${s.source}`;
  return (
    <div className="tc-bind-row" data-testid={id}>
      <label htmlFor={id}>
        <strong className="mono">{s.source}</strong>{' '}
        <span className="muted small-text">
          {s.role === 'ground truth' ? 'ground truth (masks or labels)' : 'input'} · needs {s.needs}
        </span>
      </label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          const c = usable.find((x) => bindingKey(x.kind, x.id) === e.target.value);
          if (c) onBind(s.source, { kind: c.kind, id: c.id, field: c.field });
        }}
      >
        {value === CURRENT && <option value={CURRENT}>{boundText(s)}</option>}
        {usable.length === 0 && <option disabled>none of your datasets or stacks fits {s.format}</option>}
        {usable.map((c) => (
          <option key={bindingKey(c.kind, c.id)} value={bindingKey(c.kind, c.id)}>
            {label(c)}
          </option>
        ))}
        {unusable.length > 0 && (
          <optgroup label={`Cannot feed ${s.source} (${s.format})`}>
            {unusable.map((c) => (
              <option key={bindingKey(c.kind, c.id)} value={bindingKey(c.kind, c.id)} disabled>
                {label(c)}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {unusable.length > 0 && (
        <details className="small-text">
          <summary className="muted">{unusable.length} of yours cannot feed it: why</summary>
          <ul className="tc-bind-problems" data-testid={`tc-bind-problems-${s.source}`}>
            {unusable.map((c) => (
              <li key={bindingKey(c.kind, c.id)}>{c.problem}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function SourceBindings({
  toolchain,
  disabled,
  onBind,
}: {
  toolchain: ToolchainJson;
  disabled: boolean;
  onBind: (source: string, b: PickedBinding) => void;
}) {
  const api = useApi();
  // Refetched when the datasets or stacks change (an import, a deletion).
  const datasets = useDatasets();
  const stacks = useStacks();
  const json = JSON.stringify(toolchain);
  const choices = useQuery({
    queryKey: ['toolchainSourceChoices', json, datasets.dataUpdatedAt, stacks.dataUpdatedAt],
    queryFn: () => api.toolchains.sourceChoices(toolchain),
    retry: false,
    placeholderData: (prev) => prev,
  });
  if (choices.isError) return <p className="error-text small-text">{thrownMessage(choices.error)}</p>;
  if (!choices.data?.length) return null;
  return (
    <section className="tc-bindings" aria-label="Data of the sources">
      <h4>Data</h4>
      <p className="muted small-text">Bind each source to your own stack or dataset (units are paired by their order). The usable ones are listed first.</p>
      {choices.data.map((s) => (
        <SourceRow key={s.source} s={s} disabled={disabled} onBind={onBind} />
      ))}
      {unitMismatch(choices.data) && (
        <p className="warn-text small-text" data-testid="tc-bind-units">
          The sources give different numbers of units ({unitMismatch(choices.data)}): blocks reading them together pair units by index, so bind stacks of the
          same length.
        </p>
      )}
    </section>
  );
}
