// Stacks: ordered lists of datasets kept in `stacks` (a multi-entry `datasetIds` index finds the stacks
// holding a dataset), plus the one-transaction writes of datasets together with their stacks, and the
// small `settings` store.
import type { StackRecord } from '../core/stacks';
import { DATASET_STORES, deleteDatasetsIn, prepareDatasets, settlePrepared, writeDatasetsIn, type NewDataset } from './datasets';
import { track, writeTx, type StoreContext, type WriteTx } from './db';

/** A stack to create (`putStack`); `id` and `created` are made when omitted. */
export interface NewStack {
  id?: string;
  name: string;
  datasetIds: string[];
  /** 'user' when omitted. */
  source?: string;
  extra?: Record<string, unknown>;
  created?: string;
}

export interface StackPatch {
  name?: string;
  datasetIds?: string[];
}

/** A stack written together with new datasets: `items` are indexes into the datasets given. */
export interface StackOfNew {
  name: string;
  source: string;
  extra?: Record<string, unknown>;
  /** Indexes of the new datasets, in stack order; all of them, in input order, when omitted. */
  items?: number[];
}

export interface PutWithStacksOptions {
  /**
   * A setting key set to `true` in the same transaction. With `onlyIfUnset`, when that setting is
   * already set nothing is written and the call returns null (a once-only write, safe across tabs).
   */
  flag?: string;
  onlyIfUnset?: boolean;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('A stack name must be a non-empty string.');
  return name.trim();
}

function checkExtra(extra: unknown): Record<string, unknown> {
  if (extra === undefined) return {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new Error('A stack extra must be a plain object.');
  return structuredClone(extra as Record<string, unknown>);
}

/** A non-empty list of dataset id strings without repeats (existence is checked in the transaction). */
function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
    throw new Error('A stack needs datasetIds: a list of dataset id strings.');
  }
  if (ids.length === 0) throw new Error('A stack needs at least one dataset.');
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids as string[]) {
    if (seen.has(id)) repeated.add(id);
    seen.add(id);
  }
  if (repeated.size) throw new Error(`A stack lists each dataset once; repeated: ${[...repeated].join(', ')}`);
  return [...(ids as string[])];
}

/** Inside `tx`: throw "Datasets not found: a, b" naming every id that does not exist. */
async function requireDatasets(tx: WriteTx, ids: readonly string[]): Promise<void> {
  const store = tx.objectStore('datasets');
  const reads: Promise<unknown>[] = [];
  const keys = await Promise.all(ids.map((id) => track(reads, store.getKey(id))));
  const missing = ids.filter((_, i) => keys[i] === undefined);
  if (missing.length) throw new Error(`Datasets not found: ${missing.join(', ')}`);
}

/** Create (or replace, for an existing id) a stack of existing datasets. */
export async function putStack(ctx: StoreContext, input: NewStack): Promise<StackRecord> {
  if (typeof input !== 'object' || input === null) throw new Error('putStack: expected {name, datasetIds, …}.');
  if (input.id !== undefined && (typeof input.id !== 'string' || input.id === '')) throw new Error('A stack id must be a non-empty string.');
  const rec: StackRecord = {
    id: input.id ?? crypto.randomUUID(),
    name: checkName(input.name),
    datasetIds: checkIds(input.datasetIds),
    created: input.created ?? new Date().toISOString(),
    source: typeof input.source === 'string' && input.source !== '' ? input.source : 'user',
    extra: checkExtra(input.extra),
  };
  await writeTx(ctx, 'putStack', ['stacks', 'datasets'], async (tx) => {
    await requireDatasets(tx, rec.datasetIds);
    await tx.objectStore('stacks').put(rec);
  });
  return structuredClone(rec);
}

export async function getStack(ctx: StoreContext, id: string): Promise<StackRecord | null> {
  return (await ctx.db().get('stacks', id)) ?? null;
}

/** Oldest first. */
export async function listStacks(ctx: StoreContext): Promise<StackRecord[]> {
  return ctx.db().getAllFromIndex('stacks', 'created');
}

/** Rename and/or replace the dataset list (same checks as putStack). */
export async function updateStack(ctx: StoreContext, id: string, patch: StackPatch): Promise<StackRecord> {
  if (typeof patch !== 'object' || patch === null) throw new Error('updateStack: expected a patch {name?, datasetIds?}.');
  const name = patch.name === undefined ? undefined : checkName(patch.name);
  const datasetIds = patch.datasetIds === undefined ? undefined : checkIds(patch.datasetIds);
  return writeTx(ctx, 'updateStack', ['stacks', 'datasets'], async (tx) => {
    const store = tx.objectStore('stacks');
    const rec = await store.get(id);
    if (!rec) throw new Error(`Stack '${id}' not found.`);
    if (datasetIds !== undefined) {
      await requireDatasets(tx, datasetIds);
      rec.datasetIds = datasetIds;
    }
    if (name !== undefined) rec.name = name;
    await store.put(rec);
    return structuredClone(rec);
  });
}

