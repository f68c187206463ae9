import { describe, expect, it } from 'vitest';
import { validateItem, type DataSchemaName } from '../../src/core/dataSchemas';
import { decodeField, decodeFields, encodeItem, encodeValue } from '../../src/core/datasetCodec';
import { ndarray, zeros, type NDArray } from '../../src/core/ndarray';
import type { StoredField } from '../../src/core/records';

const ramp = (dtype: 'uint8' | 'float32' | 'float64' | 'int32' | 'uint16', shape: number[]): NDArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return ndarray(
    dtype,
    shape,
    Array.from({ length: n }, (_, i) => i % 200),
  );
};

/** What the store gives back: a copy of every stored array (new buffers), as after a write and read. */
function throughStore(fields: Record<string, StoredField>): Record<string, StoredField> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, f]) => [k, { kind: f.kind, array: { dtype: f.array.dtype, shape: [...f.array.shape], data: f.array.data.slice() } }]),
  ) as Record<string, StoredField>;
}

const items: Record<DataSchemaName, Record<string, unknown>> = {
  Image: { image: ramp('uint8', [3, 4, 5]), mask: zeros('bool', [4, 5]), points: [ramp('float64', [6, 2]), ramp('float64', [6, 2])] },
  Segmentation: { mask: ndarray('bool', [2, 2], [1, 0, 0, 1]) },
  Alignment: {
    points1: [ramp('float32', [4, 2])],
    points2: [ramp('float32', [4, 2])],
    confidence: [0.25, 1, 0.5, 0.75],
    transform_matrix: ndarray('float64', [3, 3], [1, 0, 5, 0, 1, -3, 0, 0, 1]),
    translation_matrix: ndarray('float64', [3, 3], [1, 0, 5, 0, 1, -3, 0, 0, 1]),
  },
  Embedding: { features: ramp('float32', [1, 8, 4, 4]), input_size: [1024, 1024], original_size: [480, 640] },
  Generic: { data: ramp('int32', [7]) },
  Volume: { volume: ramp('uint16', [2, 3, 4]), mask: zeros('uint8', [2, 3, 4]), points: [], stats: 'min 0, max 23 — ok ✓' },
  Mesh: {
    vertices: ndarray('float32', [3, 3], [0, 0, 0, 1, 0, 0, 0, 1, 0]),
    faces: ndarray('uint32', [1, 3], [0, 1, 2]),
    stats: 'one triangle',
  },
  Table: {
    columns: JSON.stringify([
      { name: 'label', type: 'int' },
      { name: 'area', type: 'float', unit: 'µm²' },
      { name: 'image', type: 'text', categories: ['a.tif'] },
    ]),
    values: ndarray('float64', [3, 2], [1, 2, 0.5, 1.25, 0, 0]),
  },
};

describe('round trips', () => {
  it.each(Object.keys(items) as DataSchemaName[])('%s: validate → encode → store → decode → validate gives equal values', (name) => {
    const validated = validateItem(name, items[name]);
    const decoded = decodeFields(throughStore(encodeItem(validated)));
    expect(validateItem(name, decoded)).toEqual(validated);
  });

  it('null/undefined fields are not stored and come back as defaults', () => {
    const image = ramp('uint8', [2, 2]);
    const validated = validateItem('Image', { image });
    const fields = encodeItem({ ...validated, extra: undefined });
    expect(Object.keys(fields)).toEqual(['image']);
    expect(decodeFields(fields)).toEqual({ image });
    expect(validateItem('Image', decodeFields(fields))).toEqual(validated);
  });

  it('empty Alignment lists round-trip to []', () => {
    const validated = validateItem('Alignment', { transform_matrix: items.Alignment.transform_matrix });
    const fields = encodeItem(validated);
    expect(fields.points1).toEqual({ kind: 'arrayList', array: ndarray('float64', [0]) });
    expect(fields.confidence!.kind).toBe('arrayList');
    expect(validateItem('Alignment', decodeFields(throughStore(fields)))).toEqual(validated);
  });
});

