// How a zod issue of a BEAT declaration or toolchain reads in an error: the field's path, what was
// expected and the value that was there ("groups[0].inputs.a.type: expected a data format name
// <user>/<name>/<version>, got string \"nope/1\"").
import type { z } from 'zod';
import { describeValue } from '../describeValue';

/** "groups[0].inputs.in.type" from a zod path. */
export function zodPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Issues whose message already names what was wrong (an unknown key, a refinement's own text). */
const NO_VALUE = new Set(['unrecognized_keys', 'invalid_key', 'custom']);

/** One issue as text: path, message, and the value found (parse with `reportInput: true`). */
export function issueText(i: z.core.$ZodIssue): string {
  const message = i.code === 'invalid_key' && i.issues.length > 0 ? i.issues[0]!.message : i.message;
  const input = (i as { input?: unknown }).input;
  const got = !NO_VALUE.has(i.code) && input !== undefined ? `, got ${describeValue(input, 80)}` : '';
  return i.path.length ? `${zodPath(i.path)}: ${message}${got}` : `${message}${got}`;
}
