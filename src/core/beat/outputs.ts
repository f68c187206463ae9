// Outputs (reference §4): `Output.write(data, endDataIndex?)` with upstream's start/end rules, strict
// data format checking of what is written, the in-memory sink that collects the produced stream,
// and `OutputList`. Pure TS; mirrors upstream beat.backend.python `outputs.py`.

import { BeatError } from './errors';
import { convertData, createData, type Data, type DataFormat } from './dataFormats';
import type { SynchronizationListener } from './inputs';
import type { DataUnit } from './streams';
import { lazyOutputData } from './lazyUnits';

export const END_INDEX_MESSAGE = "Algorithm logic error on write(): `end_data_index' is not consistent with last written index";

/** Where an output's units go. */
export interface DataSink {
  /** A written unit (data already converted to the output's format). */
  write(data: Data, start: number, end: number): void;
  /** `write(null)`: the interval [start, end] is consumed and nothing is delivered. */
  skip(start: number, end: number): void;
  close(): void;
  isConnected(): boolean;
}

/** Collects the units of one output in memory. */
export class MemorySink implements DataSink {
  readonly units: DataUnit<Data>[] = [];
  /** Intervals consumed by `write(null)`. */
  readonly skipped: { start: number; end: number }[] = [];
  closed = false;

  write(data: Data, start: number, end: number): void {
    this.units.push({ data, start, end });
  }

  skip(start: number, end: number): void {
    this.skipped.push({ start, end });
  }

  close(): void {
    this.closed = true;
  }

  isConnected(): boolean {
    return true;
  }
}

export interface OutputOptions {
  /** The synchronization group's listener; none for autonomous algorithms. */
  synchronizationListener?: SynchronizationListener | null;
  /** First index this output produces (0, or the start of a split run's range). */
  forceStartIndex?: number;
  /** A lazy output (`"lazy": true`): units hold output arrays written block by block (lazyUnits.ts). */
  lazy?: boolean;
  /** Makes an output array for a lazy output (the block worker's; absent: `createArray` is refused). */
  createArray?: (spec: unknown) => Promise<unknown>;
  sink?: DataSink;
}

export class Output {
  readonly name: string;
  readonly format: DataFormat;
  readonly sink: DataSink;
  lastWrittenDataIndex: number;
  nbDataBlocksWritten = 0;
  private readonly listener: SynchronizationListener | null;
  readonly lazy: boolean;
  private readonly arrays: OutputOptions['createArray'] | null;

  constructor(name: string, format: DataFormat, options: OutputOptions = {}) {
    this.name = name;
    this.lazy = options.lazy ?? false;
    this.arrays = options.createArray ?? null;
    this.format = format;
    this.sink = options.sink ?? new MemorySink();
    this.listener = options.synchronizationListener ?? null;
    this.lastWrittenDataIndex = (options.forceStartIndex ?? 0) - 1;
  }

  /** Name of the output's data format. */
  get dataFormat(): string {
    return this.format.name;
  }

  get synchronizationListener(): SynchronizationListener | null {
    return this.listener;
  }

  /** A default instance of the output's data format, to fill and write. */
  createData(): Data {
    return createData(this.format);
  }

  /**
   * A lazy output's array (`{dtype, shape, chunks?}`), written block by block with `write(origin, block)`;
   * write `{ field: array }` on the output to commit it with the unit's dataset.
   */
  createArray(spec: unknown): Promise<unknown> {
    if (!this.lazy)
      return Promise.reject(new BeatError('E_FORMAT_CAST', `output '${this.name}' is not lazy: declare it with "lazy": true to write it block by block`));
    if (!this.arrays) return Promise.reject(new BeatError('E_FORMAT_CAST', `output '${this.name}': output arrays are made only in a toolchain's block worker`));
    return this.arrays(spec);
  }

  /**
   * Write a unit covering [lastWrittenDataIndex + 1, end]. `end` defaults to the end of the current
   * interval (synchronized outputs) or to the next index (autonomous outputs, one index per write).
   * An explicit end must be ≥ the next free index and ≤ the current interval's end (E_END_INDEX).
   * `data` must match the data format exactly (§7.3). `write(null)` consumes the interval and
   * delivers nothing downstream.
   */
  write(data: unknown, endDataIndex?: number | null): void {
    const end = this.computeEndDataIndex(endDataIndex);
    const start = this.lastWrittenDataIndex + 1;
    if (data === null) this.sink.skip(start, end);
    else this.sink.write(this.lazy ? lazyOutputData(this.name, this.format, data) : convertData(this.format, data), start, end);
    this.lastWrittenDataIndex = end;
    this.nbDataBlocksWritten += 1;
  }

  /** True iff synchronized and the last write does not reach the end of the current interval. */
  isDataMissing(): boolean {
    return this.listener !== null && this.listener.dataIndexEnd !== this.lastWrittenDataIndex;
  }

  isConnected(): boolean {
    return this.sink.isConnected();
  }

  close(): void {
    this.sink.close();
  }

  private computeEndDataIndex(end: number | null | undefined): number {
    if (end !== undefined && end !== null) {
      if (!Number.isSafeInteger(end)) {
        throw new BeatError('E_END_INDEX', `write(): end_data_index must be an integer, got ${String(end)}`);
      }
      if (end < this.lastWrittenDataIndex + 1 || (this.listener !== null && end > this.listener.dataIndexEnd)) {
        throw new BeatError('E_END_INDEX', END_INDEX_MESSAGE);
      }
      return end;
    }
    if (this.listener !== null) return this.listener.dataIndexEnd;
    return this.lastWrittenDataIndex + 1;
  }
}

export class OutputList implements Iterable<Output> {
  private readonly outputs: Output[] = [];

  /** The output with this name or position, or null. */
  get(nameOrIndex: string | number): Output | null {
    if (typeof nameOrIndex === 'string') return this.outputs.find((o) => o.name === nameOrIndex) ?? null;
    return Number.isInteger(nameOrIndex) && nameOrIndex >= 0 ? (this.outputs[nameOrIndex] ?? null) : null;
  }

  /** Outputs [start, end) with Array.prototype.slice semantics (an extension: upstream has no slices). */
  slice(start?: number, end?: number): Output[] {
    return this.outputs.slice(start, end);
  }

  get length(): number {
    return this.outputs.length;
  }

  [Symbol.iterator](): Iterator<Output> {
    return this.outputs[Symbol.iterator]();
  }

  add(output: Output): void {
    this.outputs.push(output);
  }
}
