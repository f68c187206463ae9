// The window histogram (WindowHistogram.tsx) of one channel of a composite: the channel shown alone, else
// the one picked here. Its handles, gamma and presets edit that channel's window and gamma in the
// channel model (saved with the dataset, as ChannelControls' fields are).
import { useId, useMemo, useState } from 'react';
import { presetWindow, type ContrastState } from './contrast';
import type { DisplayWindow, ImagePlanes } from './render/window';
import type { Channels } from './useChannels';
import type { PlaneSet } from './useComposite';
import { WindowHistogram } from './WindowHistogram';

export function ChannelHistogram({ ch, set, windows }: { ch: Channels; set: PlaneSet; windows: readonly DisplayWindow[] }) {
  const [picked, setPicked] = useState(0);
  const pickId = useId();
  const c = ch.solo ?? (set.planes[picked] ? picked : (ch.visible[0] ?? picked));
  const data = set.planes[c] ?? null;
  const planes: ImagePlanes | null = useMemo(
    () => (data ? { width: set.width, height: set.height, channels: 1, dtype: set.dtype, data } : null),
    [data, set.width, set.height, set.dtype],
  );
  const channel = ch.channels[c];
  if (!channel || !planes) return null;
  const win = windows[c] ?? { min: 0, max: 1 };
  const state: ContrastState = {
    mode: channel.window ? 'manual' : 'auto',
    min: win.min,
    max: win.max,
    colormap: 'gray',
    gamma: channel.gamma ?? 1,
    channels: null,
  };
  const onChange = (s: ContrastState) => {
    const w = s.mode === 'manual' ? { min: s.min, max: s.max } : presetWindow(s.mode, planes.data, planes.dtype);
    ch.update(c, { window: { start: w.min, end: w.max }, gamma: s.gamma });
  };
  return (
    <div className="channel-histogram" data-testid="channel-histogram">
      <span className="field">
        <label htmlFor={pickId}>Histogram of</label>
        <select id={pickId} data-testid="histogram-channel" value={c} disabled={ch.solo !== null} onChange={(e) => setPicked(Number(e.target.value))}>
          {ch.channels.map((x, i) => (
            <option key={i} value={i} disabled={!set.planes[i]}>
              {x.label}
            </option>
          ))}
        </select>
      </span>
      <WindowHistogram planes={planes} state={state} onChange={onChange} window={win} />
    </div>
  );
}
