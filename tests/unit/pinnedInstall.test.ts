// Pinned installs (install(source, { sha256 })), trust decisions per bundle hash, the file listing,
// and the downloadable zip of a stored bundle (issue 6, "URLs and trust").
import { afterEach, describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { openDB } from 'idb';
import { createAlgobox, type Algobox } from '../../src/api';
import { BUNDLE_LOCK_FILE, makeBundleLock, serializeBundleLock } from '../../src/core/bundleLock';
import { bundleHash, sha256Hex } from '../../src/core/hash';
import { ndarray } from '../../src/core/ndarray';
import { bundleZipName, pinnedLink, trustKey } from '../../src/core/pinning';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { scaleBundle } from './helpers/bundles';

type Files = Record<string, string | Uint8Array>;

/** The bundle hash of a {path: content} bundle, computed independently of the engine. */
async function hashOf(files: Files): Promise<string> {
  const fileHashes: Record<string, string> = {};
  for (const [p, c] of Object.entries(files)) fileHashes[p] = await sha256Hex(typeof c === 'string' ? strToU8(c) : c);
  return bundleHash(fileHashes);
}

const zipOf = (files: Files) => zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? strToU8(c) : c])));

/** A fetch serving fixed URLs (everything else 404), counting requests. */
function fakeFetch(routes: Record<string, Uint8Array>) {
  const f = (async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    f.requests.push(url);
    const body = routes[url];
    if (!body) return new Response('no', { status: 404, statusText: 'Not Found' });
    return new Response(new Uint8Array(body), { status: 200, headers: { 'content-type': 'application/zip' } });
  }) as typeof fetch & { requests: string[] };
  f.requests = [];
  return f;
}

/** (toEqual on megabytes of typed array is very slow.) */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const apis: Algobox[] = [];
function makeApi(routes: Record<string, Uint8Array> = {}) {
  const dbName = `pinned-${crypto.randomUUID()}`;
  const fetch = fakeFetch(routes);
  const api = createAlgobox({ dbName, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5, fetch, storageManager: null });
  apis.push(api);
  return { api, dbName, fetch };
}
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

/** What is stored: algorithms (name, version, hash) and the number of blobs and their bytes. */
async function storedState(api: Algobox, dbName: string) {
  const db = await openDB(dbName);
  const blobs = await db.count('blobs');
  const settings = await db.getAllKeys('settings');
  db.close();
  const algs = (await api.algorithms.list()).map((a) => `${a.name} ${a.version} ${a.bundleHash}`);
  return { algs, blobs, blobBytes: (await api.storage.estimate()).blobBytes, settings };
}

const changed: Files = { ...scaleBundle, 'files/readme.txt': 'hello asset, changed' };

