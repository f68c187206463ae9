import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromBytes, ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { resize } from '../../src/sdk/image/transform';

interface Enc {
  dtype: DType;
  shape: number[];
  b64: string;
}
const dec = (e: Enc): NDArray => fromBytes(e.dtype, e.shape, Buffer.from(e.b64, 'base64'));
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/transform.json', import.meta.url), 'utf8')) as {
  cases: { name: string; image: Enc; shape: number[]; order: 0 | 1; antiAliasing: boolean; expected: Enc }[];
};

describe('resize (parity with skimage.transform.resize, preserve_range=True)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const out = resize(dec(c.image), c.shape, { order: c.order, antiAliasing: c.antiAliasing });
      const exp = dec(c.expected);
      expect(out.shape).toEqual(exp.shape);
      let worst = 0;
      for (let i = 0; i < exp.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - (exp.data[i] as number)));
      expect(worst).toBeLessThan(1e-9);
    });
  }

  it('keeps trailing axes (channels) and checks its arguments', () => {
    const a = ndarray('uint8', [4, 4, 3], new Uint8Array(48).fill(7));
    expect(resize(a, [8, 2]).shape).toEqual([8, 2, 3]);
    expect(Array.from(resize(a, [8, 2]).data).every((v) => Math.abs(v - 7) < 1e-12)).toBe(true);
    expect(() => resize(a, [0, 2])).toThrow(/outputShape\[0\] must be a positive integer, got 0/);
    expect(() => resize(a, [1, 2, 3, 4])).toThrow(/4 sizes for an image of 3 axes/);
    expect(() => resize(a, [2, 2], { order: 3 as 1 })).toThrow(/order must be 0 or 1/);
  });
});
