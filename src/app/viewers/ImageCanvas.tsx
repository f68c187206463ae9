// The shared zoom/pan canvas. One <canvas> holds the rendered image at native resolution (canvas
// pixel (x, y) is image pixel (x, y), always: tests read it with getImageData); zoom and pan are a CSS
// transform of that canvas (nearest-neighbour when magnified: `image-rendering: pixelated`).
// Drawing is synchronous (useLayoutEffect) whenever the pixels change.
// A `virtual` image (a large tiled image, TiledImageViewer) is drawn instead by its own `draw` onto a
// viewport-sized canvas (no CSS transform) whenever the view or the image's version changes; the
// interaction, the status line and the coordinates are the same.
//
// Mouse: wheel zooms about the cursor, drag pans, double-click fits. With a `tool` (e.g. click-to-
// segment), left/right presses and drags go to the tool in image coordinates and the middle button
// pans (double-click does not fit). Keyboard (viewport focused):
// + / − zoom, arrows pan (Shift: faster), 0 fits, 1 shows 1:1. The status line shows the zoom, the
// image coordinates under the cursor (or under the viewport centre while the keyboard is used)
// and what `readout(x, y)` says about that pixel.
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { physicalCoords, type PlaneAxes } from './render/scaleBar';
import { ScaleBar } from './ScaleBar';
import { formatWH } from './render/dims';

export interface Pixels {
  width: number;
  height: number;
  /** width·height·4 RGBA bytes. */
  data: Uint8ClampedArray;
}

export interface ViewTransform {
  zoom: number;
  tx: number;
  ty: number;
}

interface State extends ViewTransform {
  /** Follow the viewport size (fit) until the user zooms or pans. */
  fit: boolean;
}

/** A point in image coordinates (continuous: pixel (i, j) covers [i, i + 1) × [j, j + 1)), at any zoom. */
export interface ImagePoint {
  x: number;
  y: number;
}

/** Pointer input in image coordinates: given, it takes the left and right buttons (the middle button pans). */
export interface ImageTool {
  onDown(p: ImagePoint, e: PointerEvent<HTMLDivElement>): void;
  /** While a button is held. */
  onMove?(p: ImagePoint, e: PointerEvent<HTMLDivElement>): void;
  onUp?(p: ImagePoint, e: PointerEvent<HTMLDivElement>): void;
  onCancel?(): void;
  /** CSS cursor over the image (default crosshair). */
  cursor?: string;
}

/** Image coordinates of a viewport point (relative to the viewport's padding box) under transform `t`. */
export function viewportToImage(vx: number, vy: number, t: ViewTransform): ImagePoint {
  return { x: (vx - t.tx) / t.zoom, y: (vy - t.ty) / t.zoom };
}

/** An image too large for one canvas: it paints the visible part of itself for a transform. */
export interface VirtualImage {
  width: number;
  height: number;
  /** Bumped when what `draw` paints changed (a tile arrived, a new window): the canvas redraws. */
  version: number;
  /** Paint the viewport (`size` CSS pixels; the context is already scaled by the device pixel ratio). */
  draw(ctx: CanvasRenderingContext2D, t: ViewTransform, size: { width: number; height: number }): void;
}

export interface ImageCanvasProps {
  pixels: Pixels | null;
  /** Drawn instead of `pixels` (which is then null). */
  virtual?: VirtualImage | null;
  /** Told the transform and viewport size whenever either changes (a virtual image loads what is on screen). */
  onView?: (t: ViewTransform, size: { width: number; height: number }) => void;
  /** Written to the canvas's `data-drawn` right after each draw (tests and benchmarks wait for it: e.g. the slice shown). */
  drawnTag?: string;
  /** Accessible name of the viewport, e.g. "Image slice 3 of 10". */
  label: string;
  testId?: string;
  /** Text about image pixel (x, y) for the status line. */
  readout?: (x: number, y: number) => ReactNode;
  /** Drawn over the viewport (viewport coordinates; use the transform to place things on the image). */
  overlay?: (t: ViewTransform, size: { width: number; height: number }) => ReactNode;
  /** Extra keys (called first; call preventDefault to claim one). */
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** Extra controls at the right of the status line. */
  tools?: ReactNode;
  /** Pointer tool (click-to-segment): takes the left and right buttons; the middle button pans. */
  tool?: ImageTool;
  /** Physical axes: a scale bar and physical coordinates in the status line when x has a unit. */
  axes?: PlaneAxes | null;
  /** When it changes: pan (zoom kept) so this image point is at the viewport's centre, unless the whole image is fitted. */
  centre?: ImagePoint | null;
}

