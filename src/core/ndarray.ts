// NDArray: the one array type that crosses every boundary (store, worker messages, SDK, API).
// `{ dtype, shape, data }` with `data` a typed array in row-major (C) order. Pure TS, no DOM.
import { BRIEF, describeValue } from './describeValue';

export const DTYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float16', 'float32', 'float64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** Float16Array exists in recent browsers (Chromium ≥ 135) but not in Node 20. */
type Float16ArrayLike = Float32Array; // structural stand-in for typing; the runtime class is Float16Array
const Float16Ctor: (new (n: number | ArrayBufferLike | ArrayLike<number>, o?: number, l?: number) => Float16ArrayLike) | undefined = (
  globalThis as unknown as { Float16Array?: never }
).Float16Array;

export function hasFloat16(): boolean {
  return Float16Ctor !== undefined;
}

export interface DTypeMap {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  uint32: Uint32Array;
  int32: Int32Array;
  float16: Float16ArrayLike;
  float32: Float32Array;
  float64: Float64Array;
  bool: Uint8Array;
}
export type TypedArray = DTypeMap[DType];

export interface NDArray<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: DTypeMap[D];
}

type Ctor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  new (values: ArrayLike<number>): TypedArray;
  BYTES_PER_ELEMENT: number;
  name: string;
};

const CTORS: Record<Exclude<DType, 'float16'>, Ctor> = {
  uint8: Uint8Array as unknown as Ctor,
  int8: Int8Array as unknown as Ctor,
  uint16: Uint16Array as unknown as Ctor,
  int16: Int16Array as unknown as Ctor,
  uint32: Uint32Array as unknown as Ctor,
  int32: Int32Array as unknown as Ctor,
  float32: Float32Array as unknown as Ctor,
  float64: Float64Array as unknown as Ctor,
  bool: Uint8Array as unknown as Ctor,
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/** The typed-array constructor for a dtype; float16 only where the platform has Float16Array. */
export function typedArrayCtor(dtype: DType): Ctor {
  if (dtype === 'float16') {
    if (!Float16Ctor) throw new Error('dtype float16 needs Float16Array, which this JavaScript engine does not have.');
    return Float16Ctor as unknown as Ctor;
  }
  const c = Object.hasOwn(CTORS, dtype) ? CTORS[dtype] : undefined;
  if (!c) throw new Error(`Unknown dtype '${String(dtype)}'; expected one of ${DTYPES.join(', ')}.`);
  return c;
}

export function itemSize(dtype: DType): number {
  if (dtype === 'float16') return 2;
  return typedArrayCtor(dtype).BYTES_PER_ELEMENT;
}

/** The dtype a typed array stores natively (Uint8Array → uint8; bool must be asked for explicitly). */
export function dtypeOfTypedArray(a: unknown): DType | null {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (Float16Ctor && a instanceof Float16Ctor) return 'float16';
  return null;
}

/** Number of elements of a shape (1 for a scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = shape.map(() => 0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

function checkShape(shape: readonly number[], where: string): void {
  if (!Array.isArray(shape)) throw new Error(`${where}: shape must be an array of non-negative integers, got ${describeValue(shape, BRIEF)}.`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${where}: shape must be an array of non-negative integers, got [${shape.join(', ')}].`);
    }
  }
}

/**
 * Make an NDArray. With `data` omitted, allocates zeros. Plain number arrays are converted;
 * typed arrays of the right class are used as they are (no copy).
 */
export function ndarray<D extends DType>(dtype: D, shape: readonly number[], data?: ArrayLike<number> | DTypeMap[D]): NDArray<D> {
  checkShape(shape, 'ndarray');
  const C = typedArrayCtor(dtype);
  const n = sizeOf(shape);
  let arr: TypedArray;
  if (data === undefined) arr = new C(n);
  else if (data instanceof C) arr = data as TypedArray;
  else arr = new C(data as ArrayLike<number>);
  if (arr.length !== n) {
    throw new Error(`ndarray: data has ${arr.length} elements but shape [${shape.join(', ')}] needs ${n}.`);
  }
  return { dtype, shape: [...shape], data: arr as DTypeMap[D] };
}

export function zeros<D extends DType>(dtype: D, shape: readonly number[]): NDArray<D> {
  return ndarray(dtype, shape);
}

/**
 * Check that `x` is a well-formed NDArray: known dtype, integer shape, typed array of the dtype's
 * class whose length is the product of the shape. Returns a message naming `field`, or null.
 */
export function ndarrayProblem(x: unknown, field = 'array'): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    return `${field}: expected an NDArray {dtype, shape, data}, got ${describeValue(x, BRIEF)}.`;
  }
  const a = x as Partial<NDArray>;
  if (!isDType(a.dtype)) {
    return `${field}: dtype must be one of ${DTYPES.join(', ')}, got ${describeValue(a.dtype, BRIEF)}.`;
  }
  if (a.dtype === 'float16' && !hasFloat16()) {
    return `${field}: dtype float16 is not supported here (no Float16Array in this JavaScript engine).`;
  }
  if (!Array.isArray(a.shape) || a.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    return `${field}: shape must be an array of non-negative integers, got ${Array.isArray(a.shape) ? `[${a.shape.join(', ')}]` : describeValue(a.shape, BRIEF)}.`;
  }
  const C = typedArrayCtor(a.dtype);
  if (!(a.data instanceof C)) {
    return `${field}: data for dtype ${a.dtype} must be a ${C.name}, got ${describeValue(a.data, BRIEF)}.`;
  }
  const n = sizeOf(a.shape);
  if (a.data.length !== n) {
    return `${field}: data has ${a.data.length} elements but shape [${a.shape.join(', ')}] needs ${n}.`;
  }
  return null;
}

