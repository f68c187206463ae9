// The catalogue of installed algorithms: install (from a zip, folder, URL or object, optionally
// pinned by its bundle hash), inspect without storing, list and find (by id, or by name and
// version), the stored files, trust per bundle hash, export as a zip, remove.
import type { Zippable } from 'fflate';
import { matchesFilter, versionMatches, type AlgorithmFilter } from '../core/algorithmQuery';
import { parseSha256, pinMismatchMessage, trustKey, type BundleFileInfo, type BundleInspection, type TrustDecision } from '../core/pinning';
import type { AlgorithmInfo, AlgorithmRecord } from '../core/records';
import type { Store } from '../store/index';
import type { BundleSource } from './bundleSource';
import { InstallError, prepareInstall } from './install';
import type { RunnerPool } from './pool';

export interface InstallOptions {
  /** Mark it first-party (origin kind 'builtin': never asks for trust). For the app's own bundles. */
  builtin?: boolean;
  /** The bundle hash it must have (64 hex digits); otherwise the install is refused before anything is stored. */
  sha256?: string;
}

/** Files larger than this are stored uncompressed in a downloaded bundle zip (models barely compress). */
const ZIP_STORE_ABOVE = 4 * 1024 * 1024;
/** A fixed time stamp, so the same files always give the same zip bytes. */
const ZIP_MTIME = new Date(1980, 0, 1);

const nowIso = () => new Date().toISOString();
const clone = <T>(x: T): T => structuredClone(x);

export function publicAlgorithm(r: AlgorithmRecord): AlgorithmInfo {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    algorithmType: r.algorithmType,
    tags: [...r.tags],
    description: r.description,
    supportedDevices: [...r.supportedDevices],
    defaultDevice: r.defaultDevice,
    additionalParameters: clone(r.additionalParameters),
    warnings: [...r.warnings],
    origin: { ...r.origin },
    bundleHash: r.bundleHash,
    selfTests: (r.manifest?.tests ?? []).map((t) => t.name),
    preview: r.manifest?.preview === true,
    installed: r.installed,
  };
}

export class Catalogue {
  constructor(
    private readonly store: Store,
    /** Runners of a replaced or removed algorithm are evicted from it. */
    private readonly pool: RunnerPool,
    private readonly fetchFn?: typeof fetch,
  ) {}

  /**
   * Read, check and store a bundle. With `sha256`, the bundle hash of what was read must equal it:
   * otherwise nothing is stored and the error gives both hashes.
   */
  async install(source: BundleSource, opts: InstallOptions = {}): Promise<AlgorithmInfo> {
    if (opts === null || typeof opts !== 'object')
      throw new Error(`install: options must be an object such as { sha256 }, got ${opts === null ? 'null' : typeof opts}.`);
    const expected = opts.sha256 === undefined ? null : parseSha256(opts.sha256, 'install: sha256');
    const read = await (await bundleReader())(source, this.fetchFn);
    const origin: AlgorithmRecord['origin'] = opts.builtin ? { kind: 'builtin', ...(read.origin.url ? { url: read.origin.url } : {}) } : read.origin;
    const { record, blobs } = await prepareInstall(read.files, origin);
    if (expected !== null && record.bundleHash !== expected) throw new InstallError(pinMismatchMessage(record.bundleHash, expected));
    const { replaced } = await this.store.putAlgorithm(record, blobs);
    for (const id of replaced) this.pool.evictAlgorithm(id);
    return publicAlgorithm(record);
  }

