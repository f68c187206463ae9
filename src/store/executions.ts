// Execution records (one per run), kept until deleted.
import type { ExecutionRecord } from '../core/records';
import { readTx, writeTx, type StoreContext, type WriteTx } from './db';
import { DATASET_STORES, deleteDatasetsIn } from './datasets';

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

export interface CloseExecutionOptions {
  /**
   * Which posted datasets to delete: none (false); the ones a live run knows it posted (their ids:
   * no scan); or, for a run a reloaded page no longer knows, every dataset whose source is
   * `execution:<id>` ('bySource': one pass over the dataset records).
   */
  removeOutputs: false | string[] | 'bySource';
  /** Amend the record once the deleted ids are known (e.g. log how many), inside the transaction; must not await. */
  beforeWrite?: (rec: ExecutionRecord, removed: string[]) => ExecutionRecord;
}

/** The ids of the datasets whose source is `source` (one pass over the dataset records). */
async function idsBySource(tx: WriteTx, source: string): Promise<string[]> {
  const ids: string[] = [];
  for (let c = await tx.objectStore('datasets').openCursor(); c; c = await c.continue()) if (c.value.source === source) ids.push(c.value.id);
  return ids;
}

/**
 * Write an execution's final record and delete the datasets it posted (see `removeOutputs`): one transaction, so a run is never left FAILED with orphans or gone with its
 * record unchanged. Returns the ids of the datasets deleted.
 */
export async function closeExecution(ctx: StoreContext, rec: ExecutionRecord, opts: CloseExecutionOptions): Promise<string[]> {
  return writeTx(ctx, 'closeExecution', ['executions', ...DATASET_STORES, 'stacks'], async (tx) => {
    let removed: string[] = [];
    if (opts.removeOutputs) {
      const ids = opts.removeOutputs === 'bySource' ? await idsBySource(tx, `execution:${rec.id}`) : opts.removeOutputs;
      removed = (await deleteDatasetsIn(tx, ids, { ignoreMissing: true })).deleted;
    }
    const final = opts.beforeWrite ? opts.beforeWrite(structuredClone(rec), removed) : rec;
    await tx.objectStore('executions').put(final);
    return removed;
  });
}
