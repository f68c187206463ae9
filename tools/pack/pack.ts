// Packing an algorithm folder into an installable zip (`npm run pack`): validate the manifest with
// the app's validator, bundle the entry module (Runner.js or Runner.ts) and its relative imports and
// npm packages into ONE ES module with esbuild ("algobox" and "algobox/image" stay external), add
// every asset file, write bundle.lock.json, and install the result in a dry run (the app's own
// prepareInstall) so a zip that pack writes is a zip the app accepts.
import { build, type Message, type OnResolveResult, type Plugin } from 'esbuild';
import { zipSync, type Zippable } from 'fflate';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isBundlePath, ManifestError, parseManifest, type Manifest } from '../../src/core/manifest';
import { sha256Hex } from '../../src/core/hash';
import { BUNDLE_LOCK_FILE, makeBundleLock, serializeBundleLock, type BundleLock } from '../../src/core/bundleLock';
import { BUILTIN_SPECIFIERS, InstallError, prepareInstall } from '../../src/engine/install';
import { BundleSourceError, unzipBundle } from '../../src/engine/bundleSource';
import { checkImportable, ImportCheckError } from './importCheck';

/** Code files: bundled into the entry module when something imports them, else shipped as they are. */
export const CODE_SOURCE = /\.m?[jt]s$/;
/** Already-compressed files are stored, not deflated again. */
const STORED = /\.(png|jpe?g|gif|webp|avif|gz|zst|br|xz|7z|woff2?)$/i;
/** A fixed timestamp for every zip entry: the same folder always packs to the same bytes. */
const ZIP_MTIME = new Date(2000, 0, 1, 0, 0, 0);

export class PackError extends Error {
  /** Dotted manifest field when the manifest is at fault ('' = none). */
  field: string;
  /** Manifest warnings issued before the error. */
  warnings: string[];
  constructor(message: string, opts: { field?: string; warnings?: string[] } = {}) {
    super(message);
    this.name = 'PackError';
    this.field = opts.field ?? '';
    this.warnings = opts.warnings ?? [];
  }
}

export interface PackResult {
  manifest: Manifest;
  /** Manifest warnings, as install records them. */
  warnings: string[];
  /** Other things worth saying (bundler warnings, code files nothing imports). */
  notes: string[];
  /** The folder file that was bundled (Runner.js or Runner.ts). */
  source: string;
  /** Bundle path of the packed ES module (the manifest's entry). */
  entry: string;
  /** Folder files bundled into the entry module, the source first. */
  modules: string[];
  /** npm packages bundled into the entry module. */
  packages: string[];
  importCheck: 'passed' | 'skipped';
  /** Every file of the zip, in zip order (bundle.lock.json last). */
  files: Map<string, Uint8Array>;
  lock: BundleLock;
  zip: Uint8Array;
}

function isInside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!isAbsolute(r) && r.split(sep)[0] !== '..');
}

const inNodeModules = (p: string) => p.split(/[\\/]/).includes('node_modules');
const toBundlePath = (root: string, abs: string) => relative(root, abs).split(sep).join('/');

/**
 * The folder's files by bundle path: everything except node_modules/, dot-files, *.zip and a
 * previous bundle.lock.json. Symbolic links are followed when they stay inside the folder.
 */
export function collectFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>([root]);
  const walk = (dirAbs: string, dirRel: string) => {
    for (const name of readdirSync(dirAbs).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const abs = join(dirAbs, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      let st = lstatSync(abs);
      if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync(abs);
        } catch {
          throw new PackError(`${rel} is a broken symbolic link.`);
        }
        if (!isInside(root, real)) {
          throw new PackError(`${rel} is a symbolic link to ${real}, outside the bundle folder: bundle files must stay inside it.`);
        }
        st = statSync(real);
      }
      if (st.isDirectory()) {
        const real = realpathSync(abs);
        if (seen.has(real)) continue;
        seen.add(real);
        walk(abs, rel);
        continue;
      }
      if (!st.isFile() || /\.zip$/i.test(name) || rel === BUNDLE_LOCK_FILE) continue;
      if (!isBundlePath(rel)) {
        throw new PackError(`File name '${rel}' is not a bundle path (a relative path with "/" separators, no "\\", "." or ".." segments); rename it.`);
      }
      out.set(rel, abs);
    }
  };
  walk(root, '');
  return out;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const RESOLVING = Symbol('algobox-pack resolving');

