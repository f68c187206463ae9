// Contrast windowing: any numeric image (uint8 … float64, gray H×W or RGB 3×H×W) to 8-bit display
// values and RGBA pixels through a colormap. Typed arrays and lookup tables, no per-pixel allocation;
// percentiles come from histograms (exact per-integer counts for 8/16-bit data, two refining passes of
// 4096 bins for anything else, zooming in) over at most 2¹⁶ evenly strided values, never from a sort.
//
// The mapping of a value v through a window [lo, hi]:
//   index = round(clamp((v − lo) · 255 / (hi − lo), 0, 255))
//   NaN → index 0 and a transparent pixel (alpha 0), +Infinity → 255, −Infinity → 0;
//   a degenerate window (hi ≤ lo, e.g. a constant image) → 0 below lo, 255 above, 128 at lo.
// A window's gamma γ (default 1) then bends the 8-bit index as Fiji's and napari's gamma do:
//   shown = round(255 · (index / 255)^γ)   (γ < 1 brightens the dark values, γ > 1 darkens them);
// for gray images through the colormap (the LUT's entries are re-indexed), for RGB and composites per channel.
import type { DType, NDArray } from '../../../core/ndarray';
import { binInto, finiteRange } from './histogram';

export interface DisplayWindow {
  min: number;
  max: number;
  /** Display gamma applied after the window (1 or absent: linear). */
  gamma?: number;
  /** An RGB image's red, green and blue windows when each has its own (they replace min, max and gamma). */
  channels?: readonly DisplayWindow[];
}

/** A string equal for two windows that render alike (cache keys). */
export function windowKey(win: DisplayWindow): string {
  const own = `${win.min}:${win.max}:${win.gamma ?? 1}`;
  return win.channels ? `${own}|${win.channels.map(windowKey).join('|')}` : own;
}

/** Whether a window bends its values (a gamma other than 1). */
function hasGamma(win: DisplayWindow): boolean {
  const g = win.gamma;
  return g !== undefined && g !== 1 && Number.isFinite(g) && g > 0;
}

/** index → round(255 · (index / 255)^γ) for the 256 8-bit indices. */
export function gammaTable(gamma: number): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = Math.round(255 * Math.pow(i / 255, gamma));
  return t;
}

/** A 768-byte LUT re-indexed by a gamma (entry i becomes entry gammaTable(γ)[i]); the LUT itself when γ is 1. */
export function lutWithGamma(lut: Uint8Array, win: DisplayWindow): Uint8Array {
  if (!hasGamma(win)) return lut;
  const g = gammaTable(win.gamma!);
  const out = new Uint8Array(768);
  for (let i = 0; i < 256; i++) out.set(lut.subarray(3 * g[i]!, 3 * g[i]! + 3), 3 * i);
  return out;
}

export type AutoWindowMode = 'percentile' | 'minmax';

/** An image as the renderer sees it: planar channels (channel c at [c·W·H, (c+1)·W·H)). */
export interface ImagePlanes {
  width: number;
  height: number;
  channels: 1 | 3;
  dtype: DType;
  data: ArrayLike<number>;
}

/** The percentiles of the "auto" window. */
export const AUTO_LOW = 0.35;
export const AUTO_HIGH = 99.65;

/** A 2-D array (H×W), 1×H×W, or channel-first RGB (3×H×W) as planes; anything else throws a readable error. */
export function imagePlanes(a: NDArray): ImagePlanes {
  const s = a.shape;
  const data = a.data as unknown as ArrayLike<number>;
  if (s.length === 2) return { width: s[1]!, height: s[0]!, channels: 1, dtype: a.dtype, data };
  if (s.length === 3 && (s[0] === 1 || s[0] === 3)) {
    return { width: s[2]!, height: s[1]!, channels: s[0] === 3 ? 3 : 1, dtype: a.dtype, data };
  }
  throw new Error(`Cannot show an array of shape [${s.join(', ')}] as an image: expected H×W (gray) or 3×H×W (RGB).`);
}

/** The image shape if `a` can be shown as one image, else null. */
export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 2 || (shape.length === 3 && (shape[0] === 1 || shape[0] === 3));
}

/** dtypes whose values are integers in a range small enough for one LUT entry per value. */
const SMALL_INT: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  bool: [0, 1],
};

export function smallIntRange(dtype: DType): [number, number] | null {
  return SMALL_INT[dtype] ?? null;
}

// ───────────────────────────── auto window ─────────────────────────────

