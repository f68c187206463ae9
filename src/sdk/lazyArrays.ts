// Lazy arrays for runners (issue 13): a dataset field opened as a chunked array handle (`openArray`)
// that reads only the regions asked for and iterates over chunk-aligned blocks with a halo, and output
// arrays written block by block (`createArray`) and posted as a field of an output item. Everything
// goes through the HostApi (describeData, readArray, createArray, writeArray, abortArray); the engine
// checks every argument again. See docs/bundle-format.md, "Large data: lazy arrays".
import { cloneAxes, defaultAxes, type ImageAxes } from '../core/imageAxes';
import {
  blockCount,
  blockGrid,
  cropBox,
  originProblem,
  regionProblem,
  shapeProblem,
  shapeStandIn,
  type ArrayRegion,
  type BlockGeometry,
} from '../core/lazyArrays';
import { ndarrayProblem, sizeOf, type DType, type NDArray } from '../core/ndarray';
import type { ArrayFieldInfo, HostApi, OutputArrayInfo, StagedFieldRef } from '../core/protocol';
import type { FieldKind } from '../core/records';

export type { ArrayRegion } from '../core/lazyArrays';

/** One block of `LazyArray.blocks()`. */
export interface ArrayBlock {
  /** Position in the block grid. */
  index: number[];
  /** First element of the core; write the block's result here. */
  origin: number[];
  /** Shape of the core (the cores of all blocks cover the array exactly once). */
  shape: number[];
  /** The core as a region: [origin, origin + shape) per axis. */
  region: [number, number][];
  /** The core with up to `halo` elements on each side, clipped at the array's edges. */
  data: NDArray;
  /** Where `data` starts in the array (origin − halo, clipped at 0). */
  dataOrigin: number[];
  /** Where the core starts inside `data`. */
  coreOffset: number[];
  /**
   * The core of `a`, an array of `data`'s shape (e.g. a filter applied to `data`); default `data`
   * itself. A copy, unless there is no halo (then `a` as it is).
   */
  crop(a?: NDArray): NDArray;
}

export interface BlockOptions {
  /** Elements read around each block's core, per axis or one for all; clipped at the edges. Default 0. */
  halo?: number | readonly number[];
  /** The block grid; default the array's chunk shape (blocks are then chunk-aligned: no chunk is read twice). */
  blockShape?: readonly number[];
  /** Blocks read ahead while the current one is processed (0–4). Default 1: at most two blocks in memory. */
  prefetch?: number;
}

function perAxis(x: number | readonly number[] | undefined, nd: number, what: string, min: number): number[] {
  const list = x === undefined || typeof x === 'number' ? Array.from({ length: nd }, () => x ?? min) : [...x];
  if (list.length !== nd || !list.every((v) => Number.isSafeInteger(v) && v >= min)) {
    throw new Error(`blocks: ${what} must be an integer ≥ ${min} or ${nd} of them (one per axis), got ${JSON.stringify(x)}.`);
  }
  return list;
}

/** `region` checked against `shape` and copied as plain pairs (null: all of it). */
function wireRegion(region: ArrayRegion | null | undefined, shape: readonly number[]): ArrayRegion | null {
  if (region === undefined || region === null) return null;
  const p = regionProblem(region, shape, 'read: region');
  if (p) throw new Error(p);
  return region.map((r) => (r ? ([r[0], r[1]] as const) : null));
}

const RGB_LABELS = ['Red', 'Green', 'Blue'];

/** A dataset field opened lazily: shape and dtype now, bytes only for the regions read. */
export class LazyArray {
  readonly datasetId: string;
  readonly key: string;
  readonly kind: FieldKind;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The chunk shape: regions aligned on it read each chunk once. */
  readonly chunks: readonly number[];
  /**
   * What the axes mean: names ('t', 'c', 'z', 'y', 'x'), units, physical sizes (`scale`) and the channels
   * (label, colour) of the 'c' axis — as the dataset says, else the defaults for the shape.
   */
  readonly axes: ImageAxes;

  constructor(
    private readonly host: HostApi,
    datasetId: string,
    key: string,
    info: ArrayFieldInfo,
  ) {
    this.datasetId = datasetId;
    this.key = key;
    this.kind = info.kind;
    this.dtype = info.dtype;
    this.shape = Object.freeze([...info.shape]);
    this.chunks = Object.freeze([...info.chunks]);
    this.axes = info.axes ? cloneAxes(info.axes) : defaultAxes(info.shape, { rgb: key === 'image' && info.shape.length === 3 && info.shape[0] === 3 });
  }

