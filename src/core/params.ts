// Runtime arguments for an algorithm's declared parameters: zod schemas (shared by UI forms and the
// engine, so both accept exactly the same values) and `validateArgs`, which checks and merges defaults.
// The reference passes runtime args through unchecked; validating them here is deliberate added behaviour.
// Defaults are NOT re-checked at run time (the manifest validation already reported on them), and step
// alignment of range values is not validated. Pure TS, no DOM.
import { z } from 'zod';
import type { ParamValue } from './manifestError';
import type { ParameterDeclaration, ParameterType } from './manifestParameterTypes';
import { parameterApplies } from './parameterApplies';

export class ArgsError extends Error {
  /** The offending parameter (or unknown argument name); null when the args as a whole are wrong. */
  public field: string | null;
  /** Every problem found (the message carries the first one). */
  public issues: string[];
  constructor(message: string, field: string | null, issues: string[] = [message]) {
    super(message);
    this.name = 'ArgsError';
    this.field = field;
    this.issues = issues;
  }
}

type Scalar = string | number | boolean;
type ElementKind = 'string' | 'int' | 'float' | 'bool';

const LIST_ELEMENT: Partial<Record<ParameterType, ElementKind>> = {
  string_list: 'string',
  int_list: 'int',
  float_list: 'float',
  bool_list: 'bool',
};

const ELEMENT_EXPECTED: Record<ElementKind, string> = {
  string: 'a string',
  int: 'an integer',
  float: 'a finite number',
  bool: 'a boolean',
};

const LIST_EXPECTED: Record<ElementKind, string> = {
  string: 'a list of strings',
  int: 'a list of integers',
  float: 'a list of numbers',
  bool: 'a list of booleans',
};

/** zod schema for one element kind; `error` builds the message from the rejected input. */
function elementSchema(kind: ElementKind, error: (input: unknown) => string): z.ZodType<Scalar> {
  const e = { error: (iss: { input?: unknown }) => error(iss.input) };
  switch (kind) {
    case 'string':
      return z.string(e);
    case 'int':
      // z.number() rejects NaN and ±Infinity; .int() also rejects anything beyond ±(2^53 − 1).
      return z.number(e).int(e);
    case 'float':
      return z.number(e);
    case 'bool':
      return z.boolean(e);
  }
}

/** zod schema for one parameter's value (used by UI forms for inline validation — same source of truth). */
export function parameterValueSchema(p: ParameterDeclaration): z.ZodType<ParamValue> {
  const { name } = p;
  const { type, min, max } = p.config;
  const options = p.config.options;
  const head = `Parameter '${name}' (${type})`;
  const msg = (expected: string) => (input: unknown) => `${head} must be ${expected}; got ${formatValue(input)}.`;
  const e = (expected: string) => {
    const m = msg(expected);
    return { error: (iss: { input?: unknown }) => m(iss.input) };
  };

  switch (type) {
    case 'string':
      return z.string(e('a string'));
    case 'int':
      return elementSchema('int', intMessage(head, 'an integer'));
    case 'float':
      return z.number(e('a finite number'));
    case 'bool':
      return z.boolean(e('a boolean (true or false)'));
    case 'int_range': {
      const m = intMessage(head, `an integer${rangeText(min, max)}`);
      return withBounds(elementSchema('int', m), min, max, m);
    }
    case 'float_range': {
      const m = msg(`a number${rangeText(min, max)}`);
      return withBounds(z.number({ error: (iss) => m(iss.input) }), min, max, m);
    }
    case 'string_enum':
    case 'int_enum':
    case 'float_enum': {
      const allowed = options.filter((o): o is Scalar => !Array.isArray(o));
      const m = msg(allowed.length > 0 ? `one of ${allowed.map(formatValue).join(', ')}` : 'one of the declared options (none are declared)');
      if (allowed.length === 0) return z.never({ error: (iss) => m(iss.input) }) as unknown as z.ZodType<ParamValue>;
      // z.literal compares with SameValueZero: === for strings and (non-NaN) numbers, i.e. numeric equality.
      return z.literal(allowed as [Scalar, ...Scalar[]], { error: (iss) => m(iss.input) }) as z.ZodType<ParamValue>;
    }
    case 'string_list':
    case 'int_list':
    case 'float_list':
    case 'bool_list': {
      const kind = LIST_ELEMENT[type] ?? 'string';
      const el = elementSchema(kind, () => '');
      const allowedLists = options.filter((o): o is string[] | number[] | boolean[] => Array.isArray(o));
      return z.array(z.unknown(), e(LIST_EXPECTED[kind])).superRefine((arr, ctx) => {
        for (let i = 0; i < arr.length; i++) {
          const v = arr[i];
          if (!el.safeParse(v).success) {
            const expected = kind === 'int' && isUnsafeInteger(v) ? SAFE_INT_TEXT : ELEMENT_EXPECTED[kind];
            ctx.addIssue({
              code: 'custom',
              input: v,
              path: [i],
              message: `${head} element ${i} must be ${expected}; got ${formatValue(v)}.`,
            });
            return;
          }
        }
        if (allowedLists.length > 0 && !allowedLists.some((o) => listEquals(o, arr))) {
          ctx.addIssue({
            code: 'custom',
            input: arr,
            message: `${head} must be one of the allowed lists ${allowedLists.map(formatValue).join(', ')}; got ${formatValue(arr)}.`,
          });
        }
      }) as unknown as z.ZodType<ParamValue>;
    }
  }
}

