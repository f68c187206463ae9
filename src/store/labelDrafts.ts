// The label editor's unsaved work (issue 16), one draft per target (e.g. a dataset id and field): its
// tiles' bytes as ArrayBuffers (compact: no per-element structured clone), how many strokes, when.
// A put replaces the target's draft; drafts survive reloads until saved (datasets.saveEdited) or deleted.
import { bytesOf, fromBytes, isDType, ndarrayProblem, type DType, type NDArray } from '../core/ndarray';
import { writeTx, type LabelDraftRecord, type StoreContext } from './db';

/** A draft as the editor gives and gets it. */
export interface LabelDraft {
  tiles: { origin: number[]; data: NDArray }[];
  strokes: number;
  updated: string;
  baseId?: string | null;
  imageId?: string | null;
  key?: string;
  shape: number[];
  dtype: DType;
}

/** A draft in a listing: everything but the tiles' data. */
export interface LabelDraftInfo extends Omit<LabelDraft, 'tiles'> {
  target: string;
  /** Number of tiles. */
  tiles: number;
}

function checkTarget(target: unknown): string {
  if (typeof target !== 'string' || target === '') throw new Error(`A label draft's target must be a non-empty string, got ${JSON.stringify(target)}.`);
  return target;
}

/** The record of `draft` (checked, errors naming the target and the value). */
function recordOf(target: string, draft: LabelDraft): LabelDraftRecord {
  const at = `Label draft '${target}'`;
  if (typeof draft !== 'object' || draft === null) throw new Error(`${at}: expected { tiles, strokes, updated, shape, dtype }.`);
  if (!Array.isArray(draft.tiles)) throw new Error(`${at}: tiles must be an array of { origin, data }.`);
  if (!Number.isInteger(draft.strokes) || draft.strokes < 0)
    throw new Error(`${at}: strokes must be a non-negative integer, got ${JSON.stringify(draft.strokes)}.`);
  if (typeof draft.updated !== 'string') throw new Error(`${at}: updated must be an ISO time string, got ${JSON.stringify(draft.updated)}.`);
  if (!Array.isArray(draft.shape) || !draft.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${at}: shape must be non-negative integers, got ${JSON.stringify(draft.shape)}.`);
  }
  if (!isDType(draft.dtype)) throw new Error(`${at}: dtype must be an NDArray dtype, got ${JSON.stringify(draft.dtype)}.`);
  const tiles = draft.tiles.map((t, i) => {
    const p = ndarrayProblem(t?.data, `${at}: tile ${i} data`);
    if (p) throw new Error(p);
    if (!Array.isArray(t.origin) || !t.origin.every((o) => Number.isInteger(o)))
      throw new Error(`${at}: tile ${i} origin must be integers, got ${JSON.stringify(t.origin)}.`);
    return { origin: [...t.origin], dtype: t.data.dtype, shape: [...t.data.shape], data: bytesOf(t.data).slice().buffer };
  });
  return {
    target,
    tiles,
    strokes: draft.strokes,
    updated: draft.updated,
    baseId: draft.baseId ?? null,
    imageId: draft.imageId ?? null,
    key: draft.key ?? null,
    shape: [...draft.shape],
    dtype: draft.dtype,
  };
}

function infoOf(rec: LabelDraftRecord): Omit<LabelDraft, 'tiles'> {
  return {
    strokes: rec.strokes,
    updated: rec.updated,
    baseId: rec.baseId,
    imageId: rec.imageId,
    ...(rec.key !== null ? { key: rec.key } : {}),
    shape: rec.shape,
    dtype: rec.dtype,
  };
}

export async function putLabelDraft(ctx: StoreContext, target: string, draft: LabelDraft): Promise<void> {
  const rec = recordOf(checkTarget(target), draft);
  await writeTx(ctx, 'putLabelDraft', ['labelDrafts'], async (tx) => {
    await tx.objectStore('labelDrafts').put(rec);
  });
}

export async function getLabelDraft(ctx: StoreContext, target: string): Promise<LabelDraft | null> {
  const rec = await ctx.db().get('labelDrafts', checkTarget(target));
  if (!rec) return null;
  return { ...infoOf(rec), tiles: rec.tiles.map((t) => ({ origin: t.origin, data: fromBytes(t.dtype, t.shape, t.data) })) };
}

/** Deleting a target without a draft does nothing. */
export async function deleteLabelDraft(ctx: StoreContext, target: string): Promise<void> {
  const key = checkTarget(target);
  await writeTx(ctx, 'deleteLabelDraft', ['labelDrafts'], async (tx) => {
    await tx.objectStore('labelDrafts').delete(key);
  });
}

/** Last updated first. */
export async function listLabelDrafts(ctx: StoreContext): Promise<LabelDraftInfo[]> {
  const recs = await ctx.db().getAll('labelDrafts');
  return recs
    .map((r) => ({ ...infoOf(r), target: r.target, tiles: r.tiles.length }))
    .sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
}
