// BEAT data formats (reference §7): the declaration grammar, a registry with the built-in `system/…`
// and `plot/…` catalogue, default instances (`createData`, §7.4) and strict conversion of written
// data (`convertData`, §7.3). Pure TS.
//
// Representation of data instances (decisions, see docs/beat.md):
// - an object format is a plain object with exactly one property per declared field;
// - int8…uint32, float32 and float64 scalars are JS numbers; int64 and uint64 scalars are JS numbers
//   restricted to the exactly representable range ±(2^53 − 1) (a `bigint` in that range is accepted
//   on write and becomes a number);
// - complex64/complex128 scalars are `{ real, imag }`;
// - bool is a boolean, string a string;
// - numeric and bool arrays are NDArrays (src/core/ndarray.ts) whose dtype is the field's element
//   type; int64/uint64 arrays are float64 NDArrays holding safe integers; complex arrays are
//   float32/float64 NDArrays with one trailing dimension of 2 (real, imaginary);
// - arrays of strings or of objects are (nested, row-major) JS arrays.

import { dtypeOfTypedArray, ndarrayProblem, typedArrayCtor, zeros, type DType, type NDArray, type TypedArray } from '../ndarray';
import { BRIEF, describeValue } from '../describeValue';
import { BeatError } from './errors';
import { convertTable, TABLE_FORMAT, TABLE_FORMAT_DECLARATION } from './tableFormat';
import { thrownMessage } from '../describeValue';

export const INTEGER_TYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'] as const;
export const FLOAT_TYPES = ['float32', 'float64'] as const;
export const COMPLEX_TYPES = ['complex64', 'complex128'] as const;
export const BASIC_TYPES = [...INTEGER_TYPES, ...FLOAT_TYPES, ...COMPLEX_TYPES, 'bool', 'string'] as const;

export type IntegerType = (typeof INTEGER_TYPES)[number];
export type FloatType = (typeof FLOAT_TYPES)[number];
export type ComplexType = (typeof COMPLEX_TYPES)[number];
export type NumericType = IntegerType | FloatType;
export type BasicType = (typeof BASIC_TYPES)[number];

