// OME-Zarr images (NGFF 0.4 on Zarr v2, 0.5 on Zarr v3, sharding included) → datasets:
// - a dropped folder holding an OME-Zarr image (importFiles hands over its files): ONE dataset, level 0
//   copied plane by plane into a staged chunked array, stored as docs/microscopy.md "How an image is
//   stored" says (canonical t,c,z,y,x, singleton t/c/z left out, schema by what is left), `axes` from the
//   metadata; each `labels/<name>` image a Segmentation dataset "<image> · <label>" whose
//   `extra.inputs` is [the image's id], with its image-label colours in `extra.labelColors`;
// - a URL (`datasets.openUrl`): a dataset whose field is REMOTE (FieldMeta.remote): only metadata (and
//   the smallest level's first plane, for the thumbnail) is fetched; reads fetch the chunks they touch;
// - `datasets.importRemote`: a remote dataset copied into the browser as a new dataset.
import { remoteSource } from '../store/index';
import { thrownMessage } from '../core/describeValue';
import { toImageArray } from '../core/imageCodecs/npy';
import { ndarray, itemSize, sizeOf, type DType, type NDArray } from '../core/ndarray';
import { hasMultiscales, ngffLevelAxes, parseLabelsGroup, parseNgffImage, type LabelColor, type NgffImage } from '../core/ome/ngff';
import { storedLayout, type StoredLayout } from '../core/ome/storedLayout';
import { quotaProblem, type StorageEstimateLike } from '../core/quota';
import { isTiledImage, pyramidShapes } from '../core/pyramid';
import type { DatasetMeta, RemoteArray } from '../core/records';
import { naturalCompare } from '../core/stacks';
import type { ChunkedArrayWriter, NewDataset, Store } from '../store/index';
import { folderSource, openArray, readGroupAttrs, readKept, type OpenedArray, type ZarrSource } from '../store/zarrReader';
import type { Region } from '../store/zarrViews';
import { checkCancelled, ImportCancelled } from './importStreamed';

type ZarrStore = Pick<Store, 'putDatasets' | 'createChunkedArray' | 'deleteDatasets'>;

/** An OME-Zarr image found among dropped files: its folder ('' for the drop's top level) and its files by path inside it. */
export interface ZarrFolder {
  root: string;
  files: Map<string, Blob>;
}

/** An opened OME-Zarr image: its metadata, its level arrays and how level 0 is stored. */
interface ZarrImage {
  src: ZarrSource;
  ngff: NgffImage;
  levels: OpenedArray[];
  layout: StoredLayout;
  /** The stored dtype (an Image's converted losslessly to an Image dtype). */
  dtype: DType;
}

/** The source of the group at `prefix` inside `src`. */
function subSource(src: ZarrSource, prefix: string): ZarrSource {
  const at = (key: string) => `/${prefix}${key}` as `/${string}`;
  const { store } = src;
  return {
    label: `${src.label}/${prefix}`,
    store: {
      get: (key, opts) => store.get(at(key), opts),
      ...(store.getRange ? { getRange: (key, range, opts) => store.getRange!(at(key), range, opts) } : {}),
    },
  };
}

async function openImage(src: ZarrSource): Promise<ZarrImage> {
  const g = await readGroupAttrs(src);
  if (!g) throw new Error(`${src.label}: not a Zarr group (no zarr.json, and no .zgroup).`);
  const ngff = parseNgffImage(g.attrs, g.zarrFormat, g.file);
  const levels = await Promise.all(ngff.levels.map((l) => openArray(src, l.path, g.zarrFormat)));
  const base = levels[0]!;
  const layout = storedLayout(ngffLevelAxes(ngff, 0, base.shape, g.file), base.shape, src.label);
  const dtype = layout.schema === 'Image' ? toImageArray(ndarray(base.dtype, [0])).dtype : base.dtype;
  return { src, ngff, levels, layout, dtype };
}

/** The label images of an image: the `labels` group's list (0.4 and 0.5 alike). */
async function labelNames(src: ZarrSource): Promise<string[]> {
  const g = await readGroupAttrs(src, 'labels');
  return g ? parseLabelsGroup(g.attrs, g.zarrFormat) : [];
}

/** Each plane (the last two kept axes) of level 0 as its region over the kept axes. */
function planeRegions(shape: readonly number[]): Region[] {
  const lead = shape.slice(0, -2);
  const out: Region[] = [];
  const n = sizeOf(lead);
  for (let p = 0; p < n; p++) {
    let rest = p;
    const idx = lead.map((_, i) => {
      const stride = sizeOf(lead.slice(i + 1));
      const v = Math.floor(rest / stride);
      rest -= v * stride;
      return v;
    });
    out.push([...idx.map((i): [number, number] => [i, i + 1]), null, null]);
  }
  return out;
}

