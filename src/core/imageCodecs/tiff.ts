// TIFF through utif2 (UTIF.js): utif2 parses the IFDs and decompresses each strip or tile (none, LZW,
// Deflate, PackBits); this file turns the decompressed bytes into typed samples (bit depth, sample
// format, byte order, predictor, chunky or planar layout) and channel-first NDArrays. Writing uses
// utif2's IFD writer for the directory entries and lays out uncompressed little-endian strips.
import * as UTIFModule from 'utif2';
import type { NDArray } from '../ndarray';
import { checkDeclaredSize, type DecodeLimits } from './limits';
import {
  type DecodedImage,
  HOST_LITTLE_ENDIAN,
  ImageDecodeError,
  ImageEncodeError,
  errorText,
  exactBuffer,
  halfToFloat,
  shapeText,
  unpackBits,
} from './common';

// ───────────────────────────── utif2 ─────────────────────────────

export type UtifIfd = Record<string, unknown> & { data?: Uint8Array };
interface UtifBin {
  writeUshort(buff: Uint8Array, p: number, n: number): void;
  writeUint(buff: Uint8Array, p: number, n: number): void;
}
interface Utif {
  decode(buff: ArrayBuffer, prm?: { parseMN?: boolean; debug?: boolean }): UtifIfd[];
  decodeImage(buff: ArrayBuffer, img: UtifIfd, ifds?: UtifIfd[]): void;
  /** Internal in utif2 4.1.0 (pinned): writes one IFD at `offset`, returns [next-IFD pointer position, end]. */
  _writeIFD?(bin: UtifBin, types: unknown, data: Uint8Array, offset: number, ifd: Record<string, number[]>): [number, number];
  _binLE?: UtifBin;
  _types?: { basic: unknown };
}
// utif2 is CommonJS (module.exports = UTIF): bundlers and Node put it on `default`.
const UTIF = ((UTIFModule as unknown as { default?: Utif }).default ?? UTIFModule) as unknown as Utif;

// ───────────────────────────── container checks ─────────────────────────────

export function hasTiffMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const le = bytes[0] === 0x49 && bytes[1] === 0x49 && (bytes[2] === 42 || bytes[2] === 43) && bytes[3] === 0;
  const be = bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && (bytes[3] === 42 || bytes[3] === 43);
  return le || be;
}

export const MAX_PAGES = 100_000;

/** A byte range [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One image directory: where it is and its entries (2 + 12 × n bytes in, up to and with the next-IFD pointer). */
export interface IfdEntries {
  offset: number;
  entries: Uint8Array;
}

/**
 * Check the header and walk the IFD chain (bounds, loops, page count) before utif2 does: utif2
 * follows next-IFD pointers without bounds or loop checks, so a corrupt file could hang it. A
 * generator, so that a whole buffer (decodeTiff) and a file read by ranges (tiffStream.ts) share it:
 * it yields the byte range it needs next and is sent those bytes.
 */
export function* walkIfdChain(name: string, size: number): Generator<ByteRange, { littleEndian: boolean; dirs: IfdEntries[] }, Uint8Array> {
  const head = yield { start: 0, end: Math.min(size, 8) };
  if (!hasTiffMagic(head)) throw new ImageDecodeError(name, 'not a TIFF file (bad header).');
  const le = head[0] === 0x49;
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv(head).getUint16(2, le) === 43) throw new ImageDecodeError(name, 'BigTIFF files are not supported; save as classic TIFF (under 4 GiB).');
  if (size < 8) throw new ImageDecodeError(name, 'corrupt TIFF: the file ends inside its header.');
  const seen = new Set<number>();
  const dirs: IfdEntries[] = [];
  let off = dv(head).getUint32(4, le);
  while (off !== 0) {
    if (off < 8 || off + 2 > size) {
      const truncated = off + 2 > size ? `, but the file holds only ${size} bytes: it is truncated` : '';
      throw new ImageDecodeError(name, `corrupt TIFF: image directory ${seen.size} lies outside the file (at byte ${off}${truncated}).`);
    }
    if (seen.has(off)) throw new ImageDecodeError(name, 'corrupt TIFF: its image directories form a loop.');
    if (seen.size >= MAX_PAGES) throw new ImageDecodeError(name, `TIFF has more than ${MAX_PAGES} pages.`);
    seen.add(off);
    const n = dv(yield { start: off, end: off + 2 }).getUint16(0, le);
    const next = off + 2 + 12 * n;
    if (next + 4 > size) throw new ImageDecodeError(name, `corrupt TIFF: image directory ${seen.size - 1} runs past the end of the file.`);
    const entries = yield { start: off + 2, end: next + 4 };
    dirs.push({ offset: off, entries });
    off = dv(entries).getUint32(12 * n, le);
  }
  if (dirs.length === 0) throw new ImageDecodeError(name, 'TIFF file has no images.');
  return { littleEndian: le, dirs };
}

