// One analyzer table result (`system/table/1`) in the table viewer's grid: sort by a column header,
// filter ("error != 0"), "Save as dataset" (a Table dataset "<toolchain> · <block>.<result>", source
// `toolchain:<run id>`) and "Export CSV" (the rows shown, in the order shown).
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { tableOfResult, type TableResult } from '../../core/beat/tableFormat';
import { tableToItem } from '../../core/table';
import { tableToCsv } from '../../core/tableCsv';
import { useApi } from '../apiContext';
import { downloadBlob } from '../datasets/exportDataset';
import { exportFileName } from '../datasets/format';
import { invalidateData } from '../state/queries';
import { thrownMessage } from '../../core/describeValue';
import { nextSort, parseFilter, tableRows, type SortSpec } from '../viewers/render/tableRows';
import { TableFilter } from '../viewers/TableFilter';
import { TableGrid } from '../viewers/TableGrid';
import '../viewers/tables.css';

export interface ResultTableProps {
  /** Result name. */
  name: string;
  block: string;
  value: TableResult;
  run: { id: string; toolchain: string };
}

export function ResultTable({ name, block, value, run }: ResultTableProps) {
  const api = useApi();
  const qc = useQueryClient();
  const table = useMemo(() => tableOfResult(value), [value]);
  const [filterText, setFilterText] = useState('');
  const filter = useMemo(() => parseFilter(table, filterText), [table, filterText]);
  const [sort, setSort] = useState<SortSpec | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [saved, setSaved] = useState<{ ok: boolean; text: string } | null>(null);
  const rows = useMemo(() => tableRows(table, filter.ok ? filter.test : null, sort), [table, filter, sort]);
  const title = `${run.toolchain} · ${block}.${name}`;
  const onSort = (c: number) => setSort((s) => nextSort(s, c));
  const save = async () => {
    try {
      await api.datasets.put(tableToItem(table), {
        name: title,
        source: `toolchain:${run.id}`,
        schema: 'Table',
        extra: { toolchainRun: run.id, block, result: name },
      });
      await invalidateData(qc);
      setSaved({ ok: true, text: `Saved as “${title}” (Datasets).` });
    } catch (e) {
      setSaved({ ok: false, text: `Could not save “${title}”: ${thrownMessage(e)}` });
    }
  };
  const exportCsv = () => downloadBlob(new Blob([tableToCsv(table, rows)], { type: 'text/csv' }), exportFileName(title, 'csv'));
  return (
    <figure className="tc-result-table" data-testid={`tc-table-${block}-${name}`} data-rows={rows.length} data-total={table.rows}>
      <figcaption className="row wrap">
        <span className="mono">{name}</span>
        <TableFilter
          value={filterText}
          onChange={setFilterText}
          ok={filter.ok}
          placeholder="Filter: error != 0, found > 10"
          label={`Filter the rows of ${name}`}
        />
        <span className="muted" data-testid="table-count" role="status">
          {rows.length} of {table.rows} rows
        </span>
        <button type="button" className="small" onClick={() => void save()} data-testid="tc-table-save" title="Store this table as a Table dataset">
          Save as dataset
        </button>
        <button
          type="button"
          className="small"
          onClick={exportCsv}
          data-testid="table-export-csv"
          title="Export the rows shown (filtered, in this order) as CSV"
        >
          Export CSV
        </button>
      </figcaption>
      {!filter.ok && <p className="error-text small-text">{filter.error}</p>}
      {saved && (
        <p className={saved.ok ? 'muted small-text' : 'error-text small-text'} role="status" data-testid="tc-table-saved">
          {saved.text}
        </p>
      )}
      <TableGrid table={table} rows={rows} sort={sort} onSort={onSort} selectedRow={selected} onSelectRow={setSelected} revealSeq={0} />
    </figure>
  );
}
