// PNG through fast-png (decode and encode, 1–16 bit, every colour type, Adam7). This file only maps
// fast-png's interleaved H×W×C samples to and from the channel-first NDArrays the Image schema wants.
import { decode as pngDecode, encode as pngEncode, type DecodedPng } from 'fast-png';
import type { NDArray } from '../ndarray';
import { type DecodedImage, ImageDecodeError, ImageEncodeError, errorText, shapeText, unpackBits } from './common';
import { checkDeclaredSize, type DecodeLimits } from './limits';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function hasPngMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Decode a PNG into one image.
 * - gray → H×W; gray+alpha → H×W; RGB → 3×H×W; RGBA → 3×H×W; the alpha channel (or the tRNS
 *   transparent colour / palette alphas) as `alpha` (H×W, the image's dtype) unless it is opaque everywhere;
 * - 16-bit → uint16; 8-bit → uint8; 1/2/4-bit gray → uint8 stretched to 0..255 (×255, ×85, ×17, the
 *   PNG spec's exact bit replication), so a 1-bit mask reads as 0/255;
 * - palette → 3×H×W uint8 RGB through the palette, or H×W uint8 when every palette entry is gray
 *   An APNG gives its default image only (said in `dropped`).
 * An RGB PNG whose pixels happen to be gray stays 3×H×W.
 */
export function decodePng(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedImage[] {
  if (!hasPngMagic(bytes)) throw new ImageDecodeError(name, 'not a PNG file (bad signature).');
  const png = parsePng(bytes, name, limits);
  const { width: w, height: h, depth, channels } = png;
  const data = png.data as ArrayLike<number>;
  let image: NDArray;
  if (png.palette) {
    image = fromPalette(name, png, w, h);
  } else if (depth < 8) {
    if (channels !== 1) throw new ImageDecodeError(name, `unsupported PNG: ${depth}-bit samples with ${channels} channels.`);
    image = { dtype: 'uint8', shape: [h, w], data: unpackBits(data, depth as 1 | 2 | 4, w, h, true) };
  } else {
    const dtype = depth === 16 ? 'uint16' : 'uint8';
    image = planar(data, w, h, channels, dtype);
  }
  const alpha = alphaOf(png, w, h);
  const dropped = hasChunk(bytes, 'acTL') ? ['it is an animated PNG (APNG): only its default image was imported, not its animation frames.'] : [];
  return [{ image, page: 0, pages: 1, ...(alpha ? { alpha } : {}), ...(dropped.length ? { dropped } : {}) }];
}

/** fast-png's decode after the header's declared size is checked against the limit; errors name the file. */
function parsePng(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedPng {
  checkPngHeader(bytes, name, limits);
  try {
    return pngDecode(bytes, { checkCrc: true });
  } catch (e) {
    throw new ImageDecodeError(name, `cannot read this PNG file (${errorText(e)}).`);
  }
}

/** Whether these first bytes (26 or more) are an indexed (palette) PNG's: IHDR colour type 3. */
export function isIndexedPng(head: Uint8Array): boolean {
  return hasPngMagic(head) && head.length > 25 && head[25] === 3;
}

/**
 * An indexed PNG's palette indices as H×W uint8 (1/2/4-bit indices unpacked, not stretched), for label
 * images whose index is the object id (PASCAL VOC masks, algobox's own label PNG export); the palette's
 * colours are left out. Throws for a PNG that is not indexed.
 */
export function decodePngIndices(bytes: Uint8Array, name: string, limits?: DecodeLimits): NDArray {
  if (!isIndexedPng(bytes)) throw new ImageDecodeError(name, 'not an indexed (palette) PNG.');
  const png = parsePng(bytes, name, limits);
  const { width: w, height: h, depth } = png;
  const data = depth < 8 ? unpackBits(png.data as Uint8Array, depth as 1 | 2 | 4, w, h, false) : Uint8Array.from(png.data as Uint8Array);
  return { dtype: 'uint8', shape: [h, w], data };
}

/** Whether the PNG holds a chunk of this type (walks the chunk list; stops at IEND or a truncated chunk). */
function hasChunk(bytes: Uint8Array, type: string): boolean {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = dv.getUint32(o);
    const t = String.fromCharCode(bytes[o + 4]!, bytes[o + 5]!, bytes[o + 6]!, bytes[o + 7]!);
    if (t === type) return true;
    if (t === 'IEND') return false;
    o += 12 + len;
  }
  return false;
}

/**
 * The PNG's transparency as H×W (uint8, or uint16 for 16-bit): the alpha samples (gray+alpha, RGBA),
 * the palette's alphas (tRNS on an indexed PNG), or 0 where a pixel is the tRNS transparent colour;
 * null when every pixel is opaque.
 */
function alphaOf(png: DecodedPng, w: number, h: number): NDArray | null {
  const { channels, depth } = png;
  const data = png.data as ArrayLike<number>;
  const m = w * h;
  const max = depth === 16 ? 65535 : 255;
  const out = depth === 16 ? new Uint16Array(m) : new Uint8Array(m);
  const t = png.transparency;
  if (png.palette) {
    // fast-png appends a tRNS chunk's alphas to the palette entries ([r, g, b, a]).
    const palette = png.palette;
    if (!palette.some((c) => c.length > 3 && c[3] !== 255)) return null;
    const indices = depth < 8 ? unpackBits(data, depth as 1 | 2 | 4, w, h, false) : data;
    for (let i = 0; i < m; i++) out[i] = palette[indices[i]!]?.[3] ?? 255;
  } else if (channels === 2 || channels === 4) {
    for (let i = 0; i < m; i++) out[i] = data[i * channels + channels - 1]!;
  } else if (t?.length && depth >= 8) {
    for (let i = 0; i < m; i++) {
      let same = true;
      for (let c = 0; c < channels && same; c++) same = data[i * channels + c] === t[c];
      out[i] = same ? 0 : max;
    }
  } else if (t?.length) {
    // 1/2/4-bit gray with a transparent gray level.
    const v = unpackBits(data, depth as 1 | 2 | 4, w, h, false);
    for (let i = 0; i < m; i++) out[i] = v[i] === t[0] ? 0 : max;
  } else return null;
  for (let i = 0; i < m; i++) if (out[i] !== max) return { dtype: depth === 16 ? 'uint16' : 'uint8', shape: [h, w], data: out };
  return null;
}

/** Samples per pixel fast-png holds (and this file then keeps), by PNG colour type. */
const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** The IHDR chunk's size, checked against the limit before fast-png allocates the pixels. */
function checkPngHeader(bytes: Uint8Array, name: string, limits?: DecodeLimits): void {
  if (bytes.length < 26) throw new ImageDecodeError(name, 'corrupt PNG: the file ends inside its header.');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = dv.getUint32(16);
  const height = dv.getUint32(20);
  const depth = bytes[24]!;
  const samples = PNG_SAMPLES[bytes[25]!] ?? 4;
  checkDeclaredSize(name, { width, height, samples, bytesPerSample: depth === 16 ? 2 : 1, format: 'PNG' }, limits);
}

/** Interleaved H×W×C samples → H×W (C = 1, 2) or 3×H×W (C = 3, 4); alpha is read by alphaOf. */
function planar(data: ArrayLike<number>, w: number, h: number, channels: number, dtype: 'uint8' | 'uint16'): NDArray {
  const C = dtype === 'uint16' ? Uint16Array : Uint8Array;
  const m = w * h;
  if (channels === 1) {
    const out = new C(m);
    out.set(data);
    return { dtype, shape: [h, w], data: out };
  }
  if (channels === 2) {
    const out = new C(m);
    for (let i = 0; i < m; i++) out[i] = data[i * 2]!;
    return { dtype, shape: [h, w], data: out };
  }
  const out = new C(3 * m);
  for (let i = 0; i < m; i++) {
    const s = i * channels;
    out[i] = data[s]!;
    out[m + i] = data[s + 1]!;
    out[2 * m + i] = data[s + 2]!;
  }
  return { dtype, shape: [3, h, w], data: out };
}

function fromPalette(name: string, png: DecodedPng, w: number, h: number): NDArray {
  const palette = png.palette!;
  const depth = png.depth;
  const indices = depth < 8 ? unpackBits(png.data as Uint8Array, depth as 1 | 2 | 4, w, h, false) : (png.data as Uint8Array);
  const m = w * h;
  const gray = palette.every((c) => c[0] === c[1] && c[1] === c[2]);
  const out = new Uint8Array(gray ? m : 3 * m);
  for (let i = 0; i < m; i++) {
    const c = palette[indices[i]!];
    if (!c) throw new ImageDecodeError(name, `corrupt PNG: palette index ${indices[i]} but the palette has ${palette.length} colours.`);
    if (gray) {
      out[i] = c[0]!;
    } else {
      out[i] = c[0]!;
      out[m + i] = c[1]!;
      out[2 * m + i] = c[2]!;
    }
  }
  return gray ? { dtype: 'uint8', shape: [h, w], data: out } : { dtype: 'uint8', shape: [3, h, w], data: out };
}

/**
 * Encode an H×W (gray) or 3×H×W (RGB) array as PNG. uint8 → 8-bit, uint16 → 16-bit, bool → 8-bit
 * 0/255. Any other dtype is an error: window or scale it to uint8/uint16 first. With `palette`
 * (RGB triples, index = value) an H×W uint8 array is written as an 8-bit indexed PNG.
 */
export function encodePng(a: NDArray, opts: { palette?: readonly (readonly number[])[] } = {}): Uint8Array<ArrayBuffer> {
  if (opts.palette) return encodeIndexedPng(a, opts.palette);
  const rgb = a.shape.length === 3 && a.shape[0] === 3;
  if (!(a.shape.length === 2 || rgb)) {
    throw new ImageEncodeError(`PNG export needs an H×W or 3×H×W array, got shape ${shapeText(a.shape)}.`);
  }
  if (a.dtype !== 'uint8' && a.dtype !== 'uint16' && a.dtype !== 'bool') {
    throw new ImageEncodeError(`PNG export supports uint8, uint16 and bool arrays, got ${a.dtype}; convert it first (window or scale floats to uint8/uint16).`);
  }
  const h = a.shape[rgb ? 1 : 0]!;
  const w = a.shape[rgb ? 2 : 1]!;
  if (w === 0 || h === 0) throw new ImageEncodeError(`PNG export needs a non-empty image, got shape ${shapeText(a.shape)}.`);
  const m = w * h;
  const src = a.data as ArrayLike<number>;
  let data: Uint8Array | Uint16Array;
  if (a.dtype === 'bool') {
    data = new Uint8Array(rgb ? 3 * m : m);
    if (rgb) for (let i = 0; i < m; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = src[c * m + i] ? 255 : 0;
    else for (let i = 0; i < m; i++) data[i] = src[i] ? 255 : 0;
  } else if (rgb) {
    data = a.dtype === 'uint16' ? new Uint16Array(3 * m) : new Uint8Array(3 * m);
    for (let i = 0; i < m; i++) {
      data[i * 3] = src[i]!;
      data[i * 3 + 1] = src[m + i]!;
      data[i * 3 + 2] = src[2 * m + i]!;
    }
  } else {
    data = a.data as Uint8Array | Uint16Array;
  }
  // fast-png returns a view on its own fresh ArrayBuffer.
  return pngEncode({ width: w, height: h, data, depth: a.dtype === 'uint16' ? 16 : 8, channels: rgb ? 3 : 1 }) as Uint8Array<ArrayBuffer>;
}

function encodeIndexedPng(a: NDArray, palette: readonly (readonly number[])[]): Uint8Array<ArrayBuffer> {
  if (a.dtype !== 'uint8' || a.shape.length !== 2) throw new ImageEncodeError(`An indexed PNG needs an H×W uint8 array, got ${a.dtype} ${shapeText(a.shape)}.`);
  if (palette.length < 1 || palette.length > 256) throw new ImageEncodeError(`An indexed PNG holds 1 to 256 colours, got ${palette.length}.`);
  const [h, w] = a.shape as [number, number];
  if (w === 0 || h === 0) throw new ImageEncodeError(`PNG export needs a non-empty image, got shape ${shapeText(a.shape)}.`);
  const data = a.data as Uint8Array;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! >= palette.length) throw new ImageEncodeError(`Value ${data[i]} at index ${i} has no colour in the ${palette.length}-colour palette.`);
  }
  return pngEncode({ width: w, height: h, data, depth: 8, channels: 1, palette: palette.map((c) => [c[0]!, c[1]!, c[2]!]) }) as Uint8Array<ArrayBuffer>;
}
