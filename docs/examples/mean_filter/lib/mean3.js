// A 3-point mean along every axis in turn (a 3×3 or 3×3×3 box mean), edges replicated, computed in
// float64 and returned as float32. No imports: the tests compute the whole-array reference with it.

/** The box mean of an NDArray {dtype, shape, data} of 1 to 3 dimensions, as float32. */
export function meanFilter(a) {
  const shape = a.shape;
  let cur = Float64Array.from(a.data);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  for (let axis = 0; axis < shape.length; axis++) {
    const n = shape[axis];
    const s = strides[axis];
    const next = new Float64Array(cur.length);
    for (let i = 0; i < cur.length; i++) {
      const k = Math.floor(i / s) % n;
      const lo = k > 0 ? cur[i - s] : cur[i];
      const hi = k < n - 1 ? cur[i + s] : cur[i];
      next[i] = (lo + cur[i] + hi) / 3;
    }
    cur = next;
  }
  return { dtype: "float32", shape: [...shape], data: Float32Array.from(cur) };
}
