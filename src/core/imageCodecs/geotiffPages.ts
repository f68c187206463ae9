// A TIFF read through geotiff by byte ranges (geotiffSource.ts): classic TIFF and BigTIFF, either byte
// order. geotiff parses the directories (the main chain walked here, with loop and bounds checks it
// lacks, and SubIFDs on request), gives tag values, and decompresses each strip or tile with its
// decoders (none, LZW, Deflate, PackBits, JPEG, zstd, LERC, WebP: `getTileOrStrip`). This file copies
// the decompressed blocks row by row into one plane per sample (byte-swapped when the file is
// big-endian; horizontal predictor undone after the swap, as geotiff would undo it in the wrong byte
// order), strips and tiles, planar configuration 1 and 2, 8- to 64-bit integers and floats. It does
// not use geotiff's readRasters, which moves every pixel through a DataView call.
import { GeoTIFF, GeoTIFFImage, getDecoder } from 'geotiff';
import { typedArrayCtor, type DType, type TypedArray } from '../ndarray';
import { ImageDecodeError, errorText } from './common';
import { BlobRangeSource, type GeotiffSource } from './geotiffSource';
import { MAX_PAGES } from './tiff';

type Decoder = Awaited<ReturnType<typeof getDecoder>>;
type Directory = GeoTIFFImage['fileDirectory'];

/** TIFF compressions geotiff decodes, by code. */
export const GEOTIFF_COMPRESSIONS: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  7: 'JPEG',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
  34887: 'LERC',
  50000: 'Zstandard',
  50001: 'WebP',
};

const DTYPES: Record<string, DType> = {
  '1/8': 'uint8',
  '1/16': 'uint16',
  '1/32': 'uint32',
  '2/8': 'int8',
  '2/16': 'int16',
  '2/32': 'int32',
  '3/32': 'float32',
  '3/64': 'float64',
};

/** One image directory (a page of the main chain, or a SubIFD) and what its pixels are. */
export interface TiffPage {
  /** "page 3", "page 1 SubIFD 2" (1-based, for messages). */
  where: string;
  width: number;
  height: number;
  samples: number;
  dtype: DType;
  compression: number;
  planar: 1 | 2;
  predictor: number;
  /** Strip or tile width and height. */
  blockWidth: number;
  blockHeight: number;
  description: string | null;
  /** Pixels per resolution unit, or null. */
  xResolution: number | null;
  yResolution: number | null;
  /** File offsets of the page's SubIFDs (reduced resolutions in OME-TIFF pyramids). */
  subIfds: number[];
  /** Offsets and byte counts of the strips or tiles. */
  offsets: number[];
  counts: number[];
  image: GeoTIFFImage;
}

const numbers = (v: unknown): number[] => (v === undefined || v === null ? [] : typeof v === 'number' ? [v] : Array.from(v as ArrayLike<number>, Number));

function rational(v: unknown): number | null {
  const a = numbers(v);
  return a.length >= 2 && a[1]! > 0 ? a[0]! / a[1]! : null;
}

function itemBytes(d: DType): number {
  return typedArrayCtor(d).BYTES_PER_ELEMENT;
}

export class TiffPages {
  private constructor(
    readonly name: string,
    private readonly tiff: GeoTIFF,
    private readonly source: BlobRangeSource,
    readonly size: number,
    readonly pages: TiffPage[],
  ) {}

  get bigTiff(): boolean {
    return this.tiff.bigTiff;
  }
  get littleEndian(): boolean {
    return this.tiff.littleEndian;
  }
  /** Bytes of the file read so far. */
  get bytesRead(): number {
    return this.source.bytesRead;
  }

  /** Open `blob` and read the directories of its main chain (not its pixels). */
  static async open(blob: Blob, name: string): Promise<TiffPages> {
    const source = new BlobRangeSource(blob, name);
    let tiff: GeoTIFF;
    try {
      tiff = await GeoTIFF.fromSource(source as unknown as GeotiffSource);
    } catch (e) {
      throw new ImageDecodeError(name, `not a readable TIFF (${errorText(e)}).`);
    }
    // Eager: every tag value is read with its directory. geotiff's lazily loaded arrays (strip offsets…)
    // read their values as little-endian whatever the file's byte order.
    (tiff.parser as unknown as { eager: boolean }).eager = true;
    const self = new TiffPages(name, tiff, source, blob.size, []);
    const seen = new Set<number>();
    let offset = tiff.firstIFDOffset;
    while (offset !== 0) {
      const n = self.pages.length;
      if (seen.has(offset)) throw new ImageDecodeError(name, `corrupt TIFF: the directory of page ${n + 1} loops back to byte ${offset}.`);
      if (n >= MAX_PAGES) throw new ImageDecodeError(name, `the TIFF has more than ${MAX_PAGES} pages.`);
      seen.add(offset);
      const dir = await self.directoryAt(offset, `page ${n + 1}`);
      self.pages.push(self.pageOf(dir, `page ${n + 1}`));
      offset = dir.nextIFDByteOffset;
    }
    if (self.pages.length === 0) throw new ImageDecodeError(name, 'the TIFF has no pages.');
    return self;
  }

