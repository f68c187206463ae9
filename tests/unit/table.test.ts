import { describe, expect, it } from 'vitest';
import { SchemaError, validateItem } from '../../src/core/dataSchemas';
import { ndarray } from '../../src/core/ndarray';
import { cellText, tableFromColumns, tableFromItem, tableLinks, tableToItem } from '../../src/core/table';
import { tableToCsv } from '../../src/core/tableCsv';
import { summarizeTable, summarizeValues } from '../../src/core/tableSummary';

// skimage.measure.regionprops_table(labels, intensity, properties=('label', 'area', 'intensity_mean')) of three objects.
const props = () => ({
  label: Int32Array.from([1, 2, 3]),
  area: Float64Array.from([12, 30, 4]),
  intensity_mean: Float64Array.from([0.5, 1 / 3, 2]),
});

const problem = (item: unknown): string => {
  try {
    validateItem('Table', item);
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return (e as Error).message;
  }
  throw new Error('expected a SchemaError');
};

describe('Table: columns and item', () => {
  it('tableFromColumns types Int32Array as int, Float64Array as float, strings as text with categories', () => {
    const t = tableFromColumns({ ...props(), image: ['a.tif', 'b.tif', 'a.tif'] }, { area: 'px' });
    expect(t.rows).toBe(3);
    expect(t.columns).toEqual([
      { name: 'label', type: 'int' },
      { name: 'area', type: 'float', unit: 'px' },
      { name: 'intensity_mean', type: 'float' },
      { name: 'image', type: 'text', categories: ['a.tif', 'b.tif'] },
    ]);
    expect(Array.from(t.values[3]!)).toEqual([0, 1, 0]);
    expect(cellText(t, 3, 2)).toBe('a.tif');
    expect(cellText(t, 2, 1)).toBe('0.3333333333333333');
  });

  it('tableToItem → validate → tableFromItem gives the same table', () => {
    const t = tableFromColumns({ ...props(), image: ['a', 'b', 'a'] });
    const item = tableToItem(t);
    expect(item.values.shape).toEqual([4, 3]);
    expect(Array.from(item.values.data)).toEqual([1, 2, 3, 12, 30, 4, 0.5, 1 / 3, 2, 0, 1, 0]);
    const back = tableFromItem(item);
    expect(back.columns).toEqual(t.columns);
    expect(back.values.map((v) => Array.from(v))).toEqual(t.values.map((v) => Array.from(v)));
  });

  it('columns of different lengths are refused, naming both', () => {
    expect(() => tableFromColumns({ label: Int32Array.from([1, 2]), area: Float64Array.from([1]) })).toThrow(
      "tableFromColumns: column 'area' has 1 values but column 'label' has 2; every column needs one value per row.",
    );
  });
});

describe('Table schema: bad input', () => {
  const values = (rows: number[][]) => ndarray('float64', [rows.length, rows[0]?.length ?? 0], rows.flat());
  it('malformed JSON names the field and the text', () => {
    expect(problem({ columns: '[{"name":', values: values([[1]]) })).toContain(
      `Table: Field 'columns': expected JSON text of a list of column specs, got string "[{\\"name\\":" (`,
    );
  });
  it('duplicate and empty names, unknown types', () => {
    const cols = JSON.stringify([
      { name: 'a', type: 'int' },
      { name: '', type: 'float' },
      { name: 'a', type: 'float' },
      { name: 'b', type: 'bool' },
    ]);
    const msg = problem({ columns: cols, values: values([[1], [1], [1], [1]]) });
    expect(msg).toContain(`Field 'columns[1].name': expected a non-empty string, got string "".`);
    expect(msg).toContain("Field 'columns[2].name': 'a' is already the name of column 0; column names must be unique.");
    expect(msg).toContain(`Field 'columns[3].type': expected one of int, float, text, got string "bool".`);
  });
  it('column count must match values.shape[0]', () => {
    const cols = JSON.stringify([{ name: 'a', type: 'int' }]);
    expect(problem({ columns: cols, values: values([[1], [2]]) })).toBe(
      "Table: Field 'values': expected float64 of shape [columns, rows] = [1, rows] (one row of values per column), got 2 rows of values for 1 columns.",
    );
    expect(problem({ columns: cols, values: ndarray('int32', [1, 2]) })).toBe(
      "Table: Field 'values': expected float64 of shape [columns, rows] = [1, rows], got int32 [1, 2].",
    );
  });
  it('int columns hold integers; category indices in range', () => {
    const cols = JSON.stringify([
      { name: 'label', type: 'int' },
      { name: 'image', type: 'text', categories: ['a', 'b'] },
    ]);
    const msg = problem({
      columns: cols,
      values: values([
        [1, 2.5],
        [0, 2],
      ]),
    });
    expect(msg).toBe(
      "Table: Field 'values': column 'label' is int, but row 1 holds 2.5; expected an integer. Field 'values': column 'image' is text, but row 1 holds category index 2; expected an index 0 to 1 into its 2 categories.",
    );
  });
  it('a text column without categories, a float column with some', () => {
    const cols = JSON.stringify([
      { name: 'image', type: 'text' },
      { name: 'x', type: 'float', categories: [] },
    ]);
    const msg = problem({ columns: cols, values: values([[0], [1]]) });
    expect(msg).toContain("Field 'columns[0].categories': a text column needs a list of strings, got undefined.");
    expect(msg).toContain("Field 'columns[1].categories': only a text column has categories (this column is float).");
  });
  it('missing fields', () => {
    expect(problem({})).toBe("Table: Field 'columns' is required. Field 'values' is required.");
  });
});