export interface AutoWindow extends DisplayWindow {
  /** No finite value at all (the window is then [0, 1]). */
  empty: boolean;
}

const FLOAT_BINS = 4096;

/** Index (0-based, in sorted order) of the low and high percentiles among n values: conservative (widening). */
function ranks(n: number, low: number, high: number): [number, number] {
  const lo = Math.floor((low / 100) * (n - 1));
  const hi = Math.ceil((high / 100) * (n - 1));
  return [Math.max(0, Math.min(n - 1, lo)), Math.max(0, Math.min(n - 1, hi))];
}

/** First bin whose cumulative count exceeds rank k (counts start after `below` values). */
function binOfRank(counts: ArrayLike<number>, k: number, below = 0): number {
  let cum = below;
  for (let b = 0; b < counts.length; b++) {
    cum += counts[b]!;
    if (cum > k) return b;
  }
  return counts.length - 1;
}

/**
 * The value of rank k (0-based, sorted) among the finite sampled values in [min, max], by zooming in:
 * 4096 bins, then 4096 bins inside the bin holding rank k, up to three times (resolution
 * (max − min) / 4096³, so one huge outlier does not swamp it). 'low' returns the bin's lower edge,
 * 'high' its upper edge (the window only ever widens).
 */
function valueAtRank(data: ArrayLike<number>, k: number, min: number, max: number, side: 'low' | 'high'): number {
  let lo = min;
  let hi = max;
  let below = 0;
  const counts = new Uint32Array(FLOAT_BINS);
  for (let pass = 0; pass < 3 && hi > lo; pass++) {
    counts.fill(0);
    binInto(data, lo, hi, counts);
    const b = binOfRank(counts, k, below);
    for (let j = 0; j < b; j++) below += counts[j]!;
    const w = (hi - lo) / FLOAT_BINS;
    const nlo = lo + b * w;
    const nhi = b === FLOAT_BINS - 1 ? hi : lo + (b + 1) * w;
    const single = counts[b]! <= 1;
    lo = nlo;
    hi = nhi;
    if (single) break;
  }
  return side === 'low' ? lo : hi;
}

/** Every `step`-th value, as float64. */
function gather(data: ArrayLike<number>, step: number): Float64Array {
  const out = new Float64Array(Math.ceil(data.length / step));
  for (let i = 0, j = 0; i < data.length; i += step, j++) out[j] = data[i]!;
  return out;
}

/** Percentiles are estimated on at most this many values (every k-th, k odd). */
export const MAX_SAMPLES = 1 << 16;

/** The sampling step for n values: 1 up to MAX_SAMPLES values, else an odd step (so rows are not aliased). */
export function sampleStep(n: number, maxSamples = MAX_SAMPLES): number {
  if (n <= maxSamples) return 1;
  const k = Math.ceil(n / maxSamples);
  return k % 2 ? k : k + 1;
}

/**
 * The window that shows the data well: the `low`/`high` percentiles of the finite values (default
 * 0.35 % and 99.65 %), or their exact min/max. Percentiles are exact for 8/16-bit integer data of
 * up to MAX_SAMPLES values (one bin per integer) and within 1/4096³ of the range for floats; larger
 * images are sampled (every k-th value). When the percentile window collapses (e.g. a mostly-zero
 * mask) it falls back to min/max; a constant image gives min = max (rendered mid-gray).
 */
export function autoWindow(
  data: ArrayLike<number>,
  mode: AutoWindowMode = 'percentile',
  opts: { dtype?: DType; low?: number; high?: number; maxSamples?: number } = {},
): AutoWindow {
  const exact = (): AutoWindow => {
    const r = finiteRange(data);
    if (r.finite === 0) return { min: 0, max: 1, empty: true };
    return { min: r.min, max: r.max, empty: false };
  };
  if (mode === 'minmax') return exact();
  const step = sampleStep(data.length, opts.maxSamples);
  // Large images: gather the strided sample once (contiguous), then every pass reads only that.
  const sample = step === 1 ? data : gather(data, step);
  const r = finiteRange(sample);
  if (r.finite === 0 || r.min === r.max) return exact();
  const [kLo, kHi] = ranks(r.finite, opts.low ?? AUTO_LOW, opts.high ?? AUTO_HIGH);
  const small = opts.dtype ? smallIntRange(opts.dtype) : null;
  let lo: number;
  let hi: number;
  if (small) {
    // Exact: one bin per integer value between min and max.
    const counts = new Uint32Array(r.max - r.min + 1);
    const off = r.min;
    const n = sample.length;
    for (let i = 0; i < n; i++) counts[sample[i]! - off]!++;
    lo = off + binOfRank(counts, kLo);
    hi = off + binOfRank(counts, kHi);
  } else {
    lo = Math.max(r.min, valueAtRank(sample, kLo, r.min, r.max, 'low'));
    hi = Math.min(r.max, valueAtRank(sample, kHi, r.min, r.max, 'high'));
  }
  if (!(hi > lo)) return exact();
  return { min: lo, max: hi, empty: false };
}

