// Warping the moving image of an alignment onto the fixed image's grid, and compositing the two.
//
// Convention (docs/bundle-format.md): matrix i maps pixel coordinates (x = column, y = row,
// homogeneous) of image i+1 (moving) to image i (fixed): fixed ≅ M · moving. Pixel (x, y) is the
// centre of the pixel in column x, row y. So the warped image at fixed pixel (x, y) is the moving
// image sampled (bilinearly) at M⁻¹ · (x, y, 1), and pixels whose sample falls outside the moving
// image are "invalid" (no data). Pure, no DOM.

/** 3×3 row-major inverse, or null when singular (or not finite). */
export function invert3x3(m: ArrayLike<number>): Float64Array | null {
  const [a, b, c, d, e, f, g, h, i] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  const r = 1 / det;
  return Float64Array.from([
    A * r,
    -(b * i - c * h) * r,
    (b * f - c * e) * r,
    B * r,
    (a * i - c * g) * r,
    -(a * f - c * d) * r,
    C * r,
    -(a * h - b * g) * r,
    (a * e - b * d) * r,
  ]);
}

/** Apply a 3×3 matrix to (x, y, 1) and divide by the homogeneous coordinate. */
export function applyH(m: ArrayLike<number>, x: number, y: number): [number, number] {
  const w = m[6]! * x + m[7]! * y + m[8]!;
  return [(m[0]! * x + m[1]! * y + m[2]!) / w, (m[3]! * x + m[4]! * y + m[5]!) / w];
}

export interface Raster<T extends ArrayLike<number> = ArrayLike<number>> {
  width: number;
  height: number;
  /** Interleaved channels per pixel (1 for a plain image, 4 for RGBA). */
  channels: number;
  data: T;
}

export interface WarpResult<T> {
  data: T;
  /** 1 where the fixed pixel maps inside the moving image, else 0. */
  valid: Uint8Array;
}

/**
 * Warp `moving` onto a `width × height` grid through `m` (moving → fixed). Bilinear sampling with
 * clamp-to-edge inside the half-pixel border; outside it the output is `fill` and invalid.
 * `out` is a typed array of width·height·channels (a Uint8ClampedArray rounds and clamps by itself).
 */
export function warp<T extends { length: number; [i: number]: number }>(
  moving: Raster,
  m: ArrayLike<number>,
  width: number,
  height: number,
  out: T,
  fill = 0,
): WarpResult<T> {
  const inv = invert3x3(m);
  const ch = moving.channels;
  const valid = new Uint8Array(width * height);
  if (out.length !== width * height * ch) throw new Error(`warp: output has ${out.length} values, expected ${width * height * ch}.`);
  if (!inv) {
    for (let i = 0; i < out.length; i++) out[i] = fill;
    return { data: out, valid };
  }
  const src = moving.data;
  const sw = moving.width;
  const sh = moving.height;
  const [a, b, c, d, e, f, g, h, k] = inv as unknown as number[];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = g! * x + h! * y + k!;
      const u = (a! * x + b! * y + c!) / w;
      const v = (d! * x + e! * y + f!) / w;
      const o = (y * width + x) * ch;
      if (!(u > -0.5 && u < sw - 0.5 && v > -0.5 && v < sh - 0.5)) {
        for (let q = 0; q < ch; q++) out[o + q] = fill;
        continue;
      }
      valid[y * width + x] = 1;
      const uc = u < 0 ? 0 : u > sw - 1 ? sw - 1 : u;
      const vc = v < 0 ? 0 : v > sh - 1 ? sh - 1 : v;
      const x0 = Math.floor(uc);
      const y0 = Math.floor(vc);
      const x1 = x0 + 1 < sw ? x0 + 1 : x0;
      const y1 = y0 + 1 < sh ? y0 + 1 : y0;
      const fx = uc - x0;
      const fy = vc - y0;
      const i00 = (y0 * sw + x0) * ch;
      const i01 = (y0 * sw + x1) * ch;
      const i10 = (y1 * sw + x0) * ch;
      const i11 = (y1 * sw + x1) * ch;
      for (let q = 0; q < ch; q++) {
        const top = src[i00 + q]! + (src[i01 + q]! - src[i00 + q]!) * fx;
        const bot = src[i10 + q]! + (src[i11 + q]! - src[i10 + q]!) * fx;
        out[o + q] = top + (bot - top) * fy;
      }
    }
  }
  return { data: out, valid };
}

export type CompositeMode = 'blend' | 'checkerboard' | 'difference';

export interface CompositeOptions {
  mode: CompositeMode;
  /** blend: weight of the moving image, 0…1. */
  opacity?: number;
  /** checkerboard: tile size in pixels (≥ 1). */
  tile?: number;
}

/**
 * Compose the fixed image and the warped moving image (both RGBA, same size). Where the moving image
 * has no data (`valid` 0) it counts as black.
 * - blend: fixed·(1 − opacity) + moving·opacity;
 * - checkerboard: tile (tx, ty) = (⌊x / tile⌋, ⌊y / tile⌋) shows fixed when tx + ty is even, moving when odd;
 * - difference: |fixed − moving| per channel.
 */
export function composite(
  fixed: Uint8ClampedArray,
  moving: Uint8ClampedArray,
  valid: Uint8Array,
  width: number,
  height: number,
  opts: CompositeOptions,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  const a = Math.max(0, Math.min(1, opts.opacity ?? 0.5));
  const tile = Math.max(1, Math.floor(opts.tile ?? 32));
  for (let y = 0; y < height; y++) {
    const ty = Math.floor(y / tile);
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const o = 4 * i;
      const ok = valid[i] === 1;
      if (opts.mode === 'checkerboard') {
        const useMoving = ((Math.floor(x / tile) + ty) & 1) === 1;
        const src = useMoving ? moving : fixed;
        if (useMoving && !ok) {
          out[o] = out[o + 1] = out[o + 2] = 0;
        } else {
          out[o] = src[o]!;
          out[o + 1] = src[o + 1]!;
          out[o + 2] = src[o + 2]!;
        }
      } else {
        for (let q = 0; q < 3; q++) {
          const f = fixed[o + q]!;
          const m = ok ? moving[o + q]! : 0;
          out[o + q] = opts.mode === 'blend' ? f * (1 - a) + m * a : Math.abs(f - m);
        }
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
