// Image files → datasets (the API's `datasets.importFiles` / `importFilesDetailed`). An OME-TIFF, ImageJ
// TIFF, BigTIFF or JPEG/zstd TIFF becomes one dataset per series with its axes metadata
// (importMicroscopy.ts). NPY and other TIFF files
// are read by byte ranges, never whole (importStreamed.ts): a 3-D NPY or a multi-page TIFF becomes ONE
// Volume dataset written slice by slice into a chunked array, or 2-D Image datasets (one per page) in
// a stack named after the file (`layout`); other formats are decoded whole into one Image (a GIF's
// frames into a stack). 2+ single-image files of one folder become a stack named after the folder when
// they share one shape and dtype, else a stack per group of 2+ equal ones and separate datasets for
// the rest (src/core/importGroups.ts, said in `warnings`). An image's transparency is kept as a
// separate "<file> · alpha" dataset; whatever a file holds that is not kept (an animation's frames,
// GIF transparency) is said in `warnings`. Every file that cannot be read or stored is reported by
// path with the reason, and the rest are imported. Cancelling (`signal`) aborts the file in progress:
// nothing of it stays.
import { encodeItem } from '../core/datasetCodec';
import { thrownMessage } from '../core/describeValue';
import { quotaProblem, type StorageEstimateLike } from '../core/quota';
import { DATA_SCHEMAS, validateItem } from '../core/dataSchemas';
import { isVolume, openPagedFile, type PagedImageFile } from '../core/imageCodecs';
import { itemSize, type NDArray } from '../core/ndarray';
import { openMicroscopyTiff, type MicroscopyTiff } from '../core/ome/microscopyTiff';
import { groupFolder, type GroupMember } from '../core/importGroups';
import { naturalCompare, type StackRecord } from '../core/stacks';
import type { ChunkedArrayWriter, NewDataset, Store } from '../store/index';
import { microscopyBytes, stageMicroscopy } from './importMicroscopy';
import { checkCancelled, ImportCancelled, stagePages, stageVolume, type StreamJob } from './importStreamed';
import { importZarrFolders, takeZarrFolders } from './importZarr';
import { AUTO_VOLUME_BYTES, DEFAULT_PERSIST_THRESHOLD_BYTES } from './importDefaults';
import { labelTarget, NotLabelImage, stageLabels, type LabelJob } from './importLabels';
import { labelNameHint } from '../core/labelArrays';

/** A named file (a `File`), or a file with its path relative to a dropped folder's root ("cells/img_02.png"). */
export type ImportEntry = (Blob & { name?: string; webkitRelativePath?: string }) | { file: Blob & { name?: string }; path: string };

/**
 * How a multi-page file (a multi-page TIFF, a 3-D NPY) is imported: 'images' = one Image dataset per
 * page, in a stack named after the file; 'volume' = one Volume dataset ([Z, Y, X], pages of one size
 * and dtype); 'auto' = a volume when it would be larger than AUTO_VOLUME_BYTES, else images.
 */
export type ImportLayout = 'auto' | 'images' | 'volume';

/** Byte-level progress inside a file that is read in pieces (NPY, TIFF), and over the whole import. */
export interface ImportBytes {
  /** Bytes of the current file read so far, and its size. */
  fileDone: number;
  fileTotal: number;
  /** Bytes of all the files read so far (finished files count whole), and their total. */
  done: number;
  total: number;
}