describe('tableToCsv', () => {
  it('writes what pandas to_csv(index=False, lineterminator="\\r\\n") writes, numbers in JS shortest form', () => {
    const t = tableFromColumns({
      label: Int32Array.from([1, 2, 3]),
      area: Float64Array.from([12, 0.1, 1e-7]),
      mean: Float64Array.from([NaN, 1 / 3, Infinity]),
      image: ['a.tif', 'b, c.tif', 'say "hi"'],
    });
    // pandas: 'label,area,mean,image\r\n1,12.0,,a.tif\r\n2,0.1,0.3333333333333333,"b, c.tif"\r\n3,1e-07,inf,"say ""hi"""\r\n'
    expect(tableToCsv(t)).toBe('label,area,mean,image\r\n1,12,,a.tif\r\n2,0.1,0.3333333333333333,"b, c.tif"\r\n3,1e-7,inf,"say ""hi"""\r\n');
  });
  it('writes the given rows in the given order; header names are quoted when needed', () => {
    const t = tableFromColumns({ 'a,b': Float64Array.from([1, 2, 3]) });
    expect(tableToCsv(t, [2, 0])).toBe('"a,b"\r\n3\r\n1\r\n');
  });
});

describe('summarizeTable', () => {
  it('count, mean, median, min, max and sample std (pandas describe)', () => {
    // pd.Series([1.0, 2, 4, 10]).std() = 4.031128874149275, median 3.0
    expect(summarizeValues([1, 2, 4, 10, NaN], [0, 1, 2, 3, 4])).toEqual({ count: 4, mean: 4.25, median: 3, min: 1, max: 10, std: 4.031128874149275 });
    expect(summarizeValues([5], [0])).toEqual({ count: 1, mean: 5, median: 5, min: 5, max: 5, std: NaN });
  });
  it('groups by the image column: all rows first, then per image', () => {
    const t = tableFromColumns({ area: Float64Array.from([1, 2, 4, 10]), image: ['b', 'a', 'b', 'a'] });
    const s = summarizeTable(t);
    expect(s.map((g) => [g.key, g.rows, g.columns.area!.mean, g.columns.area!.median])).toEqual([
      [null, 4, 4.25, 3],
      ['b', 2, 2.5, 2.5],
      ['a', 2, 6, 6],
    ]);
    expect(Object.keys(s[0]!.columns)).toEqual(['area']);
    expect(summarizeTable(t, { rows: [1, 3] }).map((g) => g.key)).toEqual([null, 'a']);
    expect(summarizeTable(t, { groupBy: null })).toHaveLength(1);
  });
});

describe('tableLinks', () => {
  it('reads labels, labelsKey (default mask) and image; tolerates absent and stale ids', () => {
    expect(tableLinks({ labels: 'L', image: 'I' })).toEqual({ labels: 'L', labelsKey: 'mask', image: 'I' });
    expect(tableLinks({ labels: 'L', labelsKey: 'labels' })).toEqual({ labels: 'L', labelsKey: 'labels' });
    expect(tableLinks({})).toBeNull();
    expect(tableLinks(undefined)).toBeNull();
    expect(tableLinks({ labels: 3 })).toBeNull();
    const exists = (id: string) => id === 'L';
    expect(tableLinks({ labels: 'L', image: 'gone' }, exists)).toEqual({ labels: 'L', labelsKey: 'mask' });
    expect(tableLinks({ labels: 'gone', image: 'L' }, exists)).toBeNull();
  });
});
