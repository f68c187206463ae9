// The platform format system/table/1 (issue 16): an analyzer's table result, converted strictly
// (messages name the result, the column and the value), refused as a stream format, shown as a Table.
import { describe, expect, it } from 'vitest';
import { checkDeclaration, createData, DataFormatRegistry, executeBlock, type InputList, type Output } from '../../src/core/beat';
import { convertTable, tableOfResult } from '../../src/core/beat/tableFormat';
import { tableToCsv } from '../../src/core/tableCsv';
import { thrown } from '../fixtures/beat/helpers';

const columns = [
  { name: 'image', type: 'text' },
  { name: 'found', type: 'int' },
  { name: 'ratio', type: 'float', unit: '%' },
];

const message = (value: unknown): string => thrown(() => convertTable(value, 'per_image')).message;

describe('system/table/1', () => {
  it('converts per-column arrays (typed arrays too) to a fresh plain copy; NaN is a missing float', () => {
    const values = [['a.tif', 'b.tif', 'a.tif'], new Int32Array([3, 0, -2]), [0.5, NaN, -0]];
    const t = convertTable({ columns, values }, 'per_image');
    expect(t).toEqual({
      columns,
      values: [
        ['a.tif', 'b.tif', 'a.tif'],
        [3, 0, -2],
        [0.5, NaN, 0],
      ],
    });
    expect(t.values[0]).not.toBe(values[0]);
    expect(convertTable(t, 'again')).toEqual(t);
    expect(convertTable({ columns: [], values: [] }, 'empty')).toEqual({ columns: [], values: [] });
  });

  it('refuses bad tables, naming the result, the column and the value', () => {
    const ok = (): unknown[] => [['a'], [1], [0.5]];
    expect(message(3)).toBe("field 'per_image': expected a table { columns, values }, got 3");
    expect(message({ columns, values: ok(), rows: 1 })).toBe("field 'per_image.rows': not declared by data format 'system/table/1' (columns, values)");
    expect(message({ columns: 'x', values: [] })).toBe(`field 'per_image.columns': expected a list of column specs { name, type, unit? }, got string "x"`);
    expect(message({ columns: [{ name: '', type: 'int' }], values: [[]] })).toBe(
      `field 'per_image.columns[0].name': expected a non-empty string, got string ""`,
    );
    expect(message({ columns: [{ name: 'n', type: 'double' }], values: [[]] })).toBe(
      `field 'per_image.columns[0].type': expected 'int', 'float' or 'text', got string "double"`,
    );
    expect(message({ columns: [{ name: 'n', type: 'int', categories: [] }], values: [[]] })).toBe(
      "field 'per_image.columns[0].categories': not a key of a column spec (name, type, unit)",
    );
    expect(message({ columns: [{ name: 'n', type: 'int', unit: 3 }], values: [[]] })).toBe("field 'per_image.columns[0].unit': expected a string, got 3");
    expect(
      message({
        columns: [
          { name: 'n', type: 'int' },
          { name: 'n', type: 'float' },
        ],
        values: [[], []],
      }),
    ).toBe("field 'per_image.columns[1].name': 'n' is already the name of column 0; column names must be unique");
    expect(message({ columns, values: [['a'], [1]] })).toBe("field 'per_image.values': expected one array of values per column (3), got 2");
    expect(message({ columns, values: [['a'], [1.5], [0.5]] })).toBe(
      "field 'per_image.values[1]': column 'found' is int, but row 0 holds 1.5; expected an integer",
    );
    expect(
      message({
        columns,
        values: [
          ['a', 'b'],
          [1, NaN],
          [0.5, 1],
        ],
      }),
    ).toBe("field 'per_image.values[1]': column 'found' is int, but row 1 holds NaN; expected an integer");
    expect(message({ columns, values: [['a'], [1], ['0.5']] })).toBe(
      `field 'per_image.values[2]': column 'ratio' is float, but row 0 holds string "0.5"; expected a number`,
    );
    expect(message({ columns, values: [[7], [1], [0.5]] })).toBe("field 'per_image.values[0]': column 'image' is text, but row 0 holds 7; expected a string");
    expect(message({ columns, values: [['a'], 1, [0.5]] })).toBe("field 'per_image.values[1]': column 'found' expects an array of its values, got 1");
    expect(
      message({
        columns,
        values: [
          ['a', 'b'],
          [1, 2, 3],
          [0.5, 1],
        ],
      }),
    ).toBe("field 'per_image.values[1]': column 'found' has 3 rows, but column 'image' has 2; every column must have the same length");
  });

  it('an analyzer declaring a table result gets it validated: a bad one fails the run, naming the result', async () => {
    const declaration = {
      language: 'javascript',
      api_version: 2,
      groups: [{ inputs: { in: { type: 'system/int32/1' } } }],
      results: { table: { type: 'system/table/1' }, n: { type: 'int32' } },
    };
    const make = (half: boolean) =>
      class {
        xs: number[] = [];
        process(inputs: InputList, _loaders: unknown, output: Output): boolean {
          this.xs.push((inputs.get('in')!.data as { value: number }).value);
          if (!inputs.hasMoreData()) {
            const ys = this.xs.map((x) => (half ? x / 2 : x * 2));
            output.write({
              table: {
                columns: [
                  { name: 'x', type: 'int' },
                  { name: 'y', type: 'int' },
                ],
                values: [this.xs, ys],
              },
              n: this.xs.length,
            });
          }
          return true;
        }
      };
    const inputs = { in: [1, 2, 3].map((value, i) => ({ data: { value }, start: i, end: i })) };
    const good = await executeBlock({ declaration, algorithm: make(false), inputs, name: 'user/t/1' });
    expect(good.error).toBeNull();
    expect((good.result!.data as Record<string, unknown>).table).toEqual({
      columns: [
        { name: 'x', type: 'int' },
        { name: 'y', type: 'int' },
      ],
      values: [
        [1, 2, 3],
        [2, 4, 6],
      ],
    });
    const bad = await executeBlock({ declaration, algorithm: make(true), inputs, name: 'user/t/1' });
    expect(bad.error!.message).toBe("field 'table.values[1]': column 'y' is int, but row 0 holds 0.5; expected an integer");
  });

  it('is a result type only, with an empty default', () => {
    const formats = new DataFormatRegistry();
    expect(createData(formats.get('system/table/1'))).toEqual({ columns: [], values: [] });
    const { errors } = checkDeclaration(
      { language: 'javascript', api_version: 2, groups: [{ inputs: { t: { type: 'system/table/1' } }, outputs: { o: { type: 'system/int32/1' } } }] },
      { dataFormats: formats },
    );
    expect(errors).toEqual(["'t': system/table/1 is an analyzer result type, not a stream format"]);
  });

  it('becomes the table viewer’s Table (text as categories) and its CSV', () => {
    const t = tableOfResult(
      convertTable(
        {
          columns,
          values: [
            ['b.tif', 'a.tif', 'b.tif'],
            [3, 0, -2],
            [0.5, NaN, 1e-7],
          ],
        },
        'r',
      ),
    );
    expect(t.rows).toBe(3);
    expect(t.columns).toEqual([
      { name: 'image', type: 'text', categories: ['b.tif', 'a.tif'] },
      { name: 'found', type: 'int' },
      { name: 'ratio', type: 'float', unit: '%' },
    ]);
    expect(tableToCsv(t)).toBe('image,found,ratio\r\nb.tif,3,0.5\r\na.tif,0,\r\nb.tif,-2,1e-7\r\n');
  });
});