  private async directoryAt(offset: number, where: string): Promise<Directory> {
    if (offset < 8 || offset >= this.size) {
      throw new ImageDecodeError(this.name, `corrupt TIFF: the directory of ${where} is at byte ${offset}, outside the file (${this.size} bytes).`);
    }
    try {
      return await this.tiff.parser.parseFileDirectoryAt(offset);
    } catch (e) {
      if (e instanceof ImageDecodeError) throw e;
      throw new ImageDecodeError(
        this.name,
        `corrupt TIFF: cannot read the directory of ${where} at byte ${offset} (${errorText(e)}; the file may be truncated).`,
      );
    }
  }

  /** The SubIFDs of `page` (its reduced resolutions, largest first). */
  async subPages(page: TiffPage): Promise<TiffPage[]> {
    const out: TiffPage[] = [];
    for (const [i, offset] of page.subIfds.entries()) {
      const where = `${page.where} SubIFD ${i + 1}`;
      out.push(this.pageOf(await this.directoryAt(offset, where), where));
    }
    return out;
  }

  private pageOf(dir: Directory, where: string): TiffPage {
    const fail = (text: string): never => {
      throw new ImageDecodeError(this.name, `${where}: ${text}`);
    };
    const v = (tag: string): unknown => dir.getValue(tag as never);
    const width = Number(v('ImageWidth') ?? 0);
    const height = Number(v('ImageLength') ?? 0);
    if (!(width > 0 && height > 0)) fail(`ImageWidth=${width} ImageLength=${height} is not a positive size.`);
    const samples = Number(v('SamplesPerPixel') ?? 1);
    const bits = numbers(v('BitsPerSample') ?? 1);
    if (bits.some((b) => b !== bits[0])) fail(`BitsPerSample=${bits.join(',')}: samples of different sizes are not supported.`);
    const format = numbers(v('SampleFormat'))[0] ?? 1;
    const dtype =
      DTYPES[`${format}/${bits[0]}`] ??
      fail(`SampleFormat=${format} with BitsPerSample=${bits[0]} is not supported (expected 8-, 16- or 32-bit integers, or 32- or 64-bit floats).`);
    const compression = Number(v('Compression') ?? 1);
    if (!(compression in GEOTIFF_COMPRESSIONS)) {
      fail(`Compression=${compression} is not supported (supported: ${[...new Set(Object.values(GEOTIFF_COMPRESSIONS))].join(', ')}).`);
    }
    const photometric = Number(v('PhotometricInterpretation') ?? 1);
    if (photometric === 3) fail('palette-colour pages (PhotometricInterpretation=3) are not supported here.');
    const image = new GeoTIFFImage(dir, this.tiff.littleEndian, false, this.source as unknown as GeotiffSource);
    const tiled = image.isTiled;
    const rowsPerStrip = Number(v('RowsPerStrip') ?? height);
    const blockWidth = tiled ? Number(v('TileWidth')) : width;
    const blockHeight = tiled ? Number(v('TileLength')) : Math.min(rowsPerStrip, height);
    if (!(blockWidth > 0 && blockHeight > 0)) fail(`the strip or tile size ${blockWidth}×${blockHeight} is not positive.`);
    const offsets = numbers(v(tiled ? 'TileOffsets' : 'StripOffsets'));
    const counts = numbers(v(tiled ? 'TileByteCounts' : 'StripByteCounts'));
    const planar = image.planarConfiguration;
    const blocks = Math.ceil(width / blockWidth) * Math.ceil(height / blockHeight) * (planar === 2 ? samples : 1);
    if (offsets.length < blocks || counts.length < blocks)
      fail(`${offsets.length} strip/tile offsets and ${counts.length} byte counts for ${blocks} strips/tiles.`);
    const description = v('ImageDescription');
    return {
      where,
      width,
      height,
      samples,
      dtype,
      compression,
      planar,
      predictor: Number(v('Predictor') ?? 1),
      blockWidth,
      blockHeight,
      description: typeof description === 'string' ? description.replace(/\0+$/, '') : null,
      xResolution: rational(v('XResolution')),
      yResolution: rational(v('YResolution')),
      subIfds: numbers(v('SubIFDs')),
      offsets,
      counts,
      image,
    };
  }

  /** Throws naming the file, the page and the bytes when a strip or tile lies past the end of the file. */
  checkRanges(page: TiffPage): void {
    for (let i = 0; i < page.counts.length; i++) {
      const end = page.offsets[i]! + page.counts[i]!;
      if (end > this.size) {
        throw new ImageDecodeError(
          this.name,
          `the file is truncated: ${page.where} needs bytes ${page.offsets[i]} to ${end}, but the file holds only ${this.size} bytes.`,
        );
      }
    }
  }