/** esbuild's resolution with the bundle format's rules and messages that say what to do. */
function bundleRules(root: string): Plugin {
  const provided = BUILTIN_SPECIFIERS.map((s) => `"${s}"`).join(' and ');
  return {
    name: 'algobox-bundle-rules',
    setup(b) {
      // The SDK the runner host provides: kept as a bare import.
      b.onResolve({ filter: /^algobox(\/|$)/ }, (args) =>
        BUILTIN_SPECIFIERS.includes(args.path)
          ? { path: args.path, external: true }
          : { errors: [{ text: `cannot import '${args.path}': the app provides only ${provided}.` }] },
      );
      // Relative imports of the bundle's own code must stay inside the folder.
      b.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        if (!args.importer || inNodeModules(args.importer) || !isInside(root, args.importer)) return undefined;
        const target = resolve(args.resolveDir, args.path);
        if (isInside(root, target)) return undefined;
        return {
          errors: [
            {
              text: `cannot import '${args.path}': it points outside the bundle folder (to ${target}); bundle code imports its own files (./…) and npm packages.`,
            },
          ],
        };
      });
      b.onResolve({ filter: /^\// }, (args) =>
        args.kind === 'entry-point'
          ? undefined
          : { errors: [{ text: `cannot import '${args.path}': an absolute path; import the bundle's own files with ./ paths.` }] },
      );
      b.onResolve({ filter: /^[a-z][a-z0-9+.-]*:/i }, (args) => ({
        errors: [
          {
            text: `cannot import '${args.path}': bundle code runs in a browser worker and may not load code by URL or from Node; import the bundle's own files (./…) or npm packages.`,
          },
        ],
      }));
      // npm packages: bundled in when they resolve from the importing file (the bundle folder upwards).
      b.onResolve({ filter: /^[^./]/ }, async (args): Promise<OnResolveResult | undefined> => {
        if (args.pluginData === RESOLVING) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
        if (r.errors.length === 0) {
          return {
            path: r.path,
            external: r.external,
            namespace: r.namespace,
            sideEffects: r.sideEffects,
            suffix: r.suffix,
            pluginData: r.pluginData,
            warnings: r.warnings,
          };
        }
        const name = packageName(args.path);
        const why = isBuiltin(args.path)
          ? `'${args.path}' is a Node built-in, which bundles (running in a browser worker) do not have`
          : `the package '${name}' is not installed where pack can resolve it from ${toBundlePath(root, args.importer) || 'the bundle folder'} (run \`npm install ${name}\` in the bundle folder; pack bundles it into the entry module)`;
        return { errors: [{ text: `cannot bundle '${args.path}': ${why}.` }] };
      });
    },
  };
}

function formatMessage(m: Message): string {
  const loc = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
  return `${loc}${m.text}`;
}

interface Bundled {
  code: string;
  modules: string[];
  packages: string[];
  warnings: string[];
}

async function bundleEntry(root: string, source: string, entry: string, minify: boolean): Promise<Bundled> {
  let result: Awaited<ReturnType<typeof build<{ write: false; metafile: true }>>>;
  try {
    result = await build({
      absWorkingDir: root,
      entryPoints: [join(root, source)],
      outfile: join(root, entry),
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify,
      sourcemap: false,
      charset: 'utf8',
      logLevel: 'silent',
      // The bundle's own tsconfig.json if it has one; never that of a project the folder happens to be in.
      ...(existsSync(join(root, 'tsconfig.json')) ? { tsconfig: join(root, 'tsconfig.json') } : { tsconfigRaw: {} }),
      plugins: [bundleRules(root)],
    });
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors?.length) throw new PackError(`Bundling ${source} failed:\n${errors.map((m) => `  ${formatMessage(m)}`).join('\n')}`);
    throw e;
  }
  const out = result.outputFiles.find((f) => f.path === join(root, entry)) ?? result.outputFiles[0];
  if (!out) throw new PackError(`Bundling ${source} produced no output.`);
  if (result.outputFiles.length > 1) {
    const extra = result.outputFiles.filter((f) => f !== out).map((f) => toBundlePath(root, f.path));
    throw new PackError(
      `Bundling ${source} produced more than one file (${extra.join(', ')}); a bundle's code must be one ES module (CSS and other non-JS imports are not supported).`,
    );
  }
  const modules: string[] = [];
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = resolve(root, input);
    if (inNodeModules(abs)) {
      const after = abs.split(sep).join('/').split('/node_modules/').pop()!;
      packages.add(packageName(after));
    } else if (isInside(root, abs)) modules.push(toBundlePath(root, abs));
  }
  modules.sort((a, b) => (a === source ? -1 : b === source ? 1 : a.localeCompare(b)));
  return { code: out.text, modules, packages: [...packages].sort(), warnings: result.warnings.map(formatMessage) };
}