export function isNDArray(x: unknown): x is NDArray {
  return ndarrayProblem(x) === null;
}

export function assertNDArray(x: unknown, field = 'array'): asserts x is NDArray {
  const p = ndarrayProblem(x, field);
  if (p) throw new Error(p);
}

/** Reshape without copying (the data is shared). One dimension may be -1. */
export function reshape<D extends DType>(a: NDArray<D>, shape: readonly number[]): NDArray<D> {
  const s = [...shape];
  const unknown = s.indexOf(-1);
  if (unknown >= 0) {
    if (s.indexOf(-1, unknown + 1) >= 0) throw new Error(`reshape: only one dimension may be -1, got [${shape.join(', ')}].`);
    const rest = sizeOf(s.filter((_, i) => i !== unknown));
    const k = rest === 0 ? 0 : a.data.length / rest;
    if (!Number.isInteger(k)) {
      throw new Error(`reshape: cannot reshape [${a.shape.join(', ')}] (${a.data.length} elements) to [${shape.join(', ')}].`);
    }
    s[unknown] = k;
  }
  checkShape(s, 'reshape');
  if (sizeOf(s) !== a.data.length) {
    throw new Error(`reshape: cannot reshape [${a.shape.join(', ')}] (${a.data.length} elements) to [${shape.join(', ')}].`);
  }
  return { dtype: a.dtype, shape: s, data: a.data };
}

/** The i-th sub-array along axis 0, as a view on the same buffer (no copy). Negative i counts from the end. */
export function sliceAt<D extends DType>(a: NDArray<D>, i: number): NDArray<D> {
  if (a.shape.length === 0) throw new Error('sliceAt: cannot index a 0-dimensional array.');
  const n = a.shape[0]!;
  const k = i < 0 ? n + i : i;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`sliceAt: index ${i} is out of range for axis 0 of size ${n}.`);
  const inner = a.shape.slice(1);
  const m = sizeOf(inner);
  return { dtype: a.dtype, shape: inner, data: a.data.subarray(k * m, (k + 1) * m) as DTypeMap[D] };
}

/** Sub-arrays [start, end) along axis 0, as a view (no copy). */
export function sliceRange<D extends DType>(a: NDArray<D>, start: number, end: number = a.shape[0] ?? 0): NDArray<D> {
  if (a.shape.length === 0) throw new Error('sliceRange: cannot slice a 0-dimensional array.');
  const n = a.shape[0]!;
  const s = Math.max(0, Math.min(n, start < 0 ? n + start : start));
  const e = Math.max(s, Math.min(n, end < 0 ? n + end : end));
  const m = sizeOf(a.shape.slice(1));
  return { dtype: a.dtype, shape: [e - s, ...a.shape.slice(1)], data: a.data.subarray(s * m, e * m) as DTypeMap[D] };
}

/** All sub-arrays along axis 0 as views. */
export function unstack<D extends DType>(a: NDArray<D>): NDArray<D>[] {
  const n = a.shape[0] ?? 0;
  const out: NDArray<D>[] = [];
  for (let i = 0; i < n; i++) out.push(sliceAt(a, i));
  return out;
}

/**
 * Stack arrays of one shape and dtype along a new axis 0 (one allocation, one copy per input,
 * as numpy.stack). Errors name the first array that differs.
 */
