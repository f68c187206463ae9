// Inputs of legacy and sequential algorithms (reference §3): `Input`, `InputGroup` with the
// synchronization algorithm (§3.2) and `InputList`. Data sources are in-memory streams of
// `{ data, start, end }` units. Pure TS; mirrors upstream beat.backend.python `inputs.py`.

import { BeatError } from './errors';
import type { DataStream } from './streams';

/**
 * Receives the current interval of the synchronization group; outputs use it to know the end index
 * of a default `write()` (§4.1).
 */
export class SynchronizationListener {
  dataIndexStart = -1;
  dataIndexEnd = -1;

  onIntervalChanged(dataIndexStart: number, dataIndexEnd: number): void {
    this.dataIndexStart = dataIndexStart;
    this.dataIndexEnd = dataIndexEnd;
  }
}

export class Input<T = unknown> {
  /** The group holding this input (set by `InputGroup.add`). */
  group: InputGroup | null = null;
  readonly name: string;
  /** Name of the input's data format. */
  readonly dataFormat: string;
  /** The current unit's data; null before the first advance. */
  data: T | null = null;
  /** Start index of the current unit (-1 before the first advance). */
  dataIndex = -1;
  /** End index of the current unit (-1 before the first advance). */
  dataIndexEnd = -1;
  /** Position of the next unit in the source. */
  nextDataIndex = 0;
  /** False iff the last group advance loaded a new unit on this input. */
  dataSameAsPrevious = true;
  nbDataBlocksRead = 0;
  readonly dataSource: DataStream<T>;

  constructor(name: string, dataFormat: string, dataSource: DataStream<T>) {
    this.name = name;
    this.dataFormat = dataFormat;
    this.dataSource = dataSource;
  }

  /**
   * True iff the current unit ends with the current interval of the group, i.e. it will change at
   * the next iteration (true before the first advance).
   */
  isDataUnitDone(): boolean {
    const last = this.group?.lastDataIndex ?? -1;
    if (this.dataIndexEnd >= 0 && last === -1) return true;
    return this.dataIndexEnd === last;
  }

  /** True iff this input has unread units (independently of its group). */
  hasMoreData(): boolean {
    return this.nextDataIndex < this.dataSource.length;
  }

  /** True iff the last advance of the group loaded a new unit on this input. */
  hasDataChanged(): boolean {
    return !this.dataSameAsPrevious;
  }

  /**
   * Load the next unit. Refused ("Not authorized") on a group the platform drives (the
   * synchronization group); fails with "… (no more data) …" past the last unit.
   */
  next(): void {
    if (this.group?.restrictedAccess) throw new BeatError('E_NOT_AUTHORIZED', 'Not authorized');
    if (this.nextDataIndex >= this.dataSource.length) {
      throw new BeatError(
        'E_NO_MORE_DATA',
        `User algorithm asked for more data for channel \`${this.group?.channel ?? ''}' on input \`${this.name}', but it is over (no more data). This normally indicates a programming error on the user side.`,
      );
    }
    const unit = this.dataSource[this.nextDataIndex]!;
    this.data = unit.data;
    this.dataIndex = unit.start;
    this.dataIndexEnd = unit.end;
    this.dataSameAsPrevious = false;
    this.nextDataIndex += 1;
    this.nbDataBlocksRead += 1;
  }
}

export interface InputGroupOptions {
  synchronizationListener?: SynchronizationListener | null;
  /** True for the group the platform drives (user code may not call `next()` on it). Default true. */
  restrictedAccess?: boolean;
}

export class InputGroup implements Iterable<Input> {
  private readonly inputs: Input[] = [];
  /** Smallest start of the current units (hull). */
  dataIndex = -1;
  /** Largest end of the current units (hull). */
  dataIndexEnd = -1;
  /** Start of the current interval: the largest start of the current units. */
  firstDataIndex = -1;
  /** End of the current interval: the smallest end of the current units. */
  lastDataIndex = -1;
  readonly channel: string;
  readonly synchronizationListener: SynchronizationListener | null;
  restrictedAccess: boolean;

  constructor(channel: string, options: InputGroupOptions = {}) {
    this.channel = channel;
    this.synchronizationListener = options.synchronizationListener ?? null;
    this.restrictedAccess = options.restrictedAccess ?? true;
  }

  /** The input with this name or position, or null. */
  get(nameOrIndex: string | number): Input | null {
    if (typeof nameOrIndex === 'string') return this.inputs.find((i) => i.name === nameOrIndex) ?? null;
    return Number.isInteger(nameOrIndex) && nameOrIndex >= 0 ? (this.inputs[nameOrIndex] ?? null) : null;
  }

  get length(): number {
    return this.inputs.length;
  }

