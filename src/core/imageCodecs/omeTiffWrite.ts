// The byte layout of a streamed (OME-)TIFF: little-endian, classic or BigTIFF, one image directory per
// plane, tiles (512×512) or strips, optional SubIFDs (a reduced-resolution pyramid per plane). Pixel
// blocks are written first, as they come, and the directories last, so every offset is known when it is
// written; the header (first-IFD offset) is patched at the end. The directory entries are encoded here,
// not by utif2's `_writeIFD`: that writer knows neither BigTIFF (8-byte counts and offsets) nor the IFD
// type of SubIFDs, and cannot place directories whose out-of-line values must precede known offsets.
// Writing entries is a few lines of arithmetic; parsing stays with the libraries.
import { itemSize, type DType, type NDArray } from '../ndarray';
import { ImageEncodeError } from './common';

/** Side of the square tiles of large planes (a multiple of 16, as TIFF requires). */
export const TIFF_TILE = 512;
/** Strips of small planes hold about this many bytes. */
const STRIP_BYTES = 64 * 1024;
/** A classic TIFF's offsets are 32-bit; BigTIFF is used above this estimated size (a margin for directories and Deflate's worst case). */
export const CLASSIC_TIFF_LIMIT = 2 ** 32 - 64 * 2 ** 20;

/** How one image's pixels are cut: square tiles, or strips of `rows` rows. */
export type BlockLayout = { kind: 'tile'; size: number } | { kind: 'strip'; rows: number };

/** One image (a plane, or a pyramid level of one) as its directory describes it. */
export interface TiffImage {
  width: number;
  height: number;
  dtype: Exclude<DType, 'float16' | 'bool'>;
  layout: BlockLayout;
  compression: 'none' | 'deflate';
  /** File offset and byte count of each block, in order. */
  offsets: number[];
  counts: number[];
  /** Reduced-resolution images of this one (SubIFDs), largest first. */
  sub?: TiffImage[];
  /** ImageDescription (the first directory's OME-XML). */
  description?: string;
}

/** Tiles for planes with both sides ≥ 256 and one above a tile; strips of ~64 KiB otherwise. */
export function blockLayout(width: number, height: number, dtype: DType): BlockLayout {
  if (width >= 256 && height >= 256 && (width > TIFF_TILE || height > TIFF_TILE)) return { kind: 'tile', size: TIFF_TILE };
  return { kind: 'strip', rows: Math.min(height, Math.max(1, Math.floor(STRIP_BYTES / (width * itemSize(dtype))))) };
}

/** Bytes of the blocks of an image, uncompressed (tiles are padded to full tiles). */
export function rawBlockBytes(width: number, height: number, dtype: DType, layout: BlockLayout): number {
  if (layout.kind === 'strip') return width * height * itemSize(dtype);
  const s = layout.size;
  return Math.ceil(width / s) * Math.ceil(height / s) * s * s * itemSize(dtype);
}

/** The little-endian bytes of a typed array's elements (a view when the platform is little-endian, as all browsers are). */
function leBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The blocks (uncompressed, in TIFF order: row-major tiles, or strips top down) of a 2-D plane [H, W].
 * Edge tiles are padded with zeros.
 */
export function planeBlocks(plane: NDArray, layout: BlockLayout): Uint8Array[] {
  if (plane.shape.length !== 2) throw new ImageEncodeError(`TIFF planes are 2-D; got shape [${plane.shape.join(', ')}].`);
  const [h, w] = plane.shape as [number, number];
  const sz = itemSize(plane.dtype);
  const src = leBytes(plane.data);
  const out: Uint8Array[] = [];
  if (layout.kind === 'strip') {
    for (let y = 0; y < h; y += layout.rows) out.push(src.slice(y * w * sz, Math.min(h, y + layout.rows) * w * sz));
    return out;
  }
  const s = layout.size;
  for (let ty = 0; ty < h; ty += s) {
    for (let tx = 0; tx < w; tx += s) {
      const tile = new Uint8Array(s * s * sz);
      const cols = Math.min(s, w - tx) * sz;
      for (let y = ty; y < Math.min(h, ty + s); y++) {
        const from = (y * w + tx) * sz;
        tile.set(src.subarray(from, from + cols), (y - ty) * s * sz);
      }
      out.push(tile);
    }
  }
  return out;
}