/** `user/name/version`, the name of a data format (and of algorithms, libraries…). */
export const FORMAT_NAME_RE = /^[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
const FIELD_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_KEYS = ['#description', '#schema_version', '#extends'];

/** Bounds of the integer types; int64/uint64 are limited to the integers a JS number holds exactly. */
export const INTEGER_RANGES: Readonly<Record<IntegerType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** The NDArray dtype that stores each numeric (or bool) element type. */
export const STORAGE_DTYPE: Readonly<Record<NumericType | 'bool', DType>> = {
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'float64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'float64',
  float32: 'float32',
  float64: 'float64',
  bool: 'bool',
};

/**
 * numpy's `can_cast(from, to, 'safe')` for the NDArray dtypes we can receive: the element types an
 * array of each dtype may be written to without loss. (float64 → int64/uint64 is handled apart:
 * int64 arrays are stored as float64, so such a write is accepted when every element is a safe integer.)
 */
const SAFE_CASTS: Readonly<Record<DType, readonly NumericType[]>> = {
  bool: ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64'],
  uint8: ['uint8', 'uint16', 'uint32', 'uint64', 'int16', 'int32', 'int64', 'float32', 'float64'],
  int8: ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'],
  uint16: ['uint16', 'uint32', 'uint64', 'int32', 'int64', 'float32', 'float64'],
  int16: ['int16', 'int32', 'int64', 'float32', 'float64'],
  uint32: ['uint32', 'uint64', 'int64', 'float64'],
  int32: ['int32', 'int64', 'float64'],
  float16: ['float32', 'float64'],
  float32: ['float32', 'float64'],
  float64: ['float64'],
};

/** Whether an array of `from` is written to elements of `to` without loss (what `convertData` accepts). */
export function canSafelyCast(from: DType, to: NumericType | 'bool'): boolean {
  return to === 'bool' ? from === 'bool' : SAFE_CASTS[from].includes(to);
}

export function isIntegerType(t: string): t is IntegerType {
  return (INTEGER_TYPES as readonly string[]).includes(t);
}
export function isFloatType(t: string): t is FloatType {
  return (FLOAT_TYPES as readonly string[]).includes(t);
}
export function isComplexType(t: string): t is ComplexType {
  return (COMPLEX_TYPES as readonly string[]).includes(t);
}
export function isBasicType(t: string): t is BasicType {
  return (BASIC_TYPES as readonly string[]).includes(t);
}

// ---------------------------------------------------------------------------------------------
// Compiled types

export interface BasicFieldType {
  kind: 'basic';
  type: BasicType;
}
export interface FieldEntry {
  name: string;
  type: FieldType;
}
export interface ObjectFieldType {
  kind: 'object';
  /** The format's name when the object is a named format, null for an inline object. */
  format: string | null;
  fields: readonly FieldEntry[];
}
export interface ArrayFieldType {
  kind: 'array';
  /** Declared dimensions; 0 = variable. */
  shape: readonly number[];
  element: BasicFieldType | ObjectFieldType;
}
export type FieldType = BasicFieldType | ObjectFieldType | ArrayFieldType;

export interface DataFormat {
  name: string;
  description: string | null;
  /** The parent format of `#extends`, if any. */
  extends: string | null;
  root: ObjectFieldType;
}

/** A data format declaration as written in JSON: `field → type`, plus `#description`, `#extends`… */
export type DataFormatDeclaration = { readonly [key: string]: unknown };

/** A data instance of an object format. */
export type Data = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Built-in catalogue

const SCALAR_CATALOGUE: Readonly<Record<string, string>> = {
  'system/integer/1': 'int32',
  'system/float/1': 'float64',
  'system/bool/1': 'bool',
  'system/text/1': 'string',
};

function buildCatalogue(): Record<string, DataFormatDeclaration> {
  const c: Record<string, DataFormatDeclaration> = {};
  for (const [name, type] of Object.entries(SCALAR_CATALOGUE)) {
    c[name] = { '#description': `A single ${type} value`, value: type };
  }
  const numeric: NumericType[] = [...INTEGER_TYPES, ...FLOAT_TYPES];
  for (const t of numeric) c[`system/${t}/1`] = { '#description': `A single ${t} value`, value: t };
  for (let n = 1; n <= 4; n++) {
    const dims = Array.from({ length: n }, () => 0);
    for (const t of numeric) {
      c[`system/array_${n}d_${t}/1`] = { '#description': `A ${n}-d array of ${t} of any shape`, value: [...dims, t] };
    }
    c[`system/array_${n}d_floats/1`] = { '#description': `A ${n}-d array of float64 of any shape`, value: [...dims, 'float64'] };
  }
  const series = { label: 'string', x: [0, 'float64'], y: [0, 'float64'] };
  c['plot/bar/1'] = {
    '#description': 'Bar plot: a list of series, each a label and bars at positions x with heights y (x and y of equal length)',
    data: [0, series],
  };
  c['plot/scatter/1'] = {
    '#description': 'Scatter plot: a list of series, each a label and points (x[i], y[i]) (x and y of equal length)',
    data: [0, series],
  };
  c[TABLE_FORMAT] = TABLE_FORMAT_DECLARATION;
  // The output of the built-in PCA block (builtin/pca/1, the seed's tutorial format).
  c['tutorial/linear_machine/1'] = {
    '#description': 'A linear machine: y = ((x - input_subtract) / input_divide) · weights + biases',
    input_subtract: [0, 'float64'],
    input_divide: [0, 'float64'],
    weights: [0, 0, 'float64'],
    biases: [0, 'float64'],
  };
  return c;
}

/**
 * The platform-provided formats: `system/integer/1` (int32), `system/float/1` (float64),
 * `system/bool/1`, `system/text/1`, `system/<T>/1` for every numeric T, `system/array_<n>d_<T>/1`
 * for n = 1…4 and every numeric T (plus upstream's `system/array_<n>d_floats/1` = float64), all
 * with the single field `value`; `plot/bar/1` and `plot/scatter/1` = `{ data: [{ label, x, y }] }`;
 * and `tutorial/linear_machine/1` (the seed's PCA output: `input_subtract`, `input_divide`, `biases`
 * 1-d and `weights` 2-d, all float64), so the built-in PCA block runs in every block worker.
 */
export const BUILTIN_DATA_FORMATS: Readonly<Record<string, DataFormatDeclaration>> = Object.freeze(buildCatalogue());

// ---------------------------------------------------------------------------------------------
// Registry and compilation

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

export class DataFormatRegistry {
  private readonly declarations = new Map<string, DataFormatDeclaration>();
  private readonly compiled = new Map<string, DataFormat>();

  /** `builtins: false` leaves out the system/plot catalogue. */
  constructor(declarations: Readonly<Record<string, DataFormatDeclaration>> = {}, options: { builtins?: boolean } = {}) {
    if (options.builtins ?? true) for (const [n, d] of Object.entries(BUILTIN_DATA_FORMATS)) this.declarations.set(n, d);
    for (const [n, d] of Object.entries(declarations)) this.register(n, d);
  }

  /** Add (or replace) a format declaration. It is checked when first used (`get`). */
  register(name: string, declaration: DataFormatDeclaration): this {
    if (!FORMAT_NAME_RE.test(name)) {
      throw new BeatError('E_FORMAT_DECLARATION', `invalid data format name '${name}' (expected <user>/<name>/<version>)`);
    }
    this.declarations.set(name, declaration);
    this.compiled.clear();
    return this;
  }

  has(name: string): boolean {
    return this.declarations.has(name);
  }

  names(): string[] {
    return [...this.declarations.keys()];
  }

  /** The compiled format; throws E_FORMAT_DECLARATION for unknown or invalid formats. */
  get(name: string): DataFormat {
    return this.resolve(name, []);
  }

  /** Compile a declaration that is not registered under a name (e.g. an analyzer's `analysis:<name>`). */
  compile(name: string, declaration: DataFormatDeclaration): DataFormat {
    return this.build(name, declaration, []);
  }

  private resolve(name: string, stack: readonly string[]): DataFormat {
    const done = this.compiled.get(name);
    if (done) return done;
    if (stack.includes(name)) {
      throw new BeatError('E_FORMAT_DECLARATION', `circular data format reference: ${[...stack, name].join(' -> ')}`);
    }
    const declaration = this.declarations.get(name);
    if (declaration === undefined) throw new BeatError('E_FORMAT_DECLARATION', `unknown data format '${name}'`);
    const format = this.build(name, declaration, [...stack, name]);
    this.compiled.set(name, format);
    return format;
  }

  private build(name: string, declaration: unknown, stack: readonly string[]): DataFormat {
    const errors: string[] = [];
    let parent: string | null = null;
    const ref = (target: string, where: string): DataFormat | null => {
      try {
        return this.resolve(target, stack);
      } catch (e) {
        if (e instanceof BeatError && e.message.startsWith('circular')) throw e;
        errors.push(`${where}: ${thrownMessage(e)}`);
        return null;
      }
    };
    const compileType = (value: unknown, path: string): FieldType | null => {
      if (typeof value === 'string') {
        if (isBasicType(value)) return { kind: 'basic', type: value };
        if (FORMAT_NAME_RE.test(value)) {
          const f = ref(value, `field '${path}'`);
          return f ? { kind: 'object', format: value, fields: f.root.fields } : null;
        }
        errors.push(`field '${path}': unknown type '${value}'`);
        return null;
      }
      if (Array.isArray(value)) {
        if (value.length < 2) {
          errors.push(`field '${path}': an array is declared as [dim, …, element type], e.g. [0, "float64"]`);
          return null;
        }
        const dims = value.slice(0, -1);
        if (dims.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
          errors.push(`field '${path}': array dimensions must be non-negative integers (0 = variable), got ${JSON.stringify(dims)}`);
          return null;
        }
        const el = value[value.length - 1];
        if (Array.isArray(el)) {
          errors.push(`field '${path}': the element type of an array cannot itself be an array`);
          return null;
        }
        const element = compileType(el, `${path}[]`);
        if (!element || element.kind === 'array') return null;
        return { kind: 'array', shape: dims as number[], element };
      }
      if (isPlainObject(value)) return compileObject(value, path, null);
      errors.push(`field '${path}': invalid type declaration ${describeValue(value, BRIEF)}`);
      return null;
    };
    const compileObject = (decl: Record<string, unknown>, path: string, formatName: string | null): ObjectFieldType => {
      const fields: FieldEntry[] = [];
      const prefix = path ? `${path}.` : '';
      if ('#extends' in decl) {
        const value = decl['#extends'];
        if (path) errors.push(`'#extends' is only allowed at the top level (found in '${path}')`);
        else if (typeof value !== 'string' || !FORMAT_NAME_RE.test(value)) errors.push(`'#extends' must name a data format, got ${showValue(value)}`);
        else {
          const p = ref(value, "'#extends'");
          if (p) {
            parent = value;
            // Inherited fields first; a field declared again here overrides the parent's.
            for (const f of p.root.fields) if (!(f.name in decl)) fields.push(f);
          }
        }
      }
      for (const [key, value] of Object.entries(decl)) {
        if (key.startsWith('#')) {
          if (!RESERVED_KEYS.includes(key)) errors.push(`unknown reserved key '${prefix}${key}'`);
          continue;
        }
        if (/^__.*__$/.test(key)) continue;
        if (!FIELD_NAME_RE.test(key)) {
          errors.push(`invalid field name '${prefix}${key}'`);
          continue;
        }
        const t = compileType(value, `${prefix}${key}`);
        if (t) fields.push({ name: key, type: t });
      }
      return { kind: 'object', format: formatName, fields };
    };

    if (!isPlainObject(declaration)) {
      throw new BeatError(
        'E_FORMAT_DECLARATION',
        `invalid data format '${name}': a declaration must be a JSON object, got ${describeValue(declaration, BRIEF)}`,
      );
    }
    const root = compileObject(declaration, '', name);
    if (errors.length > 0) {
      throw new BeatError('E_FORMAT_DECLARATION', `invalid data format '${name}': ${errors.join('; ')}`, errors);
    }
    const d = declaration['#description'];
    return { name, description: typeof d === 'string' ? d : null, extends: parent, root };
  }
}

// ---------------------------------------------------------------------------------------------
// Default instances (§7.4)

function defaultValue(t: FieldType): unknown {
  if (t.kind === 'basic') {
    if (t.type === 'bool') return false;
    if (t.type === 'string') return '';
    if (isComplexType(t.type)) return { real: 0, imag: 0 };
    return 0;
  }
  if (t.kind === 'object' && t.format === TABLE_FORMAT) return { columns: [], values: [] };
  if (t.kind === 'object') return Object.fromEntries(t.fields.map((f) => [f.name, defaultValue(f.type)]));
  const el = t.element;
  if (el.kind === 'basic' && el.type !== 'string') {
    if (isComplexType(el.type)) return zeros(el.type === 'complex64' ? 'float32' : 'float64', [...t.shape, 2]);
    return zeros(STORAGE_DTYPE[el.type as NumericType | 'bool'], t.shape);
  }
  const build = (level: number): unknown => (level === t.shape.length ? defaultValue(el) : Array.from({ length: t.shape[level]! }, () => build(level + 1)));
  return build(0);
}

/**
 * A default instance: numbers 0, bool false, strings "", complex {real: 0, imag: 0}, variable
 * dimensions empty, fixed dimensions allocated and zero-filled, nested formats built recursively.
 */
export function createData(format: DataFormat): Data;
export function createData(type: FieldType): unknown;
export function createData(f: DataFormat | FieldType): unknown {
  return defaultValue('root' in f ? f.root : f);
}

// ---------------------------------------------------------------------------------------------
// Strict conversion (§7.3)

/** A value for error messages: numbers as written (`1.5`), other things with their kind. */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return describeValue(v, BRIEF);
}

