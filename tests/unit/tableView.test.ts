import { describe, expect, it } from 'vitest';
import { tableFromColumns } from '../../src/core/table';
import { highlightObjects, HIGHLIGHT, labelCentre } from '../../src/app/viewers/render/objectHighlight';
import { autoBins, parseFilter, tableRows } from '../../src/app/viewers/render/tableRows';

const t = tableFromColumns({
  label: Int32Array.from([1, 2, 3, 4]),
  area: Float64Array.from([600, 120, NaN, 900]),
  'centroid-0': Float64Array.from([3, 1, 2, 0]),
  image: ['b.tif', 'a.tif', 'b.tif', 'A.TIF'],
});
const rowsOf = (filter: string, sort: Parameters<typeof tableRows>[2] = null) => {
  const f = parseFilter(t, filter);
  if (!f.ok) throw new Error(f.error);
  return Array.from(tableRows(t, f.test, sort));
};

describe('table rows: filter', () => {
  it('numeric conditions, joined by and / commas; hyphenated column names', () => {
    expect(rowsOf('')).toEqual([0, 1, 2, 3]);
    expect(rowsOf('area > 500')).toEqual([0, 3]);
    expect(rowsOf('area>=600 and centroid-0 < 3')).toEqual([3]);
    expect(rowsOf('area > 100, label != 4')).toEqual([0, 1]);
    expect(rowsOf('label == 2')).toEqual([1]);
  });
  it('text: = / != exact (case-insensitive), a bare word matches any text column', () => {
    expect(rowsOf('image = a.tif')).toEqual([1, 3]);
    expect(rowsOf('image != a.tif')).toEqual([0, 2]);
    expect(rowsOf('b.t')).toEqual([0, 2]);
  });
  it('says what is wrong', () => {
    expect(parseFilter(t, 'volume > 3')).toEqual({ ok: false, error: "No column 'volume'; the columns are label, area, centroid-0, image." });
    expect(parseFilter(t, 'area > big')).toEqual({ ok: false, error: `'area >' needs a number, got "big".` });
    expect(parseFilter(t, 'image > a')).toEqual({ ok: false, error: "'image' is a text column: use = or != (got >)." });
    const numbers = tableFromColumns({ area: Float64Array.from([1]) });
    expect(parseFilter(numbers, 'cells')).toEqual({
      ok: false,
      error: '"cells" is not a condition (e.g. area > 500), and this table has no text column to search.',
    });
  });
});

describe('table rows: sort', () => {
  it('numbers numerically, NaN last both ways; text naturally; stable', () => {
    expect(rowsOf('', { column: 1, dir: 'asc' })).toEqual([1, 0, 3, 2]);
    expect(rowsOf('', { column: 1, dir: 'desc' })).toEqual([3, 0, 1, 2]);
    expect(rowsOf('', { column: 3, dir: 'asc' })).toEqual([1, 3, 0, 2]);
    expect(rowsOf('area < 1000', { column: 2, dir: 'desc' })).toEqual([0, 1, 3]);
  });
  it('100k rows filter and sort in well under a second', () => {
    const n = 100_000;
    const big = tableFromColumns({ area: Float64Array.from({ length: n }, (_, i) => (i * 7919) % n) });
    const t0 = performance.now();
    const f = parseFilter(big, 'area > 50000');
    const rows = tableRows(big, f.ok ? f.test : null, { column: 0, dir: 'desc' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rows.length).toBe(49_999);
    expect(big.values[0]![rows[0]!]).toBe(n - 1);
  });
});

describe('autoBins', () => {
  it("numpy histogram_bin_edges(bins='auto') bin counts", () => {
    // np.histogram_bin_edges(np.arange(100), 'auto').size - 1 = 8; np.histogram_bin_edges([1, 2, 2, 3, 10.], 'auto').size - 1 = 8
    expect(autoBins(Array.from({ length: 100 }, (_, i) => i))).toBe(8);
    expect(autoBins([1, 2, 2, 3, 10])).toBe(8);
    expect(autoBins([5, 5, 5])).toBe(1);
  });
});

describe('objects over the image', () => {
  // 4×3 labels: object 1 is 2×2 at the left, object 2 a column at x = 3.
  const labels = [1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 0, 2];
  const base = new Uint8ClampedArray(12 * 4).fill(100);
  it('no selection: labels tinted, background untouched', () => {
    const out = highlightObjects(base, labels, 4, 3, null);
    expect(Array.from(out.subarray(8, 12))).toEqual([100, 100, 100, 255]);
    expect(Array.from(out.subarray(0, 4))).not.toEqual([100, 100, 100, 255]);
  });
  it('selected object yellow (its boundary solid), the rest dimmed', () => {
    const out = highlightObjects(base, labels, 4, 3, 2);
    expect(Array.from(out.subarray(12, 16))).toEqual([...HIGHLIGHT, 255]);
    expect(Array.from(out.subarray(8, 12))).toEqual([45, 45, 45, 255]);
    expect(labelCentre(labels, 4, 1)).toEqual({ x: 1, y: 1 });
    expect(labelCentre(labels, 4, 7)).toBeNull();
  });
});

describe('a table in the datasets list', () => {
  it('is described by its rows and columns', async () => {
    const { describeDataset } = await import('../../src/app/datasets/format');
    const keys = {
      values: { kind: 'array' as const, dtype: 'float64' as const, shape: [3, 1200], byteLength: 28800 },
      columns: { kind: 'string' as const, dtype: 'uint8' as const, shape: [80], byteLength: 80 },
    };
    expect(describeDataset({ schema: 'Table', keys, byteLength: 28880 })).toEqual({
      dims: '1,200 rows × 3 columns',
      dimsTitle: 'A table (values float64 [columns, rows])',
      dtype: '',
      size: '29 KB',
    });
  });
});
