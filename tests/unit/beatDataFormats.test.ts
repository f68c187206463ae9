// Data formats (reference §7): grammar, catalogue, default instances and strict writes.
import { describe, expect, it } from 'vitest';
import { BUILTIN_DATA_FORMATS, convertData, createData, DataFormatRegistry, type DataFormatDeclaration } from '../../src/core/beat';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { thrown } from '../fixtures/beat/helpers';

const formats = new DataFormatRegistry({
  'user/point/1': { x: 'float64', y: 'float64' },
  'user/all/1': {
    i8: 'int8',
    i16: 'int16',
    i32: 'int32',
    i64: 'int64',
    u8: 'uint8',
    u16: 'uint16',
    u32: 'uint32',
    u64: 'uint64',
    f32: 'float32',
    f64: 'float64',
    c64: 'complex64',
    flag: 'bool',
    text: 'string',
  },
  'user/shapes/1': {
    fixed: [2, 3, 'uint8'],
    mixed: [0, 3, 'float32'],
    ids: [0, 'int64'],
    mask: [0, 0, 'bool'],
    names: [2, 'string'],
    points: [0, 'user/point/1'],
    inline: { a: 'int32', b: [0, 'float64'] },
    iq: [0, 'complex128'],
  },
  'user/labelled_point/1': { '#extends': 'user/point/1', label: 'string', y: 'int32' },
});

/** A valid instance of user/shapes/1 to break field by field. */
function shapes(): Record<string, unknown> {
  return {
    fixed: ndarray('uint8', [2, 3], [1, 2, 3, 4, 5, 6]),
    mixed: ndarray('float32', [1, 3], [0.5, 1, 2]),
    ids: ndarray('float64', [2], [2 ** 40, 7]),
    mask: ndarray('bool', [1, 2], [1, 0]),
    names: ['a', 'b'],
    points: [{ x: 1, y: 2 }],
    inline: { a: 1, b: ndarray('float64', [0]) },
    iq: ndarray('float64', [1, 2], [1, -1]),
  };
}

describe('catalogue', () => {
  it('has the upstream system names and the plot formats', () => {
    const names = Object.keys(BUILTIN_DATA_FORMATS);
    for (const n of [
      'system/integer/1',
      'system/float/1',
      'system/bool/1',
      'system/text/1',
      'system/int64/1',
      'system/uint64/1',
      'system/array_1d_floats/1',
      'system/array_1d_uint32/1',
      'system/array_1d_uint64/1',
      'system/array_2d_uint8/1',
      'system/array_4d_float32/1',
      'system/array_3d_int16/1',
      'plot/bar/1',
      'plot/scatter/1',
      'system/table/1',
      'tutorial/linear_machine/1',
    ]) {
      expect(names).toContain(n);
    }
    // 4 named scalars + 10 system/<T>/1 + 4 ranks × (10 dtypes + floats) + 2 plots + the table + the PCA block's linear machine
    expect(names).toHaveLength(4 + 10 + 4 * 11 + 2 + 1 + 1);
    expect(BUILTIN_DATA_FORMATS['system/array_2d_uint8/1']).toEqual({ '#description': 'A 2-d array of uint8 of any shape', value: [0, 0, 'uint8'] });
    expect(BUILTIN_DATA_FORMATS['system/integer/1']!.value).toBe('int32');
    expect(BUILTIN_DATA_FORMATS['system/float/1']!.value).toBe('float64');
    expect(BUILTIN_DATA_FORMATS['plot/bar/1']!.data).toEqual([0, { label: 'string', x: [0, 'float64'], y: [0, 'float64'] }]);
    for (const n of names) expect(() => formats.get(n)).not.toThrow();
  });

  it('registry without builtins', () => {
    const bare = new DataFormatRegistry({}, { builtins: false });
    expect(bare.names()).toEqual([]);
    expect(thrown(() => bare.get('system/integer/1')).message).toBe("unknown data format 'system/integer/1'");
  });
});