const ZOOM_STEP = 1.25;
const PAN_STEP = 40;

/** Client coordinates of the viewport's padding box (where the canvas is positioned). */
function origin(el: HTMLElement): { left: number; top: number } {
  const r = el.getBoundingClientRect();
  return { left: r.left + el.clientLeft, top: r.top + el.clientTop };
}

function fitState(vw: number, vh: number, w: number, h: number): State {
  if (!w || !h || !vw || !vh) return { zoom: 1, tx: 0, ty: 0, fit: true };
  const zoom = Math.min(vw / w, vh / h);
  return { zoom, tx: (vw - w * zoom) / 2, ty: (vh - h * zoom) / 2, fit: true };
}

export function ImageCanvas({
  pixels,
  virtual,
  onView,
  drawnTag,
  label,
  testId = 'viewer-canvas',
  readout,
  overlay,
  onKeyDown,
  tools,
  tool,
  axes,
  centre,
}: ImageCanvasProps) {
  const viewportRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [t, setT] = useState<State>({ zoom: 1, tx: 0, ty: 0, fit: true });
  const [hover, setHover] = useState<{ x: number; y: number } | null>(null);
  const [keyboard, setKeyboard] = useState(false);
  const drag = useRef<{ x: number; y: number; tx: number; ty: number; id: number } | null>(null);
  const toolPointer = useRef<number | null>(null);
  const helpId = useId();
  const w = pixels?.width ?? virtual?.width ?? 0;
  const h = pixels?.height ?? virtual?.height ?? 0;
  const version = useRef(0);

  // Draw at native resolution, synchronously after the pixels change.
  useLayoutEffect(() => {
    const c = canvasRef.current;
    if (!c || !pixels) return;
    if (c.width !== pixels.width) c.width = pixels.width;
    if (c.height !== pixels.height) c.height = pixels.height;
    const ctx = c.getContext('2d');
    if (!ctx || !pixels.width || !pixels.height) return;
    ctx.putImageData(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height), 0, 0);
    version.current += 1;
    c.dataset.version = String(version.current);
    if (drawnTag !== undefined) c.dataset.drawn = drawnTag;
  }, [pixels, drawnTag]);

  // Track the viewport size.
  useLayoutEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const measure = () => setSize((s) => (s.width === el.clientWidth && s.height === el.clientHeight ? s : { width: el.clientWidth, height: el.clientHeight }));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Fit when the image size changes, and follow the viewport while in fit mode.
  const lastDims = useRef('');
  useLayoutEffect(() => {
    const dims = `${w}x${h}`;
    const changed = dims !== lastDims.current;
    lastDims.current = dims;
    setT((cur) => (changed || cur.fit ? fitState(size.width, size.height, w, h) : cur));
  }, [w, h, size.width, size.height]);

  // A virtual image paints the viewport itself, after every change of view, size or content.
  useLayoutEffect(() => {
    const c = canvasRef.current;
    if (!c || !virtual || !size.width || !size.height) return;
    const dpr = window.devicePixelRatio || 1;
    const [cw, ch] = [Math.round(size.width * dpr), Math.round(size.height * dpr)];
    if (c.width !== cw) c.width = cw;
    if (c.height !== ch) c.height = ch;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    virtual.draw(ctx, t, size);
    version.current += 1;
    c.dataset.version = String(version.current);
    if (drawnTag !== undefined) c.dataset.drawn = drawnTag;
  }, [virtual, t, size, drawnTag]);

  useEffect(() => {
    onView?.(t, size);
  }, [onView, t, size]);

  useEffect(() => {
    if (centre) setT((cur) => (cur.fit ? cur : { ...cur, tx: size.width / 2 - centre.x * cur.zoom, ty: size.height / 2 - centre.y * cur.zoom }));
  }, [centre, size.width, size.height]);

  const limits = useCallback(() => {
    const fz = fitState(size.width, size.height, w, h).zoom;
    return [Math.min(fz, 1) / 4, Math.max(64, fz * 4)] as const;
  }, [size.width, size.height, w, h]);

  /** Zoom by `factor` keeping viewport point (cx, cy) fixed. */
  const zoomAt = useCallback(
    (factor: number, cx: number, cy: number) => {
      const [lo, hi] = limits();
      setT((cur) => {
        const zoom = Math.max(lo, Math.min(hi, cur.zoom * factor));
        const k = zoom / cur.zoom;
        return { zoom, tx: cx - (cx - cur.tx) * k, ty: cy - (cy - cur.ty) * k, fit: false };
      });
    },
    [limits],
  );

  const fit = useCallback(() => setT(fitState(size.width, size.height, w, h)), [size.width, size.height, w, h]);
  const oneToOne = useCallback(() => {
    setT((cur) => {
      const cx = size.width / 2;
      const cy = size.height / 2;
      const k = 1 / cur.zoom;
      return { zoom: 1, tx: cx - (cx - cur.tx) * k, ty: cy - (cy - cur.ty) * k, fit: false };
    });
  }, [size.width, size.height]);

  // Wheel: a non-passive native listener so the page does not scroll.
  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const o = origin(el);
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomAt(Math.exp(-dy * 0.0015), e.clientX - o.left, e.clientY - o.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  /** Image pixel under a client point, or null outside the image. */
  const imageAt = useCallback(
    (clientX: number, clientY: number) => {
      const el = viewportRef.current;
      if (!el || !w || !h) return null;
      const o = origin(el);
      const x = Math.floor((clientX - o.left - t.tx) / t.zoom);
      const y = Math.floor((clientY - o.top - t.ty) / t.zoom);
      return x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null;
    },
    [t, w, h],
  );

  /** Continuous image coordinates of a client point. */
  const imagePoint = (e: PointerEvent<HTMLDivElement>): ImagePoint => {
    const o = origin(e.currentTarget);
    return viewportToImage(e.clientX - o.left, e.clientY - o.top, t);
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (tool && (e.button === 0 || e.button === 2) && toolPointer.current === null) {
      e.currentTarget.setPointerCapture(e.pointerId);
      toolPointer.current = e.pointerId;
      tool.onDown(imagePoint(e), e);
      return;
    }
    if (e.button !== (tool ? 1 : 0)) return;
    if (tool) e.preventDefault(); // no autoscroll on middle-drag
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, tx: t.tx, ty: t.ty, id: e.pointerId };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    setKeyboard(false);
    if (tool && toolPointer.current === e.pointerId) tool.onMove?.(imagePoint(e), e);
    const d = drag.current;
    if (d && d.id === e.pointerId) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (dx || dy) setT((cur) => ({ ...cur, tx: d.tx + dx, ty: d.ty + dy, fit: false }));
    }
    setHover(imageAt(e.clientX, e.clientY));
  };
  const endDrag = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current?.id === e.pointerId) drag.current = null;
    if (toolPointer.current === e.pointerId) {
      toolPointer.current = null;
      if (e.type === 'pointerup') tool?.onUp?.(imagePoint(e), e);
      else tool?.onCancel?.();
    }
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    onKeyDown?.(e);
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const step = e.shiftKey ? PAN_STEP * 5 : PAN_STEP;
    const cx = size.width / 2;
    const cy = size.height / 2;
    let handled = true;
    switch (e.key) {
      case '+':
      case '=':
        zoomAt(ZOOM_STEP, cx, cy);
        break;
      case '-':
      case '_':
        zoomAt(1 / ZOOM_STEP, cx, cy);
        break;
      case '0':
        fit();
        break;
      case '1':
        oneToOne();
        break;
      case 'ArrowLeft':
        setT((c) => ({ ...c, tx: c.tx + step, fit: false }));
        break;
      case 'ArrowRight':
        setT((c) => ({ ...c, tx: c.tx - step, fit: false }));
        break;
      case 'ArrowUp':
        setT((c) => ({ ...c, ty: c.ty + step, fit: false }));
        break;
      case 'ArrowDown':
        setT((c) => ({ ...c, ty: c.ty - step, fit: false }));
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      setKeyboard(true);
    }
  };

  // While the keyboard drives, read out the pixel at the viewport centre.
  let probe = hover;
  if (keyboard && w && h) {
    const x = Math.floor((size.width / 2 - t.tx) / t.zoom);
    const y = Math.floor((size.height / 2 - t.ty) / t.zoom);
    probe = x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null;
  }
  const probeInside = probe && probe.x < w && probe.y < h ? probe : null;
  const physical = axes && probeInside ? physicalCoords(axes, probeInside.x, probeInside.y) : null;

  return (
    <div className="image-canvas">
      <div
        ref={viewportRef}
        className="image-viewport"
        data-testid={`${testId}-viewport`}
        data-zoom={t.zoom}
        data-tx={t.tx}
        data-ty={t.ty}
        tabIndex={0}
        role="application"
        aria-roledescription="image viewer"
        aria-label={label}
        aria-describedby={helpId}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onPointerLeave={() => setHover(null)}
        onDoubleClick={tool ? undefined : fit}
        onContextMenu={tool ? (e) => e.preventDefault() : undefined}
        data-tool={tool ? 'on' : undefined}
        style={tool ? { cursor: tool.cursor ?? 'crosshair' } : undefined}
        onKeyDown={onKey}
      >
        <canvas
          ref={canvasRef}
          data-testid={testId}
          data-width={w}
          data-height={h}
          className={virtual ? undefined : t.zoom >= 1 ? 'pixelated' : undefined}
          style={virtual ? { width: size.width, height: size.height } : { transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.zoom})` }}
          data-mode={virtual ? 'tiled' : undefined}
          aria-hidden="true"
        />
        {overlay?.(t, size)}
        {axes?.x.unit && <ScaleBar axis={axes.x} zoom={t.zoom} />}
      </div>
      <div className="viewer-status" data-testid="viewer-status">
        <span className="mono" title="Zoom">
          {Math.round(t.zoom * 100)}%
        </span>
        {probeInside ? (
          <>
            <span className="mono" data-testid="viewer-coords">
              x {probeInside.x}, y {probeInside.y}
            </span>
            {physical && (
              <span className="mono" data-testid="viewer-physical">
                {physical}
              </span>
            )}
            <span className="mono readout" data-testid="viewer-readout">
              {readout?.(probeInside.x, probeInside.y)}
            </span>
          </>
        ) : (
          <span className="muted" data-testid="viewer-size" title="width × height in pixels">
            {formatWH(w, h)} px
          </span>
        )}
        <span className="grow" />
        <span id={helpId} className="sr-only">
          Wheel or plus and minus keys zoom, drag or arrow keys pan, double-click or 0 fits, 1 shows actual pixels.
        </span>
        {tools}
        <button
          type="button"
          className="small"
          onClick={() => zoomAt(1 / ZOOM_STEP, size.width / 2, size.height / 2)}
          aria-label="Zoom out"
          title="Zoom out (−)"
        >
          −
        </button>
        <button type="button" className="small" onClick={() => zoomAt(ZOOM_STEP, size.width / 2, size.height / 2)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" className="small" onClick={oneToOne} title="Actual pixels (1)">
          1:1
        </button>
        <button type="button" className="small" onClick={fit} data-testid="viewer-fit" title="Fit (0 or double-click)">
          Fit
        </button>
      </div>
    </div>
  );
}
