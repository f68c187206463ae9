// "Download as a template": an installed bundle's stored files (api.algorithms.exportZip, built-ins
// included) as the start of a new bundle — renamed `my_<name>` in pyproject.toml so that it installs
// beside the original instead of replacing it, inside one folder of that name, without the original's
// bundle.lock.json (its hash no longer matches; `npm run pack` writes a new one). Pure: fflate and
// smol-toml only, unit-tested in Node.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { parse } from 'smol-toml';
import { BUNDLE_LOCK_FILE } from '../../core/bundleLock';
import { templateName } from './templateNames';

const MANIFEST = 'pyproject.toml';
const ZIP_MTIME = new Date(1980, 0, 1);
/** Files above this are stored, not deflated (ONNX weights do not shrink). */
const STORE_ABOVE = 4 * 1024 * 1024;

/** The manifest text with [project] name set to `to` (the rest byte for byte); checked by parsing it again. */
export function renameManifest(text: string, to: string): string {
  const section = /^\[project\][ \t]*(?:#.*)?$/m.exec(text);
  if (!section) throw new Error(`${MANIFEST} has no [project] table; expected one with name = "…".`);
  const start = section.index + section[0].length;
  const next = /^\[/m.exec(text.slice(start));
  const end = next ? start + next.index : text.length;
  const body = text.slice(start, end);
  const nameLine = /^([ \t]*name[ \t]*=[ \t]*)(["'])[^"'\n]*\2/m;
  if (!nameLine.test(body)) throw new Error(`${MANIFEST}: [project] has no name = "…" line to rename; expected one such as name = "my_algorithm".`);
  const out = text.slice(0, start) + body.replace(nameLine, (_m, lead: string) => `${lead}${JSON.stringify(to)}`) + text.slice(end);
  const project = (parse(out) as { project?: { name?: unknown } }).project;
  if (project?.name !== to) throw new Error(`${MANIFEST}: renaming [project] name to "${to}" did not take (got ${JSON.stringify(project?.name)}).`);
  return out;
}

/** The template zip of a bundle zip (as exportZip gives it) of the algorithm called `name`. */
export function bundleTemplate(zip: Uint8Array, name: string): Uint8Array<ArrayBuffer> {
  const files = unzipSync(zip);
  const manifest = files[MANIFEST];
  if (!manifest) throw new Error(`The bundle of ${name} has no ${MANIFEST} at its root.`);
  const to = templateName(name);
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(files)) {
    if (path === BUNDLE_LOCK_FILE) continue;
    const out = path === MANIFEST ? strToU8(renameManifest(strFromU8(manifest), to)) : bytes;
    entries[`${to}/${path}`] = [out, { level: out.byteLength > STORE_ABOVE ? 0 : 6 }];
  }
  return zipSync(entries, { mtime: ZIP_MTIME }) as Uint8Array<ArrayBuffer>;
}
