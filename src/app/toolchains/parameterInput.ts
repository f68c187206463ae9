// Parameter values typed in the toolchain page, checked against a block's declared parameter (BEAT
// types, `choice`, `range`) before a run, with messages naming the block, the parameter, the value
// and the expectation. Pure (unit-tested in Node).
import type { ParameterSpec, ParameterValue } from '../../core/beat';

const INT_BOUNDS: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

export type ParsedParameter = { ok: true; value: ParameterValue } | { ok: false; error: string };

export function isIntegerType(type: string): boolean {
  return type in INT_BOUNDS;
}

/** What the form shows for a value (the given one, else the default, else empty). */
export function displayValue(spec: ParameterSpec, given: unknown): string | boolean {
  const v = given !== undefined ? given : spec.default;
  if (spec.type === 'bool') return v === true;
  return v === undefined || v === null ? '' : String(v);
}

/** Parse what the user typed (a string, or a boolean for bool) as a value of `spec`, in block `block`. */
export function parseParameter(block: string, spec: ParameterSpec, input: string | boolean): ParsedParameter {
  const where = `block '${block}', parameter '${spec.name}'`;
  let value: ParameterValue;
  if (spec.type === 'bool') {
    if (typeof input !== 'boolean') return { ok: false, error: `${where}: expected true or false, got ${JSON.stringify(input)}` };
    value = input;
  } else if (spec.type === 'string') {
    value = String(input);
  } else {
    const text = String(input).trim();
    if (text === '') return { ok: false, error: `${where}: a ${spec.type} value is required` };
    const n = Number(text);
    if (!Number.isFinite(n)) return { ok: false, error: `${where}: '${text}' is not a number (expected ${spec.type})` };
    const bounds = INT_BOUNDS[spec.type];
    if (bounds) {
      if (!Number.isInteger(n)) return { ok: false, error: `${where}: ${text} is not an integer (expected ${spec.type})` };
      if (n < bounds[0] || n > bounds[1]) return { ok: false, error: `${where}: ${text} is outside ${spec.type} [${bounds[0]}, ${bounds[1]}]` };
    }
    value = n;
  }
  if (spec.choice && !spec.choice.some((c) => c === value)) {
    return { ok: false, error: `${where}: ${JSON.stringify(value)} is not one of ${spec.choice.map((c) => JSON.stringify(c)).join(', ')}` };
  }
  if (spec.range && typeof value === 'number') {
    const [lo, hi] = spec.range as [number, number];
    if (value < lo || value > hi) return { ok: false, error: `${where}: ${value} is outside the range [${lo}, ${hi}]` };
  }
  return { ok: true, value };
}
