// Installed BEAT blocks, toolchain run records (issue 7) and saved toolchains (issue 15); one transaction per write.
import type { BlockRecord, DataFormatRecord, SavedToolchainRecord, ToolchainRunRecord } from '../core/toolchainRecords';
import { writeTx, type StoreContext } from './db';
import { DATASET_STORES, deleteDatasetsIn } from './datasets';

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

/** Install (or replace) user data formats, all in one transaction. */
export async function putDataFormats(ctx: StoreContext, recs: readonly DataFormatRecord[]): Promise<void> {
  await writeTx(ctx, 'putDataFormats', ['dataFormats'], async (tx) => {
    const store = tx.objectStore('dataFormats');
    await Promise.all(recs.map((r) => store.put(r)));
  });
}

/** Sorted by name. */
export async function listDataFormats(ctx: StoreContext): Promise<DataFormatRecord[]> {
  return (await ctx.db().getAll('dataFormats')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Remove a user data format from the library (blocks keep their copies). */
export async function deleteDataFormat(ctx: StoreContext, name: string): Promise<void> {
  await writeTx(ctx, 'deleteDataFormat', ['dataFormats'], async (tx) => {
    const store = tx.objectStore('dataFormats');
    if (!(await store.get(name))) throw new Error(`Data format '${name}' not found.`);
    await store.delete(name);
  });
}

export async function putToolchainRun(ctx: StoreContext, rec: ToolchainRunRecord): Promise<void> {
  await writeTx(ctx, 'putToolchainRun', ['toolchainRuns'], (tx) => tx.objectStore('toolchainRuns').put(rec));
}

export async function getToolchainRun(ctx: StoreContext, id: string): Promise<ToolchainRunRecord | null> {
  return (await ctx.db().get('toolchainRuns', id)) ?? null;
}

/** Newest first. */
export async function listToolchainRuns(ctx: StoreContext): Promise<ToolchainRunRecord[]> {
  return (await ctx.db().getAll('toolchainRuns')).sort((a, b) =>
    a.timeCreated < b.timeCreated ? 1 : a.timeCreated > b.timeCreated ? -1 : a.id < b.id ? 1 : -1,
  );
}

/**
 * Delete a toolchain run record and, with `withDatasets`, every dataset the run stored (source
 * `toolchain:<id>`: its output streams and the inputs stored for runner blocks), in ONE transaction.
 * Returns the ids of the deleted datasets.
 */
export async function deleteToolchainRun(ctx: StoreContext, id: string, opts: { withDatasets?: boolean } = {}): Promise<string[]> {
  return writeTx(ctx, 'deleteToolchainRun', ['toolchainRuns', ...DATASET_STORES, 'stacks'], async (tx) => {
    const runs = tx.objectStore('toolchainRuns');
    if (!(await runs.get(id))) throw new Error(`Toolchain run '${id}' not found.`);
    await runs.delete(id);
    if (!opts.withDatasets) return [];
    const source = `toolchain:${id}`;
    const ids = (await tx.objectStore('datasets').getAll()).filter((m) => m.source === source).map((m) => m.id);
    return (await deleteDatasetsIn(tx, ids, { ignoreMissing: true })).deleted;
  });
}

/** Dataset ids a run's record lists as the stored outputs of its finished (DONE) blocks. */
export function keptDatasetIds(rec: ToolchainRunRecord): Set<string> {
  return new Set(
    Object.values(rec.blocks)
      .filter((b) => b.status === 'DONE')
      .flatMap((b) => Object.values(b.outputs).flatMap((s) => s.datasetIds)),
  );
}

/**
 * Finish a run that was interrupted (its page closed or reloaded while it ran), cleaned as a cancelled
 * or failed run is: `finish` rewrites the stored record (FAILED), and every dataset the run stored
 * (source `toolchain:<id>`) that is not a listed output of a finished block — a block interrupted while
 * its outputs were being stored, a runner block's stored inputs — is deleted; all in ONE transaction.
 * A record that is no longer RUNNING is left alone (null). Returns the deleted dataset ids.
 */
export async function finishInterruptedToolchainRun(ctx: StoreContext, id: string, finish: (rec: ToolchainRunRecord) => void): Promise<string[] | null> {
  return writeTx(ctx, 'finishInterruptedToolchainRun', ['toolchainRuns', ...DATASET_STORES, 'stacks'], async (tx) => {
    const runs = tx.objectStore('toolchainRuns');
    const rec = await runs.get(id);
    if (!rec || rec.status !== 'RUNNING') return null;
    finish(rec);
    await runs.put(rec);
    const kept = keptDatasetIds(rec);
    const source = `toolchain:${id}`;
    const ids = (await tx.objectStore('datasets').getAll()).filter((m) => m.source === source && !kept.has(m.id)).map((m) => m.id);
    return (await deleteDatasetsIn(tx, ids, { ignoreMissing: true })).deleted;
  });
}

/** Save (or replace) a user's toolchain. */
export async function putSavedToolchain(ctx: StoreContext, rec: SavedToolchainRecord): Promise<void> {
  await writeTx(ctx, 'putSavedToolchain', ['savedToolchains'], (tx) => tx.objectStore('savedToolchains').put(rec));
}

export async function getSavedToolchain(ctx: StoreContext, id: string): Promise<SavedToolchainRecord | null> {
  return (await ctx.db().get('savedToolchains', id)) ?? null;
}

/** Last saved first. */
export async function listSavedToolchains(ctx: StoreContext): Promise<SavedToolchainRecord[]> {
  return (await ctx.db().getAll('savedToolchains')).sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : a.id < b.id ? 1 : -1));
}

/** Delete a saved toolchain (its runs and their datasets are kept). */
export async function deleteSavedToolchain(ctx: StoreContext, id: string): Promise<void> {
  await writeTx(ctx, 'deleteSavedToolchain', ['savedToolchains'], async (tx) => {
    const store = tx.objectStore('savedToolchains');
    if (!(await store.get(id))) throw new Error(`Saved toolchain '${id}' not found.`);
    await store.delete(id);
  });
}
