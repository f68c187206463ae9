// Pure logic of the reference's TaskSession / DataCache (reference §3.6) on SessionRecord values.
// The store persists records; nothing here touches IndexedDB. Every function returns new records
// and never mutates its input.
//
// Deliberate differences from the reference (§9 quirks):
// - overwriting an existing key never evicts another key and never duplicates it in `order`;
// - pruning before a run never deletes the session that run is about to use (neither by count nor
//   by age: a session in use is not abandoned; an abandoned one expires as usual);
// - maxItems 0 is an error instead of a crash;
// - removing a key the session does not hold throws (the reference's DataCache ignores it, but its
//   TaskSession throws for a session that never stored anything and its tests expect a KeyError:
//   one rule for both cases, with the message of TaskSession's missing-key error);
// - values must be structured-cloneable (they are persisted); the record keeps a clone, so later
//   changes to the caller's object do not leak into the session.
import type { SessionRecord } from './records';
import { BRIEF, describeValue, thrownMessage } from './describeValue';

export interface SessionLimits {
  /** Items per session (LRU beyond that). */
  maxItems: number;
  /** Sessions kept at once (the oldest are pruned before a run). */
  maxSessions: number;
  /** Sessions older than this (by creation time) are pruned before a run. */
  expireHours: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({ maxItems: 5, maxSessions: 5, expireHours: 24 });

/** A key that is not (or no longer) in the session. */
export class SessionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionKeyError';
  }
}

function resolveLimits(limits: Partial<SessionLimits> | undefined): SessionLimits {
  const l = { ...DEFAULT_SESSION_LIMITS, ...limits };
  if (!Number.isInteger(l.maxItems) || l.maxItems < 1) throw new Error(`maxItems must be ≥ 1 (got ${describeValue(l.maxItems, BRIEF)}).`);
  if (!Number.isInteger(l.maxSessions) || l.maxSessions < 1) {
    throw new Error(`maxSessions must be ≥ 1 (got ${describeValue(l.maxSessions, BRIEF)}).`);
  }
  if (typeof l.expireHours !== 'number' || Number.isNaN(l.expireHours) || l.expireHours < 0) {
    throw new Error(`expireHours must be ≥ 0 (got ${describeValue(l.expireHours, BRIEF)}).`);
  }
  return l;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw new TypeError(`Session key must be a non-empty string, got ${describeValue(key, BRIEF)}.`);
}

function checkToken(rec: SessionRecord | null, token: unknown): asserts token is string {
  if (typeof token !== 'string' || token === '') throw new TypeError(`Session token must be a non-empty string, got ${describeValue(token, BRIEF)}.`);
  if (rec && rec.token !== token) throw new Error(`Session record is for token ${rec.token}, not ${token}.`);
}

const notFound = (key: string, token: string): SessionKeyError => new SessionKeyError(`Key ${key} not found in cache for session ${token}`);

const has = (rec: SessionRecord, key: string): boolean => Object.hasOwn(rec.values, key);

/**
 * Store `value` under `key`. Returns the new record (never mutates the input); a new record when
 * `rec` is null. When the session is full, a new key evicts the least-recently-used one, which is
 * recorded in `evictedBySize`; overwriting an existing key only makes it most-recently-used.
 */
export function sessionSave(rec: SessionRecord | null, token: string, key: string, value: unknown, now: Date, limits?: Partial<SessionLimits>): SessionRecord {
  const { maxItems } = resolveLimits(limits);
  checkToken(rec, token);
  checkKey(key);
  let stored: unknown;
  try {
    stored = structuredClone(value);
  } catch (e) {
    const reason = thrownMessage(e).replace(/\.$/, '');
    throw new Error(`Session value for key '${key}' cannot be stored: ${reason}. Store plain data, typed arrays or NDArrays.`, { cause: e });
  }
  const base: SessionRecord = rec ?? { token, timeCreated: now.toISOString(), order: [], values: {}, evictedBySize: [] };
  const order = base.order.filter((k) => k !== key);
  const values = { ...base.values };
  let evicted = base.evictedBySize.filter((k) => k !== key);
  // Evict only to make room: an overwrite leaves the count unchanged (more than maxItems only
  // happens when the limit was lowered since the record was written).
  while (order.length >= maxItems) {
    const lru = order.shift()!;
    delete values[lru];
    evicted = [...evicted.filter((k) => k !== lru), lru];
  }
  order.push(key);
  values[key] = stored;
  return { token: base.token, timeCreated: base.timeCreated, order, values, evictedBySize: evicted };
}

/** Read `key` and mark it most-recently-used. Throws SessionKeyError with the reference's texts. */
export function sessionLoad(rec: SessionRecord | null, token: string, key: string): { value: unknown; record: SessionRecord } {
  checkToken(rec, token);
  checkKey(key);
  if (!rec || !has(rec, key)) {
    if (rec?.evictedBySize.includes(key)) {
      throw new SessionKeyError(`Key ${key} was removed from the cache due to exceeding the maximum cache size. Consider increasing the cache size.`);
    }
    throw notFound(key, token);
  }
  const order = [...rec.order.filter((k) => k !== key), key];
  return { value: rec.values[key], record: { ...rec, order, values: { ...rec.values }, evictedBySize: [...rec.evictedBySize] } };
}

/**
 * Remove `key`. Throws SessionKeyError "Key {key} not found in cache for session {token}" when the
 * session has no such key (or no record at all). The session itself stays, even when empty (its
 * creation time still counts for expiry), so the result is never null for a successful remove.
 */
export function sessionRemove(rec: SessionRecord | null, token: string, key: string): SessionRecord | null {
  checkToken(rec, token);
  checkKey(key);
  if (!rec || !has(rec, key)) throw notFound(key, token);
  const values = { ...rec.values };
  delete values[key];
  return { ...rec, order: rec.order.filter((k) => k !== key), values, evictedBySize: [...rec.evictedBySize] };
}

/**
 * Which session tokens to delete before a run with `activeToken`: expired ones (created more than
 * expireHours ago, or with an unreadable creation time), then the oldest of the rest until at most
 * maxSessions − 1 other sessions remain (room for the active one) — never the active token itself.
 * Oldest first within each group.
 */
export function sessionsToPrune(
  all: Pick<SessionRecord, 'token' | 'timeCreated'>[],
  activeToken: string,
  now: Date,
  limits?: Partial<SessionLimits>,
): string[] {
  const { maxSessions, expireHours } = resolveLimits(limits);
  const maxAgeMs = expireHours * 3_600_000;
  const others = all
    .filter((s) => s.token !== activeToken)
    .map((s) => ({ token: s.token, t: Date.parse(s.timeCreated) }))
    .sort((a, b) => (Number.isNaN(a.t) ? -Infinity : a.t) - (Number.isNaN(b.t) ? -Infinity : b.t) || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const expired = others.filter((s) => Number.isNaN(s.t) || now.getTime() - s.t > maxAgeMs);
  const live = others.filter((s) => !expired.includes(s));
  const excess = Math.max(0, live.length - (maxSessions - 1));
  return [...expired, ...live.slice(0, excess)].map((s) => s.token);
}
