import { describe as suite, expect, it } from 'vitest';
import {
  arraysEqual,
  assertNDArray,
  bytesOf,
  cast,
  copy,
  dtypeOfTypedArray,
  dtypeRange,
  fromBytes,
  hasFloat16,
  isDType,
  isFloatDType,
  isIntegerDType,
  isNDArray,
  itemSize,
  ndarray,
  ndarrayProblem,
  reshape,
  sizeOf,
  sliceAt,
  sliceRange,
  stack,
  stats,
  stridesOf,
  typedArrayCtor,
  unstack,
  zeros,
  type DType,
} from '../../src/core/ndarray';
import { BRIEF, describeValue } from '../../src/core/describeValue';

/** The brief form the NDArray checks name values with (it was ndarray.ts's own `describe`). */
const describe = (x: unknown): string => describeValue(x, BRIEF);

suite('ndarray construction', () => {
  it('converts plain arrays and uses typed arrays of the right class without copying', () => {
    const a = ndarray('int16', [2, 2], [1, -2, 3, 4]);
    expect(a.data).toBeInstanceOf(Int16Array);
    expect(Array.from(a.data)).toEqual([1, -2, 3, 4]);
    const buf = new Float32Array([1, 2, 3]);
    const b = ndarray('float32', [3], buf);
    expect(b.data).toBe(buf);
    // A typed array of another class is converted (copied).
    const c = ndarray('float64', [3], buf);
    expect(c.data).toBeInstanceOf(Float64Array);
    expect(c.data).not.toBe(buf);
  });

  it('copies the shape argument', () => {
    const shape = [2, 3];
    const a = zeros('uint8', shape);
    shape[0] = 9;
    expect(a.shape).toEqual([2, 3]);
    expect(a.data.length).toBe(6);
    expect(Array.from(a.data).every((v) => v === 0)).toBe(true);
  });

  it('bool uses Uint8Array', () => {
    const a = ndarray('bool', [3], [1, 0, 1]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(itemSize('bool')).toBe(1);
  });

  it('scalar shape [] holds one element', () => {
    expect(sizeOf([])).toBe(1);
    expect(zeros('float64', []).data.length).toBe(1);
  });

  it('rejects a length mismatch and bad shapes', () => {
    expect(() => ndarray('uint8', [2, 2], [1, 2, 3])).toThrow('ndarray: data has 3 elements but shape [2, 2] needs 4.');
    expect(() => ndarray('uint8', [-1], [])).toThrow('ndarray: shape must be an array of non-negative integers, got [-1].');
    expect(() => ndarray('uint8', [1.5], [])).toThrow('non-negative integers, got [1.5]');
  });

  it('rejects unknown dtypes, including Object.prototype names', () => {
    expect(() => typedArrayCtor('int64' as DType)).toThrow("Unknown dtype 'int64'");
    expect(() => typedArrayCtor('constructor' as DType)).toThrow("Unknown dtype 'constructor'");
    expect(() => ndarray('toString' as DType, [1])).toThrow("Unknown dtype 'toString'");
  });

  it('float16 needs Float16Array', () => {
    if (hasFloat16()) {
      expect(zeros('float16', [2]).data.length).toBe(2);
    } else {
      expect(() => zeros('float16', [2])).toThrow('dtype float16 needs Float16Array');
    }
    expect(itemSize('float16')).toBe(2);
  });
});

suite('dtype helpers', () => {
  it('classifies dtypes', () => {
    expect(isDType('uint8')).toBe(true);
    expect(isDType('int64')).toBe(false);
    expect(isDType(3)).toBe(false);
    expect(isIntegerDType('bool')).toBe(true);
    expect(isIntegerDType('float32')).toBe(false);
    expect(isFloatDType('float16')).toBe(true);
    expect(isFloatDType('int32')).toBe(false);
    expect(dtypeRange('int8')).toEqual([-128, 127]);
    expect(dtypeRange('float64')).toBeNull();
  });

  it('maps typed arrays to dtypes', () => {
    expect(dtypeOfTypedArray(new Uint8Array(1))).toBe('uint8');
    expect(dtypeOfTypedArray(new Int32Array(1))).toBe('int32');
    expect(dtypeOfTypedArray(new Float64Array(1))).toBe('float64');
    expect(dtypeOfTypedArray([1, 2])).toBeNull();
    expect(dtypeOfTypedArray(new BigInt64Array(1))).toBeNull();
  });

  it('computes row-major strides', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });
});