describe('declarations', () => {
  it('compiles scalars, arrays, references, inline objects and #extends', () => {
    const f = formats.get('user/labelled_point/1');
    expect(f.extends).toBe('user/point/1');
    expect(f.root.fields.map((x) => [x.name, x.type])).toEqual([
      ['x', { kind: 'basic', type: 'float64' }],
      ['label', { kind: 'basic', type: 'string' }],
      ['y', { kind: 'basic', type: 'int32' }], // overridden
    ]);
    const s = formats.get('user/shapes/1').root.fields;
    expect(s.find((x) => x.name === 'fixed')!.type).toEqual({ kind: 'array', shape: [2, 3], element: { kind: 'basic', type: 'uint8' } });
    expect(s.find((x) => x.name === 'points')!.type).toMatchObject({ kind: 'array', shape: [0], element: { kind: 'object', format: 'user/point/1' } });
  });

  it('reports every problem of an invalid declaration', () => {
    const bad = new DataFormatRegistry({
      'user/bad/1': {
        a: 'float16',
        b: [3, -1, 'int32'],
        c: ['int32'],
        d: [0, [0, 'int32']],
        'bad name': 'int32',
        '#unknown': 1,
        e: 'user/missing/1',
        __ignored__: 'anything',
      },
    });
    const e = thrown(() => bad.get('user/bad/1'));
    expect(e.code).toBe('E_FORMAT_DECLARATION');
    expect(e.details).toEqual([
      "field 'a': unknown type 'float16'",
      "field 'b': array dimensions must be non-negative integers (0 = variable), got [3,-1]",
      'field \'c\': an array is declared as [dim, …, element type], e.g. [0, "float64"]',
      "field 'd': the element type of an array cannot itself be an array",
      "invalid field name 'bad name'",
      "unknown reserved key '#unknown'",
      "field 'e': unknown data format 'user/missing/1'",
    ]);
    expect(e.message).toBe(`invalid data format 'user/bad/1': ${e.details.join('; ')}`);
  });

  it('detects circular references and bad names', () => {
    const reg = new DataFormatRegistry({ 'user/a/1': { b: 'user/b/1' }, 'user/b/1': { a: [0, 'user/a/1'] } });
    expect(thrown(() => reg.get('user/a/1')).message).toBe('circular data format reference: user/a/1 -> user/b/1 -> user/a/1');
    expect(thrown(() => reg.register('nope', {})).message).toBe("invalid data format name 'nope' (expected <user>/<name>/<version>)");
  });
});

