// regionprops_table's columns (skimage 0.19.3, measure/_regionprops.py) from the per-label sums of
// regionStats.ts: property names (current and the older aliases skimage still accepts; a column is
// named as the property was asked for), which sums each needs, and the formulas:
//   centroid = Σx/n; central moments from the exact integer sums shifted to the bounding box
//   (mu_ab = (n·S_ab − S_a·S_b)/n, the coordinates local to the bbox as skimage's); inertia tensor
//   T_aa = (Σ_b mu_bb − mu_aa)/n, T_ab = −mu_ab/n; its eigenvalues clipped at 0, descending;
//   axis lengths 4√λ (2-D) or √(10·(±λ…)) (3-D; a rounding below 0 is 0, where skimage's exact 0 is); eccentricity √(1 − λ2/λ1) (0 when λ1 = 0);
//   orientation ½·atan2(−2b, c − a) (±π/4 when a = c); perimeter = n1 + n2·√2 + n3·(1 + √2)/2;
//   equivalent diameter (2·ndim·area/π)^(1/ndim); extent area / bbox area; solidity area / area_convex;
//   euler_number Σ coefficients (3-D: int(0.125·Σ)); weighted centroid Σv·(x − start)/Σv + start.
import type { RegionStats, StatsNeeds } from './regionStats';

/** Current skimage names of the properties supported. */
const CANONICAL = [
  'label',
  'area',
  'area_bbox',
  'area_convex',
  'bbox',
  'centroid',
  'centroid_weighted',
  'orientation',
  'axis_major_length',
  'axis_minor_length',
  'eccentricity',
  'perimeter',
  'equivalent_diameter_area',
  'extent',
  'solidity',
  'euler_number',
  'intensity_mean',
  'intensity_min',
  'intensity_max',
] as const;
type Canonical = (typeof CANONICAL)[number];

/** The older names skimage 0.19.3 still accepts (its PROPS table), for those properties. */
const ALIASES: Record<string, Canonical> = {
  bbox_area: 'area_bbox',
  convex_area: 'area_convex',
  weighted_centroid: 'centroid_weighted',
  major_axis_length: 'axis_major_length',
  minor_axis_length: 'axis_minor_length',
  equivalent_diameter: 'equivalent_diameter_area',
  mean_intensity: 'intensity_mean',
  min_intensity: 'intensity_min',
  max_intensity: 'intensity_max',
};

/** Every property name regionpropsTable accepts (current names, then skimage's older aliases). */
export const REGIONPROPS: readonly string[] = Object.freeze([...CANONICAL, ...Object.keys(ALIASES)]);

const ONLY_2D = new Set<Canonical>(['orientation', 'eccentricity', 'perimeter']);
const INTENSITY = new Set<Canonical>(['centroid_weighted', 'intensity_mean', 'intensity_min', 'intensity_max']);
const MOMENTS = new Set<Canonical>(['orientation', 'axis_major_length', 'axis_minor_length', 'eccentricity']);

export interface ResolvedProps {
  /** [name asked for, canonical name]. */
  list: [string, Canonical][];
  needs: StatsNeeds;
}

