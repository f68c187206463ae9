// A growable union-find over the global ids of connected components labelled piece by piece (tiles,
// slices), with a pixel count (summed) and a flag (OR-ed, e.g. "touches the array border") per root.
// Used by the out-of-core morphology (tiledMorphology.ts, sliceMorphology.ts).

/** The root of x in a union-find forest `parent` (parent[r] === r at a root), compressing the path on the way. */
export function findRoot(parent: Int32Array, x: number): number {
  let r = x;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[x] !== r) {
    const nx = parent[x]!;
    parent[x] = r;
    x = nx;
  }
  return r;
}

/** The capacity a growable array of `current` entries doubles to so that it holds `need`. */
export function capacityFor(current: number, need: number): number {
  let cap = Math.max(1, current);
  while (cap < need) cap *= 2;
  return cap;
}

/** A copy of `a` with room for `cap` entries (the new ones 0). */
export function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, cap: number): T {
  const out = new (a.constructor as new (n: number) => T)(cap);
  out.set(a);
  return out;
}

/** A growable union-find over global component ids, with a sum (sizes) and an OR (border flags) per root. */
export class Components {
  parent = new Int32Array(1024);
  size = new Float64Array(1024);
  flag = new Uint8Array(1024);
  count = 0;

  /** Reserve ids [count+1, count+n] (0 is background), with their sizes and flags. */
  add(sizes: ArrayLike<number>, flags: Uint8Array | null, n: number): number {
    const base = this.count;
    const need = base + n + 1;
    if (need > this.parent.length) {
      const cap = capacityFor(this.parent.length, need);
      [this.parent, this.size, this.flag] = [grown(this.parent, cap), grown(this.size, cap), grown(this.flag, cap)];
    }
    for (let l = 1; l <= n; l++) {
      this.parent[base + l] = base + l;
      this.size[base + l] = sizes[l]!;
      this.flag[base + l] = flags ? flags[l]! : 0;
    }
    this.count += n;
    return base;
  }

  find(x: number): number {
    return findRoot(this.parent, x);
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    this.size[root]! += this.size[child]!;
    this.flag[root]! |= this.flag[child]!;
  }
}
