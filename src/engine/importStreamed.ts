// The streamed half of import (importFiles.ts): an NPY or TIFF file read a slab of pages at a time
// (src/core/imageCodecs/paged.ts) and written into staged chunked arrays as it is read, so that the
// file is never whole in memory: into ONE [Z, Y, X] array for a Volume dataset, or one array per page
// for Image datasets when the file is large. The caller commits the staged arrays with their datasets
// in one transaction and aborts them on any failure or cancel (nothing half-written stays).
import { encodeItem } from '../core/datasetCodec';
import { DATA_SCHEMAS, validateItem } from '../core/dataSchemas';
import { isVolume, type PagedImageFile } from '../core/imageCodecs';
import type { NDArray } from '../core/ndarray';
import type { ChunkedArrayWriter, NewDataset, Store } from '../store/index';

/** Thrown when the import's AbortSignal fires: the file in progress and the ones after it are reported as cancelled. */
export class ImportCancelled extends Error {
  constructor() {
    super('The import was cancelled.');
    this.name = 'ImportCancelled';
  }
}

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ImportCancelled();
}

/** A file's pages as Image datasets decoded in memory up to this many bytes; beyond, each page is staged in the store as it is read. */
export const IN_MEMORY_FILE_BYTES = 64 * 1024 * 1024;

/** What a streamed file needs from the import. */
export interface StreamJob {
  store: Pick<Store, 'createChunkedArray'>;
  file: PagedImageFile;
  /** The entry's name and path (dataset names and extras). */
  name: string;
  path: string;
  signal: AbortSignal | undefined;
  /** Called after each slab with the bytes of the file read so far. */
  onBytes(fileDone: number): void;
  /** Every staged array made for this file (the caller aborts them all when the file is not stored). */
  writers: ChunkedArrayWriter[];
}

/**
 * Read runs of `pagesPerRead` pages and hand each to `use`, reading the next run while `use` writes
 * this one (two runs in memory at most); checks the signal between runs.
 */
export async function eachRun<T>(job: StreamJob, read: (from: number, to: number) => Promise<T>, use: (from: number, run: T) => Promise<void>): Promise<void> {
  const { pages, pagesPerRead } = job.file;
  const start = (from: number) => {
    const p = read(from, Math.min(from + pagesPerRead, pages));
    p.catch(() => {}); // awaited below; a run read ahead and never awaited (an earlier failure) must not be an unhandled rejection
    return p;
  };
  let next = start(0);
  for (let from = 0; from < pages; from += pagesPerRead) {
    const run = await next;
    if (from + pagesPerRead < pages) next = start(from + pagesPerRead);
    checkCancelled(job.signal);
    await use(from, run);
    job.onBytes(job.file.bytesRead);
  }
}

/** The file as ONE Volume dataset: a [Z, Y, X] chunked array written slab by slab, committed by the caller with the dataset. */
export async function stageVolume(job: StreamJob): Promise<NewDataset> {
  const v = job.file.volume;
  if (!isVolume(v)) throw new Error(`${job.name}: cannot be imported as one volume: ${v.problem}. Import it as a stack of images instead.`);
  const w = await job.store.createChunkedArray({ dtype: v.dtype, shape: v.shape });
  job.writers.push(w);
  let checked = false;
  await eachRun(
    job,
    (from, to) => job.file.readVolume(from, to),
    async (from, slab) => {
      if (!checked) validateItem(DATA_SCHEMAS.Volume, { volume: slab });
      checked = true;
      await w.write([from, 0, 0], slab);
    },
  );
  return {
    fields: { volume: { kind: 'array', staged: w } },
    name: job.name,
    source: 'upload',
    schema: 'Volume',
    extra: { file: job.name, path: job.path, pages: v.shape[0], format: job.file.format },
  };
}

/** The file's pages as Image datasets: in memory for a small file, else each page staged in the store as it is read. */
export async function stagePages(job: StreamJob): Promise<NewDataset[]> {
  const { pages } = job.file;
  const staged = job.file.imageBytes > IN_MEMORY_FILE_BYTES;
  const items: NewDataset[] = [];
  await eachRun(
    job,
    (from, to) => job.file.readImages(from, to),
    async (from, images: NDArray[]) => {
      for (const [k, image] of images.entries()) {
        const page = from + k;
        validateItem(DATA_SCHEMAS.Image, { image });
        let fields: NewDataset['fields'];
        if (staged) {
          const w = await job.store.createChunkedArray({ dtype: image.dtype, shape: image.shape });
          job.writers.push(w);
          await w.write(
            image.shape.map(() => 0),
            image,
          );
          fields = { image: { kind: 'array', staged: w } };
        } else {
          fields = encodeItem({ image });
        }
        items.push({
          fields,
          name: pages > 1 ? `${job.name} [${page + 1}/${pages}]` : job.name,
          source: 'upload',
          schema: 'Image',
          extra: { file: job.name, path: job.path, page, pages },
        });
      }
    },
  );
  return items;
}
