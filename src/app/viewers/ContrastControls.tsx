// Contrast window controls: presets (auto percentiles, 1–99 %, min–max, the dtype's range) / manual min and
// max, gamma, colormap, reset. The histogram with draggable handles is WindowHistogram (under the image).
import { useEffect, useId, useRef, useState } from 'react';
import { COLORMAP_NAMES, isColormapName } from './render/colormaps';
import { formatValue } from './render/format';
import { clampGamma } from './render/windowHistogram';
import type { DisplayWindow } from './render/window';
import { DEFAULT_CONTRAST, type ContrastMode, type ContrastState } from './contrast';

export interface ContrastControlsProps {
  state: ContrastState;
  onChange: (s: ContrastState) => void;
  /** The window in effect (shown in the number fields in the auto modes). */
  window: DisplayWindow;
  /** RGB image: the colormap does not apply. */
  rgb?: boolean;
  /** Hide the colormap select (e.g. a view that composes its own colours). */
  noColormap?: boolean;
}

/** A number input that keeps what the user types and commits every valid number. */
export function NumberField({
  label,
  value,
  onCommit,
  testId,
  title,
}: {
  label: string;
  value: number;
  onCommit: (v: number) => void;
  testId: string;
  title?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(formatValue(value));
  const focused = useRef(false);
  const shown = formatValue(value);
  useEffect(() => {
    if (!focused.current) setDraft(shown);
  }, [shown]);
  const valid = draft.trim() !== '' && Number.isFinite(Number(draft));
  return (
    <span className="field" title={title}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        className="num"
        type="text"
        inputMode="decimal"
        value={draft}
        aria-invalid={!valid}
        onFocus={() => (focused.current = true)}
        onBlur={() => {
          focused.current = false;
          setDraft(shown);
        }}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v)) onCommit(v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') setDraft(shown);
        }}
      />
    </span>
  );
}

export function ContrastControls({ state, onChange, window: win, rgb, noColormap }: ContrastControlsProps) {
  const modeId = useId();
  const cmId = useId();
  const setMode = (mode: ContrastMode) => onChange({ ...state, mode, min: win.min, max: win.max, channels: mode === 'manual' ? state.channels : null });
  return (
    <div className="contrast-controls" role="group" aria-label="Contrast">
      <span className="field">
        <label htmlFor={modeId}>Window</label>
        <select
          id={modeId}
          data-testid="contrast-mode"
          value={state.mode}
          onChange={(e) => setMode(e.target.value as ContrastMode)}
          title="Auto: the 0.35 % and 99.65 % percentiles (Fiji's Auto); 1–99 %: the 1st and 99th percentiles; Min–max: the data's range; Full range: the dtype's (0–255, 0–65535); Manual: the numbers you type or the handles you drag"
        >
          <option value="auto">Auto</option>
          <option value="p1">1–99 %</option>
          <option value="minmax">Min–max</option>
          <option value="dtype">Full range</option>
          <option value="manual">Manual</option>
        </select>
      </span>
      <NumberField label="Min" testId="contrast-min" value={win.min} onCommit={(v) => onChange({ ...state, mode: 'manual', min: v, max: win.max })} />
      <NumberField label="Max" testId="contrast-max" value={win.max} onCommit={(v) => onChange({ ...state, mode: 'manual', min: win.min, max: v })} />
      <NumberField
        label="Gamma"
        testId="contrast-gamma"
        value={state.gamma}
        title="Display gamma after the window: shown = (windowed)^γ; below 1 brightens the dark values, above 1 darkens them (0.1–5)"
        onCommit={(v) => v > 0 && onChange({ ...state, gamma: clampGamma(v) })}
      />
      {!noColormap && (
        <span className="field">
          <label htmlFor={cmId}>Colormap</label>
          <select
            id={cmId}
            data-testid="colormap"
            value={rgb ? 'gray' : state.colormap}
            disabled={rgb}
            title={rgb ? 'RGB images are shown in their own colours' : undefined}
            onChange={(e) => isColormapName(e.target.value) && onChange({ ...state, colormap: e.target.value })}
          >
            {COLORMAP_NAMES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </span>
      )}
      <button
        type="button"
        className="small"
        data-testid="contrast-reset"
        onClick={() => onChange({ ...DEFAULT_CONTRAST })}
        title="Auto window, gamma 1, gray colormap"
      >
        Reset
      </button>
    </div>
  );
}
