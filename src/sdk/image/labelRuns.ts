// measure.label's 2-D case (labelImage.ts), by runs: maximal horizontal runs of one non-background
// value, each joined (union-find) to the runs of the row above that overlap it — shifted by one column
// either way with connectivity 2 — and have the same value. Far fewer unions than pixels for blob-like
// images, and a uint8 mask with background 0 skips its zeros a 32-bit word at a time.

/** Growable run list: row, start, end (exclusive), value, provisional label per run. */
class Runs {
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  label = new Int32Array(1024);
  value = new Float64Array(1024);
  n = 0;

  push(start: number, end: number, value: number): void {
    if (this.n === this.start.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.label = grow(this.label);
      this.value = grow(this.value);
    }
    this.start[this.n] = start;
    this.end[this.n] = end;
    this.value[this.n++] = value;
  }
}

/** The first index in [k, end) of a non-zero byte of `b` (or end), comparing aligned 32-bit words where it can. */
function skipZeros(b: Uint8Array, words: Uint32Array, wordBase: number, k: number, end: number): number {
  while (k < end && ((k - wordBase) & 3) !== 0) {
    if (b[k] !== 0) return k;
    k++;
  }
  let i = (k - wordBase) >> 2;
  const lim = Math.min(words.length, (end - wordBase) >> 2);
  while (i < lim && words[i] === 0) i++;
  k = Math.max(k, wordBase + (i << 2));
  while (k < end && b[k] === 0) k++;
  return k;
}

/**
 * The 2-D case by runs: each row's runs of one value are joined to the runs of the row above that
 * overlap them (shifted by one column either way with connectivity 2) and have the same value.
 * Provisional labels link to smaller ones, so one ascending sweep flattens them; runs are in C order,
 * so the first run of each component numbers it.
 */
export function labelRuns2d(src: ArrayLike<number>, H: number, W: number, bg: number, conn: number, out: Int32Array): number {
  const runs = new Runs();
  const rowStart = new Int32Array(H + 1);
  let parent = new Int32Array(1024);
  let next = 0;
  const ext = conn > 1 ? 1 : 0;
  // A uint8/bool mask with background 0 skips zeros four bytes at a time.
  const bytes = bg === 0 && src instanceof Uint8Array ? src : null;
  const wordBase = bytes ? (4 - (bytes.byteOffset & 3)) & 3 : 0;
  const words = bytes && bytes.length > wordBase + 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset + wordBase, (bytes.length - wordBase) >> 2) : null;
  for (let y = 0; y < H; y++) {
    rowStart[y] = runs.n;
    const k0 = y * W;
    for (let x = 0; x < W;) {
      const v = src[k0 + x]!;
      if (v === bg) {
        x = words ? skipZeros(src as Uint8Array, words, wordBase, k0 + x + 1, k0 + W) - k0 : x + 1;
        continue;
      }
      const x0 = x;
      while (++x < W && src[k0 + x] === v);
      runs.push(x0, x, v);
    }
  }
  rowStart[H] = runs.n;
  const { start, end, value, label } = runs;
  for (let y = 0; y < H; y++) {
    let p = y > 0 ? rowStart[y - 1]! : 0;
    const pEnd = y > 0 ? rowStart[y]! : 0;
    for (let r = rowStart[y]!; r < rowStart[y + 1]!; r++) {
      const s = start[r]! - ext;
      const e = end[r]! + ext;
      const v = value[r]!;
      while (p < pEnd && end[p]! <= s) p++;
      let l = 0;
      for (let q = p; q < pEnd && start[q]! < e; q++) {
        if (value[q] !== v) continue;
        let b = label[q]!;
        while (parent[b] !== b) b = parent[b] = parent[parent[b]!]!;
        if (l === 0) l = b;
        else if (b < l) {
          parent[l] = b;
          l = b;
        } else if (b > l) parent[b] = l;
      }
      if (l === 0) {
        l = ++next;
        if (next >= parent.length) {
          const g = new Int32Array(parent.length * 2);
          g.set(parent);
          parent = g;
        }
        parent[l] = l;
      }
      label[r] = l;
    }
  }
  for (let i = 1; i <= next; i++) parent[i] = parent[parent[i]!]!;
  const final = new Int32Array(next + 1);
  let count = 0;
  for (let y = 0; y < H; y++) {
    for (let r = rowStart[y]!; r < rowStart[y + 1]!; r++) {
      const root = parent[label[r]!]!;
      let f = final[root]!;
      if (f === 0) f = final[root] = ++count;
      out.fill(f, y * W + start[r]!, y * W + end[r]!);
    }
  }
  return count;
}
