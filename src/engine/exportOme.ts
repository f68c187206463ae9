// `datasets.exportOme` / `stacks.exportOme`: a dataset's array field, or a stack as a Z stack, written
// as OME-TIFF or OME-Zarr (0.4 or 0.5), with masks as OME-Zarr labels; into a Blob, a file
// (FileSystemFileHandle: the save picker) or a folder (FileSystemDirectoryHandle: OME-Zarr only).
import type { Store } from '../store/index';
import { blobSink, fileSink, type ByteSink, type FileHandleLike } from './exportOmeSinks';
import { datasetSource, stackSource, type ExportArray } from './exportOmeSource';
import { writeOmeTiff } from './exportOmeTiff';
import { folderTarget, writeOmeZarr, zipTarget, type DirectoryHandleLike, type LabelSource } from './exportOmeZarr';

export type OmeFormat = 'ome-tiff' | 'ome-zarr-0.4' | 'ome-zarr-0.5';
export const OME_FORMATS: readonly OmeFormat[] = ['ome-tiff', 'ome-zarr-0.4', 'ome-zarr-0.5'];

export interface OmeExportOptions {
  format: OmeFormat;
  /** The array field to export (default: `image`, else the first array field of 2+ dims). Datasets only. */
  key?: string;
  /** Mask dataset ids written as OME-Zarr `labels/<name>` of the image (each the image's shape without its c axis). OME-Zarr only. */
  labels?: readonly string[];
  /** OME-TIFF: 'none' (default) or 'deflate' (zlib). OME-Zarr chunks are always uncompressed. */
  compression?: 'none' | 'deflate';
  /**
   * Where to write instead of returning a Blob: a file handle (`showSaveFilePicker`: the OME-TIFF, or
   * the OME-Zarr as a zip) or, for OME-Zarr, a folder handle (`showDirectoryPicker`: the Zarr files in it).
   */
  target?: FileHandleLike | DirectoryHandleLike;
  /** (done, total) units of work: planes written. */
  onProgress?(done: number, total: number): void;
}

export type ExportSubject = { dataset: string } | { stack: string };

function checkOptions(opts: OmeExportOptions | undefined): OmeExportOptions {
  if (!opts || typeof opts !== 'object' || !OME_FORMATS.includes(opts.format)) {
    throw new Error(`exportOme: options.format must be one of ${OME_FORMATS.map((f) => `'${f}'`).join(', ')}; got ${JSON.stringify(opts?.format)}.`);
  }
  const c = opts.compression ?? 'none';
  if (c !== 'none' && c !== 'deflate') throw new Error(`exportOme: options.compression must be 'none' or 'deflate'; got ${JSON.stringify(c)}.`);
  if (opts.format !== 'ome-tiff' && c !== 'none')
    throw new Error(`exportOme: OME-Zarr chunks are written uncompressed; options.compression '${c}' applies to OME-TIFF only.`);
  if (opts.format === 'ome-tiff' && opts.labels?.length)
    throw new Error('exportOme: labels are written to OME-Zarr only (format ome-zarr-0.4 or ome-zarr-0.5).');
  if (opts.labels !== undefined && (!Array.isArray(opts.labels) || opts.labels.some((l) => typeof l !== 'string'))) {
    throw new Error('exportOme: options.labels must be an array of mask dataset ids.');
  }
  return opts;
}

/** The file (or folder) name an export suggests: `<name>.ome.tif`, `<name>.ome.zarr`. */
export function omeFileName(name: string, format: OmeFormat): string {
  const base = name.replace(/\.(ome\.)?(tiff?|zarr|npy|png)$/i, '').replace(/[\\/:*?"<>|]+/g, '_') || 'export';
  return format === 'ome-tiff' ? `${base}.ome.tif` : `${base}.ome.zarr`;
}

async function labelSources(store: Store, ids: readonly string[]): Promise<LabelSource[]> {
  const out: LabelSource[] = [];
  for (const id of ids) {
    const meta = await store.getDatasetMeta(id);
    if (!meta) throw new Error(`exportOme: label dataset not found: '${id}'.`);
    const key = meta.keys.mask && meta.keys.mask.kind !== 'string' ? 'mask' : undefined;
    out.push({ name: meta.name, array: await datasetSource(store, id, key) });
  }
  return out;
}

async function writeTo(src: ExportArray, sink: ByteSink, opts: OmeExportOptions, labels: LabelSource[]): Promise<void> {
  if (opts.format === 'ome-tiff') return writeOmeTiff(src, sink, { compression: opts.compression ?? 'none', onProgress: opts.onProgress });
  const version = opts.format === 'ome-zarr-0.4' ? '0.4' : '0.5';
  return writeOmeZarr(src, zipTarget(sink, omeFileName(src.name, opts.format)), version, { labels, onProgress: opts.onProgress });
}

/** Export `subject`: a Blob (OME-TIFF, or OME-Zarr as a zip), or null once written into `opts.target`. */
export async function exportOme(store: Store, subject: ExportSubject, options: OmeExportOptions): Promise<Blob | null> {
  const opts = checkOptions(options);
  if ('stack' in subject && opts.key !== undefined) throw new Error('exportOme: options.key applies to datasets, not stacks.');
  const src = 'stack' in subject ? await stackSource(store, subject.stack) : await datasetSource(store, subject.dataset, opts.key);
  const labels = await labelSources(store, opts.labels ?? []);
  const target = opts.target;
  if (target && 'getDirectoryHandle' in target) {
    if (opts.format === 'ome-tiff') throw new Error('exportOme: an OME-TIFF is one file: give a file handle, not a folder.');
    await writeOmeZarr(src, folderTarget(target), opts.format === 'ome-zarr-0.4' ? '0.4' : '0.5', { labels, onProgress: opts.onProgress });
    return null;
  }
  if (target) {
    // The browser writes to a swap file until close(): a failed export aborts, leaving no half file.
    const stream = await target.createWritable();
    try {
      await writeTo(src, fileSink(stream), opts, labels);
    } catch (err) {
      await stream.abort?.().catch(() => undefined);
      throw err;
    }
    await stream.close();
    return null;
  }
  const sink = blobSink(opts.format === 'ome-tiff' ? 'image/tiff' : 'application/zip');
  await writeTo(src, sink, opts, labels);
  return sink.blob();
}
