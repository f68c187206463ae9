// Image files → datasets (the API's `datasets.importFiles` / `importFilesDetailed`): each file decoded
// into 2-D images (one per page) and stored as Image datasets; a multi-page file becomes a stack named
// after the file, 2+ single-image files of one folder a stack named after the folder; every file that
// cannot be read or stored is reported by path with the reason, and the rest are imported.
import { encodeItem } from '../core/datasetCodec';
import { thrownMessage } from '../core/describeValue';
import { quotaProblem, type StorageEstimateLike } from '../core/quota';
import { DATA_SCHEMAS, validateItem } from '../core/dataSchemas';
import type { NDArray } from '../core/ndarray';
import { naturalCompare, type StackRecord } from '../core/stacks';
import type { NewDataset, Store } from '../store/index';

/** A named file (a `File`), or a file with its path relative to a dropped folder's root ("cells/img_02.png"). */
export type ImportEntry = (Blob & { name?: string; webkitRelativePath?: string }) | { file: Blob & { name?: string }; path: string };

export interface ImportOptions {
  /** Called before each file is read (`done` files finished so far, `currentName` its path) and once at the end (done = total, name ''). */
  onProgress?(done: number, total: number, currentName: string): void;
  /** Ask for persistent storage (`navigator.storage.persist()`) when the files total more bytes than this (default 50 MB). */
  persistThresholdBytes?: number;
  /**
   * Most bytes one decoded image (a page, a slice) may take; a file declaring a larger one fails
   * with its name, page, dimensions and the bytes needed, before anything is allocated, and the
   * other files still import. Default: the context's `maxImageBytes` (createAlgobox's), else 1 GiB.
   */
  maxImageBytes?: number;
}

export interface ImportResult {
  /** Every dataset made, in natural path order. */
  ids: string[];
  /** Files that could not be read or stored, each with the reason; the rest were imported. */
  errors: ImportError[];
  /** Stacks made: one per multi-page file, one per folder holding 2+ single-image files. */
  stacks: StackRecord[];
  /** The answer of `navigator.storage.persist()` when this import was large enough to ask; null when not asked or unavailable. */
  persisted: boolean | null;
}

export interface ImportError {
  file: string;
  message: string;
}

/** Decodes one image file into 2-D images (one per page). Injected by the app (needs a browser for JPEG). */
export type ImageFileDecoder = (
  file: Blob & { name?: string },
  limits?: { maxImageBytes?: number },
) => Promise<{ image: NDArray; page: number; pages: number }[]>;

export const DEFAULT_PERSIST_THRESHOLD_BYTES = 50 * 1024 * 1024;

/** What an import needs: the decoder, the store (awaited once the files are listed) and the persistence request. */
export interface ImportContext {
  decode: ImageFileDecoder | undefined;
  /** The app's limit on one decoded image (ImportOptions.maxImageBytes overrides it per import). */
  maxImageBytes?: number | undefined;
  store(): Promise<Pick<Store, 'putDatasets' | 'putDatasetsAsStack'>>;
  /** `navigator.storage.persist()`'s answer, null where unavailable. */
  persist(): Promise<boolean | null>;
  /** `navigator.storage.estimate()`, null where unavailable: an import larger than the free space is refused before anything is written. */
  estimate?(): Promise<StorageEstimateLike | null>;
}

interface Entry {
  blob: Blob & { name?: string };
  /** Normalised relative path ("cells/img_02.png", or just the name). */
  path: string;
  name: string;
  folder: string;
}

function normalisePath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/|\/)+/, '');
}

function entryOf(x: ImportEntry, i: number): Entry | { error: ImportError } {
  let blob: unknown;
  let path: string;
  if (typeof x === 'object' && x !== null && !(x instanceof Blob) && 'file' in x) {
    blob = x.file;
    path = typeof x.path === 'string' && x.path.trim() ? x.path : ((x.file as { name?: string } | null)?.name ?? '');
  } else {
    blob = x;
    const f = x as { name?: string; webkitRelativePath?: string } | null;
    path = f?.webkitRelativePath || f?.name || '';
  }
  path = normalisePath(path) || `file ${i + 1}`;
  if (!(blob instanceof Blob)) return { error: { file: path, message: 'not a file (expected a File or Blob).' } };
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const named = blob as Blob & { name?: string };
  // The decoder sniffs the format by magic bytes, then by the name's extension: give it a name.
  const file = named.name ? named : typeof File === 'function' ? new File([blob], name, { type: blob.type }) : Object.assign(blob, { name });
  return { blob: file, path, name, folder: slash < 0 ? '' : path.slice(0, slash) };
}