/** Checks the property names against what skimage would accept here (ndim, intensity), and what to collect. */
export function resolveProperties(properties: readonly string[], nd: number, hasIntensity: boolean, where: string): ResolvedProps {
  if (!Array.isArray(properties) || properties.length === 0)
    throw new Error(`${where}: properties must be a non-empty list of names (${REGIONPROPS.join(', ')}).`);
  const list: [string, Canonical][] = [];
  for (const p of properties) {
    const c = (CANONICAL as readonly string[]).includes(p) ? (p as Canonical) : ALIASES[p];
    if (!c) throw new Error(`${where}: unknown property ${JSON.stringify(p)}; supported: ${REGIONPROPS.join(', ')}.`);
    if (ONLY_2D.has(c) && nd !== 2)
      throw new Error(`${where}: property '${p}' is not implemented for ${nd}-D images (skimage 0.19.3 raises NotImplementedError: 2-D only).`);
    if (c === 'euler_number' && nd !== 2 && nd !== 3)
      throw new Error(`${where}: property '${p}' is implemented for 2-D or 3-D images only (skimage raises NotImplementedError).`);
    if ((c === 'axis_major_length' || c === 'axis_minor_length') && nd !== 2 && nd !== 3)
      throw new Error(`${where}: property '${p}' is only available in 2-D and 3-D (skimage raises ValueError).`);
    if ((c === 'solidity' || c === 'area_convex') && nd !== 2 && nd !== 3) {
      throw new Error(`${where}: property '${p}' is not supported in ${nd}-D here (only the 2-D and 3-D convex hulls are reproduced).`);
    }
    if (INTENSITY.has(c) && !hasIntensity) throw new Error(`${where}: property '${p}' needs an intensity image (skimage: "No intensity image specified.").`);
    list.push([p, c]);
  }
  const has = (f: (c: Canonical) => boolean) => list.some(([, c]) => f(c));
  return {
    list,
    needs: {
      moments: has((c) => MOMENTS.has(c) || c === 'centroid'),
      intensity: has((c) => INTENSITY.has(c)),
      perimeter: has((c) => c === 'perimeter'),
      euler: has((c) => c === 'euler_number'),
      hull: has((c) => c === 'solidity' || c === 'area_convex'),
    },
  };
}

/** A regionprops_table: column name → one value per region, in label order. */
export type RegionTable = Record<string, Float64Array | Int32Array>;

/** Eigenvalues of a symmetric matrix (row-major, n = 2 or 3), clipped at 0, in descending order. */
function eigvalsDescending(t: Float64Array, n: number): number[] {
  let ev: number[];
  if (n === 2) {
    const a = t[0]!;
    const b = t[1]!;
    const c = t[3]!;
    const m = (a + c) / 2;
    const r = Math.hypot((a - c) / 2, b);
    ev = [m + r, m - r];
  } else ev = jacobiEigenvalues(Float64Array.from(t), n);
  return ev.map((v) => (v < 0 ? 0 : v)).sort((x, y) => y - x);
}

/** Cyclic Jacobi rotations until the off-diagonal vanishes (symmetric n×n). */
function jacobiEigenvalues(a: Float64Array, n: number): number[] {
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!);
}

/** The inertia tensor of label l (n × n, row-major), from its exact coordinate sums. */
function inertiaTensor(s: RegionStats, l: number): Float64Array {
  const nd = s.nd;
  const n = s.area[l]!;
  const m = (a: number) => s.bmin[l * nd + a]!;
  const s1 = (a: number) => s.s1[l * nd + a]! - n * m(a);
  const s2 = (a: number, b: number) => {
    const [i, j] = a <= b ? [a, b] : [b, a];
    return s.s2[l * nd * nd + i * nd + j]! - m(a) * s.s1[l * nd + b]! - m(b) * s.s1[l * nd + a]! + n * m(a) * m(b);
  };
  const mu = (a: number, b: number) => (n * s2(a, b) - s1(a) * s1(b)) / n;
  const t = new Float64Array(nd * nd);
  let tot = 0;
  for (let a = 0; a < nd; a++) tot += mu(a, a);
  for (let a = 0; a < nd; a++) {
    t[a * nd + a] = (tot - mu(a, a)) / n;
    for (let b = a + 1; b < nd; b++) t[a * nd + b] = t[b * nd + a] = -mu(a, b) / n;
  }
  return t;
}

const SQRT2 = Math.SQRT2;
const HALF_1_SQRT2 = (1 + Math.SQRT2) / 2;

