// Thumbnails: a small 8-bit preview of a dataset, made once when it is written (the store keeps it in
// the dataset's metadata, so lists never read field bytes). Pure TS, no DOM; one pass to find the
// value range, one pass to box-average into the output, no allocation per pixel. Big images are read
// on a regular subgrid (about 4×4 or more samples per output pixel), so the cost is bounded by the
// output size rather than the input's.
import { isIntegerDType, type DType, type NDArray } from './ndarray';
import type { Thumbnail } from './records';

export type { Thumbnail } from './records';

/** The fields a thumbnail is looked for in, in this order. */
export const THUMBNAIL_KEYS = ['image', 'mask', 'volume', 'data', 'features'] as const;

/** Integer images holding 0 and at most this many distinct values (0 included) are shown as labels (so are all `mask` fields holding 0). */
const MAX_LABELS = 16;
/** Label values above this are never treated as labels (the lookup table would be too big). */
const MAX_LABEL_VALUE = 65535;
/** Darkest grey a non-zero label is shown with. */
const LABEL_LOW = 96;

interface Plane {
  key: string;
  data: ArrayLike<number>;
  dtype: DType;
  /** Element offset of channel 0's plane. */
  offset: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

function pickPlane(fields: Record<string, { kind: string; array: NDArray } | null | undefined>): Plane | null {
  for (const key of THUMBNAIL_KEYS) {
    const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!f || f.kind !== 'array' || !f.array || !Array.isArray(f.array.shape)) continue;
    const { shape, data, dtype } = f.array;
    const nd = shape.length;
    if (nd < 2 || shape.some((d) => !(d > 0)) || !data) continue;
    const height = shape[nd - 2]!;
    const width = shape[nd - 1]!;
    // A channel-first RGB image (the Image schema's 3×H×W); any other ≥3-D array: index 0 along the leading axes.
    const rgb = key === 'image' && nd === 3 && shape[0] === 3;
    if (data.length < (rgb ? 3 : 1) * height * width) continue;
    return { key, data: data as unknown as ArrayLike<number>, dtype, offset: 0, height, width, channels: rgb ? 3 : 1 };
  }
  return null;
}

/**
 * How raw values become 0..255: a lookup table for label images (0 stays 0, the other values spread
 * over bright greys in increasing order), else a linear map of the finite range (NaN → 0,
 * +Infinity → 255, -Infinity → 0).
 */
interface Mapping {
  lut: Uint8Array | null;
  min: number;
  scale: number;
  /** Display value of a constant image (every finite value equal). */
  constant: number | null;
}

/**
 * The pixels read along one axis: every `step`-th one (centred), each with the output pixel it falls
 * in, and how many samples each output pixel gets.
 */
interface Axis {
  idx: Int32Array;
  bin: Int32Array;
  count: Float64Array;
}

function sampleAxis(n: number, outN: number, step: number): Axis {
  const off = Math.min(n - 1, Math.floor(step / 2));
  const m = Math.ceil((n - off) / step);
  const idx = new Int32Array(m);
  const bin = new Int32Array(m);
  const count = new Float64Array(outN);
  for (let i = 0; i < m; i++) {
    const x = off + i * step;
    const b = Math.min(outN - 1, Math.floor((x * outN) / n));
    idx[i] = x;
    bin[i] = b;
    count[b]!++;
  }
  return { idx, bin, count };
}

function planeRange(p: Plane, xs: Axis, ys: Axis): { min: number; max: number } {
  const { data, width: W } = p;
  const planeSize = p.height * W;
  let min = Infinity;
  let max = -Infinity;
  const xi = xs.idx;
  const nx = xi.length;
  for (let c = 0; c < p.channels; c++) {
    for (let iy = 0; iy < ys.idx.length; iy++) {
      const row = p.offset + c * planeSize + ys.idx[iy]! * W;
      for (let ix = 0; ix < nx; ix++) {
        const v = data[row + xi[ix]!]!;
        // NaN fails both comparisons; ±Infinity are excluded explicitly.
        if (v < min && v !== -Infinity) min = v;
        if (v > max && v !== Infinity) max = v;
      }
    }
  }
  return { min, max };
}

function labelTable(p: Plane, xs: Axis, ys: Axis, max: number): Uint8Array | null {
  const { data, width: W } = p;
  const seen = new Uint8Array(max + 1);
  const anyCount = p.key === 'mask';
  let distinct = 0;
  const xi = xs.idx;
  const nx = xi.length;
  for (let iy = 0; iy < ys.idx.length; iy++) {
    const row = p.offset + ys.idx[iy]! * W;
    for (let ix = 0; ix < nx; ix++) {
      const v = data[row + xi[ix]!]!;
      if (seen[v] === 0) {
        seen[v] = 1;
        if (++distinct > MAX_LABELS && !anyCount) return null;
      }
    }
  }
  // Rank the non-zero values: the k-th of K goes to LABEL_LOW … 255 (a single one to 255).
  const nonZero = distinct - seen[0]!;
  let k = 0;
  for (let v = 1; v <= max; v++) {
    if (seen[v] === 0) continue;
    seen[v] = nonZero <= 1 ? 255 : Math.round(LABEL_LOW + ((255 - LABEL_LOW) * k) / (nonZero - 1));
    k++;
  }
  seen[0] = 0;
  return seen;
}

