// Lazy (chunked) arrays across the engine ↔ runner boundary: the pure geometry and checks shared by
// the SDK's handles (src/sdk/lazyArrays.ts: `openArray`, `createArray`, `blocks({ halo })`) and the
// engine's HostApi calls (src/engine/hostArrays.ts: describeData, readArray, createArray, writeArray).
// Block grids with halos clipped at the edges, region/origin/shape checks whose messages name the
// field and the value, the core of a block copied out of a larger one, and shape-only stand-ins that
// let a schema check an output array that is not in memory.
import { BRIEF, describeValue } from './describeValue';
import { sizeOf, stridesOf, typedArrayCtor, type DType, type DTypeMap, type NDArray } from './ndarray';

/** Per axis a half-open range [start, stop), or null for the whole axis. */
export type ArrayRegion = readonly (readonly [number, number] | null)[];

/** Most axes an array crossing the boundary may have. */
export const MAX_NDIM = 32;

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** A value as it appears in a message: arrays of numbers as [a, b], anything else described briefly. */
function valueText(x: unknown): string {
  if (Array.isArray(x) && x.length <= 64 && x.every((v) => typeof v === 'number')) return shapeText(x as number[]);
  return describeValue(x, BRIEF);
}

/** `x` as a shape (non-negative integers, at most MAX_NDIM axes), or a message naming `field`. */
export function shapeProblem(x: unknown, field: string): string | null {
  if (!Array.isArray(x) || x.length > MAX_NDIM || !x.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    return `${field} must be a list of at most ${MAX_NDIM} non-negative integers, got ${valueText(x)}.`;
  }
  return null;
}

/**
 * `x` as a region of an array of `shape`: one entry per axis, each null (the whole axis) or
 * [start, stop] with 0 ≤ start ≤ stop ≤ the axis length. Returns a message naming `field`, or null.
 */
export function regionProblem(x: unknown, shape: readonly number[], field: string): string | null {
  if (!Array.isArray(x)) return `${field} must be a list of one [start, stop] (or null) per axis, got ${valueText(x)}.`;
  if (x.length !== shape.length) return `${field} has ${x.length} axes, but the array ${shapeText(shape)} has ${shape.length}.`;
  for (let i = 0; i < x.length; i++) {
    const r = x[i] as unknown;
    if (r === null) continue;
    const ok = Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]);
    if (!ok || r[0] < 0 || r[1] < r[0] || r[1] > shape[i]!) {
      return `${field}[${i}] must be null or [start, stop] with 0 ≤ start ≤ stop ≤ ${shape[i]} (axis ${i} of ${shapeText(shape)}), got ${valueText(r)}.`;
    }
  }
  return null;
}

/** The region as [start, stop] on every axis (null → the whole axis). */
export function fullRegion(region: ArrayRegion | null | undefined, shape: readonly number[]): [number, number][] {
  return shape.map((d, i) => {
    const r = region?.[i];
    return r ? [r[0], r[1]] : [0, d];
  });
}

/**
 * Where a block of `blockShape` may be written into an array of `shape`: `origin` one non-negative
 * integer per axis and the block inside the array. Returns a message naming `field`, or null.
 */
export function originProblem(origin: unknown, blockShape: readonly number[], shape: readonly number[], field: string): string | null {
  if (!Array.isArray(origin) || origin.length !== shape.length || !origin.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    return `${field} must be ${shape.length} non-negative integers (one per axis of ${shapeText(shape)}), got ${valueText(origin)}.`;
  }
  if (blockShape.length !== shape.length)
    return `the block ${shapeText(blockShape)} has ${blockShape.length} axes, but the array ${shapeText(shape)} has ${shape.length}.`;
  const axis = shape.findIndex((d, i) => (origin[i] as number) + blockShape[i]! > d);
  if (axis >= 0) {
    return `a block ${shapeText(blockShape)} at ${field} ${shapeText(origin as number[])} does not fit in the array ${shapeText(shape)} (axis ${axis}: ${origin[axis]} + ${blockShape[axis]} > ${shape[axis]}).`;
  }
  return null;
}

