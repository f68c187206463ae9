// Export of datasets and stacks as PNG, TIFF or NPY files. `encodeExport` is pure (unit-tested: the
// bytes decode back); `downloadBytes` hands the file to the browser through an object URL.
import { encodeNpy, encodePng, encodeTiff } from '../../core/imageCodecs';
import type { DType, NDArray } from '../../core/ndarray';
import type { FieldMeta } from '../../core/records';
import { exportFileName } from './format';
import type { LabelColors } from '../../core/imageAxes';
import { binaryTo255, isLabelKey, labelPalette, labelsAs, maskPngKind } from './maskPng';

export type ExportFormat = 'png' | 'tiff' | 'npy';

export const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'png', label: 'PNG' },
  { format: 'tiff', label: 'TIFF' },
  { format: 'npy', label: 'NPY' },
];

const MIME: Record<ExportFormat, string> = { png: 'image/png', tiff: 'image/tiff', npy: 'application/octet-stream' };
const EXT: Record<ExportFormat, string> = { png: 'png', tiff: 'tif', npy: 'npy' };

const PNG_NATIVE: ReadonlySet<DType> = new Set(['uint8', 'uint16', 'bool']);
const TIFF_NATIVE: ReadonlySet<DType> = new Set(['uint8', 'uint16', 'bool', 'float16', 'float32', 'float64']);

/** H×W, 1×H×W or 3×H×W: one 2-D picture PNG can hold. */
function isPicture(shape: readonly number[]): boolean {
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

/** Map values from their finite min..max onto 0..65535 (NaN → 0; a constant image → 0). */
export function windowToUint16(a: NDArray): NDArray<'uint16'> {
  const src = a.data as ArrayLike<number>;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const out = new Uint16Array(src.length);
  const span = hi - lo;
  if (span > 0 && Number.isFinite(span)) {
    const k = 65535 / span;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      out[i] = v === Infinity ? 65535 : Number.isFinite(v) ? Math.round((v - lo) * k) : 0;
    }
  }
  return { dtype: 'uint16', shape: [...a.shape], data: out };
}

function dropUnitChannel(a: NDArray): NDArray {
  return a.shape.length === 3 && a.shape[0] === 1 ? ({ ...a, shape: a.shape.slice(1) } as NDArray) : a;
}

/** A dtype encodeTiff writes, losslessly: int8/int16 → float32, int32/uint32 → float64. */
function forTiff(a: NDArray): NDArray {
  if (TIFF_NATIVE.has(a.dtype)) return a;
  if (a.dtype === 'int32' || a.dtype === 'uint32') return { dtype: 'float64', shape: a.shape, data: Float64Array.from(a.data as ArrayLike<number>) };
  return { dtype: 'float32', shape: a.shape, data: Float32Array.from(a.data as ArrayLike<number>) };
}

/** The 2-D pages of an array: H×W and 3×H×W are one page; Z×H×W is Z pages. */
function pagesOf(a: NDArray): NDArray[] {
  const s = a.shape;
  if (s.length === 2 || (s.length === 3 && s[0] === 3)) return [a];
  if (s.length === 3) {
    const [z, h, w] = s as [number, number, number];
    const m = h * w;
    return Array.from({ length: z }, (_, i) => ({ dtype: a.dtype, shape: [h, w], data: a.data.subarray(i * m, (i + 1) * m) }) as NDArray);
  }
  throw new Error(`TIFF pages are 2-D images; an array of shape ${s.join('×')} does not fit: use NPY.`);
}

/** One 2-D picture as PNG: masks and labels as maskPng.ts decides, uint8/uint16 as they are, the rest windowed. */
function pngOf(a: NDArray, key: string | null | undefined, labels: LabelColors | null | undefined): Uint8Array<ArrayBuffer> {
  if (a.shape.length === 2) {
    const m = maskPngKind(a, key);
    if (m.kind === 'binary') return encodePng(binaryTo255(a));
    if (m.kind === 'labels') return encodePng(labelsAs(a, 'uint8'), { palette: labelPalette(m.max, labels) });
    if (m.kind === 'labels16') return encodePng(labelsAs(a, 'uint16'));
  }
  return encodePng(PNG_NATIVE.has(a.dtype) ? a : windowToUint16(a));
}

/**
 * The file bytes of arrays in a format. One array for PNG and NPY; TIFF takes several (a stack, one
 * page each). For PNG, a 0/1 mask becomes 0/255 and a `mask`/`labels` field (`key`) an indexed
 * label PNG (maskPng.ts) in the field's label colours (`labels`, ImageAxes.labels) when given; floats and other integer types are windowed min..max to uint16. TIFF and
 * NPY keep the raw values.
 */
export function encodeExport(arrays: readonly NDArray[], format: ExportFormat, key?: string | null, labels?: LabelColors | null): Uint8Array<ArrayBuffer> {
  if (!arrays.length) throw new Error('Nothing to export.');
  switch (format) {
    case 'npy':
      if (arrays.length !== 1) throw new Error('NPY export writes one array; export the slices one by one or as TIFF.');
      return encodeNpy(arrays[0]!);
    case 'png': {
      if (arrays.length !== 1) throw new Error('PNG export writes one image; use TIFF for a stack.');
      const a = dropUnitChannel(arrays[0]!);
      if (!isPicture(a.shape)) throw new Error(`PNG holds one 2-D image (H×W or 3×H×W); this is ${a.shape.join('×')}: use TIFF or NPY.`);
      return pngOf(a, key, labels);
    }
    case 'tiff':
      return encodeTiff(arrays.flatMap((a) => pagesOf(forTiff(dropUnitChannel(a)))));
  }
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
