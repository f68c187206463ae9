// The record of one edit of a label slice: the changed pixels' indices within the slice (ascending)
// with their values before and after. Compact: an edit of n pixels costs 12·n bytes, whatever the slice.

export interface LabelChange {
  /** Indices within the slice (y·width + x), ascending, each once. */
  indices: Uint32Array;
  before: Int32Array;
  after: Int32Array;
}

/** Bytes a change holds. */
export function changeBytes(c: LabelChange): number {
  return c.indices.byteLength + c.before.byteLength + c.after.byteLength;
}

/** Above this many pixels an edit keeps its first values in slice-sized arrays instead of a Map. */
const DENSE_AFTER = 65536;

/**
 * Collects pixel writes into a slice, keeping the first `before` of each pixel (a stroke may cross
 * itself). Small edits (a brush stroke) use a Map; large ones (a fill of a big region) switch to a
 * touched mask and a slice-sized array of first values, so a fill of millions of pixels stays linear.
 */
export class ChangeBuilder {
  private readonly first = new Map<number, number>();
  private dense: { touched: Uint8Array; before: Int32Array; lo: number; hi: number; count: number } | null = null;
  constructor(readonly slice: Int32Array) {}

  /** Set pixel i to v; false when it already was v. */
  set(i: number, v: number): boolean {
    const cur = this.slice[i]!;
    if (cur === v) return false;
    const d = this.dense;
    if (d) {
      if (!d.touched[i]) {
        d.touched[i] = 1;
        d.before[i] = cur;
        d.count++;
        if (i < d.lo) d.lo = i;
        if (i > d.hi) d.hi = i;
      }
    } else if (!this.first.has(i)) {
      this.first.set(i, cur);
      if (this.first.size > DENSE_AFTER) this.toDense();
    }
    this.slice[i] = v;
    return true;
  }

  private toDense(): void {
    const d = { touched: new Uint8Array(this.slice.length), before: new Int32Array(this.slice.length), lo: Infinity, hi: -1, count: 0 };
    for (const [i, b] of this.first) {
      d.touched[i] = 1;
      d.before[i] = b;
      d.count++;
      if (i < d.lo) d.lo = i;
      if (i > d.hi) d.hi = i;
    }
    this.first.clear();
    this.dense = d;
  }

  get size(): number {
    return this.dense ? this.dense.count : this.first.size;
  }

  /** The change so far (pixels written back to their first value are dropped). */
  build(): LabelChange {
    const d = this.dense;
    if (d) {
      const indices = new Uint32Array(d.count);
      const before = new Int32Array(d.count);
      const after = new Int32Array(d.count);
      let n = 0;
      for (let i = d.lo; i <= d.hi; i++) {
        if (!d.touched[i] || this.slice[i] === d.before[i]) continue;
        indices[n] = i;
        before[n] = d.before[i]!;
        after[n++] = this.slice[i]!;
      }
      return { indices: indices.slice(0, n), before: before.slice(0, n), after: after.slice(0, n) };
    }
    const idx = [...this.first.keys()].filter((i) => this.slice[i] !== this.first.get(i)).sort((a, b) => a - b);
    const indices = Uint32Array.from(idx);
    const before = Int32Array.from(idx, (i) => this.first.get(i)!);
    const after = Int32Array.from(idx, (i) => this.slice[i]!);
    return { indices, before, after };
  }
}

/** Write `after` (redo) or `before` (undo) of a change into its slice. */
export function applyChange(slice: Int32Array, c: LabelChange, direction: 'undo' | 'redo'): void {
  const v = direction === 'undo' ? c.before : c.after;
  for (let k = 0; k < c.indices.length; k++) slice[c.indices[k]!] = v[k]!;
}

/** The bounding box [x0, y0, x1, y1) of a change's pixels in a slice of `width` (null when empty). */
export function changeBounds(c: LabelChange, width: number): [number, number, number, number] | null {
  if (!c.indices.length) return null;
  let x0 = Infinity;
  let x1 = -1;
  const y0 = Math.floor(c.indices[0]! / width);
  const y1 = Math.floor(c.indices[c.indices.length - 1]! / width) + 1;
  for (const i of c.indices) {
    const x = i % width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  }
  return [x0, y0, x1 + 1, y1];
}
