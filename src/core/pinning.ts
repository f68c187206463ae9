// Pinned bundle links and trust decisions. A link `?bundle=<url>&sha256=<hash>` pins a bundle by its
// bundle hash (`bundleHash` in core/hash.ts: SHA-256 over every file's path and SHA-256); trust in a
// third-party bundle is remembered per bundle hash, so a changed bundle asks again. Pure; used by the
// engine (install, trust) and the app (links, prompts).
import { BRIEF, describeValue } from './describeValue';

/** 64 hexadecimal digits (upper or lower case). */
export const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Why a value is not a bundle hash (naming `field` and the value), or null when it is one. */
export function sha256Problem(value: unknown, field = 'sha256'): string | null {
  if (typeof value === 'string' && SHA256_HEX.test(value)) return null;
  // A string is quoted as it is (the link's own text, cut at 80 characters), with its length.
  const got =
    typeof value === 'string'
      ? `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} (${value.length} characters)`
      : describeValue(value, BRIEF);
  return `${field} must be the bundle's SHA-256 as 64 hexadecimal digits; got ${got}.`;
}

/** The value as lower-case hex; throws `sha256Problem` when it is not 64 hexadecimal digits. */
export function parseSha256(value: unknown, field = 'sha256'): string {
  const p = sha256Problem(value, field);
  if (p) throw new Error(p);
  return (value as string).toLowerCase();
}

/** The refusal when a bundle's hash is not the one a link (or a caller) pinned. */
export function pinMismatchMessage(computed: string, expected: string): string {
  return `The bundle's SHA-256 is ${computed}, but the link pins ${expected}: refusing to install it.`;
}

/** The app link that installs the bundle at `bundleUrl` only if its hash is `bundleHash`. */
export function pinnedLink(appUrl: string, bundleUrl: string, bundleHash?: string): string {
  const u = new URL(appUrl);
  const base = `${u.origin}${u.pathname}?bundle=${encodeURIComponent(bundleUrl)}`;
  return bundleHash ? `${base}&sha256=${bundleHash}` : base;
}

/** The settings key that records a trust decision for one bundle hash. */
export function trustKey(bundleHash: string): string {
  return `trust:${bundleHash}`;
}

/** What is stored under `trustKey(hash)` when the user trusts a bundle. */
export interface TrustDecision {
  trusted: true;
  /** ISO time of the decision. */
  time: string;
  /** The bundle it was made for (informative: the key is the hash). */
  name: string;
  version: string;
  origin: { kind: string; url?: string };
}

/** One stored bundle file. `sha256` is the file's own hash (absent only where it is unknown). */
export interface BundleFileInfo {
  path: string;
  size: number;
  sha256?: string;
}

/** What a bundle would install as, read and hashed but not stored (`algorithms.inspect`). */
export interface BundleInspection {
  name: string;
  version: string;
  algorithmType: string;
  description: string;
  warnings: string[];
  origin: { kind: 'url' | 'zip' | 'files'; url?: string };
  bundleHash: string;
  /** Total bytes of all files. */
  byteLength: number;
  files: BundleFileInfo[];
}

/** File name of a downloaded bundle: `<name>-<version>.zip`. */
export function bundleZipName(alg: { name: string; version: string }): string {
  return `${alg.name}-${alg.version}.zip`.replace(/[\\/:*?"<>|\s]+/g, '_');
}
