// One entry of [[tool.compox.additional_parameters]]: the reference's field-level checks (pydantic) and
// model validator, with the same order and messages, plus the deliberate fixes marked FIX. What depends
// on the parameter type is one rule per Compox type in PARAMETER_RULES: the Python type of its values,
// the element type of lists, and its own checks (ranges, enums, lists).
import { ManifestError, type ParamValue } from './manifestError';
import {
  CONFIG_KEYS,
  PARAMETER_KEYS,
  PARAMETER_TYPES,
  type AppliesWhen,
  type AppliesWhenInput,
  type ParameterDeclaration,
  type ParameterType,
} from './manifestParameterTypes';
import { readAppliesWhen, readAppliesWhenInput } from './parameterConditions';
import { describe, isTable, pyRepr, pyStr, pyTypeName, quoteList, tomlRepr, type Table } from './manifestValues';

/** Python type names, as the reference's messages use them. */
type PyType = 'str' | 'int' | 'float' | 'bool' | 'list';
type ElementType = Exclude<PyType, 'list'>;
type Fail = (message: string, sub: string) => never;
type Bounds = Record<'min' | 'max' | 'step', bigint | number | null>;

/** An entry after the field-level checks, values as TOML gave them (integers are bigints). */
interface RawParameter {
  name: string;
  description: string;
  type: ParameterType;
  default: unknown;
  adjustable: boolean;
  options: unknown[];
  bounds: Bounds;
  appliesWhen: AppliesWhen | null;
  appliesWhenInput: AppliesWhenInput | null;
}

interface RuleContext {
  rule: ParameterRule;
  fail: Fail;
  warnings: string[];
}

/** What a Compox parameter type checks after the common default check. */
interface ParameterRule {
  /** The Python type of its default (and of range bounds and enum options). */
  value: PyType;
  /** List types: the Python type of their elements. */
  element?: ElementType;
  /** The type's own checks; returns the default (an enum without one takes its first option). */
  check?: (p: RawParameter, dflt: unknown, ctx: RuleContext) => unknown;
}

/**
 * isinstance() as the reference uses it, with two FIXes: a float accepts a TOML integer (`default = 1`,
 * `min = 0`), and a boolean is never an int (in Python bool ⊂ int, so `int` default `true` passed there).
 */
function isOfType(v: unknown, t: PyType): boolean {
  switch (t) {
    case 'str':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'bigint';
    case 'float':
      return typeof v === 'number' || typeof v === 'bigint';
    case 'bool':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
  }
}

