import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { fromBytes, type DType, type NDArray } from '../../src/core/ndarray';
import { binaryFillHoles, label, removeSmallObjects } from '../../src/sdk/image/morphology';

interface Enc {
  dtype: DType;
  shape: number[];
  b64: string;
}
interface MorphCase {
  name: string;
  mask: Enc;
  label: Record<string, { labels: Enc; count: number }>;
  removeSmallObjects: { minSize: number; connectivity: number; output: Enc }[];
  fillHoles: Record<string, Enc>;
  fillHolesDefault: Enc;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/morphology.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  cases: MorphCase[];
};
const dec = (e: Enc): NDArray => fromBytes(e.dtype, e.shape, Buffer.from(e.b64, 'base64'));

function expectSame(got: NDArray, want: NDArray): void {
  expect(got.shape).toEqual(want.shape);
  let mismatches = 0;
  for (let i = 0; i < want.data.length; i++) if (got.data[i] !== want.data[i]) mismatches++;
  expect(mismatches).toBe(0);
}

suite('morphology parity with scipy / scikit-image', () => {
  it('fixtures were generated with scikit-image 0.19.3', () => {
    expect(fixture.versions.skimage).toBe('0.19.3');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(6);
  });

  for (const c of fixture.cases) {
    const mask = dec(c.mask);
    const dims = `[${c.mask.shape.join('×')}]`;
    it(`${c.name} ${dims}: label numbering and count (every connectivity)`, () => {
      for (const [conn, want] of Object.entries(c.label)) {
        const res = label(mask, Number(conn));
        expect(res.labels.dtype).toBe('int32');
        expect(res.count).toBe(want.count);
        expectSame(res.labels, dec(want.labels));
      }
    });
    it(`${c.name} ${dims}: removeSmallObjects (min sizes 0–64, every connectivity)`, () => {
      for (const r of c.removeSmallObjects) {
        const out = removeSmallObjects(mask, r.minSize, r.connectivity);
        expect(out.dtype).toBe('uint8');
        expectSame(out, dec(r.output));
      }
    });
    it(`${c.name} ${dims}: binaryFillHoles (default and every connectivity)`, () => {
      const def = binaryFillHoles(mask);
      expect(def.dtype).toBe('uint8');
      expectSame(def, dec(c.fillHolesDefault));
      for (const [conn, want] of Object.entries(c.fillHoles)) expectSame(binaryFillHoles(mask, Number(conn)), dec(want));
    });
  }
});

suite('morphology behaviour', () => {
  const m = (shape: number[], values: number[]): NDArray => ({ dtype: 'uint8', shape, data: Uint8Array.from(values) });

  it('any non-zero value is foreground, whatever the dtype (bool semantics)', () => {
    const f = { dtype: 'float32', shape: [1, 5], data: Float32Array.from([0.5, 0, -2, 3, 0]) } as NDArray;
    expect(Array.from(removeSmallObjects(f, 2).data)).toEqual([0, 0, 1, 1, 0]);
    expect(label(f).count).toBe(2);
  });

  it('numbers components in C order of their first pixel (scipy)', () => {
    const res = label(m([3, 4], [0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1]));
    // Values checked against scipy.ndimage.label.
    expect(Array.from(res.labels.data)).toEqual([0, 1, 0, 2, 3, 0, 0, 2, 0, 0, 2, 2]);
    expect(res.count).toBe(3);
    // Diagonal neighbours join with connectivity 2.
    const diag = m([2, 2], [1, 0, 0, 1]);
    expect(label(diag, 1).count).toBe(2);
    expect(label(diag, 2).count).toBe(1);
    // Out-of-range connectivity clamps like generate_binary_structure.
    expect(label(diag, 0).count).toBe(2);
    expect(label(diag, 9).count).toBe(1);
  });

  it('merges U-shaped components found as two runs', () => {
    const res = label(m([3, 5], [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]));
    expect(res.count).toBe(1);
    expect(new Set(res.labels.data)).toEqual(new Set([0, 1]));
  });

  it('fills enclosed holes only (border-connected background stays)', () => {
    const ring = m([5, 5], [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(binaryFillHoles(ring).data)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    // A diagonal leak to the corner: holes closed for 1-connectivity, open for 2-connectivity
    // (values checked against scipy.ndimage.binary_fill_holes).
    const leak = m([4, 4], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    expect(Array.from(binaryFillHoles(leak, 1).data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(binaryFillHoles(leak, 2).data)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
  });

  it('handles empty and full masks and does not modify the input', () => {
    const empty = m(
      [3, 3],
      Array.from({ length: 9 }, () => 0),
    );
    const full = m(
      [3, 3],
      Array.from({ length: 9 }, () => 1),
    );
    expect(label(empty).count).toBe(0);
    expect(label(full).count).toBe(1);
    expect(Array.from(binaryFillHoles(empty).data)).toEqual(Array.from({ length: 9 }, () => 0));
    expect(Array.from(removeSmallObjects(full, 10).data)).toEqual(Array.from({ length: 9 }, () => 0));
    expect(Array.from(removeSmallObjects(full, 9).data)).toEqual(Array.from({ length: 9 }, () => 1));
    expect(Array.from(full.data)).toEqual(Array.from({ length: 9 }, () => 1));
    expect(() => label({ dtype: 'uint8', shape: [], data: new Uint8Array(1) })).toThrow(/dimension/);
  });
});