/** Level `level` of `img` copied plane by plane into a staged chunked array (converted to `img.dtype`). */
async function stageLevel(
  store: ZarrStore,
  img: ZarrImage,
  writers: ChunkedArrayWriter[],
  signal?: AbortSignal,
  level = 0,
  onPlane?: (bytes: number) => void,
): Promise<ChunkedArrayWriter> {
  const { layout } = img;
  const a = img.levels[level]!;
  const w = await store.createChunkedArray({ dtype: img.dtype, shape: layout.kept.map((i) => a.shape[i]!) });
  writers.push(w);
  for (const region of planeRegions(w.shape)) {
    checkCancelled(signal);
    const plane = await readKept(a, layout.kept, region);
    await w.write(
      region.map((r) => r?.[0] ?? 0),
      plane.dtype === img.dtype ? plane : toImageArray(plane),
    );
    onPlane?.(sizeOf(plane.shape) * itemSize(img.dtype));
  }
  return w;
}

/**
 * The image's own lower levels as the field's pyramid when the field is a tiled 2-D image and its first
 * levels have exactly the shapes src/core/pyramid.ts gives (else null: the viewer builds the pyramid).
 */
async function stagePyramid(
  store: ZarrStore,
  img: ZarrImage,
  base: ChunkedArrayWriter,
  writers: ChunkedArrayWriter[],
  signal?: AbortSignal,
): Promise<ChunkedArrayWriter[] | null> {
  if (img.layout.schema !== 'Image' || !isTiledImage(base.shape, base.chunkShape)) return null;
  const want = pyramidShapes(base.shape, img.dtype);
  const have = img.levels.slice(1, want.length + 1).map((a) => img.layout.kept.map((i) => a.shape[i]!).join());
  if (have.length !== want.length || want.some((s, i) => s.join() !== have[i])) return null;
  const out: ChunkedArrayWriter[] = [];
  for (let l = 1; l <= want.length; l++) out.push(await stageLevel(store, img, writers, signal, l));
  return out;
}

function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.at(-1) ?? 'OME-Zarr';
}

/**
 * The OME-Zarr images among dropped files: folders whose root holds `.zattrs` + `.zgroup` or a
 * `zarr.json` with `multiscales` (an image inside another one, a label image, belongs to the outer one).
 * Returns them with their files, and the other entries.
 */
export async function takeZarrFolders<E extends { path: string; blob: Blob }>(entries: readonly E[]): Promise<{ folders: ZarrFolder[]; rest: E[] }> {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const candidates = new Set<string>();
  for (const e of entries) {
    const m = e.path.match(/^(?:(.*)\/)?(zarr\.json|\.zattrs)$/);
    if (m) candidates.add(m[1] ?? '');
  }
  const roots: string[] = [];
  for (const root of [...candidates].sort((a, b) => a.split('/').length - b.split('/').length || a.length - b.length)) {
    if (roots.some((r) => r === '' || root.startsWith(`${r}/`))) continue;
    const pre = root ? `${root}/` : '';
    const v3 = byPath.get(`${pre}zarr.json`);
    const v2 = byPath.has(`${pre}.zgroup`) ? byPath.get(`${pre}.zattrs`) : undefined;
    const file = v3 ?? v2;
    if (!file) continue;
    let attrs: unknown;
    try {
      const json = JSON.parse(await file.blob.text()) as { attributes?: unknown };
      attrs = v3 ? json.attributes : json;
    } catch {
      continue; // not JSON: left to the other importers, which report it
    }
    if (hasMultiscales(attrs, v3 ? 3 : 2)) roots.push(root);
  }
  const folders = roots.sort(naturalCompare).map((root) => ({ root, files: new Map<string, Blob>() }));
  const rest: E[] = [];
  for (const e of entries) {
    const f = folders.find((x) => x.root === '' || e.path.startsWith(`${x.root}/`));
    if (f) f.files.set(f.root ? e.path.slice(f.root.length + 1) : e.path, e.blob);
    else rest.push(e);
  }
  return { folders, rest };
}

function labelColorsExtra(colors: LabelColor[]): Record<string, unknown> {
  return colors.length ? { labelColors: colors } : {};
}

/**
 * One dropped OME-Zarr folder → the image dataset and one Segmentation dataset per label image (their
 * ids, image first). Everything is read and staged before anything is stored; a failure stores nothing.
 */