describe('install(source, { sha256 })', () => {
  it('installs when the bundle hash matches (URL zip, object; upper-case hex accepted) and the record shows that hash', async () => {
    const want = await hashOf(scaleBundle);
    const { api, fetch } = makeApi({ 'https://example.org/ext/scale.zip': zipOf(scaleBundle) });
    const alg = await api.algorithms.install('https://example.org/ext/scale.zip', { sha256: want });
    expect(alg.bundleHash).toBe(want);
    expect(alg.origin).toEqual({ kind: 'url', url: 'https://example.org/ext/scale.zip' });
    expect(fetch.requests).toEqual(['https://example.org/ext/scale.zip']);
    const again = await api.algorithms.install(scaleBundle, { sha256: want.toUpperCase() });
    expect(again.bundleHash).toBe(want);
    expect(again.origin).toEqual({ kind: 'files' });
    // It runs like any other install.
    const a = await api.datasets.put({ image: ndarray('uint8', [1, 2], [1, 2]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: again.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('COMPLETED');
  });

  it('refuses a mismatch with both hashes before anything is stored (list, blobs, settings unchanged)', async () => {
    const right = await hashOf(scaleBundle);
    const other = await hashOf(changed);
    const { api, dbName } = makeApi({ 'https://example.org/ext/scale.zip': zipOf(changed) });
    await api.ready;
    await api.algorithms.install({ ...scaleBundle, 'pyproject.toml': String(scaleBundle['pyproject.toml']).replace('name = "scale"', 'name = "kept"') });
    await api.datasets.put({ image: ndarray('uint8', [2, 2], [1, 2, 3, 4]) });
    const before = await storedState(api, dbName);
    expect(before.blobs).toBeGreaterThan(0);

    const err = await api.algorithms.install('https://example.org/ext/scale.zip', { sha256: right }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toBe(`The bundle's SHA-256 is ${other}, but the link pins ${right}: refusing to install it.`);
    expect(await storedState(api, dbName)).toEqual(before);

    // The same for an object source, and for a different bundle with the same name and version as an installed one.
    await expect(api.algorithms.install(changed, { sha256: right })).rejects.toThrow(`is ${other}, but the link pins ${right}`);
    expect(await storedState(api, dbName)).toEqual(before);
  });

  it('rejects an invalid sha256 option, naming the field and the value, before fetching anything', async () => {
    const { api, fetch } = makeApi({ 'https://example.org/ext/scale.zip': zipOf(scaleBundle) });
    const h = await hashOf(scaleBundle);
    const bad: [unknown, RegExp][] = [
      ['abc', /install: sha256 must be the bundle's SHA-256 as 64 hexadecimal digits; got "abc" \(3 characters\)\./],
      [h.slice(1), /sha256 must be .*64 hexadecimal digits; got "[0-9a-f]{63}" \(63 characters\)/],
      [`${h.slice(0, 63)}g`, /sha256 must be .*got "[0-9a-f]{63}g" \(64 characters\)/],
      [` ${h}`, /sha256 must be .*\(65 characters\)/],
      ['', /sha256 must be .*got "" \(0 characters\)/],
      [42, /sha256 must be .*got number 42\./],
      [null, /sha256 must be .*got null\./],
    ];
    for (const [value, re] of bad) {
      await expect(api.algorithms.install('https://example.org/ext/scale.zip', { sha256: value as string })).rejects.toThrow(re);
    }
    expect(fetch.requests).toEqual([]);
    expect(await api.algorithms.list()).toEqual([]);
  });

  it('inspect reads and hashes a bundle without storing it', async () => {
    const { api, dbName } = makeApi({ 'https://example.org/ext/scale.zip': zipOf(scaleBundle) });
    await api.ready;
    const before = await storedState(api, dbName);
    const info = await api.algorithms.inspect('https://example.org/ext/scale.zip');
    expect(info).toMatchObject({
      name: 'scale',
      version: '1.0.0',
      bundleHash: await hashOf(scaleBundle),
      origin: { kind: 'url', url: 'https://example.org/ext/scale.zip' },
    });
    expect(info.files.map((f) => f.path)).toEqual(['Runner.js', 'files/readme.txt', 'lib/scale.js', 'pyproject.toml']);
    expect(info.files.find((f) => f.path === 'files/readme.txt')).toEqual({
      path: 'files/readme.txt',
      size: 11,
      sha256: await sha256Hex(strToU8('hello asset')),
    });
    expect(info.byteLength).toBe(info.files.reduce((s, f) => s + f.size, 0));
    expect(await storedState(api, dbName)).toEqual(before);
  });
});

describe('trust per bundle hash', () => {
  it('trust → isTrusted; the same hash stays trusted across re-installs; a changed file is not; built-ins are', async () => {
    const { api, dbName } = makeApi();
    const alg = await api.algorithms.install(scaleBundle);
    expect(await api.algorithms.isTrusted(alg.id)).toBe(false);
    await api.algorithms.trust(alg.id);
    expect(await api.algorithms.isTrusted(alg.id)).toBe(true);
    const db = await openDB(dbName);
    expect(await db.get('settings', trustKey(alg.bundleHash))).toMatchObject({
      key: trustKey(alg.bundleHash),
      value: { trusted: true, name: 'scale', version: '1.0.0' },
    });
    db.close();

    // Same files from a zip: a new record, the same hash, still trusted.
    const fromZip = await api.algorithms.install(new Blob([zipOf(scaleBundle)]));
    expect(fromZip.id).not.toBe(alg.id);
    expect(fromZip.bundleHash).toBe(alg.bundleHash);
    expect(await api.algorithms.isTrusted(fromZip.id)).toBe(true);

    // One changed file (same name and version): a different hash, asks again.
    const edited = await api.algorithms.install(changed);
    expect(edited.bundleHash).not.toBe(alg.bundleHash);
    expect(await api.algorithms.isTrusted(edited.id)).toBe(false);
    // Going back to the trusted content is trusted again.
    const back = await api.algorithms.install(scaleBundle);
    expect(await api.algorithms.isTrusted(back.id)).toBe(true);

    const builtin = await api.algorithms.install(
      { ...changed, 'pyproject.toml': String(changed['pyproject.toml']).replace('name = "scale"', 'name = "first_party"') },
      { builtin: true },
    );
    expect(builtin.origin.kind).toBe('builtin');
    expect(await api.algorithms.isTrusted(builtin.id)).toBe(true);
    await api.algorithms.trust(builtin.id); // a no-op, no setting written
    const db2 = await openDB(dbName);
    expect(await db2.get('settings', trustKey(builtin.bundleHash))).toBeUndefined();
    db2.close();

    await expect(api.algorithms.isTrusted('nope')).rejects.toThrow("Algorithm not found: 'nope'.");
    await expect(api.algorithms.trust('nope')).rejects.toThrow("Algorithm not found: 'nope'.");
  });

  it('files(id) lists every stored file with its size and SHA-256, by path', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install(scaleBundle);
    const files = await api.algorithms.files(alg.id);
    const expected = await Promise.all(
      Object.entries(scaleBundle)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(async ([path, c]) => ({ path, size: strToU8(c).byteLength, sha256: await sha256Hex(strToU8(c)) })),
    );
    expect(files).toEqual(expected);
  });
});

describe('downloading a stored bundle', () => {
  it('exportZip gives a zip of the stored files that installs again with the same hash (also through a pinned link)', async () => {
    const model = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) % 251); // stored uncompressed (> 4 MiB)
    const bundle: Files = { ...scaleBundle, 'files/model.bin': model };
    const { api } = makeApi();
    const alg = await api.algorithms.install(bundle);
    const zip = await api.algorithms.exportZip(alg.id);
    expect(bundleZipName(alg)).toBe('scale-1.0.0.zip');
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual(Object.keys(bundle).sort());
    expect(sameBytes(entries['files/model.bin']!, model)).toBe(true);
    expect(new TextDecoder().decode(entries['lib/scale.js'])).toBe(scaleBundle['lib/scale.js']);
    // Deterministic: the same files give the same bytes.
    expect(sameBytes(await api.algorithms.exportZip(alg.id), zip)).toBe(true);

    const other = makeApi({ 'https://example.org/ext/scale-1.0.0.zip': zip });
    const reinstalled = await other.api.algorithms.install('https://example.org/ext/scale-1.0.0.zip', { sha256: alg.bundleHash });
    expect(reinstalled.bundleHash).toBe(alg.bundleHash);
    expect(await other.api.algorithms.files(reinstalled.id)).toEqual(await api.algorithms.files(alg.id));
    const fromBlob = await other.api.algorithms.install(new Blob([zip]), { sha256: alg.bundleHash });
    expect(fromBlob.bundleHash).toBe(alg.bundleHash);
  });

  it('keeps a stored bundle.lock.json (its "bundle" is the pinned hash) and adds none', async () => {
    const fileHashes: Record<string, string> = {};
    for (const [p, c] of Object.entries(scaleBundle)) fileHashes[p] = await sha256Hex(strToU8(c));
    const lock = await makeBundleLock('scale', '1.0.0', fileHashes);
    const lockBytes = serializeBundleLock(lock);
    const { api } = makeApi();
    const packed = await api.algorithms.install({ ...scaleBundle, [BUNDLE_LOCK_FILE]: lockBytes }, { sha256: lock.bundle });
    expect(packed.bundleHash).toBe(lock.bundle);
    const entries = unzipSync(await api.algorithms.exportZip(packed.id));
    expect(sameBytes(entries[BUNDLE_LOCK_FILE]!, lockBytes)).toBe(true);
    expect((await api.algorithms.install(new Blob([zipOf({ ...scaleBundle, [BUNDLE_LOCK_FILE]: lockBytes })]), { sha256: lock.bundle })).bundleHash).toBe(
      lock.bundle,
    );

    const plain = await api.algorithms.install(changed);
    expect(Object.keys(unzipSync(await api.algorithms.exportZip(plain.id)))).not.toContain(BUNDLE_LOCK_FILE);
  });

  it('pinnedLink builds ?bundle=<url>&sha256=<hash> on the app URL', () => {
    expect(pinnedLink('http://127.0.0.1:4173/app/?x=1#y', 'https://h/ext/a b.zip', 'ab'.repeat(32))).toBe(
      `http://127.0.0.1:4173/app/?bundle=${encodeURIComponent('https://h/ext/a b.zip')}&sha256=${'ab'.repeat(32)}`,
    );
  });
});
