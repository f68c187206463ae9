// The command line of `npm run pack` / `npx algobox-pack` (scripts/pack.mjs compiles this file with
// esbuild and calls main). Prints what it packed, or the error that refused the folder.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BUNDLE_LOCK_FILE } from '../../src/core/bundleLock';
import { defaultZipName, packBundle, PackError } from './pack';

export const USAGE = `Usage: npm run pack -- <algorithm folder> [-o <out.zip>]
       npx algobox-pack <algorithm folder> [-o <out.zip>]

Packs an algorithm folder (pyproject.toml + Runner.js or Runner.ts + submodules + assets) into a zip
the app installs:
  - validates pyproject.toml with the app's validator (errors refuse, warnings are printed);
  - bundles the entry module ([tool.algobox] entry, default Runner.js; a Runner.ts becomes Runner.js)
    with its relative imports and npm packages into one ES module (esbuild, ES2022); imports of
    "algobox" and "algobox/image" stay as they are; minified when obfuscate = true;
  - when check_importable = true, imports the packed module and checks its Runner class;
  - adds every other file (except node_modules/, dot-files, *.zip) and bundle.lock.json (the SHA-256
    of every file and the bundle hash the app records on install);
  - installs the zip in a dry run, then writes it.

Options:
  -o, --out <path>   the zip to write (a folder: <name>-<version>.zip inside it);
                     default <name>-<version>.zip in the current directory
  -h, --help         this text`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

/** `npm run pack` runs in the package root; INIT_CWD is where the user typed the command. */
const defaultIo = (): CliIo => ({ out: (l) => console.log(l), err: (l) => console.error(l), cwd: process.env['INIT_CWD'] || process.cwd() });

function bytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n < 1000) return exact;
  const units = ['kB', 'MB', 'GB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${exact} (${v.toFixed(v < 10 ? 1 : 0)} ${units[u]})`;
}

function shown(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** Run the command line; returns the exit code (0 packed, 1 refused, 2 usage). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let folder: string | undefined;
  let outArg: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    }
    if (a === '-o' || a === '--out') {
      outArg = argv[++i];
      if (outArg === undefined) {
        io.err(`algobox-pack: ${a} needs a path.\n\n${USAGE}`);
        return 2;
      }
    } else if (a.startsWith('--out=')) outArg = a.slice('--out='.length);
    else if (a.startsWith('-') && a !== '-') {
      io.err(`algobox-pack: unknown option ${a}.\n\n${USAGE}`);
      return 2;
    } else if (folder === undefined) folder = a;
    else {
      io.err(`algobox-pack: one algorithm folder at a time (got ${folder} and ${a}).\n\n${USAGE}`);
      return 2;
    }
  }
  if (folder === undefined) {
    io.err(`algobox-pack: which algorithm folder?\n\n${USAGE}`);
    return 2;
  }

  const dir = resolve(io.cwd, folder);
  try {
    const r = await packBundle(dir);
    const { manifest } = r;
    io.out(`Packing ${manifest.name} ${manifest.version} from ${shown(io.cwd, dir)}`);
    for (const w of r.warnings) io.out(`warning: ${w}`);
    const others = r.modules.filter((m) => m !== r.source);
    const parts = [
      others.length ? `${others.length} module${others.length > 1 ? 's' : ''} (${others.join(', ')})` : '',
      r.packages.length ? `npm ${r.packages.length > 1 ? 'packages' : 'package'} ${r.packages.join(', ')}` : '',
    ].filter(Boolean);
    io.out(
      `${r.entry}: bundled ${r.source}${parts.length ? ` with ${parts.join(' and ')}` : ''}${manifest.obfuscate ? ', minified (obfuscate = true)' : ''}; ${bytes(r.files.get(r.entry)!.byteLength)}`,
    );
    for (const n of r.notes) io.out(`note: ${n}`);
    io.out(r.importCheck === 'passed' ? `import check: passed (${r.entry} exports a complete Runner)` : 'import check: skipped (check_importable = false)');

    let outPath = outArg === undefined ? join(io.cwd, defaultZipName(manifest)) : resolve(io.cwd, outArg);
    if (outArg !== undefined && existsSync(outPath) && statSync(outPath).isDirectory()) outPath = join(outPath, defaultZipName(manifest));
    writeFileSync(outPath, r.zip);
    const assets = [...r.files.keys()].filter((p) => p !== 'pyproject.toml' && p !== r.entry && p !== BUNDLE_LOCK_FILE);
    io.out(`Wrote ${shown(io.cwd, outPath)}`);
    io.out(`  files:  ${r.files.size} (pyproject.toml, ${r.entry}, ${assets.length} asset${assets.length === 1 ? '' : 's'}, ${BUNDLE_LOCK_FILE})`);
    io.out(`  size:   ${bytes(r.zip.byteLength)}`);
    io.out(`  bundle: ${r.lock.bundle}`);
    return 0;
  } catch (e) {
    if (!(e instanceof PackError)) throw e;
    for (const w of e.warnings) io.err(`warning: ${w}`);
    io.err(`algobox-pack: ${e.message}${e.field ? `\n  (field: ${e.field})` : ''}`);
    return 1;
  }
}
