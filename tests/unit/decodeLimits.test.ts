// Image headers are checked against maxImageBytes before any decoder allocates: a file that claims
// 100000×100000 pixels fails with its name, the page, the dimensions and the bytes it would need,
// and the other files of the same drop still import.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { DEFAULT_MAX_IMAGE_BYTES, decodeImageBytes, encodePng, encodeTiff, headerDims } from '../../src/core/imageCodecs';
import { ndarray } from '../../src/core/ndarray';
import { decodeImageFile } from '../../src/engine/decodeImage';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

/** A PNG whose IHDR declares w×h (colour type, depth); the data chunks are a real 2×2 image's (never reached). */
function pngClaiming(w: number, h: number, colourType = 2, depth = 8): Uint8Array<ArrayBuffer> {
  const real = encodePng(ndarray('uint8', [2, 2], [1, 2, 3, 4]));
  const out = real.slice();
  const dv = new DataView(out.buffer);
  dv.setUint32(16, w);
  dv.setUint32(20, h);
  out[24] = depth;
  out[25] = colourType;
  return out;
}

/** A little-endian TIFF whose page `huge` (0-based) declares 100000×100000 8-bit gray; other pages are 2×2. */
function tiffClaiming(pages: number, huge: number): Uint8Array<ArrayBuffer> {
  const entries = 9;
  const ifdSize = 2 + entries * 12 + 4;
  const dataAt = 8 + pages * ifdSize;
  const buf = new Uint8Array(dataAt + pages * 4);
  const dv = new DataView(buf.buffer);
  buf.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  for (let p = 0; p < pages; p++) {
    const at = 8 + p * ifdSize;
    const side = p === huge ? 100000 : 2;
    const tags: [number, number, number][] = [
      [256, 4, side],
      [257, 4, side],
      [258, 3, 8],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, dataAt + p * 4],
      [277, 3, 1],
      [278, 4, side],
      [279, 4, 4],
    ];
    dv.setUint16(at, entries, true);
    tags.forEach(([tag, type, value], i) => {
      const e = at + 2 + i * 12;
      dv.setUint16(e, tag, true);
      dv.setUint16(e + 2, type, true);
      dv.setUint32(e + 4, 1, true);
      if (type === 3) dv.setUint16(e + 8, value, true);
      else dv.setUint32(e + 8, value, true);
    });
    dv.setUint32(at + 2 + entries * 12, p + 1 < pages ? at + ifdSize : 0, true);
  }
  return buf;
}

