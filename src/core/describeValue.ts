// The one helper for naming a value in an error message: what it is, with a bounded preview of
// what it holds ("string \"abc\"", "number 42", "object {\"code\":7}", "Float32Array(12)"), and the
// message of anything thrown (an Error's message, or the thrown value itself for `throw 42`).

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
      if (ArrayBuffer.isView(v)) return `${(v as object).constructor.name}(${(v as unknown as { length?: number }).length ?? (v as ArrayBufferView).byteLength})`;
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

/** A short description of any value for error messages, its contents bounded to `max` characters. */
export function describeValue(x: unknown, max = MAX_PREVIEW_CHARS): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return `string ${bounded(JSON.stringify(x), max)}`;
  if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
  if (typeof x === 'bigint') return `bigint ${bounded(String(x), max)}`;
  if (typeof x === 'symbol') return `symbol ${bounded(x.description ?? '', max)}`;
  if (typeof x === 'function') return `function ${x.name || '(anonymous)'}`;
  if (ArrayBuffer.isView(x)) return `${(x as object).constructor.name}(${(x as unknown as { length?: number }).length ?? (x as ArrayBufferView).byteLength})`;
  if (x instanceof ArrayBuffer) return `ArrayBuffer(${x.byteLength})`;
  if (Array.isArray(x)) return `array(${x.length}) ${bounded(jsonPreview(x) ?? '[…]', max)}`;
  const ctor = (x as object).constructor?.name;
  const kind = ctor && ctor !== 'Object' ? ctor : 'object';
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