suite('describe', () => {
  it('describes values briefly', () => {
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe([1, 2, 3])).toBe('array(3)');
    expect(describe(new Float32Array(12))).toBe('Float32Array(12)');
    expect(describe(new ArrayBuffer(8))).toBe('ArrayBuffer(8)');
    expect(describe({})).toBe('object');
    expect(describe(new Map())).toBe('Map');
    expect(describe('abc')).toBe('string "abc"');
    expect(describe('x'.repeat(50))).toBe(`string "${'x'.repeat(40)}…"`);
    expect(describe(3)).toBe('number 3');
    expect(describe(true)).toBe('boolean true');
  });
});

suite('views: reshape, sliceAt, sliceRange, unstack', () => {
  const base = () =>
    ndarray(
      'int32',
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => i),
    );

  it('reshape shares the buffer and infers one -1', () => {
    const a = base();
    const r = reshape(a, [6, -1]);
    expect(r.shape).toEqual([6, 2]);
    expect(r.data).toBe(a.data);
    r.data[0] = 99;
    expect(a.data[0]).toBe(99);
    expect(reshape(zeros('uint8', [0, 4]), [-1, 2]).shape).toEqual([0, 2]);
  });

  it('reshape reports impossible shapes in the caller’s terms', () => {
    const a = base();
    expect(() => reshape(a, [5, 2])).toThrow('reshape: cannot reshape [3, 2, 2] (12 elements) to [5, 2].');
    expect(() => reshape(a, [-1, 5])).toThrow('reshape: cannot reshape [3, 2, 2] (12 elements) to [-1, 5].');
    expect(() => reshape(a, [-1, -1])).toThrow('reshape: only one dimension may be -1, got [-1, -1].');
  });

  it('sliceAt is a view, supports negative indices, checks range', () => {
    const a = base();
    const s = sliceAt(a, 1);
    expect(s.shape).toEqual([2, 2]);
    expect(Array.from(s.data)).toEqual([4, 5, 6, 7]);
    expect(s.data.buffer).toBe(a.data.buffer);
    s.data[0] = -1;
    expect(a.data[4]).toBe(-1);
    expect(Array.from(sliceAt(a, -1).data)).toEqual([8, 9, 10, 11]);
    expect(() => sliceAt(a, 3)).toThrow('sliceAt: index 3 is out of range for axis 0 of size 3.');
    expect(() => sliceAt(a, -4)).toThrow('out of range');
    expect(() => sliceAt(a, 0.5)).toThrow('out of range');
    expect(() => sliceAt(zeros('uint8', []), 0)).toThrow('sliceAt: cannot index a 0-dimensional array.');
  });

  it('sliceRange is a view with numpy-like clamping', () => {
    const a = base();
    const r = sliceRange(a, 1);
    expect(r.shape).toEqual([2, 2, 2]);
    expect(r.data.buffer).toBe(a.data.buffer);
    expect(Array.from(r.data)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sliceRange(a, -1).shape).toEqual([1, 2, 2]);
    expect(sliceRange(a, 2, 1).shape).toEqual([0, 2, 2]);
    expect(sliceRange(a, 0, 100).shape).toEqual([3, 2, 2]);
    expect(() => sliceRange(zeros('uint8', []), 0)).toThrow('0-dimensional');
  });

  it('unstack gives views along axis 0', () => {
    const a = base();
    const parts = unstack(a);
    expect(parts).toHaveLength(3);
    parts.forEach((p, i) => {
      expect(p.shape).toEqual([2, 2]);
      expect(p.data.buffer).toBe(a.data.buffer);
      expect(p.data[0]).toBe(i * 4);
    });
    expect(unstack(zeros('float64', [0]))).toEqual([]);
  });
});

