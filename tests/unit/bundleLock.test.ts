// bundle.lock.json on install: a present lock must match the files exactly, and the bundle hash
// leaves the lock out (so it equals the lock's `bundle`).
import { describe, expect, it } from 'vitest';
import { BUNDLE_LOCK_FILE, makeBundleLock, parseBundleLock, serializeBundleLock, verifyBundleLock, withoutLock } from '../../src/core/bundleLock';
import { bundleHash, sha256Hex } from '../../src/core/hash';
import { InstallError, prepareInstall } from '../../src/engine/install';
import { scaleBundle } from './helpers/bundles';

const enc = (s: string) => new TextEncoder().encode(s);

function filesOf(src: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(src).map(([p, s]) => [p, enc(s)]));
}

async function hashesOf(files: Map<string, Uint8Array>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [p, b] of files) out[p] = await sha256Hex(b);
  return out;
}

/** scaleBundle with a lock that matches it. */
async function locked(): Promise<Map<string, Uint8Array>> {
  const files = filesOf(scaleBundle);
  const lock = await makeBundleLock('scale', '1.0.0', await hashesOf(files));
  files.set(BUNDLE_LOCK_FILE, serializeBundleLock(lock));
  return files;
}

const install = (files: Map<string, Uint8Array>) => prepareInstall(files, { kind: 'zip' });

describe('bundle.lock.json', () => {
  it("a matching lock installs, and the bundle hash is the lock's (the lock itself left out)", async () => {
    const files = await locked();
    const lock = parseBundleLock(files.get(BUNDLE_LOCK_FILE)!);
    const { record, fileHashes } = await install(files);
    expect(record.bundleHash).toBe(lock.bundle);
    expect(Object.keys(lock.files).sort()).toEqual(Object.keys(scaleBundle).sort());
    expect(lock.bundle).toBe(await bundleHash(withoutLock(fileHashes)));
    // The same files without a lock have the same identity.
    const { record: plain } = await install(filesOf(scaleBundle));
    expect(plain.bundleHash).toBe(record.bundleHash);
    // The lock is kept as a file of the algorithm.
    expect(Object.keys(record.assets)).toContain(BUNDLE_LOCK_FILE);
  });

  it('refuses a changed file, naming it and both hashes', async () => {
    const files = await locked();
    const before = await sha256Hex(files.get('lib/scale.js')!);
    files.set('lib/scale.js', enc(`${scaleBundle['lib/scale.js']}\n// changed`));
    const after = await sha256Hex(files.get('lib/scale.js')!);
    const err = await install(files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallError);
    expect((err as Error).message).toBe(
      `lib/scale.js has SHA-256 ${after}, but bundle.lock.json records ${before}: the file was changed after the bundle was packed.`,
    );
  });

  it('refuses a changed pyproject.toml before reading it', async () => {
    const files = await locked();
    files.set('pyproject.toml', enc(scaleBundle['pyproject.toml'].replace('test bundle', 'other')));
    await expect(install(files)).rejects.toThrow(/^pyproject\.toml has SHA-256 [0-9a-f]{64}, but bundle\.lock\.json records [0-9a-f]{64}/);
  });

  it('refuses a listed file that is missing and a file the lock does not list', async () => {
    const missing = await locked();
    const h = await sha256Hex(missing.get('files/readme.txt')!);
    missing.delete('files/readme.txt');
    await expect(install(missing)).rejects.toThrow(`bundle.lock.json lists files/readme.txt (SHA-256 ${h}), but the bundle has no such file`);

    const extra = await locked();
    extra.set('files/extra.bin', new Uint8Array([1, 2, 3]));
    const eh = await sha256Hex(new Uint8Array([1, 2, 3]));
    await expect(install(extra)).rejects.toThrow(`files/extra.bin (SHA-256 ${eh}) is in the bundle but not in bundle.lock.json`);
  });

  it('refuses a lock whose bundle hash, name or format is wrong, or that is not JSON', async () => {
    const files = await locked();
    const lock = parseBundleLock(files.get(BUNDLE_LOCK_FILE)!);

    const badHash = new Map(files).set(BUNDLE_LOCK_FILE, serializeBundleLock({ ...lock, bundle: '0'.repeat(64) }));
    await expect(install(badHash)).rejects.toThrow(`bundle.lock.json records the bundle hash ${'0'.repeat(64)}, but its files hash to ${lock.bundle}.`);

    const badName = new Map(files).set(BUNDLE_LOCK_FILE, serializeBundleLock({ ...lock, name: 'other' }));
    await expect(install(badName)).rejects.toThrow('bundle.lock.json is for other 1.0.0, but pyproject.toml declares scale 1.0.0.');

    const badFormat = new Map(files).set(BUNDLE_LOCK_FILE, enc(JSON.stringify({ ...lock, format: 2 })));
    await expect(install(badFormat)).rejects.toThrow('bundle.lock.json has format 2; this version of algobox reads format 1.');

    const notJson = new Map(files).set(BUNDLE_LOCK_FILE, enc('{ nope'));
    await expect(install(notJson)).rejects.toThrow(/^bundle\.lock\.json is not valid JSON/);

    const badEntry = new Map(files).set(BUNDLE_LOCK_FILE, enc(JSON.stringify({ ...lock, files: { 'Runner.js': 'xyz' } })));
    await expect(install(badEntry)).rejects.toThrow(
      `bundle.lock.json is not a valid lock file: 'files' entry "Runner.js" must be 64 lower-case hexadecimal digits.`,
    );
  });

  it('verifyBundleLock ignores the lock among the hashes and accepts exact matches', async () => {
    const hashes = await hashesOf(filesOf(scaleBundle));
    const lock = await makeBundleLock('scale', '1.0.0', { ...hashes, [BUNDLE_LOCK_FILE]: 'f'.repeat(64) });
    expect(Object.keys(lock.files)).not.toContain(BUNDLE_LOCK_FILE);
    expect(Object.keys(lock.files)).toEqual(Object.keys(lock.files).sort());
    await expect(verifyBundleLock(lock, { ...hashes, [BUNDLE_LOCK_FILE]: 'e'.repeat(64) })).resolves.toBeUndefined();
  });
});
