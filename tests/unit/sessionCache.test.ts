import { describe, expect, it } from 'vitest';
import { ndarray } from '../../src/core/ndarray';
import type { SessionRecord } from '../../src/core/records';
import { DEFAULT_SESSION_LIMITS, SessionKeyError, sessionLoad, sessionRemove, sessionSave, sessionsToPrune } from '../../src/core/sessionCache';

const T = 'tok-1';
const now = new Date('2026-03-01T12:00:00.000Z');
const hoursAgo = (h: number): string => new Date(now.getTime() - h * 3_600_000).toISOString();
const limits3 = { maxItems: 3, maxSessions: 5, expireHours: 24 };

/** Save keys in order into a fresh session. */
function filled(keys: string[], limits = limits3): SessionRecord {
  let rec: SessionRecord | null = null;
  for (const k of keys) rec = sessionSave(rec, T, k, `v-${k}`, now, limits);
  return rec!;
}

function keyError(fn: () => unknown): SessionKeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SessionKeyError);
    return e as SessionKeyError;
  }
  throw new Error('expected a SessionKeyError');
}

describe('defaults', () => {
  it('are 5 items, 5 sessions, 24 hours', () => {
    expect(DEFAULT_SESSION_LIMITS).toEqual({ maxItems: 5, maxSessions: 5, expireHours: 24 });
  });
});

