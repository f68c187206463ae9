// skimage 0.19.3's convex_hull_image of a 3-D region, reduced to its voxel count (area_convex, for
// solidity): ConvexHull of the voxel centres (Qhull fails on fewer than 4 points or coplanar ones:
// skimage then returns an empty image, so area_convex is 0 and solidity inf), then the hull of those
// vertices offset by ±0.5 along each axis (`_offsets_diamond`), and the grid points inside it: Qhull's
// facet test `n·p + d < 1e-10` with unit normals. Grid points are at least 1/(2·|n|) from any facet
// plane they are not on (integer normals of doubled coordinates), far more than 1e-10 for any region
// below ~10⁴ voxels across, so the count is that of the closed hull, computed here exactly: an
// incremental hull on doubled integer coordinates (orientation tests exact below 2^53), then per
// (z, y) row the x-interval inside every facet's half-space.

/** Points as flat [x0, y0, z0, x1, …] integer triples (any axis order, used consistently). */
type Points = Int32Array;

/** (b − a) × (c − a) of points a, b, c of `p`, and its dot product with a. */
function planeOf(p: Points, a: number, b: number, c: number): [number, number, number, number] {
  const ax = p[3 * a]!;
  const ay = p[3 * a + 1]!;
  const az = p[3 * a + 2]!;
  const ux = p[3 * b]! - ax;
  const uy = p[3 * b + 1]! - ay;
  const uz = p[3 * b + 2]! - az;
  const vx = p[3 * c]! - ax;
  const vy = p[3 * c + 1]! - ay;
  const vz = p[3 * c + 2]! - az;
  const nx = uy * vz - uz * vy;
  const ny = uz * vx - ux * vz;
  const nz = ux * vy - uy * vx;
  return [nx, ny, nz, nx * ax + ny * ay + nz * az];
}

/** > 0 when q is on the outer side of the plane (a, b, c) (its normal (b − a) × (c − a)), 0 on it. */
function orient(p: Points, a: number, b: number, c: number, q: number): number {
  const [nx, ny, nz, d] = planeOf(p, a, b, c);
  return nx * p[3 * q]! + ny * p[3 * q + 1]! + nz * p[3 * q + 2]! - d;
}

/** Triangles (outward: orient(a, b, c, inside) < 0) of the hull of `p`, or null when the points span less than 3-D. */
export function hull3d(p: Points): Int32Array | null {
  const n = p.length / 3;
  if (n < 4) return null;
  // An initial tetrahedron: two distinct points, a third off their line, a fourth off their plane.
  let i1 = -1;
  for (let i = 1; i < n && i1 < 0; i++) if (p[3 * i] !== p[0] || p[3 * i + 1] !== p[1] || p[3 * i + 2] !== p[2]) i1 = i;
  if (i1 < 0) return null;
  let i2 = -1;
  for (let i = 1; i < n && i2 < 0; i++) {
    const ux = p[3 * i1]! - p[0]!,
      uy = p[3 * i1 + 1]! - p[1]!,
      uz = p[3 * i1 + 2]! - p[2]!;
    const vx = p[3 * i]! - p[0]!,
      vy = p[3 * i + 1]! - p[1]!,
      vz = p[3 * i + 2]! - p[2]!;
    if (uy * vz - uz * vy !== 0 || uz * vx - ux * vz !== 0 || ux * vy - uy * vx !== 0) i2 = i;
  }
  if (i2 < 0) return null;
  let i3 = -1;
  for (let i = 1; i < n && i3 < 0; i++) if (orient(p, 0, i1, i2, i) !== 0) i3 = i;
  if (i3 < 0) return null;
  // Each face of the tetrahedron oriented with the opposite vertex inside (orient < 0).
  const tet = [0, i1, i2, i3];
  let faces: number[] = [];
  for (let o = 0; o < 4; o++) {
    const [a, b, c] = tet.filter((_, k) => k !== o) as [number, number, number];
    if (orient(p, a, b, c, tet[o]!) < 0) faces.push(a, b, c);
    else faces.push(a, c, b);
  }
  for (let q = 0; q < n; q++) {
    if (q === 0 || q === i1 || q === i2 || q === i3) continue;
    const visible: boolean[] = [];
    let any = false;
    for (let f = 0; f < faces.length; f += 3) {
      const v = orient(p, faces[f]!, faces[f + 1]!, faces[f + 2]!, q) > 0;
      visible.push(v);
      any ||= v;
    }
    if (!any) continue;
    const edges = new Set<number>();
    for (let f = 0; f < faces.length; f += 3) {
      if (!visible[f / 3]) continue;
      for (let e = 0; e < 3; e++) edges.add(faces[f + e]! * n + faces[f + ((e + 1) % 3)]!);
    }
    const next: number[] = [];
    for (let f = 0; f < faces.length; f += 3) if (!visible[f / 3]) next.push(faces[f]!, faces[f + 1]!, faces[f + 2]!);
    for (const key of edges) {
      const a = Math.floor(key / n);
      const b = key - a * n;
      if (!edges.has(b * n + a)) next.push(a, b, q);
    }
    faces = next;
  }
  return Int32Array.from(faces);
}

/** The distinct points of `p` plus, for each, its six neighbours at ±1 along each axis (doubled coordinates: ±0.5). */
export function diamondOffsets(p: Points, vertices: Iterable<number>): Points {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const v of vertices) {
    for (let axis = 0; axis < 3; axis++) {
      for (const d of [-1, 1]) {
        const q = [p[3 * v]!, p[3 * v + 1]!, p[3 * v + 2]!];
        q[axis]! += d;
        const key = q.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(q[0]!, q[1]!, q[2]!);
      }
    }
  }
  return Int32Array.from(out);
}

/** Vertex indices used by the triangles. */
export function hullVertices(faces: Int32Array): Set<number> {
  return new Set(faces);
}

/**
 * Grid points (doubled coordinates 2·(z, y, x)) with z in [z0, z1], y in [y0, y1] inside or on the
 * hull (triangles `faces` of points `p`, outward). Points here are stored (x, y, z) = doubled (col, row, plane).
 */
export function gridPointsInHull3d(p: Points, faces: Int32Array, z0: number, z1: number, y0: number, y1: number): number {
  const F = faces.length / 3;
  const nx = new Float64Array(F),
    ny = new Float64Array(F),
    nz = new Float64Array(F),
    d = new Float64Array(F);
  for (let f = 0; f < F; f++) [nx[f], ny[f], nz[f], d[f]] = planeOf(p, faces[3 * f]!, faces[3 * f + 1]!, faces[3 * f + 2]!);
  let total = 0;
  for (let z = z0; z <= z1; z++) {
    for (let y = y0; y <= y1; y++) {
      let lo = -Infinity;
      let hi = Infinity;
      for (let f = 0; f < F && lo <= hi; f++) {
        // n·(2x, 2y, 2z) ≤ d  ⇔  2·nx·x ≤ d − 2·ny·y − 2·nz·z
        const rhs = d[f]! - 2 * ny[f]! * y - 2 * nz[f]! * z;
        const a = 2 * nx[f]!;
        if (a > 0) hi = Math.min(hi, Math.floor(rhs / a));
        else if (a < 0) lo = Math.max(lo, Math.ceil(rhs / a));
        else if (rhs < 0) hi = -Infinity;
      }
      if (hi >= lo) total += hi - lo + 1;
    }
  }
  return total;
}
