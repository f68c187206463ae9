// The histogram under an image viewer (Fiji's Brightness & Contrast, napari's contrast limits): the
// values' histogram (red, green and blue for RGB) drawn with uPlot, the window's min and max as handles
// to drag, a gamma handle between them (where the transfer curve reaches half brightness) and the
// transfer curve itself; presets Auto (0.35 % saturated), 1–99 %, Min–max and Full range. The number
// fields of ContrastControls stay and follow; the handles also take the arrow keys. For RGB, "R", "G" or "B" drags that channel's window alone.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue } from './render/format';
import type { DisplayWindow, ImagePlanes } from './render/window';
import { clampGamma, fractionToValue, gammaFromFraction, gammaHandleFraction, valueToFraction, windowHistogram } from './render/windowHistogram';
import type { ContrastMode, ContrastState } from './contrast';
import { useHistogramShown } from './useHistogramShown';

const AXIS = { stroke: '#9aa3b0', grid: { stroke: '#2b313b', width: 1 }, ticks: { stroke: '#2b313b', width: 1 }, font: '11px system-ui, sans-serif' };
const GRAY_SERIES = { stroke: '#9fb4cc', fill: 'rgba(159, 180, 204, 0.5)' };
const RGB_SERIES = [
  { stroke: '#ff5a5a', fill: 'rgba(255, 90, 90, 0.35)' },
  { stroke: '#52d46a', fill: 'rgba(82, 212, 106, 0.35)' },
  { stroke: '#5a8cff', fill: 'rgba(90, 140, 255, 0.35)' },
];
const CHANNEL_NAMES = ['R', 'G', 'B'];

const PRESETS: { mode: Exclude<ContrastMode, 'manual'>; label: string; title: string }[] = [
  { mode: 'auto', label: 'Auto', title: "0.35 % of the values saturated at each end (Fiji's Auto)" },
  { mode: 'p1', label: '1–99 %', title: 'The 1st and 99th percentiles' },
  { mode: 'minmax', label: 'Min–max', title: "The data's smallest and largest values" },
  { mode: 'dtype', label: 'Full range', title: "The dtype's full range (0–255 for uint8, 0–65535 for uint16; the data's range for floats)" },
];

export interface WindowHistogramProps {
  planes: ImagePlanes | null;
  state: ContrastState;
  onChange: (s: ContrastState) => void;
  /** The window in effect. */
  window: DisplayWindow;
  height?: number;
}

type Handle = 'min' | 'max' | 'gamma';

/** The window a channel is drawn with (its own for RGB when set, else the shared one). */
function channelWindow(win: DisplayWindow, c: number | null): DisplayWindow {
  return c === null ? win : (win.channels?.[c] ?? win);
}

