// Multiscale pyramids of large 2-D images (the last two axes of a field; leading axes, e.g. the three
// planes of a channel-first RGB image, are kept): pure arithmetic and the downsampling kernel, shared by
// the store (which writes the levels once, src/store/pyramids.ts) and the viewer (which picks a level
// and the tiles on screen).
//
// The scheme is OME-NGFF's `multiscales` with a mean reduction (as multiscale-spatial-image and
// xarray's coarsen do): level l+1 halves level l along Y and X, each pixel the mean of a 2×2 block of
// level l (at an odd edge, the mean of the 1 or 2 pixels that exist, so edges do not darken); integer
// dtypes round half up, floats keep the exact mean (NaN propagates, as numpy's mean does). Level l thus
// has scale 2^l in base pixels. Levels stop at the first one that fits in a single chunk.
import { defaultChunkShape } from './chunkPolicy';
import { sizeOf, typedArrayCtor, type DType, type NDArray, type TypedArray } from './ndarray';

/** At most this many levels below the base (a 2^31-pixel side would need 21). */
const MAX_LEVELS = 24;

/** Chunks along the last two axes of an array of `shape` cut in chunks of `chunkShape`. */
function planeChunks(shape: readonly number[], chunkShape: readonly number[]): number {
  const n = shape.length;
  if (n < 2) return 1;
  return Math.ceil(shape[n - 2]! / chunkShape[n - 2]!) * Math.ceil(shape[n - 1]! / chunkShape[n - 1]!);
}

/**
 * Whether a field of `shape` stored in chunks of `chunkShape` is a tiled 2-D image: H×W (or C×H×W with
 * one chunk per plane) cut into more than one tile along Y and X. Such images get a pyramid.
 */
export function isTiledImage(shape: readonly number[], chunkShape: readonly number[] | undefined): boolean {
  if (!chunkShape || shape.length < 2 || shape.length > 3 || chunkShape.length !== shape.length) return false;
  return planeChunks(shape, chunkShape) > 1;
}

/** The shape of the level below `shape`: the last two axes halved, rounding up. */
export function halvedShape(shape: readonly number[]): number[] {
  const n = shape.length;
  return shape.map((d, i) => (i >= n - 2 ? Math.ceil(d / 2) : d));
}

/**
 * The shapes of the levels below a base of `shape` (level 1 first): each halves the previous along Y
 * and X, down to the first level that fits in one chunk of its default chunk shape
 * (src/core/chunkPolicy.ts). A base that already fits in one chunk has no levels.
 */
export function pyramidShapes(shape: readonly number[], dtype: DType): number[][] {
  const out: number[][] = [];
  let cur = [...shape];
  while (out.length < MAX_LEVELS && planeChunks(cur, defaultChunkShape(cur, dtype)) > 1) {
    cur = halvedShape(cur);
    out.push(cur);
  }
  return out;
}

/**
 * The 2×2 mean of `a` along its last two axes (leading axes kept): out[…, y, x] is the mean of the
 * in-bounds pixels of a[…, 2y:2y+2, 2x:2x+2]. Integer dtypes round half up (floor(mean + 0.5)); floats
 * keep the mean; bool is true where at least half the block is.
 */
export function downsample2x(a: NDArray): NDArray {
  const n = a.shape.length;
  if (n < 2) throw new Error(`downsample2x: expected at least 2 axes, got [${a.shape.join(', ')}].`);
  const h = a.shape[n - 2]!;
  const w = a.shape[n - 1]!;
  const outShape = halvedShape(a.shape);
  const oh = outShape[n - 2]!;
  const ow = outShape[n - 1]!;
  const planes = sizeOf(a.shape.slice(0, n - 2));
  const src = a.data as unknown as ArrayLike<number>;
  const Ctor = typedArrayCtor(a.dtype);
  const out = new Ctor(planes * oh * ow) as TypedArray;
  const dst = out as unknown as { [i: number]: number };
  const integer = a.dtype !== 'float16' && a.dtype !== 'float32' && a.dtype !== 'float64';
  const bool = a.dtype === 'bool';
  const rowSum = new Float64Array(ow);
  const rowCount = new Uint8Array(ow);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    const obase = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      rowSum.fill(0);
      rowCount.fill(0);
      const y0 = 2 * oy;
      const y1 = Math.min(y0 + 2, h);
      for (let y = y0; y < y1; y++) {
        const row = base + y * w;
        let x = 0;
        for (let ox = 0; ox < ow; ox++, x += 2) {
          if (x + 1 < w) {
            rowSum[ox]! += src[row + x]! + src[row + x + 1]!;
            rowCount[ox]! += 2;
          } else {
            rowSum[ox]! += src[row + x]!;
            rowCount[ox]! += 1;
          }
        }
      }
      const orow = obase + oy * ow;
      if (bool) for (let ox = 0; ox < ow; ox++) dst[orow + ox] = 2 * rowSum[ox]! >= rowCount[ox]! ? 1 : 0;
      else if (integer) for (let ox = 0; ox < ow; ox++) dst[orow + ox] = Math.floor(rowSum[ox]! / rowCount[ox]! + 0.5);
      else for (let ox = 0; ox < ow; ox++) dst[orow + ox] = rowSum[ox]! / rowCount[ox]!;
    }
  }
  return { dtype: a.dtype, shape: outShape, data: out } as NDArray;
}
