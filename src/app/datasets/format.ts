// Pure helpers of the datasets panel: sizes, dimensions, names, filtering, paging and the import
// summary. No React, no DOM: unit-tested in tests/unit/datasetsUi.test.ts.
import type { DatasetMeta, FieldMeta } from '../../core/records';
import { dimsText } from '../viewers/render/dims';
import { fieldAxes } from '../viewers/render/hyperstack';

/** Decimal units, as browsers and file managers show storage: "0 B", "512 B", "1.5 KB", "123 MB", "2.1 GB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 999.5 && u < units.length - 1);
  const digits = v < 9.95 ? 1 : 0;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** "256×256", "3×256×256"; "scalar" for a 0-D array. */
export function formatDims(shape: readonly number[]): string {
  return shape.length ? shape.join('×') : 'scalar';
}

/** The field a dataset is shown and exported by: `image`, else the first array field with ≥ 2 dims, else any array field. */
export function mainKey(meta: Pick<DatasetMeta, 'keys'>): string | null {
  const keys = meta.keys ?? {};
  if (keys.image && keys.image.kind !== 'string') return 'image';
  const arrays = Object.entries(keys).filter(([, f]) => f.kind !== 'string');
  const image = arrays.find(([, f]) => f.shape.length >= 2);
  return (image ?? arrays[0])?.[0] ?? null;
}

export function mainField(meta: Pick<DatasetMeta, 'keys'>): FieldMeta | null {
  const k = mainKey(meta);
  return k ? (meta.keys[k] ?? null) : null;
}

/**
 * "256 × 128 · uint16 · 128 KB": the main field's size (width × height …, render/dims.ts, with the
 * stored shape in `dimsTitle`), its dtype and the dataset's total size.
 */
export function describeDataset(meta: Pick<DatasetMeta, 'keys' | 'byteLength'> & { schema?: string | null }): {
  dims: string;
  dimsTitle: string;
  dtype: string;
  size: string;
} {
  const values = meta.schema === 'Table' ? meta.keys.values : undefined;
  if (values?.shape.length === 2) {
    const [columns, rows] = values.shape as [number, number];
    const plural = (n: number, w: string) => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;
    return {
      dims: `${plural(rows, 'row')} × ${plural(columns, 'column')}`,
      dimsTitle: 'A table (values float64 [columns, rows])',
      dtype: '',
      size: formatBytes(meta.byteLength),
    };
  }
  const k = mainKey(meta);
  const f = k ? meta.keys[k] : null;
  const dims = f && k ? dimsText(f.shape, fieldAxes(k, f)) : null;
  return {
    dims: dims ? dims.text : 'no array',
    dimsTitle: dims ? dims.title : '',
    dtype: f ? f.dtype : '',
    size: formatBytes(meta.byteLength),
  };
}

export const MAX_NAME_LENGTH = 200;

/** Null when `name` is a usable dataset/stack name, else a readable reason. */
export function validateName(name: string): string | null {
  const t = name.trim();
  if (t === '') return 'A name cannot be empty.';
  if (t.length > MAX_NAME_LENGTH) return `A name can have at most ${MAX_NAME_LENGTH} characters (this one has ${t.length}).`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) return 'A name cannot contain control characters (tabs, line breaks).';
  return null;
}

const IMAGE_EXT = /\.(png|jpe?g|jpe|jfif|tiff?|npy|gif|webp|bmp|dib)$/i;

/**
 * A download file name for a dataset: unsafe characters replaced, a known image extension dropped,
 * an import page suffix "cells.tif [3/10]" written as "cells_p03", then ".<ext>".
 */
export function exportFileName(name: string, ext: string): string {
  let base = name.trim();
  const page = /^(.*?)\s*\[(\d+)\/(\d+)\]$/.exec(base);
  if (page) {
    const [, stem, n, total] = page as unknown as [string, string, string, string];
    base = `${stem.replace(IMAGE_EXT, '')}_p${n.padStart(total.length, '0')}`;
  }
  base = base
    .replace(IMAGE_EXT, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (base.length > 120) base = base.slice(0, 120).trimEnd();
  return `${base || 'dataset'}.${ext}`;
}

/** Case-insensitive name filter (all words must occur, in any order). */
export function filterByName<T extends { name: string }>(items: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...items];
  return items.filter((it) => {
    const n = it.name.toLowerCase();
    return words.every((w) => n.includes(w));
  });
}

