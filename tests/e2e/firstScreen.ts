// The JavaScript of the app's first screen in a build: the entry script of index.html and the chunks
// it preloads (its static imports), with their gzip sizes. Shared by offline.spec.ts (the ≤ 250 kB
// budget) and bench/startup (the figure in docs/benchmarks.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** At most this many gzip bytes of JavaScript before the first screen is usable (issue 15). */
export const FIRST_SCREEN_GZIP_BUDGET = 250 * 1024;

export function gzipBytes(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).byteLength;
}

/** Each first-screen script of the build in `dist` (path under dist) with its raw and gzip size. */
export function firstScreenScripts(dist: string): { path: string; bytes: number; gzip: number }[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const paths = [...html.matchAll(/<(?:script type="module"[^>]*\ssrc|link rel="modulepreload"[^>]*\shref)="\/?([^"]+\.js)"/g)].map((m) => m[1]!);
  if (!paths.length) throw new Error(`${dist}/index.html: no module script found (expected <script type="module" src="/assets/…js">).`);
  return paths.map((p) => {
    const b = readFileSync(join(dist, p));
    return { path: p, bytes: b.byteLength, gzip: gzipBytes(b) };
  });
}
