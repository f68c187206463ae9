// The byte source geotiff reads a file through: `Blob.slice(start, end).arrayBuffer()` per range, never
// the whole file (geotiff's own `fromBlob` needs FileReader, which Node and workers without a DOM lack),
// counting the bytes read for progress. A range past the end comes back short (as from a server),
// which geotiff tolerates for its fixed-size header and directory reads; the page reader checks every
// strip and tile range against the file's size first (geotiffPages.ts).
import type { GeoTIFF } from 'geotiff';
import { ImageDecodeError, errorText } from './common';

type Slice = { offset: number; length: number };

/** What GeoTIFF.fromSource takes. */
export type GeotiffSource = Parameters<typeof GeoTIFF.fromSource>[0];

export class BlobRangeSource {
  /** Bytes handed back so far. */
  bytesRead = 0;

  constructor(
    private readonly blob: Blob,
    private readonly name: string,
  ) {}

  get fileSize(): number {
    return this.blob.size;
  }

  async fetchSlice(slice: Slice): Promise<Slice & { data: ArrayBuffer }> {
    const start = Math.min(slice.offset, this.blob.size);
    const end = Math.min(slice.offset + slice.length, this.blob.size);
    let data: ArrayBuffer;
    try {
      data = await this.blob.slice(start, end).arrayBuffer();
    } catch (e) {
      throw new ImageDecodeError(this.name, `cannot read the file (${errorText(e)}).`);
    }
    this.bytesRead += data.byteLength;
    return { offset: slice.offset, length: data.byteLength, data };
  }

  async fetch(slices: Slice[]): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map(async (s) => (await this.fetchSlice(s)).data));
  }

  async close(): Promise<void> {}
}