export async function importZarrFolder(store: ZarrStore, folder: ZarrFolder, opts: ZarrImportOptions = {}): Promise<string[]> {
  const { signal } = opts;
  const name = baseName(folder.root);
  const src = folderSource(folder.root || name, folder.files);
  const writers: ChunkedArrayWriter[] = [];
  try {
    const img = await openImage(src);
    const labels = await Promise.all((await labelNames(src)).map(async (l) => ({ name: l, img: await openImage(subSource(src, `labels/${l}`)) })));
    // What it stores (level 0 of the image and of each label) against the free storage, before writing.
    const need = [img, ...labels.map((l) => l.img)].reduce((n, i) => n + sizeOf(i.layout.shape) * itemSize(i.dtype), 0);
    const quota = quotaProblem(`Importing ${src.label}`, need, await opts.estimate?.().catch(() => null));
    if (quota) throw new Error(quota);
    let done = 0;
    const onPlane = (bytes: number) => opts.onProgress?.(folder.root || name, { fileDone: (done += bytes), fileTotal: need });
    const base = await stageLevel(store, img, writers, signal, 0, onPlane);
    const levels = await stagePyramid(store, img, base, writers, signal);
    const staged = [];
    for (const l of labels) staged.push({ ...l, w: await stageLevel(store, l.img, writers, signal, 0, onPlane) });
    checkCancelled(signal);
    const extra = { format: 'OME-Zarr', ngff: img.ngff.version, path: folder.root, levels: img.levels.length };
    const [id] = await store.putDatasets([
      {
        fields: { [img.layout.field]: { kind: 'array', staged: base } },
        name,
        source: 'upload',
        schema: img.layout.schema,
        extra,
        axes: { [img.layout.field]: img.layout.axes },
        ...(levels ? { levels: { [img.layout.field]: levels } } : {}),
      },
    ]);
    if (!staged.length) return [id!];
    try {
      const ids = await store.putDatasets(
        staged.map((l) => ({
          fields: { mask: { kind: 'array', staged: l.w } },
          name: `${name} · ${l.name}`,
          source: 'upload',
          schema: 'Segmentation',
          extra: {
            format: 'OME-Zarr',
            path: `${folder.root ? `${folder.root}/` : ''}labels/${l.name}`,
            label: l.name,
            inputs: [id!],
            ...labelColorsExtra(l.img.ngff.imageLabel?.colors ?? []),
          },
          axes: { mask: l.img.layout.axes },
        })),
      );
      return [id!, ...ids];
    } catch (err) {
      await store.deleteDatasets([id!]).catch(() => {}); // all or nothing
      throw err;
    }
  } finally {
    await Promise.all(writers.map((w) => w.abort().catch(() => {}))); // no-op for those committed
  }
}

export interface ZarrImportOptions {
  signal?: AbortSignal | undefined;
  /** After each plane copied: the folder, and the bytes of it stored so far out of its total. */
  onProgress?: ((folder: string, bytes: { fileDone: number; fileTotal: number }) => void) | undefined;
  /** `navigator.storage.estimate()`: a folder larger than the free space is refused before anything is written. */
  estimate?: (() => Promise<StorageEstimateLike | null>) | undefined;
}

/** The dropped OME-Zarr folders imported one by one: the ids made, the folders that failed (with why) or were cancelled. */
export async function importZarrFolders(
  store: ZarrStore,
  folders: readonly ZarrFolder[],
  opts: ZarrImportOptions = {},
): Promise<{ ids: string[]; errors: { file: string; message: string }[]; cancelled: string[] }> {
  const out = { ids: [] as string[], errors: [] as { file: string; message: string }[], cancelled: [] as string[] };
  for (const f of folders) {
    const file = f.root || baseName(f.root);
    try {
      checkCancelled(opts.signal);
      out.ids.push(...(await importZarrFolder(store, f, opts)));
    } catch (err) {
      if (err instanceof ImportCancelled) out.cancelled.push(file);
      else out.errors.push({ file, message: thrownMessage(err) });
    }
  }
  return out;
}

/** Most bytes of the smallest level's plane read for a remote dataset's thumbnail. */
const PREVIEW_BYTES = 4 * 1024 * 1024;

/** The first plane of the smallest level (all 3 planes of an RGB Image), when small enough; else none. */
async function previewOf(img: ZarrImage): Promise<NDArray | undefined> {
  const lv = img.levels.at(-1)!;
  const shape = img.layout.kept.map((i) => lv.shape[i]!);
  const rgb = img.layout.schema === 'Image' && shape.length === 3;
  const region: Region = shape.map((d, i) => (i >= shape.length - 2 || rgb ? null : ([0, Math.min(1, d)] as [number, number])));
  const bytes = region.reduce((n, r, i) => n * (r ? r[1] - r[0] : shape[i]!), itemSize(lv.dtype));
  if (bytes > PREVIEW_BYTES) return undefined;
  const plane = await readKept(lv, img.layout.kept, region);
  return plane.dtype === img.dtype ? plane : toImageArray(plane);
}

