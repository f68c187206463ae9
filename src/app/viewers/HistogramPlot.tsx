// A histogram drawn with uPlot (bars at the bin centres), with an optional log count axis.
import { useEffect, useId, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { NDArray } from '../../core/ndarray';
import { ArrayStats } from './controls';
import type { Histogram } from './render/histogram';
import { formatValue } from './render/format';

const AXIS = { stroke: '#9aa3b0', grid: { stroke: '#2b313b', width: 1 }, ticks: { stroke: '#2b313b', width: 1 }, font: '11px system-ui, sans-serif' };

export function HistogramPlot({ hist, height = 120, testId = 'histogram', label }: { hist: Histogram; height?: number; testId?: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [log, setLog] = useState(false);
  const logId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ys = Float64Array.from(hist.counts, (c) => (log ? Math.log10(c + 1) : c));
    const width = Math.max(120, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { ...AXIS, size: 28 },
          { ...AXIS, size: 44, label: undefined, values: (_u, splits) => splits.map((v) => (log ? `10^${formatValue(v)}` : formatValue(v))) },
        ],
        series: [
          {},
          {
            label: log ? 'log₁₀(count + 1)' : 'count',
            stroke: '#4da3ff',
            fill: 'rgba(77, 163, 255, 0.55)',
            width: 1,
            points: { show: false },
            paths: uPlot.paths.bars!({ size: [1, Infinity], align: 0 }),
          },
        ],
      },
      [hist.centres, ys],
      el,
    );
    let last = width;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = Math.max(120, el.clientWidth);
        if (w !== last) {
          last = w;
          plot.setSize({ width: w, height });
        }
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      plot.destroy();
    };
  }, [hist, log, height]);

  const { range } = hist;
  return (
    <figure className="histogram">
      <div
        ref={ref}
        className="histogram-plot"
        data-testid={testId}
        role="img"
        aria-label={`${label}: ${hist.counts.length} bins from ${formatValue(hist.edges[0]!)} to ${formatValue(hist.edges[hist.edges.length - 1]!)}`}
      />
      <figcaption className="row">
        <span className="muted">
          {label} · {hist.counts.length} bins · {range.finite.toLocaleString()} finite values
        </span>
        <span className="grow" />
        <input id={logId} type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} />
        <label htmlFor={logId}>Log counts</label>
      </figcaption>
    </figure>
  );
}

/** An array's statistics (`<testId>-stats`) beside its histogram (`<testId>-histogram`). */
export function StatsAndHistogram({ array, hist, testId, label }: { array: NDArray; hist: Histogram; testId: string; label: string }) {
  return (
    <div className="generic-top">
      <ArrayStats array={array} testId={`${testId}-stats`} />
      {hist.range.finite > 0 ? <HistogramPlot hist={hist} testId={`${testId}-histogram`} label={label} /> : <p className="muted">No finite values to plot.</p>}
    </div>
  );
}
