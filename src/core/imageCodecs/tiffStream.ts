// A TIFF read page by page by byte ranges: the IFD chain is walked with the same checks as decodeTiff
// (tiff.ts's walkIfdChain), only the tags a page decoder needs are parsed (their out-of-line values
// read by range), every page's declared size and strip/tile ranges are checked against the limit and
// the file's size before any page is read; then each page's strips or tiles are read (adjacent ones
// in one run) and decoded by tiff.ts's page decoder: memory is one page and its compressed bytes.
import type { NDArray } from '../ndarray';
import type { ByteSource } from './byteSource';
import { ImageDecodeError, type FileDType, type PagedImageFile, type VolumeShape } from './common';
import { declaredBytes, type DecodeLimits } from './limits';
import {
  checkPageSize,
  decodePage,
  outDType,
  OUT_CTORS,
  pageBlocks,
  pageInfo,
  walkIfdChain,
  type Block,
  type BlockBytes,
  type IfdEntries,
  type UtifIfd,
} from './tiff';

/** The tags the page decoder reads (tiff.ts): size, samples, compression, photometric, strips, tiles, palette, predictor, sample format. */
const TAGS = new Set([256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 320, 322, 323, 324, 325, 339]);

/** Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED, SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE, IFD). */
const TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

function readValue(dv: DataView, type: number, at: number, le: boolean): number {
  switch (type) {
    case 3:
      return dv.getUint16(at, le);
    case 8:
      return dv.getInt16(at, le);
    case 4:
    case 13:
      return dv.getUint32(at, le);
    case 9:
      return dv.getInt32(at, le);
    case 5:
      return dv.getUint32(at, le) / dv.getUint32(at + 4, le);
    case 10:
      return dv.getInt32(at, le) / dv.getInt32(at + 4, le);
    case 11:
      return dv.getFloat32(at, le);
    case 12:
      return dv.getFloat64(at, le);
    case 6:
      return dv.getInt8(at);
    default:
      return dv.getUint8(at);
  }
}

