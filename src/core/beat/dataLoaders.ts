// Data loaders of API v2 algorithms (reference §9): random access to the units of one channel's
// inputs, mixed at the finest granularity. Sequential algorithms get loaders for their secondary
// channels, autonomous algorithms for every channel. Pure TS; mirrors upstream `data_loaders.py`.

import { dataIndices, mixDataIndices, unitIndexAt, type DataStream } from './streams';

/** `[dataByInput, start, end]`, or `[null, null, null]` out of range. */
export type LoaderEntry = readonly [Record<string, unknown>, number, number] | readonly [null, null, null];

const NONE: LoaderEntry = [null, null, null];

interface LoaderInput {
  source: DataStream;
  indices: [number, number][];
}

/** For each input, the data of its unit containing `index` (null when it has none there). */
function dataAt(inputs: ReadonlyMap<string, LoaderInput>, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, info] of inputs) {
    const k = unitIndexAt(info.source, index);
    out[name] = k < 0 ? null : info.source[k]!.data;
  }
  return out;
}

/** The units of the mixed intervals inside one unit of one input (upstream `DataView`). */
export class DataView {
  readonly dataIndexStart: number;
  readonly dataIndexEnd: number;
  private readonly indices: readonly [number, number][];
  private readonly inputs: ReadonlyMap<string, LoaderInput>;
  private readonly perInput = new Map<string, [number, number][]>();

  constructor(inputs: ReadonlyMap<string, LoaderInput>, indices: readonly [number, number][]) {
    this.inputs = inputs;
    this.indices = indices;
    this.dataIndexStart = indices[0]![0];
    this.dataIndexEnd = indices[indices.length - 1]![1];
    // Each input's units clipped to the view.
    for (const [name, info] of inputs) {
      const clipped: [number, number][] = [];
      let current = this.dataIndexStart;
      for (const [, e] of info.indices) {
        if (e >= this.dataIndexStart && e <= this.dataIndexEnd) {
          clipped.push([current, e]);
          current = e + 1;
        }
      }
      if (clipped.length === 0 || clipped[clipped.length - 1]![1] !== this.dataIndexEnd) clipped.push([current, this.dataIndexEnd]);
      this.perInput.set(name, clipped);
    }
  }

  /** Number of mixed units in the view; with a name, that input's units clipped to the view (null for an unknown name). */
  count(inputName?: string): number | null {
    if (inputName === undefined) return this.indices.length;
    return this.perInput.get(inputName)?.length ?? null;
  }

  /** `[dataByInput, start, end]` of the view's j-th mixed unit, `[null, null, null]` out of range. */
  get(index: number): LoaderEntry {
    const ix = Number.isInteger(index) && index >= 0 ? this.indices[index] : undefined;
    if (!ix) return NONE;
    return [dataAt(this.inputs, ix[0]), ix[0], ix[1]];
  }
}

export class DataLoader {
  readonly channel: string;
  private readonly inputs = new Map<string, LoaderInput>();
  private mixed: [number, number][] = [];
  /** First index of the mixed units (-1 when empty). */
  dataIndexStart = -1;
  /** Last index of the mixed units (-1 when empty). */
  dataIndexEnd = -1;

  constructor(channel: string) {
    this.channel = channel;
  }

  add(inputName: string, source: DataStream): void {
    this.inputs.set(inputName, { source, indices: dataIndices(source) });
    this.mixed = mixDataIndices([...this.inputs.values()].map((i) => i.indices));
    this.dataIndexStart = this.mixed.length ? this.mixed[0]![0] : -1;
    this.dataIndexEnd = this.mixed.length ? this.mixed[this.mixed.length - 1]![1] : -1;
  }

  inputNames(): string[] {
    return [...this.inputs.keys()];
  }

  /** Number of mixed units; with a name, that input's own units (0 for an unknown name). */
  count(inputName?: string): number {
    if (inputName === undefined) return this.mixed.length;
    return this.inputs.get(inputName)?.indices.length ?? 0;
  }

  /** The mixed intervals, in order. */
  mixedDataIndices(): readonly (readonly [number, number])[] {
    return this.mixed;
  }

  /** A view over the mixed units inside the `index`-th unit of input `inputName`; null when there is none. */
  view(inputName: string, index: number): DataView | null {
    const info = this.inputs.get(inputName);
    const ix = info && Number.isInteger(index) && index >= 0 ? info.indices[index] : undefined;
    if (!ix) return null;
    const limited = this.mixed.filter(([s, e]) => ix[0] <= s && e <= ix[1]);
    return limited.length ? new DataView(this.inputs, limited) : null;
  }

  /**
   * `[dataByInput, start, end]` of the i-th mixed unit: `dataByInput[name]` is the data of that
   * input's unit containing `start`. `[null, null, null]` out of range.
   */
  get(index: number): LoaderEntry {
    const ix = Number.isInteger(index) && index >= 0 ? this.mixed[index] : undefined;
    if (!ix) return NONE;
    return [dataAt(this.inputs, ix[0]), ix[0], ix[1]];
  }
}

export class DataLoaderList implements Iterable<DataLoader> {
  private readonly loaders: DataLoader[] = [];
  /** The loader of the synchronization channel (null when the list has none, e.g. `secondaries()`). */
  mainLoader: DataLoader | null = null;

  /**
   * Add a loader. `main: true` makes it the synchronization channel's loader, `false` never does;
   * left out, the first loader added becomes the main one (upstream's rule).
   */
  add(loader: DataLoader, main?: boolean): void {
    if (main === true || (main === undefined && this.mainLoader === null)) this.mainLoader = loader;
    this.loaders.push(loader);
  }

  /** The loader of this channel name or position, or null. */
  get(channelOrIndex: string | number): DataLoader | null {
    if (typeof channelOrIndex === 'string') return this.loaders.find((l) => l.channel === channelOrIndex) ?? null;
    return Number.isInteger(channelOrIndex) && channelOrIndex >= 0 ? (this.loaders[channelOrIndex] ?? null) : null;
  }

  get length(): number {
    return this.loaders.length;
  }

  [Symbol.iterator](): Iterator<DataLoader> {
    return this.loaders[Symbol.iterator]();
  }

  /** The loader holding the input with this name, or null. */
  loaderOf(inputName: string): DataLoader | null {
    return this.loaders.find((l) => l.inputNames().includes(inputName)) ?? null;
  }

  /** A new list with every loader except the main one (its `mainLoader` is null). */
  secondaries(): DataLoaderList {
    const list = new DataLoaderList();
    for (const l of this.loaders) if (l !== this.mainLoader) list.add(l, false);
    return list;
  }
}
