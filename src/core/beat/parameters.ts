// Algorithm parameters (reference §6): casting the declared `default`, `range` and `choice` when a
// declaration is loaded, and checking the values given to a run (undeclared names, cast, choice,
// range, defaults), with upstream's messages. Pure TS.
//
// Cast rules (decision of the reference, §6): integer types accept integral numbers within the
// type's bounds (int64/uint64: the safe-integer range; a bigint in range is accepted), float types
// accept any number (float32: not beyond its finite range), bool accepts booleans only and string
// strings only. numpy would truncate floats, turn "False" into true and stringify anything.

import { BeatError } from './errors';
import { INTEGER_RANGES, isIntegerType, showValue } from './dataFormats';
import { thrownMessage } from '../describeValue';

export const PARAMETER_TYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64', 'bool', 'string'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export type ParameterValue = number | boolean | string;

export interface ParameterSpec {
  name: string;
  type: ParameterType;
  /** Cast default; `undefined` when the declaration has none. */
  default: ParameterValue | undefined;
  range: readonly [ParameterValue, ParameterValue] | null;
  choice: readonly ParameterValue[] | null;
  description: string | null;
}

/** The raw JSON declaration of one parameter. */
export interface ParameterDeclaration {
  type: ParameterType;
  default?: unknown;
  range?: readonly unknown[];
  choice?: readonly unknown[];
  description?: string;
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e16 || a < 1e-4)) {
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}

function pyString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (q === "'") body = body.replace(/'/g, "\\'");
  return `${q}${body}${q}`;
}

/**
 * Python's `repr` of a value as upstream messages print it (`%r`): strings quoted ('a'), booleans
 * True/False, floats with a decimal point (1.0). With `type`, numbers print as that type's values.
 */
export function pyRepr(v: unknown, type?: ParameterType): string {
  if (typeof v === 'string') return pyString(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') {
    if (type === 'float32' || type === 'float64') return pyFloat(v);
    if (type !== undefined) return String(v);
    return Number.isInteger(v) ? String(v) : pyFloat(v);
  }
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x)).join(', ')}]`;
  return showValue(v);
}

/** Cast one value to a parameter type; throws an Error whose message is the reason. */
export function castParameterValue(type: ParameterType, value: unknown): ParameterValue {
  if (isIntegerType(type)) {
    let n: number | undefined;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'bigint') n = Number(value);
    else throw new Error(`expected an integer, got ${showValue(value)}`);
    if (!Number.isInteger(n)) throw new Error(`expected an integer, got ${showValue(value)}`);
    const [lo, hi] = INTEGER_RANGES[type];
    if (n < lo || n > hi || (typeof value === 'bigint' && BigInt(n) !== value)) {
      throw new Error(`${showValue(value)} is out of range for ${type} [${lo}, ${hi}]`);
    }
    return n === 0 ? 0 : n;
  }
  if (type === 'float32' || type === 'float64') {
    if (typeof value !== 'number') throw new Error(`expected a number, got ${showValue(value)}`);
    if (type === 'float32' && Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
      throw new Error(`${showValue(value)} is out of range for float32`);
    }
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new Error(`expected a boolean, got ${showValue(value)}`);
    return value;
  }
  if (typeof value !== 'string') throw new Error(`expected a string, got ${showValue(value)}`);
  return value;
}

function choiceList(spec: ParameterSpec): string {
  return `[${(spec.choice ?? []).map((c) => pyRepr(c, spec.type)).join(', ')}]`;
}

/**
 * Load-time checks of a declared parameter (upstream `_convert_parameter_types`): cast range bounds,
 * choices and default to the type, then check range order, default within range, default among
 * choices. Returns the cast spec and the problems, worded as upstream.
 */
export function compileParameter(name: string, decl: ParameterDeclaration): { spec: ParameterSpec; errors: string[] } {
  const errors: string[] = [];
  const T = decl.type;
  let failed = false;
  const tryCast = (value: unknown, desc: string): ParameterValue | undefined => {
    try {
      return castParameterValue(T, value);
    } catch (e) {
      failed = true;
      errors.push(`${desc} for parameter \`${name}' cannot be cast to type \`${T}': ${thrownMessage(e)}`);
      return undefined;
    }
  };
  let range: [ParameterValue, ParameterValue] | null = null;
  if (decl.range !== undefined) {
    const lo = tryCast(decl.range[0], 'start of range');
    const hi = tryCast(decl.range[1], 'end of range');
    if (lo !== undefined && hi !== undefined) {
      range = [lo, hi];
      if (lo >= hi) {
        errors.push(`range for parameter \`${name}' has a start greater then the end value (${pyRepr(lo, T)} >= ${pyRepr(hi, T)})`);
      }
    }
  }
  let choice: ParameterValue[] | null = null;
  if (decl.choice !== undefined) {
    choice = decl.choice.map((c, i) => tryCast(c, `choice[${i}]`)).filter((c): c is ParameterValue => c !== undefined);
  }
  let def: ParameterValue | undefined;
  const spec: ParameterSpec = { name, type: T, default: undefined, range, choice, description: decl.description ?? null };
  if (decl.default !== undefined) {
    def = tryCast(decl.default, 'default');
    spec.default = def;
    if (def !== undefined && !failed) {
      if (range && (def < range[0] || def > range[1])) {
        errors.push(`default for parameter \`${name}' (${pyRepr(def, T)}) is not within parameter range [${pyRepr(range[0], T)}, ${pyRepr(range[1], T)}]`);
      }
      if (choice && !choice.includes(def)) {
        errors.push(`default for parameter \`${name}' (${pyRepr(def, T)}) is not a valid choice \`${choiceList(spec)}'`);
      }
    }
  }
  return { spec, errors };
}

