// Small building blocks the viewers share: slice slider, labelled range, messages, stats table.
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import type { NDArray } from '../../core/ndarray';
import { stats } from '../../core/ndarray';
import { formatShape, formatValue } from './render/format';

export interface SliceNav {
  index: number;
  count: number;
  onChange: (i: number) => void;
  /** "Slice", "Pair", "Image"… */
  label?: string;
  /** Text for item i (e.g. a dataset name). */
  describe?: (i: number) => string;
  /**
   * Move by `delta` from the item last asked for (default: onChange(index + delta)): a viewer that
   * shows the new index only once its data is there keeps fast key presses from repeating a step.
   */
  step?: (delta: number) => void;
}

/**
 * A slider over slices with previous/next buttons; hidden when there is a single item. The range input
 * is uncontrolled: the thumb stays where the user put it while that slice is read (a controlled input
 * would be put back to the slice shown until the read ends, and the browser would lay it out and paint
 * it twice, delaying the read's reply); it follows `index` when the slice changes any other way.
 */
export function SliceSlider({ nav, testId = 'slice-slider' }: { nav: SliceNav; testId?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const { index, count, onChange } = nav;
  useLayoutEffect(() => {
    if (input.current && input.current.value !== String(index)) input.current.value = String(index);
  }, [index]);
  const label = nav.label ?? 'Slice';
  if (count <= 1) return null;
  const go = (i: number) => onChange(Math.max(0, Math.min(count - 1, i)));
  const by = (delta: number) => (nav.step ? nav.step(delta) : go(index + delta));
  return (
    <div className="slice-slider">
      <label htmlFor={id}>{label}</label>
      <button type="button" className="small" onClick={() => by(-1)} disabled={index <= 0} aria-label={`Previous ${label.toLowerCase()}`}>
        ‹
      </button>
      <input
        ref={input}
        id={id}
        data-testid={testId}
        type="range"
        min={0}
        max={count - 1}
        step={1}
        defaultValue={index}
        aria-valuetext={`${label} ${index + 1} of ${count}${nav.describe ? `: ${nav.describe(index)}` : ''}`}
        onChange={(e) => go(Number(e.target.value))}
      />
      <button type="button" className="small" onClick={() => by(1)} disabled={index >= count - 1} aria-label={`Next ${label.toLowerCase()}`}>
        ›
      </button>
      <span className="mono slice-pos" data-testid={`${testId}-pos`}>
        {index + 1} / {count}
      </span>
      {nav.describe && <span className="muted ellipsis">{nav.describe(index)}</span>}
    </div>
  );
}

/** The "Field" select of a dataset's keys (`key-picker`); disabled with a single key. */
export function FieldPicker({ keys, value, onChange }: { keys: readonly string[]; value: string; onChange: (key: string) => void }) {
  const id = useId();
  return (
    <span className="field">
      <label htmlFor={id}>Field</label>
      <select id={id} data-testid="key-picker" value={value} onChange={(e) => onChange(e.target.value)} disabled={keys.length < 2}>
        {keys.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
    </span>
  );
}

/** An opacity slider from 0 to 100 % in steps of 5 %. */
export function OpacityField(props: { label: string; testId: string; value: number; onChange: (v: number) => void }) {
  return <RangeField {...props} min={0} max={1} step={0.05} format={(v) => `${Math.round(v * 100)}%`} />;
}

/** A labelled range input with its value shown. */
export function RangeField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  format?: (v: number) => string;
  testId?: string;
}) {
  const id = useId();
  const text = props.format ? props.format(props.value) : String(props.value);
  return (
    <span className="field range-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="range"
        data-testid={props.testId}
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        aria-valuetext={text}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      <span className="mono range-value">{text}</span>
    </span>
  );
}

/** A centred message in the viewer body: loading, empty or error. */
export function ViewerMessage({ kind = 'info', children, testId }: { kind?: 'info' | 'error' | 'loading'; children: ReactNode; testId?: string }) {
  return (
    <div
      className={`viewer-message ${kind === 'error' ? 'error-text' : 'muted'}`}
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={testId ?? (kind === 'error' ? 'viewer-error' : kind === 'loading' ? 'viewer-loading' : 'viewer-info')}
    >
      {children}
    </div>
  );
}

/** The message of an unknown thrown value (core/describeValue.ts's thrownMessage). */
export { thrownMessage as errorText } from '../../core/describeValue';

/** Shape, dtype and statistics of an array as a compact definition list. */
export function ArrayStats({ array, testId, extra }: { array: NDArray; testId?: string; extra?: [string, ReactNode][] }) {
  const s = stats(array);
  const rows: [string, ReactNode][] = [
    ['shape', formatShape(array.shape)],
    ['dtype', array.dtype],
    ['min', formatValue(s.min)],
    ['max', formatValue(s.max)],
    ['mean', formatValue(s.mean)],
    ['std', formatValue(s.std)],
  ];
  if (s.nanCount) rows.push(['NaN', String(s.nanCount)]);
  if (s.infCount) rows.push(['±∞', String(s.infCount)]);
  if (extra) rows.push(...extra);
  return (
    <dl className="stats" data-testid={testId}>
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className="mono">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