  [Symbol.iterator](): Iterator<Input> {
    return this.inputs[Symbol.iterator]();
  }

  add(input: Input): void {
    input.group = this;
    this.inputs.push(input);
  }

  /** True iff some input of the group has unread units. */
  hasMoreData(): boolean {
    return this.inputs.some((i) => i.hasMoreData());
  }

  /**
   * Advance the group (§3.2): the inputs whose current unit ends first load their next unit, the
   * others keep theirs; then the hull [dataIndex, dataIndexEnd] and the current interval
   * [firstDataIndex, lastDataIndex] are recomputed and the listener is told the interval.
   */
  next(): void {
    if (this.restrictedAccess) throw new BeatError('E_NOT_AUTHORIZED', 'Not authorized');
    if (this.inputs.length === 0) throw new Error(`input group '${this.channel}' has no inputs`);
    const low = Math.min(...this.inputs.map((i) => i.dataIndexEnd));
    const toUpdate = this.inputs.filter((i) => i.dataIndexEnd === low);
    for (const input of toUpdate) input.next();
    for (const input of this.inputs) if (!toUpdate.includes(input)) input.dataSameAsPrevious = true;
    this.dataIndex = Math.min(...this.inputs.map((i) => i.dataIndex));
    this.dataIndexEnd = Math.max(...this.inputs.map((i) => i.dataIndexEnd));
    this.firstDataIndex = Math.max(...this.inputs.map((i) => i.dataIndex));
    this.lastDataIndex = Math.min(...this.inputs.map((i) => i.dataIndexEnd));
    this.synchronizationListener?.onIntervalChanged(this.firstDataIndex, this.lastDataIndex);
  }
}

export class InputList implements Iterable<Input> {
  private readonly groups: InputGroup[] = [];
  /** The synchronization group: the first restricted group added. */
  mainGroup: InputGroup | null = null;

  add(group: InputGroup): void {
    if (group.restrictedAccess && this.mainGroup === null) this.mainGroup = group;
    this.groups.push(group);
  }

  /** The first input with this name over all groups, or the k-th input in group order; else null. */
  get(nameOrIndex: string | number): Input | null {
    if (typeof nameOrIndex === 'string') {
      for (const g of this.groups) {
        const i = g.get(nameOrIndex);
        if (i) return i;
      }
      return null;
    }
    if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0) return null;
    let k = nameOrIndex;
    for (const g of this.groups) {
      if (k < g.length) return g.get(k);
      k -= g.length;
    }
    return null;
  }

  /** Inputs [start, end) in group order, with Array.prototype.slice semantics (an extension: upstream has no slices). */
  slice(start?: number, end?: number): Input[] {
    return [...this].slice(start, end);
  }

  get length(): number {
    return this.groups.reduce((n, g) => n + g.length, 0);
  }

  *[Symbol.iterator](): Iterator<Input> {
    for (const g of this.groups) yield* g;
  }

  nbGroups(): number {
    return this.groups.length;
  }

  /** The group holding the input with this name, or null. */
  groupOf(inputName: string): InputGroup | null {
    return this.groups.find((g) => g.get(inputName) !== null) ?? null;
  }

  /** The group of this channel name or position, or null. */
  group(channelOrIndex: string | number): InputGroup | null {
    if (typeof channelOrIndex === 'string') return this.groups.find((g) => g.channel === channelOrIndex) ?? null;
    return Number.isInteger(channelOrIndex) && channelOrIndex >= 0 ? (this.groups[channelOrIndex] ?? null) : null;
  }

  /** True iff any input of any group has unread units (secondary groups included, as upstream). */
  hasMoreData(): boolean {
    return this.groups.some((g) => g.hasMoreData());
  }

  /**
   * Advance every unsynchronized (secondary) group that has unread units, each with its own
   * synchronization (the seed's `inputs.next()`; not in upstream). Groups the platform drives are
   * never advanced here. Fails with "no more data" when no secondary group has any left.
   */
  next(): void {
    const groups = this.groups.filter((g) => !g.restrictedAccess && g.hasMoreData());
    if (groups.length === 0) {
      throw new BeatError(
        'E_NO_MORE_DATA',
        'User algorithm asked for more data on the unsynchronized channels, but they are over (no more data). This normally indicates a programming error on the user side.',
      );
    }
    for (const g of groups) g.next();
  }

  /** Start of the current interval of the synchronization group (the seed's `current_data_index`); -1 before the first advance. */
  get currentDataIndex(): number {
    return this.mainGroup?.firstDataIndex ?? -1;
  }

  /** End of the current interval of the synchronization group (the seed's `current_end_data_index`). */
  get currentEndDataIndex(): number {
    return this.mainGroup?.lastDataIndex ?? -1;
  }
}