/** The 8-byte (classic) or 16-byte (BigTIFF) header pointing at the first directory. */
export function tiffHeader(big: boolean, firstIfd: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(big ? 16 : 8);
  const v = new DataView(b.buffer);
  b[0] = b[1] = 0x49; // 'II': little-endian
  if (big) {
    v.setUint16(2, 43, true);
    v.setUint16(4, 8, true);
    v.setBigUint64(8, BigInt(firstIfd), true);
  } else {
    v.setUint16(2, 42, true);
    v.setUint32(4, firstIfd, true);
  }
  return b;
}

// ───────────────────────────── directories ─────────────────────────────

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const LONG8 = 16;
const IFD = 13;
const IFD8 = 18;
const TYPE_BYTES: Record<number, number> = { [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [LONG8]: 8, [IFD]: 4, [IFD8]: 8 };

interface Entry {
  tag: number;
  type: number;
  /** Numbers, or the bytes of an ASCII value (NUL-terminated). */
  values: number[] | Uint8Array;
}

const SAMPLE_FORMAT: Record<TiffImage['dtype'], number> = { uint8: 1, uint16: 1, uint32: 1, int8: 2, int16: 2, int32: 2, float32: 3, float64: 3 };

/** The entries of an image's directory, sorted by tag; `subIfds` are the offsets of its SubIFDs. */
function entriesOf(img: TiffImage, reduced: boolean, subIfds: number[], big: boolean): Entry[] {
  const off = big ? LONG8 : LONG;
  const e: Entry[] = [
    { tag: 254, type: LONG, values: [reduced ? 1 : 0] }, // NewSubfileType
    { tag: 256, type: LONG, values: [img.width] },
    { tag: 257, type: LONG, values: [img.height] },
    { tag: 258, type: SHORT, values: [itemSize(img.dtype) * 8] },
    { tag: 259, type: SHORT, values: [img.compression === 'deflate' ? 8 : 1] },
    { tag: 262, type: SHORT, values: [1] }, // BlackIsZero
  ];
  if (img.description !== undefined) e.push({ tag: 270, type: ASCII, values: new TextEncoder().encode(`${img.description}\0`) });
  if (img.layout.kind === 'strip') e.push({ tag: 273, type: off, values: img.offsets });
  e.push({ tag: 277, type: SHORT, values: [1] });
  if (img.layout.kind === 'strip') {
    e.push({ tag: 278, type: LONG, values: [img.layout.rows] }, { tag: 279, type: off, values: img.counts });
  }
  e.push({ tag: 284, type: SHORT, values: [1] }, { tag: 305, type: ASCII, values: new TextEncoder().encode('algobox\0') });
  if (img.layout.kind === 'tile') {
    e.push(
      { tag: 322, type: LONG, values: [img.layout.size] },
      { tag: 323, type: LONG, values: [img.layout.size] },
      { tag: 324, type: off, values: img.offsets },
      { tag: 325, type: off, values: img.counts },
    );
  }
  if (subIfds.length) e.push({ tag: 330, type: big ? IFD8 : IFD, values: subIfds });
  e.push({ tag: 339, type: SHORT, values: [SAMPLE_FORMAT[img.dtype]] });
  return e;
}

function countOf(en: Entry): number {
  return en.values.length;
}

/** Bytes of a directory and its out-of-line values (each word-aligned). */
function ifdSize(entries: readonly Entry[], big: boolean): number {
  const inline = big ? 8 : 4;
  let n = big ? 8 + 20 * entries.length + 8 : 2 + 12 * entries.length + 4;
  for (const en of entries) {
    const bytes = countOf(en) * TYPE_BYTES[en.type]!;
    if (bytes > inline) n += bytes + (bytes % 2);
  }
  return n;
}

function putValue(v: DataView, at: number, type: number, x: number): void {
  if (type === SHORT) v.setUint16(at, x, true);
  else if (type === LONG || type === IFD) v.setUint32(at, x, true);
  else v.setBigUint64(at, BigInt(x), true);
}

function putValues(u8: Uint8Array, v: DataView, at: number, en: Entry): void {
  if (en.values instanceof Uint8Array) {
    u8.set(en.values, at);
    return;
  }
  const size = TYPE_BYTES[en.type]!;
  en.values.forEach((x, i) => putValue(v, at + i * size, en.type, x));
}

/** One directory at file offset `at`: its entries, then its out-of-line values; `next` is the next directory (0: none). */
function encodeIfd(entries: readonly Entry[], at: number, next: number, big: boolean): Uint8Array {
  const out = new Uint8Array(ifdSize(entries, big));
  const v = new DataView(out.buffer);
  const inline = big ? 8 : 4;
  const entrySize = big ? 20 : 12;
  const head = big ? 8 : 2;
  if (big) v.setBigUint64(0, BigInt(entries.length), true);
  else v.setUint16(0, entries.length, true);
  let extra = head + entrySize * entries.length + inline;
  entries.forEach((en, i) => {
    const p = head + i * entrySize;
    const count = countOf(en);
    v.setUint16(p, en.tag, true);
    v.setUint16(p + 2, en.type, true);
    if (big) v.setBigUint64(p + 4, BigInt(count), true);
    else v.setUint32(p + 4, count, true);
    const valueAt = p + (big ? 12 : 8);
    const bytes = count * TYPE_BYTES[en.type]!;
    if (bytes <= inline) putValues(out, v, valueAt, en);
    else {
      putValue(v, valueAt, big ? LONG8 : LONG, at + extra);
      putValues(out, v, extra, en);
      extra += bytes + (bytes % 2);
    }
  });
  putValue(v, head + entrySize * entries.length, big ? LONG8 : LONG, next);
  return out;
}

/**
 * The directories of `images` (the main chain, each followed by its SubIFDs), laid out from file offset
 * `start` (even): the bytes to append and the offset of the first directory for the header.
 */
export function encodeDirectories(images: readonly TiffImage[], start: number, big: boolean): { bytes: Uint8Array<ArrayBuffer>; firstIfd: number } {
  if (start % 2) throw new ImageEncodeError('TIFF directories must start at an even offset.');
  // Sizes do not depend on offsets: place every directory first, then encode with the offsets known.
  const placed: { entries: Entry[]; at: number; next: number }[] = [];
  let pos = start;
  const place = (img: TiffImage, reduced: boolean, subIfds: number[]) => {
    const entries = entriesOf(img, reduced, subIfds, big);
    const item = { entries, at: pos, next: 0 };
    pos += ifdSize(entries, big);
    placed.push(item);
    return item;
  };
  let prev: { next: number } | null = null;
  for (const img of images) {
    // Place the SubIFDs (their positions go into the main directory) after a placeholder-sized main IFD.
    const subs = img.sub ?? [];
    const mainSize = ifdSize(
      entriesOf(
        img,
        false,
        subs.map(() => 0),
        big,
      ),
      big,
    );
    const mainAt = pos;
    pos += mainSize;
    const subAts = subs.map((s) => place(s, true, []).at);
    const main = { entries: entriesOf(img, false, subAts, big), at: mainAt, next: 0 };
    placed.push(main);
    if (prev) prev.next = mainAt;
    prev = main;
  }
  const bytes = new Uint8Array(pos - start);
  for (const p of placed) bytes.set(encodeIfd(p.entries, p.at, p.next, big), p.at - start);
  return { bytes, firstIfd: images.length ? start : 0 };
}
