// Image codecs: PNG (fast-png), TIFF (utif2), NPY (npyjs). PNGs are made here with fast-png's encoder;
// TIFF and NPY reference files under tests/fixtures/imageCodecs were written by libtiff, tifffile,
// Pillow and numpy (generate.sh there), so the readers are checked against other implementations.
import { readFileSync } from 'node:fs';
import { encode as pngEncodeRaw } from 'fast-png';
import { describe as suite, expect, it } from 'vitest';
import {
  ImageDecodeError,
  ImageEncodeError,
  decodeImageBytes,
  decodeNpy,
  decodeNpyArray,
  decodePng,
  decodeTiff,
  encodeNpy,
  encodePng,
  encodeTiff,
  sniffFormat,
} from '../../src/core/imageCodecs';
import { arraysEqual, hasFloat16, ndarray, typedArrayCtor, type DType, type NDArray } from '../../src/core/ndarray';
import { decodeImageFile, rgbaToImage } from '../../src/engine/decodeImage';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/imageCodecs/${name}`, import.meta.url)));

function expectImage(a: NDArray, dtype: DType, shape: number[], values?: ArrayLike<number>): void {
  expect(a.dtype).toBe(dtype);
  expect(a.shape).toEqual(shape);
  expect(a.data).toBeInstanceOf(typedArrayCtor(dtype));
  if (values) expect(Array.from(a.data as ArrayLike<number>)).toEqual(Array.from(values));
}

/** Values f(i) for i = 0..n-1 (the fixtures' pixel formulas use the flat index i = y·W + x). */
const seq = <T = number>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
/** Values f(x, y) in row-major order. */
const grid = (w: number, h: number, f: (x: number, y: number) => number): number[] => seq(w * h, (i) => f(i % w, Math.floor(i / w)));

function expectDecodeError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ImageDecodeError);
  for (const p of parts) expect((err as Error).message).toMatch(p);
}

// ───────────────────────────── sniffFormat ─────────────────────────────

suite('sniffFormat', () => {
  const bytes = (...b: number[]) => new Uint8Array(b);
  const text = (s: string, pad = 0) => new Uint8Array([...[...s].map((c) => c.charCodeAt(0)), ...Array.from({ length: pad }, () => 0)]);

  it('recognises each format by its magic bytes', () => {
    expect(sniffFormat(encodePng(ndarray('uint8', [1, 1])))).toBe('png');
    expect(sniffFormat(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe('jpeg');
    expect(sniffFormat(bytes(0x49, 0x49, 42, 0, 8, 0, 0, 0))).toBe('tiff');
    expect(sniffFormat(bytes(0x4d, 0x4d, 0, 42, 0, 0, 0, 8))).toBe('tiff');
    expect(sniffFormat(bytes(0x49, 0x49, 43, 0, 8, 0, 0, 0))).toBe('tiff'); // BigTIFF: sniffed, refused by decodeTiff
    expect(sniffFormat(encodeNpy(ndarray('uint8', [2])))).toBe('npy');
    expect(sniffFormat(text('GIF89a', 10))).toBe('gif');
    expect(sniffFormat(text('GIF87a', 10))).toBe('gif');
    expect(sniffFormat(text('RIFF\u0024\u0000\u0000\u0000WEBPVP8 '))).toBe('webp');
    const bmp = new Uint8Array(54);
    bmp.set(text('BM'));
    bmp[14] = 40; // BITMAPINFOHEADER
    expect(sniffFormat(bmp)).toBe('bmp');
  });

  it('prefers magic bytes over the extension and falls back to the extension', () => {
    const png = encodePng(ndarray('uint8', [1, 1]));
    expect(sniffFormat(png, 'misnamed.tif')).toBe('png');
    const unknown = text('hello world, not an image');
    expect(sniffFormat(unknown, 'scan.TIFF')).toBe('tiff');
    expect(sniffFormat(unknown, 'photo.jpeg')).toBe('jpeg');
    expect(sniffFormat(unknown, 'photo.JPG')).toBe('jpeg');
    expect(sniffFormat(unknown, 'a.b.npy')).toBe('npy');
    expect(sniffFormat(unknown, 'notes.txt')).toBeNull();
    expect(sniffFormat(unknown)).toBeNull();
    expect(sniffFormat(new Uint8Array(0), 'noext')).toBeNull();
    // "BM" followed by text is not a bitmap.
    expect(sniffFormat(text('BMW owners manual, chapter one'))).toBeNull();
  });
});

// ───────────────────────────── PNG ─────────────────────────────

suite('decodePng (files made with fast-png)', () => {
  const W = 5;
  const H = 3;
  const m = W * H;

  it('8-bit gray → H×W uint8', () => {
    const values = seq(m, (i) => i * 17);
    const png = pngEncodeRaw({ width: W, height: H, data: Uint8Array.from(values), depth: 8, channels: 1 });
    const [d, ...rest] = decodePng(png, 'g8.png');
    expect(rest).toEqual([]);
    expect(d!.page).toBe(0);
    expect(d!.pages).toBe(1);
    expectImage(d!.image, 'uint8', [H, W], values);
  });

  it('16-bit gray → H×W uint16 with full range', () => {
    const values = seq(m, (i) => (i === 0 ? 65535 : i * 4001));
    const png = pngEncodeRaw({ width: W, height: H, data: Uint16Array.from(values), depth: 16, channels: 1 });
    expectImage(decodePng(png, 'g16.png')[0]!.image, 'uint16', [H, W], values);
  });

  it('RGB → 3×H×W channel-first, RGBA → 3×H×W + alpha, gray+alpha → H×W + alpha', () => {
    const r = seq(m, (i) => i);
    const g = seq(m, (i) => 100 + i);
    const b = seq(m, (i) => 200 + i);
    const a = seq(m, (i) => 255 - i);
    const rgb = Uint8Array.from(seq(3 * m, (k) => [r, g, b][k % 3]![Math.floor(k / 3)]!));
    const rgba = Uint8Array.from(seq(4 * m, (k) => [r, g, b, a][k % 4]![Math.floor(k / 4)]!));
    const ga = Uint8Array.from(seq(2 * m, (k) => [r, a][k % 2]![Math.floor(k / 2)]!));
    const expected = [...r, ...g, ...b];
    expectImage(decodePng(pngEncodeRaw({ width: W, height: H, data: rgb, depth: 8, channels: 3 }), 'c.png')[0]!.image, 'uint8', [3, H, W], expected);
    const withAlpha = decodePng(pngEncodeRaw({ width: W, height: H, data: rgba, depth: 8, channels: 4 }), 'c.png')[0]!;
    expectImage(withAlpha.image, 'uint8', [3, H, W], expected);
    expectImage(withAlpha.alpha!, 'uint8', [H, W], a);
    const grayAlpha = decodePng(pngEncodeRaw({ width: W, height: H, data: ga, depth: 8, channels: 2 }), 'c.png')[0]!;
    expectImage(grayAlpha.image, 'uint8', [H, W], r);
    expectImage(grayAlpha.alpha!, 'uint8', [H, W], a);
    expect(decodePng(pngEncodeRaw({ width: W, height: H, data: rgb, depth: 8, channels: 3 }), 'c.png')[0]!.alpha).toBeUndefined();
  });

  it('an RGB PNG whose pixels are gray stays 3×H×W', () => {
    const v = seq(m, (i) => i * 3);
    const data = Uint8Array.from(seq(3 * m, (k) => v[Math.floor(k / 3)]!));
    const img = decodePng(pngEncodeRaw({ width: W, height: H, data, depth: 8, channels: 3 }), 'g.png')[0]!.image;
    expect(img.shape).toEqual([3, H, W]);
  });

  it('16-bit RGBA, Adam7-interlaced → 3×H×W uint16', () => {
    const w = 11;
    const h = 9; // not multiples of 8, so every interlace pass has partial blocks
    const n = w * h;
    const data = Uint16Array.from(seq(4 * n, (k) => (k * 2503) % 65536));
    const png = pngEncodeRaw({ width: w, height: h, data, depth: 16, channels: 4 }, { interlace: 'Adam7' });
    const expected = [0, 1, 2].flatMap((c) => seq(n, (i) => data[i * 4 + c]!));
    expectImage(decodePng(png, 'i.png')[0]!.image, 'uint16', [3, h, w], expected);
  });

  it('palette → RGB through the palette; a gray palette → H×W', () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [10, 20, 30],
    ];
    const idx = seq(m, (i) => i % 4);
    const png = pngEncodeRaw({ width: W, height: H, data: Uint8Array.from(idx), depth: 8, channels: 1, palette });
    const expected = [0, 1, 2].flatMap((c) => idx.map((k) => palette[k]![c]!));
    expectImage(decodePng(png, 'p.png')[0]!.image, 'uint8', [3, H, W], expected);

    const grayPalette = [0, 60, 120, 250].map((v) => [v, v, v]);
    const gpng = pngEncodeRaw({ width: W, height: H, data: Uint8Array.from(idx), depth: 8, channels: 1, palette: grayPalette });
    expectImage(
      decodePng(gpng, 'gp.png')[0]!.image,
      'uint8',
      [H, W],
      idx.map((k) => grayPalette[k]![0]!),
    );
  });

  it('palette with transparency (tRNS) → RGB, and the palette alphas as alpha', () => {
    const palette = [
      [1, 2, 3, 0],
      [4, 5, 6, 128],
    ];
    const idx = seq(m, (i) => i % 2);
    const png = pngEncodeRaw({ width: W, height: H, data: Uint8Array.from(idx), depth: 8, channels: 1, palette });
    const expected = [0, 1, 2].flatMap((c) => idx.map((k) => palette[k]![c]!));
    expectImage(decodePng(png, 'pt.png')[0]!.image, 'uint8', [3, H, W], expected);
    expectImage(
      decodePng(png, 'pt.png')[0]!.alpha!,
      'uint8',
      [H, W],
      idx.map((k) => palette[k]![3]!),
    );
  });

  /** Pack samples of `bits` bits, MSB first, each row padded to a byte. */
  function pack(values: number[], w: number, h: number, bits: number): Uint8Array {
    const rowBytes = Math.ceil((w * bits) / 8);
    const out = new Uint8Array(rowBytes * h);
    values.forEach((v, i) => {
      const x = i % w;
      const y = Math.floor(i / w);
      const bit = x * bits;
      out[y * rowBytes + (bit >> 3)]! |= v << (8 - bits - (bit & 7));
    });
    return out;
  }

  it('1-bit gray (width not a multiple of 8) → uint8 0/255', () => {
    const w = 13;
    const h = 4;
    const bits = grid(w, h, (x, y) => ((x + y) % 3 === 0 ? 1 : 0));
    const png = pngEncodeRaw({ width: w, height: h, data: pack(bits, w, h, 1), depth: 1, channels: 1 });
    expectImage(
      decodePng(png, 'mask.png')[0]!.image,
      'uint8',
      [h, w],
      bits.map((b) => b * 255),
    );
  });

  it('2- and 4-bit gray → uint8 stretched to 0..255', () => {
    const w = 7;
    const h = 3;
    const v2 = grid(w, h, (x, y) => (x + y) % 4);
    const v4 = grid(w, h, (x, y) => (x * 3 + y) % 16);
    const p2 = pngEncodeRaw({ width: w, height: h, data: pack(v2, w, h, 2), depth: 2, channels: 1 });
    const p4 = pngEncodeRaw({ width: w, height: h, data: pack(v4, w, h, 4), depth: 4, channels: 1 });
    expectImage(
      decodePng(p2, 'g2.png')[0]!.image,
      'uint8',
      [h, w],
      v2.map((v) => v * 85),
    );
    expectImage(
      decodePng(p4, 'g4.png')[0]!.image,
      'uint8',
      [h, w],
      v4.map((v) => v * 17),
    );
  });

  it('1-bit and 4-bit palette → RGB', () => {
    const w = 9;
    const h = 2;
    const palette = [
      [0, 0, 0],
      [255, 128, 1],
    ];
    const idx = grid(w, h, (x, y) => (x + y) % 2);
    const png = pngEncodeRaw({ width: w, height: h, data: pack(idx, w, h, 1), depth: 1, channels: 1, palette });
    const expected = [0, 1, 2].flatMap((c) => idx.map((k) => palette[k]![c]!));
    expectImage(decodePng(png, 'p1.png')[0]!.image, 'uint8', [3, h, w], expected);

    const palette16 = seq(16, (k) => [k, 2 * k, 255 - k]);
    const idx4 = grid(w, h, (x, y) => (x * 2 + y) % 16);
    const png4 = pngEncodeRaw({ width: w, height: h, data: pack(idx4, w, h, 4), depth: 4, channels: 1, palette: palette16 });
    const expected4 = [0, 1, 2].flatMap((c) => idx4.map((k) => palette16[k]![c]!));
    expectImage(decodePng(png4, 'p4.png')[0]!.image, 'uint8', [3, h, w], expected4);
  });

  it('rejects garbage, truncated and corrupted files with the file name in the message', () => {
    expectDecodeError(() => decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'cells.png'), /^cells\.png: /, /not a PNG/);
    const good = encodePng(
      ndarray(
        'uint8',
        [8, 8],
        seq(64, (i) => i),
      ),
    );
    expectDecodeError(() => decodePng(good.subarray(0, good.length - 30), 'cut.png'), /^cut\.png: /, /cannot read this PNG/);
    const bad = good.slice();
    bad[45] = bad[45]! ^ 0xff; // inside the IDAT data: its CRC no longer matches
    expectDecodeError(() => decodePng(bad, 'crc.png'), /^crc\.png: /);
  });
});

suite('encodePng round trips', () => {
  it('uint8 and uint16 gray, uint8 and uint16 RGB come back exactly', () => {
    const cases = [
      ndarray(
        'uint8',
        [3, 4],
        seq(12, (i) => i * 21),
      ),
      ndarray(
        'uint16',
        [3, 4],
        seq(12, (i) => (i === 11 ? 65535 : i * 5000)),
      ),
      ndarray(
        'uint8',
        [3, 2, 5],
        seq(30, (i) => (i * 37) % 256),
      ),
      ndarray(
        'uint16',
        [3, 2, 5],
        seq(30, (i) => (i * 2111) % 65536),
      ),
      ndarray('uint8', [1, 1], [200]),
    ];
    for (const a of cases) {
      const [d] = decodePng(encodePng(a), 'rt.png');
      expect(arraysEqual(d!.image, a)).toBe(true);
    }
  });

  it('bool → uint8 0/255 (gray and RGB)', () => {
    const mask = ndarray('bool', [2, 3], [1, 0, 1, 0, 0, 1]);
    expectImage(decodePng(encodePng(mask), 'm.png')[0]!.image, 'uint8', [2, 3], [255, 0, 255, 0, 0, 255]);
    const rgbMask = ndarray('bool', [3, 1, 2], [1, 0, 0, 1, 1, 1]);
    expectImage(decodePng(encodePng(rgbMask), 'm.png')[0]!.image, 'uint8', [3, 1, 2], [255, 0, 0, 255, 255, 255]);
  });

  it('refuses other dtypes and shapes, saying what to do', () => {
    expect(() => encodePng(ndarray('float32', [2, 2]))).toThrow(ImageEncodeError);
    expect(() => encodePng(ndarray('float32', [2, 2]))).toThrow(/float32.*convert/);
    expect(() => encodePng(ndarray('int16', [2, 2]))).toThrow(/uint8, uint16 and bool/);
    expect(() => encodePng(ndarray('uint8', [4, 2, 2]))).toThrow(/H×W or 3×H×W.*\(4, 2, 2\)/);
    expect(() => encodePng(ndarray('uint8', [5]))).toThrow(ImageEncodeError);
    expect(() => encodePng(ndarray('uint8', [0, 3]))).toThrow(/non-empty/);
  });
});

// ───────────────────────────── TIFF ─────────────────────────────

suite('decodeTiff: sample formats (tifffile files)', () => {
  const W = 5;
  const H = 4;
  const m = W * H;

  it('int8 and int16 (big-endian) → float32; int32 and uint32 → float64, exactly', () => {
    expectImage(
      decodeTiff(fixture('int8.tif'), 'int8.tif')[0]!.image,
      'float32',
      [H, W],
      seq(m, (i) => i * 10 - 100),
    );
    expectImage(
      decodeTiff(fixture('int16_be.tif'), 'int16.tif')[0]!.image,
      'float32',
      [H, W],
      seq(m, (i) => i * 1000 - 7000),
    );
    expectImage(
      decodeTiff(fixture('int32.tif'), 'int32.tif')[0]!.image,
      'float64',
      [H, W],
      seq(m, (i) => i * 100000 - 1000000),
    );
    expectImage(
      decodeTiff(fixture('uint32.tif'), 'uint32.tif')[0]!.image,
      'float64',
      [H, W],
      seq(m, (i) => 4000000000 + i),
    );
  });

  it('float64 stays float64; float16 → float32', () => {
    expectImage(
      decodeTiff(fixture('float64.tif'), 'f64.tif')[0]!.image,
      'float64',
      [H, W],
      seq(m, (i) => i / 3 - 2.5),
    );
    expectImage(
      decodeTiff(fixture('float16.tif'), 'f16.tif')[0]!.image,
      'float32',
      [H, W],
      seq(m, (i) => i * 0.5 - 3),
    );
  });

  it('planar (separate) 16-bit RGB → 3×H×W uint16', () => {
    const expected = [0, 1, 2].flatMap((c) => seq(m, (i) => c * 10000 + i * 7));
    expectImage(decodeTiff(fixture('rgb16_planar.tif'), 'rgb.tif')[0]!.image, 'uint16', [3, H, W], expected);
  });

  it('RGBA (chunky, unassociated alpha) → 3×H×W uint8, alpha dropped (the streamed import says so: PagedImageFile.dropped)', () => {
    const expected = [...seq(m, (i) => i), ...seq(m, (i) => 100 + i), ...seq(m, (i) => 200 + i)];
    expectImage(decodeTiff(fixture('rgba8.tif'), 'rgba.tif')[0]!.image, 'uint8', [3, H, W], expected);
  });

  it('three big-endian float32 pages come back in order with page and pages', () => {
    const pages = decodeTiff(fixture('float32_be_3pages.tif'), 'stack.tif');
    expect(pages.map((p) => [p.page, p.pages])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    pages.forEach((p, k) =>
      expectImage(
        p.image,
        'float32',
        [H, W],
        seq(m, (i) => k * 100 + i * 0.5),
      ),
    );
  });

  it('1-bit bilevel (Pillow, width 13) → uint8 0/255', () => {
    const expected = grid(13, 5, (x, y) => ((x + y) % 3 === 0 ? 255 : 0));
    expectImage(decodeTiff(fixture('bilevel.tif'), 'bw.tif')[0]!.image, 'uint8', [5, 13], expected);
  });

  it('palette (Pillow) → RGB through the colour map; a gray colour map → H×W', () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [10, 20, 30],
    ];
    const idx = seq(m, (i) => i % 4);
    const expected = [0, 1, 2].flatMap((c) => idx.map((k) => palette[k]![c]!));
    expectImage(decodeTiff(fixture('palette.tif'), 'pal.tif')[0]!.image, 'uint8', [3, H, W], expected);
    expectImage(
      decodeTiff(fixture('palette_gray.tif'), 'palg.tif')[0]!.image,
      'uint8',
      [H, W],
      idx.map((k) => k * 40),
    );
  });
});

suite('decodeTiff: compression, predictors, strips and tiles (libtiff tiffcp files)', () => {
  const W = 32;
  const H = 24;
  const u16 = grid(W, H, (x, y) => (x * 997 + y * 131) & 0xffff);

  it('LZW, Deflate, and both with horizontal differencing (little- and big-endian)', () => {
    for (const f of ['lzw_u16.tif', 'lzw_pred2_u16.tif', 'deflate_u16.tif', 'deflate_pred2_u16_be.tif']) {
      const pages = decodeTiff(fixture(f), f);
      expect(pages).toHaveLength(1);
      expectImage(pages[0]!.image, 'uint16', [H, W], u16);
    }
  });

  it('LZW with horizontal differencing on chunky 8-bit RGB', () => {
    const expected = [...grid(W, H, (x) => x * 4), ...grid(W, H, (_, y) => y * 5), ...grid(W, H, (x, y) => (x + y) * 2)];
    expectImage(decodeTiff(fixture('lzw_pred2_rgb8.tif'), 'rgb.tif')[0]!.image, 'uint8', [3, H, W], expected);
  });

  it('Deflate with the floating-point predictor', () => {
    expectImage(
      decodeTiff(fixture('deflate_pred3_f32.tif'), 'f.tif')[0]!.image,
      'float32',
      [H, W],
      grid(W, H, (x, y) => x * 0.25 - y * 1.5),
    );
  });

  it('PackBits', () => {
    expectImage(
      decodeTiff(fixture('packbits_u8.tif'), 'pb.tif')[0]!.image,
      'uint8',
      [H, W],
      grid(W, H, (x, y) => (y < 10 ? 7 : (x * 5 + y) & 0xff)),
    );
  });

  it('tiles (16×16, LZW) on a 40×37 image: partial edge tiles are clipped', () => {
    expectImage(
      decodeTiff(fixture('tiled_lzw_u16.tif'), 't.tif')[0]!.image,
      'uint16',
      [37, 40],
      grid(40, 37, (x, y) => x * 1000 + y),
    );
  });

  it('WhiteIsZero unsigned data is inverted', () => {
    const bytes = encodeTiff([ndarray('uint16', [1, 3], [0, 1000, 65535])]);
    const dv = new DataView(bytes.buffer);
    const ifd = dv.getUint32(4, true);
    for (let k = 0; k < dv.getUint16(ifd, true); k++) {
      const e = ifd + 2 + 12 * k;
      if (dv.getUint16(e, true) === 262) dv.setUint16(e + 8, 0, true); // PhotometricInterpretation = WhiteIsZero
    }
    expectImage(decodeTiff(bytes, 'wiz.tif')[0]!.image, 'uint16', [1, 3], [65535, 64535, 0]);
  });

  it('names unsupported compression and sample formats', () => {
    expectDecodeError(() => decodeTiff(fixture('jpeg_rgb8.tif'), 'photo.tif'), /^photo\.tif: unsupported TIFF compression \(JPEG\)/);
    expectDecodeError(() => decodeTiff(fixture('complex64.tif'), 'cells.tif'), 'cells.tif: unsupported TIFF sample format (complex float)');
  });
});

suite('decodeTiff: damaged files', () => {
  it('rejects garbage, a bare header, BigTIFF and an IFD loop with the file name in the message', () => {
    expectDecodeError(() => decodeTiff(new TextEncoder().encode('certainly not a tiff'), 'junk.tif'), /^junk\.tif: not a TIFF/);
    expectDecodeError(() => decodeTiff(new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0]), 'short.tif'), /^short\.tif: corrupt TIFF/);
    expectDecodeError(() => decodeTiff(new Uint8Array([0x49, 0x49, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'big.tif'), /BigTIFF/);
    const good = encodeTiff([ndarray('uint8', [2, 2], [1, 2, 3, 4])]);
    const loop = good.slice();
    const dv = new DataView(loop.buffer);
    const ifd = dv.getUint32(4, true);
    const n = dv.getUint16(ifd, true);
    dv.setUint32(ifd + 2 + 12 * n, ifd, true); // next IFD = itself
    expectDecodeError(() => decodeTiff(loop, 'loop.tif'), /^loop\.tif: corrupt TIFF: .*loop/);
    expectDecodeError(() => decodeTiff(good.subarray(0, 12), 'cut.tif'), /^cut\.tif: corrupt TIFF/);
  });

  it('rejects image data that lies outside the file', () => {
    const good = encodeTiff([ndarray('uint16', [4, 4])]);
    const cut = good.slice();
    // Move the (only) strip offset past the end of the file.
    const dv = new DataView(cut.buffer);
    const ifd = dv.getUint32(4, true);
    const n = dv.getUint16(ifd, true);
    for (let k = 0; k < n; k++) {
      const e = ifd + 2 + 12 * k;
      if (dv.getUint16(e, true) === 273) dv.setUint32(e + 8, cut.length + 100, true);
    }
    expectDecodeError(() => decodeTiff(cut, 'moved.tif'), /^moved\.tif: corrupt TIFF: image data of page 0 lies outside the file/);
  });
});

suite('encodeTiff round trips', () => {
  it('uint8, uint16, float32 and float64 gray pages come back exactly', () => {
    const cases = [
      ndarray(
        'uint8',
        [3, 4],
        seq(12, (i) => i * 21),
      ),
      ndarray(
        'uint16',
        [3, 4],
        seq(12, (i) => (i === 0 ? 65535 : i * 3001)),
      ),
      ndarray('float32', [3, 4], [NaN, Infinity, -Infinity, -0, 1.5, -2.25, 3.4e38, 1e-45, 0.1, 7, 8, 9]),
      ndarray('float64', [2, 3], [Math.PI, -1e300, 5e-324, NaN, 0, 1 / 3]),
    ];
    for (const a of cases) {
      const pages = decodeTiff(encodeTiff([a]), 'rt.tif');
      expect(pages).toHaveLength(1);
      expect(arraysEqual(pages[0]!.image, a)).toBe(true);
    }
  });

  it('RGB pages (uint8, uint16, float32) come back as 3×H×W', () => {
    for (const dtype of ['uint8', 'uint16', 'float32'] as const) {
      const a = ndarray(
        dtype,
        [3, 5, 7],
        seq(105, (i) => (dtype === 'float32' ? i * 0.5 - 10 : i * 2)),
      );
      expect(arraysEqual(decodeTiff(encodeTiff([a]), 'rgb.tif')[0]!.image, a)).toBe(true);
    }
  });

  it('multi-page stacks keep page order, and pages may differ in shape and dtype', () => {
    const pages = [
      ndarray(
        'uint16',
        [4, 6],
        seq(24, (i) => i),
      ),
      ndarray(
        'uint16',
        [4, 6],
        seq(24, (i) => 1000 + i),
      ),
      ndarray(
        'uint16',
        [4, 6],
        seq(24, (i) => 2000 + i),
      ),
    ];
    const decoded = decodeTiff(encodeTiff(pages), 'stack.tif');
    expect(decoded.map((d) => [d.page, d.pages])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    decoded.forEach((d, k) => expect(arraysEqual(d.image, pages[k]!)).toBe(true));

    const mixed = [
      ndarray('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
      ndarray(
        'uint8',
        [3, 4, 1],
        seq(12, (i) => i),
      ),
      ndarray('float64', [1, 1], [0.1]),
    ];
    decodeTiff(encodeTiff(mixed), 'mixed.tif').forEach((d, k) => expect(arraysEqual(d.image, mixed[k]!)).toBe(true));
  });

  it('large pages are split into strips and still round-trip; many pages are fine', () => {
    const big = ndarray(
      'uint16',
      [301, 257],
      seq(301 * 257, (i) => (i * 7919) % 65536),
    );
    const decoded = decodeTiff(encodeTiff([big]), 'big.tif');
    expect(arraysEqual(decoded[0]!.image, big)).toBe(true);

    const many = seq(300, (k) => ndarray('uint8', [2, 2], [k % 256, 1, 2, 3]));
    const back = decodeTiff(encodeTiff(many), 'many.tif');
    expect(back).toHaveLength(300);
    back.forEach((d, k) => expect(arraysEqual(d.image, many[k]!)).toBe(true));
  });

  it('bool → uint8 0/255; float16 → float32 where the engine has it', () => {
    expectImage(decodeTiff(encodeTiff([ndarray('bool', [1, 3], [1, 0, 1])]), 'm.tif')[0]!.image, 'uint8', [1, 3], [255, 0, 255]);
    if (hasFloat16()) {
      expectImage(decodeTiff(encodeTiff([ndarray('float16', [1, 2], [0.5, -2])]), 'h.tif')[0]!.image, 'float32', [1, 2], [0.5, -2]);
    }
  });

  it('refuses integer dtypes other than uint8/uint16, bad shapes and empty input', () => {
    expect(() => encodeTiff([ndarray('int16', [2, 2])])).toThrow(ImageEncodeError);
    expect(() => encodeTiff([ndarray('int16', [2, 2])])).toThrow(/got int16 on page 0; convert it first/);
    expect(() => encodeTiff([ndarray('uint8', [2, 2]), ndarray('uint8', [2, 2, 2])])).toThrow(/page 1 must be H×W or 3×H×W/);
    expect(() => encodeTiff([])).toThrow(/at least one page/);
    expect(() => encodeTiff([ndarray('uint8', [0, 4])])).toThrow(/empty/);
  });
});

// ───────────────────────────── NPY ─────────────────────────────

suite('NPY files written by numpy', () => {
  const W = 5;
  const H = 4;
  const m = W * H;

  it('2-D <u2 → one uint16 image', () => {
    const d = decodeNpy(fixture('u2.npy'), 'u2.npy');
    expect(d).toHaveLength(1);
    expect([d[0]!.page, d[0]!.pages]).toEqual([0, 1]);
    expectImage(
      d[0]!.image,
      'uint16',
      [H, W],
      seq(m, (i) => i * 3000),
    );
  });

  it('3-D <f4 → one image per slice, in order', () => {
    const d = decodeNpy(fixture('f4_stack.npy'), 'stack.npy');
    expect(d.map((x) => [x.page, x.pages])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    d.forEach((x, z) =>
      expectImage(
        x.image,
        'float32',
        [H, W],
        seq(m, (i) => (z * m + i) * 0.25 - 1),
      ),
    );
    // Each slice owns its buffer (safe to post to a worker without dragging the whole stack).
    expect(d[0]!.image.data.buffer).not.toBe(d[1]!.image.data.buffer);
  });

  it('bool → uint8 0/1 image, bool array; int64 → float64', () => {
    const mask = seq(m, (i) => (i % 3 === 0 ? 1 : 0));
    expectImage(decodeNpy(fixture('b1.npy'), 'b.npy')[0]!.image, 'uint8', [H, W], mask);
    expectImage(decodeNpyArray(fixture('b1.npy')), 'bool', [H, W], mask);
    expectImage(
      decodeNpyArray(fixture('i8.npy')),
      'float64',
      [H, W],
      seq(m, (i) => i * 1000 - 5000),
    );
  });

  it('version 2.0 header', () => {
    expectImage(
      decodeNpyArray(fixture('f8_v2.npy')),
      'float64',
      [H, W],
      seq(m, (i) => i / 8),
    );
  });

  it('Fortran order and big-endian data are refused with the file name', () => {
    expectDecodeError(() => decodeNpy(fixture('i2_fortran.npy'), 'labels.npy'), /^labels\.npy: .*Fortran order/);
    expectDecodeError(() => decodeNpy(fixture('u2_be.npy'), 'be.npy'), /^be\.npy: .*big-endian/);
  });
});

suite('NPY round trips and image mapping', () => {
  const edge: Record<Exclude<DType, 'float16'>, number[]> = {
    uint8: [0, 1, 254, 255],
    int8: [-128, -1, 0, 127],
    uint16: [0, 1, 65534, 65535],
    int16: [-32768, -1, 0, 32767],
    uint32: [0, 1, 4294967294, 4294967295],
    int32: [-2147483648, -1, 0, 2147483647],
    float32: [NaN, -Infinity, -0, 3.4028234663852886e38],
    float64: [NaN, Infinity, -0, 5e-324],
    bool: [0, 1, 1, 0],
  };

  it('every dtype and several shapes survive encodeNpy → decodeNpyArray exactly', () => {
    const shapes = [[4], [2, 2], [1, 2, 2], [2, 1, 2, 1]];
    for (const [dtype, values] of Object.entries(edge) as [DType, number[]][]) {
      for (const shape of shapes) {
        const a = ndarray(dtype, shape, values);
        const back = decodeNpyArray(encodeNpy(a));
        expect(back.dtype).toBe(dtype);
        expect(arraysEqual(back, a)).toBe(true);
      }
    }
    // 0-d, empty and 1-element shapes.
    for (const a of [ndarray('float64', [], [42]), ndarray('int16', [0]), ndarray('uint8', [0, 3]), ndarray('float32', [1, 1, 1], [7])]) {
      expect(arraysEqual(decodeNpyArray(encodeNpy(a)), a)).toBe(true);
    }
    if (hasFloat16()) {
      const h = ndarray('float16', [3], [0.5, -2, 65504]);
      expect(arraysEqual(decodeNpyArray(encodeNpy(h)), h)).toBe(true);
    }
  });

  it('writes a header numpy reads: magic, version 1.0, little-endian descr, C order, aligned data', () => {
    const bytes = encodeNpy(ndarray('uint16', [2, 3]));
    const headerLen = bytes[8]! | (bytes[9]! << 8);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(header).toMatch(/'descr':\s*'<u2'/);
    expect(header).toMatch(/'fortran_order':\s*False/);
    expect(header).toMatch(/'shape':\s*\(2,\s*3\)/);
    expect(header.endsWith('\n')).toBe(true);
    expect((10 + headerLen) % 8).toBe(0);
    expect(bytes.length).toBe(10 + headerLen + 12);
  });

  it('decodeNpy maps dtypes losslessly to image dtypes', () => {
    const to = (dtype: DType, values: number[]) => decodeNpy(encodeNpy(ndarray(dtype, [1, values.length], values)), 'x.npy')[0]!.image;
    expectImage(to('uint8', [0, 255]), 'uint8', [1, 2], [0, 255]);
    expectImage(to('uint16', [0, 65535]), 'uint16', [1, 2], [0, 65535]);
    expectImage(to('int8', [-128, 127]), 'float32', [1, 2], [-128, 127]);
    expectImage(to('int16', [-32768, 32767]), 'float32', [1, 2], [-32768, 32767]);
    expectImage(to('int32', [-2147483648, 2147483647]), 'float64', [1, 2], [-2147483648, 2147483647]);
    expectImage(to('uint32', [0, 4294967295]), 'float64', [1, 2], [0, 4294967295]);
    expectImage(to('float32', [0.5, -1]), 'float32', [1, 2], [0.5, -1]);
    expectImage(to('float64', [0.1, 2]), 'float64', [1, 2], [0.1, 2]);
    expectImage(to('bool', [1, 0]), 'uint8', [1, 2], [1, 0]);
  });

  it('a 3-D array with 3 slices is a stack of 3 gray images, not RGB', () => {
    const d = decodeNpy(
      encodeNpy(
        ndarray(
          'uint8',
          [3, 2, 2],
          seq(12, (i) => i),
        ),
      ),
      'three.npy',
    );
    expect(d).toHaveLength(3);
    d.forEach((x, z) =>
      expectImage(
        x.image,
        'uint8',
        [2, 2],
        seq(4, (i) => z * 4 + i),
      ),
    );
  });

  it('refuses other ranks, empty stacks, truncated data and garbage, naming the file', () => {
    expectDecodeError(() => decodeNpy(encodeNpy(ndarray('uint8', [5])), 'line.npy'), /^line\.npy: NPY array of shape \(5\) is not an image/);
    expectDecodeError(() => decodeNpy(encodeNpy(ndarray('uint8', [1, 2, 2, 2])), 'vol4.npy'), /shape \(1, 2, 2, 2\)/);
    expectDecodeError(() => decodeNpy(encodeNpy(ndarray('uint8', [0, 2, 2])), 'empty.npy'), /no slices/);
    const full = encodeNpy(ndarray('float32', [4, 4]));
    expectDecodeError(() => decodeNpy(full.subarray(0, full.length - 8), 'cut.npy'), /^cut\.npy: NPY file is truncated/);
    expectDecodeError(() => decodeNpy(full.subarray(0, full.length - 3), 'odd.npy'), /^odd\.npy: cannot read this NPY file/);
    expectDecodeError(() => decodeNpy(new TextEncoder().encode('x,y\n1,2\n'), 'table.npy'), /^table\.npy: not an NPY file/);
    expectDecodeError(() => decodeNpyArray(new Uint8Array(3)), /^array\.npy: /);
  });
});

// ───────────────────────────── dispatch ─────────────────────────────

suite('decodeImageBytes and decodeImageFile', () => {
  it('dispatches PNG, TIFF and NPY by content', () => {
    const a = ndarray('uint16', [2, 3], [1, 2, 3, 4, 5, 6]);
    for (const bytes of [encodePng(a), encodeTiff([a]), encodeNpy(a)]) {
      const d = decodeImageBytes(bytes, 'noext');
      expect(d).toHaveLength(1);
      expect(arraysEqual(d[0]!.image, a)).toBe(true);
    }
  });

  it('JPEG needs the browser; unknown formats are named as such', () => {
    expectDecodeError(() => decodeImageBytes(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), 'photo.jpg'), /^photo\.jpg: JPEG files are decoded by the browser/);
    expectDecodeError(() => decodeImageBytes(new TextEncoder().encode('hello'), 'notes.txt'), /^notes\.txt: unrecognised file format/);
    // Extension says TIFF but the bytes are not: the TIFF reader says so.
    expectDecodeError(() => decodeImageBytes(new TextEncoder().encode('hello'), 'scan.tif'), /^scan\.tif: not a TIFF/);
  });

  it('decodeImageFile reads a Blob (PNG/TIFF/NPY path needs no DOM)', async () => {
    const a = ndarray(
      'uint8',
      [3, 2, 2],
      seq(12, (i) => i * 20),
    );
    const file = Object.assign(new Blob([encodeTiff([a, a])]), { name: 'two.tif' });
    const d = await decodeImageFile(file);
    expect(d.map((x) => [x.page, x.pages])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(arraysEqual(d[1]!.image, a)).toBe(true);
    const jpeg = Object.assign(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0])]), { name: 'p.jpg' });
    // No createImageBitmap in Node: still an ImageDecodeError naming the file.
    await expect(decodeImageFile(jpeg)).rejects.toThrow(/^p\.jpg: the browser could not decode this JPEG file/);
  });

  it('browser RGBA → H×W when every pixel is gray, else 3×H×W', () => {
    const gray = [10, 10, 10, 255, 200, 200, 200, 0];
    expectImage(rgbaToImage(gray, 2, 1), 'uint8', [1, 2], [10, 200]);
    const color = [10, 10, 10, 255, 200, 201, 200, 255];
    expectImage(rgbaToImage(color, 2, 1), 'uint8', [3, 1, 2], [10, 200, 10, 201, 10, 200]);
  });
});
