// Installed BEAT blocks and toolchain run records (issue 7); one transaction per write.
import type { BlockRecord, ToolchainRunRecord } from '../core/toolchainRecords';
import { writeTx, type StoreContext } from './db';

export async function putBlock(ctx: StoreContext, rec: BlockRecord): Promise<void> {
  await writeTx(ctx, 'putBlock', ['blocks'], (tx) => tx.objectStore('blocks').put(rec));
}

export async function getBlock(ctx: StoreContext, id: string): Promise<BlockRecord | null> {
  return (await ctx.db().get('blocks', id)) ?? null;
}

/** Sorted by id. */
export async function listBlocks(ctx: StoreContext): Promise<BlockRecord[]> {
  return (await ctx.db().getAll('blocks')).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function putToolchainRun(ctx: StoreContext, rec: ToolchainRunRecord): Promise<void> {
  await writeTx(ctx, 'putToolchainRun', ['toolchainRuns'], (tx) => tx.objectStore('toolchainRuns').put(rec));
}

export async function getToolchainRun(ctx: StoreContext, id: string): Promise<ToolchainRunRecord | null> {
  return (await ctx.db().get('toolchainRuns', id)) ?? null;
}

/** Newest first. */
export async function listToolchainRuns(ctx: StoreContext): Promise<ToolchainRunRecord[]> {
  return (await ctx.db().getAll('toolchainRuns')).sort((a, b) => (a.timeCreated < b.timeCreated ? 1 : a.timeCreated > b.timeCreated ? -1 : a.id < b.id ? 1 : -1));
}
