// Thumbnails: a small 8-bit preview of a dataset, made once when it is written (the store keeps it in
// the dataset's metadata, so lists never read field bytes). Pure TS, no DOM; one pass to find the
// value range, one pass to box-average into the output, no allocation per pixel. Big images are read
// on a regular subgrid (about 2×2 or more samples per output pixel), so the cost is bounded by the
// output size rather than the input's. Each row read is first converted to float64 by one builtin
// copy, so the per-sample loops see one array class whatever the dtype (loops that index several
// typed-array classes are several times slower once V8 has seen more than one).
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
  data: NDArray['data'];
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
    return { key, data, dtype, offset: 0, height, width, channels: rgb ? 3 : 1 };
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
 * The pixels read along one axis: every `step`-th one from `off` (centred), sample i at
 * off + i·step. Output pixel b gets samples start[b] … start[b+1]-1 (the bins of increasing samples
 * never decrease, so each bin is one run), count[b] of them.
 */
interface Axis {
  off: number;
  step: number;
  /** Number of samples. */
  m: number;
  start: Int32Array;
  count: Float64Array;
}

function sampleAxis(n: number, outN: number, step: number): Axis {
  const off = Math.min(n - 1, Math.floor(step / 2));
  const m = Math.ceil((n - off) / step);
  const start = new Int32Array(outN + 1);
  const count = new Float64Array(outN);
  for (let i = 0; i < m; i++) {
    const x = off + i * step;
    count[Math.min(outN - 1, Math.floor((x * outN) / n))]!++;
  }
  for (let b = 0; b < outN; b++) start[b + 1] = start[b]! + count[b]!;
  return { off, step, m, start, count };
}

/**
 * Row `y` of channel `c`, as float64 in `buf` (one builtin conversion per row, so the loops below
 * read one array type only, whatever the dtype: a loop over many typed-array classes is far slower).
 */
function readRow(p: Plane, c: number, y: number, buf: Float64Array): Float64Array {
  const start = p.offset + c * p.height * p.width + y * p.width;
  buf.set(p.data.subarray(start, start + p.width) as unknown as ArrayLike<number>);
  return buf;
}

function planeRange(p: Plane, xs: Axis, ys: Axis): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const { off: xOff, step: xStep, m: nx } = xs;
  const end = xOff + nx * xStep;
  const buf = new Float64Array(p.width);
  for (let c = 0; c < p.channels; c++) {
    for (let iy = 0; iy < ys.m; iy++) {
      const row = readRow(p, c, ys.off + iy * ys.step, buf);
      for (let q = xOff; q < end; q += xStep) {
        const v = row[q]!;
        // NaN fails both comparisons; ±Infinity are excluded explicitly.
        if (v < min && v !== -Infinity) min = v;
        if (v > max && v !== Infinity) max = v;
      }
    }
  }
  return { min, max };
}

function labelTable(p: Plane, xs: Axis, ys: Axis, max: number): Uint8Array | null {
  const seen = new Uint8Array(max + 1);
  const anyCount = p.key === 'mask';
  let distinct = 0;
  const { off: xOff, step: xStep, m: nx } = xs;
  const end = xOff + nx * xStep;
  const buf = new Float64Array(p.width);
  for (let iy = 0; iy < ys.m; iy++) {
    const row = readRow(p, 0, ys.off + iy * ys.step, buf);
    for (let q = xOff; q < end; q += xStep) {
      const v = row[q]!;
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
 * when the image is over 4× the output, with at least ~2×2 samples per output pixel; the value range
 * is taken over the same samples). Null when no field qualifies.
 */
export function makeThumbnail(fields: Record<string, { kind: string; array: NDArray } | null | undefined>, maxSide = 96): Thumbnail | null {
  if (!(maxSide >= 1)) throw new Error(`makeThumbnail: maxSide must be at least 1, got ${maxSide}.`);
  maxSide = Math.floor(maxSide);
  const p = pickPlane(fields);
  if (!p) return null;
  const { height: H, width: W, channels: C } = p;
  const { height: oh, width: ow } = thumbnailSize(H, W, maxSide);
  // Reading every pixel of a big image is wasted work: read every step-th row and column, so that
  // each output pixel still averages about 2×2 samples or more.
  const step = Math.max(1, Math.floor(Math.min(H / oh, W / ow) / 2));
  const xs = sampleAxis(W, ow, step);
  const ys = sampleAxis(H, oh, step);
  const map = mappingOf(p, xs, ys);
  const out = new Uint8Array(oh * ow * C);
  if (map.constant !== null) {
    out.fill(map.constant);
    return { width: ow, height: oh, channels: C, data: out };
  }
  const acc = new Float64Array(ow);
  const buf = new Float64Array(W);
  const { lut, min, scale } = map;
  const { off: xOff, step: xStep, start: xStart } = xs;
  const ny = ys.m;
  // Per output column, its run of samples: the same additions in the same order as one pass over
  // the samples would make, without an index lookup per sample.
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < ny; iy++) {
      const y = ys.off + iy * ys.step;
      const data = readRow(p, c, y, buf);
      let q = xOff;
      for (let ox = 0; ox < ow; ox++) {
        const end = q + (xStart[ox + 1]! - xStart[ox]!) * xStep;
        let s = acc[ox]!;
        if (lut) {
          for (; q < end; q += xStep) s += lut[data[q]!]!;
        } else {
          for (; q < end; q += xStep) {
            let d = (data[q]! - min) * scale;
            if (!(d > 0)) d = 0; // also NaN and -Infinity
            else if (d > 255) d = 255;
            s += d;
          }
        }
        acc[ox] = s;
      }
      const oy = Math.min(oh - 1, Math.floor((y * oh) / H));
      const next = iy + 1 < ny ? Math.min(oh - 1, Math.floor(((y + ys.step) * oh) / H)) : -1;
      if (next !== oy) {
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
