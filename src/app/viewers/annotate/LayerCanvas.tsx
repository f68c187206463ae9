// The label layer on its own native-resolution canvas under the image's transform (canvas pixel
// (x, y) is label pixel (x, y), as ImageCanvas's own canvas). A brush event repaints only the
// rectangle it touched (putImageData of that rectangle); the whole layer is painted only when the
// slice, the colours, the opacity or the outline mode change.
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { Rect } from '../../../core/labels/slice';
import type { ViewTransform } from '../ImageCanvas';
import { LabelColorCache, growRect, layerRGBA, type LayerStyle } from './layerPixels';

export interface LayerPainter {
  /** Repaint rectangle r of `labels` (null: the whole slice). */
  paint(labels: Int32Array, r: Rect | null): void;
  /** ImageCanvas's `overlay`. */
  overlay(t: ViewTransform): React.ReactNode;
}

export function useLayerPainter(width: number, height: number, style: LayerStyle, labels: Int32Array | null, shownVersion: unknown): LayerPainter {
  const ref = useRef<HTMLCanvasElement | null>(null);
  const colors = useRef<LabelColorCache>(new LabelColorCache(style));
  const styleRef = useRef(style);

  const paint = useCallback(
    (data: Int32Array, r: Rect | null) => {
      const c = ref.current;
      // A software canvas from the start: small putImageData writes never make Chromium move a 4096² backing between GPU and CPU.
      const ctx = c?.getContext('2d', { willReadFrequently: true });
      if (!c || !ctx || !width || !height) return;
      const outline = styleRef.current.outline;
      const rect = r ? growRect(r, outline ? 1 : 0, width, height) : ([0, 0, width, height] as Rect);
      const [w, h] = [rect[2] - rect[0], rect[3] - rect[1]];
      if (w <= 0 || h <= 0) return;
      ctx.putImageData(new ImageData(layerRGBA(data, width, height, rect, colors.current, outline), w, h), rect[0], rect[1]);
    },
    [width, height],
  );

  // A new style or slice: the whole layer.
  const { colors: labelColors, opacity, outline } = style;
  useLayoutEffect(() => {
    styleRef.current = { colors: labelColors, opacity, outline };
    colors.current = new LabelColorCache(styleRef.current);
    if (labels) paint(labels, null);
  }, [labelColors, opacity, outline, labels, shownVersion, paint]);

  // One stable ref callback: the canvas is painted whole when it is (re)mounted, not on every render.
  const labelsRef = useRef(labels);
  labelsRef.current = labels;
  const setCanvas = useCallback(
    (el: HTMLCanvasElement | null) => {
      const fresh = el && el !== ref.current;
      ref.current = el;
      if (fresh && labelsRef.current) paint(labelsRef.current, null);
    },
    [paint],
  );

  const overlay = useCallback(
    (t: ViewTransform) => (
      <canvas
        ref={setCanvas}
        width={width}
        height={height}
        className={t.zoom >= 1 ? 'pixelated' : undefined}
        style={{ transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.zoom})`, pointerEvents: 'none' }}
        data-testid="annotate-layer"
        aria-hidden="true"
      />
    ),
    [width, height, setCanvas],
  );
  return { paint, overlay };
}
