// Tables are datasets: a measurement table (one row per object, typed columns) as a `Table` schema item
// and back, and the objects a table measures (`meta.extra` links). A text column keeps its distinct
// values as `categories` and one category index per row. Pure, no DOM. docs/tables.md.
import { validateItem } from './dataSchemas';
import { ndarray, type NDArray } from './ndarray';
import { parseColumnSpecs, type TableColumn } from './tableSchema';

/** A table in memory: the column specs and one Float64Array per column (text columns: category indices). */
export interface Table {
  columns: TableColumn[];
  values: Float64Array[];
  rows: number;
}

type ColumnData = ArrayLike<number> | readonly string[];

const INT_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];

function isStrings(a: ColumnData): a is readonly string[] {
  return Array.isArray(a) && a.length > 0 && typeof a[0] === 'string';
}

function textColumn(name: string, strings: readonly string[], unit?: string): { column: TableColumn; values: Float64Array } {
  const index = new Map<string, number>();
  const values = new Float64Array(strings.length);
  strings.forEach((s, r) => {
    if (typeof s !== 'string') throw new Error(`tableFromColumns: column '${name}' is text, but row ${r} holds ${String(s)}; expected a string.`);
    let k = index.get(s);
    if (k === undefined) index.set(s, (k = index.size));
    values[r] = k;
  });
  return { column: { name, type: 'text', ...(unit ? { unit } : {}), categories: [...index.keys()] }, values };
}

/**
 * A table from a dict of columns, as skimage's `regionprops_table` returns (column name → array, rows in
 * label order): integer typed arrays become int columns, other numbers float, lists of strings text.
 * `units` gives a column's unit by name. Throws when the columns differ in length.
 */
export function tableFromColumns(dict: Readonly<Record<string, ColumnData>>, units: Readonly<Record<string, string>> = {}): Table {
  const columns: TableColumn[] = [];
  const values: Float64Array[] = [];
  let rows: number | null = null;
  let first = '';
  for (const [name, data] of Object.entries(dict)) {
    if (!name.trim()) throw new Error('tableFromColumns: a column name must not be empty.');
    if (rows === null) [rows, first] = [data.length, name];
    else if (data.length !== rows) {
      throw new Error(`tableFromColumns: column '${name}' has ${data.length} values but column '${first}' has ${rows}; every column needs one value per row.`);
    }
    const unit = units[name];
    if (isStrings(data)) {
      const t = textColumn(name, data, unit);
      columns.push(t.column);
      values.push(t.values);
      continue;
    }
    const int = INT_ARRAYS.some((T) => data instanceof T);
    columns.push({ name, type: int ? 'int' : 'float', ...(unit ? { unit } : {}) });
    values.push(Float64Array.from(data as ArrayLike<number>));
  }
  return { columns, values, rows: rows ?? 0 };
}

/** The `Table` schema item of a table: `columns` JSON text and `values` float64 [columns, rows]. */
export function tableToItem(t: Table): { columns: string; values: NDArray<'float64'> } {
  const data = new Float64Array(t.columns.length * t.rows);
  t.values.forEach((v, c) => data.set(v, c * t.rows));
  return { columns: JSON.stringify(t.columns), values: ndarray('float64', [t.columns.length, t.rows], data) };
}

/** A table from a `Table` item (as `datasets.get` returns its fields); validated, so a bad item throws a SchemaError naming the field. */
export function tableFromItem(item: Readonly<Record<string, unknown>>): Table {
  const { columns: text, values } = validateItem('Table', item);
  const { columns } = parseColumnSpecs(text);
  const rows = values.shape[1]!;
  const data = values.data as Float64Array;
  return { columns: columns!, values: columns!.map((_, c) => data.subarray(c * rows, (c + 1) * rows)), rows };
}

/** Column index by name, or -1. */
export function columnIndex(t: Table, name: string): number {
  return t.columns.findIndex((c) => c.name === name);
}

/** A cell as text: a text column's category, a number as JS writes it (shortest round trip), NaN as ''. */
export function cellText(t: Table, column: number, row: number): string {
  const c = t.columns[column]!;
  const v = t.values[column]![row]!;
  if (c.type === 'text') return c.categories![v] ?? '';
  return Number.isNaN(v) ? '' : String(v);
}

/** The objects a table measures, from its `meta.extra`: the labels dataset (and its field) and the intensity image. */
export interface TableLinks {
  /** Dataset id of the labels (each object's pixels hold its `label`). */
  labels: string;
  /** The labels dataset's field ('mask' by default). */
  labelsKey: string;
  /** Dataset id of the intensity image the labels are drawn over, when known. */
  image?: string;
}

/**
 * The links in a table's `meta.extra`, tolerant of what may be missing: null without a labels id (or when
 * `exists` says it is gone); an image id that is not a string or no longer exists is left out.
 */
export function tableLinks(extra: Readonly<Record<string, unknown>> | null | undefined, exists: (id: string) => boolean = () => true): TableLinks | null {
  const x = extra ?? {};
  if (typeof x.labels !== 'string' || !x.labels || !exists(x.labels)) return null;
  const labelsKey = typeof x.labelsKey === 'string' && x.labelsKey ? x.labelsKey : 'mask';
  const image = typeof x.image === 'string' && x.image && exists(x.image) ? x.image : undefined;
  return { labels: x.labels, labelsKey, ...(image ? { image } : {}) };
}
