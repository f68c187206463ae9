// GIF through gifuct-js (LZW, interlacing, colour tables): every frame composed onto the logical
// screen as a viewer shows it, honouring each frame's disposal (1: keep, 2: clear its rectangle to
// transparent, 3: restore what was there before it). A GIF with several frames gives one image per
// frame (the importer makes a stack of them); frames are H×W uint8 when every frame is gray, else
// 3×H×W. GIF transparency is binary: a one-frame GIF keeps it as its alpha (0/255, a separate dataset
// on import); in an animation transparent pixels read as 0, and the import says so.
import { decompressFrames, parseGIF, type ParsedFrame } from 'gifuct-js';
import type { NDArray } from '../ndarray';
import { type DecodedImage, ImageDecodeError, errorText, exactBuffer } from './common';
import { checkDeclaredSize, type DecodeLimits } from './limits';
import { rgbaAlpha, rgbaColour, rgbaIsGray } from './rgba';

/** Draw a frame's patch onto the RGBA screen (transparent patch pixels leave the screen as it is). */
function drawPatch(screen: Uint8ClampedArray, sw: number, sh: number, f: ParsedFrame): void {
  const { left, top, width, height } = f.dims;
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= sh) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      const p = 4 * (y * width + x);
      if (sx < 0 || sx >= sw || f.patch[p + 3] === 0) continue;
      const s = 4 * (sy * sw + sx);
      screen[s] = f.patch[p]!;
      screen[s + 1] = f.patch[p + 1]!;
      screen[s + 2] = f.patch[p + 2]!;
      screen[s + 3] = 255;
    }
  }
}

/** Disposal 2: the frame's rectangle back to transparent. */
function clearRect(screen: Uint8ClampedArray, sw: number, sh: number, f: ParsedFrame): void {
  const { left, top, width, height } = f.dims;
  for (let y = Math.max(0, top); y < Math.min(sh, top + height); y++) {
    screen.fill(0, 4 * (y * sw + Math.max(0, left)), 4 * (y * sw + Math.min(sw, left + width)));
  }
}

/** Every frame of a GIF composed onto its logical screen, as RGBA bytes. */
export function composeGifFrames(bytes: Uint8Array, name: string, limits?: DecodeLimits): { width: number; height: number; frames: Uint8ClampedArray[] } {
  let frames: ParsedFrame[];
  let width: number;
  let height: number;
  try {
    const gif = parseGIF(exactBuffer(bytes));
    ({ width, height } = gif.lsd);
    checkDeclaredSize(name, { width, height, samples: 4, bytesPerSample: 1, format: 'GIF' }, limits);
    frames = decompressFrames(gif, true);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(name, `cannot read this GIF file (${errorText(e)}).`);
  }
  if (!width || !height) throw new ImageDecodeError(name, `GIF image is empty (${width}×${height}).`);
  if (!frames.length) throw new ImageDecodeError(name, 'the GIF file holds no frame.');
  const screen = new Uint8ClampedArray(4 * width * height);
  const out: Uint8ClampedArray[] = [];
  for (const f of frames) {
    const before = f.disposalType === 3 ? screen.slice() : null;
    drawPatch(screen, width, height, f);
    out.push(screen.slice());
    if (f.disposalType === 2) clearRect(screen, width, height, f);
    else if (before) screen.set(before);
  }
  return { width, height, frames: out };
}

/** Decode a GIF: one image per frame (see the file comment), with what was dropped said on the first. */
export function decodeGif(bytes: Uint8Array, name: string, limits?: DecodeLimits): DecodedImage[] {
  const { width: w, height: h, frames } = composeGifFrames(bytes, name, limits);
  const m = w * h;
  const gray = frames.every((f) => rgbaIsGray(f, m));
  const transparent = frames.filter((f) => {
    for (let i = 0; i < m; i++) if (f[4 * i + 3] === 0) return true;
    return false;
  }).length;
  const images: NDArray[] = frames.map((f) => rgbaColour(f, w, h, gray));
  if (frames.length === 1) {
    const alpha = rgbaAlpha(frames[0]!, w, h);
    return [{ image: images[0]!, page: 0, pages: 1, ...(alpha ? { alpha } : {}) }];
  }
  const dropped =
    transparent > 0
      ? [
          `${transparent === frames.length ? 'every frame has' : `${transparent} of ${frames.length} frames have`} transparent pixels; GIF transparency is not kept (they read as 0).`,
        ]
      : [];
  return images.map((image, page) => ({ image, page, pages: images.length, ...(page === 0 && dropped.length ? { dropped } : {}) }));
}