/** walkIfdChain over a whole file in memory. */
function checkContainer(name: string, u8: Uint8Array): { littleEndian: boolean; pages: number } {
  const walk = walkIfdChain(name, u8.length);
  let step = walk.next();
  while (!step.done) step = walk.next(u8.subarray(step.value.start, step.value.end));
  return { littleEndian: step.value.littleEndian, pages: step.value.dirs.length };
}

// ───────────────────────────── decoding ─────────────────────────────

const COMPRESSIONS: Record<number, string | null> = {
  1: null,
  5: null, // LZW
  8: null, // Deflate (Adobe)
  32946: null, // Deflate (old code)
  32773: null, // PackBits
  2: 'CCITT RLE',
  3: 'CCITT Group 3',
  4: 'CCITT Group 4',
  6: 'old-style JPEG',
  7: 'JPEG',
  34712: 'JPEG 2000',
  34887: 'LERC',
  34925: 'LZMA',
  50000: 'Zstandard',
  50001: 'WebP',
};

const PHOTOMETRICS: Record<number, string> = {
  4: 'transparency mask',
  5: 'CMYK',
  6: 'YCbCr',
  8: 'CIELab',
  9: 'ICCLab',
  10: 'ITULab',
  32803: 'colour filter array (raw)',
  32844: 'LogL',
  32845: 'LogLuv',
  34892: 'linear raw',
};

type SampleKind = 'uint' | 'int' | 'float';
type FileArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface PageInfo {
  width: number;
  height: number;
  spp: number;
  bps: number;
  kind: SampleKind;
  compression: number;
  photometric: number;
  planar: number;
  predictor: number;
  /** Channels kept: 1 (gray, palette) or 3 (RGB). */
  colors: number;
}

function tagValues(ifd: UtifIfd, tag: number): number[] | undefined {
  const v = ifd[`t${tag}`];
  if (v === undefined || v === null) return undefined;
  return Array.from(v as ArrayLike<number>);
}

function tagValue(ifd: UtifIfd, tag: number): number | undefined {
  return tagValues(ifd, tag)?.[0];
}

