// How the toolchain page shows a rejected check or run: its problems one per line. Pure.
import { thrownMessage } from '../../core/describeValue';

/** A rejected check or run: its problems one per line ("invalid toolchain: a; b" → "invalid toolchain:", "• a", "• b"). */
export function problemsOf(e: unknown): string[] {
  const m = thrownMessage(e);
  const colon = m.indexOf(': ');
  if (colon > 0 && m.includes('; '))
    return [
      m.slice(0, colon) + ':',
      ...m
        .slice(colon + 2)
        .split('; ')
        .map((p) => `• ${p}`),
    ];
  return [m];
}

/** The same block names, in any order (a run record drawn on a toolchain's diagram). */
export function sameBlocks(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
