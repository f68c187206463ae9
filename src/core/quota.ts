// Storage quota before a large write: how much the browser says is free (`navigator.storage.estimate()`),
// and the message that refuses a write with the numbers instead of letting it fail halfway.
import { bytesText } from './imageCodecs/limits';

/** What `navigator.storage.estimate()` gives (either field may be absent). */
export interface StorageEstimateLike {
  usage?: number;
  quota?: number;
}

/** Bytes still free under the quota, or null when the estimate does not tell. */
export function freeBytes(est: StorageEstimateLike | null | undefined): number | null {
  const { usage, quota } = est ?? {};
  if (typeof usage !== 'number' || typeof quota !== 'number' || !Number.isFinite(quota) || quota <= 0) return null;
  return Math.max(0, quota - usage);
}

/** "2.0 KiB (2048 bytes)", or just "100 bytes" below a KiB. */
const exactBytes = (n: number): string => (n >= 1024 ? `${bytesText(n)} (${n} bytes)` : bytesText(n));

/** "… is free (3.2 GiB used of 5.0 GiB)": the free space with what the estimate said. */
export function freeSpaceText(est: StorageEstimateLike): string {
  return `${exactBytes(freeBytes(est) ?? 0)} of storage is free (${bytesText(est.usage ?? 0)} used of ${bytesText(est.quota ?? 0)})`;
}

/**
 * Why `what`, needing about `need` bytes, cannot be written under this estimate — naming both
 * numbers and what to do — or null when it fits (or the estimate does not tell).
 */
export function quotaProblem(what: string, need: number, est: StorageEstimateLike | null | undefined): string | null {
  const free = freeBytes(est);
  if (free === null || need <= free) return null;
  return `${what} needs about ${exactBytes(need)} of storage, but only ${freeSpaceText(est!)}. Delete datasets or runs you no longer need (or free disk space) and try again; nothing was written.`;
}
