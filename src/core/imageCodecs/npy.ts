// NPY (NumPy's .npy format, v1/v2/v3) through npyjs: npyjs reads and writes the header and gives the
// data as a typed array; this file checks what npyjs does not (data length against the shape,
// Fortran order, dtypes an NDArray cannot hold) and maps to NDArray / image dtypes.
import { dump as npyDump, parse as npyParse, type DType as NpyDType, type NpyArray } from 'npyjs';
import { hasFloat16, sizeOf, typedArrayCtor, type DType, type NDArray, type TypedArray } from '../ndarray';
import { type DecodedImage, ImageDecodeError, errorText, exactBuffer, halfToFloat, shapeText } from './common';
import { checkDeclaredSize, type DecodeLimits } from './limits';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function hasNpyMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && NPY_MAGIC.every((b, i) => bytes[i] === b);
}

export const NPY_TO_DTYPE: Partial<Record<string, DType>> = {
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
};

const DTYPE_TO_NPY: Record<DType, NpyDType> = {
  uint8: 'u1',
  int8: 'i1',
  uint16: 'u2',
  int16: 'i2',
  uint32: 'u4',
  int32: 'i4',
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  bool: 'b1',
};

export const NPY_NAMES: Record<string, string> = {
  c8: 'complex64',
  c16: 'complex128',
  i8: 'int64',
  u8: 'uint64',
};

/**
 * Read a .npy file into an NDArray of its own dtype (u1 i1 u2 i2 u4 i4 f4 f8 b1; f2 as float16 where
 * the engine has Float16Array, else float32). int64/uint64 become float64 when every value is exactly
 * representable (|v| ≤ 2^53), else it is an error. C order only; Fortran order, complex, string and
 * structured dtypes are errors. Big-endian files are not supported by npyjs and are reported as such.
 * Bytes after the last element are ignored (as numpy does); too few bytes is an error.
 */
export function decodeNpyArray(bytes: Uint8Array, name = 'array.npy', limits?: DecodeLimits): NDArray {
  if (!hasNpyMagic(bytes)) throw new ImageDecodeError(name, 'not an NPY file (it does not start with \\x93NUMPY).');
  const buffer = exactBuffer(bytes);
  let parsed: NpyArray;
  try {
    parsed = npyParse(buffer, { convertFloat16: false });
  } catch (e) {
    throw new ImageDecodeError(name, `cannot read this NPY file (${npyReason(e, buffer)}).`);
  }
  const { dtype: code, shape, fortranOrder } = parsed;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ImageDecodeError(name, 'cannot read this NPY file (its header has no valid shape).');
  }
  if (fortranOrder) {
    throw new ImageDecodeError(name, fortranOrderReason(shape));
  }
  const n = sizeOf(shape);
  checkNpySize(name, shape, code, limits);
  const raw = parsed.data as unknown;

  if (code === 'b1') {
    // npyjs gives a JS array of booleans for b1.
    const list = raw as ArrayLike<boolean | number>;
    checkLength(name, list.length, n, shape, code);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = list[i] ? 1 : 0;
    return { dtype: 'bool', shape: [...shape], data: out };
  }
  if (code === 'i8' || code === 'u8') {
    const big = raw as BigInt64Array | BigUint64Array;
    checkLength(name, big.length, n, shape, code);
    return { dtype: 'float64', shape: [...shape], data: int64ToFloat64(name, code, big.subarray(0, n), 0) };
  }
  const dtype = NPY_TO_DTYPE[code];
  if (!dtype) {
    const what = NPY_NAMES[code] ?? (code.startsWith('U') ? 'unicode string' : code);
    throw new ImageDecodeError(name, `unsupported NPY dtype (${what}); expected a numeric or bool array.`);
  }
  const typed = raw as TypedArray;
  checkLength(name, typed.length, n, shape, code);
  if (dtype === 'float16') {
    const bits = (typed as unknown as Uint16Array).subarray(0, n);
    if (hasFloat16()) {
      const C = typedArrayCtor('float16');
      return { dtype: 'float16', shape: [...shape], data: new C(bits.slice().buffer) as NDArray<'float16'>['data'] };
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(bits[i]!);
    return { dtype: 'float32', shape: [...shape], data: out };
  }
  // A view on `buffer` (which is either the caller's own buffer or our private copy) trimmed to n.
  return { dtype, shape: [...shape], data: typed.subarray(0, n) } as NDArray;
}

export const fortranOrderReason = (shape: readonly number[]): string =>
  `NPY array of shape ${shapeText(shape)} is stored in Fortran order, which is not supported; save it in C order (numpy.ascontiguousarray) first.`;

/**
 * int64/uint64 values as float64, each checked to be exact (|v| ≤ 2^53); `first` is the index of
 * `big[0]` in the whole array, for the message.
 */
