// Pure helpers behind the parameter form: what each control holds while the user edits it (a
// "draft"), how a draft becomes a parameter value, and validation with the engine's own zod schema
// (`parameterValueSchema`), so the form accepts exactly what `api.execute` accepts. No React, no DOM.
import type { ParamValue, ParameterDeclaration, ParameterType } from '../../core/manifest';
import { parameterApplies, type InputAxesInfo } from '../../core/parameterApplies';
import { formatValue, parameterValueSchema } from '../../core/params';

/**
 * What a control holds:
 * - text for `string`, and the typed text of number fields (`int`, `float`, `*_range`);
 * - the index (as text) of the chosen option for `*_enum` ('' = nothing chosen);
 * - a boolean for `bool`;
 * - the chip texts for `*_list` (each chip is converted to the element type on the way out).
 */
export type Draft = string | boolean | string[];
export type Drafts = Record<string, Draft>;

/** Which control a parameter type gets. */
export type ControlKind = 'text' | 'number' | 'range' | 'select' | 'checkbox' | 'chips';

export function controlKind(type: ParameterType): ControlKind {
  switch (type) {
    case 'string':
      return 'text';
    case 'int':
    case 'float':
      return 'number';
    case 'int_range':
    case 'float_range':
      return 'range';
    case 'string_enum':
    case 'int_enum':
    case 'float_enum':
      return 'select';
    case 'bool':
      return 'checkbox';
    case 'string_list':
    case 'int_list':
    case 'float_list':
    case 'bool_list':
      return 'chips';
  }
}

/** Element type of a list parameter (null for scalars). */
export function listElementKind(type: ParameterType): 'string' | 'int' | 'float' | 'bool' | null {
  switch (type) {
    case 'string_list':
      return 'string';
    case 'int_list':
      return 'int';
    case 'float_list':
      return 'float';
    case 'bool_list':
      return 'bool';
    default:
      return null;
  }
}

/** The parameters a form shows: `adjustable = false` ones are hidden (scripts may still set them). */
export function visibleParams(params: readonly ParameterDeclaration[]): ParameterDeclaration[] {
  return params.filter((p) => p.config.adjustable !== false);
}

/** Text of one scalar as a control shows it. */
function scalarText(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  return '';
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameScalar(x, b[i]));
  return sameScalar(a, b);
}

/** The draft that shows `value` (a declared default, or a value from a previous run). */
export function draftFromValue(p: ParameterDeclaration, value: ParamValue | null | undefined): Draft {
  switch (controlKind(p.config.type)) {
    case 'checkbox':
      return value === true;
    case 'select': {
      if (value === null || value === undefined) return '';
      const i = p.config.options.findIndex((o) => valuesEqual(o, value));
      return i >= 0 ? String(i) : '';
    }
    case 'chips':
      return Array.isArray(value) ? value.map(scalarText) : [];
    default:
      return value === null || value === undefined ? '' : scalarText(value);
  }
}

/** Initial drafts of the visible parameters: their defaults. */
export function initialDrafts(params: readonly ParameterDeclaration[]): Drafts {
  const out: Drafts = {};
  for (const p of visibleParams(params)) out[p.name] = draftFromValue(p, p.config.default);
  return out;
}

