// Files read page by page (or slab by slab), never whole: NPY stacks and multi-page TIFFs of any size.
// Opening one reads only its header (NPY) or its directories (TIFF), checks every page's declared
// size and the file's length against what the header declares, and says what the file makes: its
// pages as Image arrays, or one [Z, Y, X] volume. Then the pages are read in runs, each run read with
// `Blob.slice` and dropped by the caller once written: memory is bounded by a few pages.
import { ByteSource } from './byteSource';
import { SLAB_BYTES, type PagedImageFile } from './common';
import type { DecodeLimits } from './limits';
import { sniffFormat } from './sniff';
import { openNpy } from './npyStream';
import { openTiff } from './tiffStream';

/**
 * Open an NPY or TIFF file for reading page by page (format by magic bytes, then by extension); null
 * for any other format (and for an empty file), which the whole-file decoders handle. Throws an
 * ImageDecodeError naming the file when its header or directories are bad, when a page is larger
 * than `limits.maxImageBytes`, or when the file holds fewer bytes than they declare. `slabBytes`:
 * about how many bytes of pages one read takes (default SLAB_BYTES; at least one page).
 */
export async function openPagedFile(blob: Blob, name: string, limits?: DecodeLimits, slabBytes: number = SLAB_BYTES): Promise<PagedImageFile | null> {
  if (blob.size === 0) return null;
  const src = new ByteSource(blob, name);
  const head = await src.small(0, Math.min(blob.size, 32), 'the header');
  const format = sniffFormat(head, name);
  if (format === 'npy') return openNpy(src, slabBytes, limits);
  if (format === 'tiff') return openTiff(src, slabBytes, limits);
  return null;
}
