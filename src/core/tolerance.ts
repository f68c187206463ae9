// Comparing an output with its expected value under a tolerance, as bioimage.io's model tests do:
// an element mismatches when |actual − expected| > absolute_tolerance + relative_tolerance·|expected|
// (NaN matches only NaN), and the output passes when at most mismatched_elements_per_million of its
// elements mismatch. The report names the worst element (largest excess over its allowance).
import { sizeOf, stridesOf, type NDArray } from './ndarray';
import type { Tolerance } from './manifestAlgobox';

export interface WorstElement {
  /** Multi-dimensional index of the element. */
  index: number[];
  actual: number;
  expected: number;
  /** |actual − expected|. */
  difference: number;
  /** What the tolerance allowed at that element. */
  allowed: number;
}

export interface ComparisonReport {
  passed: boolean;
  elements: number;
  mismatched: number;
  /** Most mismatching elements the tolerance accepts. */
  allowedMismatches: number;
  /** Largest |actual − expected| over all elements. */
  maxAbsoluteDifference: number;
  worst: WorstElement | null;
  message: string;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, i) => Math.floor(flat / s) % (shape[i] ?? 1));
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6) : x.toExponential(3));

export function compareWithTolerance(actual: NDArray, expected: NDArray, tol: Tolerance): ComparisonReport {
  const elements = sizeOf(expected.shape);
  const allowedMismatches = Math.floor((tol.mismatchedElementsPerMillion * elements) / 1e6);
  if (actual.shape.length !== expected.shape.length || actual.shape.some((n, i) => n !== expected.shape[i])) {
    return {
      passed: false,
      elements,
      mismatched: elements,
      allowedMismatches,
      maxAbsoluteDifference: Infinity,
      worst: null,
      message: `shape [${actual.shape.join(', ')}] is not the expected [${expected.shape.join(', ')}]`,
    };
  }
  const a = actual.data as ArrayLike<number>;
  const e = expected.data as ArrayLike<number>;
  let mismatched = 0;
  let maxAbs = 0;
  let worstAt = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < elements; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      mismatched++;
      if (worstExcess !== Infinity) {
        worstExcess = Infinity;
        worstAt = i;
      }
      maxAbs = NaN;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > maxAbs) maxAbs = d;
    const allowed = tol.absoluteTolerance + tol.relativeTolerance * Math.abs(y);
    const excess = d - allowed;
    if (d > allowed) mismatched++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worstAt = i;
    }
  }
  const worst: WorstElement | null =
    worstAt < 0
      ? null
      : {
          index: unravel(worstAt, expected.shape),
          actual: Number(a[worstAt]),
          expected: Number(e[worstAt]),
          difference: Math.abs(Number(a[worstAt]) - Number(e[worstAt])),
          allowed: tol.absoluteTolerance + tol.relativeTolerance * Math.abs(Number(e[worstAt])),
        };
  const passed = mismatched <= allowedMismatches;
  const where = worst
    ? ` worst element [${worst.index.join(', ')}]: ${fmt(worst.actual)} vs expected ${fmt(worst.expected)} (difference ${fmt(worst.difference)}, allowed ${fmt(worst.allowed)})`
    : '';
  const message = `${mismatched} of ${elements} elements mismatch (${((mismatched / Math.max(1, elements)) * 1e6).toFixed(1)} per million; at most ${allowedMismatches} allowed);${where}`;
  return { passed, elements, mismatched, allowedMismatches, maxAbsoluteDifference: maxAbs, worst, message };
}
