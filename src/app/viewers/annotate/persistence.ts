// Saving the Annotate layer as a new dataset version (never overwriting the base).
//
// Only the tiles that really differ from the base are kept (`changedTiles`: a 256×256 tile whose edits
// were undone back to the base's values is dropped), each read back from the base once per target.
// Editing an existing field (a mask's `mask`, a volume's labels): `datasets.saveEdited` with those
// tiles, so the store writes only the chunks they touch and shares every other chunk with the base (the
// dtype widened by the store when a label does not fit). A new layer (no base) is stored whole with
// `datasets.put`: nothing to share, and a labels field of zeros outside the tiles.
import type { Algobox } from '../../../api';
import { labelDtype } from '../../../core/labels/layer';
import type { Rect } from '../../../core/labels/slice';
import { typedArrayCtor, type DType, type NDArray } from '../../../core/ndarray';
import { sliced, type AnnotateTarget } from './target';

/** One 256×256 (or edge) tile of slice `slice`: [x0, y0, x1, y1) and its values, row-major. */
export interface EditedTile {
  slice: number;
  rect: Rect;
  data: Int32Array;
}

/** The edits to save: per edited slice, its dirty tiles (LabelLayer.dirtyTiles()). */
export interface LayerEdits {
  slices: { slice: number; tiles: { rect: Rect; data: Int32Array }[] }[];
}

/** Slice k of the base labels as int32 (zeros for a new layer). */
export async function readBaseSlice(api: Algobox, target: AnnotateTarget, k: number): Promise<Int32Array> {
  const n = target.width * target.height;
  if (!target.base) return new Int32Array(n);
  const { id, key } = target.base;
  const a = await api.datasets.readRegion(id, key, target.depth > 1 ? [[k, k + 1], null, null] : undefined);
  if (a.data.length !== n)
    throw new Error(`Dataset '${target.name}', field '${key}': slice ${k} has ${a.data.length} values; expected ${n} (${target.width} × ${target.height}).`);
  return Int32Array.from(a.data as ArrayLike<number>);
}

/** The base's tiles read so far, per target (bases are immutable versions: never stale). */
const baseTiles = new WeakMap<AnnotateTarget, Map<string, Promise<ArrayLike<number>>>>();

/** The base's values under one tile (null: a new layer, all zeros). */
function baseTile(api: Algobox, target: AnnotateTarget, slice: number, rect: Rect): Promise<ArrayLike<number>> | null {
  const base = target.base;
  if (!base) return null;
  let cache = baseTiles.get(target);
  if (!cache) baseTiles.set(target, (cache = new Map()));
  const k = `${slice}/${rect.join(',')}`;
  let p = cache.get(k);
  if (!p) {
    const yx: [number, number][] = [
      [rect[1], rect[3]],
      [rect[0], rect[2]],
    ];
    p = api.datasets.readRegion(base.id, base.key, sliced(target) ? [[slice, slice + 1], ...yx] : yx).then((a) => a.data as ArrayLike<number>);
    cache.set(k, p);
    p.catch(() => cache.delete(k));
  }
  return p;
}

/** The dirty tiles whose values differ from the base's (a tile undone back to the base is left out). */
export async function changedTiles(api: Algobox, target: AnnotateTarget, edits: LayerEdits): Promise<EditedTile[]> {
  const out: EditedTile[] = [];
  for (const { slice, tiles } of edits.slices) {
    for (const { rect, data } of tiles) {
      const was = await baseTile(api, target, slice, rect);
      let differs = false;
      for (let i = 0; i < data.length && !differs; i++) differs = data[i] !== (was ? was[i] : 0);
      if (differs) out.push({ slice, rect, data });
    }
  }
  return out;
}

/** The narrowest of uint8, uint16, int32 that holds `data`. */
function tileDtype(data: Int32Array): 'uint8' | 'uint16' | 'int32' {
  let [min, max] = [0, 0];
  for (const v of data) {
    if (v > max) max = v;
    else if (v < min) min = v;
  }
  return labelDtype('uint8', max, min);
}

