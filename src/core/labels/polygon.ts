// Polygon and lasso fill: the pixels whose centres lie inside the polygon or on its boundary
// (scanline, even-odd rule; vertices in pixel-centre coordinates: pixel (x, y) is the point (x, y)),
// as skimage.draw.polygon (0.19) fills (row, col) vertices (tests/fixtures/labels_polygon.json).
// A lasso is the same fill over the freehand path's points.
import type { ChangeBuilder } from './change';
import type { LabelSlice, Rect } from './slice';

/** The pixels (x, y) inside polygon `pts` ([x0, y0, x1, y1, …], pixel-centre coordinates), clipped to the slice. */
export function polygonPixels(pts: readonly number[], width: number, height: number): number[] {
  const n = pts.length / 2;
  if (n < 3) return [];
  let [ymin, ymax] = [Infinity, -Infinity];
  for (let k = 1; k < pts.length; k += 2) {
    ymin = Math.min(ymin, pts[k]!);
    ymax = Math.max(ymax, pts[k]!);
  }
  const out: number[] = [];
  const xs: number[] = [];
  for (let y = Math.max(0, Math.ceil(ymin)); y <= Math.min(height - 1, Math.floor(ymax)); y++) {
    xs.length = 0;
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const [xa, ya, xb, yb] = [pts[2 * a]!, pts[2 * a + 1]!, pts[2 * b]!, pts[2 * b + 1]!];
      // Half-open in y so a vertex on the scanline is counted once.
      if (ya > y !== yb > y) xs.push(xa + ((y - ya) * (xb - xa)) / (yb - ya));
    }
    xs.sort((p, q) => p - q);
    const row = new Set<number>();
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k]! - EPS)); x <= Math.min(width - 1, Math.floor(xs[k + 1]! + EPS)); x++) row.add(x);
    }
    for (const x of boundaryOnRow(pts, y)) if (x >= 0 && x < width) row.add(x);
    for (const x of [...row].sort((p, q) => p - q)) out.push(x, y);
  }
  return out;
}

const EPS = 1e-9;

/** Integer x of the points on the polygon's edges at row y (horizontal edges: every integer x along them). */
function boundaryOnRow(pts: readonly number[], y: number): number[] {
  const n = pts.length / 2;
  const out: number[] = [];
  for (let a = 0, b = n - 1; a < n; b = a++) {
    const [xa, ya, xb, yb] = [pts[2 * a]!, pts[2 * a + 1]!, pts[2 * b]!, pts[2 * b + 1]!];
    if (y < Math.min(ya, yb) || y > Math.max(ya, yb)) continue;
    if (ya === yb) {
      for (let x = Math.ceil(Math.min(xa, xb) - EPS); x <= Math.floor(Math.max(xa, xb) + EPS); x++) out.push(x);
      continue;
    }
    const x = xa + ((y - ya) * (xb - xa)) / (yb - ya);
    if (Math.abs(x - Math.round(x)) < EPS) out.push(Math.round(x));
  }
  return out;
}

/** Fill a polygon with `value` (preserve: only over background); the rectangle changed, or null. */
export function fillPolygon(s: LabelSlice, ch: ChangeBuilder, pts: readonly number[], value: number, preserve = false): Rect | null {
  const px = polygonPixels(pts, s.width, s.height);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let k = 0; k < px.length; k += 2) {
    const [x, y] = [px[k]!, px[k + 1]!];
    const i = y * s.width + x;
    if (preserve && value !== 0 && s.data[i] !== 0) continue;
    if (!ch.set(i, value)) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}