export interface ImportOptions {
  /**
   * Called before each file is read (`done` files finished so far, `currentName` its path), again
   * with `bytes` after each slab of a file read in pieces, and once at the end (done = total, name '').
   */
  onProgress?(done: number, total: number, currentName: string, bytes?: ImportBytes): void;
  /** Multi-page files as one Volume or a stack of Images (default 'auto'; see ImportLayout). */
  layout?: ImportLayout;
  /**
   * Cancels the import: the file being read is dropped (its staged arrays aborted, nothing of it
   * stored), the files not yet read are skipped; both are listed in `cancelled`. Files already
   * stored stay.
   */
  signal?: AbortSignal;
  /** Ask for persistent storage (`navigator.storage.persist()`) when the files total more bytes than this (default 50 MB). */
  persistThresholdBytes?: number;
  /**
   * Most bytes one decoded image (a page, a slice) may take; a file declaring a larger one fails
   * with its name, page, dimensions and the bytes needed, before anything is allocated, and the
   * other files still import. Default: the context's `maxImageBytes` (createAlgobox's), else 1 GiB.
   */
  maxImageBytes?: number;
  /**
   * 'labels': every file becomes ONE Segmentation dataset `{ mask }` of integer object ids (0 =
   * background) kept exactly — [Y, X], or [Z, Y, X] for a multi-page TIFF / 3-D NPY — instead of
   * images (src/engine/importLabels.ts, src/core/labelArrays.ts). Default 'images'.
   */
  as?: 'images' | 'labels';
  /**
   * The id of the image dataset the labels belong to (implies `as: 'labels'`): each file must have its
   * Y × X (and Z) size, and records `extra.madeFrom = labelsOf` so that the viewer shows it over the image.
   */
  labelsOf?: string;
  /**
   * A file whose name says it holds labels (`*_labels.*`, `*_label.*`, `*_masks.*`, `*_mask.*`,
   * `*_cp_masks.*`, `*_seg.*`) and that is an integer image is imported as labels, said in `warnings`
   * (drops in the app); one that is not (RGB, float) is imported as an image.
   */
  labelsByName?: boolean;
}

export interface ImportResult {
  /** Every dataset made, in natural path order. */
  ids: string[];
  /** The Volume datasets among `ids` (one per file imported as a volume). */
  volumes: string[];
  /** The Segmentation datasets among `ids` made from label files (`as: 'labels'`, `labelsOf`, `labelsByName`). */
  labels: string[];
  /** Files not imported because the import was cancelled (the one in progress and those after it). */
  cancelled: string[];
  /** Files that could not be read or stored, each with the reason; the rest were imported. */
  errors: ImportError[];
  /**
   * What the user should know about files that were imported: a folder whose images differ in shape
   * or dtype (not made one stack; by file name), a transparency kept as a separate dataset, data a
   * file holds that was not kept (an APNG's or animated WebP's frames, GIF transparency). By path.
   */
  warnings: ImportError[];
  /** Stacks made: one per multi-page file, one per group of 2+ single images of one folder with one shape and dtype. */
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
) => Promise<{ image: NDArray; page: number; pages: number; alpha?: NDArray; dropped?: string[] }[]>;