/** How a type is named in messages: `int32`, `data format 'user/x/1'`, `2-d array of uint8`. */
export function typeLabel(t: FieldType): string {
  if (t.kind === 'basic') return t.type;
  if (t.kind === 'object') return t.format ? `data format '${t.format}'` : 'object';
  return `${t.shape.length}-d array of ${typeLabel(t.element)}`;
}

function castError(path: string, expected: string, v: unknown): BeatError {
  return new BeatError('E_FORMAT_CAST', `field '${path}': expected ${expected}, got ${showValue(v)}`);
}

function fieldsLabel(names: string[], prefix: string): string {
  const quoted = names.map((n) => `'${prefix}${n}'`);
  return names.length === 1 ? `field ${quoted[0]}` : `fields ${quoted.join(', ')}`;
}

function convertObject(t: ObjectFieldType, value: unknown, path: string, rootFormat: string | null): Data {
  const declared = new Set(t.fields.map((f) => f.name));
  // An NDArray given where an object is expected (e.g. write(array) instead of write({ value: array })).
  const strayArray = isNDArrayLike(value) && ArrayBuffer.isView(value.data) && !declared.has('data');
  if (!isPlainObject(value) || strayArray) {
    const what = t.format ? `an object of data format '${t.format}'` : 'an object';
    if (!path) throw new BeatError('E_FORMAT_CAST', `expected ${what}, got ${showValue(value)}`);
    throw castError(path, what, value);
  }
  const prefix = path ? `${path}.` : '';
  const missing = t.fields.map((f) => f.name).filter((n) => value[n] === undefined);
  if (missing.length > 0) throw new BeatError('E_FORMAT_ATTRIBUTES', `${fieldsLabel(missing, prefix)}: missing`);
  const extra = Object.keys(value).filter((k) => !declared.has(k));
  if (extra.length > 0) {
    const owner = t.format ?? (path ? null : rootFormat);
    const by = owner ? `data format '${owner}'` : 'the data format';
    throw new BeatError('E_FORMAT_ATTRIBUTES', `${fieldsLabel(extra, prefix)}: not declared by ${by}`);
  }
  const out: Data = {};
  for (const f of t.fields) out[f.name] = convertField(f.type, value[f.name], `${prefix}${f.name}`);
  return out;
}

