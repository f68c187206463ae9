// The file bytes of an export (PNG, TIFF, NPY) with the image codecs; pure (unit-tested: the bytes
// decode back). Loaded on the first export (usePanelExports.ts, runOutputsZip.ts), not at start-up.
import { encodeNpy, encodePng, encodeTiff } from '../../core/imageCodecs';
import type { LabelColors } from '../../core/imageAxes';
import type { NDArray } from '../../core/ndarray';
import { isPicture, PNG_NATIVE, TIFF_NATIVE, type ExportFormat } from './exportDataset';
import { binaryTo255, labelPalette, labelsAs, maskPngKind } from './maskPng';

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
