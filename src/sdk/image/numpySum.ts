// numpy's summation, reproduced to the last bit: pairwise summation (`@TYPE@_pairwise_sum` in
// loops_utils.h: blocks of 128 with 8 accumulators, halves above that) within 8192-element buffer
// chunks, chunks accumulated in order — what `np.sum` / `np.add.reduce` / `arr.sum()` compute for a
// contiguous array, in float64 or (float32 data) float32 arithmetic. The one implementation: the
// thresholds (histogram.ts, filters.ts), the Gaussian kernels (ndimage.ts) and TV denoising's energy
// (restoration.ts) all use it.

type Num = ArrayLike<number>;

const fround = Math.fround;

/**
 * numpy's pairwise summation (`@TYPE@_pairwise_sum` in loops_utils.h) of d[off .. off+n), in float64
 * or, with `f32`, in float32 (every addition rounded to float32, as numpy's FLOAT_add reduce does).
 */
export function pairwiseSum(d: Num, off: number, n: number, f32 = false): number {
  if (f32) return pairwiseSum32(d, off, n);
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += d[off + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = d[off]!;
    let r1 = d[off + 1]!;
    let r2 = d[off + 2]!;
    let r3 = d[off + 3]!;
    let r4 = d[off + 4]!;
    let r5 = d[off + 5]!;
    let r6 = d[off + 6]!;
    let r7 = d[off + 7]!;
    const m = n - (n % 8);
    let i = 8;
    for (; i < m; i += 8) {
      const p = off + i;
      r0 += d[p]!;
      r1 += d[p + 1]!;
      r2 += d[p + 2]!;
      r3 += d[p + 3]!;
      r4 += d[p + 4]!;
      r5 += d[p + 5]!;
      r6 += d[p + 6]!;
      r7 += d[p + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += d[off + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(d, off, n2) + pairwiseSum(d, off + n2, n - n2);
}

function pairwiseSum32(d: Num, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = fround(res + d[off + i]!);
    return res;
  }
  if (n <= 128) {
    let r0 = fround(d[off]!);
    let r1 = fround(d[off + 1]!);
    let r2 = fround(d[off + 2]!);
    let r3 = fround(d[off + 3]!);
    let r4 = fround(d[off + 4]!);
    let r5 = fround(d[off + 5]!);
    let r6 = fround(d[off + 6]!);
    let r7 = fround(d[off + 7]!);
    const m = n - (n % 8);
    let i = 8;
    for (; i < m; i += 8) {
      const p = off + i;
      r0 = fround(r0 + d[p]!);
      r1 = fround(r1 + d[p + 1]!);
      r2 = fround(r2 + d[p + 2]!);
      r3 = fround(r3 + d[p + 3]!);
      r4 = fround(r4 + d[p + 4]!);
      r5 = fround(r5 + d[p + 5]!);
      r6 = fround(r6 + d[p + 6]!);
      r7 = fround(r7 + d[p + 7]!);
    }
    let res = fround(fround(fround(r0 + r1) + fround(r2 + r3)) + fround(fround(r4 + r5) + fround(r6 + r7)));
    for (; i < n; i++) res = fround(res + d[off + i]!);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return fround(pairwiseSum32(d, off, n2) + pairwiseSum32(d, off + n2, n - n2));
}

/** numpy's reduction buffer size (np.getbufsize()): a sum is pairwise within 8192-element chunks. */
export const NP_BUFSIZE = 8192;

/**
 * `np.sum` / `np.add.reduce` over d[off .. off+n) as numpy computes it for a contiguous array:
 * pairwise within each 8192-element buffer chunk, chunks accumulated in order.
 */
export function npSum(d: Num, off = 0, n: number = d.length - off, f32 = false): number {
  let acc = 0;
  for (let s = 0; s < n; s += NP_BUFSIZE) {
    const part = pairwiseSum(d, off + s, Math.min(NP_BUFSIZE, n - s), f32);
    acc = f32 ? fround(acc + part) : acc + part;
  }
  return acc;
}