export function WindowHistogram({ planes, state, onChange, window: win, height = 80 }: WindowHistogramProps) {
  const hist = useMemo(() => (planes ? windowHistogram(planes) : null), [planes]);
  const rgb = planes?.channels === 3;
  const [channel, setChannel] = useState<number | null>(null);
  const [log, setLog] = useState(false);
  const [plotShown, setPlotShown] = useHistogramShown();
  const logId = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const uRef = useRef<uPlot | null>(null);
  /** The plot area within the wrapper (CSS px). */
  const [area, setArea] = useState<{ left: number; top: number; width: number; height: number } | null>(null);
  const shown = channelWindow(win, rgb ? channel : null);
  const winRef = useRef(shown);
  winRef.current = shown;

  useEffect(() => {
    const el = plotRef.current;
    if (!el || !hist || !plotShown) return;
    const measure = (u: uPlot) => {
      const wrap = wrapRef.current;
      if (!wrap) return;
      const o = u.over.getBoundingClientRect();
      const w = wrap.getBoundingClientRect();
      setArea({ left: o.left - w.left, top: o.top - w.top, width: o.width, height: o.height });
    };
    const series = hist.counts.map((_, c) => ({
      ...(hist.counts.length === 3 ? RGB_SERIES[c]! : GRAY_SERIES),
      label: hist.counts.length === 3 ? CHANNEL_NAMES[c] : 'count',
      width: 1,
      points: { show: false },
      paths: uPlot.paths.bars!({ size: [1, Infinity], align: 0 }),
    }));
    const ys = hist.counts.map((cs) => (log ? cs.map((c) => Math.log10(c + 1)) : cs));
    const plot = new uPlot(
      {
        width: Math.max(160, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { show: false, drag: { x: false, y: false } },
        scales: { x: { time: false, range: () => [hist.lo, hist.hi] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { ...AXIS, size: 24 },
          { ...AXIS, size: 40, values: (_u, splits) => splits.map((v) => (log ? `10^${formatValue(v)}` : countText(v))) },
        ],
        series: [{}, ...series],
        hooks: {
          ready: [measure],
          setSize: [measure],
          draw: [(u) => drawTransfer(u, winRef.current)],
        },
      },
      [hist.centres, ...ys],
      el,
    );
    uRef.current = plot;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = Math.max(160, el.clientWidth);
        if (w !== plot.width) plot.setSize({ width: w, height });
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      plot.destroy();
      uRef.current = null;
    };
  }, [hist, log, height, plotShown]);

  // Redraw the transfer curve when the window changes (the histogram stays).
  const shownKey = `${shown.min}:${shown.max}:${shown.gamma ?? 1}`;
  useEffect(() => {
    uRef.current?.redraw(false, false);
  }, [shownKey]);

  const drag = useRef<{ handle: Handle; id: number } | null>(null);

  if (!planes || !hist) return null;

  const setWindow = (min: number, max: number, gamma: number) => {
    if (rgb && channel !== null) {
      const base = [0, 1, 2].map((c) => channelWindow(win, c));
      const channels = base.map((w, c) => (c === channel ? { min, max, gamma } : { min: w.min, max: w.max, gamma: w.gamma ?? 1 }));
      onChange({ ...state, mode: 'manual', min: win.min, max: win.max, channels });
    } else {
      onChange({ ...state, mode: 'manual', min, max, gamma, channels: null });
    }
  };

  const fractionAt = (clientX: number) => {
    const r = uRef.current?.over.getBoundingClientRect();
    return r && r.width > 0 ? (clientX - r.left) / r.width : 0;
  };

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const f = fractionAt(e.clientX);
    const g = shown.gamma ?? 1;
    if (d.handle === 'gamma') {
      const a = valueToFraction(shown.min, hist.lo, hist.hi);
      const b = valueToFraction(shown.max, hist.lo, hist.hi);
      if (b > a) setWindow(shown.min, shown.max, gammaFromFraction((f - a) / (b - a)));
      return;
    }
    const v = fractionToValue(f, hist.lo, hist.hi, hist.integer);
    if (d.handle === 'min') setWindow(Math.min(v, shown.max), shown.max, g);
    else setWindow(shown.min, Math.max(v, shown.min), g);
  };

  /** Arrow keys move a handle by one step (a value or 1/256 of the range; gamma by 5 %), Shift by ten. */
  const onKey = (h: Handle, e: KeyboardEvent<HTMLDivElement>) => {
    const dir = e.key === 'ArrowRight' || e.key === 'ArrowUp' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowDown' ? -1 : 0;
    if (!dir) return;
    e.preventDefault();
    const k = dir * (e.shiftKey ? 10 : 1);
    const g = shown.gamma ?? 1;
    if (h === 'gamma') return setWindow(shown.min, shown.max, clampGamma(Number((g * Math.pow(1.05, k)).toPrecision(3))));
    const step = hist.integer ? 1 : (hist.hi - hist.lo) / 256;
    if (h === 'min') setWindow(Math.min(shown.min + k * step, shown.max), shown.max, g);
    else setWindow(shown.min, Math.max(shown.max + k * step, shown.min), g);
  };

  const handle = (h: Handle, f: number, label: string, value: string) => (
    <div
      className={`hist-handle hist-handle-${h}`}
      data-testid={`histogram-${h}`}
      role="slider"
      aria-label={label}
      aria-valuetext={value}
      tabIndex={0}
      style={area ? { left: area.left + f * area.width, top: area.top, height: area.height } : { display: 'none' }}
      title={`${label}: ${value} (drag)`}
      onPointerDown={(e) => {
        e.preventDefault();
        // Focus moves to the handle (a number field being edited then shows the dragged value).
        e.currentTarget.focus();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { handle: h, id: e.pointerId };
      }}
      onPointerMove={onMove}
      onKeyDown={(e) => onKey(h, e)}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
    />
  );

  const fMin = valueToFraction(shown.min, hist.lo, hist.hi);
  const fMax = valueToFraction(shown.max, hist.lo, hist.hi);
  const gamma = shown.gamma ?? 1;
  const fGamma = fMin + (fMax - fMin) * gammaHandleFraction(gamma);
  return (
    <figure className="window-histogram" data-testid="window-histogram" aria-label="Histogram and display window">
      <div ref={wrapRef} className="window-histogram-plot" hidden={!plotShown}>
        <div ref={plotRef} data-testid="window-histogram-plot" />
        {handle('min', fMin, 'Window minimum', formatValue(shown.min))}
        {handle('max', fMax, 'Window maximum', formatValue(shown.max))}
        {fMax > fMin && handle('gamma', fGamma, 'Gamma', formatValue(gamma))}
      </div>
      <figcaption className="row wrap">
        <span className="row" role="group" aria-label="Window presets">
          {PRESETS.map((p) => (
            <button
              key={p.mode}
              type="button"
              className="small"
              data-testid={`preset-${p.mode}`}
              aria-pressed={state.mode === p.mode && !state.channels}
              title={p.title}
              onClick={() => onChange({ ...state, mode: p.mode, channels: null })}
            >
              {p.label}
            </button>
          ))}
        </span>
        {rgb && (
          <span className="row" role="group" aria-label="Channel the handles move">
            {[null, 0, 1, 2].map((c) => (
              <button
                key={String(c)}
                type="button"
                className="small"
                data-testid={`histogram-channel-${c === null ? 'all' : CHANNEL_NAMES[c]}`}
                aria-pressed={channel === c}
                title={
                  c === null
                    ? 'The handles move the window of all three channels'
                    : `The handles move the ${['red', 'green', 'blue'][c]} channel's window alone`
                }
                onClick={() => setChannel(c)}
              >
                {c === null ? 'RGB' : CHANNEL_NAMES[c]}
              </button>
            ))}
          </span>
        )}
        <span className="grow" />
        <span className="muted small-text mono" data-testid="histogram-window">
          {formatValue(shown.min)} – {formatValue(shown.max)} · γ {formatValue(gamma)}
        </span>
        {plotShown && (
          <>
            <input id={logId} type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} />
            <label htmlFor={logId}>Log</label>
          </>
        )}
        <button
          type="button"
          className="small"
          aria-expanded={plotShown}
          data-testid="histogram-toggle"
          title={plotShown ? 'Fold the histogram (the presets stay); remembered in this browser' : 'Show the histogram with its draggable min, max and gamma'}
          onClick={() => setPlotShown(!plotShown)}
        >
          {plotShown ? 'Hide histogram' : 'Histogram'}
        </button>
      </figcaption>
    </figure>
  );
}

/** A count on the axis, short: 950, 12k, 1.2M. */
function countText(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return formatValue(v);
}

/** The transfer curve (black at min, white at max, bent by gamma) and the clipped ranges shaded. */
function drawTransfer(u: uPlot, win: DisplayWindow): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const x0 = u.valToPos(win.min, 'x', true);
  const x1 = u.valToPos(win.max, 'x', true);
  const g = win.gamma ?? 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.fillStyle = 'rgba(0, 0, 0, 0.35)';
  if (x0 > left) ctx.fillRect(left, top, x0 - left, height);
  if (x1 < left + width) ctx.fillRect(x1, top, left + width - x1, height);
  ctx.strokeStyle = '#ffd24d';
  ctx.lineWidth = 1.5 * (devicePixelRatio || 1);
  ctx.beginPath();
  ctx.moveTo(left, top + height);
  ctx.lineTo(x0, top + height);
  const steps = 48;
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    ctx.lineTo(x0 + (x1 - x0) * t, top + height - height * Math.pow(t, g));
  }
  ctx.lineTo(left + width, top);
  ctx.stroke();
  ctx.restore();
}
