// A single image (gray or RGB, any dtype) with contrast controls, zoom/pan and an optional slice slider.
import { useMemo, type ReactNode } from 'react';
import type { NDArray } from '../../core/ndarray';
import { ContrastControls } from './ContrastControls';
import { ImageCanvas, type ImageCanvasProps, type VirtualImage } from './ImageCanvas';
import type { SliceNav } from './controls';
import { useContrast, usePixels, usePlanes, useWindow, type ContrastState } from './contrast';
import { formatValue } from './render/format';
import { COLORMAPS } from './render/colormaps';
import { screenSample } from './render/sample';
import type { PlaneAxes } from './render/scaleBar';
import { renderRGBA, type DisplayWindow, type ImagePlanes } from './render/window';
import { ViewerFrame } from './ViewerFrame';
import { WindowHistogram } from './WindowHistogram';

/** The raw value(s) of planes at (x, y): "1234", or "R 1 G 2 B 3". */
export function valueText(p: ImagePlanes | null, x: number, y: number): string {
  if (!p || x < 0 || y < 0 || x >= p.width || y >= p.height) return '';
  const i = y * p.width + x;
  if (p.channels === 1) return formatValue(p.data[i]!);
  const n = p.width * p.height;
  return `R ${formatValue(p.data[i]!)} G ${formatValue(p.data[n + i]!)} B ${formatValue(p.data[2 * n + i]!)}`;
}

export interface ImageViewerProps {
  image: NDArray | null | undefined;
  /** The next slice is loading (the previous one stays shown). */
  loading?: boolean;
  error?: string | null;
  nav?: SliceNav;
  /** Accessible name of the canvas. */
  label?: string;
  /** Controlled contrast (e.g. kept across keys); internal state otherwise. */
  contrast?: [ContrastState, (s: ContrastState) => void];
  /** The planes the Auto and Min–max windows come from (default: the image's own), e.g. a volume's reference slice. */
  windowFrom?: ImagePlanes | null;
  /** Written to the canvas's `data-drawn` once this image is drawn (e.g. the slice index). */
  drawnTag?: string;
  /** The viewer's own controls (a field picker), in the toolbar's second row. */
  controls?: ReactNode;
  /** Shown under the image, above the slider (e.g. the slice's histogram). */
  footer?: ReactNode;
  /**
   * Window and draw only the pixels on screen (nearest neighbour, render/sample.ts) instead of the whole
   * image at native resolution: the cost of a new image is bounded by the viewport (volume slices).
   * The canvas is then viewport-sized (`data-mode="tiled"`), not image-sized.
   */
  sampled?: boolean;
  /** Physical axes of the image: a scale bar and physical coordinates when x has a unit. */
  axes?: PlaneAxes | null;
  /** Drawn over the image (ImageCanvas's `overlay`): the live preview (PreviewOverlay.tsx). */
  overlay?: ImageCanvasProps['overlay'];
}

/** `planes` drawn through ImageCanvas's virtual mode: the on-screen samples windowed and put, on every view. */
function useSampled(planes: ImagePlanes | null, win: DisplayWindow, lut: Uint8Array, on: boolean): VirtualImage | null {
  return useMemo(() => {
    if (!on || !planes) return null;
    return {
      width: planes.width,
      height: planes.height,
      version: 0,
      draw(ctx, t, size) {
        const s = screenSample(planes, t, size.width, size.height, window.devicePixelRatio || 1);
        if (!s) return;
        const rgba = renderRGBA(s.planes, win, lut) as Uint8ClampedArray<ArrayBuffer>;
        ctx.putImageData(new ImageData(rgba, s.planes.width, s.planes.height), s.x, s.y);
      },
    };
  }, [planes, win, lut, on]);
}

export function ImageViewer({
  image,
  loading,
  error,
  nav,
  label = 'Image',
  contrast,
  windowFrom,
  drawnTag,
  controls,
  footer,
  sampled = false,
  axes,
  overlay,
}: ImageViewerProps) {
  const own = useContrast();
  const [state, setState] = contrast ?? own;
  const { planes, error: shapeError } = usePlanes(image);
  const win = useWindow(state, windowFrom ?? planes);
  const colormap = planes?.channels === 3 ? 'gray' : state.colormap;
  const pixels = usePixels(sampled ? null : planes, win, colormap);
  const virtual = useSampled(planes, win, COLORMAPS[colormap], sampled);
  const problem = error ?? shapeError;
  return (
    <ViewerFrame
      name="image-viewer"
      toolbar={<ContrastControls state={state} onChange={setState} window={win} rgb={planes?.channels === 3} />}
      controls={controls}
      loading={loading}
      problem={problem}
      waiting={planes ? null : 'Loading image…'}
      nav={nav}
    >
      <ImageCanvas
        pixels={pixels}
        virtual={virtual}
        drawnTag={drawnTag}
        label={nav && nav.count > 1 ? `${label}, ${(nav.label ?? 'slice').toLowerCase()} ${nav.index + 1} of ${nav.count}` : label}
        readout={(x, y) => valueText(planes, x, y)}
        axes={axes}
        overlay={overlay}
      />
      <WindowHistogram planes={windowFrom ?? planes} state={state} onChange={setState} window={win} />
      {footer}
    </ViewerFrame>
  );
}
