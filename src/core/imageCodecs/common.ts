// What every codec here shares: the decoded-image record, the two error classes and a few
// sample-level helpers (bit unpacking, half floats). Pure TypeScript, no DOM.
import type { DType, NDArray } from '../ndarray';

/**
 * One image decoded from a file. `image` is H×W (grayscale) or 3×H×W (RGB, channel-first, as the
 * Image schema wants), with a dtype the Image schema accepts (uint8, uint16, float32, float64).
 * `page` is 0-based; `pages` is how many images the file gave (TIFF pages, NPY slices; 1 otherwise).
 */
export interface DecodedImage {
  image: NDArray;
  page: number;
  pages: number;
  /**
   * The image's transparency, H×W of the image's dtype (0 = transparent), when the file has an alpha
   * channel (or a transparent colour) that is not opaque everywhere; the importer keeps it as a
   * separate dataset. Absent when the image is fully opaque (nothing is lost by leaving it out).
   */
  alpha?: NDArray;
  /** What the file holds that the image does not keep (said to the user by the import), on the first page. */
  dropped?: string[];
}

/** The image formats a file is recognised as (by magic bytes, then extension). */
export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'npy' | 'gif' | 'webp' | 'bmp';

/** A file that cannot be read as an image. The message names the file and the reason. */
export class ImageDecodeError extends Error {
  readonly fileName: string;
  constructor(fileName: string, reason: string) {
    super(`${fileName}: ${reason}`);
    this.name = 'ImageDecodeError';
    this.fileName = fileName;
  }
}

/** An array that cannot be written in the asked format (wrong shape or dtype). */
export class ImageEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageEncodeError';
  }
}

export { thrownMessage as errorText } from '../describeValue';

export const shapeText = (shape: readonly number[]): string => `(${shape.join(', ')})`;

/**
 * Unpack rows of 1/2/4-bit samples (MSB first, each row padded to a whole byte) into one byte per
 * sample. `samplesPerRow` counts samples, not pixels. With `scale`, values are stretched to 0..255
 * (×255, ×85, ×17: exact bit replication, as the PNG spec recommends).
 */
export function unpackBits(packed: ArrayLike<number>, bits: 1 | 2 | 4, samplesPerRow: number, rows: number, scale: boolean): Uint8Array {
  const out = new Uint8Array(samplesPerRow * rows);
  const rowBytes = Math.ceil((samplesPerRow * bits) / 8);
  const mask = (1 << bits) - 1;
  const factor = scale ? 255 / mask : 1;
  const perByte = 8 / bits;
  for (let y = 0; y < rows; y++) {
    const src = y * rowBytes;
    const dst = y * samplesPerRow;
    for (let x = 0; x < samplesPerRow; x++) {
      const byte = packed[src + Math.floor(x / perByte)] ?? 0;
      const shift = 8 - bits * ((x % perByte) + 1);
      out[dst + x] = ((byte >> shift) & mask) * factor;
    }
  }
  return out;
}

/** IEEE 754 half (binary16) bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** True on little-endian hosts (every browser in practice); typed arrays use host order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes as an ArrayBuffer of exactly their length (no copy when they already are one). */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return new Uint8Array(bytes).buffer;
}

// ───────────────────────────── files read page by page (paged.ts) ─────────────────────────────

/** A file's own sample type: a DType, or an NPY's 64-bit integers (read as float64). */
export type FileDType = DType | 'int64' | 'uint64';

/** The volume a file makes: every page gray, of one size and dtype. */
export interface VolumeShape {
  dtype: DType;
  shape: [number, number, number];
}

export interface PagedImageFile {
  format: 'NPY' | 'TIFF';
  /** Pages (TIFF pages, NPY Z slices; 1 for a 2-D NPY). */
  pages: number;
  /**
   * The file's own sample type before any conversion (a TIFF's 32-bit signed pages are 'int32' though
   * read as float64; an NPY int64 is 'int64'); labels are stored in it (src/core/labelArrays.ts).
   */
  fileDType: FileDType;
  /** Bytes of every page decoded as an Image array (Image-schema dtypes). */
  imageBytes: number;
  /** The volume the pages make, or why they do not make one ("page 3 is RGB"). */
  volume: VolumeShape | { problem: string };
  /** What the file holds that its pages do not keep (a TIFF's extra samples such as alpha), said by the import. */
  dropped?: string[];
  /** Pages read at once (a slab of about SLAB_BYTES, at least one page). */
  pagesPerRead: number;
  /** Pages [from, to) as Image arrays (H×W or 3×H×W, Image dtypes), each owning its buffer. */
  readImages(from: number, to: number): Promise<NDArray[]>;
  /** Pages [from, to) as one [to - from, H, W] block of the volume's dtype (only when `volume` is a VolumeShape). */
  readVolume(from: number, to: number): Promise<NDArray>;
  /** Bytes read from the file so far. */
  readonly bytesRead: number;
}

/** About this many bytes of file are read at once (a run of whole pages; one page when a page is larger). */
export const SLAB_BYTES = 16 * 1024 * 1024;

/** Whether the file makes a volume (else `volume` holds the reason). */
export function isVolume(v: PagedImageFile['volume']): v is VolumeShape {
  return 'shape' in v;
}