/** What an import needs: the decoder, the store (awaited once the files are listed) and the persistence request. */
export interface ImportContext {
  decode: ImageFileDecoder | undefined;
  /** The app's limit on one decoded image (ImportOptions.maxImageBytes overrides it per import). */
  maxImageBytes?: number | undefined;
  store(): Promise<Pick<Store, 'putDatasets' | 'putDatasetsAsStack' | 'createChunkedArray' | 'deleteDatasets' | 'getDatasetMeta'>>;
  /** `navigator.storage.persist()`'s answer, null where unavailable. */
  persist(): Promise<boolean | null>;
  /** `navigator.storage.estimate()`, null where unavailable: an import larger than the free space is refused before anything is written. */
  estimate?(): Promise<StorageEstimateLike | null>;
  /** Bytes of an NPY or TIFF file read at once (default SLAB_BYTES, 16 MiB; at least one page); tests make it small. */
  slabBytes?: number;
  /** 'auto' makes a volume above this many decoded bytes (default AUTO_VOLUME_BYTES); tests make it small. */
  autoVolumeBytes?: number;
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

/** A decoded file: its pages as Image datasets, the transparencies kept beside them, and what was not kept. */
interface Decoded {
  items: NewDataset[];
  alphas: NewDataset[];
  warnings: string[];
}

/**
 * One file's pages as Image datasets (validated), named "<file> [k/n]" when there are several; a
 * page's transparency as a gray Image "<name> · alpha" (see DecodedImage.alpha).
 */
async function decodeEntry(en: Entry, decode: ImageFileDecoder, maxImageBytes: number | undefined): Promise<Decoded> {
  const pages = await decode(en.blob, { maxImageBytes });
  if (pages.length === 0) throw new Error('the file holds no image.');
  const out: Decoded = { items: [], alphas: [], warnings: pages.flatMap((p) => p.dropped ?? []) };
  for (const p of pages) {
    validateItem(DATA_SCHEMAS.Image, { image: p.image });
    const name = p.pages > 1 ? `${en.name} [${p.page + 1}/${p.pages}]` : en.name;
    const extra = { file: en.name, path: en.path, page: p.page, pages: p.pages };
    out.items.push({ fields: encodeItem({ image: p.image }), name, source: 'upload', schema: 'Image', extra });
    if (!p.alpha) continue;
    validateItem(DATA_SCHEMAS.Image, { image: p.alpha });
    const alphaName = `${name} · alpha`;
    out.alphas.push({ fields: encodeItem({ image: p.alpha }), name: alphaName, source: 'upload', schema: 'Image', extra: { ...extra, alphaOf: name } });
    const kind = p.image.shape.length === 3 ? 'RGB' : 'gray';
    out.warnings.push(`its transparency (alpha channel) is kept as the separate dataset “${alphaName}”; the image is stored as ${kind}.`);
  }
  return out;
}

/** The shape and dtype of a new Image dataset's `image` field (in memory, staged or remote). */
function imageOf(item: NewDataset): Pick<GroupMember, 'shape' | 'dtype'> {
  const f = item.fields.image!;
  if ('staged' in f) return { shape: f.staged.shape, dtype: f.staged.dtype };
  if ('array' in f) return { shape: f.array.shape, dtype: f.array.dtype };
  return { shape: f.shape, dtype: f.dtype };
}

/** How a file is read and what it makes, known from its header before anything is written. */
interface Plan {
  /** An OME-TIFF, ImageJ TIFF, BigTIFF, … read by geotiff (importMicroscopy.ts): one dataset per series. */
  micro?: MicroscopyTiff;
  /** An NPY or TIFF file read in pieces; null: a file the decoder reads whole (PNG, JPEG, …). */
  paged: PagedImageFile | null;
  /** One Volume dataset (else Image datasets, one per page). */
  volume: boolean;
  /** About the bytes it stores: its declared decoded size, at least the file's size. */
  need: number;
}

async function planEntry(ctx: ImportContext, en: Entry, maxImageBytes: number | undefined, layout: ImportLayout): Promise<Plan> {
  const micro = en.blob.size > 0 ? await openMicroscopyTiff(en.blob, en.name, { maxImageBytes }) : null;
  if (micro) return { micro, paged: null, volume: false, need: Math.max(en.blob.size, microscopyBytes(micro)) };
  const paged = await openPagedFile(en.blob, en.name, { maxImageBytes }, ctx.slabBytes);
  if (!paged) return { paged: null, volume: false, need: en.blob.size };
  const multiPage = paged.pages > 1 || (paged.format === 'NPY' && isVolume(paged.volume));
  const v = paged.volume;
  const volumeBytes = isVolume(v) ? v.shape.reduce((n, d) => n * d, itemSize(v.dtype)) : 0;
  let volume = false;
  if (multiPage && layout === 'volume') {
    if (!isVolume(v)) throw new Error(`${en.name}: cannot be imported as one volume: ${v.problem}. Import it as a stack of images instead.`);
    volume = true;
  } else if (multiPage && layout === 'auto') {
    volume = volumeBytes > (ctx.autoVolumeBytes ?? AUTO_VOLUME_BYTES);
  }
  return { paged, volume, need: Math.max(en.blob.size, volume ? volumeBytes : paged.imageBytes) };
}

/** What one import has made so far. */
interface Made {
  ids: Map<Entry, string[]>;
  volumes: string[];
  labels: string[];
  errors: ImportError[];
  warnings: ImportError[];
  stacks: StackRecord[];
  cancelled: Entry[];
}

/** A single-image file waiting for the rest of its folder, with the staged arrays its dataset commits. */
interface Single {
  en: Entry;
  item: NewDataset;
  writers: ChunkedArrayWriter[];
  /** Its transparency dataset ("<file> · alpha"), stored beside it. */
  alpha?: NewDataset | undefined;
}

type ImportStore = Awaited<ReturnType<ImportContext['store']>>;

/** Drop staged arrays that were not committed (a no-op for those a dataset write committed). */
async function abortAll(writers: readonly ChunkedArrayWriter[]): Promise<void> {
  await Promise.all(writers.map((w) => w.abort().catch(() => {}))); // else the store's GC collects them
}

/** One image of a folder's single-image files, and the file it came from. */
interface Part {
  en: Entry;
  item: NewDataset;
}

/** Store `parts` as importGroups decides (stacks of equal shape and dtype, the rest one by one); ids per file. */
async function storeGroups(store: ImportStore, folder: string, parts: Part[], made: Made, suffix = ''): Promise<void> {
  const members = parts.map((p) => ({ name: p.en.name, ...imageOf(p.item) }));
  const g = groupFolder(folder, members, suffix, suffix !== '');
  const add = (en: Entry, id: string) => made.ids.set(en, [...(made.ids.get(en) ?? []), id]);
  if (g.note) made.warnings.push({ file: `${folder}/`, message: g.note });
  for (const st of g.stacks) {
    const group = st.members.map((i) => parts[i]!);
    try {
      const r = await store.putDatasetsAsStack(
        group.map((p) => p.item),
        { name: st.name, source: 'import', extra: { folder } },
      );
      group.forEach((p, i) => add(p.en, r.ids[i]!));
      made.stacks.push(r.stack);
    } catch (err) {
      for (const p of group) made.errors.push({ file: p.en.path, message: thrownMessage(err) });
    }
  }
  for (const i of g.loose) {
    const p = parts[i]!;
    try {
      add(p.en, (await store.putDatasets([p.item]))[0]!);
    } catch (err) {
      made.errors.push({ file: p.en.path, message: thrownMessage(err) });
    }
  }
}

/**
 * The single-image files of one folder: one stack when the folder (not the root) has 2+ of them of one
 * shape and dtype, else see importGroups.ts; their transparencies grouped the same way (" · alpha").
 */
async function storeSingles(store: ImportStore, folder: string, singles: Single[], made: Made): Promise<void> {
  await storeGroups(
    store,
    folder,
    singles.map((s) => ({ en: s.en, item: s.item })),
    made,
  );
  const alphas = singles.filter((s) => s.alpha && made.ids.has(s.en)).map((s) => ({ en: s.en, item: s.alpha! }));
  if (alphas.length) await storeGroups(store, folder, alphas, made, ' · alpha');
}

/**
 * Read and store one file: a volume or a multi-page file's stack is written at once (its staged
 * arrays committed with it); a single image is added to `singles` for its folder.
 */
async function importEntry(
  store: ImportStore,
  en: Entry,
  plan: Plan,
  job: Omit<StreamJob, 'file' | 'name' | 'path' | 'store'>,
  singles: Single[],
  made: Made,
  o: ImportOptions & { decode: ImageFileDecoder; maxImageBytes: number | undefined },
): Promise<void> {
  let items: NewDataset[];
  let alphas: NewDataset[] = [];
  if (plan.micro) {
    const staged = await stageMicroscopy({ ...job, store, tiff: plan.micro, name: en.name, path: en.path });
    checkCancelled(job.signal);
    const ids = await store.putDatasets(staged);
    made.ids.set(en, ids);
    made.volumes.push(...ids.filter((_, i) => staged[i]!.schema === 'Volume'));
    return;
  }
  if (!plan.paged) {
    const d = await decodeEntry(en, o.decode, o.maxImageBytes);
    items = d.items;
    alphas = d.alphas;
    for (const message of d.warnings) made.warnings.push({ file: en.path, message });
  } else {
    const stream: StreamJob = { ...job, store, file: plan.paged, name: en.name, path: en.path };
    for (const message of plan.paged.dropped ?? []) made.warnings.push({ file: en.path, message });
    if (plan.volume) {
      const item = await stageVolume(stream);
      checkCancelled(job.signal);
      const ids = await store.putDatasets([item]);
      made.ids.set(en, ids);
      made.volumes.push(...ids);
      return;
    }
    items = await stagePages(stream);
  }
  checkCancelled(job.signal);
  if (items.length > 1) {
    const r = await store.putDatasetsAsStack(items, { name: en.name, source: 'import', extra: { file: en.path, pages: items.length } });
    made.ids.set(en, r.ids);
    made.stacks.push(r.stack);
    if (alphas.length) made.ids.set(en, [...r.ids, ...(await store.putDatasets(alphas))]);
  } else {
    singles.push({ en, item: items[0]!, writers: [...job.writers], alpha: alphas[0] });
    job.writers.length = 0; // committed or aborted with the folder's singles
  }
}

/** Whether the import makes labels (`as: 'labels'` or `labelsOf`); throws on bad options. */
function labelsMode(o: ImportOptions): boolean {
  if (o.as !== undefined && o.as !== 'images' && o.as !== 'labels')
    throw new Error(`importFiles: as must be 'images' or 'labels', got ${JSON.stringify(o.as)}.`);
  if (o.labelsOf !== undefined && o.as === 'images') throw new Error("importFiles: labelsOf imports labels; it cannot be combined with as: 'images'.");
  return o.as === 'labels' || o.labelsOf !== undefined;
}

/**
 * One file as a labels dataset, stored at once; false when a file picked by its name is not a label
 * image (NotLabelImage), which is then imported as an image.
 */
async function importLabelEntry(store: ImportStore, en: Entry, plan: Plan, job: Omit<LabelJob, 'name' | 'path' | 'store'>, made: Made): Promise<boolean> {
  try {
    const r = await stageLabels({ ...job, store, name: en.name, path: en.path }, en.blob, plan);
    const ids = await store.putDatasets([r.item]);
    made.ids.set(en, ids);
    made.labels.push(...ids);
    for (const message of r.warnings) made.warnings.push({ file: en.path, message });
    if (job.byName) made.warnings.push({ file: en.path, message: `imported as labels (its name ends in ${job.byName}).` });
    return true;
  } catch (err) {
    if (!(err instanceof NotLabelImage) || !job.byName) throw err;
    await abortAll(job.writers);
    job.writers.length = 0;
    return false;
  }
}

/**
 * Files in natural path order; a multi-page file becomes a Volume or a stack named after the file
 * (`layout`); 2+ single-image files of one folder of one shape and dtype a stack named after the
 * folder (mixed ones: see storeSingles); each stack is
 * written with its datasets in one transaction. Files at the root (no folder) are single datasets.
 * Every NPY and TIFF file's header is read first: a file that cannot be imported is reported before
 * anything is written, and the quota check counts what the files declare once decoded.
 */
export async function importFiles(
  ctx: ImportContext,
  files: Iterable<ImportEntry> | ArrayLike<ImportEntry>,
  options: ImportOptions | ((done: number, total: number) => void) = {},
): Promise<ImportResult> {
  const o: ImportOptions = typeof options === 'function' ? { onProgress: (d, t) => options(d, t) } : (options ?? {});
  const decode = ctx.decode;
  if (!decode) throw new Error('importFiles needs an image decoder (available in the browser app).');
  const layout = o.layout ?? 'auto';
  if (!['auto', 'images', 'volume'].includes(layout))
    throw new Error(`importFiles: layout must be 'auto', 'images' or 'volume', got ${JSON.stringify(layout)}.`);
  const asLabels = labelsMode(o);
  const { signal } = o;
  const maxImageBytes = o.maxImageBytes ?? ctx.maxImageBytes;
  const made: Made = { ids: new Map(), volumes: [], labels: [], errors: [], warnings: [], stacks: [], cancelled: [] };
  // OME-Zarr folders are one image each (importZarr.ts), not loose files.
  const { folders: zarrFolders, rest: entries } = await takeZarrFolders(listEntries(files, made.errors));
  const store = await ctx.store();
  const target = o.labelsOf !== undefined ? await labelTarget(store, o.labelsOf) : null;
  const total = entries.length;
  const bytes = entries.reduce((s, en) => s + en.blob.size, 0);
  let persisted: boolean | null = null;
  if (bytes > (o.persistThresholdBytes ?? DEFAULT_PERSIST_THRESHOLD_BYTES)) persisted = await ctx.persist();

  const plans = new Map<Entry, Plan>();
  const failed = new Set<Entry>();
  for (const en of entries) {
    if (signal?.aborted) break;
    try {
      // A labels file is one dataset whatever its pages: never refused for not making a volume.
      const labelLike = asLabels || (o.labelsByName && labelNameHint(en.name));
      plans.set(en, await planEntry(ctx, en, maxImageBytes, labelLike ? 'images' : layout));
    } catch (err) {
      made.errors.push({ file: en.path, message: thrownMessage(err) });
      failed.add(en);
    }
  }
  // What the files declare once decoded (at least their bytes): refuse at once rather than fail halfway.
  const need = entries.reduce((s, en) => s + (plans.get(en)?.need ?? 0), 0);
  const quota = signal?.aborted ? null : quotaProblem(`Importing ${total} file${total === 1 ? '' : 's'}`, need, await ctx.estimate?.().catch(() => null));
  if (quota) throw new Error(quota);

  const zarr = signal?.aborted
    ? { ids: [], errors: [], cancelled: zarrFolders.map((f) => f.root) }
    : await importZarrFolders(store, zarrFolders, {
        signal,
        estimate: ctx.estimate,
        onProgress: (name, b) => o.onProgress?.(0, total, name, { ...b, done: b.fileDone, total: b.fileTotal }),
      });
  made.errors.push(...zarr.errors);
  let done = 0;
  let bytesDone = 0;
  const cancel = (en: Entry) => {
    if (!failed.has(en)) made.cancelled.push(en);
  };
  for (const [folder, group] of byFolder(entries)) {
    const singles: Single[] = [];
    for (const en of group) {
      if (signal?.aborted) {
        cancel(en);
        continue;
      }
      o.onProgress?.(done, total, en.path);
      const plan = plans.get(en);
      const size = en.blob.size;
      const job = {
        signal,
        writers: [] as ChunkedArrayWriter[],
        onBytes: (fileDone: number) => {
          const f = Math.min(fileDone, size);
          o.onProgress?.(done, total, en.path, { fileDone: f, fileTotal: size, done: bytesDone + f, total: bytes });
        },
      };
      try {
        const hint = asLabels ? null : o.labelsByName ? labelNameHint(en.name) : null;
        const labels = plan && (asLabels || hint) ? { target, byName: hint, maxImageBytes, decode: (f: Blob) => decode(f, { maxImageBytes }) } : null;
        if (plan && !(labels && (await importLabelEntry(store, en, plan, { ...job, ...labels }, made)))) {
          await importEntry(store, en, plan, job, singles, made, { ...o, decode, maxImageBytes });
        }
      } catch (err) {
        if (err instanceof ImportCancelled) cancel(en);
        else made.errors.push({ file: en.path, message: thrownMessage(err) });
      } finally {
        await abortAll(job.writers);
      }
      done++;
      bytesDone += size;
    }
    if (signal?.aborted) singles.forEach((s) => cancel(s.en));
    else await storeSingles(store, folder, singles, made);
    await abortAll(singles.flatMap((s) => s.writers));
  }
  o.onProgress?.(total, total, '');
  made.errors.sort((x, y) => naturalCompare(x.file, y.file));
  return {
    ids: [...zarr.ids, ...entries.flatMap((en) => made.ids.get(en) ?? [])],
    volumes: made.volumes,
    labels: made.labels,
    errors: made.errors,
    warnings: made.warnings,
    stacks: made.stacks,
    cancelled: [...zarr.cancelled, ...made.cancelled.map((en) => en.path)],
    persisted,
  };
}