// ───────────────────────────── value → 8 bit ─────────────────────────────

/** The 8-bit display value of v through the window (see the header for the rules). */
export function windowIndex(v: number, win: DisplayWindow): number {
  const lo = win.min;
  const hi = win.max;
  if (v !== v) return 0;
  if (!(hi > lo)) return v < lo ? 0 : v > lo ? 255 : 128;
  const t = (v - lo) * (255 / (hi - lo));
  return t <= 0 ? 0 : t >= 255 ? 255 : (t + 0.5) | 0;
}

/** Window `count` values of `data` from `start` into 8-bit values (then through the window's gamma). */
export function windowToU8(
  data: ArrayLike<number>,
  win: DisplayWindow,
  out: Uint8Array = new Uint8Array(data.length),
  start = 0,
  count = data.length - start,
): Uint8Array {
  const lo = win.min;
  const hi = win.max;
  if (!(hi > lo)) {
    for (let i = 0; i < count; i++) out[i] = windowIndex(data[start + i]!, win);
  } else {
    const s = 255 / (hi - lo);
    for (let i = 0; i < count; i++) {
      const t = (data[start + i]! - lo) * s;
      // NaN fails both comparisons and (NaN + 0.5) | 0 is 0.
      out[i] = t <= 0 ? 0 : t >= 255 ? 255 : (t + 0.5) | 0;
    }
  }
  if (hasGamma(win)) {
    const g = gammaTable(win.gamma!);
    for (let i = 0; i < count; i++) out[i] = g[out[i]!]!;
  }
  return out;
}

