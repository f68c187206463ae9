// One control per parameter kind. Each receives the ids to label and describe it, the draft it
// shows and `onChange(draft)`; conversion and validation live in paramValues.ts.
import { useState, type ChangeEvent, type KeyboardEvent } from 'react';
import type { ParameterDeclaration } from '../../core/manifest';
import { formatValue } from '../../core/params';
import { coerceDraft, draftFromValue, numberStep, parseChipInput, rangeBounds, valuesEqual, type Draft } from './paramValues';

export interface ControlProps {
  param: ParameterDeclaration;
  draft: Draft;
  onChange(d: Draft): void;
  /** id of the main control (the label's htmlFor). */
  id: string;
  labelId: string;
  describedBy: string;
  invalid: boolean;
}

const asText = (d: Draft): string => (typeof d === 'string' ? d : '');

export function TextControl({ draft, onChange, id, describedBy, invalid }: ControlProps) {
  return (
    <input
      id={id}
      type="text"
      className="param-input"
      value={asText(draft)}
      onChange={(e) => onChange(e.target.value)}
      aria-describedby={describedBy}
      aria-invalid={invalid}
      spellCheck={false}
    />
  );
}

export function NumberControl({ param, draft, onChange, id, describedBy, invalid }: ControlProps) {
  return (
    <input
      id={id}
      type="number"
      className="param-input param-number"
      step={numberStep(param)}
      value={asText(draft)}
      onChange={(e) => onChange(e.target.value)}
      aria-describedby={describedBy}
      aria-invalid={invalid}
    />
  );
}

/** Slider plus number field, kept in sync (both edit the same draft). */
export function RangeControl({ param, draft, onChange, id, labelId, describedBy, invalid }: ControlProps) {
  const b = rangeBounds(param);
  const text = asText(draft);
  const n = Number(text);
  const sliderValue = b ? (text.trim() !== '' && Number.isFinite(n) ? Math.min(b.max, Math.max(b.min, n)) : b.min) : 0;
  return (
    <div className="param-range">
      {b && (
        <input
          type="range"
          className="param-slider"
          min={b.min}
          max={b.max}
          step={b.step}
          value={sliderValue}
          onChange={(e) => onChange(e.target.value)}
          aria-labelledby={labelId}
          aria-describedby={describedBy}
          data-testid={`param-${param.name}-slider`}
        />
      )}
      <input
        id={id}
        type="number"
        className="param-input param-number"
        min={b?.min}
        max={b?.max}
        step={numberStep(param)}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
    </div>
  );
}

export function SelectControl({ param, draft, onChange, id, describedBy, invalid }: ControlProps) {
  const value = asText(draft);
  return (
    <select id={id} className="param-input" value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid}>
      {value === '' && <option value="">(choose)</option>}
      {param.config.options.map((o, i) => (
        <option key={i} value={String(i)}>
          {String(o)}
        </option>
      ))}
    </select>
  );
}

export function CheckboxControl({ draft, onChange, id, describedBy }: ControlProps) {
  return <input id={id} type="checkbox" checked={draft === true} onChange={(e) => onChange(e.target.checked)} aria-describedby={describedBy} />;
}

/**
 * A list as editable chips: type and press Enter or comma to add (a pasted "1, 2, 3" adds three),
 * × removes one, Backspace in the empty field removes the last. A list parameter that declares
 * `options` (the allowed lists) gets a select of those lists instead.
 */
export function ChipsControl(props: ControlProps) {
  const { param, draft, onChange, id, labelId, describedBy, invalid } = props;
  const chips = Array.isArray(draft) ? draft : [];
  const [pending, setPending] = useState('');
  const allowed = param.config.options.filter((o) => Array.isArray(o));

  if (allowed.length > 0) {
    const current = coerceDraft(param, chips);
    const idx = allowed.findIndex((o) => valuesEqual(o, current));
    return (
      <select
        id={id}
        className="param-input"
        value={idx >= 0 ? String(idx) : ''}
        onChange={(e) => {
          const o = allowed[Number(e.target.value)];
          if (o !== undefined) onChange(draftFromValue(param, o));
        }}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      >
        {idx < 0 && <option value="">{chips.length ? `(custom) [${chips.join(', ')}]` : '(choose)'}</option>}
        {allowed.map((o, i) => (
          <option key={i} value={String(i)}>
            {formatValue(o)}
          </option>
        ))}
      </select>
    );
  }

  const add = (parts: string[]) => {
    if (parts.length) onChange([...chips, ...parts]);
  };
  const commit = () => {
    const parts = parseChipInput(pending);
    setPending('');
    add(parts);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      commit();
    } else if (e.key === 'Backspace' && pending === '' && chips.length) {
      e.preventDefault();
      onChange(chips.slice(0, -1));
    }
  };
  const onInput = (e: ChangeEvent<HTMLInputElement>) => {
    const v = e.target.value;
    if (v.includes(',')) {
      const cut = v.lastIndexOf(',');
      add(parseChipInput(v.slice(0, cut)));
      setPending(v.slice(cut + 1).trimStart());
    } else setPending(v);
  };
  const kind = param.config.type;
  const hint = kind === 'bool_list' ? 'true or false' : kind === 'string_list' ? 'text' : 'a number';
  return (
    <div className={`chips-editor${invalid ? ' invalid' : ''}`} role="group" aria-labelledby={labelId} data-testid={`param-${param.name}-chips`}>
      {chips.map((c, i) => (
        <span key={`${i}:${c}`} className="chip param-chip">
          <span className="mono">{c === '' ? '""' : c}</span>
          <button type="button" className="chip-remove" aria-label={`Remove ${c} from ${param.name}`} onClick={() => onChange(chips.filter((_, j) => j !== i))}>
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        type="text"
        className="chips-input"
        value={pending}
        placeholder={chips.length ? '' : `add ${hint}, Enter`}
        onChange={onInput}
        onKeyDown={onKeyDown}
        onBlur={commit}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        spellCheck={false}
      />
    </div>
  );
}
