// The Table data schema's checks: a table is stored as `columns` (JSON text of the column specs) and
// `values` (float64 [columns, rows]; a text column holds indices into its `categories`). Used by the
// Table schema in dataSchemas.ts; every message names the field, the column, the value and what was
// expected. Pure, no DOM.
import type { NDArray } from './ndarray';
import { BRIEF, describeValue } from './describeValue';

export type TableColumnType = 'int' | 'float' | 'text';

export const TABLE_COLUMN_TYPES: readonly TableColumnType[] = ['int', 'float', 'text'];

/** One column: its name, type, unit (e.g. "px", "µm²") and, for a text column, its categories. */
export interface TableColumn {
  name: string;
  type: TableColumnType;
  unit?: string;
  /** A text column's distinct values; its stored values are indices into this list. */
  categories?: string[];
}

type Parsed = { columns: TableColumn[]; problems: [] } | { columns: null; problems: string[] };

function columnProblems(c: unknown, i: number): string[] {
  const at = (key?: string) => `Field 'columns[${i}]${key ? `.${key}` : ''}'`;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return [`${at()}: expected a column spec {name, type}, got ${describeValue(c, BRIEF)}.`];
  const o = c as Record<string, unknown>;
  const out: string[] = [];
  if (typeof o.name !== 'string' || o.name.trim() === '') out.push(`${at('name')}: expected a non-empty string, got ${describeValue(o.name, BRIEF)}.`);
  if (!TABLE_COLUMN_TYPES.includes(o.type as TableColumnType)) {
    out.push(`${at('type')}: expected one of ${TABLE_COLUMN_TYPES.join(', ')}, got ${describeValue(o.type, BRIEF)}.`);
  }
  if (o.unit !== undefined && typeof o.unit !== 'string') out.push(`${at('unit')}: expected a string, got ${describeValue(o.unit, BRIEF)}.`);
  if (o.type === 'text') {
    const cats = o.categories;
    if (!Array.isArray(cats) || cats.some((v) => typeof v !== 'string')) {
      out.push(`${at('categories')}: a text column needs a list of strings, got ${describeValue(cats, BRIEF)}.`);
    }
  } else if (o.categories !== undefined) {
    out.push(`${at('categories')}: only a text column has categories (this column is ${String(o.type)}).`);
  }
  return out;
}

/** `columns` text → the column specs, or the problems (JSON well formed, a list of specs, names unique and non-empty). */
export function parseColumnSpecs(text: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      columns: null,
      problems: [`Field 'columns': expected JSON text of a list of column specs, got ${describeValue(text, BRIEF)} (${(e as Error).message}).`],
    };
  }
  if (!Array.isArray(json)) return { columns: null, problems: [`Field 'columns': expected a JSON list of column specs, got ${describeValue(json, BRIEF)}.`] };
  const problems = json.flatMap(columnProblems);
  const seen = new Map<string, number>();
  json.forEach((c: { name?: unknown }, i) => {
    if (typeof c?.name !== 'string') return;
    const first = seen.get(c.name);
    if (first !== undefined) problems.push(`Field 'columns[${i}].name': '${c.name}' is already the name of column ${first}; column names must be unique.`);
    else seen.set(c.name, i);
  });
  if (problems.length) return { columns: null, problems };
  const columns = (json as TableColumn[]).map((c) => ({
    name: c.name,
    type: c.type,
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
    ...(c.type === 'text' ? { categories: c.categories! } : {}),
  }));
  return { columns, problems: [] };
}

/** Problems of `values` for these columns: float64 [columns, rows], integers in int columns, category indices in range. */
export function tableValueProblems(columns: readonly TableColumn[], values: NDArray): string[] {
  const { dtype, shape } = values;
  const expected = `float64 of shape [columns, rows] = [${columns.length}, rows]`;
  if (dtype !== 'float64' || shape.length !== 2) return [`Field 'values': expected ${expected}, got ${dtype} [${shape.join(', ')}].`];
  if (shape[0] !== columns.length) {
    return [`Field 'values': expected ${expected} (one row of values per column), got ${shape[0]} rows of values for ${columns.length} columns.`];
  }
  const rows = shape[1]!;
  const data = values.data as Float64Array;
  const out: string[] = [];
  columns.forEach((c, ci) => {
    const base = ci * rows;
    for (let r = 0; r < rows; r++) {
      const v = data[base + r]!;
      if (c.type === 'int' && !Number.isInteger(v)) {
        out.push(`Field 'values': column '${c.name}' is int, but row ${r} holds ${v}; expected an integer.`);
        return;
      }
      if (c.type === 'text') {
        const n = c.categories!.length;
        if (!Number.isInteger(v) || v < 0 || v >= n) {
          const range = n ? `an index 0 to ${n - 1} into its ${n} categories` : 'no value (the column has no categories)';
          out.push(`Field 'values': column '${c.name}' is text, but row ${r} holds category index ${v}; expected ${range}.`);
          return;
        }
      }
    }
  });
  return out;
}
