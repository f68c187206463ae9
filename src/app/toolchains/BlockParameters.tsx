// Parameters per block: one field per declared parameter (checkbox for bool, a list for `choice`,
// a number field with the declared range and integer step, text otherwise), starting from the value
// the toolchain gives or the default. Invalid values are marked and named; the page does not run
// until they are fixed.
import { useId } from 'react';
import type { ToolchainCheck } from '../../api';
import { ParamForm, type ParamFormProps } from '../algorithms/ParamForm';
import { displayValue, isIntegerType, parseParameter } from './parameterInput';

export type ParameterEdits = Record<string, Record<string, string | boolean>>;

type CheckedBlock = ToolchainCheck['blocks'][number];

/** The parameters to run with (edits applied) and the problems with them. */
export function resolveParameters(
  blocks: readonly CheckedBlock[],
  edits: ParameterEdits,
): { values: Record<string, Record<string, unknown>>; errors: string[] } {
  const values: Record<string, Record<string, unknown>> = {};
  const errors: string[] = [];
  for (const b of blocks) {
    const v: Record<string, unknown> = { ...b.values };
    for (const spec of b.parameters) {
      const edit = edits[b.name]?.[spec.name];
      if (edit === undefined) continue;
      const parsed = parseParameter(b.name, spec, edit);
      if (parsed.ok) v[spec.name] = parsed.value;
      else errors.push(parsed.error);
    }
    values[b.name] = v;
  }
  return { values, errors };
}

function ParameterField({
  block,
  spec,
  given,
  edit,
  onEdit,
}: {
  block: string;
  spec: CheckedBlock['parameters'][number];
  given: unknown;
  edit: string | boolean | undefined;
  onEdit: (v: string | boolean | undefined) => void;
}) {
  const id = useId();
  const shown = edit !== undefined ? edit : displayValue(spec, given);
  const parsed = edit !== undefined ? parseParameter(block, spec, edit) : null;
  const invalid = parsed !== null && !parsed.ok;
  const label = (
    <label htmlFor={id} title={spec.description ?? undefined}>
      {spec.name}
      <span className="muted small-text"> {spec.type}</span>
    </label>
  );
  let control;
  if (spec.type === 'bool') {
    control = <input id={id} type="checkbox" checked={shown === true} onChange={(e) => onEdit(e.target.checked)} />;
  } else if (spec.choice) {
    control = (
      <select id={id} value={String(shown)} onChange={(e) => onEdit(e.target.value)}>
        {spec.choice.map((c) => (
          <option key={String(c)} value={String(c)}>
            {String(c)}
          </option>
        ))}
      </select>
    );
  } else if (spec.type === 'string') {
    control = <input id={id} type="text" value={String(shown)} onChange={(e) => onEdit(e.target.value)} />;
  } else {
    const range = spec.range as [number, number] | null;
    control = (
      <input
        id={id}
        type="number"
        inputMode="decimal"
        value={String(shown)}
        min={range?.[0]}
        max={range?.[1]}
        step={isIntegerType(spec.type) ? 1 : 'any'}
        aria-invalid={invalid}
        onChange={(e) => onEdit(e.target.value)}
      />
    );
  }
  return (
    <div className="tc-param">
      {label}
      {control}
      {spec.range && (
        <span className="muted small-text">
          [{String(spec.range[0])}, {String(spec.range[1])}]
        </span>
      )}
      {edit !== undefined && (
        <button type="button" className="small" onClick={() => onEdit(undefined)} title="Back to the toolchain's value">
          Reset
        </button>
      )}
      {invalid && (
        <span className="error-text small-text" role="alert">
          {parsed.error}
        </span>
      )}
      {spec.description && <span className="muted small-text tc-param-desc">{spec.description}</span>}
    </div>
  );
}

export function BlockParameters({
  blocks,
  edits,
  onChange,
  disabled,
  runnerForms,
}: {
  blocks: readonly CheckedBlock[];
  edits: ParameterEdits;
  onChange: (e: ParameterEdits) => void;
  disabled: boolean;
  /** The parameter form of each runner block (by block name), once its algorithm is loaded. */
  runnerForms: Record<string, ParamFormProps | undefined>;
}) {
  const withParams = blocks.filter((b) => b.parameters.length > 0);
  const runners = blocks.filter((b) => b.runner);
  if (!withParams.length && !runners.length) return <p className="muted">No block of this toolchain has parameters.</p>;
  return (
    <div className="tc-params">
      {runners.map((b) => (
        <fieldset key={b.name} disabled={disabled} data-testid={`tc-params-${b.name}`} className="tc-runner-params">
          <legend>
            {b.name} <span className="muted mono small-text">Compox runner {b.algorithm}</span>
          </legend>
          <p className="muted small-text">
            Runs the bundle {b.runner!.name} ({b.runner!.algorithmType}) once over all its input units.
          </p>
          {runnerForms[b.name] ? <ParamForm {...runnerForms[b.name]!} /> : <p className="muted small-text">Loading its parameters…</p>}
        </fieldset>
      ))}
      {withParams.map((b) => (
        <fieldset key={b.name} disabled={disabled} data-testid={`tc-params-${b.name}`}>
          <legend>
            {b.name} <span className="muted mono small-text">{b.algorithm}</span>
          </legend>
          {b.parameters.map((spec) => (
            <ParameterField
              key={spec.name}
              block={b.name}
              spec={spec}
              given={b.values[spec.name]}
              edit={edits[b.name]?.[spec.name]}
              onEdit={(v) => {
                const forBlock = { ...edits[b.name] };
                if (v === undefined) delete forBlock[spec.name];
                else forBlock[spec.name] = v;
                onChange({ ...edits, [b.name]: forBlock });
              }}
            />
          ))}
        </fieldset>
      ))}
    </div>
  );
}
