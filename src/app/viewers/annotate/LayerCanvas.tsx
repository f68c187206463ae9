// The label layer on its own canvases under the image's transform, cut in 512×512 tiles (tile canvas
// pixel (x, y) is label pixel (tile x + x, tile y + y)). A brush event records the rectangle it touched;
// once per frame that rectangle is repainted (putImageData into the tiles it overlaps), so a write never copies or
// uploads more than those tiles — one 4096² canvas would be copied whole (64 MB) by the first write
// after each frame. The whole layer is painted only when the slice, the colours, the opacity or the
// outline mode change.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { unionRect, type Rect } from '../../../core/labels/slice';
import type { ViewTransform } from '../ImageCanvas';
import { LabelColorCache, growRect, layerRGBA, type LayerStyle } from './layerPixels';

export interface LayerPainter {
  /** Repaint rectangle r of `labels` (null: the whole slice). */
  paint(labels: Int32Array, r: Rect | null): void;
  /** ImageCanvas's `overlay`. */
  overlay(t: ViewTransform): ReactNode;
}

const TILE = 512;

/** How long each frame's canvas writes took (ms; the last 5000), for bench/annotate/brush.bench.ts. */
const paintTimings: number[] = [];
(globalThis as { __algoboxAnnotatePaintMs?: number[] }).__algoboxAnnotatePaintMs = paintTimings;
function recordPaint(ms: number): void {
  paintTimings.push(ms);
  if (paintTimings.length > 5000) paintTimings.splice(0, paintTimings.length - 5000);
}

/** The tiles of a width × height layer: their rectangles, row-major. */
function layerTiles(width: number, height: number): Rect[] {
  const out: Rect[] = [];
  for (let y = 0; y < height; y += TILE) for (let x = 0; x < width; x += TILE) out.push([x, y, Math.min(width, x + TILE), Math.min(height, y + TILE)]);
  return out;
}

export function useLayerPainter(width: number, height: number, style: LayerStyle, labels: Int32Array | null, shownVersion: unknown): LayerPainter {
  const tiles = useMemo(() => layerTiles(width, height), [width, height]);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);
  const colors = useRef<LabelColorCache>(new LabelColorCache(style));
  const styleRef = useRef(style);

  /** Paint rectangle r (already clipped) into tile k. */
  const paintTile = useCallback(
    (k: number, data: Int32Array, r: Rect) => {
      const t = tiles[k]!;
      const sub: Rect = [Math.max(r[0], t[0]), Math.max(r[1], t[1]), Math.min(r[2], t[2]), Math.min(r[3], t[3])];
      const [w, h] = [sub[2] - sub[0], sub[3] - sub[1]];
      // A software canvas from the start (written often, never read by the GPU first).
      const ctx = canvases.current[k]?.getContext('2d', { willReadFrequently: true });
      if (!ctx || w <= 0 || h <= 0) return;
      ctx.putImageData(new ImageData(layerRGBA(data, width, height, sub, colors.current, styleRef.current.outline), w, h), sub[0] - t[0], sub[1] - t[1]);
    },
    [tiles, width, height],
  );

  const paintNow = useCallback(
    (data: Int32Array, r: Rect | null) => {
      if (!width || !height) return;
      const t0 = performance.now();
      const rect = r ? growRect(r, styleRef.current.outline ? 1 : 0, width, height) : ([0, 0, width, height] as Rect);
      const across = Math.ceil(width / TILE);
      for (let ty = Math.floor(rect[1] / TILE); ty * TILE < rect[3]; ty++) {
        for (let tx = Math.floor(rect[0] / TILE); tx * TILE < rect[2]; tx++) paintTile(ty * across + tx, data, rect);
      }
      recordPaint(performance.now() - t0);
    },
    [width, height, paintTile],
  );

  // Pointer events only record what changed; the canvases are written once per frame (the union of the
  // rectangles since the last one), so an event never waits on the canvas or the compositor.
  const pending = useRef<{ data: Int32Array; rect: Rect | null; frame: number } | null>(null);
  const paint = useCallback(
    (data: Int32Array, r: Rect | null) => {
      const p = pending.current;
      if (p && p.data === data) {
        p.rect = p.rect && r ? unionRect(p.rect, r) : null;
        return;
      }
      if (p) {
        cancelAnimationFrame(p.frame);
        paintNow(p.data, p.rect);
      }
      const frame = requestAnimationFrame(() => {
        const q = pending.current;
        pending.current = null;
        if (q) paintNow(q.data, q.rect);
      });
      pending.current = { data, rect: r, frame };
    },
    [paintNow],
  );
  useEffect(() => () => cancelAnimationFrame(pending.current?.frame ?? 0), []);

  // A new style or slice: the whole layer.
  const { colors: labelColors, opacity, outline } = style;
  useLayoutEffect(() => {
    styleRef.current = { colors: labelColors, opacity, outline };
    colors.current = new LabelColorCache(styleRef.current);
    if (labels) paintNow(labels, null);
  }, [labelColors, opacity, outline, labels, shownVersion, paintNow]);

  // Stable ref callbacks: a tile is painted whole when it is (re)mounted, not on every render.
  const labelsRef = useRef(labels);
  labelsRef.current = labels;
  const setCanvas = useMemo(
    () =>
      tiles.map((t, k) => (el: HTMLCanvasElement | null) => {
        const fresh = el && el !== canvases.current[k];
        canvases.current[k] = el;
        if (fresh && labelsRef.current) paintTile(k, labelsRef.current, t);
      }),
    [tiles, paintTile],
  );

  const overlay = useCallback(
    (t: ViewTransform) => (
      <div
        className="annotate-layer"
        style={{ width, height, transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.zoom})` }}
        data-testid="annotate-layer"
        data-tiles={tiles.length}
        aria-hidden="true"
      >
        {tiles.map((r, k) => (
          <canvas
            key={k}
            ref={setCanvas[k]}
            width={r[2] - r[0]}
            height={r[3] - r[1]}
            className={t.zoom >= 1 ? 'pixelated' : undefined}
            style={{ left: r[0], top: r[1], transform: 'none' }}
          />
        ))}
      </div>
    ),
    [width, height, tiles, setCanvas],
  );
  return { paint, overlay };
}