suite('stack', () => {
  it('copies into one new buffer along a new axis 0', () => {
    const a = ndarray('uint16', [2], [1, 2]);
    const b = ndarray('uint16', [2], [3, 4]);
    const s = stack([a, b]);
    expect(s.shape).toEqual([2, 2]);
    expect(s.dtype).toBe('uint16');
    expect(Array.from(s.data)).toEqual([1, 2, 3, 4]);
    expect(s.data.buffer).not.toBe(a.data.buffer);
    a.data[0] = 100;
    expect(s.data[0]).toBe(1);
  });

  it('stacks views (subarrays) correctly', () => {
    const big = ndarray('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    const s = stack([sliceAt(big, 2), sliceAt(big, 0)]);
    expect(Array.from(s.data)).toEqual([5, 6, 1, 2]);
  });

  it('errors on empty input, and on dtype or shape mismatch naming the array', () => {
    expect(() => stack([])).toThrow('stack: need at least one array to stack.');
    const a = zeros('uint8', [2, 2]);
    expect(() => stack([a, a, zeros('int8', [2, 2])])).toThrow('stack: all arrays must have the same dtype; array 0 is uint8 but array 2 is int8.');
    expect(() => stack([a, zeros('uint8', [2, 3])])).toThrow('stack: all arrays must have the same shape; array 0 is [2, 2] but array 1 is [2, 3].');
    expect(() => stack([a, zeros('uint8', [4])])).toThrow('array 0 is [2, 2] but array 1 is [4]');
  });
});

suite('cast', () => {
  it('returns the same array for the same dtype', () => {
    const a = zeros('float32', [2]);
    expect(cast(a, 'float32')).toBe(a);
  });

  it('follows numpy astype by default: truncate toward zero and wrap', () => {
    const f = ndarray('float64', [5], [1.7, -1.7, 2.5, 255.9, -0.2]);
    expect(Array.from(cast(f, 'int32').data)).toEqual([1, -1, 2, 255, 0]);
    const i = ndarray('int32', [4], [300, -1, 256, 127]);
    expect(Array.from(cast(i, 'uint8').data)).toEqual([44, 255, 0, 127]);
    expect(Array.from(cast(ndarray('int32', [2], [200, -129]), 'int8').data)).toEqual([-56, 127]);
    expect(Array.from(cast(ndarray('uint8', [2], [0, 255]), 'float32').data)).toEqual([0, 255]);
    const c = cast(i, 'float64');
    expect(c.shape).toEqual([4]);
    expect(c.shape).not.toBe(i.shape);
  });

  it('clamp rounds and saturates to the integer range, NaN → 0', () => {
    const f = ndarray('float64', [7], [-5, 0.4, 0.6, 254.5, 1000, NaN, Infinity]);
    expect(Array.from(cast(f, 'uint8', { clamp: true }).data)).toEqual([0, 0, 1, 255, 255, 0, 255]);
    expect(Array.from(cast(ndarray('float32', [2], [-1e9, 1e9]), 'int16', { clamp: true }).data)).toEqual([-32768, 32767]);
    // clamp has no effect on float targets
    expect(Array.from(cast(ndarray('float64', [1], [1e300]), 'float32', { clamp: true }).data)).toEqual([Infinity]);
  });

  it('bool: every non-zero (and NaN) becomes 1', () => {
    const b = cast(ndarray('float32', [5], [0, -0, 0.1, -3, NaN]), 'bool');
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(cast(ndarray('int32', [3], [0, 256, -1]), 'bool', { clamp: true }).data)).toEqual([0, 1, 1]);
    expect(Array.from(cast(ndarray('bool', [2], [1, 0]), 'float64').data)).toEqual([1, 0]);
  });
});

suite('copy', () => {
  it('makes a new buffer with the same content', () => {
    const a = ndarray('int8', [2], [1, 2]);
    const b = copy(a);
    expect(arraysEqual(a, b)).toBe(true);
    b.data[0] = 5;
    expect(a.data[0]).toBe(1);
  });
});

suite('stats', () => {
  it('computes min/max/mean/population std', () => {
    const s = stats(ndarray('float64', [4], [1, 2, 3, 4]));
    expect(s.count).toBe(4);
    expect(s.min).toBe(1);
    expect(s.max).toBe(4);
    expect(s.mean).toBeCloseTo(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25));
    expect(s.nanCount).toBe(0);
    expect(s.infCount).toBe(0);
  });

  it('counts NaN and ±Infinity separately and leaves them out', () => {
    const s = stats(ndarray('float32', [5], [NaN, 1, Infinity, 3, -Infinity]));
    expect(s).toMatchObject({ count: 5, min: 1, max: 3, mean: 2, std: 1, nanCount: 1, infCount: 2 });
  });

  it('empty and all-NaN arrays give NaN statistics', () => {
    const e = stats(zeros('uint8', [0]));
    expect(e.count).toBe(0);
    expect(e.min).toBeNaN();
    expect(e.mean).toBeNaN();
    const n = stats(ndarray('float64', [2], [NaN, NaN]));
    expect(n.count).toBe(2);
    expect(n.nanCount).toBe(2);
    expect(n.max).toBeNaN();
    expect(n.std).toBeNaN();
  });
});