describe('sessionSave / sessionLoad', () => {
  it('creates a record on first save', () => {
    const rec = sessionSave(null, T, 'a', 1, now);
    expect(rec).toEqual({ token: T, timeCreated: now.toISOString(), order: ['a'], values: { a: 1 }, evictedBySize: [] });
  });

  it('never mutates the input record', () => {
    const rec = filled(['a', 'b', 'c']);
    const snapshot = structuredClone(rec);
    sessionSave(rec, T, 'd', 4, now, limits3);
    sessionSave(rec, T, 'a', 9, now, limits3);
    sessionLoad(rec, T, 'a');
    sessionRemove(rec, T, 'b');
    expect(rec).toEqual(snapshot);
  });

  it('keeps the creation time of an existing session', () => {
    const rec = sessionSave(null, T, 'a', 1, now);
    const later = sessionSave(rec, T, 'b', 2, new Date(now.getTime() + 60_000));
    expect(later.timeCreated).toBe(now.toISOString());
  });

  it('stores a clone (later changes to the caller’s value do not leak in) and loads it back', () => {
    const arr = ndarray('float32', [2], [1, 2]);
    const value = { arr, meta: { n: 1 } };
    const rec = sessionSave(null, T, 'emb', value, now);
    value.meta.n = 2;
    arr.data[0] = 100;
    const { value: got } = sessionLoad(rec, T, 'emb');
    expect(got).toEqual({ arr: ndarray('float32', [2], [1, 2]), meta: { n: 1 } });
    expect((got as typeof value).arr.data).toBeInstanceOf(Float32Array);
  });

  it('evicts the least-recently-used key when full and says why on load', () => {
    const rec = filled(['k1', 'k2', 'k3', 'k4']);
    expect(rec.order).toEqual(['k2', 'k3', 'k4']);
    expect(Object.keys(rec.values).sort()).toEqual(['k2', 'k3', 'k4']);
    expect(rec.evictedBySize).toEqual(['k1']);
    expect(keyError(() => sessionLoad(rec, T, 'k1')).message).toBe(
      'Key k1 was removed from the cache due to exceeding the maximum cache size. Consider increasing the cache size.',
    );
  });

  it('loading marks a key most-recently-used, which changes what is evicted next', () => {
    let rec = filled(['a', 'b', 'c']);
    const loaded = sessionLoad(rec, T, 'a');
    expect(loaded.value).toBe('v-a');
    expect(loaded.record.order).toEqual(['b', 'c', 'a']);
    rec = sessionSave(loaded.record, T, 'd', 'v-d', now, limits3);
    expect(rec.order).toEqual(['c', 'a', 'd']);
    expect(rec.evictedBySize).toEqual(['b']);
  });

  it('overwriting an existing key in a full session evicts nothing and does not duplicate it (reference quirk fixed)', () => {
    const rec = sessionSave(filled(['a', 'b', 'c']), T, 'a', 'new-a', now, limits3);
    expect(rec.order).toEqual(['b', 'c', 'a']);
    expect(rec.values).toEqual({ a: 'new-a', b: 'v-b', c: 'v-c' });
    expect(rec.evictedBySize).toEqual([]);
  });

  it('re-saving an evicted key forgets the eviction', () => {
    let rec = filled(['k1', 'k2', 'k3', 'k4']);
    rec = sessionSave(rec, T, 'k1', 'again', now, limits3);
    expect(rec.evictedBySize).toEqual(['k2']);
    expect(sessionLoad(rec, T, 'k1').value).toBe('again');
    expect(rec.order).toEqual(['k3', 'k4', 'k1']);
  });

  it('an evicted key is listed once even when evicted again', () => {
    let rec = filled(['a', 'b']);
    rec = sessionSave(rec, T, 'c', 1, now, { ...limits3, maxItems: 2 }); // evicts a
    rec = sessionSave(rec, T, 'a', 1, now, { ...limits3, maxItems: 2 }); // evicts b, a no longer evicted
    rec = sessionSave(rec, T, 'd', 1, now, { ...limits3, maxItems: 2 }); // evicts c
    rec = sessionSave(rec, T, 'b', 1, now, { ...limits3, maxItems: 2 }); // evicts a
    expect(rec.evictedBySize).toEqual(['c', 'a']);
  });

  it('a lowered limit trims down to it on the next save', () => {
    const rec = sessionSave(filled(['a', 'b', 'c']), T, 'd', 1, now, { ...limits3, maxItems: 1 });
    expect(rec.order).toEqual(['d']);
    expect(rec.evictedBySize).toEqual(['a', 'b', 'c']);
  });

  it('maxItems 1 keeps only the newest; maxItems 0 is an error, not a crash', () => {
    const rec = filled(['a', 'b'], { ...limits3, maxItems: 1 });
    expect(rec.order).toEqual(['b']);
    expect(() => sessionSave(null, T, 'a', 1, now, { ...limits3, maxItems: 0 })).toThrow('maxItems must be ≥ 1');
    expect(() => sessionSave(null, T, 'a', 1, now, { ...limits3, maxItems: 1.5 })).toThrow('maxItems must be ≥ 1');
  });

  it('uses the default limits when none are given', () => {
    let rec: SessionRecord | null = null;
    for (let i = 0; i < 6; i++) rec = sessionSave(rec, T, `k${i}`, i, now);
    expect(rec!.order).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(rec!.evictedBySize).toEqual(['k0']);
  });

  it('missing keys: the reference’s session message', () => {
    expect(keyError(() => sessionLoad(null, T, 'x')).message).toBe(`Key x not found in cache for session ${T}`);
    expect(keyError(() => sessionLoad(filled(['a']), T, 'x')).message).toBe(`Key x not found in cache for session ${T}`);
    // Object.prototype names are not keys.
    expect(keyError(() => sessionLoad(filled(['a']), T, 'toString')).message).toBe(`Key toString not found in cache for session ${T}`);
  });

  it('keys must be non-empty strings', () => {
    expect(() => sessionSave(null, T, '', 1, now)).toThrow('Session key must be a non-empty string, got string "".');
    expect(() => sessionSave(null, T, 3 as unknown as string, 1, now)).toThrow('Session key must be a non-empty string, got number 3.');
    expect(() => sessionLoad(filled(['a']), T, '')).toThrow('non-empty string');
    expect(() => sessionRemove(filled(['a']), T, null as unknown as string)).toThrow('non-empty string');
  });

  it('the token must match the record', () => {
    expect(() => sessionSave(filled(['a']), 'other', 'b', 1, now)).toThrow(`Session record is for token ${T}, not other.`);
    expect(() => sessionLoad(filled(['a']), 'other', 'a')).toThrow('not other');
  });

  it('values must be structured-cloneable', () => {
    expect(() => sessionSave(null, T, 'fn', { f: () => 1 }, now)).toThrow(
      "Session value for key 'fn' cannot be stored: () => 1 could not be cloned. Store plain data, typed arrays or NDArrays.",
    );
    const rec = filled(['a']);
    expect(() => sessionSave(rec, T, 'sym', Symbol('s'), now)).toThrow(/^Session value for key 'sym' cannot be stored: .*\. Store plain data/);
    // Values that clone fine: Maps, Dates, nested typed arrays, null, undefined.
    for (const v of [new Map([[1, 2]]), new Date(0), { a: [new Uint8Array(2)] }, null, undefined]) {
      expect(sessionLoad(sessionSave(null, T, 'k', v, now), T, 'k').value).toEqual(v);
    }
  });
});