export function pageInfo(name: string, ifd: UtifIfd, page: number): PageInfo {
  const where = `page ${page}`;
  const width = tagValue(ifd, 256);
  const height = tagValue(ifd, 257);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0) {
    throw new ImageDecodeError(name, `corrupt TIFF: ${where} has no valid image size.`);
  }
  const spp = tagValue(ifd, 277) ?? 1;
  const bpsList = tagValues(ifd, 258) ?? [1];
  const bps = bpsList[0]!;
  if (bpsList.some((b) => b !== bps)) {
    throw new ImageDecodeError(name, `unsupported TIFF: ${where} mixes bit depths per sample (${bpsList.join(', ')}).`);
  }
  const formats = tagValues(ifd, 339) ?? [1];
  const format = formats[0]!;
  if (formats.some((f) => f !== format)) {
    throw new ImageDecodeError(name, `unsupported TIFF: ${where} mixes sample formats (${formats.join(', ')}).`);
  }
  let kind: SampleKind;
  if (format === 1 || format === 4) kind = 'uint';
  else if (format === 2) kind = 'int';
  else if (format === 3) kind = 'float';
  else if (format === 5) throw new ImageDecodeError(name, 'unsupported TIFF sample format (complex integer).');
  else if (format === 6) throw new ImageDecodeError(name, 'unsupported TIFF sample format (complex float).');
  else throw new ImageDecodeError(name, `unsupported TIFF sample format (code ${format}).`);
  const depthOk =
    (kind === 'uint' && [1, 2, 4, 8, 16, 32].includes(bps)) ||
    (kind === 'int' && [8, 16, 32].includes(bps)) ||
    (kind === 'float' && [16, 32, 64].includes(bps));
  if (!depthOk) {
    const kindName = kind === 'uint' ? 'unsigned integer' : kind === 'int' ? 'signed integer' : 'float';
    throw new ImageDecodeError(name, `unsupported TIFF sample format (${bps}-bit ${kindName}).`);
  }

  const compression = tagValue(ifd, 259) ?? 1;
  if (!(compression in COMPRESSIONS) || COMPRESSIONS[compression] !== null) {
    const label = COMPRESSIONS[compression] ?? `code ${compression}`;
    throw new ImageDecodeError(name, `unsupported TIFF compression (${label}); supported: none, LZW, Deflate, PackBits.`);
  }
  if ((tagValue(ifd, 266) ?? 1) === 2) throw new ImageDecodeError(name, 'unsupported TIFF: reversed bit fill order (FillOrder 2).');

  const photometric = tagValue(ifd, 262) ?? (spp >= 3 ? 2 : 1);
  let colors: number;
  if (photometric === 0 || photometric === 1 || photometric === 3) colors = 1;
  else if (photometric === 2) colors = 3;
  else throw new ImageDecodeError(name, `unsupported TIFF photometric interpretation (${PHOTOMETRICS[photometric] ?? `code ${photometric}`}).`);
  if (spp < colors) throw new ImageDecodeError(name, `corrupt TIFF: ${where} is RGB but has ${spp} sample(s) per pixel.`);
  if (photometric === 3 && (kind !== 'uint' || bps > 16)) {
    throw new ImageDecodeError(name, `unsupported TIFF: palette image with ${bps}-bit ${kind} indices.`);
  }
  if (bps < 8 && spp !== 1) throw new ImageDecodeError(name, `unsupported TIFF: ${bps}-bit samples with ${spp} samples per pixel.`);

  const planar = tagValue(ifd, 284) ?? 1;
  if (planar !== 1 && planar !== 2) throw new ImageDecodeError(name, `corrupt TIFF: planar configuration ${planar}.`);
  const predictor = tagValue(ifd, 317) ?? 1;
  const predictorOk = predictor === 1 || (predictor === 2 && kind !== 'float' && bps >= 8) || (predictor === 3 && kind === 'float');
  if (!predictorOk) throw new ImageDecodeError(name, `unsupported TIFF predictor ${predictor} for ${bps}-bit ${kind} samples.`);

  return { width: width!, height: height!, spp, bps, kind, compression, photometric, planar, predictor, colors };
}

/** One strip or tile: where its bytes are and where its pixels go. */
export interface Block {
  offset: number;
  count: number;
  x0: number;
  y0: number;
  /** Width and rows of the decoded block (a tile's full size, or a whole strip of RowsPerStrip rows). */
  bw: number;
  bh: number;
  /** Which sample plane (planar configuration 2), or -1 for all samples interleaved. */
  plane: number;
}

export function pageBlocks(name: string, ifd: UtifIfd, p: PageInfo, page: number): Block[] {
  const { width: W, height: H } = p;
  const planes = p.planar === 2 ? p.spp : 1;
  const blocks: Block[] = [];
  const tileW = tagValue(ifd, 322);
  let offsets: number[] | undefined;
  let counts: number[] | undefined;
  let layout: { x0: number; y0: number; bw: number; bh: number }[];
  if (tileW !== undefined) {
    const tileH = tagValue(ifd, 323) ?? 0;
    if (!(tileW > 0 && tileH > 0)) throw new ImageDecodeError(name, `corrupt TIFF: page ${page} has tiles of size ${tileW}×${tileH}.`);
    offsets = tagValues(ifd, 324);
    counts = tagValues(ifd, 325);
    layout = [];
    for (let ty = 0; ty < Math.ceil(H / tileH); ty++) {
      for (let tx = 0; tx < Math.ceil(W / tileW); tx++) layout.push({ x0: tx * tileW, y0: ty * tileH, bw: tileW, bh: tileH });
    }
  } else {
    const rps = Math.min(tagValue(ifd, 278) ?? H, H) || H;
    offsets = tagValues(ifd, 273);
    counts = tagValues(ifd, 279);
    layout = [];
    for (let y = 0; y < H; y += rps) layout.push({ x0: 0, y0: y, bw: W, bh: rps });
  }
  const needed = layout.length * planes;
  if (!offsets || offsets.length < needed) {
    throw new ImageDecodeError(name, `corrupt TIFF: page ${page} lists ${offsets?.length ?? 0} strips or tiles but needs ${needed}.`);
  }
  if (!counts || counts.length < needed) {
    if (p.compression !== 1) throw new ImageDecodeError(name, `corrupt TIFF: page ${page} has no strip or tile byte counts.`);
    counts = [];
  }
  for (let plane = 0; plane < planes; plane++) {
    if (p.planar === 2 && plane >= p.colors) break; // extra samples (alpha) are dropped: no need to decode them
    layout.forEach((l, i) => {
      const k = plane * layout.length + i;
      const samples = p.planar === 2 ? 1 : p.spp;
      const fullBytes = l.bh * Math.ceil((l.bw * samples * p.bps) / 8);
      blocks.push({ ...l, offset: offsets[k]!, count: counts[k] ?? fullBytes, plane: p.planar === 2 ? plane : -1 });
    });
  }
  return blocks;
}