function convertField(t: FieldType, v: unknown, path: string): unknown {
  if (t.kind === 'basic') return convertBasic(t.type, v, path);
  if (t.kind === 'object' && t.format === TABLE_FORMAT) return convertTable(v, path);
  if (t.kind === 'object') return convertObject(t, v, path, null);
  return convertArray(t, v, path);
}

function convertBasic(type: BasicType, v: unknown, path: string): unknown {
  if (isIntegerType(type)) {
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'bigint' && v >= BigInt(-Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) n = Number(v);
    const [lo, hi] = INTEGER_RANGES[type];
    if (n === undefined || !Number.isInteger(n) || n < lo || n > hi) throw castError(path, type, v);
    return n === 0 ? 0 : n; // no -0
  }
  if (isFloatType(type)) {
    if (typeof v !== 'number') throw castError(path, type, v);
    if (type === 'float64') return v;
    const r = Math.fround(v);
    if (Number.isFinite(v) && !Number.isFinite(r)) throw castError(path, type, v);
    return r;
  }
  if (isComplexType(type)) {
    const part = (x: number): number => (type === 'complex64' ? Math.fround(x) : x);
    if (typeof v === 'number') return { real: part(v), imag: 0 };
    if (isPlainObject(v) && typeof v.real === 'number' && typeof v.imag === 'number' && Object.keys(v).every((k) => k === 'real' || k === 'imag')) {
      return { real: part(v.real), imag: part(v.imag) };
    }
    throw castError(path, `${type} ({real, imag})`, v);
  }
  if (type === 'bool') {
    if (typeof v !== 'boolean') throw castError(path, type, v);
    return v;
  }
  if (typeof v !== 'string') throw castError(path, type, v);
  return v;
}

