// The part of an image a viewport shows, sampled at the screen's resolution (nearest neighbour, as
// napari draws 2-D images): device pixel (px, py) shows image pixel (⌊((px + ½)/dpr − tx)/zoom⌋, …).
// Rendering these samples instead of the whole image bounds the work by the viewport, whatever the
// image's size: a volume slice is windowed and drawn in the time of its visible pixels.
import type { ImagePlanes } from './window';

export interface ScreenView {
  zoom: number;
  tx: number;
  ty: number;
}

/** The samples of `img` under the viewport, and where they go (device pixels); null when none is visible. */
export interface ScreenSample {
  /** Device-pixel position of the samples' top-left corner in the viewport. */
  x: number;
  y: number;
  planes: ImagePlanes;
}

/** For each device pixel along an axis, the image index it shows; and the range [first, end) of those inside the image. */
function axisIndex(devicePixels: number, dpr: number, offset: number, zoom: number, length: number): { index: Int32Array; first: number; end: number } {
  const index = new Int32Array(devicePixels);
  let first = -1;
  let end = -1;
  for (let p = 0; p < devicePixels; p++) {
    const i = Math.floor(((p + 0.5) / dpr - offset) / zoom);
    index[p] = i;
    if (i >= 0 && i < length) {
      if (first < 0) first = p;
      end = p + 1;
    }
  }
  return { index, first, end };
}

/** Sample `img` for a viewport of `width` × `height` CSS pixels at `dpr` device pixels each, under view `t`. */
export function screenSample(img: ImagePlanes, t: ScreenView, width: number, height: number, dpr = 1): ScreenSample | null {
  if (!img.width || !img.height || !(t.zoom > 0)) return null;
  const cols = axisIndex(Math.round(width * dpr), dpr, t.tx, t.zoom, img.width);
  const rows = axisIndex(Math.round(height * dpr), dpr, t.ty, t.zoom, img.height);
  if (cols.first < 0 || rows.first < 0) return null;
  const w = cols.end - cols.first;
  const h = rows.end - rows.first;
  const src = img.data;
  const Ctor = ArrayBuffer.isView(src) ? (src.constructor as new (n: number) => ArrayLike<number> & Record<number, number>) : Float64Array;
  const out = new Ctor(w * h * img.channels);
  const xs = cols.index.subarray(cols.first, cols.end);
  const plane = img.width * img.height;
  for (let c = 0; c < img.channels; c++) {
    let o = c * w * h;
    for (let r = rows.first; r < rows.end; r++) {
      const base = c * plane + rows.index[r]! * img.width;
      for (let j = 0; j < w; j++) out[o++] = src[base + xs[j]!]!;
    }
  }
  return { x: cols.first, y: rows.first, planes: { width: w, height: h, channels: img.channels, dtype: img.dtype, data: out } };
}
