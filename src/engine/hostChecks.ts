// The checks the engine applies to everything a runner worker sends (ids, items, fields, keys):
// limits, plain objects only, no prototype keys, and short descriptions of bad values.
import { TYPE_ONLY, describeValue as describeAny } from '../core/describeValue';
import type { FieldKind } from '../core/records';

/** Field names a worker may not use (they would change an object's prototype when assigned). */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_IDS = 10_000;
export const MAX_ID_LENGTH = 256;
export const MAX_MESSAGE_CHARS = 1_000_000;

export function checkIdList(x: unknown, what: string): string[] {
  if (!isStringArray(x)) throw new Error(`${what} must be a list of strings, got ${describeValue(x)}.`);
  if (x.length > MAX_IDS) throw new Error(`${what} has ${x.length} entries; at most ${MAX_IDS} are allowed.`);
  const bad = x.find((s) => !s || s.length > MAX_ID_LENGTH);
  if (bad !== undefined) throw new Error(`${what} holds an empty or over-long (${bad.length} characters) string.`);
  return [...x];
}

/** Every string in the run's arguments (a bundle may read a dataset whose id it was given as an argument). */
export function stringsIn(x: unknown, out: Set<string>, depth = 0): Set<string> {
  if (typeof x === 'string') out.add(x);
  else if (depth < 4 && x && typeof x === 'object') for (const v of Object.values(x)) stringsIn(v, out, depth + 1);
  return out;
}

export function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

export const FIELD_KINDS: readonly FieldKind[] = ['array', 'arrayList', 'numbers', 'string'];

/** What a worker sent, by type only ("object", "a list containing number, string"). */
export const describeValue = (x: unknown): string => describeAny(x, TYPE_ONLY);

/** A plain object (not an array, typed array, Map, …): what a worker's item or field must be. */
export function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Rough size of a structured-cloneable value (typed arrays by bytes, strings by 2 bytes a character). */
export function approxBytes(x: unknown, depth = 0): number {
  if (typeof x === 'string') return x.length * 2;
  if (x === null || typeof x !== 'object') return 8;
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (x instanceof ArrayBuffer) return x.byteLength;
  if (depth > 32) return 0;
  let n = 16;
  if (x instanceof Map) for (const [k, v] of x) n += approxBytes(k, depth + 1) + approxBytes(v, depth + 1);
  else if (x instanceof Set) for (const v of x) n += approxBytes(v, depth + 1);
  else for (const v of Object.values(x)) n += approxBytes(v, depth + 1);
  return n;
}
