// The table viewer's plot (uPlot), of the rows the filter keeps: a histogram of one numeric column
// (numpy's 'auto' bin count; one bin per integer for int columns with a small range) or a scatter of
// column X against column Y (points only). The plot element carries data-kind, data-bins, data-points.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Table } from '../../core/table';
import { histogram } from './render/histogram';
import { formatValue } from './render/format';
import { autoBins } from './render/tableRows';

const AXIS = { stroke: '#9aa3b0', grid: { stroke: '#2b313b', width: 1 }, ticks: { stroke: '#2b313b', width: 1 }, font: '11px system-ui, sans-serif' };

export type PlotKind = 'histogram' | 'scatter';

export interface PlotSpec {
  kind: PlotKind;
  x: number;
  y: number;
}

/** uPlot's data for the plot: [x, y] (scatter points sorted by x, as uPlot's aligned data wants). */
function plotData(t: Table, rows: Int32Array, spec: PlotSpec): { data: [Float64Array, Float64Array]; bins: number } {
  const xs = t.values[spec.x]!;
  if (spec.kind === 'histogram') {
    const v = Float64Array.from(rows, (r) => xs[r]!);
    const h = histogram(v, { bins: autoBins(v), integer: t.columns[spec.x]!.type === 'int' });
    return { data: [h.centres, Float64Array.from(h.counts)], bins: h.counts.length };
  }
  const ys = t.values[spec.y]!;
  const kept = Array.from(rows).filter((r) => Number.isFinite(xs[r]!) && Number.isFinite(ys[r]!));
  kept.sort((a, b) => xs[a]! - xs[b]!);
  return { data: [Float64Array.from(kept, (r) => xs[r]!), Float64Array.from(kept, (r) => ys[r]!)], bins: 0 };
}

function options(t: Table, spec: PlotSpec, width: number, height: number): uPlot.Options {
  const name = (c: number) => t.columns[c]!.name + (t.columns[c]!.unit ? ` (${t.columns[c]!.unit})` : '');
  const hist = spec.kind === 'histogram';
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: false }, ...(hist ? { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } } : {}) },
    axes: [
      { ...AXIS, size: 34, label: name(spec.x), labelSize: 14, labelFont: AXIS.font, values: (_u, s) => s.map(formatValue) },
      { ...AXIS, size: 46, label: hist ? 'count' : name(spec.y), labelSize: 14, labelFont: AXIS.font, values: (_u, s) => s.map(formatValue) },
    ],
    series: [
      {},
      hist
        ? {
            label: 'count',
            stroke: '#4da3ff',
            fill: 'rgba(77, 163, 255, 0.55)',
            width: 1,
            points: { show: false },
            paths: uPlot.paths.bars!({ size: [1, Infinity], align: 0 }),
          }
        : {
            label: name(spec.y),
            stroke: '#4da3ff',
            width: 0,
            paths: () => null,
            points: { show: true, size: 6, stroke: '#4da3ff', fill: 'rgba(77, 163, 255, 0.6)' },
          },
    ],
  };
}

/** The plot fills its box (the side column's height left under the controls), at least `MIN_HEIGHT` tall. */
const MIN_HEIGHT = 90;

export function TablePlot({ table, rows, spec }: { table: Table; rows: Int32Array; spec: PlotSpec }) {
  const ref = useRef<HTMLDivElement>(null);
  const { data, bins } = useMemo(() => plotData(table, rows, spec), [table, rows, spec]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const box = () => ({ width: Math.max(160, el.clientWidth), height: Math.max(MIN_HEIGHT, el.clientHeight) });
    let last = box();
    const plot = new uPlot(options(table, spec, last.width, last.height), data, el);
    el.dataset.drawnPoints = String(plot.data[1]?.length ?? 0);
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const b = box();
        if (b.width !== last.width || b.height !== last.height) plot.setSize((last = b));
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      plot.destroy();
    };
  }, [table, spec, data]);
  const what =
    spec.kind === 'histogram'
      ? `Histogram of ${table.columns[spec.x]!.name}, ${bins} bins`
      : `${table.columns[spec.y]!.name} against ${table.columns[spec.x]!.name}`;
  return (
    <div
      ref={ref}
      className="table-plot-canvas"
      data-testid="table-plot"
      data-kind={spec.kind}
      data-bins={bins}
      data-points={data[0].length}
      role="img"
      aria-label={`${what} of ${rows.length} rows`}
    />
  );
}