/** Decompress one block with utif2: a one-strip image of the block's size. Returns bytes in file order. */
function decompressBlock(name: string, buffer: ArrayBuffer, littleEndian: boolean, p: PageInfo, b: Block, page: number): Uint8Array {
  if (!(b.offset >= 0 && b.count >= 0 && b.offset + b.count <= buffer.byteLength)) {
    throw new ImageDecodeError(name, `corrupt TIFF: image data of page ${page} lies outside the file.`);
  }
  const samples = b.plane >= 0 ? 1 : p.spp;
  const fake: UtifIfd = {
    t256: [b.bw],
    t257: [b.bh],
    t258: Array.from({ length: samples }, () => p.bps),
    t259: [p.compression],
    t262: [p.photometric],
    t273: [b.offset],
    t277: [samples],
    t278: [b.bh],
    t279: [b.count],
  };
  try {
    UTIF.decodeImage(buffer, fake);
  } catch (e) {
    throw new ImageDecodeError(name, `cannot decompress page ${page} of this TIFF (${errorText(e)}).`);
  }
  const rowBytes = Math.ceil((b.bw * samples * p.bps) / 8);
  const need = b.bh * rowBytes;
  let data = fake.data;
  if (!data) throw new ImageDecodeError(name, `cannot decompress page ${page} of this TIFF.`);
  if (data.length < need) {
    const padded = new Uint8Array(need);
    padded.set(data);
    data = padded;
  }
  // utif2 turns 16-bit big-endian samples into little-endian; undo it so everything is in file order.
  if (p.bps === 16 && !littleEndian) {
    for (let i = 0; i + 1 < need; i += 2) {
      const t = data[i]!;
      data[i] = data[i + 1]!;
      data[i + 1] = t;
    }
  }
  return data.subarray(0, need);
}

/** Undo the floating-point predictor (3) row by row: bytes are differenced, then stored as byte planes, MSB first. */
function undoFloatPredictor(raw: Uint8Array, rows: number, rowBytes: number, stride: number, bytesPerSample: number): void {
  const tmp = new Uint8Array(rowBytes);
  const wc = rowBytes / bytesPerSample;
  for (let r = 0; r < rows; r++) {
    const row = raw.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = stride; i < rowBytes; i++) row[i] = (row[i]! + row[i - stride]!) & 0xff;
    tmp.set(row);
    // Back to big-endian values: byte `k` of value `i` is in plane `k`.
    for (let i = 0; i < wc; i++) for (let k = 0; k < bytesPerSample; k++) row[i * bytesPerSample + k] = tmp[k * wc + i]!;
  }
}

function fileArrayFor(p: PageInfo, n: number): FileArray {
  if (p.kind === 'float') return p.bps === 64 ? new Float64Array(n) : p.bps === 32 ? new Float32Array(n) : new Uint16Array(n);
  if (p.kind === 'int') return p.bps === 8 ? new Int8Array(n) : p.bps === 16 ? new Int16Array(n) : new Int32Array(n);
  return p.bps <= 8 ? new Uint8Array(n) : p.bps === 16 ? new Uint16Array(n) : new Uint32Array(n);
}

