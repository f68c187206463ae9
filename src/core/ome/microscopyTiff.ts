// Which TIFFs the geotiff reader (imageCodecs/geotiffPages.ts) takes on import, and what they hold:
// an OME-TIFF (the first page's ImageDescription holds `<OME`), an ImageJ hyperstack (`ImageJ=`), or
// a TIFF the utif2 path cannot read (BigTIFF, or a first page compressed with JPEG, zstd, …). Every
// other TIFF is left to the utif2 path (openPagedFile), unchanged. Opening reads the directories
// only, parses the metadata into series (omeXml.ts, imagejMeta.ts) and checks each series' planes
// against the pages that hold them (size, samples, dtype, the size limit) before any pixel is read.
import { GeoTIFF } from 'geotiff';
import { defaultChunkShape } from '../chunkPolicy';
import { defaultChannels } from '../imageAxes';
import { ImageDecodeError } from '../imageCodecs/common';
import { GEOTIFF_COMPRESSIONS, TiffPages, type TiffPage } from '../imageCodecs/geotiffPages';
import { BlobRangeSource, type GeotiffSource } from '../imageCodecs/geotiffSource';
import { checkDeclaredSize, type DecodeLimits } from '../imageCodecs/limits';
import { itemSize } from '../ndarray';
import { isTiledImage, pyramidShapes } from '../pyramid';
import { imagejFields, parseImagej } from './imagejMeta';
import { parseOmeXml } from './omeXml';
import { plainAxes5, type SeriesLayout, type StoredLayout } from './series';

export type MicroscopyFormat = 'OME-TIFF' | 'ImageJ TIFF' | 'TIFF';

export interface MicroscopyTiff {
  format: MicroscopyFormat;
  file: TiffPages;
  series: SeriesLayout[];
}

/** Compressions the utif2 path reads (src/core/imageCodecs/tiff.ts). */
const UTIF_COMPRESSIONS = new Set([1, 5, 8, 32946, 32773]);

/** What the first directory says, read cheaply; null when geotiff cannot even read it (the utif2 path reports it). */
async function firstPage(blob: Blob): Promise<{ bigTiff: boolean; description: string; compression: number } | null> {
  try {
    const tiff = await GeoTIFF.fromSource(new BlobRangeSource(blob, '') as unknown as GeotiffSource);
    (tiff.parser as unknown as { eager: boolean }).eager = true;
    const dir = await tiff.parser.parseFileDirectoryAt(tiff.firstIFDOffset);
    const d = dir.getValue('ImageDescription' as never) as unknown;
    return { bigTiff: tiff.bigTiff, description: typeof d === 'string' ? d : '', compression: Number(dir.getValue('Compression' as never) ?? 1) };
  } catch {
    return null;
  }
}

function checkPlanes(file: TiffPages, s: SeriesLayout, what: string, limits: DecodeLimits | undefined): void {
  const fail = (text: string): never => {
    throw new ImageDecodeError(file.name, `${what}: ${text}`);
  };
  for (const index of new Set(s.planePages)) {
    const p = file.pages[index]!;
    if (p.width !== s.sizes.x || p.height !== s.sizes.y) fail(`SizeX=${s.sizes.x} SizeY=${s.sizes.y}, but ${p.where} is ${p.width}×${p.height} pixels.`);
    if (p.samples !== s.samples) fail(`${s.samples} sample(s) per pixel, but ${p.where} has SamplesPerPixel=${p.samples}.`);
    if (p.dtype !== s.dtype) fail(`pixel type ${s.dtype}, but ${p.where} holds ${p.dtype} samples.`);
    checkDeclaredSize(
      file.name,
      {
        width: p.width,
        height: p.height,
        samples: p.samples,
        bytesPerSample: itemSize(p.dtype),
        page: index,
        pages: file.pages.length,
        format: 'TIFF',
      },
      limits,
    );
  }
}

