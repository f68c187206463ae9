// A table's rows in a scrolling grid: a sticky header (click a column to sort it ascending, again for
// descending), only the rows in view rendered (a 100k-row table scrolls as a 20-row one), the selected
// row highlighted and scrolled into view when it is selected from elsewhere (the objects view).
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { cellText, type Table } from '../../core/table';
import { formatValue } from './render/format';
import type { SortSpec } from './render/tableRows';

export const ROW_HEIGHT = 24;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 8;
const MIN_COLUMN = 92;

/** A cell as shown: text as it is, integers in full, floats to 5 significant digits (the title has the full value). */
function shown(t: Table, c: number, r: number): string {
  return t.columns[c]!.type === 'text' ? cellText(t, c, r) : formatValue(t.values[c]![r]!);
}

export interface TableGridProps {
  table: Table;
  /** Stored row indices in display order. */
  rows: Int32Array;
  sort: SortSpec | null;
  onSort(column: number): void;
  /** The selected stored row, or null. */
  selectedRow: number | null;
  onSelectRow(row: number): void;
  /** Bumped when the selection came from outside the grid: the grid scrolls to it. */
  revealSeq: number;
}

export const TableGrid = memo(function TableGrid({ table, rows, sort, onSort, selectedRow, onSelectRow, revealSeq }: TableGridProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Scroll the selected row into view (centred) when the selection comes from the objects view: only a
  // new request scrolls (the row and order are read as they are then).
  const latest = useRef({ rows, selectedRow });
  latest.current = { rows, selectedRow };
  useEffect(() => {
    const el = ref.current;
    const { rows: order, selectedRow: row } = latest.current;
    if (!el || row === null || revealSeq === 0) return;
    const i = order.indexOf(row);
    if (i < 0) return;
    const y = i * ROW_HEIGHT;
    if (y < el.scrollTop || y + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, y - el.clientHeight / 2);
  }, [revealSeq]);

  const cols = table.columns;
  const template = `repeat(${cols.length}, minmax(${MIN_COLUMN}px, 1fr))`;
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const shownRows: number[] = [];
  for (let i = first; i < last; i++) shownRows.push(i);
  return (
    <div
      ref={ref}
      className="table-grid"
      data-testid="table-grid"
      role="grid"
      aria-rowcount={rows.length + 1}
      aria-colcount={cols.length}
      onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      tabIndex={0}
    >
      <div className="table-inner" style={{ minWidth: cols.length * MIN_COLUMN }}>
        <div className="table-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {cols.map((c, ci) => {
            const dir = sort?.column === ci ? sort.dir : null;
            return (
              <button
                key={c.name}
                type="button"
                role="columnheader"
                className={`table-th ${c.type === 'text' ? '' : 'num'}`}
                aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
                data-testid={`table-sort-${c.name}`}
                title={`${c.name}${c.unit ? ` (${c.unit})` : ''} · ${c.type}: click to sort`}
                onClick={() => onSort(ci)}
              >
                <span className="ellipsis">{c.name}</span>
                {c.unit && <span className="muted small-text">{c.unit}</span>}
                <span aria-hidden="true">{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : ''}</span>
              </button>
            );
          })}
        </div>
        <div className="table-body" style={{ height: rows.length * ROW_HEIGHT }}>
          {shownRows.map((i) => {
            const r = rows[i]!;
            return (
              <div
                key={r}
                role="row"
                aria-rowindex={i + 2}
                aria-selected={r === selectedRow}
                className={`table-tr ${r === selectedRow ? 'is-selected' : ''}`}
                data-testid="table-row"
                data-row={r}
                style={{ top: i * ROW_HEIGHT, gridTemplateColumns: template }}
                onClick={() => onSelectRow(r)}
              >
                {cols.map((c, ci) => (
                  <span key={c.name} role="gridcell" className={`table-td ${c.type === 'text' ? '' : 'num'}`} title={cellText(table, ci, r)}>
                    {shown(table, ci, r)}
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
});
