import { describe as suite, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/sampleData';
import { FFTPlan, fft1d, fftfreq, fftn, fftnInPlace, ifftn, irfftn, type ComplexArray } from '../../src/sdk/image/fft';

/** Deterministic pseudo-random numbers in [-0.5, 0.5) (mulberry32). */
function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() - 0.5;
}

/** Naive O(n²) DFT with exactly reduced twiddle angles. */
function naiveDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const oRe = new Float64Array(n);
  const oIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    cos[e] = Math.cos((sign * 2 * Math.PI * e) / n);
    sin[e] = Math.sin((sign * 2 * Math.PI * e) / n);
  }
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const e = (j * k) % n;
      const c = cos[e]!;
      const s = sin[e]!;
      sr += re[j]! * c - im[j]! * s;
      si += re[j]! * s + im[j]! * c;
    }
    oRe[k] = inverse ? sr / n : sr;
    oIm[k] = inverse ? si / n : si;
  }
  return [oRe, oIm];
}

/** max |a − b| / max |b| over complex vectors. */
function relErr(aRe: ArrayLike<number>, aIm: ArrayLike<number>, bRe: ArrayLike<number>, bIm: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < aRe.length; k++) {
    num = Math.max(num, Math.hypot(aRe[k]! - bRe[k]!, aIm[k]! - bIm[k]!));
    den = Math.max(den, Math.hypot(bRe[k]!, bIm[k]!));
  }
  return num / den;
}

function randomComplex(n: number, r: () => number): [Float64Array, Float64Array] {
  return [Float64Array.from({ length: n }, r), Float64Array.from({ length: n }, r)];
}

suite('FFT (any length) against a naive DFT', () => {
  const r = rng(12345);
  // Powers of two, mixed radices (2/3/4/5/7/…), small and large primes (generic radix / Bluestein).
  const sizes = [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    15,
    16,
    17,
    25,
    27,
    30,
    31,
    32,
    45,
    49,
    53,
    59,
    61,
    64,
    67,
    97,
    100,
    101,
    121,
    127,
    128,
    143,
    210,
    251,
    256,
    360,
    509,
    512,
    625,
    997,
    1000,
    1021,
    1024,
    2 * 509,
    3 * 257,
  ];
  const extra: number[] = [];
  for (let i = 0; i < 12; i++) extra.push(2 + Math.floor((r() + 0.5) * 700));
  for (const n of [...sizes, ...extra]) {
    it(`length ${n}: forward and inverse within 1e-9 relative`, () => {
      const [re, im] = randomComplex(n, r);
      for (const inverse of [false, true]) {
        const [eRe, eIm] = naiveDft(re, im, inverse);
        const xRe = re.slice();
        const xIm = im.slice();
        fft1d(xRe, xIm, inverse);
        expect(relErr(xRe, xIm, eRe, eIm)).toBeLessThan(1e-9);
      }
    });
  }

  it('round trip ifft(fft(x)) = x to 1e-12 for awkward lengths', () => {
    for (const n of [1, 7, 97, 360, 1009, 4096, 4099]) {
      const [re, im] = randomComplex(n, r);
      const xRe = re.slice();
      const xIm = im.slice();
      fft1d(xRe, xIm);
      fft1d(xRe, xIm, true);
      expect(relErr(xRe, xIm, re, im)).toBeLessThan(1e-12);
    }
  });

  it('batched (interleaved) transforms equal one-by-one transforms', () => {
    for (const [n, batch] of [
      [12, 5],
      [67, 3],
      [64, 7],
      [1000, 2],
    ] as const) {
      const [re, im] = randomComplex(n * batch, r);
      const bRe = re.slice();
      const bIm = im.slice();
      new FFTPlan(n).transform(bRe, bIm, 0, batch);
      for (let c = 0; c < batch; c++) {
        const lRe = Float64Array.from({ length: n }, (_, e) => re[e * batch + c]!);
        const lIm = Float64Array.from({ length: n }, (_, e) => im[e * batch + c]!);
        fft1d(lRe, lIm);
        const gRe = Float64Array.from({ length: n }, (_, e) => bRe[e * batch + c]!);
        const gIm = Float64Array.from({ length: n }, (_, e) => bIm[e * batch + c]!);
        expect(relErr(gRe, gIm, lRe, lIm)).toBeLessThan(1e-12);
      }
    }
  });
});

/** Naive separable n-D DFT (1-D naive DFT along every axis). */
function naiveDftN(a: ComplexArray, inverse: boolean): ComplexArray {
  const shape = a.shape;
  const re = a.re.slice();
  const im = a.im.slice();
  const total = re.length;
  for (let ax = 0; ax < shape.length; ax++) {
    const n = shape[ax]!;
    let inner = 1;
    for (let i = ax + 1; i < shape.length; i++) inner *= shape[i]!;
    const outer = total / (n * inner);
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < inner; c++) {
        const lr = new Float64Array(n);
        const li = new Float64Array(n);
        for (let e = 0; e < n; e++) {
          lr[e] = re[o * n * inner + e * inner + c]!;
          li[e] = im[o * n * inner + e * inner + c]!;
        }
        const [tr, ti] = naiveDft(lr, li, inverse);
        for (let e = 0; e < n; e++) {
          re[o * n * inner + e * inner + c] = tr[e]!;
          im[o * n * inner + e * inner + c] = ti[e]!;
        }
      }
    }
  }
  return { shape: [...shape], re, im };
}

