// A new version of a dataset with tiles written over one field (the label editor's save, issue 16):
// every other field is shared with the base (its blob or chunked array gains a reference), and the
// edited field is, for a chunked field of unchanged dtype, an array holding only the chunks the tiles
// touch (editedArrays.ts). A blob field, or a labels field widened for an id its dtype cannot hold
// (uint8 → uint16 → int32), is rewritten whole. One write transaction: all of it, or nothing.
import { datasetLabel } from '../core/datasetLabel';
import { pasteTile, tileProblem, tileShapeIn, type EditTile } from '../core/editTiles';
import { isLabelField, LABEL_DTYPES, labelDtypeFor } from '../core/labelDtype';
import { cast, copy, ndarrayProblem, type DType, type NDArray } from '../core/ndarray';
import type { DatasetMeta, FieldMeta } from '../core/records';
import { addRef, applyRefDeltas } from './blobs';
import { commitArraysIn, retainArraysIn } from './datasetArrays';
import { DATASET_STORES, getDatasetFields, getDatasetMeta, prepareDatasets, settlePrepared, type PreparedDatasets } from './datasets';
import { writeTx, type ChunkedArrayRecord, type StoreContext } from './db';
import { editChunks, writeEditedArrayIn, type EditedArray, type PlacedTile } from './editedArrays';

/** What `datasets.saveEdited` is given. */
export interface EditRequest {
  baseId: string;
  key: string;
  tiles: EditTile[];
  name?: string;
  source?: string;
  extra?: Record<string, unknown>;
}

/** The field `key` of `meta`, or an error naming the dataset and the fields it has. */
function editedField(meta: DatasetMeta, key: string): FieldMeta {
  const fm = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  if (fm) return fm;
  const has = Object.keys(meta.keys).map((k) => `'${k}'`);
  throw new Error(`Dataset ${datasetLabel(meta)} has no field '${key}' (it has ${has.join(', ') || 'none'}).`);
}

/** The tiles checked against the field (axes, bounds, dtype), each with its shape at the field's rank. */
function placeTiles(label: string, key: string, fm: FieldMeta, tiles: unknown): PlacedTile[] {
  if (!Array.isArray(tiles) || tiles.length === 0) throw new Error(`${label}: tiles must be a non-empty array of { origin, data }.`);
  return tiles.map((t: Partial<EditTile> | null, i) => {
    const p = ndarrayProblem(t?.data, `${label}: tile ${i} data`);
    if (p) throw new Error(p);
    const data = t!.data!;
    const shape = tileShapeIn(fm.shape.length, data.shape);
    if (!shape)
      throw new Error(
        `${label}: tile ${i} has ${data.shape.length} axes ([${data.shape.join(', ')}]); the field has ${fm.shape.length} ([${fm.shape.join(', ')}]).`,
      );
    const q = tileProblem(label, i, fm.shape, t!.origin, shape);
    if (q) throw new Error(q);
    const widenable = isLabelField(key) && LABEL_DTYPES.includes(fm.dtype) && LABEL_DTYPES.includes(data.dtype);
    if (data.dtype !== fm.dtype && !widenable) {
      throw new Error(
        `${label}: tile ${i} is ${data.dtype}; the field holds ${fm.dtype} (tiles must have the field's dtype; only a labels field may be widened, uint8 → uint16 → int32).`,
      );
    }
    return { origin: [...t!.origin!], shape, data };
  });
}

/** The field's dtype after the edit: its own, or for a labels field the first wider one holding the tiles' values. */
function editedDtype(label: string, key: string, fm: FieldMeta, tiles: readonly PlacedTile[]): DType {
  if (!isLabelField(key) || !LABEL_DTYPES.includes(fm.dtype)) return fm.dtype;
  const d = labelDtypeFor(
    fm.dtype,
    tiles.map((t) => t.data),
  );
  if (!d) throw new Error(`${label}: the tiles hold labels that no dtype of ${LABEL_DTYPES.join(', ')} can hold.`);
  return d;
}

/** The whole field read, widened to `dtype` and painted with `tiles`: prepared as a new field (blob or chunked). */
async function rewriteWhole(
  ctx: StoreContext,
  meta: DatasetMeta,
  key: string,
  fm: FieldMeta,
  dtype: DType,
  tiles: readonly PlacedTile[],
): Promise<PreparedDatasets> {
  const got = await getDatasetFields(ctx, meta.id, [key]);
  const field = got?.fields[key];
  if (!field) throw new Error(`Dataset ${datasetLabel(meta)} was deleted while field '${key}' was being edited.`);
  const array: NDArray = field.array.dtype === dtype ? copy(field.array) : cast(field.array, dtype);
  for (const t of tiles) pasteTile(array, t.origin, t.shape, t.data);
  return prepareDatasets([{ fields: { [key]: { kind: fm.kind, array, owned: true } }, source: 'edit', schema: null }]);
}

