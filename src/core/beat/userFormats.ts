// User data formats (issue 12 §2): formats a user declares beyond the built-in catalogue, installed
// into a library and copied into every block that uses them (so a block keeps running whatever becomes
// of the library). This module checks a set of declarations, finds the user formats a declaration uses
// (nested formats and `#extends` included) and merges the formats several blocks carry. Pure TS.

import { BUILTIN_DATA_FORMATS, DataFormatRegistry, FORMAT_NAME_RE, type DataFormatDeclaration, type FieldType } from './dataFormats';
import { thrownMessage } from '../describeValue';

/** Names a user format cannot take (the platform's catalogues and synthesized formats). */
export const RESERVED_FORMAT_PREFIXES = ['system/', 'plot/', 'analysis:'] as const;

export type FormatSet = Record<string, DataFormatDeclaration>;

/** The format names a declaration (or a type inside it) refers to: nested formats, array elements, `#extends`. */
export function referencedFormats(declaration: unknown, into: Set<string> = new Set()): Set<string> {
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (FORMAT_NAME_RE.test(value)) into.add(value);
    } else if (Array.isArray(value)) {
      if (value.length > 0) visit(value[value.length - 1]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '#extends' || !k.startsWith('#')) visit(v);
      }
    }
  };
  visit(declaration);
  return into;
}

/**
 * Check user format declarations against the built-in catalogue and `known` (already installed ones):
 * names, reserved prefixes, and every declaration compiled (unknown types, bad arrays, unknown nested
 * formats, cycles) — each problem naming its format. Returns the problems (none: all valid).
 */
export function checkUserFormats(formats: unknown, known: Readonly<FormatSet> = {}): string[] {
  if (!formats || typeof formats !== 'object' || Array.isArray(formats)) {
    return ['expected an object of data formats: { "<user>/<name>/<version>": { "field": "type", … }, … }'];
  }
  const problems: string[] = [];
  const entries = Object.entries(formats as Record<string, unknown>);
  if (entries.length === 0) problems.push('no data format given');
  const registry = new DataFormatRegistry();
  for (const [n, d] of Object.entries(known)) if (!Object.hasOwn(formats, n)) registry.register(n, d);
  for (const [name, declaration] of entries) {
    if (!FORMAT_NAME_RE.test(name)) {
      problems.push(`data format '${name}': invalid name (expected <user>/<name>/<version>, e.g. user/point/1)`);
      continue;
    }
    if (RESERVED_FORMAT_PREFIXES.some((p) => name.startsWith(p)) || Object.hasOwn(BUILTIN_DATA_FORMATS, name)) {
      problems.push(
        `data format '${name}': the names system/… and plot/… belong to the built-in catalogue; choose another user part (e.g. user/${name.split('/')[1]}/${name.split('/')[2]})`,
      );
      continue;
    }
    registry.register(name, declaration as DataFormatDeclaration);
  }
  for (const [name] of entries) {
    if (!registry.has(name) || Object.hasOwn(BUILTIN_DATA_FORMATS, name)) continue;
    try {
      registry.get(name);
    } catch (e) {
      problems.push(thrownMessage(e));
    }
  }
  return problems;
}

/**
 * The user formats (not built-in) that `names` need from `library`, transitively (nested formats,
 * `#extends`). `missing` gets each name that is neither built in nor in the library, with who needs it.
 */
export function userFormatClosure(names: Iterable<string>, library: Readonly<FormatSet>, missing: Map<string, string> = new Map(), needer = ''): FormatSet {
  const out: FormatSet = {};
  const visit = (name: string, by: string): void => {
    if (Object.hasOwn(BUILTIN_DATA_FORMATS, name) || Object.hasOwn(out, name)) return;
    const d = library[name];
    if (d === undefined) {
      if (!missing.has(name)) missing.set(name, by);
      return;
    }
    out[name] = d;
    for (const n of referencedFormats(d)) visit(n, `data format '${name}'`);
  };
  for (const n of names) visit(n, needer);
  return out;
}

/**
 * Merge the formats several owners (blocks) carry: one declaration per name. Two owners declaring a
 * name differently is a problem naming the format and both owners.
 */
export function mergeFormatSets(sets: readonly (readonly [owner: string, formats: Readonly<FormatSet>])[], problems: string[]): FormatSet {
  const out: FormatSet = {};
  const ownerOf = new Map<string, string>();
  for (const [owner, formats] of sets) {
    for (const [name, d] of Object.entries(formats)) {
      if (!Object.hasOwn(out, name)) {
        out[name] = d;
        ownerOf.set(name, owner);
      } else if (JSON.stringify(out[name]) !== JSON.stringify(d)) {
        problems.push(`data format '${name}' is declared differently by ${ownerOf.get(name)!} and ${owner}; reinstall one of them with the other's format`);
      }
    }
  }
  return out;
}

/** A compiled field type as declared: `int32`, `user/point/1`, `{ x: float64 }` (inline), `[0, 2, float64]` (0 = variable). */
export function fieldTypeLabel(t: FieldType): string {
  if (t.kind === 'basic') return t.type;
  if (t.kind === 'object') return t.format ?? `{ ${t.fields.map((f) => `${f.name}: ${fieldTypeLabel(f.type)}`).join(', ')} }`;
  return `[${[...t.shape, fieldTypeLabel(t.element)].join(', ')}]`;
}