/**
 * Delete a stack. With `withDatasets`, its datasets are deleted too (blob references released, and
 * taken out of any other stack that lists them), all in one transaction.
 */
export async function deleteStack(ctx: StoreContext, id: string, opts: { withDatasets?: boolean } = {}): Promise<void> {
  await writeTx(ctx, 'deleteStack', ['stacks', ...DATASET_STORES], async (tx) => {
    const store = tx.objectStore('stacks');
    const rec = await store.get(id);
    if (!rec) throw new Error(`Stack '${id}' not found.`);
    await store.delete(id);
    if (opts.withDatasets) await deleteDatasetsIn(tx, rec.datasetIds, { ignoreMissing: true });
  });
}

/**
 * Write new datasets and stacks of them in ONE transaction (import, samples). Returns the dataset ids
 * in input order and the stack records; null when `opts.onlyIfUnset` found `opts.flag` already set.
 */
export async function putDatasetsWithStacks(
  ctx: StoreContext,
  items: NewDataset[],
  stacks: StackOfNew[],
  opts: PutWithStacksOptions = {},
): Promise<{ ids: string[]; stacks: StackRecord[] } | null> {
  if (opts.onlyIfUnset && !opts.flag) throw new Error('putDatasetsWithStacks: onlyIfUnset needs a flag.');
  const prepared = await prepareDatasets(items);
  let written = false;
  try {
    const recs = stackRecords(
      prepared.metas.map((m) => m.id),
      stacks,
    );
    written = await writeTx(ctx, 'putDatasetsWithStacks', [...DATASET_STORES, 'stacks', 'settings'], async (tx) => {
      if (opts.flag) {
        const settings = tx.objectStore('settings');
        if (opts.onlyIfUnset && (await settings.get(opts.flag))?.value) return false;
        await settings.put({ key: opts.flag, value: true });
      }
      await writeDatasetsIn(tx, prepared, ctx.chunkCache);
      const writes: Promise<unknown>[] = [];
      for (const rec of recs) track(writes, tx.objectStore('stacks').add(rec));
      await Promise.all(writes);
      return true;
    });
    return written ? { ids: prepared.metas.map((m) => m.id), stacks: recs } : null;
  } finally {
    // Staged arrays of a write that did not happen (failed, or the flag was already set) are dropped.
    await settlePrepared(prepared, written);
  }
}

/** The records of `stacks` over the new datasets `ids` (checked). */
function stackRecords(ids: string[], stacks: StackOfNew[]): StackRecord[] {
  // Stacks of one batch get increasing times so that listStacks keeps their order.
  const t0 = Date.now();
  return stacks.map((s, k) => {
    const order = s.items ?? ids.map((_, i) => i);
    if (order.some((i) => !Number.isInteger(i) || i < 0 || i >= ids.length)) {
      throw new Error(`Stack '${String(s.name)}': items must be indexes of the ${ids.length} datasets given.`);
    }
    return {
      id: crypto.randomUUID(),
      name: checkName(s.name),
      datasetIds: checkIds(order.map((i) => ids[i]!)),
      created: new Date(t0 + k).toISOString(),
      source: typeof s.source === 'string' && s.source !== '' ? s.source : 'user',
      extra: checkExtra(s.extra),
    };
  });
}

/** New datasets and one stack of all of them, in one transaction. */
export async function putDatasetsAsStack(
  ctx: StoreContext,
  items: NewDataset[],
  stack: { name: string; source: string; extra?: Record<string, unknown> },
): Promise<{ ids: string[]; stack: StackRecord }> {
  const r = (await putDatasetsWithStacks(ctx, items, [{ name: stack.name, source: stack.source, ...(stack.extra ? { extra: stack.extra } : {}) }]))!;
  return { ids: r.ids, stack: r.stacks[0]! };
}

// ───────────────────────────── settings ─────────────────────────────

export async function getSetting(ctx: StoreContext, key: string): Promise<unknown> {
  return (await ctx.db().get('settings', key))?.value;
}

export async function setSetting(ctx: StoreContext, key: string, value: unknown): Promise<void> {
  await writeTx(ctx, 'setSetting', ['settings'], async (tx) => {
    await tx.objectStore('settings').put({ key, value });
  });
}

/** The stacks that list a dataset (in no particular order). */
export async function stacksOf(ctx: StoreContext, datasetId: string): Promise<StackRecord[]> {
  return ctx.db().getAllFromIndex('stacks', 'datasetIds', datasetId);
}
