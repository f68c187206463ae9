// The upgrade of datasets written before version 6: their array fields are whole blobs. Each dataset
// with such a field of 64 KiB or more is moved onto chunked arrays in ONE transaction of its own
// (its arrays committed, its record rewritten, its blob references released), so that at any moment
// every dataset is wholly in one form or the other and a crash mid-way loses nothing: the next run
// goes on from where it stopped. Both forms are readable meanwhile.
import { datasetLabel } from '../core/datasetLabel';
import { fromBytes } from '../core/ndarray';
import type { DatasetMeta, FieldMeta } from '../core/records';
import { addRef, applyRefDeltas } from './blobs';
import { commitArraysIn, emptyCommits, encodeArray, storesChunked, type EncodedArray } from './datasetArrays';
import { DATASET_STORES } from './datasets';
import { writeTx, type StoreContext } from './db';

/** What a migration did. */
export interface MigrationReport {
  /** Datasets moved onto chunked arrays. */
  datasets: number;
  /** Fields moved. */
  fields: number;
  /** Datasets skipped because they changed or went while being moved (they are retried next time). */
  skipped: number;
}

function blobArrayFields(meta: DatasetMeta): string[] {
  return Object.keys(meta.keys).filter((k) => {
    const fm = meta.keys[k]!;
    return fm.blob !== undefined && storesChunked(fm.kind, fm.byteLength);
  });
}

/** Move every whole-blob array field of 64 KiB or more onto a chunked array, one dataset per transaction. */
export async function migrateBlobFields(ctx: StoreContext, opts: { signal?: AbortSignal } = {}): Promise<MigrationReport> {
  const report: MigrationReport = { datasets: 0, fields: 0, skipped: 0 };
  const metas = await ctx.db().getAll('datasets');
  for (const meta of metas) {
    if (opts.signal?.aborted) break;
    const keys = blobArrayFields(meta);
    if (keys.length === 0) continue;
    const moved = await migrateDataset(ctx, meta, keys);
    if (moved) {
      report.datasets++;
      report.fields += keys.length;
    } else {
      report.skipped++;
    }
  }
  return report;
}

async function migrateDataset(ctx: StoreContext, meta: DatasetMeta, keys: string[]): Promise<boolean> {
  // Read and encode outside the transaction (encoding awaits hashing).
  const encoded = new Map<string, EncodedArray>();
  for (const key of keys) {
    const fm = meta.keys[key]!;
    const rec = await ctx.db().get('blobs', fm.blob!);
    if (!rec) throw new Error(`Dataset ${datasetLabel(meta)}: the bytes of field '${key}' (blob ${fm.blob}) are missing from the store.`);
    encoded.set(key, await encodeArray(fromBytes(fm.dtype, fm.shape, rec.data)));
  }
  return writeTx(ctx, 'migrateBlobFields', DATASET_STORES, async (tx) => {
    const current = await tx.objectStore('datasets').get(meta.id);
    // Deleted, or changed, since it was read: leave it for the next run.
    if (!current || keys.some((k) => current.keys[k]?.blob !== meta.keys[k]!.blob)) return false;
    const commits = emptyCommits();
    const deltas = new Map<string, number>();
    for (const [key, enc] of encoded) {
      if (!commits.encoded.has(enc.digest)) commits.encoded.set(enc.digest, enc);
      addRef(commits.refs, enc.digest, 1);
      addRef(deltas, current.keys[key]!.blob!, -1);
    }
    const [, ids] = await Promise.all([applyRefDeltas(tx, deltas, new Map()), commitArraysIn(tx, commits)]);
    const keysOut: Record<string, FieldMeta> = {};
    for (const [key, fm] of Object.entries(current.keys)) {
      const enc = encoded.get(key);
      if (!enc) {
        keysOut[key] = fm;
        continue;
      }
      const { blob: _blob, ...rest } = fm;
      keysOut[key] = { ...rest, array: ids.get(enc.digest)!, chunkShape: enc.chunkShape, digest: enc.digest };
    }
    await tx.objectStore('datasets').put({ ...current, keys: keysOut });
    return true;
  });
}