/** Pack the algorithm folder `folder`. Throws PackError with the message to show. */
export async function packBundle(folder: string): Promise<PackResult> {
  const given = resolve(folder);
  if (!existsSync(given) || !statSync(given).isDirectory()) throw new PackError(`${folder} is not a folder.`);
  const root = realpathSync(given);
  const tomlPath = join(root, 'pyproject.toml');
  if (!existsSync(tomlPath)) throw new PackError(`${folder} has no pyproject.toml; an algorithm folder has its manifest at the root.`);
  const tomlBytes = new Uint8Array(readFileSync(tomlPath));

  // The manifest, with the app's validator: the same errors and warnings as install.
  let manifest: Manifest;
  let warnings: string[];
  try {
    ({ manifest, warnings } = parseManifest(new TextDecoder().decode(tomlBytes)));
  } catch (e) {
    if (e instanceof ManifestError) throw new PackError(e.message, { field: e.field, warnings: e.warnings });
    throw e;
  }
  const fail = (message: string, field = '') => new PackError(message, { field, warnings });

  // The entry module: Runner.js, or Runner.ts compiled into Runner.js.
  const entry = manifest.entry;
  if (/\.m?ts$/.test(entry)) {
    throw fail(
      `[tool.algobox] entry = "${entry}" names a TypeScript file, but the app loads the packed ES module: set entry = "${entry.replace(/ts$/, 'js')}" (or leave it out for Runner.js), and pack compiles ${entry} into it.`,
      'tool.algobox.entry',
    );
  }
  if (!/\.m?js$/.test(entry)) throw fail(`[tool.algobox] entry = "${entry}" must name a .js or .mjs module.`, 'tool.algobox.entry');
  const files = collectFiles(root);
  const tsEntry = entry.replace(/js$/, 'ts');
  const candidates = [entry, tsEntry].filter((p) => files.has(p));
  if (candidates.length === 0) throw fail(`The bundle has no ${entry} (nor ${tsEntry}) at its root; it must define \`export class Runner\`.`);
  if (candidates.length === 2) {
    throw fail(`The folder has both ${entry} and ${tsEntry}; pack compiles one of them into ${entry}. Remove the one that is not the source.`);
  }
  const source = candidates[0]!;

  const bundled = await bundleEntry(root, source, entry, manifest.obfuscate).catch((e: unknown) => {
    if (e instanceof PackError) e.warnings = warnings;
    throw e;
  });
  const notes = [...bundled.warnings];

  // The zip's files: manifest, packed entry, every asset.
  const zipFiles = new Map<string, Uint8Array>();
  zipFiles.set('pyproject.toml', tomlBytes);
  zipFiles.set(entry, new TextEncoder().encode(bundled.code));
  const bundledSet = new Set(bundled.modules);
  const assets: string[] = [];
  for (const p of files.keys()) {
    if (p === 'pyproject.toml' || p === entry || bundledSet.has(p)) continue;
    if (CODE_SOURCE.test(p)) notes.push(`${p} is a code file that ${source} does not import; it is shipped as it is.`);
    assets.push(p);
  }
  for (const p of assets.sort()) zipFiles.set(p, new Uint8Array(readFileSync(files.get(p)!)));
  manifest.files.forEach((p, i) => {
    if (zipFiles.has(p) || p === BUNDLE_LOCK_FILE) return;
    if (bundledSet.has(p)) notes.push(`[tool.algobox] files lists ${p}, which is now bundled into ${entry}; the list is only used for folder-URL installs.`);
    else throw fail(`[tool.algobox] files lists ${p}, but the folder has no such file.`, `tool.algobox.files[${i}]`);
  });

  if (manifest.checkImportable) {
    try {
      await checkImportable(bundled.code, entry);
    } catch (e) {
      if (e instanceof ImportCheckError) throw fail(`Import check failed (check_importable = true): ${e.message}`);
      throw e;
    }
  }

  // bundle.lock.json: every other file's SHA-256 and the bundle hash the app will compute.
  const hashes: Record<string, string> = {};
  for (const [p, bytes] of zipFiles) hashes[p] = await sha256Hex(bytes);
  const lock = await makeBundleLock(manifest.name, manifest.version, hashes);
  zipFiles.set(BUNDLE_LOCK_FILE, serializeBundleLock(lock));

  const entries: Zippable = {};
  for (const [p, bytes] of zipFiles) entries[p] = [bytes, { level: STORED.test(p) ? 0 : 6, mtime: ZIP_MTIME }];
  const zip = zipSync(entries);

  // A dry run of the app's install on the zip itself.
  try {
    const { record } = await prepareInstall(unzipBundle(zip), { kind: 'zip' });
    if (record.bundleHash !== lock.bundle) throw new Error(`internal error: install computes bundle hash ${record.bundleHash}, the lock says ${lock.bundle}.`);
  } catch (e) {
    if (e instanceof InstallError || e instanceof BundleSourceError) throw fail(`The packed bundle would not install: ${e.message}`);
    throw e;
  }

  return {
    manifest,
    warnings,
    notes,
    source,
    entry,
    modules: bundled.modules,
    packages: bundled.packages,
    importCheck: manifest.checkImportable ? 'passed' : 'skipped',
    files: zipFiles,
    lock,
    zip,
  };
}

/** `<name>-<version>.zip`. */
export function defaultZipName(manifest: Pick<Manifest, 'name' | 'version'>): string {
  return `${manifest.name}-${manifest.version}.zip`;
}
