// Which image format a file is: by its magic bytes first, then by the extension of its name.
import type { ImageFormat } from './common';
import { hasNpyMagic } from './npy';
import { hasPngMagic } from './png';
import { hasTiffMagic } from './tiff';

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