/** Drafts that show a previous run's arguments ("Run again"); parameters it did not set keep their defaults. */
export function draftsFromArgs(params: readonly ParameterDeclaration[], args: Readonly<Record<string, unknown>>): Drafts {
  const out = initialDrafts(params);
  for (const p of visibleParams(params)) if (Object.hasOwn(args, p.name)) out[p.name] = draftFromValue(p, args[p.name] as ParamValue | null);
  return out;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Typed text → a number when it is one ("12", "-0.5", "1e3"); otherwise the text itself, so the
 * schema rejects it with a message that quotes what was typed.
 */
export function parseNumberText(text: string): number | string {
  const t = text.trim();
  return NUMBER_TEXT.test(t) ? Number(t) : text;
}

function parseBoolText(text: string): boolean | string {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return text;
}

/**
 * Chip editor input → the chips to add: split at commas, trimmed, empty parts dropped
 * ("1, 2,,3 " → ["1", "2", "3"]). Strings keep inner spaces.
 */
export function parseChipInput(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isEmptyDraft(d: Draft): boolean {
  return d === '' || (Array.isArray(d) && d.length === 0);
}

/**
 * A draft → the value to validate and send. `undefined` means "not given" (the parameter is left
 * out of the args), which happens only for an empty control of a parameter whose default is null.
 * Text that is not a number stays text, so validation reports it.
 */
export function coerceDraft(p: ParameterDeclaration, draft: Draft | undefined): unknown {
  const d = draft ?? draftFromValue(p, p.config.default);
  if (p.config.default === null && isEmptyDraft(d) && p.config.type !== 'string') return undefined;
  switch (controlKind(p.config.type)) {
    case 'text':
      return typeof d === 'string' ? d : String(d);
    case 'number':
    case 'range':
      return typeof d === 'string' ? parseNumberText(d) : d;
    case 'checkbox':
      return d === true;
    case 'select': {
      const i = typeof d === 'string' && /^\d+$/.test(d) ? Number(d) : -1;
      return i >= 0 && i < p.config.options.length ? p.config.options[i] : undefined;
    }
    case 'chips': {
      const chips = Array.isArray(d) ? d : [];
      const kind = listElementKind(p.config.type);
      if (kind === 'int' || kind === 'float') return chips.map(parseNumberText);
      if (kind === 'bool') return chips.map(parseBoolText);
      return [...chips];
    }
  }
}

/** The zod message for a draft, or null when it is valid (same schema as the engine). */
export function validateDraft(p: ParameterDeclaration, draft: Draft | undefined): string | null {
  const value = coerceDraft(p, draft);
  if (value === undefined) {
    // Not given: valid when there is no default to fall back on (the engine leaves it out).
    return p.config.default === null ? null : `Parameter '${p.name}' (${p.config.type}) needs a value.`;
  }
  const r = parameterValueSchema(p).safeParse(value);
  if (r.success) return null;
  return r.error.issues[0]?.message ?? `Parameter '${p.name}' is not valid.`;
}

/** Is the draft the declared default? (Drives "reset" buttons.) */
export function isDefaultDraft(p: ParameterDeclaration, draft: Draft | undefined): boolean {
  if (draft === undefined) return true;
  const def = draftFromValue(p, p.config.default);
  if (Array.isArray(def) && Array.isArray(draft)) return valuesEqual(coerceDraft(p, def), coerceDraft(p, draft));
  if (controlKind(p.config.type) === 'number' || controlKind(p.config.type) === 'range') {
    return valuesEqual(coerceDraft(p, def), coerceDraft(p, draft));
  }
  return def === draft;
}

export interface FormResult {
  /** Values of the visible parameters to send (hidden ones take their defaults in the engine). */
  args: Record<string, unknown>;
  /** Parameter name → message, for the invalid ones. */
  errors: Record<string, string>;
  valid: boolean;
}

/**
 * The visible parameters that apply now (`applies_when` on the other parameters' current values, which
 * are the drafts' or the defaults; `applies_when_input` on the run's inputs, null: not known yet).
 */
export function applicableParams(params: readonly ParameterDeclaration[], drafts: Drafts, inputs: readonly InputAxesInfo[] | null): ParameterDeclaration[] {
  const values: Record<string, ParamValue | undefined> = {};
  for (const p of params) {
    const v = p.config.adjustable === false ? p.config.default : coerceDraft(p, drafts[p.name]);
    values[p.name] = v === null ? undefined : (v as ParamValue | undefined);
  }
  return visibleParams(params).filter((p) => parameterApplies(p, params, values, inputs));
}

/** Every visible parameter's value and validation, in one pass; parameters that do not apply are left out (the runner takes their defaults). */
export function evaluateForm(params: readonly ParameterDeclaration[], drafts: Drafts, inputs: readonly InputAxesInfo[] | null = null): FormResult {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const p of applicableParams(params, drafts, inputs)) {
    const err = validateDraft(p, drafts[p.name]);
    if (err) {
      errors[p.name] = err;
      continue;
    }
    const v = coerceDraft(p, drafts[p.name]);
    if (v !== undefined) args[p.name] = v;
  }
  return { args, errors, valid: Object.keys(errors).length === 0 };
}

/** Slider bounds and step of a range parameter (null when min or max is missing). */
export function rangeBounds(p: ParameterDeclaration): { min: number; max: number; step: number | 'any' } | null {
  const { min, max, step, type } = p.config;
  if (min === null || max === null) return null;
  const s = step !== null && step > 0 ? step : type === 'int_range' ? 1 : 'any';
  return { min, max, step: s };
}

/** Number field step: integers step by 1 (or the declared step), floats accept any value. */
export function numberStep(p: ParameterDeclaration): number | 'any' {
  const t = p.config.type;
  if (t === 'int_range' || t === 'float_range') return rangeBounds(p)?.step ?? (t === 'int_range' ? 1 : 'any');
  return t === 'int' ? 1 : 'any';
}

/** A value as help text shows it (the default, an allowed list). */
export function showValue(v: unknown): string {
  return formatValue(v);
}