suite('n-D FFT', () => {
  const r = rng(777);
  for (const shape of [
    [6, 7],
    [64, 48],
    [45, 61],
    [53, 37],
    [3, 5, 7],
    [8, 32, 32],
    [1, 17],
    [17, 1],
    [2, 3, 4, 5],
    [40, 33],
  ]) {
    it(`shape [${shape.join('×')}] matches the separable naive DFT (1e-9 relative) and round-trips`, () => {
      const n = shape.reduce((p, q) => p * q, 1);
      const [re, im] = randomComplex(n, r);
      const a: ComplexArray = { shape, re, im };
      const got = fftn(a);
      const want = naiveDftN(a, false);
      expect(relErr(got.re, got.im, want.re, want.im)).toBeLessThan(1e-9);
      const back = ifftn(got);
      expect(relErr(back.re, back.im, re, im)).toBeLessThan(1e-12);
    });
  }

  it('transforms real NDArray-like input and selected axes only', () => {
    const shape = [9, 10];
    const data = Float32Array.from({ length: 90 }, r);
    const got = fftn({ shape, data });
    const want = naiveDftN({ shape, re: Float64Array.from(data), im: new Float64Array(90) }, false);
    expect(relErr(got.re, got.im, want.re, want.im)).toBeLessThan(1e-9);
    // Axis 1 only equals a row-wise 1-D transform.
    const a: ComplexArray = { shape, re: Float64Array.from(data), im: new Float64Array(90) };
    fftnInPlace(a, false, [1]);
    for (let y = 0; y < 9; y++) {
      const [tr, ti] = naiveDft(Float64Array.from(data.subarray(y * 10, y * 10 + 10)), new Float64Array(10), false);
      expect(relErr(a.re.subarray(y * 10, y * 10 + 10), a.im.subarray(y * 10, y * 10 + 10), tr, ti)).toBeLessThan(1e-12);
    }
  });

  it('strided axes wider than one strip (in-place strided strips, partial last strip) stay exact', () => {
    const shape = [31, 100];
    const n = 3100;
    const [re, im] = randomComplex(n, r);
    const got = fftn({ shape, re, im });
    const want = naiveDftN({ shape, re, im }, false);
    expect(relErr(got.re, got.im, want.re, want.im)).toBeLessThan(1e-9);
  });

  it('fftfreq matches numpy.fft.fftfreq', () => {
    expect(Array.from(fftfreq(5))).toEqual([0, 0.2, 0.4, -0.4, -0.2]);
    expect(Array.from(fftfreq(4, 0.5))).toEqual([0, 0.5, -1, -0.5]);
    expect(Array.from(fftfreq(1))).toEqual([0]);
  });

  it('rejects bad input', () => {
    expect(() => new FFTPlan(0)).toThrow(/positive integer/);
    expect(() => fftnInPlace({ shape: [2, 2], re: new Float64Array(3), im: new Float64Array(4) })).toThrow(/does not match/);
    expect(() => fftnInPlace({ shape: [2, 2], re: new Float64Array(4), im: new Float64Array(4) }, false, [2])).toThrow(/out of range/);
  });
});

suite('irfftn', () => {
  it('inverts the half spectrum of real data (even and odd last axis, with and without overwrite)', () => {
    let seed = 3;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
    for (const shape of [[8], [7], [4, 6], [5, 7], [3, 4, 5], [2, 3, 6]]) {
      const total = shape.reduce((a, b) => a * b, 1);
      const x = Float64Array.from({ length: total }, rnd);
      const X = fftn({ shape, data: x });
      const n = shape[shape.length - 1]!;
      const mh = Math.floor(n / 2) + 1;
      const rows = total / n;
      const hre = new Float64Array(rows * mh);
      const him = new Float64Array(rows * mh);
      for (let r = 0; r < rows; r++) {
        hre.set(X.re.subarray(r * n, r * n + mh), r * mh);
        him.set(X.im.subarray(r * n, r * n + mh), r * mh);
      }
      const half = { shape: [...shape.slice(0, -1), mh], re: hre, im: him };
      const keep = Float64Array.from(hre);
      const y = irfftn(half, n);
      expect(hre).toEqual(keep);
      const z = irfftn(half, n, true);
      expect(y.shape).toEqual(shape);
      for (let i = 0; i < total; i++) {
        expect(Math.abs(y.data[i]! - x[i]!)).toBeLessThan(1e-12);
        expect(z.data[i]).toBe(y.data[i]);
      }
    }
  });
});
