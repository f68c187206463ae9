// The click-to-segment prompt list as the user builds it (pure, unit-tested): clicks become points
// at the pixel under the pointer, drags become one box (a new box replaces the previous one), Undo
// removes the last edit. `promptsOf` turns the list (plus a box being dragged) into the request.
import type { ImagePoint } from './ImageCanvas';

export type PromptEdit = { kind: 'point'; x: number; y: number; label: 0 | 1 } | { kind: 'box'; box: [number, number, number, number] };

export interface PromptRequest {
  points: [number, number, 0 | 1][];
  box?: [number, number, number, number];
}

/** Screen pixels a press must move before it is a drag (a box) rather than a click. */
export const DRAG_THRESHOLD_PX = 4;

/** The pixel (column, row) under an image point, or null outside a w×h image. */
export function pixelAt(p: ImagePoint, width: number, height: number): { x: number; y: number } | null {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  return x >= 0 && y >= 0 && x < width && y < height ? { x, y } : null;
}

/** The box between two image points, snapped to pixel edges and clipped to the image; null when empty. */
export function boxBetween(a: ImagePoint, b: ImagePoint, width: number, height: number): [number, number, number, number] | null {
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, Math.round(v)));
  const x0 = clamp(Math.min(a.x, b.x), width);
  const x1 = clamp(Math.max(a.x, b.x), width);
  const y0 = clamp(Math.min(a.y, b.y), height);
  const y1 = clamp(Math.max(a.y, b.y), height);
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : null;
}

/** The request for a list of edits: every point, and the last box (or the one being dragged). Null when empty. */
export function promptsOf(edits: readonly PromptEdit[], dragging: [number, number, number, number] | null = null): PromptRequest | null {
  const points: PromptRequest['points'] = [];
  let box: PromptRequest['box'] | undefined;
  for (const e of edits) {
    if (e.kind === 'point') points.push([e.x, e.y, e.label]);
    else box = e.box;
  }
  if (dragging) box = dragging;
  if (!points.length && !box) return null;
  return box ? { points, box } : { points };
}

/** A short description of an edit for the prompt list. */
export function describeEdit(e: PromptEdit): string {
  if (e.kind === 'point') return `${e.label ? '+ object' : '− background'} (${e.x}, ${e.y})`;
  const [x0, y0, x1, y1] = e.box;
  return `box (${x0}, ${y0})–(${x1}, ${y1})`;
}
