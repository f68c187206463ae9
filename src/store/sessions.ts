// Session records (per-token key/value caches that bundles fill through saveItemToSession).
import type { SessionRecord } from '../core/records';
import { writeTx, type StoreContext } from './db';

export async function getSession(ctx: StoreContext, token: string): Promise<SessionRecord | null> {
  return (await ctx.db().get('sessions', token)) ?? null;
}

export async function putSession(ctx: StoreContext, rec: SessionRecord): Promise<void> {
  await ctx.db().put('sessions', rec);
}

/** Token and creation time of every session, oldest first, without reading the values. */
export async function listSessions(ctx: StoreContext): Promise<Pick<SessionRecord, 'token' | 'timeCreated'>[]> {
  const out: Pick<SessionRecord, 'token' | 'timeCreated'>[] = [];
  let cursor = await ctx.db().transaction('sessions').store.index('timeCreated').openKeyCursor();
  while (cursor) {
    out.push({ token: cursor.primaryKey, timeCreated: cursor.key });
    cursor = await cursor.continue();
  }
  return out;
}

/** Delete the given sessions in one transaction; unknown tokens are ignored. */
export async function deleteSessions(ctx: StoreContext, tokens: string[]): Promise<void> {
  const unique = [...new Set(tokens)];
  if (unique.length === 0) return;
  await writeTx(ctx, 'deleteSessions', ['sessions'], async (tx) => {
    const store = tx.objectStore('sessions');
    await Promise.all(unique.map((t) => store.delete(t)));
  });
}