/**
 * Store the edit of `req.key` of dataset `req.baseId` as a new dataset; returns its id. See the file's
 * comment; errors name the dataset, the field, the value and what was expected.
 */
export async function saveEditedDataset(ctx: StoreContext, req: EditRequest): Promise<string> {
  const base = await getDatasetMeta(ctx, req?.baseId);
  if (!base) throw new Error(`Dataset '${req?.baseId}' not found.`);
  const fm = editedField(base, req.key);
  const label = `Dataset ${datasetLabel(base)}, field '${req.key}'`;
  if (fm.remote)
    throw new Error(`${label}: a remote array (${fm.remote.url}) cannot be edited here; import it first (datasets.importRemote) and edit the copy.`);
  if (fm.kind !== 'array') throw new Error(`${label}: only an 'array' field can be edited; this one is of kind '${fm.kind}'.`);
  if (req.name !== undefined && (typeof req.name !== 'string' || req.name.trim() === '')) throw new Error('A dataset name must be a non-empty string.');
  const extra = req.extra ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new Error('A dataset extra must be a plain object.');
  const placed = placeTiles(label, req.key, fm, req.tiles);
  const dtype = editedDtype(label, req.key, fm, placed);
  const tiles = placed.map((t) => ({ ...t, data: cast(t.data, dtype) }));
  const edit: EditedArray | null = fm.array && dtype === fm.dtype ? await editChunks(ctx, fm, tiles) : null;
  const whole = edit ? null : await rewriteWhole(ctx, base, req.key, fm, dtype, tiles);
  const id = crypto.randomUUID();
  try {
    await writeTx(ctx, 'saveEdited', DATASET_STORES, async (tx) => {
      const cur = await tx.objectStore('datasets').get(base.id);
      const was = cur && Object.hasOwn(cur.keys, req.key) ? cur.keys[req.key] : undefined;
      if (!cur || !was || was.array !== fm.array || was.blob !== fm.blob) {
        throw new Error(`Dataset ${datasetLabel(base)} was deleted or changed while the edit of field '${req.key}' was being saved; nothing was stored.`);
      }
      const keys = structuredClone(cur.keys);
      const retained = new Map<string, number>();
      const deltas = new Map(whole?.deltas ?? []);
      for (const [k, f] of Object.entries(keys)) {
        if (k === req.key) continue;
        if (f.array) addRef(retained, f.array, 1);
        else if (f.blob) addRef(deltas, f.blob, 1);
        for (const lv of f.levels ?? []) addRef(retained, lv.array, 1);
      }
      let field: FieldMeta;
      let written = 0;
      const patches = new Map<string, Partial<ChunkedArrayRecord>>();
      if (edit) {
        const got = await writeEditedArrayIn(tx, edit, retained, patches);
        written = got.written;
        field = { ...was, digest: edit.digest, array: got.id };
      } else {
        const made = whole!.metas[0]!.keys[req.key]!;
        const ids = await commitArraysIn(tx, whole!.arrays, ctx.chunkCache);
        if (made.digest) written = (whole!.arrays.encoded.get(made.digest)?.keys.size ?? 1) - 1; // zarr.json apart
        field = { ...made, ...(made.digest ? { array: ids.get(made.digest)! } : {}), ...(was.axes ? { axes: was.axes } : {}) };
      }
      delete field.levels; // the base's pyramid shows the old values: the viewer builds the edit's own
      keys[req.key] = field;
      await applyRefDeltas(tx, deltas, whole?.sources ?? new Map());
      await retainArraysIn(tx, retained, (a) => `Dataset ${datasetLabel(cur)}: a field's array ${a}`, patches);
      const meta: DatasetMeta = {
        id,
        name: req.name?.trim() ?? `${cur.name} (edited)`,
        created: new Date().toISOString(),
        source: req.source ?? `edit:${base.id}`,
        schema: cur.schema,
        keys,
        byteLength: Object.values(keys).reduce((n, f) => n + f.byteLength, 0),
        extra: { ...cur.extra, ...structuredClone(extra), editedFrom: base.id, editedKey: req.key, editedChunks: written },
        ...(cur.thumbnail !== undefined ? { thumbnail: cur.thumbnail } : {}),
      };
      await tx.objectStore('datasets').add(meta);
    });
  } catch (err) {
    if (whole) await settlePrepared(whole, false);
    throw err;
  }
  if (whole) await settlePrepared(whole, true);
  return id;
}
