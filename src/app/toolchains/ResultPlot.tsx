// One analyzer plot result drawn with uPlot: `plot/bar/1` as bars (two series side by side, more
// nested), `plot/scatter/1` as points; a legend with the series labels, and the values as a table for
// screen readers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue } from '../viewers/render/format';
import { alignSeries, type PlotSeries } from './plotData';

const AXIS = { stroke: '#9aa3b0', grid: { stroke: '#2b313b', width: 1 }, ticks: { stroke: '#2b313b', width: 1 }, font: '11px system-ui, sans-serif' };
const COLOURS = ['#4da3ff', '#f29e4c', '#3fb97a', '#c678dd', '#ef5b5b', '#e6b341'];

export function ResultPlot({ name, kind, series, height = 200 }: { name: string; kind: 'bar' | 'scatter'; series: PlotSeries[]; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { x, columns } = alignSeries(series);
    const n = series.length;
    const bars = (k: number) => {
      if (n === 1) return uPlot.paths.bars!({ size: [0.6, 60] });
      if (n === 2) return uPlot.paths.bars!({ size: [0.4, 40], align: k === 0 ? -1 : 1 });
      return uPlot.paths.bars!({ size: [0.8 * (1 - k / (n + 1)), 60] });
    };
    const width = Math.max(200, el.clientWidth);
    const pad = x.length > 1 ? (x[x.length - 1]! - x[0]!) / Math.max(1, x.length - 1) : 1;
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false, range: (_u, min, max) => [min - pad * 0.6, max + pad * 0.6] },
          y: {
            range: (_u, min, max) =>
              kind === 'bar' ? [Math.min(0, min), max > 0 ? max * 1.08 : 1] : [min - (max - min) * 0.08 || min - 1, max + (max - min) * 0.08 || max + 1],
          },
        },
        axes: [
          // Integer positions (data indices) get integer ticks only.
          {
            ...AXIS,
            size: 30,
            values: (_u, splits) => splits.map((v) => formatValue(v)),
            ...(x.every(Number.isInteger) ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] } : {}),
          },
          { ...AXIS, size: 48, values: (_u, splits) => splits.map((v) => formatValue(v)) },
        ],
        series: [
          { label: 'x' },
          ...columns.map((c, i) => {
            const colour = COLOURS[c.series % COLOURS.length]!;
            const first = columns.findIndex((d) => d.series === c.series) === i;
            return kind === 'bar'
              ? {
                  label: c.label,
                  stroke: colour,
                  fill: `${colour}b0`,
                  width: 1,
                  points: { show: false },
                  paths: bars(c.series),
                  show: true,
                  ...(first ? {} : { label: `${c.label} ′` }),
                }
              : {
                  label: first ? c.label : `${c.label} ′`,
                  stroke: colour,
                  fill: colour,
                  width: 0,
                  paths: () => null,
                  points: { show: true, size: 7, stroke: colour, fill: colour },
                };
          }),
        ],
      },
      [x, ...columns.map((c) => c.y)] as unknown as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [series, kind, height]);
  return (
    <figure className="tc-plot" data-testid={`tc-plot-${name}`} data-kind={kind}>
      <figcaption>
        <strong>{name}</strong> <span className="muted small-text">{kind} plot</span>
      </figcaption>
      <div ref={ref} role="img" aria-label={`${kind} plot ${name}: ${series.map((s) => `${s.label} (${s.x.length} points)`).join(', ')}`} />
      <table className="sr-only">
        <caption>{name}</caption>
        <tbody>
          {series.map((s) => (
            <tr key={s.label}>
              <th>{s.label}</th>
              <td>{s.x.map((xv, i) => `${xv}: ${s.y[i]}`).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
