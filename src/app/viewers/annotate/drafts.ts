// Drafts: the Annotate layer's unsaved edits kept across a reload in the browser's database
// (`api.labelDrafts`, IndexedDB; one draft per target key). A draft holds only the tiles that differ
// from the base (persistence.ts `changedTiles`), as compact uint8 / uint16 / int32 arrays, and the
// number of strokes: no size limit beyond what IndexedDB allows. Writes and deletes of one target run
// in order (a delete after Save is never overtaken by a write started before it).
import type { Algobox } from '../../../api';
import type { LabelLayer } from '../../../core/labels/layer';
import type { DType } from '../../../core/ndarray';
import { changedTiles, originOf, tileArray, type EditedTile, type LayerEdits } from './editedTiles';
import type { AnnotateTarget } from './target';

export interface Draft {
  savedAt: number;
  /** How many strokes (history steps) made it. */
  strokes: number;
  tiles: EditedTile[];
}

const queues = new Map<string, Promise<unknown>>();

/** Run `fn` after every earlier draft write or delete of the same target. */
function inOrder<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const p = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
  queues.set(key, p);
  void p.finally(() => queues.get(key) === p && queues.delete(key)).catch(() => undefined);
  return p;
}

/** Write the target's draft (its tiles that differ from the base); none left: the draft is deleted. Throws when it cannot be written. */
export function saveDraft(api: Algobox, target: AnnotateTarget, edits: LayerEdits, strokes: number): Promise<void> {
  return inOrder(target.key, async () => {
    const tiles = await changedTiles(api, target, edits);
    if (!tiles.length) return api.labelDrafts.delete(target.key);
    const dtype: DType = target.base?.dtype ?? 'int32';
    return api.labelDrafts.put(target.key, {
      tiles: tiles.map((t) => ({ origin: originOf(target, t), data: tileArray(t) })),
      strokes,
      updated: new Date().toISOString(),
      baseId: target.base?.id ?? null,
      imageId: target.imageId,
      ...(target.base ? { key: target.base.key } : {}),
      shape: target.depth > 1 ? [target.depth, target.height, target.width] : [target.height, target.width],
      dtype,
    });
  });
}

/** The target's draft, or null (none, or one of another base version or size). */
export async function loadDraft(api: Algobox, target: AnnotateTarget): Promise<Draft | null> {
  const d = await inOrder(target.key, () => api.labelDrafts.get(target.key));
  if (!d || d.baseId !== (target.base?.id ?? null) || !d.tiles.length) return null;
  const tiles: EditedTile[] = [];
  for (const t of d.tiles) {
    const [slice, y0, x0] = (t.origin.length === 2 ? [0, ...t.origin] : t.origin) as [number, number, number];
    const [h, w] = t.data.shape.slice(-2) as [number, number];
    if (slice >= target.depth || y0 + h > target.height || x0 + w > target.width) return null;
    tiles.push({ slice, rect: [x0, y0, x0 + w, y0 + h], data: Int32Array.from(t.data.data as ArrayLike<number>) });
  }
  return { savedAt: Date.parse(d.updated), strokes: d.strokes, tiles };
}

export function clearDraft(api: Algobox, target: AnnotateTarget): Promise<void> {
  return inOrder(target.key, () => api.labelDrafts.delete(target.key));
}

/** Write a draft's tiles into the layer (their slices loaded first): one undoable step per slice. */
export function applyDraft(layer: LabelLayer, draft: Draft): void {
  for (const slice of new Set(draft.tiles.map((t) => t.slice))) {
    const e = layer.begin(slice, 'restore');
    for (const { rect, data } of draft.tiles.filter((t) => t.slice === slice)) {
      const tw = rect[2] - rect[0];
      for (let y = rect[1]; y < rect[3]; y++) {
        for (let x = rect[0]; x < rect[2]; x++) e.builder.set(y * layer.width + x, data[(y - rect[1]) * tw + x - rect[0]]!);
      }
    }
    layer.commit(e);
  }
}