/** An NPY v1 header declaring `shape` of `descr`, followed by `dataBytes` zero bytes. */
function npyClaiming(shape: number[], descr = '<u2', dataBytes = 16): Uint8Array<ArrayBuffer> {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

/** A JPEG start: SOI, an APP0 segment, then an SOF0 frame header declaring w×h with 3 components. */
function jpegClaiming(w: number, h: number): Uint8Array<ArrayBuffer> {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('declared image size is checked before decoding', () => {
  it('PNG: names the file, the dimensions, the bytes needed and the limit', () => {
    const e = caught(() => decodeImageBytes(pngClaiming(100000, 100000), 'huge.png'));
    expect(e.name).toBe('ImageDecodeError');
    expect(e.message).toContain('huge.png: PNG: the image is 100000×100000 pixels');
    expect(e.message).toContain(`needs ${100000 * 100000 * 3} bytes (27.9 GiB`);
    expect(e.message).toContain(`limit of ${DEFAULT_MAX_IMAGE_BYTES} bytes (1.0 GiB) per image`);
    expect(e.message).not.toMatch(/allocation/i);
  });

  it('PNG: 16-bit RGBA counts 8 bytes a pixel; the limit is configurable', () => {
    const e = caught(() => decodeImageBytes(pngClaiming(1000, 1000, 6, 16), 'rgba16.png', { maxImageBytes: 7_999_999 }));
    expect(e.message).toContain('needs 8000000 bytes');
    expect(e.message).toContain('limit of 7999999 bytes');
    // A real small PNG passes under the default and fails under a tiny limit.
    const small = encodePng(ndarray('uint8', [64, 64]));
    expect(decodeImageBytes(small, 'small.png')[0]!.image.shape).toEqual([64, 64]);
    expect(caught(() => decodeImageBytes(small, 'small.png', { maxImageBytes: 4095 })).message).toContain(
      'small.png: PNG: the image is 64×64 pixels; decoding it needs 4096 bytes',
    );
  });

  it('TIFF: names the page of a multi-page file before any page is decoded', () => {
    const e = caught(() => decodeImageBytes(tiffClaiming(3, 1), 'stack.tif'));
    expect(e.message).toContain('stack.tif: TIFF: page 2 of 3 is 100000×100000 pixels; decoding it needs 10000000000 bytes (9.3 GiB');
    // The same file with sane pages decodes.
    const ok = decodeImageBytes(tiffClaiming(3, -1), 'ok.tif');
    expect(ok.map((p) => p.image.shape)).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    // A real 16-bit multi-page TIFF under a limit below its second page's size: bytes per sample counted.
    const real = encodeTiff([ndarray('uint16', [2, 3]), ndarray('uint16', [4, 5])]);
    expect(caught(() => decodeImageBytes(real, 'real.tif', { maxImageBytes: 39 })).message).toContain('page 2 of 2 is 5×4 pixels; decoding it needs 40 bytes');
  });

  it('NPY: the header shape is checked before the data (a stack names its slices)', () => {
    const e = caught(() => decodeImageBytes(npyClaiming([100000, 100000]), 'big.npy'));
    expect(e.message).toContain('big.npy: NPY: the image is 100000×100000 pixels; decoding it needs 20000000000 bytes');
    const s = caught(() => decodeImageBytes(npyClaiming([40, 60000, 60000], '<f4'), 'vol.npy'));
    expect(s.message).toContain('vol.npy: NPY: each of its 40 slices is 60000×60000 pixels; decoding it needs 14400000000 bytes');
    // int16 becomes float32: 4 bytes per element counted.
    expect(caught(() => decodeImageBytes(npyClaiming([10, 10], '<i2', 200), 'i16.npy', { maxImageBytes: 399 })).message).toContain('needs 400 bytes');
  });

  it('JPEG, GIF, WebP and BMP: the header dimensions are read without decoding', async () => {
    expect(headerDims(jpegClaiming(60000, 50000), 'jpeg')).toEqual({ width: 60000, height: 50000 });
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x10, 0x27, 0x20, 0x4e, 0, 0, 0]);
    expect(headerDims(gif, 'gif')).toEqual({ width: 10000, height: 20000 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(14, 40, true);
    new DataView(bmp.buffer).setInt32(18, 30000, true);
    new DataView(bmp.buffer).setInt32(22, -40000, true);
    expect(headerDims(bmp, 'bmp')).toEqual({ width: 30000, height: 40000 });
    const webp = new Uint8Array(30);
    webp.set(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8X'));
    webp.set([0x3f, 0x9c, 0x00], 24); // 40000 - 1
    webp.set([0x1f, 0x4e, 0x00], 27); // 20000 - 1
    expect(headerDims(webp, 'webp')).toEqual({ width: 40000, height: 20000 });
    // decodeImageFile refuses before the browser's decoder is asked (there is none in Node).
    const file = Object.assign(new Blob([jpegClaiming(60000, 50000)]), { name: 'photo.jpg' });
    await expect(decodeImageFile(file)).rejects.toThrow('photo.jpg: JPEG: the image is 60000×50000 pixels; decoding it needs 12000000000 bytes');
  });
});

describe('importFiles with an oversized file', () => {
  const apis: Algobox[] = [];
  afterEach(async () => {
    for (const a of apis.splice(0)) await a.close();
  });

  it('the other files of the same drop still import; the error names the file and what it would need', async () => {
    const api = createAlgobox({ dbName: `limits-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), decodeImageFile, storageManager: null });
    apis.push(api);
    const good = (v: number) => new Blob([encodePng(ndarray('uint8', [2, 2], [v, 0, 0, 0]))]);
    const r = await api.datasets.importFilesDetailed([
      { file: good(1), path: 'drop/a.png' },
      { file: new Blob([pngClaiming(100000, 100000)]), path: 'drop/huge.png' },
      { file: new Blob([tiffClaiming(2, 1)]), path: 'drop/pages.tif' },
      { file: good(2), path: 'drop/b.png' },
    ]);
    expect(r.errors.map((x) => x.file)).toEqual(['drop/huge.png', 'drop/pages.tif']);
    expect(r.errors[0]!.message).toMatch(/^huge\.png: PNG: the image is 100000×100000 pixels; decoding it needs 30000000000 bytes/);
    expect(r.errors[1]!.message).toMatch(/^pages\.tif: TIFF: page 2 of 2 is 100000×100000 pixels/);
    const names = (await api.datasets.list()).map((m) => m.name).sort();
    expect(names).toEqual(['a.png', 'b.png']);
    // Nothing of the refused TIFF was kept (not even its good first page).
    expect(await api.stacks.list()).toHaveLength(1);
  });

  it('maxImageBytes is configurable per import and per app', async () => {
    const api = createAlgobox({
      dbName: `limits-${crypto.randomUUID()}`,
      workerFactory: inProcessWorkerFactory(),
      decodeImageFile,
      storageManager: null,
      maxImageBytes: 100,
    });
    apis.push(api);
    const img = new Blob([encodePng(ndarray('uint8', [10, 11]))]);
    const r1 = await api.datasets.importFilesDetailed([{ file: img, path: 'x.png' }]);
    expect(r1.errors[0]!.message).toContain(
      'x.png: PNG: the image is 11×10 pixels; decoding it needs 110 bytes (110 bytes: 11×10 pixels × 1 sample × 1 byte), more than the limit of 100 bytes',
    );
    const r2 = await api.datasets.importFilesDetailed([{ file: img, path: 'x.png' }], { maxImageBytes: 110 });
    expect(r2.errors).toEqual([]);
    expect(r2.ids).toHaveLength(1);
  });
});
