// Image files → NDArrays in the browser. PNG, TIFF and NPY go through src/core/imageCodecs (exact
// samples, 16-bit and float kept); JPEG, GIF, WebP and BMP through the browser's own decoders
// (createImageBitmap + OffscreenCanvas), which always give 8-bit RGBA.
import { ImageDecodeError, checkDeclaredSize, decodeImageBytes, headerDims, sniffFormat, type DecodeLimits, type DecodedImage } from '../core/imageCodecs';
import { thrownMessage } from '../core/describeValue';

const BROWSER_FORMATS = new Set(['jpeg', 'gif', 'webp', 'bmp']);
const LABELS: Record<string, string> = { jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP' };

/**
 * Decode an image file. PNG/TIFF/NPY: see decodeImageBytes. JPEG/GIF/WebP/BMP: decoded by the
 * browser without colour management (`colorSpaceConversion: 'none'`), alpha dropped, first frame
 * only; the result is 3×H×W uint8, or H×W uint8 when every pixel has R == G == B (browsers hand
 * grayscale JPEGs over as RGBA).
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
    return [{ image: await decodeWithBrowser(file, name, label), page: 0, pages: 1 }];
  }
  return decodeImageBytes(bytes, name, limits);
}

async function decodeWithBrowser(file: Blob, name: string, label: string): Promise<DecodedImage['image']> {
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
    return rgbaToImage(rgba, w, h);
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

/** RGBA bytes → 3×H×W uint8, or H×W uint8 when every pixel is gray. Exported for tests. */
export function rgbaToImage(rgba: ArrayLike<number>, w: number, h: number): DecodedImage['image'] {
  const m = w * h;
  let gray = true;
  for (let i = 0; i < m && gray; i++) {
    const r = rgba[4 * i]!;
    gray = r === rgba[4 * i + 1] && r === rgba[4 * i + 2];
  }
  if (gray) {
    const out = new Uint8Array(m);
    for (let i = 0; i < m; i++) out[i] = rgba[4 * i]!;
    return { dtype: 'uint8', shape: [h, w], data: out };
  }
  const out = new Uint8Array(3 * m);
  for (let i = 0; i < m; i++) {
    out[i] = rgba[4 * i]!;
    out[m + i] = rgba[4 * i + 1]!;
    out[2 * m + i] = rgba[4 * i + 2]!;
  }
  return { dtype: 'uint8', shape: [3, h, w], data: out };
}
