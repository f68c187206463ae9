// The platform data format `system/table/1` (issue 16): a table an analyzer writes as a result,
// `{ columns: [{ name, type: 'int' | 'float' | 'text', unit? }], values: [one array per column] }`.
// BEAT's grammar cannot say "one array per column, of the column's type" nor an optional key, so the
// catalogue declares its shape and `convertData` hands the value to `convertTable` (like the plot
// formats, a platform type; unlike them, checked strictly). Pure TS.
import { BRIEF, describeValue } from '../describeValue';
import type { Table } from '../table';
import { TABLE_COLUMN_TYPES, type TableColumnType } from '../tableSchema';
import { BeatError } from './errors';

export const TABLE_FORMAT = 'system/table/1';

/** The catalogue's declaration (what the format lists show; `convertTable` is the real check). */
export const TABLE_FORMAT_DECLARATION = {
  '#description': "A table: columns [{ name, type: 'int' | 'float' | 'text', unit? }] and values, one array per column (all of one length)",
  columns: [0, { name: 'string', type: 'string', unit: 'string' }],
  values: [0, 0, 'float64'],
} as const;

/** A column spec as written: `unit` only when given. */
export interface TableResultColumn {
  name: string;
  type: TableColumnType;
  unit?: string;
}

/** A converted table result: plain arrays (numbers for int and float columns, strings for text ones). */
export interface TableResult {
  columns: TableResultColumn[];
  values: (number[] | string[])[];
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? `string ${JSON.stringify(v)}` : describeValue(v, BRIEF));

function fail(path: string, message: string): never {
  throw new BeatError('E_FORMAT_CAST', `field '${path}': ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function convertColumn(c: unknown, path: string): TableResultColumn {
  if (!isObject(c)) fail(path, `expected a column spec { name, type, unit? }, got ${show(c)}`);
  const extra = Object.keys(c).filter((k) => k !== 'name' && k !== 'type' && k !== 'unit');
  if (extra.length) fail(`${path}.${extra[0]}`, `not a key of a column spec (name, type, unit)`);
  if (typeof c.name !== 'string' || c.name.trim() === '') fail(`${path}.name`, `expected a non-empty string, got ${show(c.name)}`);
  if (!TABLE_COLUMN_TYPES.includes(c.type as TableColumnType)) fail(`${path}.type`, `expected 'int', 'float' or 'text', got ${show(c.type)}`);
  if (c.unit !== undefined && typeof c.unit !== 'string') fail(`${path}.unit`, `expected a string, got ${show(c.unit)}`);
  return { name: c.name, type: c.type as TableColumnType, ...(typeof c.unit === 'string' ? { unit: c.unit } : {}) };
}

function columnValues(c: TableResultColumn, v: unknown, path: string): number[] | string[] {
  const list = Array.isArray(v) ? v : ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : null;
  if (!list) fail(path, `column '${c.name}' expects an array of its values, got ${show(v)}`);
  list.forEach((x: unknown, r) => {
    const bad = c.type === 'text' ? typeof x !== 'string' : c.type === 'int' ? typeof x !== 'number' || !Number.isSafeInteger(x) : typeof x !== 'number';
    if (bad) {
      const want = c.type === 'text' ? 'a string' : c.type === 'int' ? 'an integer' : 'a number';
      fail(path, `column '${c.name}' is ${c.type}, but row ${r} holds ${show(x)}; expected ${want}`);
    }
  });
  return c.type === 'text' ? [...(list as string[])] : (list as number[]).map((x) => (x === 0 ? 0 : x));
}

/**
 * Strict conversion of a written table (at field `path`, e.g. the result's name): known keys only,
 * column names non-empty and unique, one array per column, all of one length, int columns safe
 * integers, float columns numbers (NaN: missing), text columns strings. Returns a fresh copy.
 */
export function convertTable(value: unknown, path: string): TableResult {
  if (!isObject(value)) fail(path, `expected a table { columns, values }, got ${show(value)}`);
  const extra = Object.keys(value).filter((k) => k !== 'columns' && k !== 'values');
  if (extra.length) fail(`${path}.${extra[0]}`, `not declared by data format '${TABLE_FORMAT}' (columns, values)`);
  if (!Array.isArray(value.columns)) fail(`${path}.columns`, `expected a list of column specs { name, type, unit? }, got ${show(value.columns)}`);
  const columns = value.columns.map((c, i) => convertColumn(c, `${path}.columns[${i}]`));
  const seen = new Map<string, number>();
  columns.forEach((c, i) => {
    const first = seen.get(c.name);
    if (first !== undefined) fail(`${path}.columns[${i}].name`, `'${c.name}' is already the name of column ${first}; column names must be unique`);
    seen.set(c.name, i);
  });
  if (!Array.isArray(value.values)) fail(`${path}.values`, `expected one array of values per column, got ${show(value.values)}`);
  if (value.values.length !== columns.length) {
    fail(`${path}.values`, `expected one array of values per column (${columns.length}), got ${value.values.length}`);
  }
  const values = columns.map((c, i) => columnValues(c, (value.values as unknown[])[i], `${path}.values[${i}]`));
  values.forEach((v, i) => {
    if (v.length !== values[0]!.length) {
      fail(
        `${path}.values[${i}]`,
        `column '${columns[i]!.name}' has ${v.length} rows, but column '${columns[0]!.name}' has ${values[0]!.length}; every column must have the same length`,
      );
    }
  });
  return { columns, values };
}

/** A table result as the in-memory `Table` of the table viewer (a text column's distinct values become its categories). */
export function tableOfResult(r: TableResult): Table {
  const rows = r.values[0]?.length ?? 0;
  const columns: Table['columns'] = [];
  const values = r.values.map((v, i) => {
    const c = r.columns[i]!;
    const spec = { name: c.name, type: c.type, ...(c.unit !== undefined ? { unit: c.unit } : {}) };
    if (c.type !== 'text') {
      columns.push(spec);
      return Float64Array.from(v as number[]);
    }
    const index = new Map<string, number>();
    const out = Float64Array.from(v as string[], (s) => {
      let k = index.get(s);
      if (k === undefined) index.set(s, (k = index.size));
      return k;
    });
    columns.push({ ...spec, categories: [...index.keys()] });
    return out;
  });
  return { columns, values, rows };
}
