// An analyzer's results: a table (the results declared with `display: true` first, then the others),
// then every plot result (`plot/bar/1`, `plot/scatter/1`) drawn with uPlot.
import type { BlockRunRecord, ToolchainCheck } from '../../api';
import { formatValue } from '../viewers/render/format';
import { numbersOf, plotSeries } from './plotData';
import { ResultPlot } from './ResultPlot';

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
  const series = plotSeries(value);
  if (series) return `${series.length} series (${series.map((s) => s.label).join(', ')}): see the plot`;
  return JSON.stringify(value)?.slice(0, 200) ?? String(value);
}

export function AnalyzerResults({ block, record, specs }: { block: string; record: BlockRunRecord; specs: readonly ResultSpec[] }) {
  const result = record.results;
  if (!result) return <p className="muted">{record.status === 'DONE' ? 'The analyzer wrote no result.' : 'Results appear when the analyzer has finished.'}</p>;
  const data = result.data as Record<string, unknown>;
  const names = Object.keys(data);
  const typeOf = (n: string) => specs.find((s) => s.name === n)?.type ?? '';
  const descOf = (n: string) => specs.find((s) => s.name === n)?.description ?? null;
  const ordered = [...names].sort((a, b) => Number(result.display[b] ?? false) - Number(result.display[a] ?? false));
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
    </section>
  );
}
