// The planes of a composite drawn through ImageCanvas's virtual mode: on every view, each shown
// channel's on-screen samples (render/sample.ts, nearest neighbour at the screen's resolution) are
// windowed, coloured and added (render/composite.ts). The cost of a view is bounded by the viewport.
import { useMemo } from 'react';
import type { DType } from '../../core/ndarray';
import type { Channel } from '../../core/imageAxes';
import type { VirtualImage } from './ImageCanvas';
import { compositeRGBA, hexToRGB, type CompositeChannel } from './render/composite';
import { screenSample } from './render/sample';
import type { DisplayWindow } from './render/window';

/** One position's planes: per channel its H×W values (null when not read). */
export interface PlaneSet {
  width: number;
  height: number;
  dtype: DType;
  planes: (ArrayLike<number> | null)[];
}

export function useComposite(
  set: PlaneSet | null,
  channels: readonly Channel[],
  visible: readonly number[],
  windows: readonly DisplayWindow[],
): VirtualImage | null {
  const colours = channels.map((c) => c.color).join(',');
  const shownKey = visible.join(',');
  const winKey = windows.map((w) => `${w.min}:${w.max}:${w.gamma ?? 1}`).join(',');
  return useMemo(() => {
    if (!set) return null;
    const rgb = colours.split(',').map(hexToRGB);
    const wins = winKey.split(',').map((w) => {
      const [min, max, gamma] = w.split(':').map(Number);
      return { min: min!, max: max!, gamma: gamma! };
    });
    const shown = shownKey ? shownKey.split(',').map(Number) : [];
    return {
      width: set.width,
      height: set.height,
      version: 0,
      draw(ctx, t, size) {
        const dpr = window.devicePixelRatio || 1;
        let at: { x: number; y: number; w: number; h: number } | null = null;
        const layers: CompositeChannel[] = [];
        for (const c of shown) {
          const data = set.planes[c];
          if (!data) continue;
          const s = screenSample({ width: set.width, height: set.height, channels: 1, dtype: set.dtype, data }, t, size.width, size.height, dpr);
          if (!s) return;
          at = { x: s.x, y: s.y, w: s.planes.width, h: s.planes.height };
          layers.push({ data: s.planes.data, window: wins[c] ?? { min: 0, max: 1 }, rgb: rgb[c] ?? [255, 255, 255] });
        }
        if (!at) {
          // No channel shown: the image's area in black.
          ctx.fillStyle = '#000';
          ctx.fillRect(t.tx, t.ty, set.width * t.zoom, set.height * t.zoom);
          return;
        }
        const rgba = compositeRGBA(layers, at.w * at.h) as Uint8ClampedArray<ArrayBuffer>;
        ctx.putImageData(new ImageData(rgba, at.w, at.h), at.x, at.y);
      },
    };
  }, [set, colours, shownKey, winKey]);
}
