// Built-in bundles ship with the app under public/bundles/ and are installed on first start (and
// re-installed when their version changes). public/bundles/index.json lists their folders.
import type { Algobox } from '../api';

export interface BuiltinIndexEntry {
  /** Folder under bundles/ (served as a folder URL: pyproject.toml, Runner.js, files listed in [tool.algobox]). */
  path: string;
  name: string;
  version: string;
}

export async function installBuiltins(api: Algobox, base = import.meta.env.BASE_URL): Promise<string[]> {
  const res = await fetch(`${base}bundles/index.json`);
  if (!res.ok) throw new Error(`Could not read the list of built-in bundles: HTTP ${res.status}`);
  const entries = (await res.json()) as BuiltinIndexEntry[];
  const installed = await api.algorithms.list();
  const done: string[] = [];
  for (const e of entries) {
    const have = installed.some((a) => a.name.toLowerCase() === e.name.toLowerCase() && a.version === e.version);
    if (have) continue;
    const url = new URL(`${base}bundles/${e.path}/`, location.href).href;
    await api.algorithms.install(url, { builtin: true });
    done.push(`${e.name} ${e.version}`);
  }
  return done;
}