export function stack<D extends DType>(arrays: readonly NDArray<D>[]): NDArray<D> {
  if (arrays.length === 0) throw new Error('stack: need at least one array to stack.');
  const first = arrays[0]!;
  const m = first.data.length;
  for (let i = 1; i < arrays.length; i++) {
    const a = arrays[i]!;
    if (a.dtype !== first.dtype) {
      throw new Error(`stack: all arrays must have the same dtype; array 0 is ${first.dtype} but array ${i} is ${a.dtype}.`);
    }
    if (a.shape.length !== first.shape.length || a.shape.some((d, j) => d !== first.shape[j])) {
      throw new Error(`stack: all arrays must have the same shape; array 0 is [${first.shape.join(', ')}] but array ${i} is [${a.shape.join(', ')}].`);
    }
  }
  const C = typedArrayCtor(first.dtype);
  const out = new C(m * arrays.length);
  arrays.forEach((a, i) => (out as Float64Array).set(a.data as unknown as ArrayLike<number>, i * m));
  return { dtype: first.dtype, shape: [arrays.length, ...first.shape], data: out as DTypeMap[D] };
}

const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  bool: [0, 1],
};

export function isIntegerDType(d: DType): boolean {
  return d in INT_RANGES;
}

export function isFloatDType(d: DType): boolean {
  return d === 'float16' || d === 'float32' || d === 'float64';
}

/** The representable range of an integer dtype, or null for floats. */
export function dtypeRange(d: DType): [number, number] | null {
  return INT_RANGES[d] ?? null;
}

export interface CastOptions {
  /** Round to nearest and clamp to the target range (for float → integer image conversion). Default: numpy astype semantics (truncate, wrap). */
  clamp?: boolean;
}

/**
 * Cast to another dtype. Same dtype returns the same array (no copy). Default semantics follow
 * numpy's astype (float→int truncates toward zero; out-of-range integers wrap); `clamp` rounds and
 * saturates instead. Casting to bool gives 1 for every non-zero element.
 */
export function cast<D extends DType>(a: NDArray, dtype: D, opts: CastOptions = {}): NDArray<D> {
  if (a.dtype === dtype) return a as unknown as NDArray<D>;
  const C = typedArrayCtor(dtype);
  const n = a.data.length;
  const out = new C(n);
  const src = a.data as unknown as ArrayLike<number>;
  if (dtype === 'bool') {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else if (opts.clamp && INT_RANGES[dtype]) {
    const [lo, hi] = INT_RANGES[dtype]!;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      out[i] = v !== v ? 0 : v <= lo ? lo : v >= hi ? hi : Math.round(v);
    }
  } else {
    (out as Float64Array).set(src);
  }
  return { dtype, shape: [...a.shape], data: out as DTypeMap[D] };
}

/** Deep copy (new buffer). */
export function copy<D extends DType>(a: NDArray<D>): NDArray<D> {
  const C = typedArrayCtor(a.dtype);
  const data = new C(a.data.length);
  (data as Float64Array).set(a.data as unknown as ArrayLike<number>);
  return { dtype: a.dtype, shape: [...a.shape], data: data as DTypeMap[D] };
}

export interface Stats {
  count: number;
  /** Finite elements only; NaN and ±Infinity are counted separately. */
  min: number;
  max: number;
  mean: number;
  std: number;
  nanCount: number;
  infCount: number;
}

/** One pass over the data (Welford), no allocation. Empty or all-NaN arrays give NaN statistics. */
export function stats(a: NDArray): Stats {
  const d = a.data as unknown as ArrayLike<number>;
  const n = d.length;
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  let m2 = 0;
  let k = 0;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    if (v !== v) {
      nan++;
      continue;
    }
    if (v === Infinity || v === -Infinity) {
      inf++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    k++;
    const delta = v - mean;
    mean += delta / k;
    m2 += delta * (v - mean);
  }
  if (k === 0) return { count: n, min: NaN, max: NaN, mean: NaN, std: NaN, nanCount: nan, infCount: inf };
  return { count: n, min, max, mean, std: Math.sqrt(m2 / k), nanCount: nan, infCount: inf };
}