/** One block of a block grid: its core and the region read around it (core plus halo, clipped). */
export interface BlockGeometry {
  /** Position in the block grid. */
  index: number[];
  /** First element of the core. */
  origin: number[];
  /** Shape of the core (the blocks' cores cover the array exactly once). */
  shape: number[];
  /** First element of the region read: origin − halo, clipped at 0. */
  readOrigin: number[];
  /** Shape of the region read: core plus halo on both sides, clipped at the array's edges. */
  readShape: number[];
}

/**
 * The blocks of an array of `shape` on a grid of `blockShape` (C order: the last axis fastest), each
 * with `halo` elements per axis around its core, clipped at the edges. An array with an empty axis
 * has no blocks; a 0-D array has one.
 */
export function* blockGrid(shape: readonly number[], blockShape: readonly number[], halo: readonly number[]): Generator<BlockGeometry> {
  const nd = shape.length;
  if (shape.some((d) => d === 0)) return;
  const counts = shape.map((d, i) => Math.ceil(d / blockShape[i]!));
  const index = shape.map(() => 0);
  for (;;) {
    const origin = index.map((k, i) => k * blockShape[i]!);
    const core = origin.map((o, i) => Math.min(blockShape[i]!, shape[i]! - o));
    const readOrigin = origin.map((o, i) => Math.max(0, o - halo[i]!));
    const readShape = origin.map((o, i) => Math.min(shape[i]!, o + core[i]! + halo[i]!) - readOrigin[i]!);
    yield { index: [...index], origin, shape: core, readOrigin, readShape };
    let axis = nd - 1;
    while (axis >= 0 && ++index[axis]! === counts[axis]!) index[axis--] = 0;
    if (axis < 0) return;
  }
}

/** Number of blocks blockGrid yields. */
export function blockCount(shape: readonly number[], blockShape: readonly number[]): number {
  return shape.reduce((n, d, i) => n * Math.ceil(d / blockShape[i]!), 1);
}

/**
 * A copy of the box of `shape` starting at `offset` inside `a` (row by row along the last axis). Used
 * to take the core out of a block read with a halo.
 */
export function cropBox<D extends DType>(a: NDArray<D>, offset: readonly number[], shape: readonly number[]): NDArray<D> {
  const nd = a.shape.length;
  if (offset.length !== nd || shape.length !== nd || shape.some((s, i) => offset[i]! < 0 || offset[i]! + s > a.shape[i]!)) {
    throw new Error(`cropBox: a box ${shapeText(shape)} at ${shapeText(offset)} does not fit in ${shapeText(a.shape)}.`);
  }
  const C = typedArrayCtor(a.dtype);
  const n = sizeOf(shape);
  const out = new C(n) as DTypeMap[D];
  if (n === 0) return { dtype: a.dtype, shape: [...shape], data: out };
  if (nd === 0) {
    out[0] = a.data[0]!;
    return { dtype: a.dtype, shape: [], data: out };
  }
  const strides = stridesOf(a.shape);
  const row = shape[nd - 1]!;
  const rows = n / row;
  const idx = shape.slice(0, nd - 1).map(() => 0);
  for (let r = 0; r < rows; r++) {
    let src = offset[nd - 1]!;
    for (let i = 0; i < nd - 1; i++) src += (offset[i]! + idx[i]!) * strides[i]!;
    (out as Uint8Array).set((a.data as Uint8Array).subarray(src, src + row), r * row);
    for (let i = nd - 2; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { dtype: a.dtype, shape: [...shape], data: out };
}

/**
 * An NDArray of `dtype` and `shape` that holds no data: its `data` is an empty typed array of the
 * dtype's class that reports the length of `shape` and reads as zeros. Only for checking an output
 * array that lives in the store (written block by block) against a data schema, which looks at dtype
 * and shape; never stored, never computed on.
 */
export function shapeStandIn(dtype: DType, shape: readonly number[]): NDArray {
  const C = typedArrayCtor(dtype);
  const target = new C(0);
  const n = sizeOf(shape);
  const data = new Proxy(target, {
    get(t, p) {
      if (p === 'length') return n;
      if (p === 'byteLength') return n * C.BYTES_PER_ELEMENT;
      if (typeof p === 'string' && /^\d+$/.test(p)) return Number(p) < n ? 0 : undefined;
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return { dtype, shape: [...shape], data: data as DTypeMap[DType] };
}
