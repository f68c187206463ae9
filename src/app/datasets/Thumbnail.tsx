// A dataset's stored preview (meta.thumbnail: 8-bit gray or RGB) drawn on a canvas, fitted into a
// square box; a neutral placeholder when there is none.
import { useEffect, useMemo, useRef } from 'react';
import type { Thumbnail as ThumbnailData } from '../../core/records';
import { thumbnailRgba } from './thumbPixels';

export function Thumbnail({ thumb, size = 40, label }: { thumb: ThumbnailData | null | undefined; size?: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rgba = useMemo(() => (thumb ? thumbnailRgba(thumb) : null), [thumb]);
  useEffect(() => {
    const c = ref.current;
    if (!c || !thumb || !rgba) return;
    c.width = thumb.width;
    c.height = thumb.height;
    c.getContext('2d')?.putImageData(new ImageData(rgba, thumb.width, thumb.height), 0, 0);
  }, [thumb, rgba]);

  if (!thumb || !rgba) {
    return (
      <span className="ds-thumb ds-thumb-none" style={{ width: size, height: size }} title="No preview" aria-hidden="true">
        ▦
      </span>
    );
  }
  const scale = size / Math.max(thumb.width, thumb.height);
  const w = Math.max(1, Math.round(thumb.width * scale));
  const h = Math.max(1, Math.round(thumb.height * scale));
  return (
    <span className="ds-thumb" style={{ width: size, height: size }}>
      <canvas
        ref={ref}
        role="img"
        aria-label={label}
        data-testid="thumbnail"
        style={{ width: w, height: h, imageRendering: scale > 1 ? 'pixelated' : 'auto' }}
      />
    </span>
  );
}
