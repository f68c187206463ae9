// HostApi's session-cache calls for one run (saveItemToSession and friends): keys checked, each
// operation serialised per session token, values counted against the run's byte limit.
import { sessionLoad, sessionRemove, sessionSave } from '../core/sessionCache';
import type { HostApi } from '../core/protocol';
import type { HostApiContext } from './hostContext';
import { FORBIDDEN_KEYS, MAX_ID_LENGTH, approxBytes, describeValue } from './hostChecks';
import { assertAlive, type LiveRun } from './liveRun';

function sessionKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || !key || key.length > MAX_ID_LENGTH || FORBIDDEN_KEYS.has(key)) {
    throw new Error(
      `${what}: the key must be a non-empty string of at most ${MAX_ID_LENGTH} characters other than __proto__, constructor and prototype, got ${describeValue(key)}.`,
    );
  }
  return key;
}

export function sessionCalls(run: LiveRun, ctx: HostApiContext): Pick<HostApi, 'sessionSave' | 'sessionLoad' | 'sessionRemove'> {
  const { rec } = run;
  const limits = ctx.sessions.limits;
  const maxPost = run.maxPostBytes;
  return {
    sessionSave: (key, value) =>
      ctx.sessions.serial(rec.sessionToken, async () => {
        assertAlive(run);
        sessionKey(key, 'sessionSave');
        const size = approxBytes(value);
        if (run.postedBytes + size > maxPost) {
          throw new Error(`sessionSave: the value of '${key}' (about ${size} bytes) would bring this execution's stored bytes over its limit of ${maxPost}.`);
        }
        run.postedBytes += size;
        const cur = await ctx.store.getSession(rec.sessionToken);
        const next = sessionSave(cur, rec.sessionToken, key, value, new Date(), limits);
        await ctx.store.putSession(next);
        ctx.log(run, 'INFO', `Saved object with key ${key} to the session.`);
      }),

    sessionLoad: (key) =>
      ctx.sessions.serial(rec.sessionToken, async () => {
        assertAlive(run);
        sessionKey(key, 'sessionLoad');
        const cur = await ctx.store.getSession(rec.sessionToken);
        const { value, record } = sessionLoad(cur, rec.sessionToken, key);
        await ctx.store.putSession(record);
        ctx.log(run, 'INFO', `Loaded object with key ${key} from the session.`);
        return value;
      }),

    sessionRemove: (key) =>
      ctx.sessions.serial(rec.sessionToken, async () => {
        assertAlive(run);
        sessionKey(key, 'sessionRemove');
        const cur = await ctx.store.getSession(rec.sessionToken);
        const next = sessionRemove(cur, rec.sessionToken, key);
        if (next) await ctx.store.putSession(next);
        else await ctx.store.deleteSessions([rec.sessionToken]);
        ctx.log(run, 'INFO', `Removed object with key ${key} from the session.`);
      }),
  };
}