function mappingOf(p: Plane, xs: Axis, ys: Axis): Mapping {
  const { min, max } = planeRange(p, xs, ys);
  if (!(min <= max)) return { lut: null, min: 0, scale: 0, constant: 0 }; // no finite value
  const integer = isIntegerDType(p.dtype) || p.dtype === 'bool';
  // Label images and masks have a 0 background.
  if (p.channels === 1 && integer && min === 0 && max > 0 && max <= MAX_LABEL_VALUE) {
    const lut = labelTable(p, xs, ys, max);
    if (lut) return { lut, min: 0, scale: 0, constant: null };
  }
  if (min === max) return { lut: null, min, scale: 0, constant: min === 0 ? 0 : integer ? 255 : 128 };
  return { lut: null, min, scale: 255 / (max - min), constant: null };
}

/** Output size: the longest side at most `maxSide`, aspect kept, never enlarged. */
export function thumbnailSize(height: number, width: number, maxSide: number): { height: number; width: number } {
  const longest = Math.max(height, width);
  if (longest <= maxSide) return { height, width };
  const s = maxSide / longest;
  return { height: Math.max(1, Math.min(maxSide, Math.round(height * s))), width: Math.max(1, Math.min(maxSide, Math.round(width * s))) };
}

/**
 * A preview of the first showable field: the first of `image`, `mask`, `volume`, `data`, `features`
 * that is an `array` field with at least 2 dimensions (none empty). Its first 2-D plane is taken (an
 * image of shape 3×H×W is shown in colour; other arrays of 3 or more dimensions at index 0 of every
 * leading axis), scaled to 0..255 (min–max of the finite values; integer label images and masks: 0
 * stays black and every other value is a bright grey so small labels are visible), and box-averaged
 * down so the longest side is at most `maxSide`, aspect kept (reading every `step`-th row and column
 * when the image is over 8× the output, with at least ~4×4 samples per output pixel; the value range
 * is taken over the same samples). Null when no field qualifies.
 */
export function makeThumbnail(fields: Record<string, { kind: string; array: NDArray } | null | undefined>, maxSide = 96): Thumbnail | null {
  if (!(maxSide >= 1)) throw new Error(`makeThumbnail: maxSide must be at least 1, got ${maxSide}.`);
  maxSide = Math.floor(maxSide);
  const p = pickPlane(fields);
  if (!p) return null;
  const { height: H, width: W, channels: C, data } = p;
  const { height: oh, width: ow } = thumbnailSize(H, W, maxSide);
  // Reading every pixel of a big image is wasted work: read every step-th row and column, so that
  // each output pixel still averages about 4×4 samples or more.
  const step = Math.max(1, Math.floor(Math.min(H / oh, W / ow) / 4));
  const xs = sampleAxis(W, ow, step);
  const ys = sampleAxis(H, oh, step);
  const map = mappingOf(p, xs, ys);
  const out = new Uint8Array(oh * ow * C);
  if (map.constant !== null) {
    out.fill(map.constant);
    return { width: ow, height: oh, channels: C, data: out };
  }
  const acc = new Float64Array(ow);
  const planeSize = H * W;
  const { lut, min, scale } = map;
  const xi = xs.idx;
  const xbin = xs.bin;
  const nx = xi.length;
  const ny = ys.idx.length;
  for (let c = 0; c < C; c++) {
    const base = p.offset + c * planeSize;
    for (let iy = 0; iy < ny; iy++) {
      const row = base + ys.idx[iy]! * W;
      if (lut) {
        for (let ix = 0; ix < nx; ix++) acc[xbin[ix]!]! += lut[data[row + xi[ix]!]!]!;
      } else {
        for (let ix = 0; ix < nx; ix++) {
          let d = (data[row + xi[ix]!]! - min) * scale;
          if (!(d > 0)) d = 0; // also NaN and -Infinity
          else if (d > 255) d = 255;
          acc[xbin[ix]!]! += d;
        }
      }
      const oy = ys.bin[iy]!;
      if (iy + 1 === ny || ys.bin[iy + 1] !== oy) {
        const rows = ys.count[oy]!;
        const o = oy * ow * C + c;
        for (let ox = 0; ox < ow; ox++) {
          out[o + ox * C] = Math.round(acc[ox]! / (rows * xs.count[ox]!));
          acc[ox] = 0;
        }
      }
    }
  }
  return { width: ow, height: oh, channels: C, data: out };
}
