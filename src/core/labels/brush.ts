// Brush and eraser: a disc of diameter `size` pixels centred on the pixel under the pointer (napari's
// Labels layer: a pixel is in the disc when its centre lies within size/2 of the centre pixel's
// centre; size 1 is the pixel alone), stamped along the segment between two pointer events so a fast
// drag leaves no gaps. "Preserve labels" paints only over the background (and the eraser then erases
// only the selected label).
import type { ChangeBuilder } from './change';
import type { LabelSlice, Rect } from './slice';

/** The disc's offsets (dx, dy) for a brush of diameter `size` (≥ 1). */
export function discOffsets(size: number): Int32Array {
  const d = Math.max(1, Math.round(size));
  const r = d / 2;
  const reach = Math.floor(r);
  const out: number[] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= r * r || (dx === 0 && dy === 0)) out.push(dx, dy);
  }
  return Int32Array.from(out);
}

export interface PaintOptions {
  /** The value written (0 for the eraser). */
  value: number;
  size: number;
  /** Paint only over background (the eraser: erase only `selected`). */
  preserve?: boolean;
  /** The selected label (the eraser with `preserve`). */
  selected?: number;
}

/** The pixel centres a stroke from a to b visits (Bresenham on the floored points, both ends included). */
export function strokePixels(ax: number, ay: number, bx: number, by: number): number[] {
  let [x, y] = [Math.floor(ax), Math.floor(ay)];
  const [x1, y1] = [Math.floor(bx), Math.floor(by)];
  const dx = Math.abs(x1 - x);
  const dy = -Math.abs(y1 - y);
  const sx = x < x1 ? 1 : -1;
  const sy = y < y1 ? 1 : -1;
  let err = dx + dy;
  const out = [x, y];
  while (x !== x1 || y !== y1) {
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
    out.push(x, y);
  }
  return out;
}

/** Stamp the disc at pixel (cx, cy); returns the rectangle it covers within the slice, or null. */
export function stamp(s: LabelSlice, ch: ChangeBuilder, cx: number, cy: number, disc: Int32Array, o: PaintOptions): Rect | null {
  const { width, height, data } = s;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let k = 0; k < disc.length; k += 2) {
    const x = cx + disc[k]!;
    const y = cy + disc[k + 1]!;
    if (x < 0 || y < 0 || x >= width || y >= height) continue;
    const i = y * width + x;
    if (o.preserve) {
      const cur = data[i]!;
      if (o.value !== 0 && cur !== 0) continue;
      if (o.value === 0 && cur !== o.selected) continue;
    }
    ch.set(i, o.value);
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** Paint the segment from a to b (image coordinates; a === b for a click); the rectangle touched, or null. */
export function paintSegment(s: LabelSlice, ch: ChangeBuilder, a: { x: number; y: number }, b: { x: number; y: number }, o: PaintOptions): Rect | null {
  const disc = discOffsets(o.size);
  const pts = strokePixels(a.x, a.y, b.x, b.y);
  let box: Rect | null = null;
  for (let k = 0; k < pts.length; k += 2) {
    const r = stamp(s, ch, pts[k]!, pts[k + 1]!, disc, o);
    if (!r) continue;
    box = box ? [Math.min(box[0], r[0]), Math.min(box[1], r[1]), Math.max(box[2], r[2]), Math.max(box[3], r[3])] : r;
  }
  return box;
}