/** The columns of `props` for every label present (area > 0), in label order; `means` replaces intensity_mean (float images). */
export function tableOf(s: RegionStats, props: ResolvedProps, means: Float64Array | null = null): RegionTable {
  const nd = s.nd;
  const labels: number[] = [];
  for (let l = 1; l <= s.maxLabel; l++) if (s.area[l]! > 0) labels.push(l);
  const R = labels.length;
  const out: RegionTable = {};
  const eig = new Map<number, number[]>();
  const eigOf = (l: number) => {
    let e = eig.get(l);
    if (!e) eig.set(l, (e = eigvalsDescending(inertiaTensor(s, l), nd)));
    return e;
  };
  const bboxArea = (l: number) => {
    let v = 1;
    for (let a = 0; a < nd; a++) v *= s.bmax[l * nd + a]! - s.bmin[l * nd + a]! + 1;
    return v;
  };
  const col = (name: string, int: boolean, f: (l: number) => number) => {
    const c = int ? new Int32Array(R) : new Float64Array(R);
    for (let i = 0; i < R; i++) c[i] = f(labels[i]!);
    out[name] = c;
  };
  for (const [name, p] of props.list) {
    switch (p) {
      case 'label':
        col(name, true, (l) => l);
        break;
      case 'area':
        col(name, true, (l) => s.area[l]!);
        break;
      case 'area_bbox':
        col(name, true, bboxArea);
        break;
      case 'area_convex':
        col(name, true, (l) => s.convexArea(l));
        break;
      case 'bbox':
        for (let a = 0; a < nd; a++) col(`${name}-${a}`, true, (l) => s.bmin[l * nd + a]!);
        for (let a = 0; a < nd; a++) col(`${name}-${nd + a}`, true, (l) => s.bmax[l * nd + a]! + 1);
        break;
      case 'centroid':
        for (let a = 0; a < nd; a++) col(`${name}-${a}`, false, (l) => s.s1[l * nd + a]! / s.area[l]!);
        break;
      case 'centroid_weighted':
        for (let a = 0; a < nd; a++) {
          col(`${name}-${a}`, false, (l) => {
            const start = s.bmin[l * nd + a]!;
            return (s.isx[l * nd + a]! - start * s.isum[l]!) / s.isum[l]! + start;
          });
        }
        break;
      case 'orientation':
        col(name, false, (l) => {
          const t = inertiaTensor(s, l);
          const [a, b, c] = [t[0]!, t[1]!, t[3]!];
          if (a - c === 0) return b < 0 ? -Math.PI / 4 : Math.PI / 4;
          return 0.5 * Math.atan2(-2 * b, c - a);
        });
        break;
      case 'axis_major_length':
        col(name, false, (l) => {
          const e = eigOf(l);
          return nd === 2 ? 4 * Math.sqrt(e[0]!) : Math.sqrt(Math.max(0, 10 * (e[0]! + e[1]! - e[2]!)));
        });
        break;
      case 'axis_minor_length':
        col(name, false, (l) => {
          const e = eigOf(l);
          return nd === 2 ? 4 * Math.sqrt(e[1]!) : Math.sqrt(Math.max(0, 10 * (-e[0]! + e[1]! + e[2]!)));
        });
        break;
      case 'eccentricity':
        col(name, false, (l) => {
          const [l1, l2] = eigOf(l) as [number, number];
          return l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1);
        });
        break;
      case 'perimeter':
        col(name, false, (l) => s.per[l * 3]! + s.per[l * 3 + 1]! * SQRT2 + s.per[l * 3 + 2]! * HALF_1_SQRT2);
        break;
      case 'equivalent_diameter_area':
        col(name, false, (l) => ((2 * nd * s.area[l]!) / Math.PI) ** (1 / nd));
        break;
      case 'extent':
        col(name, false, (l) => s.area[l]! / bboxArea(l));
        break;
      case 'solidity':
        col(name, false, (l) => s.area[l]! / s.convexArea(l));
        break;
      case 'euler_number':
        col(name, true, (l) => (nd === 2 ? s.euler[l]! : Math.trunc(0.125 * s.euler[l]!)));
        break;
      case 'intensity_mean':
        col(name, false, (l) => (means ? means[l]! : s.isum[l]! / s.area[l]!));
        break;
      case 'intensity_min':
        col(name, false, (l) => s.imin[l]!);
        break;
      case 'intensity_max':
        col(name, false, (l) => s.imax[l]!);
        break;
    }
  }
  return out;
}
