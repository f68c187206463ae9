// Flood fill: the 4-connected region (connectivity 1, within the slice) of the clicked pixel's label
// becomes `value` (filling background fills the enclosed background region). Scanline fill, no recursion.
import type { ChangeBuilder } from './change';
import type { LabelSlice, Rect } from './slice';

/** Fill from pixel (x, y); the rectangle changed, or null (outside, or the region already has `value`). */
export function floodFill(s: LabelSlice, ch: ChangeBuilder, x: number, y: number, value: number): Rect | null {
  const { width, height, data } = s;
  const [px, py] = [Math.floor(x), Math.floor(y)];
  if (px < 0 || py < 0 || px >= width || py >= height) return null;
  const target = data[py * width + px]!;
  if (target === value) return null;
  let [x0, y0, x1, y1] = [px, py, px, py];
  const stack = [px, py];
  while (stack.length) {
    const sy = stack.pop()!;
    const sx = stack.pop()!;
    let l = sx;
    const row = sy * width;
    if (data[row + l] !== target) continue;
    while (l > 0 && data[row + l - 1] === target) l--;
    let r = sx;
    while (r < width - 1 && data[row + r + 1] === target) r++;
    for (let i = l; i <= r; i++) ch.set(row + i, value);
    if (l < x0) x0 = l;
    if (r > x1) x1 = r;
    if (sy < y0) y0 = sy;
    if (sy > y1) y1 = sy;
    for (const ny of [sy - 1, sy + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      let i = l;
      while (i <= r) {
        if (data[nrow + i] === target) {
          stack.push(i, ny);
          while (i <= r && data[nrow + i] === target) i++;
        } else i++;
      }
    }
  }
  return [x0, y0, x1 + 1, y1 + 1];
}