export const PAGE_SIZE = 200;

/** One page of a list: the items, the clamped page index and how many pages there are (at least 1). */
export function paginate<T>(items: readonly T[], page: number, size = PAGE_SIZE): { items: T[]; page: number; pages: number; start: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  const start = p * size;
  return { items: items.slice(start, start + size), page: p, pages, start };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface ImportOutcome {
  ids: readonly string[];
  errors: readonly { file: string; message: string }[];
  stacks: readonly unknown[];
  /** The Volume datasets among `ids`. */
  volumes?: readonly string[];
  /** Files not imported because the import was cancelled. */
  cancelled?: readonly string[];
  /** The Segmentation datasets among `ids` made from label files. */
  labels?: readonly string[];
}

/**
 * "Imported 12 images (1 stack). 1 file could not be read:", "Imported 1 volume.", "Imported 2 images.
 * Cancelled: 1 file not imported." — the headline of an import's report.
 */
export function importSummary(r: ImportOutcome): string {
  const parts: string[] = [];
  const volumes = r.volumes?.length ?? 0;
  const labels = r.labels?.length ?? 0;
  const images = r.ids.length - volumes - labels;
  const made = [images ? plural(images, 'image') : '', volumes ? plural(volumes, 'volume') : '', labels ? `${plural(labels, 'label image')} as labels` : '']
    .filter(Boolean)
    .join(' and ');
  if (made) {
    parts.push(`Imported ${made}${r.stacks.length ? ` (${plural(r.stacks.length, 'stack')})` : ''}.`);
  } else {
    parts.push('Nothing was imported.');
  }
  if (r.cancelled?.length) parts.push(`Cancelled: ${plural(r.cancelled.length, 'file')} not imported.`);
  if (r.errors.length) parts.push(`${plural(r.errors.length, 'file')} could not be read:`);
  return parts.join(' ');
}

/** "412 MB of 2.1 GB": bytes read so far of a total. */
export function bytesProgress(done: number, total: number): string {
  return `${formatBytes(done)} of ${formatBytes(total)}`;
}

/**
 * One error line: "notes.txt — unsupported format …". Decoder messages start with the file name
 * ("notes.txt: unrecognised …"); that prefix is not repeated.
 */
export function errorLine(e: { file: string; message: string }): string {
  const base = e.file.split('/').pop() ?? e.file;
  let msg = e.message.trim();
  for (const prefix of [`${e.file}:`, `${base}:`]) {
    if (msg.startsWith(prefix)) {
      msg = msg.slice(prefix.length).trim();
      break;
    }
  }
  return `${e.file} — ${msg}`;
}

/** Imports at least this big (files or bytes) ask the browser for persistent storage the first time. */
export const LARGE_IMPORT_FILES = 20;
export const LARGE_IMPORT_BYTES = 10_000_000;

export function isLargeImport(fileCount: number, totalBytes: number): boolean {
  return fileCount >= LARGE_IMPORT_FILES || totalBytes >= LARGE_IMPORT_BYTES;
}

/** What a large import says about persistent storage. */
export function persistNote(asked: boolean, alreadyPersisted: boolean, answer: boolean | null): string {
  if (alreadyPersisted) return 'Storage is persistent: the browser will not clear these datasets to free space.';
  if (asked && answer === true) return 'Persistent storage granted: the browser will not clear these datasets to free space.';
  const risk = 'the browser may clear data when the disk runs low — export what you need to keep.';
  if (asked && answer === false) return `Persistent storage was not granted: ${risk}`;
  if (asked) return `This browser does not offer persistent storage: ${risk}`;
  return `Storage is not persistent (the browser declined earlier): ${risk}`;
}

/** Drops of more files than this show a progress bar. */
export const PROGRESS_MIN_FILES = 3;

/** The next free "Stack N" style default name. */
export function nextName(base: string, taken: Iterable<string>): string {
  const set = new Set([...taken].map((n) => n.toLowerCase()));
  for (let i = 1; ; i++) {
    const n = `${base} ${i}`;
    if (!set.has(n.toLowerCase())) return n;
  }
}