/** Checks the URL of `datasets.openUrl`: http(s), absolute. */
function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || !url.trim()) throw new Error(`datasets.openUrl: expected the URL of an OME-Zarr image, got ${JSON.stringify(url)}.`);
  let u: URL;
  try {
    u = new URL(url.trim(), (globalThis as { location?: { href?: string } }).location?.href);
  } catch {
    throw new Error(`datasets.openUrl: '${url}' is not a URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`datasets.openUrl: '${url}' is not an http(s) URL.`);
  return u.href.replace(/\/+$/, '');
}

/**
 * A dataset whose array field is the OME-Zarr image at `url`, read lazily: only the metadata (and the
 * smallest level's first plane, for the thumbnail) is fetched now. Errors name the URL.
 */
export async function openRemoteZarr(store: ZarrStore, url: string): Promise<string> {
  const at = checkUrl(url);
  let item: NewDataset;
  try {
    // The store's cached source: what is fetched here (metadata, the preview's chunk) is not fetched again when viewed.
    const img = await openImage(remoteSource(at));
    const { layout } = img;
    const base = img.levels[0]!;
    const remote: RemoteArray = {
      url: at,
      path: img.ngff.levels[0]!.path,
      zarrFormat: img.ngff.zarrFormat,
      levels: img.levels.map((l, i) => ({ path: img.ngff.levels[i]!.path, shape: [...l.shape], chunkShape: [...l.chunkShape] })),
      kept: layout.kept,
      ...(img.dtype !== base.dtype ? { dtype: base.dtype } : {}),
    };
    const preview = await previewOf(img);
    item = {
      fields: {
        [layout.field]: {
          kind: 'array',
          remote,
          dtype: img.dtype,
          shape: layout.shape,
          chunkShape: layout.kept.map((i) => base.chunkShape[i]!),
          ...(preview ? { preview } : {}),
        },
      },
      name: baseName(new URL(at).pathname),
      source: 'url',
      schema: layout.schema,
      extra: { format: 'OME-Zarr', ngff: img.ngff.version, url: at, levels: img.levels.length },
      axes: { [layout.field]: layout.axes },
    };
  } catch (err) {
    const msg = thrownMessage(err);
    throw new Error(msg.includes(at) ? `Opening OME-Zarr: ${msg}` : `Opening OME-Zarr ${at}: ${msg}`, { cause: err });
  }
  const [id] = await store.putDatasets([item]);
  return id!;
}

/**
 * A remote dataset copied into the browser: a NEW dataset (new id; the remote one stays until deleted)
 * with the same name, schema, extra (plus `importedFrom`) and axes, every remote field read plane by
 * plane into a staged chunked array. A dataset with no remote field is refused.
 */
export async function copyRemoteDataset(
  store: ZarrStore & Pick<Store, 'getDatasetMeta' | 'openDatasetArray' | 'getDatasetFields'>,
  id: string,
  signal?: AbortSignal,
): Promise<string> {
  const meta: DatasetMeta | null = await store.getDatasetMeta(id);
  if (!meta) throw new Error(`Dataset not found: '${id}'.`);
  const remoteKeys = Object.keys(meta.keys).filter((k) => meta.keys[k]!.remote);
  if (!remoteKeys.length) throw new Error(`datasets.importRemote: dataset '${meta.name}' is not remote (it is already stored in the browser).`);
  const writers: ChunkedArrayWriter[] = [];
  try {
    const fields: NewDataset['fields'] = {};
    const local = Object.keys(meta.keys).filter((k) => !meta.keys[k]!.remote);
    const got = local.length ? await store.getDatasetFields(id, local) : null;
    for (const k of local) fields[k] = got!.fields[k]!;
    for (const k of remoteKeys) {
      const fm = meta.keys[k]!;
      const reader = (await store.openDatasetArray(id, k))!;
      const w = await store.createChunkedArray({ dtype: fm.dtype, shape: fm.shape });
      writers.push(w);
      for (const region of planeRegions(fm.shape)) {
        checkCancelled(signal);
        await w.write(
          region.map((r) => r?.[0] ?? 0),
          await reader.read(region),
        );
      }
      fields[k] = { kind: 'array', staged: w };
    }
    const axes = Object.fromEntries(Object.entries(meta.keys).flatMap(([k, fm]) => (fm.axes ? [[k, fm.axes]] : [])));
    const [copy] = await store.putDatasets([
      { fields, name: meta.name, source: meta.source, schema: meta.schema, extra: { ...meta.extra, importedFrom: meta.extra.url ?? id }, axes },
    ]);
    return copy!;
  } finally {
    await Promise.all(writers.map((w) => w.abort().catch(() => {})));
  }
}