  private async decoder(page: TiffPage): Promise<Decoder> {
    const params = {
      tileWidth: page.blockWidth,
      tileHeight: page.blockHeight,
      planarConfiguration: page.planar,
      bitsPerSample: 8 * itemBytes(page.dtype),
      // Horizontal differencing is undone here, after the byte swap (geotiff undoes it in the machine's order).
      predictor: page.predictor === 2 ? 1 : page.predictor,
      JPEGTables: page.image.fileDirectory.getValue('JPEGTables' as never),
      LercParameters: page.image.fileDirectory.getValue('LercParameters' as never),
      samplesPerPixel: page.samples,
    };
    return getDecoder(page.compression, params as never);
  }

  /** The page's pixels: one H×W plane per sample, in the page's dtype and the machine's byte order. */
  async readPlanes(page: TiffPage): Promise<TypedArray[]> {
    this.checkRanges(page);
    const Ctor = typedArrayCtor(page.dtype);
    const planes = Array.from({ length: page.samples }, () => new Ctor(page.width * page.height) as TypedArray);
    const decoder = await this.decoder(page);
    const across = Math.ceil(page.width / page.blockWidth);
    const down = Math.ceil(page.height / page.blockHeight);
    const jobs: { bx: number; by: number; s: number }[] = [];
    for (let s = 0; s < (page.planar === 2 ? page.samples : 1); s++)
      for (let by = 0; by < down; by++) for (let bx = 0; bx < across; bx++) jobs.push({ bx, by, s });
    const AT_ONCE = 8;
    for (let i = 0; i < jobs.length; i += AT_ONCE) {
      const run = jobs.slice(i, i + AT_ONCE);
      const blocks = await Promise.all(run.map((j) => this.block(page, decoder, j.bx, j.by, j.s)));
      run.forEach((j, k) => this.place(page, planes, blocks[k]!, j.bx, j.by, j.s));
    }
    return planes;
  }

  private async block(page: TiffPage, decoder: Decoder, bx: number, by: number, s: number): Promise<ArrayBuffer> {
    let data: ArrayBufferLike;
    try {
      data = (await page.image.getTileOrStrip(bx, by, s, decoder)).data;
    } catch (e) {
      throw new ImageDecodeError(this.name, `cannot decompress ${page.where} (${GEOTIFF_COMPRESSIONS[page.compression]}): ${errorText(e)}.`);
    }
    const bytes = itemBytes(page.dtype);
    const buf = data as ArrayBuffer;
    if (!this.littleEndian && bytes > 1 && page.predictor !== 3) swapBytes(new Uint8Array(buf), bytes);
    if (page.predictor === 2) undoDifferencing(page, buf);
    return buf;
  }

  /** Copy one decompressed strip/tile into the planes (rows clipped at the image's right and bottom edges). */
  private place(page: TiffPage, planes: TypedArray[], buf: ArrayBuffer, bx: number, by: number, s: number): void {
    const Ctor = typedArrayCtor(page.dtype);
    const spp = page.planar === 2 ? 1 : page.samples;
    const view = new Ctor(buf, 0, Math.floor(buf.byteLength / Ctor.BYTES_PER_ELEMENT)) as TypedArray;
    const { width: W, blockWidth: bw, blockHeight: bh } = page;
    const rows = Math.min(bh, page.height - by * bh);
    const cols = Math.min(bw, W - bx * bw);
    const need = ((rows - 1) * bw + cols) * spp;
    if (view.length < need) {
      throw new ImageDecodeError(this.name, `corrupt TIFF: a strip/tile of ${page.where} decompressed to ${view.length} samples, ${need} expected.`);
    }
    for (let r = 0; r < rows; r++) {
      const src = r * bw * spp;
      const dst = (by * bh + r) * W + bx * bw;
      if (spp === 1) {
        (planes[s] as Uint8Array).set((view as Uint8Array).subarray(src, src + cols), dst);
        continue;
      }
      for (let k = 0; k < spp; k++) {
        const out = planes[k]!;
        for (let c = 0; c < cols; c++) out[dst + c] = view[src + c * spp + k]!;
      }
    }
  }
}

/** Reverse the bytes of every `size`-byte item in place. */
function swapBytes(b: Uint8Array, size: number): void {
  const n = b.length - (b.length % size);
  for (let i = 0; i < n; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
}

/** TIFF predictor 2: each sample is stored as the difference to the same sample of the pixel on its left. */
function undoDifferencing(page: TiffPage, buf: ArrayBuffer): void {
  const bytes = itemBytes(page.dtype);
  const U = bytes === 1 ? Uint8Array : bytes === 2 ? Uint16Array : Uint32Array;
  const a = new U(buf, 0, Math.floor(buf.byteLength / bytes));
  const stride = page.planar === 2 ? 1 : page.samples;
  const row = page.blockWidth * stride;
  for (let r = 0; r + row <= a.length; r += row) for (let i = r + stride; i < r + row; i++) a[i] = a[i]! + a[i - stride]!;
}
