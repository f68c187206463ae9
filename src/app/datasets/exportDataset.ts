// Export of datasets and stacks as PNG, TIFF or NPY files: the formats, what each keeps (the menu's
// notes), file names; `downloadBytes` hands the file to the browser through an object URL. The
// encoding itself (exportEncode.ts, with the codecs) loads when the first export is made.
import type { DType } from '../../core/ndarray';
import type { FieldMeta } from '../../core/records';
import { exportFileName } from './format';

/** Fields whose values are segment labels (0 = background), whatever their dtype. */
const LABEL_KEYS: ReadonlySet<string> = new Set(['mask', 'masks', 'label', 'labels']);

/** Whether a field is exported as a mask/labels by name (the menu says so before its values are read; maskPng.ts encodes them). */
export function isLabelKey(key: string | null | undefined): boolean {
  return !!key && LABEL_KEYS.has(key.toLowerCase());
}

export type ExportFormat = 'png' | 'tiff' | 'npy';

export const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'png', label: 'PNG' },
  { format: 'tiff', label: 'TIFF' },
  { format: 'npy', label: 'NPY' },
];

const MIME: Record<ExportFormat, string> = { png: 'image/png', tiff: 'image/tiff', npy: 'application/octet-stream' };
const EXT: Record<ExportFormat, string> = { png: 'png', tiff: 'tif', npy: 'npy' };

export const PNG_NATIVE: ReadonlySet<DType> = new Set(['uint8', 'uint16', 'bool']);
export const TIFF_NATIVE: ReadonlySet<DType> = new Set(['uint8', 'uint16', 'bool', 'float16', 'float32', 'float64']);

/** H×W, 1×H×W or 3×H×W: one 2-D picture PNG can hold. */
export function isPicture(shape: readonly number[]): boolean {
  return shape.length === 2 || (shape.length === 3 && (shape[0] === 1 || shape[0] === 3));
}

/**
 * Whether a field can be exported in a format, and what the menu item says about it: `ok` false
 * with the reason when it cannot; `note` when the export changes the values (floats → 16-bit PNG).
 */
export function exportSupport(
  field: Pick<FieldMeta, 'dtype' | 'shape' | 'kind'> | null,
  format: ExportFormat,
  key?: string | null,
): { ok: boolean; note: string } {
  if (!field || field.kind === 'string') return { ok: false, note: 'This dataset has no array to export.' };
  const { shape, dtype } = field;
  const mask = isLabelKey(key) ? ' Mask and label values are kept as they are (0/1, label numbers).' : '';
  if (format === 'npy') return { ok: true, note: `Exact values: ${dtype}, shape ${shape.join('×')} (NumPy .npy).${mask}` };
  if (shape.length < 2 || shape.some((d) => d === 0)) return { ok: false, note: `A ${shape.join('×') || 'scalar'} array is not an image; use NPY.` };
  if (format === 'png') {
    if (!isPicture(shape)) {
      return { ok: false, note: `PNG holds one 2-D image (H×W or 3×H×W); this is ${shape.join('×')}: use TIFF (one page per slice) or NPY.` };
    }
    if (isLabelKey(key)) {
      return {
        ok: true,
        note: 'A 0/1 mask is written as 0/255 (visible in any viewer); labels as an indexed PNG, one colour per label (0 black), or 16-bit gray with the label numbers above 255. Use TIFF or NPY for the raw values.',
      };
    }
    if (!PNG_NATIVE.has(dtype)) {
      return {
        ok: true,
        note: `PNG stores 8- or 16-bit integers: this ${dtype} image is windowed from its min..max to 0..65535 (16-bit). Use TIFF or NPY for the exact values.`,
      };
    }
    if (dtype === 'bool') return { ok: true, note: 'A mask: written as 0/255 8-bit PNG. Use TIFF or NPY for the raw 0/1 values.' };
    return { ok: true, note: `Exact values: ${dtype} PNG.${dtype === 'uint8' ? ' An image of only 0 and 1 (a mask) is written as 0/255.' : ''}` };
  }
  // TIFF: H×W and 3×H×W pages; any other leading dims become pages.
  if (shape.length > 3) return { ok: false, note: `TIFF pages are 2-D images; a ${shape.length}-D array does not fit: use NPY.` };
  const conv = TIFF_NATIVE.has(dtype)
    ? ''
    : dtype === 'int32' || dtype === 'uint32'
      ? ` ${dtype} is written as float64 (lossless).`
      : ` ${dtype} is written as float32 (lossless).`;
  const pages = shape.length === 3 && shape[0] !== 3 && shape[0] !== 1 ? ` ${shape[0]} pages (one per slice).` : '';
  return { ok: true, note: `TIFF keeps the values.${conv}${pages}${mask}`.trim() };
}

export function exportName(name: string, format: ExportFormat): string {
  return exportFileName(name, EXT[format]);
}

export function mimeOf(format: ExportFormat): string {
  return MIME[format];
}

/** Save bytes as a file: an object URL clicked through a temporary `<a download>` (revoked a little later). */
export function downloadBytes(bytes: Uint8Array<ArrayBuffer>, fileName: string, mime: string): void {
  downloadBlob(new Blob([bytes], { type: mime }), fileName);
}

/** Save a Blob as a file (the browser keeps large Blobs on disk, not in the page's memory). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
