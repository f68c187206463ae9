// The OME export items of the datasets panel's menus (OME-TIFF, OME-Zarr 0.4/0.5 as a zip or into a
// folder): what each says about a field (the tooltip, as for PNG/TIFF/NPY), a Segmentation output's
// source image (its mask goes into the OME-Zarr as labels), and the browser's file pickers.
import { axesOfField } from '../../core/fieldAxes';
import { omeDims, exportPyramidLevels, EXPORT_PYRAMID_MIN_SIDE } from '../../core/ome/omeDims';
import type { DatasetMeta, FieldMeta } from '../../core/records';
import type { OmeFormat } from '../../api';
import { imageSourceOf, provenance } from '../viewers/data';
import { exportFileName, mainKey } from './format';

export interface OmeMenuEntry {
  format: OmeFormat;
  label: string;
  /** Into a folder chosen with showDirectoryPicker (OME-Zarr only), not a zip download. */
  folder: boolean;
}

/** Whether this browser can write into a folder the user picks (File System Access API). */
export function canPickFolder(): boolean {
  return typeof (globalThis as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';
}

export function omeMenuEntries(): OmeMenuEntry[] {
  const out: OmeMenuEntry[] = [
    { format: 'ome-tiff', label: 'OME-TIFF', folder: false },
    { format: 'ome-zarr-0.4', label: 'OME-Zarr 0.4 (zip)', folder: false },
    { format: 'ome-zarr-0.5', label: 'OME-Zarr 0.5 (zip)', folder: false },
  ];
  if (canPickFolder()) {
    out.push(
      { format: 'ome-zarr-0.4', label: 'OME-Zarr 0.4 to a folder…', folder: true },
      { format: 'ome-zarr-0.5', label: 'OME-Zarr 0.5 to a folder…', folder: true },
    );
  }
  return out;
}

/** The menu item's test id: export-ome-tiff, export-ome-zarr-0.4, export-ome-zarr-0.5-folder. */
export function omeTestId(e: OmeMenuEntry): string {
  return `export-${e.format}${e.folder ? '-folder' : ''}`;
}

/**
 * A Segmentation output's source image: a dataset with a `mask` field whose `extra.inputs` names an
 * existing dataset whose main array is the mask's shape (or the mask's shape plus a channel axis).
 */
export function segmentationSource(meta: DatasetMeta, byId: ReadonlyMap<string, DatasetMeta>): DatasetMeta | null {
  const mask = meta.keys.mask;
  if (!mask || mask.kind === 'string') return null;
  // The image at the start of a chain of runs (coins → Otsu mask → cleaned → labels) when it has the mask's shape.
  const image = imageSourceOf(meta, [...byId.values()]);
  if (image && sameShapeAsMask(image, mask.shape)) return image;
  for (const id of provenance(meta).inputs) {
    const src = byId.get(id);
    if (src && src.id !== meta.id && sameShapeAsMask(src, mask.shape)) return src;
  }
  return null;
}

/** Whether `src`'s main field has the mask's shape, with or without its channel axis. */
function sameShapeAsMask(src: DatasetMeta, maskShape: readonly number[]): boolean {
  const k = mainKey(src);
  const f = k ? src.keys[k] : undefined;
  if (!f || f.kind === 'string') return false;
  const c = axesOfField(k!, f).axes.findIndex((a) => a.name === 'c');
  const noC = f.shape.filter((_, i) => i !== c);
  return noC.join() === maskShape.join() || f.shape.join() === maskShape.join();
}

/**
 * Whether a field exports as `format`, and the note the menu shows: the planes, what is kept, dtype
 * conversions, the pyramid, and for a mask with a source image, that the source is exported with it.
 */
export function omeExportSupport(
  field: FieldMeta | null,
  key: string | null,
  format: OmeFormat,
  opts: { name: string; labelsOf?: string | null },
): { ok: boolean; note: string } {
  if (!field || !key || field.kind === 'string') return { ok: false, note: 'This dataset has no array to export.' };
  let planes = 0;
  let axesText = '';
  try {
    const ax = axesOfField(key, field);
    const d = omeDims(field.shape, ax, `Dataset '${opts.name}'`);
    planes = d.planes;
    axesText = ax.axes.map((a) => a.name.toUpperCase()).join('');
  } catch (e) {
    return { ok: false, note: e instanceof Error ? e.message : String(e) };
  }
  const conv = field.dtype === 'float16' ? ' float16 is written as float32.' : field.dtype === 'bool' ? ' bool is written as uint8 0/1.' : '';
  const n = field.shape.length;
  const pyramid = exportPyramidLevels(field.shape[n - 2]!, field.shape[n - 1]!) ? ` Planes over ${EXPORT_PYRAMID_MIN_SIDE} px get a 2×2-mean pyramid.` : '';
  const kept = 'Values, channel names and colours, units and pixel sizes are kept.';
  if (format === 'ome-tiff') {
    return { ok: true, note: `OME-TIFF (${axesText}, ${planes} plane${planes === 1 ? '' : 's'}, one page each, XYZCT order). ${kept}${conv}${pyramid}` };
  }
  const v = format === 'ome-zarr-0.4' ? '0.4 (Zarr v2)' : '0.5 (Zarr v3)';
  const labels = opts.labelsOf ? ` Exports its source image “${opts.labelsOf}” with this mask as labels.` : '';
  return { ok: true, note: `OME-Zarr ${v}, ${axesText}, uncompressed chunks. ${kept}${conv}${pyramid}${labels}` };
}

/** Exports of fields larger than this ask where to save (streamed into the file) where the browser can. */
const SAVE_PICKER_BYTES = 1024 ** 3;

function aborted(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

/** Ask for a folder and make `<name>` in it; null when the user cancels. */
export async function pickFolder(name: string): Promise<FileSystemDirectoryHandle | null> {
  const g = globalThis as unknown as { showDirectoryPicker(o: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle> };
  try {
    const dir = await g.showDirectoryPicker({ mode: 'readwrite' });
    return await dir.getDirectoryHandle(name, { create: true });
  } catch (e) {
    if (aborted(e)) return null;
    throw e;
  }
}

/**
 * For a large export (over 1 GiB of data) where the browser has `showSaveFilePicker`: the file to
 * stream into ('cancelled' when the user cancels); otherwise null (the export downloads as a Blob).
 */
export async function pickSaveFile(name: string, bytes: number): Promise<FileSystemFileHandle | 'cancelled' | null> {
  const g = globalThis as unknown as { showSaveFilePicker?(o: { suggestedName: string }): Promise<FileSystemFileHandle> };
  if (bytes <= SAVE_PICKER_BYTES || typeof g.showSaveFilePicker !== 'function') return null;
  try {
    return await g.showSaveFilePicker({ suggestedName: name });
  } catch (e) {
    if (aborted(e)) return 'cancelled';
    throw e;
  }
}

/** The file (or folder) name of an export: `<name>.ome.tif`, `<name>.ome.zarr` (+ `.zip` for a zip). */
export function omeExportName(name: string, format: OmeFormat, folder: boolean): string {
  const base = exportFileName(name, 'x')
    .replace(/\.x$/, '')
    .replace(/\.ome$/i, '');
  return format === 'ome-tiff' ? `${base}.ome.tif` : `${base}.ome.zarr${folder ? '' : '.zip'}`;
}
