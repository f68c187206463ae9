// What a drop (or a file/folder picker) holds, as a flat list of files with folder-relative paths,
// and whether it is an algorithm bundle or images. Pure logic over small structural interfaces, so the
// directory walk is unit-tested with fake entries (tests/unit/datasetsUi.test.ts); the browser's
// FileSystemEntry objects satisfy them.
import { thrownMessage } from '../../core/describeValue';

/** A file with its path relative to the drop: "scan/slice_01.tif", or just its name at the top level. */
export interface DropItem {
  file: File;
  path: string;
}

/** The parts of FileSystemEntry the walk uses. */
export interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, error?: (err: DOMException | Error) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, error?: (err: DOMException | Error) => void): void };
}

/** The parts of DataTransfer a drop handler reads (a real DataTransfer is one). */
export interface DataTransferLike {
  readonly items?: ArrayLike<{ kind: string; webkitGetAsEntry?(): EntryLike | null; getAsFile(): File | null }> | null;
  readonly files?: ArrayLike<File> | null;
}

/** A drop captured synchronously (entries and files are only readable during the drop event). */
export interface DropSnapshot {
  entries: EntryLike[];
  /** Files of items that gave no entry, and the files of a drop without items. */
  files: File[];
}

export interface WalkProblem {
  file: string;
  message: string;
}

/** Operating-system clutter skipped silently in folders (.DS_Store, Thumbs.db, desktop.ini, dot files other than Zarr v2's metadata). */
export function isJunk(name: string): boolean {
  return (name.startsWith('.') && !/^\.z(attrs|group|array|metadata)$/.test(name)) || /^(thumbs\.db|desktop\.ini|ehthumbs\.db)$/i.test(name);
}

/**
 * Read what a drop holds, synchronously, inside the drop handler: one entry per file item (via
 * `webkitGetAsEntry`), falling back to `getAsFile()` for items without one and to `files` when there
 * are no items (synthetic drops, old browsers).
 */
export function snapshotDataTransfer(dt: DataTransferLike | null | undefined): DropSnapshot {
  const entries: EntryLike[] = [];
  const files: File[] = [];
  if (!dt) return { entries, files };
  const items = dt.items ? Array.from(dt.items).filter((it) => it.kind === 'file') : [];
  if (items.length) {
    for (const it of items) {
      const entry = typeof it.webkitGetAsEntry === 'function' ? it.webkitGetAsEntry() : null;
      if (entry) entries.push(entry);
      else {
        const f = it.getAsFile();
        if (f) files.push(f);
      }
    }
    // Some browsers give file items whose getAsFile is null for synthetic drops: use `files` then.
    if (!entries.length && !files.length && dt.files) files.push(...Array.from(dt.files));
  } else if (dt.files) {
    files.push(...Array.from(dt.files));
  }
  return { entries, files };
}

/** A file's path from a folder picker or a synthetic drop: `webkitRelativePath` (or `path`) when set, else its name. */
export function relativePathOf(file: File): string {
  const f = file as File & { webkitRelativePath?: string; path?: string };
  const p = (f.webkitRelativePath || f.path || '').replace(/\\/g, '/').replace(/^\/+/, '');
  return p || file.name;
}

/** Files (picker, fallback drop) as drop items, junk skipped. */
export function filesToItems(files: ArrayLike<File>): DropItem[] {
  return Array.from(files)
    .map((file) => ({ file, path: relativePathOf(file) }))
    .filter((it) => !it.path.split('/').some(isJunk));
}

function readFile(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a directory: `readEntries` returns batches (100 at a time in Chromium) until an empty one. */
export async function readAllEntries(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

/**
 * Walk dropped entries: files as they are, folders recursively, each file with its path relative to
 * the drop ("scan/sub/a.tif"). Unreadable files or folders are reported, the rest returned.
 */
export async function walkEntries(entries: readonly EntryLike[]): Promise<{ items: DropItem[]; problems: WalkProblem[] }> {
  const items: DropItem[] = [];
  const problems: WalkProblem[] = [];
  async function visit(entry: EntryLike, prefix: string): Promise<void> {
    if (isJunk(entry.name)) return;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      let children: EntryLike[];
      try {
        children = await readAllEntries(entry as DirectoryEntryLike);
      } catch (e) {
        problems.push({ file: `${path}/`, message: `the folder could not be read (${thrownMessage(e)}).` });
        return;
      }
      for (const c of children) await visit(c, path);
    } else if (entry.isFile) {
      try {
        items.push({ file: await readFile(entry as FileEntryLike), path });
      } catch (e) {
        problems.push({ file: path, message: `the file could not be read (${thrownMessage(e)}).` });
      }
    }
  }
  for (const e of entries) await visit(e, '');
  return { items, problems };
}

/** Everything a snapshot holds, as drop items. */
export async function collectDrop(snap: DropSnapshot): Promise<{ items: DropItem[]; problems: WalkProblem[] }> {
  const walked = await walkEntries(snap.entries);
  return { items: [...walked.items, ...filesToItems(snap.files)], problems: walked.problems };
}

/** A bundle in a drop: a zip file, or a folder (or the drop's top level) with pyproject.toml at its root. */
export type BundleDrop = { kind: 'zip'; name: string; file: File } | { kind: 'folder'; name: string; files: Record<string, File> };

export interface ClassifiedDrop {
  bundles: BundleDrop[];
  images: DropItem[];
}

const isZip = (name: string) => /\.zip$/i.test(name);

/**
 * Split a drop into algorithm bundles and images. A `.zip` is a bundle; a top-level folder holding
 * `pyproject.toml` directly is a bundle (its files keyed by bundle-relative path); when
 * `pyproject.toml` itself is at the drop's top level, the whole drop is one bundle. Everything else
 * is images (files the decoders cannot read are reported by the import).
 */
export function classifyDrop(items: readonly DropItem[]): ClassifiedDrop {
  const top = items.filter((it) => !it.path.includes('/'));
  if (top.some((it) => it.path.toLowerCase() === 'pyproject.toml')) {
    const files: Record<string, File> = {};
    for (const it of items) files[it.path] = it.file;
    return { bundles: [{ kind: 'folder', name: 'bundle', files }], images: [] };
  }
  const bundleFolders = new Set<string>();
  for (const it of items) {
    const parts = it.path.split('/');
    if (parts.length === 2 && parts[1]!.toLowerCase() === 'pyproject.toml') bundleFolders.add(parts[0]!);
  }
  const bundles: BundleDrop[] = [];
  const folderFiles = new Map<string, Record<string, File>>();
  const images: DropItem[] = [];
  for (const it of items) {
    const slash = it.path.indexOf('/');
    const root = slash < 0 ? null : it.path.slice(0, slash);
    if (root !== null && bundleFolders.has(root)) {
      let files = folderFiles.get(root);
      if (!files) folderFiles.set(root, (files = {}));
      files[it.path.slice(slash + 1)] = it.file;
    } else if (isZip(it.path)) {
      bundles.push({ kind: 'zip', name: it.path, file: it.file });
    } else {
      images.push(it);
    }
  }
  for (const [name, files] of folderFiles) bundles.push({ kind: 'folder', name, files });
  return { bundles, images };
}

/** Whether a drag carries files (so the overlay shows only for file drags, not text or links). */
export function dragHasFiles(dt: { types?: ArrayLike<string> | null } | null | undefined): boolean {
  return !!dt?.types && Array.from(dt.types).includes('Files');
}