suite('bytes', () => {
  it('bytesOf is a view on the element bytes (respecting offsets)', () => {
    const a = ndarray('uint16', [4], [1, 2, 3, 258]);
    const v = sliceAt(reshape(a, [2, 2]), 1);
    const b = bytesOf(v);
    expect(b.buffer).toBe(a.data.buffer);
    expect(Array.from(b)).toEqual([3, 0, 2, 1]);
  });

  it('fromBytes shares aligned bytes and copies unaligned ones', () => {
    const f = new Float32Array([1.5, -2]);
    const bytes = new Uint8Array(f.buffer);
    const a = fromBytes('float32', [2], bytes);
    expect(a.data.buffer).toBe(f.buffer);
    expect(Array.from(a.data)).toEqual([1.5, -2]);

    const padded = new Uint8Array(9);
    padded.set(bytes, 1);
    const unaligned = padded.subarray(1);
    const b = fromBytes('float32', [2], unaligned);
    expect(b.data.buffer).not.toBe(padded.buffer);
    expect(Array.from(b.data)).toEqual([1.5, -2]);

    const c = fromBytes('uint8', [3], new Uint8Array([1, 2, 3]).buffer);
    expect(Array.from(c.data)).toEqual([1, 2, 3]);
  });

  it('fromBytes checks the byte count', () => {
    expect(() => fromBytes('float64', [2], new Uint8Array(15))).toThrow('fromBytes: 15 bytes cannot hold shape [2] of float64 (needs 16).');
  });
});

suite('arraysEqual', () => {
  it('compares dtype, shape and elements (NaN equals NaN)', () => {
    const a = ndarray('float64', [2], [1, NaN]);
    expect(arraysEqual(a, ndarray('float64', [2], [1, NaN]))).toBe(true);
    expect(arraysEqual(a, ndarray('float32', [2], [1, NaN]))).toBe(false);
    expect(arraysEqual(a, ndarray('float64', [1, 2], [1, NaN]))).toBe(false);
    expect(arraysEqual(a, ndarray('float64', [2], [1, 2]))).toBe(false);
    expect(arraysEqual(zeros('uint8', [2, 1]), zeros('uint8', [1, 2]))).toBe(false);
  });
});

suite('ndarrayProblem / isNDArray / assertNDArray', () => {
  it('accepts well-formed arrays', () => {
    expect(ndarrayProblem(zeros('uint8', [2, 2]))).toBeNull();
    expect(isNDArray(zeros('bool', [0]))).toBe(true);
  });

  it('names the field and says what was expected and got', () => {
    expect(ndarrayProblem([1, 2, 3], 'img')).toBe('img: expected an NDArray {dtype, shape, data}, got array(3).');
    expect(ndarrayProblem(null)).toBe('array: expected an NDArray {dtype, shape, data}, got null.');
    expect(ndarrayProblem(new Uint8Array(2), 'x')).toBe('x: expected an NDArray {dtype, shape, data}, got Uint8Array(2).');
    expect(ndarrayProblem({ dtype: 'int64', shape: [1], data: new Uint8Array(1) }, 'x')).toBe(
      'x: dtype must be one of uint8, int8, uint16, int16, uint32, int32, float16, float32, float64, bool, got string "int64".',
    );
    expect(ndarrayProblem({ dtype: 'uint8', shape: [1, -2], data: new Uint8Array(1) }, 'x')).toBe(
      'x: shape must be an array of non-negative integers, got [1, -2].',
    );
    expect(ndarrayProblem({ dtype: 'uint8', shape: 'abc', data: new Uint8Array(1) }, 'x')).toBe(
      'x: shape must be an array of non-negative integers, got string "abc".',
    );
    expect(ndarrayProblem({ dtype: 'float32', shape: [2], data: new Float64Array(2) }, 'x')).toBe(
      'x: data for dtype float32 must be a Float32Array, got Float64Array(2).',
    );
    expect(ndarrayProblem({ dtype: 'float32', shape: [2], data: [1, 2] }, 'x')).toBe('x: data for dtype float32 must be a Float32Array, got array(2).');
    expect(ndarrayProblem({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) }, 'x')).toBe('x: data has 3 elements but shape [2, 2] needs 4.');
    if (!hasFloat16()) {
      expect(ndarrayProblem({ dtype: 'float16', shape: [1], data: new Uint16Array(1) }, 'x')).toBe(
        'x: dtype float16 is not supported here (no Float16Array in this JavaScript engine).',
      );
    }
  });

  it('assertNDArray throws the problem', () => {
    expect(() => assertNDArray('nope', 'field')).toThrow('field: expected an NDArray {dtype, shape, data}, got string "nope".');
    expect(() => assertNDArray(zeros('uint8', [1]))).not.toThrow();
  });
});
