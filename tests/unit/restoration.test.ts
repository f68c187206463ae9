import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { fromBytes, type DType, type NDArray } from '../../src/core/ndarray';
import { denoiseTvChambolle, tvBackend } from '../../src/sdk/image/restoration';
import { _setTvWasmDisabled, _tvNdForTests } from '../../src/sdk/image/testHooks';
import { npSum } from '../../src/sdk/image/numpySum';

interface Enc {
  dtype: DType;
  shape: number[];
  b64: string;
}
interface TvCase {
  name: string;
  weight: number;
  eps: number;
  maxNumIter: number;
  input: Enc;
  output: Enc;
  iterations: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/tv.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  cases: TvCase[];
};
const dec = (e: Enc): NDArray => fromBytes(e.dtype, e.shape, Buffer.from(e.b64, 'base64'));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

suite('denoiseTvChambolle parity with skimage 0.19.3', () => {
  it('fixtures were generated with scikit-image 0.19.3', () => {
    expect(fixture.versions.skimage).toBe('0.19.3');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(15);
  });

  // Every case through the WebAssembly SIMD kernels and through the JavaScript kernels.
  for (const backend of ['wasm', 'js'] as const) {
    for (const c of fixture.cases) {
      it(`${backend}: ${c.name} (${c.input.dtype} [${c.input.shape.join('×')}], ${c.iterations} iterations)`, () => {
        _setTvWasmDisabled(backend === 'js');
        try {
          expect(tvBackend()).toBe(backend);
          const input = dec(c.input);
          const expected = dec(c.output);
          const out = denoiseTvChambolle(input, { weight: c.weight, eps: c.eps, maxNumIter: c.maxNumIter });
          expect(out.dtype).toBe(expected.dtype);
          expect(out.shape).toEqual(expected.shape);
          const diff = maxAbsDiff(out.data, expected.data);
          expect(diff).toBeLessThanOrEqual(1e-4);
          // Same operation order, precision and pairwise energy sums as numpy: bit-identical in practice.
          expect(diff).toBe(0);
        } finally {
          _setTvWasmDisabled(false);
        }
      });
    }
  }

  it('the generic n-D path agrees with the fused 2-D/3-D kernels', () => {
    for (const name of ['2d_f64_default', '2d_f32_default', '3d_f64_default', '3d_f32_w0.25']) {
      const c = fixture.cases.find((x) => x.name === name)!;
      const input = dec(c.input);
      const expected = dec(c.output);
      const out = _tvNdForTests(input.data as Float64Array | Float32Array, input.shape, c.weight, c.eps, c.maxNumIter);
      expect(maxAbsDiff(out, expected.data)).toBe(0);
    }
  });

  it('wasm, fused JS and generic kernels agree bit for bit on small and odd shapes', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const shapes = [[1], [3], [2, 1], [1, 1], [5, 1], [3, 2], [1, 7], [7, 13], [2, 3, 3], [4, 4, 1], [1, 5, 6], [2, 1, 5], [3, 9, 2]];
    for (const shape of shapes) {
      for (const dtype of ['float32', 'float64'] as const) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = dtype === 'float32' ? Float32Array.from({ length: n }, rnd) : Float64Array.from({ length: n }, rnd);
        const img = { dtype, shape, data } as NDArray;
        const ref = _tvNdForTests(data, shape, 0.15, 1e-4, 50);
        const viaWasm = denoiseTvChambolle(img, { weight: 0.15, eps: 1e-4, maxNumIter: 50 });
        _setTvWasmDisabled(true);
        const viaJs = denoiseTvChambolle(img, { weight: 0.15, eps: 1e-4, maxNumIter: 50 });
        _setTvWasmDisabled(false);
        expect(maxAbsDiff(viaWasm.data, ref)).toBe(0);
        expect(maxAbsDiff(viaJs.data, ref)).toBe(0);
      }
    }
  });

  it('does not modify its input and returns a new buffer', () => {
    const c = fixture.cases.find((x) => x.name === '2d_f32_default')!;
    const input = dec(c.input);
    const before = input.data.slice();
    const out = denoiseTvChambolle(input);
    expect(out.data).not.toBe(input.data);
    expect(Array.from(input.data)).toEqual(Array.from(before));
  });

  it('maxNumIter 1 returns the (float) input unchanged', () => {
    const out = denoiseTvChambolle({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array([0, 51, 255, 102]) }, { maxNumIter: 1 });
    expect(out.dtype).toBe('float64');
    expect(Array.from(out.data)).toEqual([0, 51, 255, 102].map((v) => v * (1 / 255)));
  });

  it('validates its options', () => {
    const img: NDArray = { dtype: 'float64', shape: [2, 2], data: new Float64Array(4) };
    expect(() => denoiseTvChambolle(img, { weight: 0 })).toThrow(/weight/);
    expect(() => denoiseTvChambolle(img, { maxNumIter: 0 })).toThrow(/maxNumIter/);
    expect(() => denoiseTvChambolle({ dtype: 'float64', shape: [3], data: new Float64Array(2) } as NDArray)).toThrow(/elements/);
  });
});

suite('npSum (numpy pairwise summation, as the TV energy uses it)', () => {
  it('matches exact reference sums closely and is order-sensitive like numpy', () => {
    const a = new Float64Array(20000).map((_, i) => ((i * 7919) % 1000) / 1000);
    let exact = 0;
    for (const v of a) exact += v;
    expect(Math.abs(npSum(a) - exact)).toBeLessThan(1e-9);
    const f = Float32Array.from(a);
    expect(Math.abs(npSum(f, 0, f.length, true) - exact) / exact).toBeLessThan(1e-6);
    expect(npSum(new Float32Array(0), 0, 0, true)).toBe(0);
  });
});
