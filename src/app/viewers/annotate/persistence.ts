// Saving the Annotate layer as a new dataset version (never overwriting the base).
//
// Only the tiles that really differ from the base are kept (editedTiles.ts `changedTiles`).
// Editing an existing field (a mask's `mask`, a volume's labels): `datasets.saveEdited` with those
// tiles, so the store writes only the chunks they touch and shares every other chunk with the base (the
// dtype widened by the store when a label does not fit). A new layer (no base: nothing to share) larger
// than one chunk is written chunk by chunk, only the chunks its tiles touch (newLayer.ts); a smaller
// one — or a base of a dtype saveEdited cannot widen — is stored whole with `datasets.put`.
import type { Algobox } from '../../../api';
import { labelDtype } from '../../../core/labels/layer';
import { typedArrayCtor, type DType, type NDArray } from '../../../core/ndarray';
import { changedTiles, labelRange, originOf, tileArray, type EditedTile, type LayerEdits } from './editedTiles';
import { chunkedNewLayer, newLayerDtype, saveNewLayer } from './newLayer';
import type { AnnotateTarget } from './target';

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
  const source = `annotation:${target.imageId ?? 'none'}`;
  if (!base && chunkedNewLayer(target, newLayerDtype(tiles))) return saveNewLayer(api, target, tiles, { name, source, extra });
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
  const [min, max] = labelRange([all]);
  const dtype = labelDtype(target.base?.dtype ?? null, max, min);
  const mask: NDArray = { dtype, shape: depth > 1 ? [depth, h, w] : [h, w], data: dtype === 'int32' ? all : new (typedArrayCtor(dtype))(all) };
  return api.datasets.put(
    { mask },
    { ...meta, source: target.base ? `edit:${target.base.id}` : `annotation:${target.imageId ?? 'none'}`, schema: 'Segmentation' },
  );
}