/** Read a block's bytes into typed samples (bw×bh×samples), with predictors undone. */
function blockSamples(raw: Uint8Array, p: PageInfo, b: Block, littleEndian: boolean): FileArray {
  const samples = b.plane >= 0 ? 1 : p.spp;
  const perRow = b.bw * samples;
  if (p.bps < 8) return unpackBits(raw, p.bps as 1 | 2 | 4, perRow, b.bh, false);
  const n = perRow * b.bh;
  const out = fileArrayFor(p, n);
  const size = p.bps / 8;
  let le = littleEndian;
  if (p.predictor === 3) {
    undoFloatPredictor(raw, b.bh, perRow * size, samples, size);
    le = false;
  }
  if (size === 1) {
    out.set(p.kind === 'int' ? new Int8Array(raw.buffer, raw.byteOffset, n) : raw.subarray(0, n));
  } else if (le === HOST_LITTLE_ENDIAN && raw.byteOffset % size === 0) {
    // Already in host order: view the bytes as the file's type.
    const View = out.constructor as new (b: ArrayBufferLike, o: number, n: number) => FileArray;
    out.set(new View(raw.buffer, raw.byteOffset, n) as never);
  } else {
    const dv = new DataView(raw.buffer, raw.byteOffset, n * size);
    const o = out as unknown as number[];
    if (p.kind === 'float') {
      if (size === 8) for (let i = 0; i < n; i++) o[i] = dv.getFloat64(i * 8, le);
      else if (size === 4) for (let i = 0; i < n; i++) o[i] = dv.getFloat32(i * 4, le);
      else for (let i = 0; i < n; i++) o[i] = dv.getUint16(i * 2, le); // half-float bits
    } else if (size === 2) {
      for (let i = 0; i < n; i++) o[i] = dv.getUint16(i * 2, le); // the typed array wraps to int16 if signed
    } else {
      for (let i = 0; i < n; i++) o[i] = dv.getUint32(i * 4, le); // wraps to int32 if signed
    }
  }
  if (p.predictor === 2) {
    // Horizontal differencing: each sample is stored as the difference from the same sample of the
    // pixel to its left; the typed array's own wrap-around gives the modular sum.
    for (let r = 0; r < b.bh; r++) {
      const row = r * perRow;
      for (let i = samples; i < perRow; i++) out[row + i] = out[row + i]! + out[row + i - samples]!;
    }
  }
  return out;
}

type OutDType = 'uint8' | 'uint16' | 'float32' | 'float64';

export function outDType(p: PageInfo): OutDType {
  if (p.kind === 'float') return p.bps === 64 ? 'float64' : 'float32';
  if (p.kind === 'int') return p.bps === 32 ? 'float64' : 'float32';
  return p.bps <= 8 ? 'uint8' : p.bps === 16 ? 'uint16' : 'float64';
}

export const OUT_CTORS = { uint8: Uint8Array, uint16: Uint16Array, float32: Float32Array, float64: Float64Array };

/** Where a block's bytes are: a buffer starting with the file's byte-order mark ("II"/"MM", which utif2 reads) and the block at its offset there. */
export type BlockBytes = (b: Block) => { buffer: ArrayBuffer; block: Block };