function isNDArrayLike(v: unknown): v is NDArray {
  return isPlainObject(v) && 'dtype' in v && 'shape' in v && 'data' in v;
}

function convertArray(t: ArrayFieldType, v: unknown, path: string): unknown {
  const el = t.element;
  const typedElements = el.kind === 'basic' && el.type !== 'string';
  if (typedElements && isNDArrayLike(v)) return fromNDArray(t, el.type as Exclude<BasicType, 'string'>, v, path);
  // A bare typed array stands for a 1-d NDArray of its own dtype.
  const ownDtype = ArrayBuffer.isView(v) ? dtypeOfTypedArray(v) : null;
  if (typedElements && ownDtype && t.shape.length === 1) {
    const data = v as unknown as TypedArray;
    return fromNDArray(t, el.type as Exclude<BasicType, 'string'>, { dtype: ownDtype, shape: [data.length], data }, path);
  }
  if (!Array.isArray(v)) throw castError(path, `a ${typeLabel(t)}`, v);
  return fromNested(t, v, path);
}

function checkIntegers(type: IntegerType, data: ArrayLike<number>, path: string): void {
  const [lo, hi] = INTEGER_RANGES[type];
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isInteger(x) || x < lo || x > hi) {
      throw new BeatError('E_FORMAT_CAST', `field '${path}': expected ${type} elements, got ${showValue(x)} at flat index ${i}`);
    }
  }
}

