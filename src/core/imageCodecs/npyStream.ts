// NPY read slab by slab: the header (magic, version, the dict with 'descr', 'fortran_order' and
// 'shape') parsed from the first bytes, the data length checked against the file's size, then runs of
// whole Z slices read with Blob.slice and converted (big-endian byte order swapped, int64 checked to
// fit float64 exactly, float16 widened where the engine has no Float16Array). C order only.
import { hasFloat16, itemSize, sizeOf, typedArrayCtor, zeros, type DType, type NDArray, type TypedArray } from '../ndarray';
import type { ByteSource } from './byteSource';
import { halfToFloat, HOST_LITTLE_ENDIAN, ImageDecodeError, shapeText, type PagedImageFile, type VolumeShape } from './common';
import type { DecodeLimits } from './limits';
import { checkNpySize, fortranOrderReason, hasNpyMagic, int64ToFloat64, NPY_NAMES, NPY_TO_DTYPE, toImageArray } from './npy';

interface NpyHeader {
  /** Type code without the byte-order character ('u2', 'f4', 'b1'). */
  code: string;
  /** The header's descr as written ('>f4'). */
  descr: string;
  bigEndian: boolean;
  shape: number[];
  dataOffset: number;
}

const SUPPORTED = 'bool, uint8, int8, uint16, int16, uint32, int32, int64, uint64, float16, float32 or float64 (either byte order)';

/** The value of `key` in the header dict's text: a quoted string, True/False, or a tuple's inside. */
function dictValue(text: string, key: string): string | undefined {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\)|\\[)`).exec(text);
  return m?.[1];
}

async function readHeader(src: ByteSource, limits?: DecodeLimits): Promise<NpyHeader> {
  const bad = (why: string) => new ImageDecodeError(src.name, `cannot read this NPY file (${why}).`);
  const fixed = await src.small(0, Math.min(src.size, 12), 'the NPY header');
  if (!hasNpyMagic(fixed)) throw new ImageDecodeError(src.name, 'not an NPY file (it does not start with \\x93NUMPY).');
  if (fixed.length < 10) throw bad(`the file ends inside its header: ${src.size} bytes`);
  const major = fixed[6]!;
  if (major < 1 || major > 3) throw bad(`format version ${major}.${fixed[7]}; expected 1.0, 2.0 or 3.0`);
  const dv = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
  if (major > 1 && fixed.length < 12) throw bad(`the file ends inside its header: ${src.size} bytes`);
  const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const textStart = major === 1 ? 10 : 12;
  const dataOffset = textStart + headerLength;
  if (dataOffset > src.size) throw bad(`its header declares ${headerLength} bytes of text, but the file ends after ${src.size - textStart}`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(await src.small(textStart, dataOffset, 'the NPY header'));

  const descrText = dictValue(text, 'descr');
  if (descrText === '[') throw new ImageDecodeError(src.name, `unsupported NPY dtype (a structured dtype, 'descr' is a list); expected ${SUPPORTED}.`);
  if (!descrText || !/^['"]/.test(descrText)) throw bad("its header has no 'descr'");
  const descr = descrText.slice(1, -1);
  const code = descr.replace(/^[<>|=]/, '');
  if (!NPY_TO_DTYPE[code] && code !== 'i8' && code !== 'u8') {
    const what = NPY_NAMES[code] ?? (code.startsWith('U') ? 'unicode string' : code.startsWith('S') ? 'byte string' : code === 'O' ? 'Python object' : code);
    throw new ImageDecodeError(src.name, `unsupported NPY dtype '${descr}' (${what}) in the header's 'descr'; expected ${SUPPORTED}.`);
  }
  const fortran = dictValue(text, 'fortran_order');
  const shapeText_ = dictValue(text, 'shape');
  if (!shapeText_?.startsWith('(')) throw bad('its header has no valid shape');
  const parts = shapeText_
    .slice(1, -1)
    .split(',')
    .map((p) => p.trim().replace(/L$/, ''))
    .filter((p) => p !== '');
  const shape = parts.map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad('its header has no valid shape');
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) throw new ImageDecodeError(src.name, fortranOrderReason(shape));
  if (shape.length !== 2 && shape.length !== 3) {
    throw new ImageDecodeError(src.name, `NPY array of shape ${shapeText(shape)} is not an image: expected 2-D (H, W) or a 3-D stack (Z, H, W).`);
  }
  if (shape.length === 3 && shape[0] === 0) throw new ImageDecodeError(src.name, `NPY stack of shape ${shapeText(shape)} has no slices.`);
  checkNpySize(src.name, shape, code, limits);
  const need = sizeOf(shape) * elementBytes(code);
  const have = src.size - dataOffset;
  if (have < need) {
    throw new ImageDecodeError(
      src.name,
      `NPY file is truncated: its header declares shape ${shapeText(shape)} of '${descr}', ${need} bytes of data after the ${dataOffset}-byte header, but the file holds only ${have} bytes after it.`,
    );
  }
  return { code, descr, bigEndian: descr.startsWith('>'), shape, dataOffset };
}

