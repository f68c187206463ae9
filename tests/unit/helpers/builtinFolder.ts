// A built-in bundle folder (public/bundles/<name>, model files and self-test files included once
// scripts/prepare-assets.mjs has run) as the {path: bytes} map `algorithms.install` takes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const BUNDLES_DIR = join(import.meta.dirname, '..', '..', '..', 'public', 'bundles');

export function builtinBundleFolder(name: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const root = join(BUNDLES_DIR, name);
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p).replace(/\\/g, '/')] = new Uint8Array(readFileSync(p));
    }
  };
  walk(root);
  return out;
}