export function int64ToFloat64(name: string, code: string, big: BigInt64Array | BigUint64Array, first: number): Float64Array {
  const out = new Float64Array(big.length);
  const limit = 2n ** 53n;
  for (let i = 0; i < big.length; i++) {
    const v = big[i]!;
    if (v > limit || v < -limit) {
      throw new ImageDecodeError(
        name,
        `NPY ${NPY_NAMES[code]} value ${v} (element ${first + i}) cannot be held exactly as float64; convert the array to a 32-bit type first.`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** Bytes per element once decoded (int64 → float64, float16 → float32 at most). */
const NPY_OUT_BYTES: Record<string, number> = { b1: 1, u1: 1, i1: 4, u2: 2, i2: 4, f2: 4, u4: 8, i4: 8, f4: 4, f8: 8, i8: 8, u8: 8 };

/** The declared shape against the limit, before anything the size of the data is allocated. */
export function checkNpySize(name: string, shape: readonly number[], code: string, limits?: DecodeLimits): void {
  const bytesPerSample = NPY_OUT_BYTES[code] ?? 8;
  if (shape.length === 3) {
    const [z, h, w] = shape as [number, number, number];
    // A stack: each slice is one image (every slice has the same size).
    checkDeclaredSize(name, { width: w, height: h, samples: 1, bytesPerSample, where: `each of its ${z} slices is`, format: 'NPY' }, limits);
    return;
  }
  const w = shape.length ? shape[shape.length - 1]! : 1;
  const h = shape.length > 1 ? sizeOf(shape.slice(0, -1)) : 1;
  checkDeclaredSize(name, { width: w, height: h, samples: 1, bytesPerSample, format: 'NPY' }, limits);
}

function checkLength(name: string, have: number, need: number, shape: readonly number[], code: string): void {
  if (have < need) {
    throw new ImageDecodeError(name, `NPY file is truncated: shape ${shapeText(shape)} of ${code} needs ${need} elements but the file holds ${have}.`);
  }
}

/** npyjs's errors, made specific where we can tell the cause. */
function npyReason(e: unknown, buffer: ArrayBuffer): string {
  const msg = errorText(e);
  if (/Unsupported dtype: >/.test(msg)) return `${msg}: big-endian data is not supported; save it little-endian (numpy's default)`;
  if (e instanceof RangeError) {
    // Typed-array construction failed: the data part is not a whole number of elements.
    return `the data after the header is not a whole number of elements (${buffer.byteLength} bytes in all)`;
  }
  return msg;
}

/** Write any NDArray as .npy (v1 header, little-endian, C order); float16 as '<f2', bool as '<b1'. */
export function encodeNpy(a: NDArray): Uint8Array<ArrayBuffer> {
  const code = DTYPE_TO_NPY[a.dtype];
  let data: ArrayBufferView = a.data;
  if (a.dtype === 'float16') data = new Uint16Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const out = npyDump(data as Parameters<typeof npyDump>[0], [...a.shape], { dtype: code });
  return new Uint8Array(out);
}

/** Image dtypes for each array dtype: lossless, and one the Image schema accepts. */
export function toImageArray(a: NDArray): NDArray {
  switch (a.dtype) {
    case 'uint8':
    case 'uint16':
    case 'float32':
    case 'float64':
      return a;
    case 'bool':
      return { dtype: 'uint8', shape: a.shape, data: a.data };
    case 'int8':
    case 'int16':
    case 'float16':
      return { dtype: 'float32', shape: a.shape, data: Float32Array.from(a.data as ArrayLike<number>) };
    case 'int32':
    case 'uint32':
      return { dtype: 'float64', shape: a.shape, data: Float64Array.from(a.data as ArrayLike<number>) };
  }
}

/**
 * A .npy file as images. 2-D (H, W) → one image; 3-D (Z, H, W) → Z images, one per slice, in order
 * (also when Z is 3: a 3-D NPY is always a stack here, as in the reference). Other ranks are errors.
 * Dtypes map losslessly to Image dtypes: u1/u2/f4/f8 stay; bool → uint8 0/1; int8, int16, float16 →
 * float32; int32, uint32 (and int64/uint64 within ±2^53) → float64. Each slice owns its buffer.
 */
export function decodeNpy(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedImage[] {
  const a = decodeNpyArray(bytes, name, limits);
  if (a.shape.length === 2) {
    return [{ image: toImageArray(ownCopy(a)), page: 0, pages: 1 }];
  }
  if (a.shape.length === 3) {
    const [z, h, w] = a.shape as [number, number, number];
    if (z === 0) throw new ImageDecodeError(name, `NPY stack of shape ${shapeText(a.shape)} has no slices.`);
    const m = h * w;
    const out: DecodedImage[] = [];
    for (let i = 0; i < z; i++) {
      const slice = { dtype: a.dtype, shape: [h, w], data: a.data.slice(i * m, (i + 1) * m) } as NDArray;
      out.push({ image: toImageArray(slice), page: i, pages: z });
    }
    return out;
  }
  throw new ImageDecodeError(name, `NPY array of shape ${shapeText(a.shape)} is not an image: expected 2-D (H, W) or a 3-D stack (Z, H, W).`);
}

function ownCopy(a: NDArray): NDArray {
  // The decoded data may be a view on a larger buffer (header + trailing bytes): give the image its own.
  const d = a.data;
  if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return a;
  return { dtype: a.dtype, shape: a.shape, data: d.slice() } as NDArray;
}