describe('encodeItem', () => {
  it('keeps NDArrays as they are', () => {
    const a = ramp('float64', [2, 2]);
    const f = encodeItem({ a });
    expect(f.a!.kind).toBe('array');
    expect(f.a!.array).toBe(a);
  });

  it('stacks lists of NDArrays into one new array', () => {
    const p = [ramp('int32', [2]), ndarray('int32', [2], [7, 8])];
    const f = encodeItem({ p }).p!;
    expect(f.kind).toBe('arrayList');
    expect(f.array.shape).toEqual([2, 2]);
    expect(f.array.dtype).toBe('int32');
    expect(Array.from(f.array.data)).toEqual([0, 1, 7, 8]);
  });

  it('numbers → float64 1-D; strings → UTF-8 uint8 1-D', () => {
    const f = encodeItem({ n: [1, 2.5, -3], s: 'é€' });
    expect(f.n).toEqual({ kind: 'numbers', array: ndarray('float64', [3], [1, 2.5, -3]) });
    expect(f.s!.kind).toBe('string');
    expect(f.s!.array.dtype).toBe('uint8');
    expect(Array.from(f.s!.array.data)).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    expect(encodeItem({ s: '' }).s!.array.shape).toEqual([0]);
  });

  it('errors when list arrays differ in shape or dtype', () => {
    expect(() => encodeItem({ points: [zeros('float32', [2, 2]), zeros('float32', [3, 2])] })).toThrow(
      "Field 'points': a list of NDArrays is stored stacked, so all must share shape and dtype; item 0 is float32 [2, 2] but item 1 is float32 [3, 2].",
    );
    expect(() => encodeItem({ points: [zeros('float32', [2]), zeros('float32', [2]), zeros('float64', [2])] })).toThrow(
      'item 0 is float32 [2] but item 2 is float64 [2].',
    );
  });

  it('errors on mixed or unsupported list elements', () => {
    expect(() => encodeItem({ xs: [1, 'a'] })).toThrow(
      'Field \'xs\': a list must hold only numbers or only NDArrays; item 0 is a number but item 1 is string "a".',
    );
    expect(() => encodeItem({ xs: [zeros('uint8', [1]), 2] })).toThrow("Field 'xs': a list must hold only numbers or only NDArrays; item 1 is number 2.");
    expect(() => encodeItem({ xs: [zeros('uint8', [1]), { dtype: 'uint8', shape: [2], data: new Uint8Array(1) }] })).toThrow(
      "Field 'xs': a list must hold only numbers or only NDArrays; item 1: data has 1 elements but shape [2] needs 2.",
    );
    expect(() => encodeItem({ xs: [[1, 2]] })).toThrow('item 0 is array(2).');
  });

  it('errors on anything else, naming the field and what was got', () => {
    const tail = 'a dataset field must be an NDArray, a list of NDArrays, a list of numbers or a string.';
    expect(() => encodeItem({ n: 3 })).toThrow(`Field 'n': cannot store number 3; ${tail}`);
    expect(() => encodeItem({ b: true })).toThrow(`Field 'b': cannot store boolean true; ${tail}`);
    expect(() => encodeItem({ o: { a: 1 } })).toThrow(`Field 'o': cannot store object; ${tail}`);
    expect(() => encodeItem({ t: new Float32Array(2) })).toThrow(
      `Field 't': cannot store Float32Array(2) (wrap a typed array as an NDArray {dtype, shape, data}); ${tail}`,
    );
    expect(() => encodeItem({ bad: { dtype: 'float32', shape: [2], data: new Float64Array(2) } })).toThrow(
      "Field 'bad': not a valid NDArray: data for dtype float32 must be a Float32Array, got Float64Array(2).",
    );
    expect(() => encodeItem(null as unknown as Record<string, unknown>)).toThrow('encodeItem: expected an item object');
  });

  it('encodeValue is the per-field step', () => {
    expect(encodeValue('k', 'x').kind).toBe('string');
  });
});

describe('decodeField / decodeFields', () => {
  it('arrayList → views on the stored array', () => {
    const stored = ramp('float32', [3, 2]);
    const list = decodeField('arrayList', stored) as NDArray[];
    expect(list).toHaveLength(3);
    expect(list[1]!.shape).toEqual([2]);
    expect(Array.from(list[1]!.data)).toEqual([2, 3]);
    expect(list[1]!.data.buffer).toBe(stored.data.buffer);
    expect(decodeField('arrayList', zeros('float64', [0]))).toEqual([]);
  });

  it('numbers → number[], string → string, array → the array', () => {
    expect(decodeField('numbers', ndarray('float64', [2], [1.5, 2]))).toEqual([1.5, 2]);
    expect(decodeField('numbers', ndarray('int32', [2], [3, 4]))).toEqual([3, 4]);
    expect(decodeField('string', ndarray('uint8', [3], [0x61, 0x62, 0x63]))).toBe('abc');
    const a = zeros('uint8', [1]);
    expect(decodeField('array', a)).toBe(a);
  });

  it('rejects arrays that do not fit the kind', () => {
    expect(() => decodeField('string', zeros('uint16', [2]))).toThrow('decodeField: a string field must be a 1-D uint8 array, got uint16 [2].');
    expect(() => decodeField('string', ndarray('uint8', [2], [0xff, 0xfe]))).toThrow('does not hold valid UTF-8');
    expect(() => decodeField('numbers', zeros('float64', [2, 2]))).toThrow('decodeField: a numbers field must be a 1-D numeric array, got float64 [2, 2].');
    expect(() => decodeField('arrayList', zeros('float64', []))).toThrow('at least one dimension');
    expect(() => decodeField('table' as 'array', zeros('uint8', [1]))).toThrow(
      "decodeField: unknown field kind 'table'; expected one of array, arrayList, numbers, string.",
    );
    expect(() => decodeField('array', { dtype: 'uint8', shape: [2], data: new Uint8Array(1) } as NDArray)).toThrow(
      'decodeField: data has 1 elements but shape [2] needs 2.',
    );
  });

  it('decodeFields keeps requested-but-absent keys as null and names failing fields', () => {
    const a = zeros('uint8', [1]);
    expect(decodeFields({ a: { kind: 'array', array: a }, b: null })).toEqual({ a, b: null });
    expect(() => decodeFields({ s: { kind: 'string', array: zeros('float32', [1]) } })).toThrow(
      "Field 's': a string field must be a 1-D uint8 array, got float32 [1].",
    );
  });
});