function isScalar(v: unknown): v is string | bigint | number | boolean {
  return typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean';
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// ───────────────────────────── the rules per type ─────────────────────────────

function checkRange(p: RawParameter, dflt: unknown, { rule, fail, warnings }: RuleContext): unknown {
  const { min, max, step } = p.bounds;
  if (min === null || max === null || step === null) {
    return fail(`Min, max, and step values must be provided for range type '${p.type}'.`, `config.${min === null ? 'min' : max === null ? 'max' : 'step'}`);
  }
  const bad = (['min', 'max', 'step'] as const).find((k) => !isOfType(p.bounds[k], rule.value));
  if (bad !== undefined) {
    return fail(`Min, max, and step values must be of type ${rule.value} for range type '${p.type}'.`, `config.${bad}`);
  }
  if (Number(min) >= Number(max)) {
    return fail(`Min value must be less than max value for range type '${p.type}'.`, 'config.min');
  }
  // FIX: a default outside [min, max] is reported (as a warning; runtime does not re-check defaults).
  if (dflt !== null) {
    const d = Number(dflt as bigint | number);
    if (d < Number(min) || d > Number(max)) {
      warnings.push(`Default value ${String(d)} is outside the range [${String(Number(min))}, ${String(Number(max))}] for parameter '${p.name}'.`);
    }
  }
  return dflt;
}

function checkEnum(p: RawParameter, dflt: unknown, { rule, fail }: RuleContext): unknown {
  const { options } = p;
  if (options.length === 0) {
    return fail(`Options must be provided for enum type '${p.type}'.`, 'config.options');
  }
  const badOpt = options.findIndex((o) => !isOfType(o, rule.value));
  if (badOpt >= 0) {
    return fail(`All options must be of type ${rule.value} for enum type '${p.type}'.`, `config.options[${badOpt}]`);
  }
  if (dflt !== null && !options.some((o) => scalarEquals(o, dflt))) {
    return fail(`Default value '${pyStr(dflt)}' must be one of the options for enum type '${p.type}'. The options are: ${pyRepr(options)}.`, 'config.default');
  }
  return dflt === null ? options[0] : dflt;
}

function checkList(p: RawParameter, dflt: unknown, { rule, fail, warnings }: RuleContext): unknown {
  const element = rule.element!;
  const { options } = p;
  if (Array.isArray(dflt)) {
    // FIX: list element types are checked.
    dflt.forEach((el, k) => {
      if (!isOfType(el, element)) {
        fail(`Default value element ${k} type mismatch: Expected ${element} for type '${p.type}', but got ${pyTypeName(el)}.`, `config.default[${k}]`);
      }
    });
  }
  if (options.length === 0) {
    warnings.push(
      `Options are empty for additional parameter ${p.name}. This may or may not be intentional. Consider providing options for list type '${p.type}'.`,
    );
  }
  const badOpt = options.findIndex((o) => !Array.isArray(o));
  if (badOpt >= 0) {
    return fail(`All options must be of type list for list type '${p.type}'.`, `config.options[${badOpt}]`);
  }
  // FIX: the elements of list options are checked too.
  options.forEach((o, j) => {
    (o as unknown[]).forEach((el, k) => {
      if (!isOfType(el, element)) {
        fail(`Option ${j} element ${k} type mismatch: Expected ${element} for type '${p.type}', but got ${pyTypeName(el)}.`, `config.options[${j}][${k}]`);
      }
    });
  });
  // Addition: a list default that is none of the declared options could never be chosen again in a form.
  if (options.length > 0 && Array.isArray(dflt) && !options.some((o) => listEquals(o as unknown[], dflt))) {
    warnings.push(`Default value ${pyRepr(dflt)} is not one of the options for parameter '${p.name}'.`);
  }
  return dflt;
}

/** Every Compox parameter type: a new type is one entry here (and its name in PARAMETER_TYPES). */
export const PARAMETER_RULES: Readonly<Record<ParameterType, ParameterRule>> = {
  string: { value: 'str' },
  int: { value: 'int' },
  float: { value: 'float' },
  bool: { value: 'bool' },
  int_range: { value: 'int', check: checkRange },
  float_range: { value: 'float', check: checkRange },
  string_enum: { value: 'str', check: checkEnum },
  int_enum: { value: 'int', check: checkEnum },
  float_enum: { value: 'float', check: checkEnum },
  string_list: { value: 'list', element: 'str', check: checkList },
  int_list: { value: 'list', element: 'int', check: checkList },
  float_list: { value: 'list', element: 'float', check: checkList },
  bool_list: { value: 'list', element: 'bool', check: checkList },
};

// ───────────────────────────── the entry ─────────────────────────────

/** FIX: name must be a non-empty string… */
function readName(entry: Table, fail: Fail): string {
  const name = entry['name'];
  if (name === undefined) return fail("The field 'name' is required.", 'name');
  if (typeof name !== 'string' || name.length === 0) {
    return fail(`The field 'name' must be a non-empty string; got ${describe(name)}.`, 'name');
  }
  return name;
}

/** …and names must be unique. */
function checkUnique(name: string, index: number, seen: Map<string, number>, fail: Fail): void {
  const first = seen.get(name);
  if (first !== undefined) {
    return fail(`Duplicate parameter name '${name}' (already declared by additional_parameters[${first}]); parameter names must be unique.`, 'name');
  }
  seen.set(name, index);
}

function readConfig(entry: Table, fail: Fail): Table {
  const config = entry['config'];
  if (config === undefined) {
    // FIX: the user guide has a stale example with `type`/`default` at the top level of the entry.
    const hasTopLevel = entry['type'] !== undefined || entry['default'] !== undefined;
    const form = expectedConfigForm(entry['type'], entry['default']);
    return fail(
      hasTopLevel
        ? `The field 'config' is required: 'type' and 'default' must be given inside it, not at the top level of the parameter. Expected form: ${form}.`
        : `The field 'config' is required. Expected form: ${form}.`,
      'config',
    );
  }
  if (!isTable(config)) {
    return fail(`The field 'config' must be a table like ${expectedConfigForm(undefined, undefined)}; got ${describe(config)}.`, 'config');
  }
  return config;
}

/** Field-level checks (pydantic) of the config, in field order. */
function readConfigFields(config: Table, fail: Fail): Omit<RawParameter, 'name' | 'description'> {
  const type = config['type'];
  if (type === undefined) {
    return fail(`The field 'config.type' is required; expected one of ${quoteList(PARAMETER_TYPES)}.`, 'config.type');
  }
  if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
    return fail(`The field 'config.type' must be one of ${quoteList(PARAMETER_TYPES)}; got ${describe(type)}.`, 'config.type');
  }
  const dflt = config['default'];
  if (dflt !== undefined) {
    const shapeOk = isScalar(dflt) || (Array.isArray(dflt) && dflt.every(isScalar));
    if (!shapeOk) {
      return fail(`The field 'config.default' must be a string, integer, float, boolean or a list of those; got ${describe(dflt)}.`, 'config.default');
    }
    checkSafe(dflt, 'config.default', fail);
  }
  const adjustable = config['adjustable'] ?? false;
  if (typeof adjustable !== 'boolean') {
    return fail(`The field 'config.adjustable' must be a boolean (true or false); got ${describe(adjustable)}.`, 'config.adjustable');
  }
  const options = config['options'] ?? [];
  if (!Array.isArray(options)) {
    return fail(`The field 'config.options' must be a list; got ${describe(options)}.`, 'config.options');
  }
  options.forEach((o, i) => {
    if (!(isScalar(o) || (Array.isArray(o) && o.every(isScalar)))) {
      fail(`The field 'config.options' element ${i} must be a string, integer, float or a list of those; got ${describe(o)}.`, `config.options[${i}]`);
    }
    checkSafe(o, `config.options[${i}]`, fail);
  });
  const bounds: Bounds = { min: null, max: null, step: null };
  for (const k of ['min', 'max', 'step'] as const) {
    const v = config[k];
    if (v === undefined) continue;
    if (typeof v !== 'bigint' && typeof v !== 'number') {
      return fail(`The field 'config.${k}' must be an integer or a float; got ${describe(v)}.`, `config.${k}`);
    }
    checkSafe(v, `config.${k}`, fail);
    bounds[k] = v;
  }
  return { type: type as ParameterType, default: dflt, adjustable, options, bounds, ...readConditions(config, fail) };
}