/** The entries in natural path order, and the items that are not files. */
function listEntries(files: Iterable<ImportEntry> | ArrayLike<ImportEntry>, errors: ImportError[]): Entry[] {
  const entries: Entry[] = [];
  Array.from(files as ArrayLike<ImportEntry>).forEach((x, i) => {
    const en = entryOf(x, i);
    if ('error' in en) errors.push(en.error);
    else entries.push(en);
  });
  return entries.sort((a, b) => naturalCompare(a.path, b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function byFolder(entries: Entry[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  for (const en of entries) {
    const g = groups.get(en.folder);
    if (g) g.push(en);
    else groups.set(en.folder, [en]);
  }
  return groups;
}

/** One file's pages as Image datasets (validated), named "<file> [k/n]" when there are several. */
async function decodeEntry(en: Entry, decode: ImageFileDecoder, maxImageBytes: number | undefined): Promise<NewDataset[]> {
  const pages = await decode(en.blob, { maxImageBytes });
  if (pages.length === 0) throw new Error('the file holds no image.');
  return pages.map((p) => {
    validateItem(DATA_SCHEMAS.Image, { image: p.image });
    return {
      fields: encodeItem({ image: p.image }),
      name: p.pages > 1 ? `${en.name} [${p.page + 1}/${p.pages}]` : en.name,
      source: 'upload',
      schema: 'Image',
      extra: { file: en.name, path: en.path, page: p.page, pages: p.pages },
    };
  });
}

/** What one import has made so far. */
interface Made {
  ids: Map<Entry, string[]>;
  errors: ImportError[];
  stacks: StackRecord[];
}

type ImportStore = Awaited<ReturnType<ImportContext['store']>>;

/** The single-image files of one folder: a stack when the folder (not the root) has 2+ of them, else one dataset each. */
async function storeSingles(store: ImportStore, folder: string, singles: { en: Entry; item: NewDataset }[], made: Made): Promise<void> {
  if (folder !== '' && singles.length >= 2) {
    try {
      const name = folder.slice(folder.lastIndexOf('/') + 1);
      const r = await store.putDatasetsAsStack(
        singles.map((s) => s.item),
        { name, source: 'import', extra: { folder } },
      );
      singles.forEach((s, i) => made.ids.set(s.en, [r.ids[i]!]));
      made.stacks.push(r.stack);
    } catch (err) {
      for (const s of singles) made.errors.push({ file: s.en.path, message: thrownMessage(err) });
    }
    return;
  }
  for (const s of singles) {
    try {
      made.ids.set(s.en, await store.putDatasets([s.item]));
    } catch (err) {
      made.errors.push({ file: s.en.path, message: thrownMessage(err) });
    }
  }
}

/**
 * Files in natural path order; a multi-page file becomes a stack named after the file; 2+
 * single-image files of one folder a stack named after the folder; each stack is written with its
 * datasets in one transaction. Files at the root (no folder) are single datasets.
 */
export async function importFiles(
  ctx: ImportContext,
  files: Iterable<ImportEntry> | ArrayLike<ImportEntry>,
  options: ImportOptions | ((done: number, total: number) => void) = {},
): Promise<ImportResult> {
  const o: ImportOptions = typeof options === 'function' ? { onProgress: (d, t) => options(d, t) } : (options ?? {});
  const decode = ctx.decode;
  if (!decode) throw new Error('importFiles needs an image decoder (available in the browser app).');
  const made: Made = { ids: new Map(), errors: [], stacks: [] };
  const entries = listEntries(files, made.errors);
  const store = await ctx.store();
  const total = entries.length;
  const bytes = entries.reduce((s, en) => s + en.blob.size, 0);
  let persisted: boolean | null = null;
  if (bytes > (o.persistThresholdBytes ?? DEFAULT_PERSIST_THRESHOLD_BYTES)) persisted = await ctx.persist();
  // The files' bytes are a lower bound of what the import stores: refuse at once rather than fail halfway.
  const quota = quotaProblem(`Importing ${total} file${total === 1 ? '' : 's'}`, bytes, await ctx.estimate?.().catch(() => null));
  if (quota) throw new Error(quota);

  let done = 0;
  for (const [folder, group] of byFolder(entries)) {
    const singles: { en: Entry; item: NewDataset }[] = [];
    for (const en of group) {
      o.onProgress?.(done, total, en.path);
      try {
        const items = await decodeEntry(en, decode, o.maxImageBytes ?? ctx.maxImageBytes);
        if (items.length > 1) {
          const r = await store.putDatasetsAsStack(items, { name: en.name, source: 'import', extra: { file: en.path, pages: items.length } });
          made.ids.set(en, r.ids);
          made.stacks.push(r.stack);
        } else {
          singles.push({ en, item: items[0]! });
        }
      } catch (err) {
        made.errors.push({ file: en.path, message: thrownMessage(err) });
      }
      done++;
    }
    await storeSingles(store, folder, singles, made);
  }
  o.onProgress?.(total, total, '');
  made.errors.sort((x, y) => naturalCompare(x.file, y.file));
  return { ids: entries.flatMap((en) => made.ids.get(en) ?? []), errors: made.errors, stacks: made.stacks, persisted };
}