/** The pages of a TIFF without OME or ImageJ metadata as one series: pages are Z, samples are C. */
function plainSeries(file: TiffPages): SeriesLayout {
  const p0 = file.pages[0]!;
  const other = file.pages.find((p) => p.width !== p0.width || p.height !== p0.height || p.samples !== p0.samples || p.dtype !== p0.dtype);
  if (other) {
    throw new ImageDecodeError(
      file.name,
      `${other.where} is ${other.width}×${other.height} × ${other.samples} ${other.dtype}, page 1 is ${p0.width}×${p0.height} × ${p0.samples} ${p0.dtype}: the pages of a BigTIFF or JPEG/zstd-compressed TIFF must be alike.`,
    );
  }
  const c = p0.samples;
  return {
    name: null,
    dtype: p0.dtype,
    sizes: { t: 1, c, z: file.pages.length, y: p0.height, x: p0.width },
    samples: c,
    planePages: file.pages.map((_, i) => i),
    axes5: plainAxes5(),
    channels: defaultChannels(c, c === 3 ? ['Red', 'Green', 'Blue'] : undefined),
  };
}

/**
 * Open a TIFF for the geotiff reader when it is an OME-TIFF, an ImageJ TIFF, a BigTIFF or compressed
 * in a way the utif2 path cannot read; null otherwise. Throws an ImageDecodeError naming the file and
 * the field when the metadata contradicts the pages or a page cannot be read.
 */
export async function openMicroscopyTiff(blob: Blob, name: string, limits?: DecodeLimits): Promise<MicroscopyTiff | null> {
  const head = await firstPage(blob);
  if (!head) return null;
  const ome = head.description.includes('<OME');
  const imagej = imagejFields(head.description);
  if (!ome && !imagej && !head.bigTiff && UTIF_COMPRESSIONS.has(head.compression)) return null;
  if (!ome && !imagej && !head.bigTiff && !(head.compression in GEOTIFF_COMPRESSIONS)) return null; // the utif2 path names it
  const file = await TiffPages.open(blob, name);
  const p0 = file.pages[0]!;
  let format: MicroscopyFormat;
  let series: SeriesLayout[];
  if (ome) {
    format = 'OME-TIFF';
    series = parseOmeXml(p0.description ?? '', name, file.pages.length);
    series.forEach((s, i) => checkPlanes(file, s, `OME-XML: Image ${i} Pixels`, limits));
  } else if (imagej) {
    format = 'ImageJ TIFF';
    series = [
      parseImagej(
        imagej,
        {
          pages: file.pages.length,
          samples: p0.samples,
          dtype: p0.dtype,
          width: p0.width,
          height: p0.height,
          xResolution: p0.xResolution,
          yResolution: p0.yResolution,
        },
        name,
      ),
    ];
    checkPlanes(file, series[0]!, 'ImageJ description', limits);
  } else {
    format = 'TIFF';
    series = [plainSeries(file)];
    checkPlanes(file, series[0]!, 'TIFF', limits);
  }
  for (const s of series) for (const i of new Set(s.planePages)) file.checkRanges(file.pages[i]!);
  return { format, file, series };
}

/**
 * The reduced resolutions a series' file gives for its stored Image (SubIFDs of its plane pages),
 * one list of pages (one per plane) per level below the base, when they are exactly the levels of
 * the pyramid scheme (src/core/pyramid.ts: halved with rounding up, down to one chunk); else null
 * (the viewer builds its own).
 */
export async function filePyramid(file: TiffPages, s: SeriesLayout, stored: StoredLayout): Promise<TiffPage[][] | null> {
  if (stored.schema !== 'Image' || !isTiledImage(stored.shape, defaultChunkShape(stored.shape, stored.dtype))) return null;
  const want = pyramidShapes(stored.shape, stored.dtype);
  const perPlane: TiffPage[][] = [];
  for (const index of s.planePages) {
    const subs = await file.subPages(file.pages[index]!);
    if (subs.length < want.length) return null;
    perPlane.push(subs.slice(0, want.length));
  }
  const levels = want.map((_, l) => perPlane.map((subs) => subs[l]!));
  const fits = levels.every((pages, l) => {
    const shape = want[l]!;
    const [h, w] = shape.slice(-2);
    return pages.every((p) => p.width === w && p.height === h && p.samples === s.samples && p.dtype === s.dtype);
  });
  if (!fits) return null;
  for (const pages of levels) for (const p of pages) file.checkRanges(p);
  return levels;
}
