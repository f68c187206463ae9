// The per-image summary of one numeric column, of the rows the filter keeps: all rows, then one line per
// value of the `image` column when the table has one (Fiji's Summarize, pandas' groupby().describe()).
import { useMemo } from 'react';
import type { Table } from '../../core/table';
import { summarizeTable } from '../../core/tableSummary';
import { formatValue } from './render/format';

const STATS = ['count', 'mean', 'median', 'std'] as const;

export function TableSummary({ table, rows, column }: { table: Table; rows: Int32Array; column: number }) {
  const name = table.columns[column]!.name;
  const groups = useMemo(() => summarizeTable(table, { rows }), [table, rows]);
  return (
    <div className="table-summary-box">
      <table className="table-summary small-text" data-testid="table-summary" data-column={name}>
        <caption className="muted">
          Summary of {name} over the rows shown{groups.length > 1 ? ', per image' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">{groups.length > 1 ? 'image' : ''}</th>
            {STATS.map((k) => (
              <th key={k} scope="col" className="num">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => {
            const s = g.columns[name]!;
            return (
              <tr key={g.key ?? '\u0000all'} data-testid="table-summary-row" data-group={g.key ?? ''}>
                <th scope="row" className="ellipsis" title={g.key ?? 'All rows shown'}>
                  {g.key ?? 'all'}
                </th>
                <td className="num">{s.count}</td>
                <td className="num">{s.count ? formatValue(s.mean) : '—'}</td>
                <td className="num">{s.count ? formatValue(s.median) : '—'}</td>
                <td className="num">{s.count > 1 ? formatValue(s.std) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
