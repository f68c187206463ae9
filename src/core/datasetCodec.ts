// How schema items are kept in a dataset: each field becomes one array plus a FieldKind saying how
// to read it back (see FieldKind in records.ts). encodeItem → store → decodeFields gives back equal
// values for every built-in data schema (null/absent optional fields come back absent; validating
// again fills their defaults).
import type { FieldKind, StoredField } from './records';
import { isNDArray, ndarray, ndarrayProblem, stack, unstack, type NDArray } from './ndarray';
import { BRIEF, describeValue } from './describeValue';
import { thrownMessage } from './describeValue';

const FIELD_KINDS: readonly FieldKind[] = ['array', 'arrayList', 'numbers', 'string'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function looksLikeNDArray(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && ('dtype' in x || 'shape' in x || 'data' in x);
}

function encodeList(key: string, list: readonly unknown[]): StoredField {
  // An empty list has no element to take a shape or dtype from: float64 of shape [0].
  if (list.length === 0) return { kind: 'arrayList', array: ndarray('float64', [0]) };
  if (list.every((v) => typeof v === 'number')) {
    return { kind: 'numbers', array: ndarray('float64', [list.length], list as number[]) };
  }
  if (list.every((v) => isNDArray(v))) {
    const arrays = list as NDArray[];
    const first = arrays[0]!;
    arrays.forEach((a, i) => {
      if (a.dtype !== first.dtype || a.shape.length !== first.shape.length || a.shape.some((d, j) => d !== first.shape[j])) {
        throw new Error(
          `Field '${key}': a list of NDArrays is stored stacked, so all must share shape and dtype; ` +
            `item 0 is ${first.dtype} ${shapeText(first.shape)} but item ${i} is ${a.dtype} ${shapeText(a.shape)}.`,
        );
      }
    });
    return { kind: 'arrayList', array: stack(arrays) };
  }
  // Say what is wrong with the first element that fits neither a list of numbers nor of NDArrays.
  const numbers = typeof list[0] === 'number';
  const i = list.findIndex((v) => (numbers ? typeof v !== 'number' : !isNDArray(v)));
  const el = list[i];
  const why = !numbers && looksLikeNDArray(el) ? ndarrayProblem(el, `item ${i}`) : `item ${i} is ${describeValue(el, BRIEF)}.`;
  throw new Error(`Field '${key}': a list must hold only numbers or only NDArrays; ${numbers ? `item 0 is a number but ` : ''}${why}`);
}

/** One field value → stored field (the value must not be null/undefined). */
export function encodeValue(key: string, value: unknown): StoredField {
  if (isNDArray(value)) return { kind: 'array', array: value };
  if (Array.isArray(value)) return encodeList(key, value);
  if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    return { kind: 'string', array: ndarray('uint8', [bytes.length], bytes) };
  }
  if (looksLikeNDArray(value)) throw new Error(`Field '${key}': ${ndarrayProblem(value, 'not a valid NDArray')}`);
  const hint = ArrayBuffer.isView(value) ? ' (wrap a typed array as an NDArray {dtype, shape, data})' : '';
  throw new Error(
    `Field '${key}': cannot store ${describeValue(value, BRIEF)}${hint}; a dataset field must be an NDArray, a list of NDArrays, a list of numbers or a string.`,
  );
}

/**
 * Turn a validated (or raw, for custom schemas) item into stored fields. null/undefined values are
 * skipped (not stored), as the reference writes only non-None fields. NDArray → 'array' (kept as
 * it is, no copy); list of NDArrays → 'arrayList' (must share shape and dtype; stacked, one copy;
 * [] → float64 shape [0]); list of numbers → 'numbers' (float64 1-D); string → 'string' (UTF-8
 * bytes, uint8 1-D). Anything else → Error naming the field and what was got.
 */
export function encodeItem(item: Record<string, unknown>): Record<string, StoredField> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new Error(`encodeItem: expected an item object {field: value, …}, got ${describeValue(item, BRIEF)}.`);
  }
  const out: Record<string, StoredField> = {};
  for (const [key, value] of Object.entries(item)) {
    if (value === null || value === undefined) continue;
    out[key] = encodeValue(key, value);
  }
  return out;
}

/**
 * Read one stored field back: 'string' → string, 'numbers' → number[], 'arrayList' → NDArray[]
 * (views on the stored array, via unstack), 'array' → the NDArray itself.
 */
export function decodeField(kind: FieldKind, array: NDArray): unknown {
  const problem = ndarrayProblem(array, 'decodeField');
  if (problem) throw new Error(problem);
  switch (kind) {
    case 'array':
      return array;
    case 'arrayList':
      if (array.shape.length === 0) throw new Error('decodeField: an arrayList field must have at least one dimension, got a 0-d array.');
      return unstack(array);
    case 'numbers':
      if (array.shape.length !== 1 || array.dtype === 'bool') {
        throw new Error(`decodeField: a numbers field must be a 1-D numeric array, got ${array.dtype} ${shapeText(array.shape)}.`);
      }
      return Array.from(array.data as unknown as ArrayLike<number>);
    case 'string':
      if (array.shape.length !== 1 || array.dtype !== 'uint8') {
        throw new Error(`decodeField: a string field must be a 1-D uint8 array, got ${array.dtype} ${shapeText(array.shape)}.`);
      }
      try {
        return decoder.decode(array.data as Uint8Array);
      } catch {
        throw new Error('decodeField: a string field does not hold valid UTF-8 bytes.');
      }
    default:
      throw new Error(`decodeField: unknown field kind '${String(kind)}'; expected one of ${FIELD_KINDS.join(', ')}.`);
  }
}

/** Inverse of encodeItem on fields as read from the store (null = requested but absent → null). */
export function decodeFields(fields: Record<string, { kind: FieldKind; array: NDArray } | null>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (f === null || f === undefined) {
      out[key] = null;
      continue;
    }
    try {
      out[key] = decodeField(f.kind, f.array);
    } catch (e) {
      throw new Error(`Field '${key}': ${thrownMessage(e).replace(/^decodeField: /, '')}`, { cause: e });
    }
  }
  return out;
}
