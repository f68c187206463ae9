// The edited tiles of an Annotate layer: the dirty 256×256 tiles (LabelLayer.dirtyTiles()) whose values
// really differ from the base's (a tile whose edits were undone back to the base is dropped; each base
// tile is read once per target with `readRegion`), where they go in the field, and their compact
// NDArray (the narrowest of uint8 / uint16 / int32). What saving (persistence.ts, newLayer.ts) and
// drafts (drafts.ts) keep.
import type { Algobox } from '../../../api';
import { labelDtype } from '../../../core/labels/layer';
import type { Rect } from '../../../core/labels/slice';
import { typedArrayCtor, type NDArray } from '../../../core/ndarray';
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
  const [min, max] = labelRange([data]);
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

/** [min, max] of labels (both 0 when there are none). */
export function labelRange(values: readonly Int32Array[]): [number, number] {
  let [min, max] = [0, 0];
  for (const a of values) {
    for (const v of a) {
      if (v > max) max = v;
      else if (v < min) min = v;
    }
  }
  return [min, max];
}
