// Histograms of any numeric data (typed arrays or plain lists), one pass, no per-element allocation.
// NaN and ±Infinity are counted apart and never binned. Pure, no DOM.

export interface FiniteRange {
  /** Smallest and largest finite values (NaN when there is none). */
  min: number;
  max: number;
  /** Number of finite values. */
  finite: number;
  nan: number;
  inf: number;
}

/** Smallest and largest finite values of `data[start, end)`, every `step`-th element. */
export function finiteRange(data: ArrayLike<number>, start = 0, end = data.length, step = 1): FiniteRange {
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  let seen = 0;
  for (let i = start; i < end; i += step) {
    seen++;
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v !== v) nan++;
  }
  // Infinities were taken as min/max above; count them apart and recompute only when there are any.
  if (min === -Infinity || max === Infinity) {
    min = Infinity;
    max = -Infinity;
    for (let i = start; i < end; i += step) {
      const v = data[i]!;
      if (v === Infinity || v === -Infinity) {
        inf++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const finite = seen - nan - inf;
  if (finite === 0) return { min: NaN, max: NaN, finite, nan, inf };
  return { min, max, finite, nan, inf };
}

/**
 * Add the finite values of `data` (every `step`-th) to `counts`: `counts.length` equal bins over
 * [lo, hi], the last bin closed (a value equal to hi goes into it); values outside [lo, hi] are not counted.
 */
export function binInto(data: ArrayLike<number>, lo: number, hi: number, counts: Uint32Array | Float64Array, step = 1): void {
  const bins = counts.length;
  const n = data.length;
  if (!(hi > lo)) {
    // Degenerate range: everything equal to lo goes into bin 0.
    for (let i = 0; i < n; i += step) if (data[i] === lo) counts[0]!++;
    return;
  }
  const scale = bins / (hi - lo);
  const last = bins - 1;
  for (let i = 0; i < n; i += step) {
    const v = data[i]!;
    if (!(v >= lo && v <= hi)) continue; // also skips NaN
    let b = ((v - lo) * scale) | 0;
    if (b > last) b = last;
    counts[b]!++;
  }
}

export interface Histogram {
  /** bins + 1 edges, increasing; bin i is [edges[i], edges[i+1]) and the last bin is closed. */
  edges: Float64Array;
  counts: Uint32Array;
  /** Bin centres (for plotting). */
  centres: Float64Array;
  range: FiniteRange;
}

export interface HistogramOptions {
  /** Number of bins (default 64). */
  bins?: number;
  /** Bin range (default: the finite min and max; a constant array gets [v − 0.5, v + 0.5]). */
  range?: [number, number];
  /**
   * Integer data: when the value range has at most `bins` integers, use one bin per integer
   * (edges at v − 0.5), so every bar is one value.
   */
  integer?: boolean;
}

/** Histogram of the finite values. */
export function histogram(data: ArrayLike<number>, opts: HistogramOptions = {}): Histogram {
  const range = finiteRange(data);
  let bins = Math.max(1, Math.floor(opts.bins ?? 64));
  let lo: number;
  let hi: number;
  if (opts.range) [lo, hi] = opts.range;
  else if (range.finite === 0) [lo, hi] = [0, 1];
  else if (opts.integer && range.max - range.min + 1 <= bins) {
    bins = range.max - range.min + 1;
    lo = range.min - 0.5;
    hi = range.max + 0.5;
  } else if (range.max === range.min) [lo, hi] = [range.min - 0.5, range.max + 0.5];
  else [lo, hi] = [range.min, range.max];
  const counts = new Uint32Array(bins);
  binInto(data, lo, hi, counts);
  const edges = new Float64Array(bins + 1);
  const centres = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i === bins ? hi : lo + i * w;
  for (let i = 0; i < bins; i++) centres[i] = (edges[i]! + edges[i + 1]!) / 2;
  return { edges, counts, centres, range };
}
