import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { fromBytes, type DType, type NDArray } from '../../src/core/ndarray';
import { fftn } from '../../src/sdk/image/fft';
import { phaseCrossCorrelation, upsampledCrossCorrelation } from '../../src/sdk/image/registration';

interface Enc {
  dtype: DType;
  shape: number[];
  b64: string;
}
interface RegCase {
  name: string;
  pair: string;
  upsampleFactor: number;
  normalization: 'phase' | null;
  shift: number[];
  error: number;
  phasediff: number;
  recoversTrueShift: boolean;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/registration.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  pairs: Record<string, { reference: Enc; moving: Enc; trueShift: number[] }>;
  cases: RegCase[];
};
const dec = (e: Enc): NDArray => fromBytes(e.dtype, e.shape, Buffer.from(e.b64, 'base64'));

/** Distance between shifts modulo the array size (a shift of n − s equals −s). */
function wrappedDiff(a: number, b: number, n: number): number {
  const d = (((a - b) % n) + n) % n;
  return Math.min(d, n - d);
}

suite('phaseCrossCorrelation parity with skimage 0.19.3', () => {
  it('fixtures were generated with scikit-image 0.19.3', () => {
    expect(fixture.versions.skimage).toBe('0.19.3');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: shift within 0.1 px of skimage${c.upsampleFactor >= 20 ? ' and of the true shift' : ''}`, () => {
      const pair = fixture.pairs[c.pair]!;
      const ref = dec(pair.reference);
      const mov = dec(pair.moving);
      const res = phaseCrossCorrelation(ref, mov, { upsampleFactor: c.upsampleFactor, normalization: c.normalization });
      expect(res.shift).toHaveLength(c.shift.length);
      res.shift.forEach((s, a) => expect(Math.abs(s - c.shift[a]!)).toBeLessThanOrEqual(0.1));
      // In practice the peak and refinement grid match skimage exactly.
      res.shift.forEach((s, a) => expect(s).toBeCloseTo(c.shift[a]!, 5));
      if (c.upsampleFactor >= 20) {
        // Recovers the constructed shift within 0.1 px exactly when skimage does: all cases except
        // the band-limited float64 pair, where skimage's float64 "phase" floor (100·eps) amplifies
        // rounding noise in empty frequency bins into a spurious peak (its float32 twin is fine).
        const ok = res.shift.every((s, a) => wrappedDiff(s, pair.trueShift[a]!, ref.shape[a]!) <= 0.1);
        expect(ok).toBe(c.recoversTrueShift);
        if (!c.name.startsWith('2d_bandlimited_f64')) expect(ok).toBe(true);
      }
      const single = ref.dtype === 'float32';
      expect(Math.abs(res.error - c.error)).toBeLessThan(single ? 1e-4 : 1e-9);
      expect(Math.abs(res.phasediff - c.phasediff)).toBeLessThan(single ? 1e-4 : 1e-9);
    });
  }
});

suite('phaseCrossCorrelation behaviour', () => {
  const pair = fixture.pairs.p1!;
  const ref = dec(pair.reference);
  const mov = dec(pair.moving);

  it('space "fourier" with precomputed spectra gives the same result as space "real"', () => {
    const a = phaseCrossCorrelation(ref, mov, { upsampleFactor: 20 });
    const b = phaseCrossCorrelation(fftn(ref), fftn(mov), { upsampleFactor: 20, space: 'fourier' });
    b.shift.forEach((s, i) => expect(s).toBeCloseTo(a.shift[i]!, 9));
    expect(b.error).toBeCloseTo(a.error, 9);
    expect(b.phasediff).toBeCloseTo(a.phasediff, 9);
  });

  it('the half-spectrum real path matches the full-spectrum fourier path for odd, even, 1-D and 3-D shapes', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const shape of [[10], [9], [7, 9], [6, 5], [8, 8], [3, 4, 5], [4, 5, 6]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const a = { dtype: 'float64', shape, data: Float64Array.from({ length: n }, rnd) } as NDArray;
      const b = { dtype: 'float32', shape, data: Float32Array.from({ length: n }, rnd) } as NDArray;
      const b64 = { dtype: 'float64', shape, data: Float64Array.from(b.data as Float32Array) } as NDArray;
      for (const upsampleFactor of [1, 4]) {
        for (const normalization of ['phase', null] as const) {
          const r = phaseCrossCorrelation(a, b, { upsampleFactor, normalization });
          const f = phaseCrossCorrelation(fftn(a), fftn(b64), { upsampleFactor, normalization, space: 'fourier' });
          r.shift.forEach((v, i) => expect(v).toBeCloseTo(f.shift[i]!, 9));
          expect(r.error).toBeCloseTo(f.error, 9);
          expect(r.phasediff).toBeCloseTo(f.phasediff, 9);
        }
      }
    }
  });

  it('identical images give a zero shift', () => {
    const r = phaseCrossCorrelation(ref, ref, { upsampleFactor: 10 });
    r.shift.forEach((s) => expect(s).toBe(0));
    expect(Math.abs(r.phasediff)).toBeLessThan(1e-12);
  });

  it('swapping the images negates the shift', () => {
    const a = phaseCrossCorrelation(ref, mov, { upsampleFactor: 20 });
    const b = phaseCrossCorrelation(mov, ref, { upsampleFactor: 20 });
    b.shift.forEach((s, i) => expect(Math.abs(s + a.shift[i]!)).toBeLessThanOrEqual(0.05 + 1e-9));
  });

  it('maxShift (algobox extension) restricts the whole-pixel peak search', () => {
    // True registration shift of the wrap pair is (−40.25, 45.5) ≡ (23.75, −18.5) on 64×64.
    const w = fixture.pairs.wrap!;
    const r0 = dec(w.reference);
    const m0 = dec(w.moving);
    const free = phaseCrossCorrelation(r0, m0, { upsampleFactor: 20 });
    expect(free.shift[0]).toBeCloseTo(23.75, 5);
    // A bound that includes the peak changes nothing.
    const loose = phaseCrossCorrelation(r0, m0, { upsampleFactor: 20, maxShift: [30, 30] });
    expect(loose.shift).toEqual(free.shift);
    // A bound that excludes it forces a peak inside the window (plus at most 0.75 px refinement).
    const tight = phaseCrossCorrelation(r0, m0, { upsampleFactor: 20, maxShift: 5 });
    tight.shift.forEach((s) => expect(Math.abs(s)).toBeLessThanOrEqual(5.75));
    const whole = phaseCrossCorrelation(r0, m0, { maxShift: [5, 5] });
    whole.shift.forEach((s) => expect(Math.abs(s)).toBeLessThanOrEqual(5));
    expect(() => phaseCrossCorrelation(r0, m0, { maxShift: [1] })).toThrow(/maxShift/);
  });

  it('one-pixel-wide axes report a zero shift (as skimage)', () => {
    const row = { dtype: 'float64', shape: [1, 64], data: (ref.data as Float64Array).slice(0, 64) } as NDArray;
    const rowMov = { dtype: 'float64', shape: [1, 64], data: (ref.data as Float64Array).slice(64 * 3, 64 * 4) } as NDArray;
    const r = phaseCrossCorrelation(row, rowMov, { upsampleFactor: 4 });
    expect(r.shift[0]).toBe(0);
  });

  it('upsampledCrossCorrelation equals the zero-padded upsampled inverse DFT at its samples', () => {
    // Direct definition: CC[u] = Σ_k P[k] exp(2πi (u − off) k' / (n·up)) with k' the signed frequency.
    const P = fftn({ shape: [5, 6], data: Float64Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.3) + (i % 4)) });
    const up = 3;
    const off = [2.5, -1];
    const cc = upsampledCrossCorrelation(P, 4, up, off);
    expect(cc.shape).toEqual([4, 4]);
    const fq = (k: number, n: number): number => (k < Math.ceil(n / 2) ? k : k - n) / (n * up);
    for (let u0 = 0; u0 < 4; u0++) {
      for (let u1 = 0; u1 < 4; u1++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < 5; j++) {
          for (let k = 0; k < 6; k++) {
            const ang = 2 * Math.PI * ((u0 - off[0]!) * fq(j, 5) + (u1 - off[1]!) * fq(k, 6));
            const pr = P.re[j * 6 + k]!;
            const pi = P.im[j * 6 + k]!;
            sr += pr * Math.cos(ang) - pi * Math.sin(ang);
            si += pr * Math.sin(ang) + pi * Math.cos(ang);
          }
        }
        expect(cc.re[u0 * 4 + u1]).toBeCloseTo(sr, 9);
        expect(cc.im[u0 * 4 + u1]).toBeCloseTo(si, 9);
      }
    }
  });

  it('the Hermitian shortcut of the upsampled DFT equals the direct contraction', () => {
    for (const shape of [
      [6, 8],
      [5, 7],
      [4, 3, 6],
      [7, 5, 5],
    ]) {
      const n = shape.reduce((p, q) => p * q, 1);
      const P = fftn({ shape, data: Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.77) + ((i * 7) % 5)) });
      const off = shape.map((_, i) => 3.5 - i);
      const a = upsampledCrossCorrelation(P, 7, 4, off, false);
      const b = upsampledCrossCorrelation(P, 7, 4, off, true);
      for (let i = 0; i < a.re.length; i++) {
        expect(b.re[i]).toBeCloseTo(a.re[i]!, 9);
        expect(b.im[i]).toBeCloseTo(a.im[i]!, 9);
      }
    }
  });

  it('validates its inputs', () => {
    expect(() => phaseCrossCorrelation(ref, { dtype: 'float64', shape: [2, 2], data: new Float64Array(4) })).toThrow(/same shape/);
    expect(() => phaseCrossCorrelation(ref, mov, { upsampleFactor: 0 })).toThrow(/upsampleFactor/);
    expect(() => phaseCrossCorrelation(ref, mov, { normalization: 'bogus' as never })).toThrow(/normalization/);
    expect(() => phaseCrossCorrelation(ref, mov, { space: 'bogus' as never })).toThrow(/space/);
    const nan = { dtype: 'float64', shape: [2, 2], data: new Float64Array([1, NaN, 0, 1]) } as NDArray;
    expect(() => phaseCrossCorrelation(nan, nan)).toThrow(/NaN/);
  });
});
