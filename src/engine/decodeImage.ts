// Image files → NDArrays in the browser. PNG, TIFF, NPY and GIF go through src/core/imageCodecs (exact
// samples, 16-bit and float kept, every GIF frame); JPEG, WebP and BMP through the browser's own
// decoders (createImageBitmap + OffscreenCanvas), which always give 8-bit RGBA.
import {
  ImageDecodeError,
  checkDeclaredSize,
  decodeImageBytes,
  headerDims,
  rgbaAlpha,
  rgbaColour,
  rgbaIsGray,
  sniffFormat,
  type DecodeLimits,
  type DecodedImage,
} from '../core/imageCodecs';
import { thrownMessage } from '../core/describeValue';

const BROWSER_FORMATS = new Set(['jpeg', 'webp', 'bmp']);
const LABELS: Record<string, string> = { jpeg: 'JPEG', webp: 'WebP', bmp: 'BMP' };

/**
 * Decode an image file. PNG/TIFF/NPY/GIF: see decodeImageBytes. JPEG/WebP/BMP: decoded by the
 * browser without colour management (`colorSpaceConversion: 'none'`), first frame only (an animated
 * WebP says so in `dropped`); the result is 3×H×W uint8, or H×W uint8 when every pixel has R == G == B
 * (browsers hand grayscale JPEGs over as RGBA), with the alpha as `alpha` unless it is opaque everywhere.
 */
export async function decodeImageFile(file: Blob & { name?: string }, limits?: DecodeLimits): Promise<DecodedImage[]> {
  const name = file.name ?? 'image';
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    throw new ImageDecodeError(name, `cannot read the file (${thrownMessage(e)}).`);
  }
  const format = sniffFormat(bytes, name);
  if (format && BROWSER_FORMATS.has(format)) {
    const label = LABELS[format]!;
    const dims = headerDims(bytes, format);
    // The browser's decoder allocates the RGBA bitmap before anyone can look: check what the header declares first.
    if (dims) checkDeclaredSize(name, { ...dims, samples: 4, bytesPerSample: 1, format: label }, limits);
    const { image, alpha } = await decodeWithBrowser(file, name, label);
    const dropped = format === 'webp' && isAnimatedWebp(bytes) ? ['it is an animated WebP: only its first frame was imported.'] : [];
    return [{ image, page: 0, pages: 1, ...(alpha ? { alpha } : {}), ...(dropped.length ? { dropped } : {}) }];
  }
  return decodeImageBytes(bytes, name, limits);
}

/** An animated WebP has the VP8X chunk with its animation flag (bit 1 of the flags byte). */
function isAnimatedWebp(bytes: Uint8Array): boolean {
  const tag = String.fromCharCode(bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0);
  return tag === 'VP8X' && ((bytes[20] ?? 0) & 0x02) !== 0;
}

async function decodeWithBrowser(file: Blob, name: string, label: string): Promise<{ image: DecodedImage['image']; alpha: DecodedImage['image'] | null }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch (e) {
    throw new ImageDecodeError(name, `the browser could not decode this ${label} file (${thrownMessage(e)}).`);
  }
  try {
    const { width: w, height: h } = bitmap;
    if (w === 0 || h === 0) throw new ImageDecodeError(name, `${label} image is empty (${w}×${h}).`);
    const rgba = readPixels(bitmap, name, label);
    return { image: rgbaToImage(rgba, w, h), alpha: rgbaAlpha(rgba, w, h) };
  } finally {
    bitmap.close();
  }
}

function readPixels(bitmap: ImageBitmap, name: string, label: string): Uint8ClampedArray {
  const { width: w, height: h } = bitmap;
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (typeof OffscreenCanvas !== 'undefined') {
    ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) throw new ImageDecodeError(name, `no 2-D canvas to read the ${label} pixels from.`);
  try {
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, w, h).data;
  } catch (e) {
    throw new ImageDecodeError(name, `the browser could not read the pixels of this ${w}×${h} ${label} image (${thrownMessage(e)}).`);
  }
}

/** RGBA bytes → 3×H×W uint8, or H×W uint8 when every pixel is gray (alpha: rgbaAlpha). Exported for tests. */
export function rgbaToImage(rgba: ArrayLike<number>, w: number, h: number): DecodedImage['image'] {
  return rgbaColour(rgba, w, h, rgbaIsGray(rgba, w * h));
}
