// The live preview drawn over the plane a viewer shows (state/preview.tsx): the preview's output at
// native resolution on its own canvas, under the same transform as the image (canvas pixel (x, y) is
// image pixel (x, y), as ImageCanvas's own canvas), foreground (> 0) in magenta at half opacity,
// background transparent. The viewer passes `previewOverlay(plane)` to ImageCanvas's `overlay`.
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import type { NDArray } from '../../core/ndarray';
import { usePreviewLayer, type PreviewLayer } from '../state/preview';
import type { ViewTransform } from './ImageCanvas';

/** Preview colour (RGBA): foreground pixels. */
export const PREVIEW_RGBA = [255, 0, 255, 128] as const;

/** RGBA of a preview output: value > 0 → PREVIEW_RGBA, else transparent. */
export function previewRGBA(out: NDArray): Uint8ClampedArray<ArrayBuffer> {
  const d = out.data as ArrayLike<number | bigint>;
  const rgba = new Uint8ClampedArray(d.length * 4);
  for (let i = 0; i < d.length; i++) {
    if (!(Number(d[i]) > 0)) continue;
    rgba.set(PREVIEW_RGBA, i * 4);
  }
  return rgba;
}

function foreground(out: NDArray): number {
  const d = out.data as ArrayLike<number | bigint>;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (Number(d[i]) > 0) n++;
  return n;
}

function PreviewCanvas({ layer, t }: { layer: PreviewLayer; t: ViewTransform }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w] = layer.output.shape as [number, number];
  useLayoutEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(previewRGBA(layer.output), w, h), 0, 0);
  }, [layer, w, h]);
  return (
    <canvas
      ref={ref}
      width={w}
      height={h}
      className={t.zoom >= 1 ? 'pixelated' : undefined}
      style={{ transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.zoom})`, pointerEvents: 'none' }}
      data-testid="preview-overlay"
      data-algorithm={layer.algorithm}
      data-version={layer.version}
      data-foreground={foreground(layer.output)}
      aria-hidden="true"
    />
  );
}

/** ImageCanvas's `overlay` for this plane: the preview layer when there is one for it, else nothing. */
export function usePreviewOverlay(plane: { datasetId: string; key: string; at: readonly number[] } | null): ((t: ViewTransform) => ReactNode) | undefined {
  const layer = usePreviewLayer(plane);
  if (!layer) return undefined;
  return (t) => <PreviewCanvas layer={layer} t={t} />;
}
