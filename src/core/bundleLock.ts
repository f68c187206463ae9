// bundle.lock.json: what `npm run pack` writes next to the packed files, and what install checks.
//
//   { "format": 1, "name": "tv_denoising", "version": "1.0.0",
//     "files": { "README.md": "<sha256 hex>", "Runner.js": "…", "pyproject.toml": "…" },
//     "bundle": "<bundleHash over exactly those files>" }
//
// The lock lists every file of the bundle except itself, and `bundle` is `bundleHash(files)`: the
// same hash the app records on install (which also leaves the lock out), so a packed zip and its
// installed algorithm carry one identity. On install a present lock must match the files exactly:
// every listed file present with that SHA-256, no unlisted file. Pure TS, no DOM.
import { bundleHash } from './hash';
import { thrownMessage } from './describeValue';

export const BUNDLE_LOCK_FILE = 'bundle.lock.json';
export const BUNDLE_LOCK_FORMAT = 1;

export interface BundleLock {
  format: typeof BUNDLE_LOCK_FORMAT;
  name: string;
  version: string;
  /** Bundle path → lower-case hex SHA-256, for every file of the bundle except bundle.lock.json. */
  files: Record<string, string>;
  /** bundleHash(files). */
  bundle: string;
}

export class BundleLockError extends Error {}

/** The file hashes that make up a bundle's identity: all files but the lock itself. */
export function withoutLock(fileHashes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, h] of Object.entries(fileHashes)) if (p !== BUNDLE_LOCK_FILE) out[p] = h;
  return out;
}

/** Build the lock for `fileHashes` (the lock itself, if present, is left out). */
export async function makeBundleLock(name: string, version: string, fileHashes: Record<string, string>): Promise<BundleLock> {
  const hashes = withoutLock(fileHashes);
  const files: Record<string, string> = {};
  for (const p of Object.keys(hashes).sort()) files[p] = hashes[p]!;
  return { format: BUNDLE_LOCK_FORMAT, name, version, files, bundle: await bundleHash(files) };
}

/** The lock as written into a bundle: two-space JSON with a trailing newline. */
export function serializeBundleLock(lock: BundleLock): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(lock, null, 2)}\n`);
}

const HEX64 = /^[0-9a-f]{64}$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse and shape-check a lock file's bytes. Throws BundleLockError naming what is wrong. */
export function parseBundleLock(bytes: Uint8Array): BundleLock {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new BundleLockError(`${BUNDLE_LOCK_FILE} is not valid JSON: ${thrownMessage(e)}`);
  }
  const bad = (what: string) => new BundleLockError(`${BUNDLE_LOCK_FILE} is not a valid lock file: ${what}.`);
  if (!isRecord(doc)) throw bad('it must be a JSON object');
  if (doc['format'] !== BUNDLE_LOCK_FORMAT) {
    throw new BundleLockError(`${BUNDLE_LOCK_FILE} has format ${JSON.stringify(doc['format'])}; this version of algobox reads format ${BUNDLE_LOCK_FORMAT}.`);
  }
  const { name, version, files, bundle } = doc;
  if (typeof name !== 'string') throw bad("'name' must be a string");
  if (typeof version !== 'string') throw bad("'version' must be a string");
  if (!isRecord(files)) throw bad("'files' must be an object of bundle path → SHA-256");
  for (const [p, h] of Object.entries(files)) {
    if (typeof h !== 'string' || !HEX64.test(h)) throw bad(`'files' entry ${JSON.stringify(p)} must be 64 lower-case hexadecimal digits`);
  }
  if (typeof bundle !== 'string' || !HEX64.test(bundle)) throw bad("'bundle' must be 64 lower-case hexadecimal digits");
  return { format: BUNDLE_LOCK_FORMAT, name, version, files: files as Record<string, string>, bundle };
}

/**
 * Check a bundle's files against its lock: every listed file present with the listed SHA-256, no
 * unlisted file, and `bundle` equal to the hash of the files. `fileHashes` may include the lock
 * itself (it is ignored). Throws BundleLockError naming the file and both hashes.
 */
export async function verifyBundleLock(lock: BundleLock, fileHashes: Record<string, string>): Promise<void> {
  const actual = withoutLock(fileHashes);
  for (const p of Object.keys(lock.files).sort()) {
    const want = lock.files[p]!;
    const got = actual[p];
    if (got === undefined) {
      throw new BundleLockError(
        `${BUNDLE_LOCK_FILE} lists ${p} (SHA-256 ${want}), but the bundle has no such file: the bundle was changed after it was packed.`,
      );
    }
    if (got !== want) {
      throw new BundleLockError(`${p} has SHA-256 ${got}, but ${BUNDLE_LOCK_FILE} records ${want}: the file was changed after the bundle was packed.`);
    }
  }
  for (const p of Object.keys(actual).sort()) {
    if (!(p in lock.files)) {
      throw new BundleLockError(`${p} (SHA-256 ${actual[p]}) is in the bundle but not in ${BUNDLE_LOCK_FILE}: the file was added after the bundle was packed.`);
    }
  }
  const h = await bundleHash(actual);
  if (h !== lock.bundle) {
    throw new BundleLockError(`${BUNDLE_LOCK_FILE} records the bundle hash ${lock.bundle}, but its files hash to ${h}.`);
  }
}
