import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { fromBytes, ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { label, regionpropsTable } from '../../src/sdk/image/measure';
import { REGIONPROPS } from '../../src/sdk/image/regionprops';
import { EULER_3D_26 } from '../../src/sdk/image/eulerTables';
import { measure } from '../../src/sdk/image/index';

interface Enc {
  dtype: DType;
  shape: number[];
  b64: string;
}
interface MeasureCase {
  name: string;
  image: Enc;
  intensity?: Enc;
  label: { connectivity: number | null; background: number | null; count: number; labels: Enc }[];
  props: string[];
  /** Non-finite values are the strings 'inf', '-inf', 'nan'. */
  table: Record<string, (number | string)[]>;
  errors?: Record<string, string | null>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/measure.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  cases: MeasureCase[];
};
const dec = (e: Enc): NDArray => fromBytes(e.dtype, e.shape, Buffer.from(e.b64, 'base64'));
const opt = (v: number | null) => (v === null ? undefined : v);
const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number.NaN);

/** Integer columns identical, float columns within 1e-9 relative (exact zeros stay zero). */
function expectColumn(name: string, got: Float64Array | Int32Array | undefined, wanted: (number | string)[]): void {
  const want = wanted.map(num);
  expect(got, `column ${name}`).toBeDefined();
  expect(got!.length, `column ${name} length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const a = got![i]!;
    const b = want[i]!;
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.abs(b))) bad.push(`row ${i}: ${a} ≠ ${b}`);
  }
  expect(bad, `column ${name}`).toEqual([]);
}

suite('measure.label and regionprops_table parity with scikit-image 0.19.3', () => {
  it('fixtures were generated with scikit-image 0.19.3', () => {
    expect(fixture.versions.skimage).toBe('0.19.3');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const c of fixture.cases) {
    const image = dec(c.image);
    const dims = `[${c.image.shape.join('×')}]`;
    it(`${c.name} ${dims}: label numbering and count (connectivities, backgrounds)`, () => {
      for (const L of c.label) {
        const res = label(image, { connectivity: opt(L.connectivity), background: opt(L.background) });
        expect(res.labels.dtype).toBe('int32');
        expect(res.count, `connectivity ${L.connectivity} background ${L.background}`).toBe(L.count);
        const want = dec(L.labels).data;
        let mismatches = 0;
        for (let i = 0; i < want.length; i++) if (res.labels.data[i] !== want[i]) mismatches++;
        expect(mismatches, `connectivity ${L.connectivity} background ${L.background}`).toBe(0);
      }
    });
    it(`${c.name} ${dims}: regionprops_table columns (${c.props.length} properties)`, () => {
      const first = c.label[0]!;
      const labels = label(image, { connectivity: opt(first.connectivity), background: opt(first.background) }).labels;
      const table = regionpropsTable(labels, { intensity: c.intensity ? dec(c.intensity) : null, properties: c.props });
      expect(Object.keys(table)).toEqual(Object.keys(c.table));
      for (const [name, want] of Object.entries(c.table)) expectColumn(name, table[name], want);
      // Exact where skimage's arithmetic is reproduced: integer columns, centroids (exact sums), numpy's float32/float64 pairwise means.
      for (const name of [
        'label',
        'area',
        'bbox-0',
        'bbox-3',
        'centroid-0',
        'centroid-1',
        'euler_number',
        'intensity_mean',
        'intensity_min',
        'intensity_max',
      ]) {
        if (c.table[name]) expect(Array.from(table[name]!), name).toEqual(c.table[name]!.map(num));
      }
      for (const name of ['label', 'area', 'bbox-0', 'euler_number']) if (table[name]) expect(table[name]).toBeInstanceOf(Int32Array);
      if (table['centroid-0']) expect(table['centroid-0']).toBeInstanceOf(Float64Array);
    });
    if (c.errors) {
      it(`${c.name} ${dims}: what skimage refuses in 3-D is refused`, () => {
        const labels = label(image).labels;
        for (const [p, err] of Object.entries(c.errors!)) {
          if (err) expect(err).toContain('NotImplementedError');
          expect(() => regionpropsTable(labels, { properties: [p] })).toThrow(/not implemented for 3-D images/);
        }
      });
    }
  }

  it('the 3-D Euler table is the 256 coefficients of skimage (sum −136, as numpy sums them)', () => {
    expect(EULER_3D_26.length).toBe(256);
    expect(Array.from(EULER_3D_26).reduce((s, v) => s + v, 0)).toBe(-136);
    expect(Array.from(EULER_3D_26.subarray(0, 8))).toEqual([0, 1, 1, 0, 1, 0, -2, -1]);
  });

  it('a line: minor axis 0, eccentricity 1, orientation ±π/2 for a horizontal line', () => {
    const img = ndarray('uint8', [5, 9], new Uint8Array(45));
    for (let x = 1; x < 8; x++) img.data[2 * 9 + x] = 1;
    const t = regionpropsTable(label(img).labels, {
      properties: ['minor_axis_length', 'eccentricity', 'orientation', 'major_axis_length', 'solidity', 'perimeter'],
    });
    expect(t.minor_axis_length![0]).toBe(0);
    expect(t.eccentricity![0]).toBe(1);
    expect(Math.abs(t.orientation![0]!)).toBeCloseTo(Math.PI / 2, 12);
    expect(t.major_axis_length![0]).toBeCloseTo(8, 12);
    expect(t.solidity![0]).toBe(1);
    expect(t.perimeter![0]).toBe(5); // skimage: 5.0
  });

  it('label of a bool image and of an empty image; an empty table keeps its columns', () => {
    const b = ndarray('bool', [2, 3], [1, 0, 1, 1, 0, 1]);
    expect(Array.from(label(b).labels.data)).toEqual([1, 0, 2, 1, 0, 2]);
    const empty = label(ndarray('uint8', [3, 3]));
    expect(empty.count).toBe(0);
    const t = regionpropsTable(empty.labels, { properties: ['label', 'bbox', 'centroid'] });
    expect(Object.keys(t)).toEqual(['label', 'bbox-0', 'bbox-1', 'bbox-2', 'bbox-3', 'centroid-0', 'centroid-1']);
    expect(t.label!.length).toBe(0);
  });

  it('errors name the argument, the value and what is expected', () => {
    const img = ndarray('uint8', [3, 3]);
    expect(() => label(img, { connectivity: 3 })).toThrow(/connectivity must be an integer from 1 to 2 .* got 3/);
    expect(() => label(ndarray('float32', [2, 2]))).toThrow(/integer or bool dtype .* got float32/);
    expect(() => regionpropsTable(img, { properties: ['area', 'roundness'] })).toThrow(/unknown property "roundness"; supported: label, area, .*solidity/);
    expect(() => regionpropsTable(img, { properties: ['intensity_mean'] })).toThrow(/needs an intensity image/);
    expect(() => regionpropsTable(img, { properties: ['area'], intensity: ndarray('uint8', [3, 4]) })).toThrow(
      /intensity image shape \[3, 4\] must equal the label image shape \[3, 3\]/,
    );
    expect(() => regionpropsTable(img, { properties: ['area'], spacing: [2, 1] })).toThrow(/spacing \[2,1\] is not supported/);
    expect(() => regionpropsTable(ndarray('int32', [2], [1, -1]), { properties: ['area'] })).toThrow(/negative label \(-1\)/);
  });

  it('is exported as the frozen namespace measure, with the list of properties', () => {
    expect(Object.isFrozen(measure)).toBe(true);
    expect(measure.REGIONPROPS).toBe(REGIONPROPS);
    expect(REGIONPROPS).toContain('weighted_centroid');
    expect(typeof measure.labelBlocks).toBe('function');
    expect(typeof measure.regionpropsOfBlocks).toBe('function');
  });
});
