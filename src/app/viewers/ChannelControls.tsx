// The channels of a composite, one row each: visibility, name (click: show it alone, as napari's and
// Fiji's users expect; click again: all), colour, window (min / max, Auto again with Reset), gamma.
import type { DisplayWindow } from './render/window';
import { NumberField } from './ContrastControls';
import type { Channels } from './useChannels';
import { clampGamma } from './render/windowHistogram';

export interface ChannelControlsProps {
  ch: Channels;
  /** The window in effect for each channel (its own, or the auto window of its reference plane). */
  windows: readonly DisplayWindow[];
  /** Back to the auto window, computed on the plane shown. */
  onReset(c: number): void;
}

export function ChannelControls({ ch, windows, onReset }: ChannelControlsProps) {
  return (
    <div className="channel-list" role="group" aria-label="Channels" data-testid="channel-list">
      {ch.channels.map((c, i) => {
        const win = windows[i] ?? { min: 0, max: 1 };
        const shown = ch.visible.includes(i);
        const setWindow = (start: number, end: number) => ch.update(i, { window: { start, end } });
        return (
          <div key={i} className="channel-row" data-testid={`channel-${i}`} data-shown={shown}>
            <input
              type="checkbox"
              checked={c.active}
              data-testid={`channel-visible-${i}`}
              aria-label={`Show ${c.label}`}
              onChange={(e) => ch.update(i, { active: e.target.checked })}
            />
            <button
              type="button"
              className={`small channel-name ${ch.solo === i ? 'is-solo' : ''} ${shown ? '' : 'is-hidden'}`}
              data-testid={`channel-name-${i}`}
              aria-pressed={ch.solo === i}
              onClick={() => ch.toggleSolo(i)}
              title={ch.solo === i ? 'Show all active channels again' : `Show ${c.label} alone`}
            >
              {c.label}
            </button>
            <input
              type="color"
              value={`#${c.color.toLowerCase()}`}
              data-testid={`channel-color-${i}`}
              aria-label={`Colour of ${c.label}`}
              onChange={(e) => ch.update(i, { color: e.target.value.slice(1).toUpperCase() })}
            />
            <NumberField label="Min" testId={`channel-min-${i}`} value={win.min} onCommit={(v) => setWindow(v, win.max)} />
            <NumberField label="Max" testId={`channel-max-${i}`} value={win.max} onCommit={(v) => setWindow(win.min, v)} />
            <NumberField
              label="γ"
              testId={`channel-gamma-${i}`}
              value={c.gamma ?? 1}
              title={`Display gamma of ${c.label} (0.1–5; 1 linear)`}
              onCommit={(v) => v > 0 && ch.update(i, { gamma: clampGamma(v) })}
            />
            <button
              type="button"
              className="small"
              data-testid={`channel-reset-${i}`}
              onClick={() => onReset(i)}
              title="Auto window (0.35 %/99.65 % percentiles) of the plane shown, gamma 1"
            >
              Reset
            </button>
          </div>
        );
      })}
    </div>
  );
}
