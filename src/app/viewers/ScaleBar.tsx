// The scale bar at the bottom right of an image viewport: a round length (render/scaleBar.ts) drawn at
// the current zoom, recomputed whenever the zoom changes. Shown when the image's x axis has a unit.
import type { Axis } from '../../core/imageAxes';
import { scaleBar } from './render/scaleBar';

export function ScaleBar({ axis, zoom }: { axis: Axis; zoom: number }) {
  const bar = scaleBar(axis, zoom);
  if (!bar) return null;
  return (
    <div className="scale-bar" data-testid="scale-bar" data-px={bar.px} data-value={bar.value} data-unit={bar.unit} aria-label={`Scale bar: ${bar.label}`}>
      <span className="scale-bar-label" data-testid="scale-bar-label">
        {bar.label}
      </span>
      <span className="scale-bar-line" style={{ width: bar.px }} />
    </div>
  );
}
