// An analyzer's results: a table (the results declared with `display: true` first, then the others),
// then every plot result (`plot/bar/1`, `plot/scatter/1`) drawn with uPlot, then every table result
// (`system/table/1`) in the table viewer's grid.
import type { BlockRunRecord, ToolchainCheck } from '../../api';
import { formatValue } from '../viewers/render/format';
import { numbersOf, plotSeries } from './plotData';
import { ResultPlot } from './ResultPlot';
import { ResultTable } from './ResultTable';
import { TABLE_FORMAT, type TableResult } from '../../core/beat/tableFormat';

type ResultSpec = ToolchainCheck['blocks'][number]['results'][number];

function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatValue(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value && typeof value === 'object' && 'shape' in value && 'dtype' in value) {
    const v = value as { shape: number[]; dtype: string };
    const nums = numbersOf(value);
    return nums && nums.length <= 8 ? `[${nums.map((n) => formatValue(n)).join(', ')}]` : `${v.dtype} [${v.shape.join(' × ')}]`;
  }
  if (isTable(value)) return `${value.values[0]?.length ?? 0} rows × ${value.columns.length} columns: see the table`;
  const series = plotSeries(value);
  if (series) return `${series.length} series (${series.map((s) => s.label).join(', ')}): see the plot`;
  return JSON.stringify(value)?.slice(0, 200) ?? String(value);
}

function isTable(v: unknown): v is TableResult {
  return typeof v === 'object' && v !== null && Array.isArray((v as TableResult).columns) && Array.isArray((v as TableResult).values);
}

export interface AnalyzerResultsProps {
  block: string;
  record: BlockRunRecord;
  specs: readonly ResultSpec[];
  /** The run (its id and toolchain name): a saved table result is named and sourced after it. */
  run: { id: string; toolchain: string };
}

export function AnalyzerResults({ block, record, specs, run }: AnalyzerResultsProps) {
  const result = record.results;
  if (!result) return <p className="muted">{record.status === 'DONE' ? 'The analyzer wrote no result.' : 'Results appear when the analyzer has finished.'}</p>;
  const data = result.data as Record<string, unknown>;
  const names = Object.keys(data);
  const typeOf = (n: string) => specs.find((s) => s.name === n)?.type ?? '';
  const descOf = (n: string) => specs.find((s) => s.name === n)?.description ?? null;
  const ordered = [...names].sort((a, b) => Number(result.display[b] ?? false) - Number(result.display[a] ?? false));
  const tables = ordered.filter((n) => typeOf(n) === TABLE_FORMAT && isTable(data[n]));
  const plots = ordered.filter((n) => /^plot\/(bar|scatter)\//.test(typeOf(n)) && plotSeries(data[n]));
  return (
    <section className="tc-results" data-testid={`tc-results-${block}`}>
      <table className="tc-table">
        <thead>
          <tr>
            <th>result</th>
            <th>value</th>
            <th>type</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((n) => (
            <tr
              key={n}
              className={result.display[n] ? 'display' : 'secondary'}
              data-testid={`tc-result-${block}-${n}`}
              data-value={typeof data[n] === 'number' ? String(data[n]) : undefined}
            >
              <th scope="row" title={descOf(n) ?? undefined}>
                {n}
                {result.display[n] && <span className="chip small-text">display</span>}
              </th>
              <td className="mono">{describe(data[n])}</td>
              <td className="muted mono small-text">{typeOf(n)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plots.map((n) => (
        <ResultPlot key={n} name={n} kind={typeOf(n).startsWith('plot/bar/') ? 'bar' : 'scatter'} series={plotSeries(data[n])!} />
      ))}
      {tables.map((n) => (
        <ResultTable key={n} name={n} block={block} value={data[n] as TableResult} run={run} />
      ))}
    </section>
  );
}
