// Where an OME export's bytes go: a Blob built from parts (the page never holds the file in one
// buffer; browsers page large Blobs to disk), or a FileSystemWritableFileStream (the File System Access
// API's save picker). Parts are written in order; `writeAt` overwrites bytes already written (the
// TIFF header, patched last).

export interface ByteSink {
  /** Append bytes (the sink copies or consumes them; the caller may reuse nothing it passed). */
  write(bytes: Uint8Array): Promise<void>;
  /** Overwrite bytes written earlier at `position` (the Blob sink: exactly one earlier part). */
  writeAt(position: number, bytes: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
}

/** The parts of FileSystemWritableFileStream that a sink uses. */
export interface WritableFileLike {
  write(data: Uint8Array<ArrayBuffer> | { type: 'write'; position: number; data: Uint8Array<ArrayBuffer> } | { type: 'seek'; position: number }): Promise<void>;
  close(): Promise<void>;
  /** Discard what was written (FileSystemWritableFileStream writes to a swap file until close). */
  abort?(): Promise<void>;
}

/** A handle that opens such a stream (FileSystemFileHandle). */
export interface FileHandleLike {
  createWritable(): Promise<WritableFileLike>;
}

function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}

/** A sink that becomes a Blob of `type`. */
export function blobSink(type: string): ByteSink & { blob(): Blob } {
  const parts: Blob[] = [];
  const starts: number[] = [];
  let size = 0;
  return {
    get size() {
      return size;
    },
    async write(bytes) {
      starts.push(size);
      parts.push(new Blob([own(bytes)]));
      size += bytes.byteLength;
    },
    async writeAt(position, bytes) {
      const i = starts.indexOf(position);
      if (i < 0 || parts[i]!.size !== bytes.byteLength) throw new Error(`blobSink: writeAt(${position}) must replace one earlier part exactly.`);
      parts[i] = new Blob([own(bytes)]);
    },
    blob: () => new Blob(parts, { type }),
  };
}

/** A sink onto an open writable file stream (the caller closes it). */
export function fileSink(stream: WritableFileLike): ByteSink {
  let size = 0;
  return {
    get size() {
      return size;
    },
    async write(bytes) {
      await stream.write(own(bytes));
      size += bytes.byteLength;
    },
    async writeAt(position, bytes) {
      await stream.write({ type: 'write', position, data: own(bytes) });
      await stream.write({ type: 'seek', position: size });
    },
  };
}
