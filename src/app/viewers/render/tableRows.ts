// The rows a table viewer shows: the filter box's conditions ("area > 500", "image = a.tif", a bare word
// matching any text column; joined by "and" or commas), then the sort by one column (numbers numerically,
// text by its value; stable, ties in stored order). Pure, no DOM (tests/unit/tableView.test.ts).
import { cellText, columnIndex, type Table } from '../../../core/table';

type Op = '>' | '>=' | '<' | '<=' | '=' | '!=';
const OPS: Record<string, Op> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=', '=': '=', '==': '=', '!=': '!=' };

type RowTest = (row: number) => boolean;

export type ParsedFilter = { ok: true; test: RowTest | null } | { ok: false; error: string };

function compare(op: Op, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function condition(t: Table, text: string): RowTest | string {
  const m = /^(.+?)\s*(>=|<=|!=|==|=|>|<)\s*(.*)$/.exec(text);
  if (!m) {
    const word = text.toLowerCase();
    const texts = t.columns.map((c, i) => (c.type === 'text' ? i : -1)).filter((i) => i >= 0);
    if (!texts.length) return `"${text}" is not a condition (e.g. ${t.columns[0]?.name ?? 'area'} > 500), and this table has no text column to search.`;
    return (r) => texts.some((ci) => cellText(t, ci, r).toLowerCase().includes(word));
  }
  const [, name, opText, valueText] = m as unknown as [string, string, string, string];
  const ci = columnIndex(t, name.trim());
  if (ci < 0) return `No column '${name.trim()}'; the columns are ${t.columns.map((c) => c.name).join(', ')}.`;
  const col = t.columns[ci]!;
  const op = OPS[opText]!;
  const vals = t.values[ci]!;
  if (col.type === 'text') {
    if (op !== '=' && op !== '!=') return `'${col.name}' is a text column: use = or != (got ${opText}).`;
    const want = valueText
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    const eq: RowTest = (r) => cellText(t, ci, r).toLowerCase() === want;
    return op === '=' ? eq : (r) => !eq(r);
  }
  const v = Number(valueText.trim());
  if (valueText.trim() === '' || !Number.isFinite(v)) return `'${col.name} ${opText}' needs a number, got "${valueText.trim()}".`;
  return (r) => compare(op, vals[r]!, v);
}

/** The filter box's text → a row test (null: no filter), or why it cannot be read. */
export function parseFilter(t: Table, text: string): ParsedFilter {
  const parts = text
    .split(/\s*(?:,|\band\b)\s*/i)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) return { ok: true, test: null };
  const tests: RowTest[] = [];
  for (const p of parts) {
    const c = condition(t, p);
    if (typeof c === 'string') return { ok: false, error: c };
    tests.push(c);
  }
  return { ok: true, test: (r) => tests.every((f) => f(r)) };
}

export interface SortSpec {
  column: number;
  dir: 'asc' | 'desc';
}

/** A click on column `c`'s header: ascending, again for descending, then ascending again. */
export function nextSort(s: SortSpec | null, c: number): SortSpec {
  return s?.column === c && s.dir === 'asc' ? { column: c, dir: 'desc' } : { column: c, dir: 'asc' };
}

/** The rows passing `test`, sorted by `sort` (stable; NaN and empty text last in both directions). */
export function tableRows(t: Table, test: RowTest | null, sort: SortSpec | null): Int32Array {
  const kept: number[] = [];
  for (let r = 0; r < t.rows; r++) if (!test || test(r)) kept.push(r);
  if (sort) {
    const col = t.columns[sort.column]!;
    const s = sort.dir === 'asc' ? 1 : -1;
    if (col.type === 'text') {
      const keys = kept.map((r) => cellText(t, sort.column, r));
      const order = kept.map((_, i) => i).sort((a, b) => s * keys[a]!.localeCompare(keys[b]!, undefined, { numeric: true }) || a - b);
      return Int32Array.from(order, (i) => kept[i]!);
    }
    const v = t.values[sort.column]!;
    kept.sort((a, b) => {
      const x = v[a]!;
      const y = v[b]!;
      if (x !== x || y !== y) return (x !== x ? 1 : 0) - (y !== y ? 1 : 0) || a - b;
      return s * (x - y) || a - b;
    });
  }
  return Int32Array.from(kept);
}

/** The bin count numpy's `bins='auto'` picks (the larger of Sturges and Freedman–Diaconis), 1 to 200. */
export function autoBins(values: ArrayLike<number>): number {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const n = v.length;
  if (n < 2 || v[0] === v[n - 1]) return 1;
  const sturges = Math.ceil(Math.log2(n) + 1);
  const q = (p: number) => {
    const k = (n - 1) * p;
    const lo = Math.floor(k);
    return v[lo]! + (v[Math.min(n - 1, lo + 1)]! - v[lo]!) * (k - lo);
  };
  const iqr = q(0.75) - q(0.25);
  const fd = iqr > 0 ? Math.ceil((v[n - 1]! - v[0]!) / ((2 * iqr) / Math.cbrt(n))) : 0;
  return Math.max(1, Math.min(200, Math.max(sturges, fd)));
}
