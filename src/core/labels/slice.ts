// One 2-D label slice being edited: its values (Int32Array, row-major) and size.

export interface LabelSlice {
  width: number;
  height: number;
  data: Int32Array;
}

/** A rectangle [x0, y0, x1, y1) in pixels (x1, y1 exclusive). */
export type Rect = [number, number, number, number];

/** The union of two rectangles (either may be null). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** The label under pixel (x, y) (0 outside the slice). */
export function pickLabel(s: LabelSlice, x: number, y: number): number {
  const [i, j] = [Math.floor(x), Math.floor(y)];
  if (i < 0 || j < 0 || i >= s.width || j >= s.height) return 0;
  return s.data[j * s.width + i]!;
}

/** The largest label of the values (0 when there is none). */
export function maxLabel(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

/** "New label": one more than the largest label of all the slices given. */
export function newLabel(slices: Iterable<ArrayLike<number>>): number {
  let m = 0;
  for (const s of slices) m = Math.max(m, maxLabel(s));
  return m + 1;
}
