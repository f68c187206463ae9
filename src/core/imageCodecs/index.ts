// Image file codecs for import and export: PNG (fast-png), TIFF (utif2), NPY (npyjs). Pure TypeScript,
// no DOM: formats only a browser decodes (JPEG, GIF, WebP, BMP) go through src/engine/decodeImage.ts.
import { ImageDecodeError, type DecodedImage, type ImageFormat } from './common';
import type { DecodeLimits } from './limits';
import { decodeNpy, hasNpyMagic } from './npy';
import { decodePng, hasPngMagic } from './png';
import { decodeTiff, hasTiffMagic } from './tiff';

export { ImageDecodeError, ImageEncodeError, type DecodedImage, type ImageFormat } from './common';
export { decodePng, encodePng } from './png';
export { decodeTiff, encodeTiff } from './tiff';
export { decodeNpy, decodeNpyArray, encodeNpy } from './npy';
export { DEFAULT_MAX_IMAGE_BYTES, checkDeclaredSize, type DecodeLimits } from './limits';
export { headerDims } from './headerDims';

const EXTENSIONS: Record<string, ImageFormat> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  tif: 'tiff',
  tiff: 'tiff',
  npy: 'npy',
  gif: 'gif',
  webp: 'webp',
  bmp: 'bmp',
  dib: 'bmp',
};

const ascii = (bytes: Uint8Array, start: number, text: string): boolean =>
  bytes.length >= start + text.length && [...text].every((ch, i) => bytes[start + i] === ch.charCodeAt(0));

/** BMP has only a two-byte signature; also ask for a known DIB header size so text starting "BM" is not taken. */
function looksLikeBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 26 || !ascii(bytes, 0, 'BM')) return false;
  const dib = bytes[14]! | (bytes[15]! << 8) | (bytes[16]! << 16) | (bytes[17]! << 24);
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(dib);
}

/** The format of a file: by its magic bytes first, then by the extension of `name`; null when neither tells. */
export function sniffFormat(bytes: Uint8Array, name?: string): ImageFormat | null {
  if (hasPngMagic(bytes)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (hasTiffMagic(bytes)) return 'tiff';
  if (hasNpyMagic(bytes)) return 'npy';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  if (looksLikeBmp(bytes)) return 'bmp';
  const dot = name?.lastIndexOf('.') ?? -1;
  if (name && dot >= 0) return EXTENSIONS[name.slice(dot + 1).toLowerCase()] ?? null;
  return null;
}

const BROWSER_ONLY: Partial<Record<ImageFormat, string>> = { jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP' };

/**
 * Decode a PNG, TIFF or NPY file into images (format from sniffFormat). Every image's declared size
 * is checked against `limits.maxImageBytes` (default 1 GiB) before its pixels are allocated. JPEG, GIF, WebP and BMP need
 * the browser's decoders (decodeImageFile in src/engine/decodeImage.ts) and are an error here.
 */
export function decodeImageBytes(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedImage[] {
  if (bytes.length === 0) throw new ImageDecodeError(name, 'the file is empty (0 bytes).');
  const format = sniffFormat(bytes, name);
  switch (format) {
    case 'png':
      return decodePng(bytes, name, limits);
    case 'tiff':
      return decodeTiff(bytes, name, limits);
    case 'npy':
      return decodeNpy(bytes, name, limits);
    case null:
      throw new ImageDecodeError(name, 'unrecognised file format; expected PNG, TIFF, NPY, JPEG, GIF, WebP or BMP.');
    default:
      throw new ImageDecodeError(name, `${BROWSER_ONLY[format]} files are decoded by the browser (decodeImageFile), not here.`);
  }
}