/** Decode one page, its blocks' bytes found through `bytesOf` (the whole file's buffer, or the runs read for this page). */
export function decodePage(name: string, bytesOf: BlockBytes, littleEndian: boolean, ifd: UtifIfd, page: number): NDArray {
  const p = pageInfo(name, ifd, page);
  const { width: W, height: H } = p;
  const m = W * H;
  const dtype = outDType(p);
  const C = OUT_CTORS[dtype];
  const planes = Array.from({ length: p.colors }, () => new C(m));
  const half = p.kind === 'float' && p.bps === 16;
  for (const b of pageBlocks(name, ifd, p, page)) {
    const at = bytesOf(b);
    const raw = decompressBlock(name, at.buffer, littleEndian, p, at.block, page);
    const vals = blockSamples(raw, p, b, littleEndian);
    const samples = b.plane >= 0 ? 1 : p.spp;
    const channels = b.plane >= 0 ? [b.plane] : Array.from({ length: p.colors }, (_, c) => c);
    const rows = Math.min(b.bh, H - b.y0);
    const cols = Math.min(b.bw, W - b.x0);
    for (const c of channels) {
      const dst = planes[c]!;
      const offsetInPixel = b.plane >= 0 ? 0 : c;
      for (let r = 0; r < rows; r++) {
        let s = r * b.bw * samples + offsetInPixel;
        let d = (b.y0 + r) * W + b.x0;
        if (half) for (let x = 0; x < cols; x++, s += samples) dst[d++] = halfToFloat(vals[s]!);
        else if (samples === 1) dst.set(vals.subarray(s, s + cols) as never, d); // converts between typed arrays
        else for (let x = 0; x < cols; x++, s += samples) dst[d++] = vals[s]!;
      }
    }
  }
  const gray = planes[0]!;
  if (p.photometric === 3) return applyPalette(name, ifd, p, gray as Uint8Array | Uint16Array, page);
  if (p.photometric === 0 && p.kind === 'uint') {
    const max = 2 ** p.bps - 1;
    for (let i = 0; i < m; i++) gray[i] = max - gray[i]!;
  }
  if (p.bps < 8) {
    const factor = 255 / (2 ** p.bps - 1);
    for (let i = 0; i < m; i++) gray[i] = gray[i]! * factor;
  }
  if (p.colors === 1) return { dtype, shape: [H, W], data: gray } as NDArray;
  const rgb = new C(3 * m);
  planes.forEach((pl, c) => rgb.set(pl as never, c * m));
  return { dtype, shape: [3, H, W], data: rgb } as NDArray;
}

/** A page's declared size (its decoded image: kept colours × the output type) against the limit, from its tags alone. */
export function checkPageSize(name: string, ifd: UtifIfd, page: number, pages: number, limits?: DecodeLimits): void {
  const p = pageInfo(name, ifd, page);
  const samples = p.photometric === 3 ? 3 : p.colors;
  const bytesPerSample = OUT_CTORS[outDType(p)].BYTES_PER_ELEMENT;
  checkDeclaredSize(name, { width: p.width, height: p.height, samples, bytesPerSample, page, pages, format: 'TIFF' }, limits);
}

function applyPalette(name: string, ifd: UtifIfd, p: PageInfo, index: Uint8Array | Uint16Array, page: number): NDArray {
  const entries = 2 ** p.bps;
  const map = tagValues(ifd, 320);
  if (!map || map.length < 3 * entries) throw new ImageDecodeError(name, `corrupt TIFF: palette page ${page} has no complete colour map.`);
  // Colour maps hold 16-bit values; a few writers store 8-bit ones. Same test as libtiff's tiff2rgba.
  const eightBit = map.every((v) => v < 256);
  const lut = Uint8Array.from(map.slice(0, 3 * entries), (v) => (eightBit ? v : v >> 8));
  let gray = true;
  for (let i = 0; i < entries && gray; i++) gray = lut[i] === lut[entries + i] && lut[i] === lut[2 * entries + i];
  const { width: W, height: H } = p;
  const m = W * H;
  const out = new Uint8Array(gray ? m : 3 * m);
  for (let i = 0; i < m; i++) {
    const k = index[i]!;
    out[i] = lut[k]!;
    if (!gray) {
      out[m + i] = lut[entries + k]!;
      out[2 * m + i] = lut[2 * entries + k]!;
    }
  }
  return gray ? { dtype: 'uint8', shape: [H, W], data: out } : { dtype: 'uint8', shape: [3, H, W], data: out };
}

/**
 * Decode every page of a TIFF, in file order (SubIFDs such as pyramid levels are not pages).
 *
 * Sample types map to the Image schema's dtypes without loss:
 * - uint8 → uint8, uint16 → uint16, float32 → float32, float64 → float64;
 * - int8 and int16 → float32; int32 and uint32 → float64; float16 → float32;
 * - 1/2/4-bit gray → uint8 stretched to 0..255 (a bilevel image reads as 0/255), as for PNG.
 * Layout: gray → H×W; RGB (chunky or planar) → 3×H×W; extra samples (alpha) dropped; palette → 3×H×W
 * uint8 through the colour map, or H×W when the map is gray; WhiteIsZero unsigned data is inverted.
 * Strips and tiles; compression none, LZW, Deflate, PackBits (utif2); predictors 2 and 3.
 * Not supported (clear error): JPEG/CCITT/LZMA/Zstd/WebP/JPEG 2000 compression, CMYK/YCbCr/Lab,
 * complex samples, BigTIFF. The Orientation tag is ignored (pixels are returned as stored).
 */