  /** Index of the axis named `name` ('c', 'z', …), or -1. */
  axisIndex(name: string): number {
    return this.axes.axes.findIndex((a) => a.name === name);
  }

  /**
   * Whether this is a picture in colour: [3, H, W] whose 'c' axis holds red, green and blue (the
   * default for a channel-first RGB image), not three channels of a microscope.
   */
  get isRgb(): boolean {
    const ch = this.axes.channels;
    return this.ndim === 3 && this.axisIndex('c') === 0 && ch.length === 3 && ch.every((c, i) => c.label === RGB_LABELS[i]);
  }

  /**
   * This array at `index` of one axis (a name such as 'c' or 't', or a number), without that axis: one
   * channel, one time point. A view: it reads only that index's chunks, through the same region reads.
   */
  select(axis: string | number, index: number): LazyArray {
    const ax = typeof axis === 'number' ? axis : this.axisIndex(axis);
    const names = this.axes.axes.map((a) => a.name).join(', ');
    if (!Number.isInteger(ax) || ax < 0 || ax >= this.ndim) throw new Error(`select: this array has no axis ${JSON.stringify(axis)} (its axes: ${names}).`);
    const n = this.shape[ax]!;
    const name = this.axes.axes[ax]!.name;
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new Error(`select: index ${JSON.stringify(index)} is out of range for axis '${name}' of length ${n} (expected 0 to ${n - 1}).`);
    }
    const drop = <T>(xs: readonly T[]): T[] => xs.filter((_, i) => i !== ax);
    const axes: ImageAxes = { axes: drop(this.axes.axes), channels: name === 'c' ? [] : this.axes.channels };
    const view = new LazyArray(this.host, this.datasetId, this.key, {
      kind: this.kind,
      dtype: this.dtype,
      shape: drop(this.shape),
      chunks: drop(this.chunks),
      axes,
    });
    view.parent = { array: this, axis: ax, index };
    return view;
  }

  /** Set on a view made by `select`: the array it reads through, and the axis and index it fixes. */
  private parent: { array: LazyArray; axis: number; index: number } | null = null;

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** `region` of the array (per axis [start, stop] or null; omitted: all of it). Reads only the chunks it touches. */
  async read(region?: ArrayRegion | null): Promise<NDArray> {
    const wire = wireRegion(region, this.shape);
    if (!this.parent) return this.host.readArray(this.datasetId, this.key, wire);
    const { array, axis, index } = this.parent;
    const full: (readonly [number, number] | null)[] = wire ? [...wire] : this.shape.map(() => null);
    full.splice(axis, 0, [index, index + 1]);
    const got = await array.read(full);
    // The fixed axis has length 1 in what was read: the same elements in the same order without it.
    return { dtype: got.dtype, shape: got.shape.filter((_, i) => i !== axis), data: got.data } as NDArray;
  }

  /** How many blocks `blocks(opts)` yields. */
  blockCount(opts: Pick<BlockOptions, 'blockShape'> = {}): number {
    return blockCount(this.shape, this.gridOf(opts.blockShape));
  }

  private gridOf(blockShape: readonly number[] | undefined): number[] {
    return perAxis(blockShape ?? this.chunks, this.ndim, 'blockShape', 1);
  }

  /**
   * The array block by block (C order), each read with `halo` elements around its core, clipped at the
   * edges. At most `prefetch` + 1 blocks are held at once: the one yielded and those being read.
   */
  async *blocks(opts: BlockOptions = {}): AsyncGenerator<ArrayBlock, void, undefined> {
    const grid = this.gridOf(opts.blockShape);
    const halo = perAxis(opts.halo, this.ndim, 'halo', 0);
    const prefetch = opts.prefetch ?? 1;
    if (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > 4)
      throw new Error(`blocks: prefetch must be an integer from 0 to 4, got ${JSON.stringify(prefetch)}.`);
    const geometry = blockGrid(this.shape, grid, halo);
    const ahead: { g: BlockGeometry; data: Promise<NDArray> }[] = [];
    const pull = () => {
      const next = geometry.next();
      if (next.done) return;
      const g = next.value;
      const data = this.read(g.readOrigin.map((o, i) => [o, o + g.readShape[i]!] as const));
      data.catch(() => {}); // awaited below; a block never reached must not be an unhandled rejection
      ahead.push({ g, data });
    };
    for (let i = 0; i <= prefetch; i++) pull();
    while (ahead.length) {
      const { g, data } = ahead.shift()!;
      const a = await data;
      yield makeBlock(g, a);
      // Only now (the caller is done with this block) is the next read started: the block yielded and
      // `prefetch` blocks in flight are all this generator ever holds.
      pull();
    }
  }
}