/** Bytes of an array's data, as a view on the same buffer (no copy). */
export function bytesOf(a: NDArray): Uint8Array {
  return new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

/**
 * An NDArray from raw little-endian bytes. Copies only when the bytes are not aligned for the
 * element size (typed arrays need aligned offsets).
 */
export function fromBytes<D extends DType>(dtype: D, shape: readonly number[], bytes: Uint8Array | ArrayBuffer): NDArray<D> {
  const C = typedArrayCtor(dtype);
  const size = itemSize(dtype);
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const n = sizeOf(shape);
  if (u8.byteLength !== n * size) {
    throw new Error(`fromBytes: ${u8.byteLength} bytes cannot hold shape [${shape.join(', ')}] of ${dtype} (needs ${n * size}).`);
  }
  // new Uint8Array(view) always copies (Buffer.slice() would not).
  const aligned = u8.byteOffset % size === 0 ? u8 : new Uint8Array(u8);
  const data = new C(aligned.buffer, aligned.byteOffset, n);
  return { dtype, shape: [...shape], data: data as DTypeMap[D] };
}

/** Exact equality of dtype, shape and every element (NaN equals NaN). */
export function arraysEqual(a: NDArray, b: NDArray): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.data as unknown as ArrayLike<number>;
  const y = b.data as unknown as ArrayLike<number>;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p !== q && !(p !== p && q !== q)) return false;
  }
  return true;
}

// ── Moving arrays between threads and processes (transferred buffers, never structured-clone copies) ──

/**
 * Most ArrayBuffers transferred in one message. Chromium sends every transferred buffer over 64 KiB
 * to another process as its own shared-memory handle, and one message may carry at most 64 of them:
 * with one more, the SENDING renderer crashes (measured with Chromium 150: 64 × 1 MiB to a worker in a
 * sandboxed frame pass, 65 × 1 MiB or 65 × 72 KiB crash the page). Third-party runners live in
 * another process (the opaque-origin frame), so every message is kept well under that.
 */
export const MAX_TRANSFER_BUFFERS = 32;

/** Buffers from this size on count against MAX_TRANSFER_BUFFERS (smaller ones travel inside the message; 100 × 60 KiB pass). Half Chromium's 64 KiB, for margin. */
export const LARGE_BUFFER_BYTES = 32 * 1024;

/** How many of `buffers` count against MAX_TRANSFER_BUFFERS. */
export const largeCount = (buffers: Iterable<ArrayBuffer>): number => {
  let n = 0;
  for (const b of buffers) if (b.byteLength >= LARGE_BUFFER_BYTES) n++;
  return n;
};

/** What one field is on the wire: `{kind, array}` (or null for a requested key a dataset lacks). */
type WireField = { kind: string; array: NDArray } | null | undefined;

/**
 * The distinct buffers under the arrays of `items` (lists of wire fields) that can be transferred:
 * plain ArrayBuffers, not SharedArrayBuffers (shared, never transferred) and not already detached.
 * In first-use order.
 */
export function transferablesOf(items: readonly unknown[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    for (const f of Object.values(item as Record<string, WireField>)) {
      const buf = f && typeof f === 'object' ? (f.array?.data as { buffer?: unknown } | undefined)?.buffer : undefined;
      if (buf instanceof ArrayBuffer && !isDetached(buf)) out.add(buf);
    }
  }
  return [...out];
}

function isDetached(buf: ArrayBuffer): boolean {
  const d = (buf as { detached?: boolean }).detached;
  // Engines without ArrayBuffer.prototype.detached: a detached buffer has byteLength 0 (an empty one is not worth sending either way).
  return d === undefined ? buf.byteLength === 0 : d;
}

/**
 * Split `items` into consecutive groups (one message each) of which each transfers at most `max`
 * large buffers. A buffer that items of several groups share is transferred with the LAST group that
 * uses it (earlier groups clone it: transferring it earlier would detach it for the later ones); an
 * item with more than `max` large buffers of its own clones the rest. One group when everything fits.
 */
export function transferGroups<T>(items: readonly T[], max = MAX_TRANSFER_BUFFERS): { items: T[]; transfer: ArrayBuffer[] }[] {
  type Group = { items: T[]; bufs: Set<ArrayBuffer>; large: number };
  const groups: Group[] = [];
  let cur: Group | null = null;
  for (const it of items) {
    const mine = transferablesOf([it]);
    const added = largeCount(cur ? mine.filter((b) => !cur!.bufs.has(b)) : mine);
    if (!cur || (cur.items.length > 0 && cur.large + added > max)) {
      cur = { items: [], bufs: new Set(), large: 0 };
      groups.push(cur);
    }
    cur.items.push(it);
    cur.large += added;
    for (const b of mine) cur.bufs.add(b);
  }
  const last = new Map<ArrayBuffer, number>();
  groups.forEach((g, gi) => g.bufs.forEach((b) => last.set(b, gi)));
  return groups.map((g, gi) => {
    let large = 0;
    const transfer = [...g.bufs].filter((b) => last.get(b) === gi && (b.byteLength < LARGE_BUFFER_BYTES || ++large <= max));
    return { items: g.items, transfer };
  });
}