describe('sessionRemove', () => {
  it('removes the key from values and order; the session stays', () => {
    const rec = sessionRemove(filled(['a', 'b']), T, 'a')!;
    expect(rec.order).toEqual(['b']);
    expect(rec.values).toEqual({ b: 'v-b' });
    const empty = sessionRemove(rec, T, 'b')!;
    expect(empty).toMatchObject({ token: T, order: [], values: {} });
    expect(keyError(() => sessionLoad(empty, T, 'a')).message).toBe(`Key a not found in cache for session ${T}`);
  });

  it('throws for a missing key or a session that never stored anything', () => {
    expect(keyError(() => sessionRemove(null, T, 'a')).message).toBe(`Key a not found in cache for session ${T}`);
    expect(keyError(() => sessionRemove(filled(['b']), T, 'a')).message).toBe(`Key a not found in cache for session ${T}`);
    const twice = sessionRemove(filled(['a']), T, 'a');
    expect(() => sessionRemove(twice, T, 'a')).toThrow(SessionKeyError);
  });
});

describe('sessionsToPrune', () => {
  const s = (token: string, h: number) => ({ token, timeCreated: hoursAgo(h) });
  const opts = (expireHours: number, maxSessions = 100) => ({ maxItems: 5, maxSessions, expireHours });

  it('removes expired sessions (reference test: expire 1 h removes 5 h and 4 h, keeps 30 min)', () => {
    expect(sessionsToPrune([s('old5', 5), s('old4', 4), s('new', 0.5)], 'x', now, opts(1))).toEqual(['old5', 'old4']);
  });

  it('keeps recent sessions (reference test: expire 3 h keeps 1 h and 2 h)', () => {
    expect(sessionsToPrune([s('a', 1), s('b', 2)], 'x', now, opts(3))).toEqual([]);
  });

  it('the expiry boundary is exclusive; unreadable times count as expired', () => {
    expect(sessionsToPrune([s('edge', 24), s('over', 24.001)], 'x', now)).toEqual(['over']);
    expect(sessionsToPrune([{ token: 'bad', timeCreated: 'yesterday' }, s('ok', 1)], 'x', now)).toEqual(['bad']);
  });

  it('keeps at most maxSessions − 1 other sessions, deleting the oldest first', () => {
    const all = [s('s1', 5), s('s2', 4), s('s3', 3), s('s4', 2), s('s5', 1)];
    expect(sessionsToPrune(all, 'new', now)).toEqual(['s1']);
    expect(sessionsToPrune(all, 'new', now, opts(24, 3))).toEqual(['s1', 's2', 's3']);
    expect(sessionsToPrune(all.slice(0, 4), 'new', now)).toEqual([]);
  });

  it('never deletes the active session, even when it is the oldest (reference quirk fixed)', () => {
    const all = [s('active', 10), s('s2', 4), s('s3', 3), s('s4', 2), s('s5', 1)];
    expect(sessionsToPrune(all, 'active', now)).toEqual([]);
    const six = [...all, s('s6', 0.5)];
    expect(sessionsToPrune(six, 'active', now)).toEqual(['s2']);
  });

  it('never deletes the active session for age either', () => {
    expect(sessionsToPrune([s('active', 48), s('other', 30)], 'active', now)).toEqual(['other']);
  });

  it('lists expired ones first, then the oldest beyond the count', () => {
    const all = [s('e1', 30), s('a', 5), s('b', 4), s('e2', 26), s('c', 3)];
    expect(sessionsToPrune(all, 'new', now, opts(24, 2))).toEqual(['e1', 'e2', 'a', 'b']);
  });

  it('breaks creation-time ties by token for a stable answer', () => {
    expect(sessionsToPrune([s('b', 2), s('a', 2), s('c', 1)], 'new', now, opts(24, 2))).toEqual(['a', 'b']);
  });

  it('validates limits', () => {
    expect(() => sessionsToPrune([], 'x', now, opts(24, 0))).toThrow('maxSessions must be ≥ 1');
    expect(() => sessionsToPrune([], 'x', now, opts(-1))).toThrow('expireHours must be ≥ 0');
    expect(sessionsToPrune([s('a', 0.1)], 'x', now, opts(0))).toEqual(['a']);
  });
});