const SAFE_INT_TEXT = `an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (a safe integer)`;

function isUnsafeInteger(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v);
}

/** Integer messages: an integral number beyond ±(2^53 − 1) is told why it fails. */
function intMessage(head: string, expected: string): (input: unknown) => string {
  return (input) => `${head} must be ${isUnsafeInteger(input) ? SAFE_INT_TEXT : expected}; got ${formatValue(input)}.`;
}

function rangeText(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return ` between ${formatValue(min)} and ${formatValue(max)}`;
  if (min !== null) return ` of at least ${formatValue(min)}`;
  if (max !== null) return ` of at most ${formatValue(max)}`;
  return '';
}

function withBounds(s: z.ZodType<Scalar>, min: number | null, max: number | null, message: (input: unknown) => string): z.ZodType<ParamValue> {
  let out = s as z.ZodNumber;
  const e = { error: (iss: { input?: unknown }) => message(iss.input) };
  if (min !== null) out = out.min(min, e);
  if (max !== null) out = out.max(max, e);
  return out;
}

/** zod schema for a whole args object: declared keys optional, unknown keys rejected. null/undefined = {}. */
export function argsSchema(params: ParameterDeclaration[]): z.ZodType<Record<string, ParamValue>> {
  const shape: Record<string, z.ZodType<ParamValue | undefined>> = {};
  for (const p of params) shape[p.name] = parameterValueSchema(p).optional();
  const declared = params.map((p) => p.name);
  const object = z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownMessage(iss.keys, declared) : undefined),
  });
  const plain = z.custom<Record<string, unknown>>(isPlainObject, {
    error: (iss) => `Arguments must be an object mapping parameter names to values; got ${formatValue(iss.input)}.`,
  });
  return z.preprocess((v) => v ?? {}, plain.pipe(object)) as unknown as z.ZodType<Record<string, ParamValue>>;
}

function unknownMessage(keys: string[], declared: string[]): string {
  const names = keys.map((k) => `'${k}'`).join(', ');
  const what = keys.length === 1 ? `Unknown parameter ${names}` : `Unknown parameters ${names}`;
  return declared.length === 0
    ? `${what} for this algorithm; this algorithm declares no parameters.`
    : `${what} for this algorithm; declared parameters are: ${declared.join(', ')}.`;
}

/**
 * Validate runtime args and merge defaults (only of parameters that apply: `applies_when`). Throws ArgsError with a human-readable message (the first problem:
 * a non-object, then unknown names, then the first failing parameter in declared order; `issues` has them all).
 * Missing args take the declared default (lists copied); parameters with a null default that were not given
 * are left out.
 */
export function validateArgs(params: ParameterDeclaration[], args: unknown): Record<string, ParamValue> {
  const parsed = argsSchema(params).safeParse(args);
  if (!parsed.success) {
    const order = new Map(params.map((p, i) => [p.name, i]));
    const rank = (iss: z.core.$ZodIssue): number => {
      const key = iss.path[0];
      if (key === undefined) return iss.code === 'unrecognized_keys' ? -1 : -2;
      return order.get(String(key)) ?? params.length;
    };
    const issues = [...parsed.error.issues].sort((a, b) => rank(a) - rank(b));
    const firstIssue = issues[0];
    let field: string | null = null;
    if (firstIssue !== undefined) {
      if (firstIssue.code === 'unrecognized_keys') field = firstIssue.keys[0] ?? null;
      else if (firstIssue.path[0] !== undefined) field = String(firstIssue.path[0]);
    }
    const messages = issues.map((i) => i.message);
    throw new ArgsError(messages[0] ?? 'Invalid arguments.', field, messages);
  }
  const given = parsed.data as Record<string, ParamValue | undefined>;
  const out: Record<string, ParamValue> = {};
  const defaulted: ParameterDeclaration[] = [];
  for (const p of params) {
    const v = Object.prototype.hasOwnProperty.call(given, p.name) ? given[p.name] : undefined;
    if (v !== undefined) out[p.name] = copy(v);
    else if (p.config.default !== null && p.config.default !== undefined) {
      out[p.name] = copy(p.config.default);
      defaulted.push(p);
    }
  }
  // A default is filled in only for a parameter that applies (`applies_when`; the inputs are not known here).
  const values = { ...out };
  for (const p of defaulted) if (p.config.appliesWhen && !parameterApplies(p, params, values, null)) delete out[p.name];
  return out;
}

function copy(v: ParamValue): ParamValue {
  return (Array.isArray(v) ? [...v] : v) as ParamValue;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function listEquals(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A value as shown in messages: numbers as JS prints them, strings JSON-quoted, lists bracketed. */
export function formatValue(v: unknown, depth = 0): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 79)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v.toString()}n`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) {
    if (depth > 1) return '[…]';
    const shown = v.slice(0, 10).map((x) => formatValue(x, depth + 1));
    if (v.length > 10) shown.push(`… (${v.length} items)`);
    return `[${shown.join(', ')}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (v instanceof Date) return `a Date (${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  return isPlainObject(v) ? 'an object' : `an object of type ${(v as object).constructor?.name ?? 'unknown'}`;
}
