// Execution records (one per run), kept until deleted.
import type { ExecutionRecord } from '../core/records';
import { readTx, type StoreContext } from './db';

/** Newest first; ties by id, descending. */
function newestFirst(a: ExecutionRecord, b: ExecutionRecord): number {
  if (a.timeCreated !== b.timeCreated) return a.timeCreated < b.timeCreated ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export async function putExecution(ctx: StoreContext, rec: ExecutionRecord): Promise<void> {
  await ctx.db().put('executions', rec);
}

export async function getExecution(ctx: StoreContext, id: string): Promise<ExecutionRecord | null> {
  return (await ctx.db().get('executions', id)) ?? null;
}

export async function listExecutions(ctx: StoreContext): Promise<ExecutionRecord[]> {
  return (await ctx.db().getAll('executions')).sort(newestFirst);
}

/** Executions whose status is one of `statuses`, newest first. */
export async function executionsWithStatus(ctx: StoreContext, statuses: string[]): Promise<ExecutionRecord[]> {
  const unique = [...new Set(statuses)];
  if (unique.length === 0) return [];
  const index = readTx(ctx, ['executions']).objectStore('executions').index('status');
  const found = await Promise.all(unique.map((s) => index.getAll(s)));
  return found.flat().sort(newestFirst);
}

/** Delete one execution record; an unknown id is a no-op. */
export async function deleteExecution(ctx: StoreContext, id: string): Promise<void> {
  await ctx.db().delete('executions', id);
}
