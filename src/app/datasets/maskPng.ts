// How a mask or label image becomes a PNG that any image viewer shows: a binary mask (0/1) as 0/255
// gray, a label image (0 = background, labels 1..255) as an 8-bit indexed PNG whose colour table is
// the viewer's label colours (0 black; the dataset's own label colours when set), larger labels as 16-bit gray with the raw values. TIFF and
// NPY keep the raw values (exportDataset.ts). Pure: unit-tested in tests/unit/maskExport.test.ts.
import type { DType, NDArray } from '../../core/ndarray';
import type { LabelColors } from '../../core/imageAxes';
import { labelPalette as viewerPalette, paletteColor } from '../viewers/render/labelTables';
import { isLabelKey } from './exportDataset';

const INTEGER: ReadonlySet<DType> = new Set(['bool', 'uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32']);

export type MaskPng =
  /** 0/1 → 0/255, 8-bit gray. */
  | { kind: 'binary' }
  /** 8-bit indexed, palette entries 0..max. */
  | { kind: 'labels'; max: number }
  /** 16-bit gray, the raw label values. */
  | { kind: 'labels16' }
  /** Not a mask: exported as any other image. */
  | { kind: 'image' };

/**
 * What PNG an H×W array becomes: a `mask`/`labels` field or any uint8/bool array holding only 0
 * and 1 is binary; a `mask`/`labels` field of integers ≥ 0 with other values is labels (indexed
 * when its largest label ≤ 255, else 16-bit when ≤ 65535); everything else is an image.
 */
export function maskPngKind(a: NDArray, key: string | null | undefined): MaskPng {
  if (!INTEGER.has(a.dtype)) return { kind: 'image' };
  const src = a.data as ArrayLike<number>;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1 && (a.dtype === 'bool' || a.dtype === 'uint8' || isLabelKey(key))) return { kind: 'binary' };
  if (!isLabelKey(key) || lo < 0) return { kind: 'image' };
  if (hi <= 255) return { kind: 'labels', max: hi };
  return hi <= 65535 ? { kind: 'labels16' } : { kind: 'image' };
}

/**
 * The colour table of an indexed label PNG: entry 0 black, entry l the viewer's colour of label l —
 * the field's own label colours (`colors`, ImageAxes.labels: its table and single labels' colours) when set.
 */
export function labelPalette(max: number, colors?: LabelColors | null): [number, number, number][] {
  const p = viewerPalette(colors);
  return Array.from({ length: max + 1 }, (_, l) => paletteColor(p, l) ?? [0, 0, 0]);
}

/** 0/1 (any integer dtype) → uint8 0/255. */
export function binaryTo255(a: NDArray): NDArray<'uint8'> {
  const src = a.data as ArrayLike<number>;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ? 255 : 0;
  return { dtype: 'uint8', shape: [...a.shape], data: out };
}

/** Integer labels within 0..max (max ≤ 65535) as uint8 (max ≤ 255) or uint16, values unchanged. */
export function labelsAs(a: NDArray, dtype: 'uint8' | 'uint16'): NDArray {
  if (a.dtype === dtype) return a;
  const src = a.data as ArrayLike<number>;
  const out = dtype === 'uint8' ? new Uint8Array(src.length) : new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return { dtype, shape: [...a.shape], data: out } as NDArray;
}