  /** Read and check a bundle as `install` would, and report what it is (name, version, bundle hash, files) without storing anything. */
  async inspectBundle(source: BundleSource): Promise<BundleInspection> {
    const read = await (await bundleReader())(source, this.fetchFn);
    const { record, fileHashes } = await prepareInstall(read.files, read.origin);
    const files = [...read.files.entries()]
      .map(([path, bytes]) => ({ path, size: bytes.byteLength, sha256: fileHashes[path]! }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      name: record.name,
      version: record.version,
      algorithmType: record.algorithmType,
      description: record.description,
      warnings: [...record.warnings],
      origin: { ...read.origin },
      bundleHash: record.bundleHash,
      byteLength: record.byteLength,
      files,
    };
  }

  /** Every stored file of an algorithm, by path: size and SHA-256 (no file is read). */
  async algorithmFiles(id: string): Promise<BundleFileInfo[]> {
    const alg = await this.algorithmRecord(id);
    const entries = [...Object.entries(alg.module), ...Object.entries(alg.assets)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sizes = await this.store.blobSizes(entries.map(([, key]) => key));
    return entries.map(([path, key]) => {
      const size = sizes.get(key);
      if (size === undefined) throw new Error(`The stored bytes of ${path} are missing; re-install ${alg.name} ${alg.version}.`);
      // Blob keys are the file's SHA-256, or `<sha256>~<uuid>` when not deduplicated.
      return { path, size, sha256: key.split('~')[0]! };
    });
  }

  /**
   * Remember that the user trusts this bundle (per bundle hash, one settings write): a bundle with
   * the same hash is trusted wherever it is installed from; a changed bundle is not. Built-ins need none.
   * The engine itself does not enforce trust (the app asks before the first run).
   */
  async trust(id: string): Promise<void> {
    const alg = await this.algorithmRecord(id);
    if (alg.origin.kind === 'builtin') return;
    const decision: TrustDecision = { trusted: true, time: nowIso(), name: alg.name, version: alg.version, origin: { ...alg.origin } };
    await this.store.setSetting(trustKey(alg.bundleHash), decision);
  }

  /** Built-ins: true; otherwise whether `trust` was given for this bundle hash. */
  async isTrusted(id: string): Promise<boolean> {
    const alg = await this.algorithmRecord(id);
    if (alg.origin.kind === 'builtin') return true;
    const v = (await this.store.getSetting(trustKey(alg.bundleHash))) as Partial<TrustDecision> | undefined;
    return v?.trusted === true;
  }

  /**
   * A zip of the algorithm's stored files (each at its bundle path, read through readAlgorithmFile),
   * which installs again with the same bundle hash. A stored bundle.lock.json is kept; none is added.
   */
  async exportBundle(id: string): Promise<Uint8Array<ArrayBuffer>> {
    const alg = await this.algorithmRecord(id);
    const paths = [...Object.keys(alg.module), ...Object.keys(alg.assets)].sort();
    const entries: Zippable = {};
    for (const p of paths) {
      const bytes = await this.readAlgorithmFile(alg.id, p);
      entries[p] = [bytes, { level: bytes.byteLength > ZIP_STORE_ABOVE ? 0 : 6 }];
    }
    const { zipSync } = await import('fflate');
    return zipSync(entries, { mtime: ZIP_MTIME }) as Uint8Array<ArrayBuffer>;
  }

  async listAlgorithms(filter?: AlgorithmFilter): Promise<AlgorithmInfo[]> {
    return (await this.store.listAlgorithms()).filter((a) => matchesFilter(a, filter)).map(publicAlgorithm);
  }

  /** By id, or by name (case-insensitive; highest version unless `version` — full or a major/minor prefix — is given). */
  async getAlgorithm(nameOrId: string, version?: string): Promise<AlgorithmInfo> {
    return publicAlgorithm(await this.algorithmRecord(nameOrId, version));
  }

  async algorithmRecord(nameOrId: string, version?: string): Promise<AlgorithmRecord> {
    if (typeof nameOrId !== 'string' || !nameOrId) throw new Error('Algorithm name or id must be a non-empty string.');
    if (version === undefined) {
      const byId = await this.store.getAlgorithm(nameOrId);
      if (byId) return byId;
    }
    const all = await this.store.findAlgorithms(nameOrId);
    const hit = version === undefined ? all[0] : all.find((a) => versionMatches(a.version, String(version)));
    if (!hit) {
      if (all.length && version !== undefined) {
        throw new Error(`Algorithm '${nameOrId}' has no version ${version}; installed: ${all.map((a) => a.version).join(', ')}.`);
      }
      throw new Error(`Algorithm not found: '${nameOrId}'.`);
    }
    return hit;
  }

  async removeAlgorithm(id: string): Promise<void> {
    await this.store.removeAlgorithm(id);
    this.pool.evictAlgorithm(id);
  }

  async readAlgorithmFile(id: string, path: string): Promise<Uint8Array> {
    const alg = await this.algorithmRecord(id);
    const key = alg.module[path] ?? alg.assets[path];
    if (!key) throw new Error(`Algorithm ${alg.name} ${alg.version} has no file '${path}'.`);
    const bytes = await this.store.readBlob(key);
    if (!bytes) throw new Error(`The stored bytes of ${path} are missing.`);
    return bytes;
  }
}

/** readBundleSource, loaded with fflate on the first install or export, not with the first screen (docs/benchmarks.md, "Start-up"). */
async function bundleReader(): Promise<typeof import('./bundleSource').readBundleSource> {
  return (await import('./bundleSource')).readBundleSource;
}