export function decodeTiff(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedImage[] {
  const { littleEndian, pages } = checkContainer(name, bytes);
  const buffer = exactBuffer(bytes);
  let ifds: UtifIfd[];
  try {
    ifds = UTIF.decode(buffer, { parseMN: false, debug: false });
  } catch (e) {
    throw new ImageDecodeError(name, `cannot read this TIFF (${errorText(e)}).`);
  }
  if (ifds.length !== pages) throw new ImageDecodeError(name, `corrupt TIFF: only ${ifds.length} of its ${pages} image directories could be read.`);
  // Every page's declared size is checked before any page is decoded.
  ifds.forEach((ifd, page) => checkPageSize(name, ifd, page, pages, limits));
  const whole: BlockBytes = (block) => ({ buffer, block });
  return ifds.map((ifd, page) => ({ image: decodePage(name, whole, littleEndian, ifd, page), page, pages }));
}

// ───────────────────────────── encoding ─────────────────────────────

const TAG_TYPES_NOTE = 'utif2 4.1.0 (pinned in package.json)';

function utifWriter(): { write: NonNullable<Utif['_writeIFD']>; bin: UtifBin; types: unknown } {
  const write = UTIF._writeIFD;
  const bin = UTIF._binLE;
  const types = UTIF._types?.basic;
  if (typeof write !== 'function' || write.length !== 5 || !bin || !types) {
    throw new Error(`TIFF export needs the IFD writer of ${TAG_TYPES_NOTE}; this utif2 build does not have it.`);
  }
  return { write: write.bind(UTIF), bin, types };
}

interface PagePlan {
  ifd: Record<string, number[]>;
  samples: Uint8Array | Uint16Array | Float32Array | Float64Array;
  stripCounts: number[];
  ifdSize: number;
  dataOffset: number;
  ifdOffset: number;
}

const STRIP_BYTES = 64 * 1024;

function planPage(a: NDArray, i: number): Omit<PagePlan, 'ifdSize' | 'dataOffset' | 'ifdOffset'> {
  const rgb = a.shape.length === 3 && a.shape[0] === 3;
  if (!(a.shape.length === 2 || rgb)) {
    throw new ImageEncodeError(`TIFF export: page ${i} must be H×W or 3×H×W, got shape ${shapeText(a.shape)}.`);
  }
  const H = a.shape[rgb ? 1 : 0]!;
  const W = a.shape[rgb ? 2 : 1]!;
  if (W === 0 || H === 0) throw new ImageEncodeError(`TIFF export: page ${i} is empty (shape ${shapeText(a.shape)}).`);
  if (W > 65535 || H > 65535) throw new ImageEncodeError(`TIFF export: page ${i} is ${W}×${H}; at most 65535 pixels a side.`);
  let bps: number;
  let format: number;
  let flat: Uint8Array | Uint16Array | Float32Array | Float64Array;
  switch (a.dtype) {
    case 'uint8':
      [bps, format, flat] = [8, 1, a.data as Uint8Array];
      break;
    case 'bool':
      [bps, format, flat] = [8, 1, Uint8Array.from(a.data as Uint8Array, (v) => (v ? 255 : 0))];
      break;
    case 'uint16':
      [bps, format, flat] = [16, 1, a.data as Uint16Array];
      break;
    case 'float16':
      [bps, format, flat] = [32, 3, Float32Array.from(a.data as ArrayLike<number>)];
      break;
    case 'float32':
      [bps, format, flat] = [32, 3, a.data as Float32Array];
      break;
    case 'float64':
      [bps, format, flat] = [64, 3, a.data as Float64Array];
      break;
    default:
      throw new ImageEncodeError(
        `TIFF export supports uint8, uint16, float32 and float64 (bool as 0/255, float16 as float32), got ${a.dtype} on page ${i}; convert it first.`,
      );
  }
  const spp = rgb ? 3 : 1;
  const m = W * H;
  let samples = flat;
  if (rgb) {
    // Channel-first → interleaved (chunky) RGB: the layout every TIFF reader handles.
    samples = new (flat.constructor as new (n: number) => typeof flat)(3 * m);
    for (let k = 0; k < m; k++) {
      samples[3 * k] = flat[k]!;
      samples[3 * k + 1] = flat[m + k]!;
      samples[3 * k + 2] = flat[2 * m + k]!;
    }
  }
  const rowBytes = W * spp * (bps / 8);
  const rps = Math.max(1, Math.min(H, Math.floor(STRIP_BYTES / rowBytes)));
  const stripCounts: number[] = [];
  for (let y = 0; y < H; y += rps) stripCounts.push(Math.min(rps, H - y) * rowBytes);
  // Tags in ascending order, as TIFF requires (utif2 writes them in insertion order).
  const ifd: Record<string, number[]> = {
    t256: [W],
    t257: [H],
    t258: Array.from({ length: spp }, () => bps),
    t259: [1],
    t262: [rgb ? 2 : 1],
    t273: stripCounts.map(() => 0),
    t277: [spp],
    t278: [rps],
    t279: stripCounts,
    t284: [1],
    t339: Array.from({ length: spp }, () => format),
  };
  return { ifd, samples, stripCounts };
}

/**
 * Write arrays as a multi-page TIFF, one page per array, in order: baseline, uncompressed,
 * little-endian, chunky RGB, strips of about 64 KiB. H×W → gray page, 3×H×W → RGB page.
 * uint8, uint16, float32 and float64 are written as they are (float64 stays 64-bit, so every page
 * round-trips through decodeTiff exactly); bool → uint8 0/255; float16 → float32. Other dtypes are an
 * error (convert first). Pages may differ in size and dtype. The whole file must stay under 4 GiB.
 */
export function encodeTiff(pages: NDArray[]): Uint8Array<ArrayBuffer> {
  if (pages.length === 0) throw new ImageEncodeError('TIFF export needs at least one page.');
  const { write, bin, types } = utifWriter();
  const plans: PagePlan[] = [];
  let pos = 8;
  pages.forEach((a, i) => {
    const plan = planPage(a, i);
    // Measure the directory by writing it once into scratch space.
    const values = Object.values(plan.ifd).reduce((s, v) => s + v.length, 0);
    const scratch = new Uint8Array(6 + 12 * Object.keys(plan.ifd).length + 8 * values + 16);
    const ifdSize = write(bin, types, scratch, 0, plan.ifd)[1];
    const dataOffset = align(pos, 16);
    const dataBytes = plan.stripCounts.reduce((s, c) => s + c, 0);
    const ifdOffset = align(dataOffset + dataBytes, 4);
    pos = ifdOffset + ifdSize;
    plans.push({ ...plan, ifdSize, dataOffset, ifdOffset });
  });
  if (pos > 0xffffffff) throw new ImageEncodeError(`TIFF export: ${pos} bytes is over the 4 GiB limit of classic TIFF; export fewer pages.`);

  const out = new Uint8Array(pos);
  out[0] = 0x49;
  out[1] = 0x49;
  bin.writeUshort(out, 2, 42);
  bin.writeUint(out, 4, plans[0]!.ifdOffset);
  const dv = new DataView(out.buffer);
  plans.forEach((plan, i) => {
    writeSamples(out, dv, plan.dataOffset, plan.samples);
    let off = plan.dataOffset;
    plan.ifd.t273 = plan.stripCounts.map((c) => {
      const o = off;
      off += c;
      return o;
    });
    const [nextPointer] = write(bin, types, out, plan.ifdOffset, plan.ifd);
    bin.writeUint(out, nextPointer, i + 1 < plans.length ? plans[i + 1]!.ifdOffset : 0);
  });
  return out;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function writeSamples(out: Uint8Array, dv: DataView, offset: number, s: Uint8Array | Uint16Array | Float32Array | Float64Array): void {
  if (s instanceof Uint8Array || HOST_LITTLE_ENDIAN) {
    out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), offset);
    return;
  }
  const n = s.length;
  if (s instanceof Uint16Array) for (let i = 0; i < n; i++) dv.setUint16(offset + 2 * i, s[i]!, true);
  else if (s instanceof Float32Array) for (let i = 0; i < n; i++) dv.setFloat32(offset + 4 * i, s[i]!, true);
  else for (let i = 0; i < n; i++) dv.setFloat64(offset + 8 * i, s[i]!, true);
}