/** A tile as a compact [h, w] NDArray (uint8 / uint16 / int32: what saveEdited and drafts take). */
export function tileArray(t: EditedTile): NDArray {
  const dtype = tileDtype(t.data);
  const shape = [t.rect[3] - t.rect[1], t.rect[2] - t.rect[0]];
  return { dtype, shape, data: dtype === 'int32' ? t.data : new (typedArrayCtor(dtype))(t.data) };
}

/** Where a tile goes in the field: [z, y, x], or [y, x] for a 2-D field. */
export function originOf(target: AnnotateTarget, t: EditedTile): number[] {
  return sliced(target) ? [t.slice, t.rect[1], t.rect[0]] : [t.rect[1], t.rect[0]];
}

/** Per slice, the tiles' positions in units of 256 px ([tx, ty]): the saved dataset's `editedTiles`. */
function tilesBySlice(tiles: readonly EditedTile[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const t of tiles) (out[String(t.slice)] ??= []).push([t.rect[0] / 256, t.rect[1] / 256]);
  return out;
}

/** Label fields saveEdited widens (uint8 → uint16 → int32); other dtypes take only tiles of their own. */
const WIDENED: readonly DType[] = ['uint8', 'uint16', 'int32'];

/**
 * Store the edited labels as a new Segmentation dataset `{ mask }` (a new version of the base, or a new
 * layer); its id. `extra`: inputs, editedFrom, editedImage, editedSlices and editedTiles (the tiles that
 * differ from the base); saveEdited adds editedKey and editedChunks.
 */
export async function saveLabelLayer(api: Algobox, target: AnnotateTarget, edits: LayerEdits): Promise<string> {
  const tiles = await changedTiles(api, target, edits);
  const name = `${target.name} (edited)`;
  const extra = {
    inputs: target.inputs,
    editedFrom: target.base?.id ?? null,
    editedImage: target.imageId,
    editedSlices: [...new Set(tiles.map((t) => t.slice))],
    editedTiles: tilesBySlice(tiles),
  };
  const base = target.base;
  if (base && WIDENED.includes(base.dtype)) {
    return api.datasets.saveEdited({
      baseId: base.id,
      key: base.key,
      tiles: tiles.map((t) => ({ origin: originOf(target, t), data: tileArray(t) })),
      name,
      source: `edit:${base.id}`,
      extra,
    });
  }
  return saveWhole(api, target, tiles, { name, extra });
}

/** The whole labels as a new dataset: a new layer, or a base of a dtype saveEdited cannot widen (int32 then). */
async function saveWhole(api: Algobox, target: AnnotateTarget, tiles: readonly EditedTile[], meta: { name: string; extra: Record<string, unknown> }) {
  const { width: w, height: h, depth } = target;
  const plane = w * h;
  const all = new Int32Array(plane * depth);
  for (let k = 0; k < depth; k++) {
    if (target.base) all.set(await readBaseSlice(api, target, k), k * plane);
  }
  for (const { slice, rect, data } of tiles) {
    const tw = rect[2] - rect[0];
    for (let y = rect[1]; y < rect[3]; y++) all.set(data.subarray((y - rect[1]) * tw, (y - rect[1] + 1) * tw), slice * plane + y * w + rect[0]);
  }
  let [min, max] = [0, 0];
  for (const v of all) {
    if (v > max) max = v;
    else if (v < min) min = v;
  }
  const dtype = labelDtype(target.base?.dtype ?? null, max, min);
  const mask: NDArray = { dtype, shape: depth > 1 ? [depth, h, w] : [h, w], data: dtype === 'int32' ? all : new (typedArrayCtor(dtype))(all) };
  return api.datasets.put(
    { mask },
    { ...meta, source: target.base ? `edit:${target.base.id}` : `annotation:${target.imageId ?? 'none'}`, schema: 'Segmentation' },
  );
}
