// The smallest positive gap between consecutive distinct values of data seen block by block, as
// `np.diff(np.unique(image))` gives it in memory (threshold_li's default tolerance is half of it),
// without ever holding all values: the distinct values are visited in ascending windows of at most
// `budget` values, one pass over the blocks per window. Each pass keeps the `budget` smallest distinct
// values above the previous window's largest (a bounded sorted set, merged from a pending buffer
// sorted in batches); gaps are taken inside each window and across consecutive windows, so every pair
// of globally consecutive distinct values is seen once. Most images need one pass (at most `budget`
// distinct values); an image of D distinct values needs ceil(D / budget) passes.

type Num = ArrayLike<number>;

/** Distinct values per window: 2^22 (each window holds about three float64 arrays of this size). */
export const DISTINCT_BUDGET = 1 << 22;

/** The `budget` smallest distinct values above `above`, fed in batches. */
class SmallestDistinct {
  private window = new Float64Array(0);
  private readonly pending: Float64Array;
  private fill = 0;
  private cutoff = Infinity;

  constructor(
    private readonly budget: number,
    private readonly above: number,
  ) {
    this.pending = new Float64Array(budget);
  }

  add(d: Num): void {
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      // v < cutoff also drops NaN; values at the cutoff are already in a full window.
      if (v > this.above && v < this.cutoff) {
        this.pending[this.fill++] = v;
        if (this.fill === this.budget) this.flush();
      }
    }
  }

  /** Ascending distinct values (at most `budget`). */
  result(): Float64Array {
    this.flush();
    return this.window;
  }

  private flush(): void {
    if (this.fill === 0) return;
    const p = this.pending.subarray(0, this.fill).sort();
    const w = this.window;
    const out = new Float64Array(Math.min(this.budget, w.length + p.length));
    let i = 0;
    let j = 0;
    let m = 0;
    while (m < out.length && (i < w.length || j < p.length)) {
      const v = j >= p.length || (i < w.length && w[i]! <= p[j]!) ? w[i++]! : p[j++]!;
      if (m === 0 || out[m - 1] !== v) out[m++] = v;
    }
    this.window = out.subarray(0, m);
    this.fill = 0;
    if (m === this.budget) this.cutoff = this.window[m - 1]!;
  }
}

/**
 * Smallest positive difference between consecutive distinct values of all blocks `pass()` yields
 * (Infinity with fewer than two distinct values), the difference computed in float32 with `f32` (numpy's
 * np.diff of a float32 array). NaN values are ignored. Passes: one per window of `budget` distinct values.
 */
export async function minPositiveGapOfBlocks(pass: () => AsyncIterable<Num> | Iterable<Num>, f32: boolean, budget: number = DISTINCT_BUDGET): Promise<number> {
  if (!Number.isInteger(budget) || budget < 2) throw new Error(`minPositiveGapOfBlocks: budget must be an integer ≥ 2, got ${budget}.`);
  const gap = (a: number, b: number) => (f32 ? Math.fround(b - a) : b - a);
  let best = Infinity;
  let last = -Infinity;
  for (;;) {
    const sel = new SmallestDistinct(budget, last);
    for await (const d of pass()) sel.add(d);
    const w = sel.result();
    if (w.length === 0) return best;
    if (last !== -Infinity) best = Math.min(best, gap(last, w[0]!));
    for (let i = 1; i < w.length; i++) {
      const g = gap(w[i - 1]!, w[i]!);
      if (g > 0 && g < best) best = g;
    }
    if (w.length < budget) return best;
    last = w[w.length - 1]!;
  }
}
