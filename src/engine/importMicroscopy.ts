// OME-TIFF, ImageJ TIFF and the TIFFs only geotiff reads (BigTIFF, JPEG/zstd, …) on import: one dataset
// per series (src/core/ome/microscopyTiff.ts), stored as docs/microscopy.md says (canonical t, c, z, y,
// x without singleton t/c/z; schema Image, Volume or none) with its axes metadata, written plane by
// plane into a staged chunked array as the pages are read (one page in memory at a time). The file's
// SubIFD pyramid becomes the field's `levels` when it is exactly the viewer's scheme. The caller
// commits every series of the file in one transaction, or aborts the staged arrays (`writers`).
import { filePyramid, type MicroscopyTiff } from '../core/ome/microscopyTiff';
import { storedAxes, storedLayout, type SeriesLayout, type StoredLayout } from '../core/ome/series';
import { typedArrayCtor, type NDArray, type TypedArray } from '../core/ndarray';
import type { TiffPage } from '../core/imageCodecs/geotiffPages';
import type { ChunkedArrayWriter, NewDataset } from '../store/index';
import { checkCancelled, type StreamJob } from './importStreamed';

export interface MicroscopyJob extends Omit<StreamJob, 'file'> {
  tiff: MicroscopyTiff;
}

/** Every plane of a series (or of one of its levels: `pageOf` gives each plane's page) written into `w`. */
async function writePlanes(
  job: MicroscopyJob,
  s: SeriesLayout,
  stored: StoredLayout,
  w: ChunkedArrayWriter,
  pageOf: (slot: number) => TiffPage,
): Promise<void> {
  const file = job.tiff.file;
  const planes = s.sizes.c / s.samples;
  const [h, wd] = w.shape.slice(-2) as [number, number];
  const shape = stored.axes.map((a) => (a === 'y' ? h : a === 'x' ? wd : 1));
  let slot = 0;
  for (let t = 0; t < s.sizes.t; t++) {
    for (let p = 0; p < planes; p++) {
      for (let z = 0; z < s.sizes.z; z++, slot++) {
        checkCancelled(job.signal);
        const samples = await file.readPlanes(pageOf(slot));
        for (const [k, data] of samples.entries()) {
          const at: Record<string, number> = { t, c: p * s.samples + k, z, y: 0, x: 0 };
          await w.write(
            stored.axes.map((a) => at[a]!),
            { dtype: stored.dtype, shape, data: converted(data, stored) } as NDArray,
          );
        }
        job.onBytes(file.bytesRead);
      }
    }
  }
}

/** The file's samples in the stored dtype (the Image conversions are lossless). */
function converted(data: TypedArray, stored: StoredLayout): TypedArray {
  const Ctor = typedArrayCtor(stored.dtype);
  return data instanceof Ctor ? data : (new Ctor(data as unknown as ArrayLike<number>) as TypedArray);
}

/** "cells.ome.tif", or "cells.ome.tif · Image1" / "cells.ome.tif · #2" when the file has several series. */
function seriesName(file: string, s: SeriesLayout, i: number, n: number): string {
  return n > 1 ? `${file} · ${s.name?.trim() || `#${i + 1}`}` : file;
}

/** The file's series as staged datasets (committed together by the caller). */
export async function stageMicroscopy(job: MicroscopyJob): Promise<NewDataset[]> {
  const { tiff } = job;
  const items: NewDataset[] = [];
  for (const [i, s] of tiff.series.entries()) {
    const stored = storedLayout(s.sizes, s.dtype);
    const w = await job.store.createChunkedArray({ dtype: stored.dtype, shape: stored.shape });
    job.writers.push(w);
    await writePlanes(job, s, stored, w, (slot) => tiff.file.pages[s.planePages[slot]!]!);
    const pyramid = await filePyramid(tiff.file, s, stored);
    const levels: ChunkedArrayWriter[] = [];
    let shape = stored.shape;
    for (const pages of pyramid ?? []) {
      shape = shape.map((d, k) => (k >= shape.length - 2 ? Math.ceil(d / 2) : d));
      const lw = await job.store.createChunkedArray({ dtype: stored.dtype, shape });
      job.writers.push(lw);
      await writePlanes(job, s, stored, lw, (slot) => pages[slot]!);
      levels.push(lw);
    }
    items.push({
      fields: { [stored.field]: { kind: 'array', staged: w } },
      name: seriesName(job.name, s, i, tiff.series.length),
      source: 'upload',
      schema: stored.schema,
      extra: {
        file: job.name,
        path: job.path,
        format: tiff.format,
        ...(tiff.series.length > 1 ? { series: i, seriesCount: tiff.series.length } : {}),
        ...(s.name ? { seriesName: s.name } : {}),
        ...(levels.length ? { pyramidFromFile: true } : {}),
      },
      axes: { [stored.field]: storedAxes(s, stored) },
      ...(levels.length ? { levels: { [stored.field]: levels } } : {}),
    });
  }
  return items;
}

/** Bytes the file's series take once stored (for the quota check). */
export function microscopyBytes(tiff: MicroscopyTiff): number {
  return tiff.series.reduce((n, s) => {
    const st = storedLayout(s.sizes, s.dtype);
    return n + st.shape.reduce((a, d) => a * d, typedArrayCtor(st.dtype).BYTES_PER_ELEMENT);
  }, 0);
}
