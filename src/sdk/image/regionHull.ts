// The convex hull image of a 2-D region as skimage 0.19.3's convex_hull_image computes it, reduced to
// what regionprops needs (its pixel count, `area_convex`, for `solidity`): the hull of the pixels'
// edge midpoints (each pixel (r, c) offset by ±0.5 along each axis, `_offsets_diamond`), and the grid
// points inside it or on its boundary (`grid_points_in_poly` returns 1 inside, 2 on a vertex, 3 on an
// edge, all true as a bool mask).
//
// Exactness: coordinates are doubled so that every vertex is an integer ((2r ± 1, 2c) and (2r, 2c ± 1));
// the hull (Andrew's monotone chain, collinear points dropped) and the per-row extent of the polygon
// are computed with integers, so the pixel count is exact. Only the extreme pixels of each row of the
// region matter (skimage's `possible_hull` keeps the first and last pixel of each row and column):
// callers pass each row's leftmost and rightmost column.

/** Appends the doubled diamond points of row r's extreme pixels [c0, c1] to `out` as sort keys (see keyOf). */
export function pushRowPoints(out: { keys: Float64Array; n: number }, r: number, c0: number, c1: number, width: number): void {
  if (out.n + 6 > out.keys.length) {
    const k = new Float64Array(out.keys.length * 2);
    k.set(out.keys);
    out.keys = k;
  }
  const W = 2 * width + 4;
  const x = 2 * r + 1; // shifted by +1 so that keys are non-negative
  const keys = out.keys;
  let n = out.n;
  keys[n++] = (x - 1) * W + 2 * c0 + 1;
  keys[n++] = (x - 1) * W + 2 * c1 + 1;
  keys[n++] = x * W + 2 * c0;
  keys[n++] = x * W + 2 * c1 + 2;
  keys[n++] = (x + 1) * W + 2 * c0 + 1;
  keys[n++] = (x + 1) * W + 2 * c1 + 1;
  out.n = n;
}

const cross = (ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number => (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);

/**
 * Convex hull (counter-clockwise in (x, y), no collinear vertices) of points given as keys
 * `(x + 1) · (2·width + 4) + (y + 1)` of doubled coordinates; sorts `keys` in place. Returns [x0, y0, x1, y1, …].
 */
export function hullOfKeys(keys: Float64Array, width: number): Int32Array {
  keys.sort();
  const W = 2 * width + 4;
  const n = keys.length;
  const xs = new Int32Array(n);
  const ys = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && keys[i] === keys[i - 1]) continue;
    const k = keys[i]!;
    const x = Math.floor(k / W);
    xs[m] = x - 1;
    ys[m] = k - x * W - 1;
    m++;
  }
  const hx = new Int32Array(2 * m + 1);
  const hy = new Int32Array(2 * m + 1);
  let h = 0;
  for (let i = 0; i < m; i++) {
    while (h >= 2 && cross(hx[h - 2]!, hy[h - 2]!, hx[h - 1]!, hy[h - 1]!, xs[i]!, ys[i]!) <= 0) h--;
    hx[h] = xs[i]!;
    hy[h++] = ys[i]!;
  }
  const lower = h + 1;
  for (let i = m - 2; i >= 0; i--) {
    while (h >= lower && cross(hx[h - 2]!, hy[h - 2]!, hx[h - 1]!, hy[h - 1]!, xs[i]!, ys[i]!) <= 0) h--;
    hx[h] = xs[i]!;
    hy[h++] = ys[i]!;
  }
  const v = Math.max(1, h - 1);
  const out = new Int32Array(2 * v);
  for (let i = 0; i < v; i++) {
    out[2 * i] = hx[i]!;
    out[2 * i + 1] = hy[i]!;
  }
  return out;
}

/** Keys of the vertices of hulls (the input of hullOfKeys again: the hull of a union is the hull of the union of hulls). */
export function keysOfHulls(hulls: readonly Int32Array[], width: number): Float64Array {
  const W = 2 * width + 4;
  const keys = new Float64Array(hulls.reduce((s, h) => s + h.length / 2, 0));
  let n = 0;
  for (const h of hulls) for (let i = 0; i < h.length; i += 2) keys[n++] = (h[i]! + 1) * W + h[i + 1]! + 1;
  return keys;
}

/**
 * Number of integer grid points (r, c), r in [r0, r1], inside or on the polygon `hull` (doubled
 * coordinates, as hullOfKeys returns): skimage's `np.sum(convex_hull_image(region))`.
 */
export function gridPointsInHull(hull: Int32Array, r0: number, r1: number): number {
  const v = hull.length / 2;
  let total = 0;
  for (let r = r0; r <= r1; r++) {
    const X = 2 * r;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v; i++) {
      const j = (i + 1) % v;
      const xa = hull[2 * i]!;
      const ya = hull[2 * i + 1]!;
      const xb = hull[2 * j]!;
      const yb = hull[2 * j + 1]!;
      if (xa === X) {
        lo = Math.min(lo, Math.ceil(ya / 2));
        hi = Math.max(hi, Math.floor(ya / 2));
      }
      if ((xa < X && X < xb) || (xb < X && X < xa)) {
        // y = ya + (yb − ya)(X − xa)/(xb − xa): exact integer numerator over a positive denominator, halved.
        let num = ya * (xb - xa) + (yb - ya) * (X - xa);
        let den = xb - xa;
        if (den < 0) [num, den] = [-num, -den];
        lo = Math.min(lo, Math.ceil(num / (2 * den)));
        hi = Math.max(hi, Math.floor(num / (2 * den)));
      }
    }
    if (hi >= lo) total += hi - lo + 1;
  }
  return total;
}
