// The width and height that the header of a JPEG, GIF, WebP or BMP file declares, read without
// decoding (the browser decodes these formats: its decoder allocates before anyone can check).
import type { ImageFormat } from './common';

export interface HeaderDims {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const i32le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** SOF markers (baseline, progressive, lossless, arithmetic): C0–CF except C4 (DHT), C8 (JPG) and CC (DAC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegDims(b: Uint8Array): HeaderDims | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const m = b[i + 1]!;
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (m === 0xd9 || m === 0xda) return null; // end of image / start of scan before any frame header
    const len = u16be(b, i + 2);
    if (isSof(m)) return i + 9 <= b.length ? { height: u16be(b, i + 5), width: u16be(b, i + 7) } : null;
    if (len < 2) return null;
    i += 2 + len;
  }
  return null;
}

function webpDims(b: Uint8Array): HeaderDims | null {
  if (b.length < 30) return null;
  const chunk = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
  if (chunk === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const [b0, b1, b2, b3] = [b[21]!, b[22]!, b[23]!, b[24]!];
    return { width: 1 + (b0 | ((b1 & 0x3f) << 8)), height: 1 + ((b1 >> 6) | (b2 << 2) | ((b3 & 0x0f) << 10)) };
  }
  if (chunk === 'VP8X') return { width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
  return null;
}

function bmpDims(b: Uint8Array): HeaderDims | null {
  if (b.length < 26) return null;
  const dib = i32le(b, 14);
  if (dib === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
  // Height is negative for top-down bitmaps.
  return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
}

/** The declared size of a browser-decoded image, or null when its header cannot be read here. */
export function headerDims(bytes: Uint8Array, format: ImageFormat): HeaderDims | null {
  switch (format) {
    case 'jpeg':
      return jpegDims(bytes);
    case 'gif':
      return bytes.length >= 10 ? { width: u16le(bytes, 6), height: u16le(bytes, 8) } : null;
    case 'webp':
      return webpDims(bytes);
    case 'bmp':
      return bmpDims(bytes);
    default:
      return null;
  }
}