// ───────────────────────────── RGBA ─────────────────────────────

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Pack RGBA into the uint32 that writes those bytes in memory order. */
export function packRGBA(r: number, g: number, b: number, a = 255): number {
  return LITTLE_ENDIAN ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** 256 packed colours of a 768-byte LUT. */
function packedPalette(lut: Uint8Array): Uint32Array {
  const p = new Uint32Array(256);
  for (let i = 0; i < 256; i++) p[i] = packRGBA(lut[3 * i]!, lut[3 * i + 1]!, lut[3 * i + 2]!);
  return p;
}

/** Whether windowing may use a per-integer LUT for this dtype and data (exact dtype class match). */
function useIntLut(img: ImagePlanes): [number, number] | null {
  const r = smallIntRange(img.dtype);
  if (!r) return null;
  // Guard against a mismatched dtype label (e.g. float data labelled uint16 by hand).
  const d = img.data as unknown;
  const ok = d instanceof Uint8Array || d instanceof Int8Array || d instanceof Uint16Array || d instanceof Int16Array || d instanceof Uint8ClampedArray;
  return ok ? r : null;
}

/**
 * Render an image to RGBA (`width·height·4` bytes). Gray images go through `lut` (a 768-byte colormap);
 * RGB images window each channel with the same window (or its own, `win.channels`) and
 * ignore the LUT. The window's gamma applies to both. NaN pixels are transparent.
 */
export function renderRGBA(
  img: ImagePlanes,
  win: DisplayWindow,
  lut: Uint8Array,
  out: Uint8ClampedArray = new Uint8ClampedArray(img.width * img.height * 4),
): Uint8ClampedArray {
  const n = img.width * img.height;
  if (out.length !== n * 4) throw new Error(`renderRGBA: output has ${out.length} bytes, expected ${n * 4}.`);
  const data = img.data;
  if (img.channels === 1) {
    const bent = lutWithGamma(lut, win);
    const out32 = new Uint32Array(out.buffer, out.byteOffset, n);
    const pal = packedPalette(bent);
    const intRange = useIntLut(img);
    if (intRange) {
      // One packed colour per representable value: a single lookup per pixel.
      const [min, max] = intRange;
      const table = reusedIntTable(min, max, win, bent, pal);
      if (data instanceof Uint16Array) lookupU16(data, table, out32);
      else if (data instanceof Uint8Array) lookupU8(data, table, out32);
      else lookupAny(data, table, min, out32);
      return out;
    }
    if (!(win.max > win.min)) {
      for (let i = 0; i < n; i++) {
        const v = data[i]!;
        out32[i] = v !== v ? 0 : pal[windowIndex(v, win)]!;
      }
      return out;
    }
    // Hot loops get one typed-array class each (monomorphic element access).
    if (data instanceof Float32Array) mapF32(data, win.min, 255 / (win.max - win.min), pal, out32);
    else mapF64(data instanceof Float64Array ? data : Float64Array.from(data), win.min, 255 / (win.max - win.min), pal, out32);
    return out;
  }
  // RGB planes: one window for the three channels, or one each.
  const tmp = new Uint8Array(n);
  for (let c = 0; c < 3; c++) {
    windowToU8(data, win.channels?.[c] ?? win, tmp, c * n, n);
    for (let i = 0; i < n; i++) out[4 * i + c] = tmp[i]!;
  }
  for (let i = 0; i < n; i++) out[4 * i + 3] = 255;
  return out;
}

// ───────────────────────────── kernels ─────────────────────────────

/** The last integer table made, and what it was made for. */
let lastTable: { min: number; max: number; lo: number; hi: number; lut: Uint8Array; table: Uint32Array } | null = null;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * intTable, reused while the value range, window and colormap stay the same: stepping through the
 * slices of a volume (whose window is kept) or panning redraws with the same table, and building its
 * 2¹⁶ entries for 16-bit data is a good part of a redraw.
 */
function reusedIntTable(min: number, max: number, win: DisplayWindow, lut: Uint8Array, pal: Uint32Array): Uint32Array {
  const t = lastTable;
  if (t && t.min === min && t.max === max && Object.is(t.lo, win.min) && Object.is(t.hi, win.max) && sameBytes(t.lut, lut)) return t.table;
  const table = intTable(min, max, win, pal);
  lastTable = { min, max, lo: win.min, hi: win.max, lut: lut.slice(), table };
  return table;
}

/** The packed colour of every integer in [min, max] through `win` (one lookup per pixel then). */
function intTable(min: number, max: number, win: DisplayWindow, pal: Uint32Array): Uint32Array {
  const table = new Uint32Array(max - min + 1);
  const lo = win.min;
  const hi = win.max;
  if (!(hi > lo)) {
    for (let v = min; v <= max; v++) table[v - min] = pal[windowIndex(v, win)]!;
    return table;
  }
  // windowIndex inlined (the same arithmetic): 2¹⁶ entries for 16-bit data, once per render.
  const s = 255 / (hi - lo);
  for (let v = min; v <= max; v++) {
    const t = (v - lo) * s;
    table[v - min] = pal[t <= 0 ? 0 : t >= 255 ? 255 : (t + 0.5) | 0]!;
  }
  return table;
}
// Deliberately separate copies per array class: V8 keeps element access fast only while a loop sees
// few array classes.

function lookupU16(d: Uint16Array, table: Uint32Array, out: Uint32Array): void {
  const n = d.length;
  for (let i = 0; i < n; i++) out[i] = table[d[i]!]!;
}

function lookupU8(d: Uint8Array, table: Uint32Array, out: Uint32Array): void {
  const n = d.length;
  for (let i = 0; i < n; i++) out[i] = table[d[i]!]!;
}

function lookupAny(d: ArrayLike<number>, table: Uint32Array, min: number, out: Uint32Array): void {
  const n = d.length;
  for (let i = 0; i < n; i++) out[i] = table[d[i]! - min]!;
}

/** NaN → transparent; else palette[round(clamp((v − lo)·s, 0, 255))]. */
function mapF32(d: Float32Array, lo: number, s: number, pal: Uint32Array, out: Uint32Array): void {
  const n = d.length;
  for (let i = 0; i < n; i++) {
    const t = (d[i]! - lo) * s;
    out[i] = t <= 0 ? pal[0]! : t >= 255 ? pal[255]! : t === t ? pal[(t + 0.5) | 0]! : 0;
  }
}

function mapF64(d: Float64Array, lo: number, s: number, pal: Uint32Array, out: Uint32Array): void {
  const n = d.length;
  for (let i = 0; i < n; i++) {
    const t = (d[i]! - lo) * s;
    out[i] = t <= 0 ? pal[0]! : t >= 255 ? pal[255]! : t === t ? pal[(t + 0.5) | 0]! : 0;
  }
}