function elementBytes(code: string): number {
  return code === 'i8' || code === 'u8' ? 8 : itemSize(NPY_TO_DTYPE[code]!);
}

/** The dtype a volume keeps: the file's own, except int64/uint64 → float64 and float16 → float32 where there is no Float16Array. */
function volumeDType(code: string): DType {
  if (code === 'i8' || code === 'u8') return 'float64';
  const d = NPY_TO_DTYPE[code]!;
  return d === 'float16' && !hasFloat16() ? 'float32' : d;
}

/** Reverse the byte order of every `size`-byte element, in place. */
function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
}

/** Raw file bytes (a buffer of their own) → values of `dtype`; `first` is the index of the first element, for messages. */
function convert(name: string, h: NpyHeader, bytes: Uint8Array<ArrayBuffer>, dtype: DType, first: number): TypedArray {
  const size = elementBytes(h.code);
  if (size > 1 && h.bigEndian === HOST_LITTLE_ENDIAN) swapBytes(bytes, size);
  const n = bytes.length / size;
  if (h.code === 'i8' || h.code === 'u8') {
    const big = h.code === 'i8' ? new BigInt64Array(bytes.buffer) : new BigUint64Array(bytes.buffer);
    return int64ToFloat64(name, h.code, big, first);
  }
  if (h.code === 'f2' && dtype === 'float32') {
    const bits = new Uint16Array(bytes.buffer);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(bits[i]!);
    return out;
  }
  const C = typedArrayCtor(dtype);
  const data = new C(bytes.buffer, 0, n);
  if (h.code === 'b1') for (let i = 0; i < n; i++) if (data[i]) data[i] = 1;
  return data;
}

/** Open an NPY file: its header is read and checked; slices are read on demand, a slab at a time. */
export async function openNpy(src: ByteSource, slabBytes: number, limits?: DecodeLimits): Promise<PagedImageFile> {
  const h = await readHeader(src, limits);
  const flat = h.shape.length === 2;
  const [z, height, width] = (flat ? [1, ...h.shape] : h.shape) as [number, number, number];
  const sliceBytes = height * width * elementBytes(h.code);
  const dtype = volumeDType(h.code);
  const imageDType = toImageArray(zeros(dtype, [0])).dtype;
  const volume: VolumeShape | { problem: string } = flat
    ? { problem: `it is one 2-D image of shape ${shapeText(h.shape)}` }
    : { dtype, shape: [z, height, width] };

  /** Slices [from, to) in the volume's dtype. */
  const readSlab = async (from: number, to: number): Promise<NDArray> => {
    const start = h.dataOffset + from * sliceBytes;
    const what = flat ? 'the image data' : `slices ${from + 1} to ${to} of ${z}`;
    const bytes = await src.read(start, start + (to - from) * sliceBytes, what);
    const data = convert(src.name, h, bytes, dtype, from * height * width);
    return { dtype, shape: [to - from, height, width], data } as NDArray;
  };
  return {
    format: 'NPY',
    pages: z,
    fileDType: h.code === 'i8' ? 'int64' : h.code === 'u8' ? 'uint64' : NPY_TO_DTYPE[h.code]!,
    imageBytes: z * height * width * itemSize(imageDType),
    volume,
    pagesPerRead: Math.max(1, Math.floor(slabBytes / Math.max(1, sliceBytes))),
    get bytesRead() {
      return src.bytesRead;
    },
    readVolume: readSlab,
    async readImages(from, to) {
      const slab = await readSlab(from, to);
      const m = height * width;
      const one = to - from === 1;
      return Array.from({ length: to - from }, (_, k) => {
        // One slice owns the slab's buffer; several are copied out of it.
        const data = one ? slab.data : slab.data.slice(k * m, (k + 1) * m);
        return toImageArray({ dtype, shape: [height, width], data } as NDArray);
      });
    },
  };
}
