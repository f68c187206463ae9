// The click-to-segment pointer tool (PromptSegmenter and the Annotate SAM tool): left click = object
// point, Shift-click or right click = background point, drag = box (live while dragging). The handlers
// only record the press and call back: decoding happens elsewhere (latest-wins), never in them.
import type { ImagePoint, ImageTool } from './ImageCanvas';
import { DRAG_THRESHOLD_PX, boxBetween, pixelAt, type PromptEdit } from './promptEdits';

export type Box = [number, number, number, number];

/** A press in progress (kept across renders in a ref). */
export interface PromptPress {
  start: ImagePoint;
  screen: { x: number; y: number };
  negative: boolean;
  dragging: boolean;
}

export const sameBox = (a: Box | null, b: Box | null) => a === b || (!!a && !!b && a.every((v, i) => v === b[i]));

export interface PromptToolHost {
  press: { current: PromptPress | null };
  width: number;
  height: number;
  /** The box being dragged (null: none). */
  dragBox(b: Box | null): void;
  /** A finished click (point) or drag (box). */
  add(e: PromptEdit): void;
}

export function promptTool(h: PromptToolHost): ImageTool {
  return {
    onDown(p, e) {
      h.press.current = { start: p, screen: { x: e.clientX, y: e.clientY }, negative: e.button === 2 || e.shiftKey, dragging: false };
    },
    onMove(p, e) {
      const pr = h.press.current;
      if (!pr || pr.negative) return;
      if (!pr.dragging && Math.hypot(e.clientX - pr.screen.x, e.clientY - pr.screen.y) < DRAG_THRESHOLD_PX) return;
      pr.dragging = true;
      h.dragBox(boxBetween(pr.start, p, h.width, h.height));
    },
    onUp(p) {
      const pr = h.press.current;
      h.press.current = null;
      if (!pr) return;
      if (pr.dragging) {
        const b = boxBetween(pr.start, p, h.width, h.height);
        h.dragBox(null);
        if (b) h.add({ kind: 'box', box: b });
        return;
      }
      const px = pixelAt(pr.start, h.width, h.height);
      if (px) h.add({ kind: 'point', x: px.x, y: px.y, label: pr.negative ? 0 : 1 });
    },
    onCancel() {
      h.press.current = null;
      h.dragBox(null);
    },
  };
}