function makeBlock(g: BlockGeometry, data: NDArray): ArrayBlock {
  const coreOffset = g.origin.map((o, i) => o - g.readOrigin[i]!);
  const noHalo = g.readShape.every((s, i) => s === g.shape[i]);
  return {
    index: g.index,
    origin: g.origin,
    shape: g.shape,
    region: g.origin.map((o, i) => [o, o + g.shape[i]!]),
    data,
    dataOrigin: g.readOrigin,
    coreOffset,
    crop(a = data) {
      if (a.shape.length !== data.shape.length || a.shape.some((s, i) => s !== data.shape[i])) {
        throw new Error(`crop: expected an array of the block's data shape [${data.shape.join(', ')}], got [${a.shape.join(', ')}].`);
      }
      return noHalo ? a : cropBox(a, coreOffset, g.shape);
    },
  };
}

/** An output array being written block by block; post it as a field of an output item to commit it with its dataset. */
export class OutputArray {
  readonly handle: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  private state: 'open' | 'posted' | 'aborted' = 'open';

  constructor(
    private readonly host: HostApi,
    info: OutputArrayInfo,
  ) {
    this.handle = info.handle;
    this.dtype = info.dtype;
    this.shape = Object.freeze([...info.shape]);
    this.chunks = Object.freeze([...info.chunks]);
  }

  private checkOpen(what: string): void {
    if (this.state !== 'open') throw new Error(`${what}: this output array was already ${this.state}.`);
  }

  /**
   * Write `block` with its first element at `origin`. A block whose data is its whole buffer is
   * transferred to the engine (its buffer is detached afterwards: write a copy to keep it); a view
   * into a larger buffer is copied. Writes of one array are applied in call order.
   */
  async write(origin: readonly number[], block: NDArray): Promise<void> {
    this.checkOpen('write');
    const d = (block as Partial<NDArray> | null)?.data;
    if (ArrayBuffer.isView(d) && d.byteLength === 0 && d.buffer.byteLength === 0 && Array.isArray(block.shape) && sizeOf(block.shape) > 0) {
      throw new Error('write: the block’s buffer was detached (an earlier write transferred it); write a copy of it instead.');
    }
    const p = ndarrayProblem(block, 'write: block');
    if (p) throw new Error(p);
    if (block.dtype !== this.dtype) throw new Error(`write: block dtype ${block.dtype} does not match the output array's dtype ${this.dtype}.`);
    const o = originProblem(origin, block.shape, this.shape, 'origin');
    if (o) throw new Error(`write: ${o}`);
    await this.host.writeArray(this.handle, [...origin], block);
  }

  /** Read back `region` (omitted: all) of what was written so far (never written: 0), before it is posted. */
  async read(region?: ArrayRegion | null): Promise<NDArray> {
    this.checkOpen('read');
    return this.host.readOutput(this.handle, wireRegion(region, this.shape));
  }

  /** Drop the array (it will not be posted). */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.host.abortArray(this.handle);
  }

  /** The field postData sends for this array (then it can no longer be written). */
  toField(): StagedFieldRef {
    this.checkOpen('postData');
    this.state = 'posted';
    return { kind: 'array', staged: this.handle };
  }

  /** What a data schema checks of this array (dtype and shape; it holds no data). */
  schemaStandIn(): NDArray {
    return shapeStandIn(this.dtype, this.shape);
  }
}

/** Checked createArray options. */
export function checkNewArray(spec: unknown): { dtype: DType; shape: number[]; chunks?: number[] } {
  if (typeof spec !== 'object' || spec === null) throw new Error('createArray: expected {dtype, shape, chunks?}.');
  const { dtype, shape, chunks } = spec as { dtype?: unknown; shape?: unknown; chunks?: unknown };
  const sp = shapeProblem(shape, 'createArray: shape');
  if (sp) throw new Error(sp);
  if (chunks !== undefined && chunks !== null) {
    const cp = shapeProblem(chunks, 'createArray: chunks');
    if (cp) throw new Error(cp);
  }
  return { dtype: dtype as DType, shape: [...(shape as number[])], ...(chunks ? { chunks: [...(chunks as number[])] } : {}) };
}
