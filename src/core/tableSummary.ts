// A table's summary, as Fiji's "Summarize" and pandas' `describe()` give it: per numeric column the count
// of finite values, mean, median, min, max and sample standard deviation (n − 1, NaN for one value),
// for all rows and per group of a text column (the per-image summary, grouped by `image`). Pure.
import { columnIndex, type Table } from './table';

export interface ColumnSummary {
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  std: number;
}

export interface SummaryGroup {
  /** The group's value of the grouping column; null for the "all rows" group. */
  key: string | null;
  /** Rows in the group. */
  rows: number;
  /** Per numeric column, by name. */
  columns: Record<string, ColumnSummary>;
}

/** Summary statistics of the finite values among `values[rows[i]]`. */
export function summarizeValues(values: ArrayLike<number>, rows: ArrayLike<number>): ColumnSummary {
  const finite: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]!]!;
    if (Number.isFinite(v)) finite.push(v);
  }
  const n = finite.length;
  if (!n) return { count: 0, mean: NaN, median: NaN, min: NaN, max: NaN, std: NaN };
  finite.sort((a, b) => a - b);
  let sum = 0;
  for (const v of finite) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of finite) ss += (v - mean) ** 2;
  const mid = n >> 1;
  const median = n % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { count: n, mean, median, min: finite[0]!, max: finite[n - 1]!, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}

function groupOf(t: Table, rows: ArrayLike<number>, key: string | null): SummaryGroup {
  const columns: Record<string, ColumnSummary> = {};
  t.columns.forEach((c, ci) => {
    if (c.type !== 'text') columns[c.name] = summarizeValues(t.values[ci]!, rows);
  });
  return { key, rows: rows.length, columns };
}

/**
 * The summary of `rows` (default all): the "all rows" group first, then one group per value of the text
 * column `groupBy` (default `image` when the table has such a text column), in category order, empty ones left out.
 */
export function summarizeTable(t: Table, opts: { rows?: ArrayLike<number>; groupBy?: string | null } = {}): SummaryGroup[] {
  const rows = opts.rows ?? Array.from({ length: t.rows }, (_, i) => i);
  const out = [groupOf(t, rows, null)];
  const by = opts.groupBy === undefined ? 'image' : opts.groupBy;
  const gi = by === null ? -1 : columnIndex(t, by);
  if (gi < 0 || t.columns[gi]!.type !== 'text') return out;
  const cats = t.columns[gi]!.categories!;
  const buckets: number[][] = cats.map(() => []);
  const g = t.values[gi]!;
  for (let i = 0; i < rows.length; i++) buckets[g[rows[i]!]!]!.push(rows[i]!);
  buckets.forEach((b, k) => {
    if (b.length) out.push(groupOf(t, b, cats[k]!));
  });
  return out;
}
