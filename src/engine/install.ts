// Turning bundle files into an algorithm record plus the blobs to store: validate the manifest,
// find the entry module, check that the modules link (imports resolve) before anything is stored,
// hash every file, and key blobs by content (hash_module / hash_assets) or uniquely.
import { bundleHash, sha256Hex } from '../core/hash';
import { BUNDLE_LOCK_FILE, BundleLockError, parseBundleLock, verifyBundleLock, withoutLock, type BundleLock } from '../core/bundleLock';
import { parseManifest, type Manifest } from '../core/manifest';
import type { AlgorithmRecord } from '../core/records';
import type { BundleFiles } from './bundleSource';

export const CODE_FILE = /\.m?js$/;
/** Specifiers the runner host provides to bundles. */
export const BUILTIN_SPECIFIERS = ['algobox', 'algobox/image'];

export class InstallError extends Error {}

export interface PreparedInstall {
  record: AlgorithmRecord;
  /** blob key → bytes, for every key in record.module and record.assets. */
  blobs: Map<string, Uint8Array>;
  fileHashes: Record<string, string>;
}

export async function prepareInstall(files: BundleFiles, origin: AlgorithmRecord['origin']): Promise<PreparedInstall> {
  const tomlBytes = files.get('pyproject.toml');
  if (!tomlBytes) {
    const list = [...files.keys()].slice(0, 10).join(', ') || 'none';
    throw new InstallError(`The bundle has no pyproject.toml at its root (files: ${list}).`);
  }
  // Hash every file first: a bundle.lock.json (written by `npm run pack`) is checked before anything is read.
  const fileHashes: Record<string, string> = {};
  for (const [p, bytes] of files) fileHashes[p] = await sha256Hex(bytes);
  const lock = await checkBundleLock(files, fileHashes);
  const { manifest, warnings } = parseManifest(new TextDecoder().decode(tomlBytes));
  if (lock && (lock.name !== manifest.name || lock.version !== manifest.version)) {
    throw new InstallError(`${BUNDLE_LOCK_FILE} is for ${lock.name} ${lock.version}, but pyproject.toml declares ${manifest.name} ${manifest.version}.`);
  }
  const entry = manifest.entry;
  if (!files.has(entry)) {
    const ts = entry.replace(/\.m?js$/, '.ts');
    if (files.has(ts)) {
      throw new InstallError(`The bundle has ${ts} but no ${entry}: pack TypeScript runners into one ES module with \`npm run pack\`.`);
    }
    throw new InstallError(`The bundle has no ${entry} at its root; it must define \`export class Runner\`.`);
  }

  const modules: Record<string, string> = {};
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [p, bytes] of files) {
    if (!CODE_FILE.test(p)) continue;
    try {
      modules[p] = decoder.decode(bytes);
    } catch {
      throw new InstallError(`${p} is not valid UTF-8 text.`);
    }
  }
  // Link without running anything: every import must resolve to a bundle file or a built-in.
  // The linker (and its module lexer) loads with the first install, not at start-up.
  const { linkBundle, BundleLinkError } = await import('../sdk/moduleLoader');
  let n = 0;
  try {
    await linkBundle(modules, entry, Object.fromEntries(BUILTIN_SPECIFIERS.map((s) => [s, {}])), () => `about:module-${n++}`);
  } catch (e) {
    if (e instanceof BundleLinkError) throw new InstallError(e.message);
    throw e;
  }

  const blobs = new Map<string, Uint8Array>();
  const module: Record<string, string> = {};
  const assets: Record<string, string> = {};
  let byteLength = 0;
  for (const [p, bytes] of files) {
    const h = fileHashes[p]!;
    byteLength += bytes.byteLength;
    const isCode = CODE_FILE.test(p);
    const dedupe = isCode ? manifest.hashModule : manifest.hashAssets;
    const key = dedupe ? h : `${h}~${crypto.randomUUID()}`;
    blobs.set(key, bytes);
    (isCode ? module : assets)[p] = key;
  }

  checkDeclaredFiles(manifest, files, fileHashes);

  const record: AlgorithmRecord = {
    id: crypto.randomUUID(),
    name: manifest.name,
    nameLower: manifest.name.toLowerCase(),
    version: manifest.version,
    versionKey: manifest.versionKey,
    algorithmType: manifest.algorithmType,
    tags: manifest.tags,
    description: manifest.description,
    supportedDevices: manifest.supportedDevices,
    defaultDevice: manifest.defaultDevice,
    additionalParameters: manifest.additionalParameters,
    warnings,
    module,
    assets,
    origin,
    // The lock is not part of the bundle's identity: this equals the lock's `bundle`.
    bundleHash: await bundleHash(withoutLock(fileHashes)),
    selfTests: manifest.tests.map((t) => t.name),
    preview: manifest.preview,
    byteLength,
    installed: new Date().toISOString(),
    manifest,
  };
  return { record, blobs, fileHashes };
}

/** A present bundle.lock.json must match the files exactly (see src/core/bundleLock.ts). */
async function checkBundleLock(files: BundleFiles, fileHashes: Record<string, string>): Promise<BundleLock | null> {
  const bytes = files.get(BUNDLE_LOCK_FILE);
  if (!bytes) return null;
  try {
    const lock = parseBundleLock(bytes);
    await verifyBundleLock(lock, fileHashes);
    return lock;
  } catch (e) {
    if (e instanceof BundleLockError) throw new InstallError(e.message);
    throw e;
  }
}

/**
 * Files the manifest's [tool.algobox] refers to must be in the bundle, and declared SHA-256s must
 * match: a model that is not the one the author pinned is refused before anything is stored.
 */
function checkDeclaredFiles(manifest: Manifest, files: BundleFiles, fileHashes: Record<string, string>): void {
  for (const [path, decl] of Object.entries(manifest.assets)) {
    const got = fileHashes[path];
    if (got === undefined) {
      throw new InstallError(
        `[tool.algobox.assets] declares ${path}, but the bundle has no such file.${decl.source ? ` (Built-in bundles get it from node_modules/${decl.source} through scripts/prepare-assets.mjs.)` : ''}`,
      );
    }
    if (got !== decl.sha256) {
      throw new InstallError(`${path} has SHA-256 ${got}, but [tool.algobox.assets] declares ${decl.sha256}: the file is not the one the bundle pins.`);
    }
  }
  const need: [string, string][] = [];
  if (manifest.prompt) need.push([manifest.prompt.decoder, '[tool.algobox.prompt] decoder']);
  manifest.tests.forEach((t, i) => {
    t.inputs.forEach((p) => need.push([p, `self-test ${i + 1} (${t.name}) input`]));
    t.outputs.forEach((o) => need.push([o.expected, `self-test ${i + 1} (${t.name}) expected output`]));
  });
  for (const [p, what] of need) {
    if (!files.has(p)) throw new InstallError(`The ${what} ${p} is not in the bundle.`);
  }
}
