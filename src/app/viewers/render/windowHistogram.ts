// The histogram drawn under an image for setting its window: the counts of each channel (one for gray,
// red/green/blue for RGB) over one shared value range, and the geometry of the window's handles on it
// (value ↔ fraction of the plot's width, the gamma handle's place). Pure, no DOM: unit-tested in
// tests/unit/windowHistogram.test.ts.
import type { DType } from '../../../core/ndarray';
import { binInto, finiteRange } from './histogram';
import { sampleStep, type ImagePlanes } from './window';

export interface WindowHistogram {
  /** The value range plotted (the x axis). */
  lo: number;
  hi: number;
  /** Bin centres. */
  centres: Float64Array;
  /** Counts per channel (1 or 3), each as long as `centres`. */
  counts: Float64Array[];
  /** One bin per integer value (integer data with at most `bins` values in range). */
  integer: boolean;
}

const INTEGER_DTYPES: ReadonlySet<DType> = new Set(['bool', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32']);

/** Most values binned per channel (larger planes are sampled, every k-th value). */
const MAX_BINNED = 1 << 20;

/**
 * The histogram of planes' finite values over [data min, data max] (uint8: always 0–255) in at most
 * `bins` bins, per channel; null when there is no finite value.
 */
export function windowHistogram(planes: ImagePlanes, bins = 256): WindowHistogram | null {
  const n = planes.width * planes.height;
  const step = sampleStep(n, MAX_BINNED);
  const ranges = Array.from({ length: planes.channels }, (_, c) => finiteRange(planes.data, c * n, (c + 1) * n, step));
  const finite = ranges.filter((r) => r.finite > 0);
  if (!finite.length) return null;
  let lo = Math.min(...finite.map((r) => r.min));
  let hi = Math.max(...finite.map((r) => r.max));
  if (planes.dtype === 'uint8') [lo, hi] = [Math.min(lo, 0), Math.max(hi, 255)];
  const integer = INTEGER_DTYPES.has(planes.dtype) && hi - lo + 1 <= bins;
  let nb = bins;
  if (integer) {
    nb = hi - lo + 1;
    lo -= 0.5;
    hi += 0.5;
  } else if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / nb;
  const centres = Float64Array.from({ length: nb }, (_, i) => lo + (i + 0.5) * w);
  const counts = ranges.map((_, c) => {
    const out = new Float64Array(nb);
    const plane = subarray(planes.data, c * n, (c + 1) * n);
    binInto(plane, lo, hi, out, step);
    return out;
  });
  return { lo, hi, centres, counts, integer };
}

function subarray(d: ArrayLike<number>, a: number, b: number): ArrayLike<number> {
  const s = d as ArrayLike<number> & { subarray?(a: number, b: number): ArrayLike<number> };
  return s.subarray ? s.subarray(a, b) : Array.prototype.slice.call(d, a, b);
}

/** Where value v sits across [lo, hi], clamped to 0…1. */
export function valueToFraction(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 0.5;
  const f = (v - lo) / (hi - lo);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/** The value at fraction f (clamped to 0…1) of [lo, hi]; rounded for integer data. */
export function fractionToValue(f: number, lo: number, hi: number, integer: boolean): number {
  const v = lo + Math.max(0, Math.min(1, f)) * (hi - lo);
  return integer ? Math.round(v) : v;
}

/** Gamma is kept within these limits (as napari's slider: 0.2 … 2; wider here, Fiji allows 0.1 … 5). */
export const GAMMA_MIN = 0.1;
export const GAMMA_MAX = 5;

export function clampGamma(g: number): number {
  return Math.max(GAMMA_MIN, Math.min(GAMMA_MAX, g));
}

/**
 * The gamma handle sits where the transfer curve reaches half brightness: at fraction 0.5^(1/γ) of
 * the way from min to max (γ = 1: the middle). Dragging it to fraction f sets γ = log 0.5 / log f.
 */
export function gammaHandleFraction(gamma: number): number {
  return Math.pow(0.5, 1 / gamma);
}

export function gammaFromFraction(f: number): number {
  const c = Math.max(0.001, Math.min(0.999, f));
  return clampGamma(Number((Math.log(0.5) / Math.log(c)).toPrecision(3)));
}
