// The parameter form generated from a manifest's `additional_parameters`: one labelled control per
// adjustable parameter (all 13 types), the description as help text, the default prefilled with a
// per-field reset and "Reset all", and inline validation messages from the engine's zod schema.
import { useId } from 'react';
import type { ParameterDeclaration } from '../../core/manifest';
import { CheckboxControl, ChipsControl, NumberControl, RangeControl, SelectControl, TextControl, type ControlProps } from './ParamControls';
import { applicableParams, controlKind, isDefaultDraft, showValue, visibleParams, draftFromValue, type Draft, type Drafts } from './paramValues';
import { parameterTypeWords } from '../userWords';

export interface ParamFormProps {
  params: readonly ParameterDeclaration[];
  /**
   * The parameters that apply to the current choices and inputs (`applies_when`, `applies_when_input`):
   * only these are shown. Default: by the drafts alone (`applicableParams` with the inputs not known).
   */
  applicable?: readonly ParameterDeclaration[];
  drafts: Drafts;
  errors: Record<string, string>;
  onChange(name: string, draft: Draft): void;
  onResetAll(): void;
}

export function ParamForm({ params, applicable, drafts, errors, onChange, onResetAll }: ParamFormProps) {
  const visible = visibleParams(params);
  const hidden = params.length - visible.length;
  const applying = applicable ?? applicableParams(params, drafts, null);
  const shown = visible.filter((p) => applying.includes(p));
  const idle = visible.length - shown.length;
  const anyChanged = visible.some((p) => !isDefaultDraft(p, drafts[p.name]));
  return (
    <section className="param-form" aria-label="Parameters">
      <div className="row param-form-head">
        <h2 className="grow">Parameters</h2>
        {shown.length > 0 && (
          <button type="button" className="small" onClick={onResetAll} disabled={!anyChanged}>
            Reset all
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <p className="muted param-none">
          {params.length === 0 ? 'This algorithm has no parameters.' : visible.length ? 'No parameter applies to these choices.' : 'No adjustable parameters.'}
        </p>
      ) : (
        shown.map((p) => (
          <ParamField
            key={p.name}
            param={p}
            draft={drafts[p.name] ?? draftFromValue(p, p.config.default)}
            error={errors[p.name] ?? null}
            onChange={(d) => onChange(p.name, d)}
          />
        ))
      )}
      {idle > 0 && (
        <p
          className="muted param-hidden-note"
          data-testid="param-idle-note"
          title={visible
            .filter((p) => !shown.includes(p))
            .map((p) => p.name)
            .join(', ')}
        >
          {idle} more {idle === 1 ? 'parameter applies' : 'parameters apply'} only to other choices or inputs.
        </p>
      )}
      {hidden > 0 && (
        <p className="muted param-hidden-note">
          {hidden} fixed {hidden === 1 ? 'parameter is' : 'parameters are'} not adjustable and {hidden === 1 ? 'keeps its' : 'keep their'} default.
        </p>
      )}
    </section>
  );
}

function ParamField({ param, draft, error, onChange }: { param: ParameterDeclaration; draft: Draft; error: string | null; onChange(d: Draft): void }) {
  const base = useId();
  const id = `${base}-input`;
  const labelId = `${base}-label`;
  const helpId = `${base}-help`;
  const errId = `${base}-err`;
  const kind = controlKind(param.config.type);
  const isDefault = isDefaultDraft(param, draft);
  const def = param.config.default;
  const props: ControlProps = {
    param,
    draft,
    onChange,
    id,
    labelId,
    describedBy: error ? `${helpId} ${errId}` : helpId,
    invalid: !!error,
  };
  const control =
    kind === 'text' ? (
      <TextControl {...props} />
    ) : kind === 'number' ? (
      <NumberControl {...props} />
    ) : kind === 'range' ? (
      <RangeControl {...props} />
    ) : kind === 'select' ? (
      <SelectControl {...props} />
    ) : kind === 'checkbox' ? (
      <CheckboxControl {...props} />
    ) : (
      <ChipsControl {...props} />
    );

  return (
    <div className={`param-field${error ? ' has-error' : ''}`} data-testid={`param-${param.name}`} data-kind={kind}>
      <div className="param-label-row">
        {kind === 'checkbox' ? (
          <span className="param-check">
            {control}
            <label id={labelId} htmlFor={id} className="param-label">
              {param.name}
            </label>
          </span>
        ) : (
          <label id={labelId} htmlFor={id} className="param-label">
            {param.name}
          </label>
        )}
        <span className="param-type" title={`Parameter type: ${param.config.type}`}>
          {parameterTypeWords(param.config.type)}
        </span>
        {!isDefault && (
          <span className="param-modified" title="Changed from the default">
            ●
          </span>
        )}
        <div className="grow" />
        <button
          type="button"
          className="small param-reset"
          onClick={() => onChange(draftFromValue(param, def))}
          disabled={isDefault}
          aria-label={`Reset ${param.name} to its default`}
          title={`Reset to the default (${def === null ? 'none' : showValue(def)})`}
        >
          ↺
        </button>
      </div>
      {kind !== 'checkbox' && control}
      <p id={helpId} className="param-help">
        {param.description || <span className="muted">No description.</span>} <span className="muted">Default: {def === null ? 'none' : showValue(def)}.</span>
      </p>
      <p id={errId} className="param-error error-text" aria-live="polite" data-testid={`param-${param.name}-error`}>
        {error ?? ''}
      </p>
    </div>
  );
}
