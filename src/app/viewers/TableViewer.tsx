// A Table dataset (a results table): the rows in a sortable, filterable, virtualised grid, a plot and the
// per-image summary of the rows shown, the objects the rows measure beside it (when the table's links name
// a labels dataset; a row selects its object and an object its row), and "Export CSV" of the rows shown.
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { DatasetMeta } from '../../core/records';
import { columnIndex, tableFromItem, tableLinks, type Table } from '../../core/table';
import { tableToCsv } from '../../core/tableCsv';
import { downloadBlob } from '../datasets/exportDataset';
import { exportFileName } from '../datasets/format';
import { useDataset, useDatasets } from '../state/queries';
import { errorText, type SliceNav } from './controls';
import { nextSort, parseFilter, tableRows, type SortSpec } from './render/tableRows';
import { TableFilter } from './TableFilter';
import { TableGrid } from './TableGrid';
import { TableObjects } from './TableObjects';
import { TablePlot, type PlotKind, type PlotSpec } from './TablePlot';
import { TableSummary } from './TableSummary';
import { ViewerFrame } from './ViewerFrame';
import './tables.css';

/** The default plot column: `area` when there is one, else the first numeric column other than `label`. */
function defaultColumns(t: Table): [number, number] {
  const numeric = t.columns.map((c, i) => (c.type === 'text' ? -1 : i)).filter((i) => i >= 0);
  const measured = numeric.filter((i) => t.columns[i]!.name !== 'label');
  const area = columnIndex(t, 'area');
  const x = area >= 0 && t.columns[area]!.type !== 'text' ? area : (measured[0] ?? numeric[0] ?? 0);
  const y = measured.find((i) => i !== x) ?? x;
  return [x, y];
}

/** The stored row of each label value (the `label` int column), for object clicks. */
function rowsByLabel(t: Table): Map<number, number> | null {
  const li = columnIndex(t, 'label');
  if (li < 0 || t.columns[li]!.type !== 'int') return null;
  const m = new Map<number, number>();
  t.values[li]!.forEach((v, r) => m.has(v) || m.set(v, r));
  return m;
}

function ColumnPicker({ table, value, onChange, testId, label }: { table: Table; value: number; onChange(i: number): void; testId: string; label: string }) {
  return (
    <label className="row">
      <span className="muted">{label}</span>
      <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
        {table.columns.map((c, i) =>
          c.type === 'text' ? null : (
            <option key={c.name} value={i}>
              {c.name}
            </option>
          ),
        )}
      </select>
    </label>
  );
}

function TableView({ table, meta, nav }: { table: Table; meta: DatasetMeta; nav?: SliceNav | undefined }) {
  const all = useDatasets();
  const links = useMemo(() => {
    const ids = all.data ? new Set(all.data.map((m) => m.id)) : null;
    return tableLinks(meta.extra, (id) => !ids || ids.has(id));
  }, [meta.extra, all.data]);
  const [filterText, setFilterText] = useState('');
  const filterQuery = useDeferredValue(filterText);
  const filter = useMemo(() => parseFilter(table, filterQuery), [table, filterQuery]);
  const [sort, setSort] = useState<SortSpec | null>(null);
  const rows = useMemo(() => tableRows(table, filter.ok ? filter.test : null, sort), [table, filter, sort]);
  const [selectedRow, setSelectedRow] = useState<number | null>(null);
  const [revealSeq, setRevealSeq] = useState(0);
  const [[x0, y0]] = useState(() => defaultColumns(table));
  const [kind, setKind] = useState<PlotKind>('histogram');
  const [x, setX] = useState(x0);
  const [y, setY] = useState(y0);
  const spec = useMemo((): PlotSpec => ({ kind, x, y }), [kind, x, y]);
  const byLabel = useMemo(() => rowsByLabel(table), [table]);
  const labelCol = columnIndex(table, 'label');
  const selectedLabel = selectedRow !== null && byLabel ? table.values[labelCol]![selectedRow]! : null;

  const onSort = useCallback((c: number) => setSort((s) => nextSort(s, c)), []);
  const onSelectLabel = useCallback(
    (label: number) => {
      const r = byLabel?.get(label);
      if (r === undefined) return;
      setSelectedRow(r);
      setRevealSeq((n) => n + 1);
    },
    [byLabel],
  );
  const exportShown = () => downloadBlob(new Blob([tableToCsv(table, rows)], { type: 'text/csv' }), exportFileName(meta.name, 'csv'));
  const numeric = table.columns.some((c) => c.type !== 'text');

  const controls = (
    <>
      <TableFilter value={filterText} onChange={setFilterText} ok={filter.ok} placeholder="Filter: area > 500, image = a.tif, or a word" label="Filter rows" />
      <span className="muted" data-testid="table-count" data-rows={rows.length} role="status">
        {rows.length.toLocaleString()} of {table.rows.toLocaleString()} rows
      </span>
      <button
        type="button"
        className="small"
        onClick={exportShown}
        data-testid="table-export-csv"
        title="Export the rows shown (filtered, in this order) as CSV; the dataset's menu exports all rows"
      >
        Export CSV
      </button>
    </>
  );
  return (
    <ViewerFrame
      name="table-viewer"
      rootProps={{ 'data-rows': rows.length, 'data-total': table.rows, 'data-selected-label': selectedLabel ?? '', 'data-selected-row': selectedRow ?? '' }}
      controls={controls}
      notes={[filter.ok ? null : filter.error]}
      nav={nav}
    >
      <div className={`table-layout ${links ? 'with-objects' : ''}`}>
        <div className="table-top">
          {links && <TableObjects links={links} selected={selectedLabel} onSelect={onSelectLabel} />}
          {numeric && (
            <div className="table-side" data-testid="table-side">
              <div className="row wrap table-plot-controls">
                <select value={kind} onChange={(e) => setKind(e.target.value as PlotKind)} data-testid="table-plot-kind" aria-label="Plot">
                  <option value="histogram">Histogram</option>
                  <option value="scatter">Scatter</option>
                </select>
                <ColumnPicker table={table} value={x} onChange={setX} testId="table-plot-x" label={kind === 'histogram' ? 'of' : 'X'} />
                {kind === 'scatter' && <ColumnPicker table={table} value={y} onChange={setY} testId="table-plot-y" label="Y" />}
              </div>
              <TablePlot table={table} rows={rows} spec={spec} />
            </div>
          )}
        </div>
        <TableGrid table={table} rows={rows} sort={sort} onSort={onSort} selectedRow={selectedRow} onSelectRow={setSelectedRow} revealSeq={revealSeq} />
        {numeric && <TableSummary table={table} rows={rows} column={x} />}
      </div>
    </ViewerFrame>
  );
}

/** A Table dataset's viewer; `nav` steps through several (a measuring run's tables, one per input). */
export function TableViewer({ meta, nav }: { meta: DatasetMeta; nav?: SliceNav }) {
  const q = useDataset(meta.id, ['columns', 'values']);
  const parsed = useMemo((): { table: Table | null; error: string | null } => {
    if (!q.data) return { table: null, error: null };
    try {
      return { table: tableFromItem(q.data.fields), error: null };
    } catch (e) {
      return { table: null, error: `“${meta.name}” is not a readable table: ${errorText(e)}` };
    }
  }, [q.data, meta.name]);
  if (!parsed.table) {
    return <ViewerFrame name="table-viewer" problem={q.isError ? errorText(q.error) : parsed.error} waiting="Loading table…" nav={nav} />;
  }
  return <TableView key={meta.id} table={parsed.table} meta={meta} nav={nav} />;
}
