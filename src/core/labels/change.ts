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

/** Pixels per block of first values (a power of two). */
const BLOCK_BITS = 8;
const BLOCK = 1 << BLOCK_BITS;

interface Block {
  touched: Uint8Array;
  before: Int32Array;
}

/**
 * Collects pixel writes into a slice, keeping the first `before` of each pixel (a stroke may cross
 * itself). First values live in blocks of 256 consecutive pixels, made when first written: O(1) per
 * write, memory in proportion to the pixels touched, and no large allocation in the middle of a stroke
 * (a fill of millions of pixels stays linear; a brush event never waits on a slice-sized array).
 */
export class ChangeBuilder {
  private readonly blocks = new Map<number, Block>();
  private lastKey = -1;
  private last: Block | null = null;
  private count = 0;
  constructor(readonly slice: Int32Array) {}

  /** Set pixel i to v; false when it already was v. */
  set(i: number, v: number): boolean {
    const cur = this.slice[i]!;
    if (cur === v) return false;
    const key = i >>> BLOCK_BITS;
    let b = key === this.lastKey ? this.last : this.blocks.get(key);
    if (!b) {
      b = { touched: new Uint8Array(BLOCK), before: new Int32Array(BLOCK) };
      this.blocks.set(key, b);
    }
    this.lastKey = key;
    this.last = b;
    const o = i & (BLOCK - 1);
    if (!b.touched[o]) {
      b.touched[o] = 1;
      b.before[o] = cur;
      this.count++;
    }
    this.slice[i] = v;
    return true;
  }

  /** Pixels written so far (each once). */
  get size(): number {
    return this.count;
  }

  /** The change so far, indices ascending (pixels written back to their first value are dropped). */
  build(): LabelChange {
    const indices = new Uint32Array(this.count);
    const before = new Int32Array(this.count);
    const after = new Int32Array(this.count);
    let n = 0;
    for (const key of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const b = this.blocks.get(key)!;
      const base = key << BLOCK_BITS;
      for (let o = 0; o < BLOCK; o++) {
        if (!b.touched[o] || this.slice[base + o] === b.before[o]) continue;
        indices[n] = base + o;
        before[n] = b.before[o]!;
        after[n++] = this.slice[base + o]!;
      }
    }
    return { indices: indices.slice(0, n), before: before.slice(0, n), after: after.slice(0, n) };
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