/** algobox's `applies_when` / `applies_when_input` (shapes checked by zod; parameterConditions.ts). */
function readConditions(config: Table, fail: Fail): Pick<RawParameter, 'appliesWhen' | 'appliesWhenInput'> {
  let appliesWhen: AppliesWhen | null = null;
  let appliesWhenInput: AppliesWhenInput | null = null;
  if (config['applies_when'] !== undefined) {
    const r = readAppliesWhen(config['applies_when']);
    if ('problem' in r)
      return fail(
        `The field 'config.applies_when' is invalid: ${r.problem}; got ${describe(config['applies_when'])}. Expected form: applies_when = {other_parameter = ["value", …]}.`,
        'config.applies_when',
      );
    appliesWhen = r.value;
  }
  if (config['applies_when_input'] !== undefined) {
    const r = readAppliesWhenInput(config['applies_when_input']);
    if ('problem' in r)
      return fail(
        `The field 'config.applies_when_input' is invalid: ${r.problem}; got ${describe(config['applies_when_input'])}. Expected form: applies_when_input = {axis = "c"}.`,
        'config.applies_when_input',
      );
    appliesWhenInput = r.value;
  }
  return { appliesWhen, appliesWhenInput };
}

/** FIX: unknown keys are reported (the reference ignores them). */
function warnUnknownKeys(entry: Table, config: Table, name: string, warnings: string[]): void {
  for (const key of Object.keys(entry)) {
    if (!(PARAMETER_KEYS as readonly string[]).includes(key)) {
      warnings.push(`Unknown key '${key}' in additional parameter '${name}' (ignored). Known keys are: ${PARAMETER_KEYS.join(', ')}.`);
    }
  }
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      warnings.push(`Unknown key '${key}' in the config of additional parameter '${name}' (ignored). Known keys are: ${CONFIG_KEYS.join(', ')}.`);
    }
  }
}

