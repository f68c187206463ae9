// The one helper for naming a value in an error message: what it is, with a bounded preview of
// what it holds ("string \"abc\"", "number 42", "object {\"code\":7}", "Float32Array(12)",
// "NDArray uint8 [2, 3]"), and the message of anything thrown (an Error's message, or the thrown
// value itself for `throw 42`). Two shorter forms for messages whose wording is fixed: BRIEF (kind
// and size only: "array(3)", "Map") and TYPE_ONLY (the type: "object", "a list containing number,
// string"), which the engine uses for what a worker sent.
/** Longest preview of a value's contents in a message (characters). */
export const MAX_PREVIEW_CHARS = 200;

function bounded(text: string, max = MAX_PREVIEW_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** JSON of a plain value, cycles and BigInts tolerated, or null when it cannot be written. */
function jsonPreview(x: unknown): string | null {
  const seen = new WeakSet<object>();
  try {
    const s = JSON.stringify(x, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (ArrayBuffer.isView(v))
        return `${(v as object).constructor.name}(${(v as unknown as { length?: number }).length ?? (v as ArrayBufferView).byteLength})`;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    });
    return typeof s === 'string' ? s : null;
  } catch {
    return null;
  }
}

export interface DescribeOptions {
  /** Longest preview of contents (characters); default MAX_PREVIEW_CHARS. */
  max?: number;
  /**
   * 'preview' (default): the kind and a bounded preview of what it holds. 'brief': arrays and objects
   * by kind and size only ("array(3)", "object", "Map"); strings, numbers and typed arrays as in
   * 'preview'. 'type': the type only ("object", "string"; an array as "a list containing number,
   * object", the types of its first 10 items).
   */
  detail?: 'preview' | 'brief' | 'type';
}

/** Kinds and sizes, strings up to 40 characters: "array(3)", "Map", "string \"abc\"", "number 3". */
export const BRIEF: DescribeOptions = { detail: 'brief', max: 40 };
/** The type only: "object", "string", "a list containing number, object". */
export const TYPE_ONLY: DescribeOptions = { detail: 'type' };

/** `{dtype, shape, data}` with a string dtype, an array shape and a typed array. */
function looksLikeNDArray(x: object): x is { dtype: string; shape: unknown[]; data: ArrayBufferView } {
  const a = x as { dtype?: unknown; shape?: unknown; data?: unknown };
  return typeof a.dtype === 'string' && Array.isArray(a.shape) && ArrayBuffer.isView(a.data);
}

/** A short description of any value for error messages (see DescribeOptions; a number is `max`). */
export function describeValue(x: unknown, options: number | DescribeOptions = MAX_PREVIEW_CHARS): string {
  const o = typeof options === 'number' ? { max: options } : options;
  const max = o.max ?? MAX_PREVIEW_CHARS;
  const detail = o.detail ?? 'preview';
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (detail === 'type') {
    if (!Array.isArray(x)) return typeof x;
    const kinds = x.slice(0, 10).map((v) => typeof v);
    return `a list containing ${kinds.join(', ') || 'nothing'}${x.length > 10 ? `, … (${x.length} entries)` : ''}`;
  }
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > max ? `${x.slice(0, max)}…` : x)}`;
  if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
  if (typeof x === 'bigint') return `bigint ${bounded(String(x), max)}`;
  if (typeof x === 'symbol') return `symbol ${bounded(x.description ?? '', max)}`;
  if (typeof x === 'function') return `function ${x.name || '(anonymous)'}`;
  if (looksLikeNDArray(x)) return `NDArray ${bounded(x.dtype, max)} [${x.shape.join(', ')}]`;
  if (ArrayBuffer.isView(x)) return `${(x as object).constructor.name}(${(x as unknown as { length?: number }).length ?? (x as ArrayBufferView).byteLength})`;
  if (x instanceof ArrayBuffer) return `ArrayBuffer(${x.byteLength})`;
  if (Array.isArray(x)) return detail === 'brief' ? `array(${x.length})` : `array(${x.length}) ${bounded(jsonPreview(x) ?? '[…]', max)}`;
  const ctor = (x as object).constructor?.name;
  const kind = ctor && ctor !== 'Object' ? ctor : 'object';
  if (detail === 'brief') return kind;
  const json = jsonPreview(x);
  return json && json !== '{}' ? `${kind} ${bounded(json, max)}` : kind;
}

/**
 * The message of anything thrown: an Error (or an error-like object with a string `message`) gives
 * its message; a string is the message ("Uncaught boom"); any other value is named with its
 * contents: `throw 42` → "Uncaught number 42",
 * `throw {code: 7}` → "Uncaught object {\"code\":7}".
 */
export function thrownMessage(e: unknown, max = MAX_PREVIEW_CHARS): string {
  if (e instanceof Error) return e.message || e.name || 'Error';
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' && (e as { message: string }).message) {
    return (e as { message: string }).message;
  }
  // A thrown string is its own message, as a browser prints it ("Uncaught boom").
  if (typeof e === 'string') return `Uncaught ${bounded(e, max)}`;
  return `Uncaught ${describeValue(e, max)}`;
}

/** The stack of anything thrown ('' when there is none). */
export function thrownStack(e: unknown): string {
  const s = e && typeof e === 'object' ? (e as { stack?: unknown }).stack : undefined;
  return typeof s === 'string' ? s : '';
}