describe('createData', () => {
  it('zeros, false, empty strings, empty variable dimensions, zero-filled fixed dimensions, nested defaults', () => {
    expect(createData(formats.get('system/integer/1'))).toEqual({ value: 0 });
    expect(createData(formats.get('user/all/1'))).toEqual({
      i8: 0,
      i16: 0,
      i32: 0,
      i64: 0,
      u8: 0,
      u16: 0,
      u32: 0,
      u64: 0,
      f32: 0,
      f64: 0,
      c64: { real: 0, imag: 0 },
      flag: false,
      text: '',
    });
    const d = createData(formats.get('user/shapes/1'));
    expect(d.fixed).toEqual({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array(6) });
    expect(d.mixed).toEqual({ dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
    expect(d.ids).toEqual({ dtype: 'float64', shape: [0], data: new Float64Array(0) });
    expect(d.mask).toEqual({ dtype: 'bool', shape: [0, 0], data: new Uint8Array(0) });
    expect(d.names).toEqual(['', '']);
    expect(d.points).toEqual([]);
    expect(d.inline).toEqual({ a: 0, b: { dtype: 'float64', shape: [0], data: new Float64Array(0) } });
    expect(d.iq).toEqual({ dtype: 'float64', shape: [0, 2], data: new Float64Array(0) });
    // A default instance is itself a valid write.
    expect(convertData(formats.get('user/shapes/1'), d)).toEqual(d);
  });
});

describe('strict writes', () => {
  const all = formats.get('user/all/1');
  const base = {
    i8: -128,
    i16: 32767,
    i32: -5,
    i64: Number.MAX_SAFE_INTEGER,
    u8: 255,
    u16: 0,
    u32: 4294967295,
    u64: 12,
    f32: 0.5,
    f64: 0.1,
    c64: { real: 1, imag: 2 },
    flag: true,
    text: 'ok',
  };

  it('accepts exact values and converts without loss', () => {
    expect(convertData(all, base)).toEqual(base);
    expect(convertData(all, { ...base, i64: 5n, c64: 3 })).toEqual({ ...base, i64: 5, c64: { real: 3, imag: 0 } });
    expect(convertData(all, { ...base, f32: 0.1 }).f32).toBe(Math.fround(0.1));
    expect(Object.is(convertData(all, { ...base, i32: -0 }).i32, 0)).toBe(true);
  });

  it.each([
    ['i32', 1.5, "field 'i32': expected int32, got 1.5"],
    ['i8', 128, "field 'i8': expected int8, got 128"],
    ['u8', -1, "field 'u8': expected uint8, got -1"],
    ['u32', 2 ** 32, "field 'u32': expected uint32, got 4294967296"],
    ['i64', 2 ** 53, "field 'i64': expected int64, got 9007199254740992"],
    ['i64', 2n ** 63n, "field 'i64': expected int64, got 9223372036854775808n"],
    ['u64', -1, "field 'u64': expected uint64, got -1"],
    ['i32', NaN, "field 'i32': expected int32, got NaN"],
    ['i32', true, "field 'i32': expected int32, got boolean true"],
    ['f32', 1e39, "field 'f32': expected float32, got 1e+39"],
    ['f64', '1', 'field \'f64\': expected float64, got string "1"'],
    ['flag', 1, "field 'flag': expected bool, got 1"],
    ['text', null, "field 'text': expected string, got null"],
    ['c64', { real: 1 }, "field 'c64': expected complex64 ({real, imag}), got object"],
  ])('rejects %s = %s', (field, value, message) => {
    const e = thrown(() => convertData(all, { ...base, [field]: value }));
    expect([e.code, e.message]).toEqual(['E_FORMAT_CAST', message]);
  });

  it('missing and undeclared fields, at any depth', () => {
    const { i8: _i8, text: _text, ...partial } = base;
    expect(thrown(() => convertData(all, partial)).message).toBe("fields 'i8', 'text': missing");
    expect(thrown(() => convertData(all, { ...base, i8: undefined })).message).toBe("field 'i8': missing");
    const e = thrown(() => convertData(all, { ...base, z: 1, y: 2 }));
    expect([e.code, e.message]).toEqual(['E_FORMAT_ATTRIBUTES', "fields 'z', 'y': not declared by data format 'user/all/1'"]);
    const shp = formats.get('user/shapes/1');
    expect(thrown(() => convertData(shp, { ...shapes(), inline: { a: 1 } })).message).toBe("field 'inline.b': missing");
    expect(thrown(() => convertData(shp, { ...shapes(), inline: { a: 1, b: [], c: 0 } })).message).toBe("field 'inline.c': not declared by the data format");
    expect(thrown(() => convertData(shp, { ...shapes(), points: [{ x: 1, y: 2, z: 3 }] })).message).toBe(
      "field 'points[0].z': not declared by data format 'user/point/1'",
    );
    expect(thrown(() => convertData(shp, { ...shapes(), points: [{ x: 1, y: 'a' }] })).message).toBe('field \'points[0].y\': expected float64, got string "a"');
  });

  it('arrays: NDArrays of the exact or a safely castable dtype are copied into the field dtype', () => {
    const shp = formats.get('user/shapes/1');
    const value = shapes();
    const out = convertData(shp, value);
    expect(out).toEqual(value);
    expect((out.fixed as NDArray).data).not.toBe((value.fixed as NDArray).data);
    // uint8 → float32 is safe: converted.
    const widened = convertData(shp, { ...value, mixed: ndarray('uint8', [2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(widened.mixed).toEqual(ndarray('float32', [2, 3], [1, 2, 3, 4, 5, 6]));
    // int64 fields accept integer dtypes and integral float64 arrays.
    expect(convertData(shp, { ...value, ids: ndarray('int32', [2], [-1, 3]) }).ids).toEqual(ndarray('float64', [2], [-1, 3]));
  });

  it.each([
    ['fixed', () => ndarray('uint8', [3, 2]), 'E_FORMAT_SHAPE', "field 'fixed': dimension 0 must be 2, got 3"],
    ['fixed', () => ndarray('uint8', [6]), 'E_FORMAT_SHAPE', "field 'fixed': expected 2 dimension(s), got 1 (shape [6])"],
    ['mixed', () => ndarray('float32', [4, 2]), 'E_FORMAT_SHAPE', "field 'mixed': dimension 1 must be 3, got 2"],
    ['fixed', () => ndarray('int16', [2, 3]), 'E_FORMAT_CAST', "field 'fixed': cannot safely cast an array of int16 to uint8"],
    ['mixed', () => ndarray('float64', [1, 3]), 'E_FORMAT_CAST', "field 'mixed': cannot safely cast an array of float64 to float32"],
    ['mixed', () => ndarray('int32', [1, 3]), 'E_FORMAT_CAST', "field 'mixed': cannot safely cast an array of int32 to float32"],
    ['ids', () => ndarray('float64', [2], [1, 1.5]), 'E_FORMAT_CAST', "field 'ids': expected int64 elements, got 1.5 at flat index 1"],
    ['ids', () => ndarray('float64', [1], [2 ** 60]), 'E_FORMAT_CAST', "field 'ids': expected int64 elements, got 1152921504606847000 at flat index 0"],
    ['mask', () => ndarray('uint8', [1, 1]), 'E_FORMAT_CAST', "field 'mask': cannot safely cast an array of uint8 to bool"],
    [
      'iq',
      () => ndarray('float64', [2]),
      'E_FORMAT_SHAPE',
      "field 'iq': expected 1 dimension(s) plus a trailing dimension of 2 (real, imaginary), got shape [2]",
    ],
    [
      'fixed',
      () => ({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array(5) }),
      'E_FORMAT_CAST',
      "field 'fixed': data has 5 elements but shape [2, 3] needs 6",
    ],
    ['fixed', () => 3, 'E_FORMAT_CAST', "field 'fixed': expected a 2-d array of uint8, got 3"],
    ['names', () => ['a'], 'E_FORMAT_SHAPE', "field 'names': dimension 0 must be 2, got 1"],
    ['names', () => ['a', 2], 'E_FORMAT_CAST', "field 'names[1]': expected string, got 2"],
  ])('rejects a wrong %s', (field, make, code, message) => {
    const e = thrown(() => convertData(formats.get('user/shapes/1'), { ...shapes(), [field]: make() }));
    expect([e.code, e.message]).toEqual([code, message]);
  });

  it('arrays given as nested JS arrays are checked element by element', () => {
    const shp = formats.get('user/shapes/1');
    const out = convertData(shp, {
      ...shapes(),
      fixed: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      mask: [[true, false]],
      iq: [{ real: 1, imag: -1 }],
    });
    expect(out.fixed).toEqual(ndarray('uint8', [2, 3], [1, 2, 3, 4, 5, 6]));
    expect(out.mask).toEqual(ndarray('bool', [1, 2], [1, 0]));
    expect(out.iq).toEqual(ndarray('float64', [1, 2], [1, -1]));
    expect(convertData(shp, { ...shapes(), mixed: [] }).mixed).toEqual(ndarray('float32', [0, 3]));
    const cases: [unknown, string][] = [
      [
        [
          [1, 2, 3],
          [4, 5, 256],
        ],
        "field 'fixed[1][2]': expected uint8, got 256",
      ],
      [
        [
          [1, 2, 3],
          [4, 5],
        ],
        "field 'fixed[1]': ragged array, expected length 3, got 2",
      ],
      [[1, 2], "field 'fixed[0]': expected an array (dimension 1 of a 2-d array), got 1"],
    ];
    for (const [fixed, message] of cases) expect(thrown(() => convertData(shp, { ...shapes(), fixed })).message).toBe(message);
  });

  it('an NDArray is not an object of a format (unless the format has such fields)', () => {
    const img = ndarray('uint8', [2, 2]);
    const e = thrown(() => convertData(formats.get('system/array_2d_uint8/1'), img));
    expect([e.code, e.message]).toEqual(['E_FORMAT_CAST', "expected an object of data format 'system/array_2d_uint8/1', got NDArray uint8 [2, 2]"]);
    const lookalike = new DataFormatRegistry({ 'user/lookalike/1': { dtype: 'string', shape: [0, 'int32'], data: [0, 'uint8'] } }).get('user/lookalike/1');
    expect(convertData(lookalike, { dtype: 'uint8', shape: [2], data: new Uint8Array([1, 2]) })).toEqual({
      dtype: 'uint8',
      shape: ndarray('int32', [1], [2]),
      data: ndarray('uint8', [2], [1, 2]),
    });
  });

  it('a bare typed array stands for a 1-d NDArray of its dtype', () => {
    const f = formats.get('system/array_1d_floats/1');
    expect(convertData(f, { value: new Float32Array([0.5, 2]) })).toEqual({ value: ndarray('float64', [2], [0.5, 2]) });
    expect(thrown(() => convertData(f, { value: new BigInt64Array(1) })).message).toBe("field 'value': expected a 1-d array of float64, got BigInt64Array(1)");
    expect(thrown(() => convertData(formats.get('system/array_2d_uint8/1'), { value: new Uint8Array(4) })).message).toBe(
      "field 'value': expected a 2-d array of uint8, got Uint8Array(4)",
    );
  });

  it('plot formats', () => {
    const bar = formats.get('plot/bar/1');
    const plot = { data: [{ label: 'dice', x: [0, 1], y: [0.5, 1] }] };
    expect(convertData(bar, plot)).toEqual({ data: [{ label: 'dice', x: ndarray('float64', [2], [0, 1]), y: ndarray('float64', [2], [0.5, 1]) }] });
    expect(thrown(() => convertData(bar, { data: [{ label: 'dice', x: [0], y: [1], z: 1 }] })).message).toBe(
      "field 'data[0].z': not declared by the data format",
    );
  });

  it('compiles anonymous formats (analyzer results) against the registry', () => {
    const declaration: DataFormatDeclaration = { v: 'float32', c: 'plot/scatter/1' };
    const f = formats.compile('analysis:user/analyzer/1', declaration);
    expect(f.name).toBe('analysis:user/analyzer/1');
    expect(createData(f)).toEqual({ v: 0, c: { data: [] } });
    expect(thrown(() => convertData(f, { v: 1 })).message).toBe("field 'c': missing");
  });
});
