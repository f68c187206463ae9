// A table as CSV (RFC 4180), as pandas' `to_csv(index=False)` and Fiji's "Save As" write it: a header
// row of the column names, one line per row, fields separated by commas, lines ended by CRLF. Numbers
// are written in JavaScript's shortest round-trip form (`String(v)`: 0.1, 1e-7, 123456789), NaN as an
// empty field, ±Infinity as inf / -inf (pandas reads both back); text is quoted when it holds a comma,
// a double quote (doubled), CR or LF, or starts or ends with a space. Pure.
import { cellText, type Table } from './table';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field. */
function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function numberField(v: number): string {
  if (Number.isNaN(v)) return '';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** The CSV text of `t`'s rows in the order `rows` (default: all, in stored order). */
export function tableToCsv(t: Table, rows?: ArrayLike<number>): string {
  const lines = [t.columns.map((c) => csvField(c.name)).join(',')];
  const n = rows ? rows.length : t.rows;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i]! : i;
    lines.push(t.columns.map((c, ci) => (c.type === 'text' ? csvField(cellText(t, ci, r)) : numberField(t.values[ci]![r]!))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
