// The ImageCanvas tool of the Annotate mode: pointer events in image coordinates → label edits.
// Brush / eraser: one history step per pointer-down…up, the segment between two events stamped so a
// fast drag leaves no gaps. Fill and pick act on the press; polygon collects clicked vertices (pixel
// centres) until Enter, a double-click or a click on the first vertex; lasso collects the drag's path
// and fills it on release. Each event's time (handler and drawing) is recorded for the benchmark.
import { paintSegment } from '../../../core/labels/brush';
import { floodFill } from '../../../core/labels/fill';
import type { LabelLayer, LayerEdit } from '../../../core/labels/layer';
import { fillPolygon } from '../../../core/labels/polygon';
import { pickLabel, unionRect, type Rect } from '../../../core/labels/slice';
import type { ImagePoint, ImageTool } from '../ImageCanvas';
import type { AnnotateTool } from './shortcuts';

export interface ToolSettings {
  tool: AnnotateTool;
  label: number;
  size: number;
  preserve: boolean;
}

export interface ToolHost {
  layer: LabelLayer;
  slice: number;
  settings: ToolSettings;
  /** The slice is loaded and may be edited. */
  ready: boolean;
  paint(r: Rect | null): void;
  committed(): void;
  pick(label: number): void;
  /** The polygon / lasso path changed (pixel-centre vertices; empty: none). */
  path(points: number[]): void;
}

/** Per-event times (ms) for the benchmark: handler plus drawing. */
const timings: number[] = [];
(globalThis as { __algoboxAnnotateEventMs?: number[] }).__algoboxAnnotateEventMs = timings;

const timed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  timings.push(performance.now() - t0);
  if (timings.length > 5000) timings.splice(0, timings.length - 5000);
};

const pixel = (p: ImagePoint): [number, number] => [Math.floor(p.x), Math.floor(p.y)];

/** The mutable state of a pointer tool between events (kept across renders). */
export interface ToolState {
  edit: LayerEdit | null;
  last: ImagePoint | null;
  vertices: number[];
  lastDown: number;
}

export function newToolState(): ToolState {
  return { edit: null, last: null, vertices: [], lastDown: 0 };
}

/** Close the polygon (or lasso path) in `st` and fill it: one history step. */
export function finishPath(host: ToolHost, st: ToolState): void {
  const pts = st.vertices;
  st.vertices = [];
  host.path([]);
  if (pts.length < 6) return;
  const e = host.layer.begin(host.slice, host.settings.tool);
  const r = fillPolygon(host.layer.slice(host.slice), e.builder, pts, host.settings.label, host.settings.preserve);
  host.layer.commit(e);
  host.paint(r);
  host.committed();
}

export function pointerTool(host: ToolHost, st: ToolState, zoom: () => number): ImageTool {
  const { layer, settings } = host;
  const paintTo = (p: ImagePoint) => {
    const e = st.edit;
    if (!e || !st.last) return;
    const value = settings.tool === 'eraser' ? 0 : settings.label;
    const r = paintSegment(layer.slice(host.slice), e.builder, st.last, p, {
      value,
      size: settings.size,
      preserve: settings.preserve,
      selected: settings.label,
    });
    st.last = p;
    e.rect = unionRect(e.rect, r);
    host.paint(r);
  };
  return {
    cursor: settings.tool === 'pick' ? 'copy' : 'crosshair',
    onDown(p) {
      if (!host.ready) return;
      timed(() => {
        const [x, y] = pixel(p);
        switch (settings.tool) {
          case 'brush':
          case 'eraser':
            st.edit = layer.begin(host.slice, settings.tool);
            st.last = p;
            paintTo(p);
            break;
          case 'fill': {
            const s = layer.slice(host.slice);
            if (settings.preserve && pickLabel(s, x, y) !== 0) break;
            const e = layer.begin(host.slice, 'fill');
            const r = floodFill(s, e.builder, x, y, settings.label);
            layer.commit(e);
            host.paint(r);
            host.committed();
            break;
          }
          case 'pick':
            host.pick(pickLabel(layer.slice(host.slice), x, y));
            break;
          case 'polygon': {
            const now = performance.now();
            const n = st.vertices.length;
            // A double-click: a second press on the last vertex within 350 ms.
            const double = now - st.lastDown < 350 && st.vertices[n - 2] === x && st.vertices[n - 1] === y;
            st.lastDown = now;
            const [fx, fy] = [st.vertices[0], st.vertices[1]];
            const onFirst = fx !== undefined && fy !== undefined && Math.hypot(fx - x, fy - y) * zoom() < 8 && n >= 6;
            if (double || onFirst) {
              finishPath(host, st);
              break;
            }
            st.vertices.push(x, y);
            host.path([...st.vertices]);
            break;
          }
          case 'lasso':
            st.vertices = [x, y];
            host.path([...st.vertices]);
            break;
        }
      });
    },
    onMove(p) {
      if (settings.tool === 'lasso' && st.vertices.length) {
        const [x, y] = pixel(p);
        const n = st.vertices.length;
        if (st.vertices[n - 2] !== x || st.vertices[n - 1] !== y) {
          st.vertices.push(x, y);
          host.path([...st.vertices]);
        }
        return;
      }
      if (st.edit) timed(() => paintTo(p));
    },
    onUp() {
      if (settings.tool === 'lasso') {
        finishPath(host, st);
        return;
      }
      const e = st.edit;
      st.edit = null;
      st.last = null;
      if (e) {
        layer.commit(e);
        host.committed();
      }
    },
    onCancel() {
      const e = st.edit;
      st.edit = null;
      if (e) {
        layer.commit(e);
        host.committed();
      }
    },
  };
}
