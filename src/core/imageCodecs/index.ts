// Image file codecs for import and export: PNG (fast-png), TIFF (utif2), NPY (npyjs), GIF (gifuct-js,
// every frame). Pure TypeScript, no DOM: formats only a browser decodes (JPEG, WebP, BMP) go through
// src/engine/decodeImage.ts.
import { ImageDecodeError, type DecodedImage, type ImageFormat } from './common';
import type { DecodeLimits } from './limits';
import { decodeGif } from './gif';
import { decodeNpy } from './npy';
import { decodePng } from './png';
import { sniffFormat } from './sniff';
import { decodeTiff } from './tiff';

export { ImageDecodeError, ImageEncodeError, isVolume, type DecodedImage, type PagedImageFile } from './common';
export { decodePng, decodePngIndices, encodePng, isIndexedPng } from './png';
export { decodeTiff, encodeTiff } from './tiff';
export { decodeNpy, decodeNpyArray, encodeNpy } from './npy';
export { DEFAULT_MAX_IMAGE_BYTES, checkDeclaredSize, type DecodeLimits } from './limits';
export { headerDims } from './headerDims';
export { sniffFormat } from './sniff';
export { rgbaAlpha, rgbaColour, rgbaIsGray } from './rgba';
export { openPagedFile } from './paged';

const BROWSER_ONLY: Partial<Record<ImageFormat, string>> = { jpeg: 'JPEG', webp: 'WebP', bmp: 'BMP' };

/**
 * Decode a PNG, TIFF, NPY or GIF file into images (format from sniffFormat). Every image's declared size
 * is checked against `limits.maxImageBytes` (default 1 GiB) before its pixels are allocated. JPEG, WebP and BMP need
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
    case 'gif':
      return decodeGif(bytes, name, limits);
    case null:
      throw new ImageDecodeError(name, 'unrecognised file format; expected PNG, TIFF, NPY, JPEG, GIF, WebP or BMP.');
    default:
      throw new ImageDecodeError(name, `${BROWSER_ONLY[format]} files are decoded by the browser (decodeImageFile), not here.`);
  }
}
