// An array exported as OME-TIFF, streamed: one plane read at a time (XYZCT order), its blocks (and,
// for planes above 2048 px a side, its 2×2-mean pyramid levels as SubIFDs) written as they are made,
// the directories and the OME-XML last, the header patched at the end. BigTIFF when the file could
// pass 4 GiB.
import { zlibSync } from 'fflate';
import { blockLayout, CLASSIC_TIFF_LIMIT, encodeDirectories, planeBlocks, rawBlockBytes, tiffHeader, type TiffImage } from '../core/imageCodecs/omeTiffWrite';
import { exportPyramidLevels, omeDims, omeExportDType, planeRegion } from '../core/ome/omeDims';
import { omeXml } from '../core/ome/omeXmlWrite';
import { halvedShape, downsample2x } from '../core/pyramid';
import type { NDArray } from '../core/ndarray';
import type { ByteSink } from './exportOmeSinks';
import { exportPlane, type ExportArray } from './exportOmeSource';

export type TiffCompression = 'none' | 'deflate';

export interface OmeTiffOptions {
  compression?: TiffCompression;
  /** Called after each plane: (planes written, all planes). */
  onProgress?(done: number, total: number): void;
  /** Force BigTIFF (tests); default: when the file could pass 4 GiB. */
  bigTiff?: boolean;
}

/** The level shapes [h, w] of a plane: the plane and its pyramid levels. */
function levelShapes(h: number, w: number): [number, number][] {
  const out: [number, number][] = [[h, w]];
  for (let l = 0; l < exportPyramidLevels(h, w); l++) out.push(halvedShape(out.at(-1)!) as [number, number]);
  return out;
}

/** Write `src` as an OME-TIFF into `sink`. */
export async function writeOmeTiff(src: ExportArray, sink: ByteSink, opts: OmeTiffOptions = {}): Promise<void> {
  const compression = opts.compression ?? 'none';
  const dims = omeDims(src.shape, src.axes, `Dataset '${src.name}'`);
  const dtype = omeExportDType(src.dtype);
  const { y: h, x: w } = dims.size;
  const shapes = levelShapes(h, w);
  const xml = omeXml({ name: src.name, dtype, dims, axes: src.axes, uuid: `urn:uuid:${crypto.randomUUID()}` });
  const perPlane = shapes.reduce((n, [lh, lw]) => n + rawBlockBytes(lw, lh, dtype, blockLayout(lw, lh, dtype)) + 4096, 0);
  const big = opts.bigTiff ?? perPlane * dims.planes + xml.length * 2 > CLASSIC_TIFF_LIMIT;

  await sink.write(tiffHeader(big, 0));
  const images: TiffImage[] = [];
  const writeImage = async (plane: NDArray): Promise<TiffImage> => {
    const [ph, pw] = plane.shape as [number, number];
    const layout = blockLayout(pw, ph, dtype);
    const img: TiffImage = { width: pw, height: ph, dtype, layout, compression, offsets: [], counts: [] };
    for (const block of planeBlocks(plane, layout)) {
      const bytes = compression === 'deflate' ? zlibSync(block) : block;
      img.offsets.push(sink.size);
      img.counts.push(bytes.byteLength);
      await sink.write(bytes);
    }
    return img;
  };
  for (let i = 0; i < dims.planes; i++) {
    let plane = exportPlane(await src.read(planeRegion(dims, src.shape.length, i)), h, w);
    const img = await writeImage(plane);
    img.sub = [];
    for (let l = 1; l < shapes.length; l++) {
      plane = downsample2x(plane);
      img.sub.push(await writeImage(plane));
    }
    if (i === 0) img.description = xml;
    images.push(img);
    opts.onProgress?.(i + 1, dims.planes);
  }
  if (sink.size % 2) await sink.write(new Uint8Array(1));
  const dirs = encodeDirectories(images, sink.size, big);
  await sink.write(dirs.bytes);
  if (!big && sink.size > 2 ** 32)
    throw new Error(`Dataset '${src.name}': the OME-TIFF grew past 4 GiB (${sink.size} bytes) as a classic TIFF; export it with bigTiff.`);
  await sink.writeAt(0, tiffHeader(big, dirs.firstIfd));
}