/**
 * Check a value given for a declared parameter (upstream `clean_parameter`): cast, then choice, then
 * range. Throws an Error whose message is the reason.
 */
export function cleanParameter(spec: ParameterSpec, value: unknown): ParameterValue {
  const v = castParameterValue(spec.type, value);
  if (spec.choice && !spec.choice.includes(v)) {
    throw new Error(`value for \`${spec.name}' (${pyRepr(value)}) must be one of \`${choiceList(spec)}'`);
  }
  if (spec.range && (v < spec.range[0] || v > spec.range[1])) {
    throw new Error(
      `value for \`${spec.name}' (${pyRepr(value)}) must be picked within interval \`[${pyRepr(spec.range[0], spec.type)}, ${pyRepr(spec.range[1], spec.type)}]'`,
    );
  }
  return v;
}

/**
 * The parameters an algorithm's `setup()` receives (upstream `Runner._check_parameters`): refuse
 * undeclared names (E_PARAM_UNDECLARED), check each given value (E_PARAM_VALUE), take the default
 * for the others (E_PARAM_MISSING when there is none).
 */
export function checkParameters(
  specs: readonly ParameterSpec[],
  given: Readonly<Record<string, unknown>> | null | undefined,
  algorithmName: string,
): Record<string, ParameterValue> {
  const values = given ?? {};
  const declared = new Set(specs.map((s) => s.name));
  const undeclared = Object.keys(values).filter((k) => !declared.has(k));
  if (undeclared.length > 0) {
    throw new BeatError(
      'E_PARAM_UNDECLARED',
      `parameters \`${undeclared.join(',')}' are not declared for algorithm \`${algorithmName}' - valid parameters are \`${[...declared].join(',')}'`,
    );
  }
  const out: Record<string, ParameterValue> = {};
  for (const spec of specs) {
    const raw = values[spec.name];
    if (raw !== undefined) {
      try {
        out[spec.name] = cleanParameter(spec, raw);
      } catch (e) {
        throw new BeatError(
          'E_PARAM_VALUE',
          `parameter \`${spec.name}' cannot be safely cast to the declared type on algorithm \`${algorithmName}': ${thrownMessage(e)}`,
        );
      }
    } else if (spec.default !== undefined) {
      out[spec.name] = spec.default;
    } else {
      throw new BeatError('E_PARAM_MISSING', `parameter \`${spec.name}' has no default and was not set`);
    }
  }
  return out;
}