/** The model validator's checks common to every type (reference order); returns the default or null. */
function checkCommon(p: RawParameter, { rule, fail, warnings }: RuleContext): unknown {
  if (p.description === '') {
    warnings.push(`Description is empty for additional parameter '${p.name}'. Consider providing a description for better documentation.`);
  }
  const dflt: unknown = p.default ?? null;
  if (dflt === null) {
    warnings.push(`Default value is None for additional parameter '${p.name}'. Consider providing a default value.`);
  }
  if (dflt !== null && !isOfType(dflt, rule.value)) {
    return fail(`Default value type mismatch: Expected ${rule.value} for type '${p.type}', but got ${pyTypeName(dflt)}.`, 'config.default');
  }
  return dflt;
}

function toDeclaration(p: RawParameter, dflt: unknown): ParameterDeclaration {
  const { bounds } = p;
  return {
    name: p.name,
    description: p.description,
    config: {
      type: p.type,
      default: dflt === null ? null : toParamValue(dflt),
      adjustable: p.adjustable,
      options: p.options.map(toParamValue),
      min: bounds.min === null ? null : Number(bounds.min),
      max: bounds.max === null ? null : Number(bounds.max),
      step: bounds.step === null ? null : Number(bounds.step),
      ...(p.appliesWhen ? { appliesWhen: p.appliesWhen } : {}),
      ...(p.appliesWhenInput ? { appliesWhenInput: p.appliesWhenInput } : {}),
    },
  };
}

/** Entry `index` of additional_parameters (`seen`: names so far → their index); warnings are appended. */
export function validateParameter(entry: unknown, index: number, seen: Map<string, number>, warnings: string[]): ParameterDeclaration {
  const base = `tool.compox.additional_parameters[${index}]`;
  let label = `additional_parameters[${index}]`;
  const fail: Fail = (message, sub) => {
    throw new ManifestError(`Validation error in additional parameter ${label}. ${message}`, sub ? `${base}.${sub}` : base);
  };
  if (!isTable(entry)) {
    return fail(
      `Each additional parameter must be a table like {name = "...", description = "...", config = {type = "...", default = ..., adjustable = true}}; got ${describe(entry)}.`,
      '',
    );
  }
  const name = readName(entry, fail);
  label = name;
  checkUnique(name, index, seen, fail);
  const description = entry['description'] ?? '';
  if (typeof description !== 'string') {
    return fail(`The field 'description' must be a string; got ${describe(description)}.`, 'description');
  }
  const config = readConfig(entry, fail);
  const p: RawParameter = { name, description, ...readConfigFields(config, fail) };
  warnUnknownKeys(entry, config, name, warnings);
  const ctx: RuleContext = { rule: PARAMETER_RULES[p.type], fail, warnings };
  const dflt = checkCommon(p, ctx);
  return toDeclaration(p, ctx.rule.check ? ctx.rule.check(p, dflt, ctx) : dflt);
}

// ───────────────────────────── helpers ─────────────────────────────

/** The shape the guide documents, filled with what the author wrote where it can be mapped. */
function expectedConfigForm(type: unknown, dflt: unknown): string {
  const aliases: Record<string, ParameterType> = { str: 'string', integer: 'int', boolean: 'bool', double: 'float' };
  let t: string = 'string';
  if (typeof type === 'string') {
    if ((PARAMETER_TYPES as readonly string[]).includes(type)) t = type;
    else if (aliases[type] !== undefined) t = aliases[type];
  }
  const d = dflt === undefined ? '...' : tomlRepr(dflt);
  return `config = {type = "${t}", default = ${d}, adjustable = true}`;
}

function checkSafe(v: unknown, sub: string, fail: Fail): void {
  const check = (x: unknown): void => {
    if (typeof x === 'bigint' && (x > MAX_SAFE || x < -MAX_SAFE)) {
      fail(
        `The integer ${x.toString()} in '${sub}' cannot be represented exactly; integers must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.`,
        sub,
      );
    }
  };
  if (Array.isArray(v)) v.forEach(check);
  else check(v);
}

/** Python `==` between scalars (numbers compare numerically whatever their TOML kind). */
function scalarEquals(a: unknown, b: unknown): boolean {
  const num = (x: unknown): number | null => (typeof x === 'bigint' ? Number(x) : typeof x === 'number' ? x : null);
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na === nb;
  return a === b;
}

function listEquals(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => scalarEquals(x, b[i]));
}

function toParamValue(v: unknown): ParamValue {
  const conv = (x: unknown): string | number | boolean => (typeof x === 'bigint' ? Number(x) : (x as string | number | boolean));
  return (Array.isArray(v) ? v.map(conv) : conv(v)) as ParamValue;
}
