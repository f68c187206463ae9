// Listing and lookup rules of the reference's algorithm endpoints (compox.md §4.3).
import type { AlgorithmInfo } from './records';

export interface AlgorithmFilter {
  /** Every one of these tags must be present (case-sensitive, as the reference). */
  positiveTags?: string[];
  /** None of these tags may be present. */
  negativeTags?: string[];
  /** Case-insensitive equality. */
  algorithmType?: string;
  /** Keep an algorithm that supports ANY of these devices (case-insensitive). */
  supportedDevices?: string[];
}

export function matchesFilter(a: Pick<AlgorithmInfo, 'tags' | 'algorithmType' | 'supportedDevices'>, f: AlgorithmFilter = {}): boolean {
  if (f.positiveTags?.length && !f.positiveTags.every((t) => a.tags.includes(t))) return false;
  if (f.negativeTags?.length && f.negativeTags.some((t) => a.tags.includes(t))) return false;
  if (f.algorithmType && a.algorithmType.toLowerCase() !== f.algorithmType.toLowerCase()) return false;
  if (f.supportedDevices?.length) {
    const have = a.supportedDevices.map((d) => d.toLowerCase());
    if (!f.supportedDevices.some((d) => have.includes(d.toLowerCase()))) return false;
  }
  return true;
}

/**
 * Does `version` ("1.2.3") match the requested one? A full "1.2.3" must be equal; "1" or "1.2"
 * match any version with that prefix (the reference looks algorithms up by name and major version).
 */
export function versionMatches(version: string, requested: string): boolean {
  const want = requested.trim().split('.');
  const have = version.split('.');
  if (want.length > 3 || want.some((p) => !/^\d+$/.test(p))) return false;
  return want.every((p, i) => Number(p) === Number(have[i]));
}
