// What a 3×3 transform does, in words a user reads: translation, rotation, scale, shear.
//
// After normalising by m[2][2], the affine part A = [[a, b], [c, d]] is factored as
//   A = R(θ) · diag(sx, sy) · [[1, k], [0, 1]]
// (rotation · scale · shear): sx = hypot(a, c), θ = atan2(c, a), sy = det(A) / sx, k = (ab + cd) / sx².
// A reflection shows as a negative sy. θ is in degrees; in image coordinates (y down) a positive
// angle turns clockwise on screen. A non-zero bottom row (m20, m21) makes it a projective homography:
// the factorisation then describes its affine part. Pure, no DOM.

export interface Decomposition {
  tx: number;
  ty: number;
  /** Degrees, in (−180, 180]. */
  rotation: number;
  scaleX: number;
  scaleY: number;
  /** x-shear factor k (0 for none). */
  shear: number;
  /** Perspective terms (m20, m21) / m22; [0, 0] for an affine matrix. */
  perspective: [number, number];
  projective: boolean;
  /** det of the affine part (area scale; negative = reflection). */
  det: number;
}

export function decompose(m: ArrayLike<number>): Decomposition {
  if (m.length !== 9) throw new Error(`decompose: expected 9 values (a 3×3 matrix), got ${m.length}.`);
  const w = m[8]!;
  if (!Number.isFinite(w) || w === 0) throw new Error('decompose: the matrix has m[2][2] = 0 (or not finite); cannot normalise it.');
  const a = m[0]! / w;
  const b = m[1]! / w;
  const tx = m[2]! / w;
  const c = m[3]! / w;
  const d = m[4]! / w;
  const ty = m[5]! / w;
  const p0 = m[6]! / w;
  const p1 = m[7]! / w;
  const sx = Math.hypot(a, c);
  const det = a * d - b * c;
  const rotation = sx === 0 ? 0 : (Math.atan2(c, a) * 180) / Math.PI;
  const scaleY = sx === 0 ? Math.hypot(b, d) : det / sx;
  const shear = sx === 0 ? 0 : (a * b + c * d) / (sx * sx);
  const tiny = 1e-12;
  return {
    tx,
    ty,
    rotation: rotation === -180 ? 180 : rotation,
    scaleX: sx,
    scaleY,
    shear: Math.abs(shear) < tiny ? 0 : shear,
    perspective: [p0, p1],
    projective: Math.abs(p0) > tiny || Math.abs(p1) > tiny,
    det,
  };
}

/** Compose T(tx, ty) · R(θ°) · diag(sx, sy) · Shear(k) as a row-major 3×3 (for tests and tools). */
export function compose(t: { tx?: number; ty?: number; rotation?: number; scaleX?: number; scaleY?: number; shear?: number }): number[] {
  const th = ((t.rotation ?? 0) * Math.PI) / 180;
  const cs = Math.cos(th);
  const sn = Math.sin(th);
  const sx = t.scaleX ?? 1;
  const sy = t.scaleY ?? 1;
  const k = t.shear ?? 0;
  // R · S · K = [[cs, -sn], [sn, cs]] · [[sx, sx k], [0, sy]]
  return [cs * sx, cs * sx * k - sn * sy, t.tx ?? 0, sn * sx, sn * sx * k + cs * sy, t.ty ?? 0, 0, 0, 1];
}