function fromNDArray(t: ArrayFieldType, type: Exclude<BasicType, 'string'>, a: NDArray, path: string): NDArray {
  const problem = ndarrayProblem(a, `field '${path}'`);
  if (problem) throw new BeatError('E_FORMAT_CAST', problem.replace(/\.$/, ''));
  const complex = isComplexType(type);
  const rank = t.shape.length;
  if (complex) {
    if (a.shape.length !== rank + 1 || a.shape[rank] !== 2) {
      throw new BeatError(
        'E_FORMAT_SHAPE',
        `field '${path}': expected ${rank} dimension(s) plus a trailing dimension of 2 (real, imaginary), got shape [${a.shape.join(', ')}]`,
      );
    }
  } else if (a.shape.length !== rank) {
    throw new BeatError('E_FORMAT_SHAPE', `field '${path}': expected ${rank} dimension(s), got ${a.shape.length} (shape [${a.shape.join(', ')}])`);
  }
  t.shape.forEach((d, i) => {
    if (d > 0 && a.shape[i] !== d) throw new BeatError('E_FORMAT_SHAPE', `field '${path}': dimension ${i} must be ${d}, got ${a.shape[i]}`);
  });
  const shape = [...a.shape];
  const src = a.data as unknown as ArrayLike<number>;
  if (type === 'bool') {
    if (a.dtype !== 'bool') throw new BeatError('E_FORMAT_CAST', `field '${path}': cannot safely cast an array of ${a.dtype} to bool`);
    for (let i = 0; i < src.length; i++) {
      if (src[i] !== 0 && src[i] !== 1) throw new BeatError('E_FORMAT_CAST', `field '${path}': bool elements must be 0 or 1, got ${src[i]} at flat index ${i}`);
    }
    return { dtype: 'bool', shape, data: new Uint8Array(src) };
  }
  const component: NumericType = complex ? (type === 'complex64' ? 'float32' : 'float64') : (type as NumericType);
  const storage = STORAGE_DTYPE[component];
  const safe = SAFE_CASTS[a.dtype].includes(component);
  if (!safe) {
    if ((component === 'int64' || component === 'uint64') && a.dtype === 'float64') checkIntegers(component, src, path);
    else throw new BeatError('E_FORMAT_CAST', `field '${path}': cannot safely cast an array of ${a.dtype} to ${complex ? type : component}`);
  }
  const C = typedArrayCtor(storage);
  return { dtype: storage, shape, data: new C(src) as TypedArray };
}

function fromNested(t: ArrayFieldType, v: unknown[], path: string): unknown {
  const el = t.element;
  const rank = t.shape.length;
  const shape: (number | undefined)[] = Array.from({ length: rank }, () => undefined);
  const typed = el.kind === 'basic' && el.type !== 'string';
  const flat: number[] = [];
  const walk = (node: unknown, level: number, p: string): unknown => {
    if (level === rank) {
      if (!typed) return convertField(el, node, p);
      const x = convertBasic((el as BasicFieldType).type, node, p);
      if (typeof x === 'boolean') flat.push(x ? 1 : 0);
      else if (typeof x === 'number') flat.push(x);
      else flat.push((x as { real: number }).real, (x as { imag: number }).imag);
      return undefined;
    }
    if (!Array.isArray(node)) {
      throw new BeatError('E_FORMAT_SHAPE', `field '${p}': expected an array (dimension ${level} of a ${rank}-d array), got ${showValue(node)}`);
    }
    const fixed = t.shape[level]!;
    if (shape[level] === undefined) {
      if (fixed > 0 && node.length !== fixed) {
        throw new BeatError('E_FORMAT_SHAPE', `field '${p}': dimension ${level} must be ${fixed}, got ${node.length}`);
      }
      shape[level] = node.length;
    } else if (node.length !== shape[level]) {
      throw new BeatError('E_FORMAT_SHAPE', `field '${p}': ragged array, expected length ${shape[level]}, got ${node.length}`);
    }
    return node.map((child, i) => walk(child, level + 1, `${p}[${i}]`));
  };
  const nested = walk(v, 0, path);
  if (!typed) return nested;
  const finalShape = shape.map((d, i) => d ?? t.shape[i]!);
  const type = (el as BasicFieldType).type;
  if (isComplexType(type)) {
    const dtype = type === 'complex64' ? 'float32' : 'float64';
    return { dtype, shape: [...finalShape, 2], data: new (typedArrayCtor(dtype))(flat) };
  }
  const storage = STORAGE_DTYPE[type as NumericType | 'bool'];
  return { dtype: storage, shape: finalShape, data: new (typedArrayCtor(storage))(flat) };
}

/**
 * Strict conversion of a written value to an instance of `format` (upstream `from_dict(casting='safe',
 * add_defaults=False)`): every declared field present, no undeclared field, no lossy conversion
 * (non-integral or out-of-range integers, float32 overflow, wrong array rank or fixed dimension,
 * unsafe array dtype). Returns a fresh instance (arrays are copied). Errors name the field path:
 * "field 'value': expected int32, got 1.5".
 */
export function convertData(format: DataFormat, value: unknown): Data {
  return convertObject(format.root, value, '', format.name);
}