/** The tags of one directory that the decoder needs, as utif2 would give them (`t256: [width]`). */
async function parseIfd(src: ByteSource, dir: IfdEntries, le: boolean, page: number): Promise<UtifIfd> {
  const e = new DataView(dir.entries.buffer, dir.entries.byteOffset, dir.entries.byteLength);
  const n = (dir.entries.length - 4) / 12;
  const ifd: UtifIfd = {};
  for (let i = 0; i < n; i++) {
    const at = 12 * i;
    const tag = e.getUint16(at, le);
    const type = e.getUint16(at + 2, le);
    const count = e.getUint32(at + 4, le);
    const size = TYPE_BYTES[type];
    if (!TAGS.has(tag) || !size) continue;
    const bytes = count * size;
    let values: DataView;
    let base = 0;
    if (bytes <= 4) {
      values = e;
      base = at + 8;
    } else {
      const off = e.getUint32(at + 8, le);
      if (off + bytes > src.size) {
        throw new ImageDecodeError(
          src.name,
          `corrupt TIFF: the values of tag ${tag} of page ${page + 1} lie outside the file (bytes ${off} to ${off + bytes} of ${src.size}).`,
        );
      }
      const b = await src.small(off, off + bytes, `tag ${tag} of page ${page + 1}`);
      values = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const out = Array.from({ length: count }, (_, k) => readValue(values, type, base + k * size, le));
    ifd[`t${tag}`] = out;
  }
  return ifd;
}

/** A page's strips or tiles grouped into runs read with one slice each (adjacent ones, up to slabBytes). */
function runsOf(blocks: Block[], slabBytes: number): { start: number; end: number; blocks: Block[] }[] {
  const sorted = [...blocks].sort((a, b) => a.offset - b.offset);
  const runs: { start: number; end: number; blocks: Block[] }[] = [];
  for (const b of sorted) {
    const last = runs[runs.length - 1];
    const end = b.offset + b.count;
    if (last && b.offset >= last.end && b.offset - last.end <= 4096 && end - last.start <= slabBytes) {
      last.end = end;
      last.blocks.push(b);
    } else {
      runs.push({ start: b.offset, end, blocks: [b] });
    }
  }
  return runs;
}

/** Open a TIFF: directories read and checked, every page's size and data ranges checked; pages read on demand. */
export async function openTiff(src: ByteSource, slabBytes: number, limits?: DecodeLimits): Promise<PagedImageFile> {
  const name = src.name;
  const walk = walkIfdChain(name, src.size);
  let step = walk.next();
  while (!step.done) step = walk.next(await src.small(step.value.start, step.value.end, 'the TIFF directories'));
  const { littleEndian, dirs } = step.value;
  const pages = dirs.length;
  const ifds: UtifIfd[] = [];
  for (const [page, dir] of dirs.entries()) ifds.push(await parseIfd(src, dir, littleEndian, page));
  // Every page's declared size before any page is read (as decodeTiff does).
  ifds.forEach((ifd, page) => checkPageSize(name, ifd, page, pages, limits));
  const infos = ifds.map((ifd, page) => pageInfo(name, ifd, page));
  const blocks = ifds.map((ifd, page) => pageBlocks(name, ifd, infos[page]!, page));
  let imageBytes = 0;
  blocks.forEach((bs, page) => {
    for (const b of bs) {
      if (b.offset + b.count > src.size) {
        throw new ImageDecodeError(
          name,
          `TIFF file is truncated: page ${page + 1} of ${pages} stores image data up to byte ${b.offset + b.count}, but the file holds only ${src.size} bytes.`,
        );
      }
    }
    const p = infos[page]!;
    imageBytes += declaredBytes({
      width: p.width,
      height: p.height,
      samples: p.photometric === 3 ? 3 : p.colors,
      bytesPerSample: OUT_CTORS[outDType(p)].BYTES_PER_ELEMENT,
    });
  });
  const volume = volumeOf(infos);
  const dropped = extraSamples(infos);
  const bom = new Uint8Array(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);

  const readPage = async (page: number): Promise<NDArray> => {
    // Each run in a buffer of its own, after the byte-order mark utif2 reads the byte order from.
    // By byte range: the decoder lists the page's blocks again (new objects, same ranges).
    const where = new Map<string, { buffer: ArrayBuffer; offset: number }>();
    const key = (b: Block) => `${b.offset}+${b.count}`;
    for (const run of runsOf(blocks[page]!, slabBytes)) {
      const bytes = await src.read(run.start, run.end, `page ${page + 1} of ${pages}`);
      const buffer = new Uint8Array(2 + bytes.length);
      buffer.set(bom);
      buffer.set(bytes, 2);
      for (const b of run.blocks) where.set(key(b), { buffer: buffer.buffer, offset: 2 + b.offset - run.start });
    }
    const bytesOf: BlockBytes = (b) => {
      const at = where.get(key(b))!;
      return { buffer: at.buffer, block: { ...b, offset: at.offset } };
    };
    return decodePage(name, bytesOf, littleEndian, ifds[page]!, page);
  };
  const p0 = infos[0]!;
  const pageBytes = p0.width * p0.height * OUT_CTORS[outDType(p0)].BYTES_PER_ELEMENT;
  return {
    format: 'TIFF',
    pages,
    fileDType: pageDType(p0),
    imageBytes,
    volume,
    pagesPerRead: Math.max(1, Math.floor(slabBytes / pageBytes)),
    ...(dropped ? { dropped: [dropped] } : {}),
    get bytesRead() {
      return src.bytesRead;
    },
    async readImages(from, to) {
      const out: NDArray[] = [];
      for (let page = from; page < to; page++) out.push(await readPage(page));
      return out;
    },
    async readVolume(from, to) {
      if (!('shape' in volume)) throw new Error(`${name}: ${volume.problem}`);
      const [, h, w] = volume.shape;
      if (to - from === 1) {
        const a = await readPage(from);
        return { dtype: a.dtype, shape: [1, h, w], data: a.data } as NDArray;
      }
      const data = new OUT_CTORS[volume.dtype as keyof typeof OUT_CTORS]((to - from) * h * w);
      for (let page = from; page < to; page++) data.set((await readPage(page)).data as never, (page - from) * h * w);
      return { dtype: volume.dtype, shape: [to - from, h, w], data } as NDArray;
    },
  };
}

/** A page's own sample type (before outDType's lossless widening): 'int32' for 32-bit signed, 'uint8' for 1–8-bit unsigned. */
function pageDType(p: ReturnType<typeof pageInfo>): FileDType {
  if (p.kind === 'float') return p.bps === 64 ? 'float64' : p.bps === 32 ? 'float32' : 'float16';
  if (p.kind === 'int') return p.bps === 8 ? 'int8' : p.bps === 16 ? 'int16' : 'int32';
  return p.bps <= 8 ? 'uint8' : p.bps === 16 ? 'uint16' : 'uint32';
}

/** The extra samples (alpha, …) of gray or RGB pages, which the pages read here leave out; null when none. */
function extraSamples(infos: ReturnType<typeof pageInfo>[]): string | null {
  const withExtra = infos.map((p, k) => ({ k, extra: p.photometric === 3 ? 0 : p.spp - p.colors, p })).filter((x) => x.extra > 0);
  if (!withExtra.length) return null;
  const { extra, p } = withExtra[0]!;
  const which =
    withExtra.length === infos.length ? (infos.length === 1 ? 'its page has' : 'every page has') : `${withExtra.length} of ${infos.length} pages have`;
  return `${which} ${extra === 1 ? 'an extra sample' : `${extra} extra samples`} per pixel (alpha or other data beyond the ${p.colors === 1 ? 'gray' : 'RGB'} one${p.colors === 1 ? '' : 's'}), which ${extra === 1 ? 'was' : 'were'} not imported.`;
}

/** The volume the pages make: every page gray (not RGB, not a palette), all of page 1's size and dtype. */
function volumeOf(infos: ReturnType<typeof pageInfo>[]): VolumeShape | { problem: string } {
  const p0 = infos[0]!;
  const describe = (p: typeof p0) => `${p.width}×${p.height} ${outDType(p)}`;
  for (const [k, p] of infos.entries()) {
    if (p.photometric === 3) return { problem: `page ${k + 1} is a palette (colour-mapped) image; a volume needs grayscale pages` };
    if (p.colors !== 1) return { problem: `page ${k + 1} is RGB; a volume needs grayscale pages` };
    if (p.width !== p0.width || p.height !== p0.height || outDType(p) !== outDType(p0)) {
      return { problem: `page ${k + 1} is ${describe(p)} but page 1 is ${describe(p0)}; a volume needs pages of one size and dtype` };
    }
  }
  return { dtype: outDType(p0), shape: [infos.length, p0.height, p0.width] };
}
