// A file read by byte ranges (`Blob.slice(start, end).arrayBuffer()`), never whole: what the streaming
// readers (npyStream.ts, tiffStream.ts) read a file of any size through, with memory bounded by what
// they ask for at once. Small reads (headers, TIFF directories and their tag values) go through a
// window of a few KiB, so that a directory and the values right after it cost one read, not twenty.
import { ImageDecodeError, errorText } from './common';

/** Bytes of the window small reads are served from. */
const WINDOW_BYTES = 8 * 1024;

export class ByteSource {
  /** Bytes handed back by the blob so far (what a progress bar shows). */
  bytesRead = 0;
  private window: { start: number; bytes: Uint8Array } | null = null;

  constructor(
    private readonly blob: Blob,
    /** The file's name, for error messages. */
    readonly name: string,
  ) {}

  get size(): number {
    return this.blob.size;
  }

  /**
   * Bytes [start, end) of the file, in an ArrayBuffer of their own. `what` names them in the error
   * when the file holds fewer ("slice 3", "page 2").
   */
  async read(start: number, end: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
    if (end > this.size) {
      throw new ImageDecodeError(this.name, `the file is truncated: ${what} needs bytes ${start} to ${end}, but the file holds only ${this.size} bytes.`);
    }
    let buffer: ArrayBuffer;
    try {
      buffer = await this.blob.slice(start, end).arrayBuffer();
    } catch (e) {
      throw new ImageDecodeError(this.name, `cannot read the file (${errorText(e)}).`);
    }
    this.bytesRead += buffer.byteLength;
    if (buffer.byteLength !== end - start) {
      throw new ImageDecodeError(
        this.name,
        `the file changed while it was read: ${what} (bytes ${start} to ${end}) came back with ${buffer.byteLength} bytes.`,
      );
    }
    return new Uint8Array(buffer);
  }

  /** A few bytes (a header, a directory): served from a window of WINDOW_BYTES read around them. */
  async small(start: number, end: number, what: string): Promise<Uint8Array> {
    const w = this.window;
    if (w && start >= w.start && end <= w.start + w.bytes.length) return w.bytes.subarray(start - w.start, end - w.start);
    if (end - start > WINDOW_BYTES) return this.read(start, end, what);
    if (end > this.size) await this.read(start, end, what); // throws the truncation message
    const bytes = await this.read(start, Math.min(this.size, start + WINDOW_BYTES), what);
    this.window = { start, bytes };
    return bytes.subarray(0, end - start);
  }
}
