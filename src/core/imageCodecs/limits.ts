// How large one decoded image may be. Every decoder reads the dimensions a file's header declares
// and checks them here before it allocates anything, so a header claiming 100000×100000 pixels is
// refused with the file, the page, the dimensions and the bytes it would need — not with the
// browser's "Array buffer allocation failed".
import { ImageDecodeError } from './common';

/** Default most bytes one decoded image (one page, one slice) may take: 1 GiB. */
export const DEFAULT_MAX_IMAGE_BYTES = 1024 ** 3;

/** Limits a decoder checks before it allocates (see docs/api.md, `maxImageBytes`). */
export interface DecodeLimits {
  /** Most bytes of one decoded image (width × height × samples × bytes per sample). */
  maxImageBytes?: number;
}

/** What a header declares about one image. */
export interface DeclaredImage {
  width: number;
  height: number;
  /** Samples per pixel the decoder holds (e.g. 4 for RGBA read back from a canvas). */
  samples: number;
  bytesPerSample: number;
  /** 0-based page (TIFF page, NPY slice); with `pages`, named in the message when the file has several. */
  page?: number;
  pages?: number;
  /** Which image the message names, when not "page N of M" (e.g. "each of its 40 slices is"). */
  where?: string;
  /** The format's name in the message ("PNG", "TIFF", …). */
  format: string;
}

/** The limit in force: `limits.maxImageBytes` when it is a positive number, else the default. */
export function maxImageBytes(limits?: DecodeLimits): number {
  const v = limits?.maxImageBytes;
  return typeof v === 'number' && v > 0 ? v : DEFAULT_MAX_IMAGE_BYTES;
}

/** "1.5 GiB", "312 MiB", "900 bytes". */
export function bytesText(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Bytes the declared image needs once decoded. */
export function declaredBytes(d: Pick<DeclaredImage, 'width' | 'height' | 'samples' | 'bytesPerSample'>): number {
  return d.width * d.height * d.samples * d.bytesPerSample;
}

/**
 * Throw an ImageDecodeError naming the file, the page, the dimensions and the bytes needed when the
 * declared image is larger than the limit; otherwise do nothing.
 */
export function checkDeclaredSize(name: string, d: DeclaredImage, limits?: DecodeLimits): void {
  const need = declaredBytes(d);
  const max = maxImageBytes(limits);
  if (need <= max) return;
  const where = d.where ?? (d.pages !== undefined && d.pages > 1 ? `page ${(d.page ?? 0) + 1} of ${d.pages} is` : 'the image is');
  const what = `${d.width}×${d.height} pixels × ${d.samples} sample${d.samples === 1 ? '' : 's'} × ${d.bytesPerSample} byte${d.bytesPerSample === 1 ? '' : 's'}`;
  throw new ImageDecodeError(
    name,
    `${d.format}: ${where} ${d.width}×${d.height} pixels; decoding it needs ${need} bytes (${bytesText(need)}: ${what}), more than the limit of ${max} bytes (${bytesText(max)}) per image. Raise maxImageBytes if this machine has the memory, or split the image.`,
  );
}
