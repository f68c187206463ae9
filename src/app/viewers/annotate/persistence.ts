// ALL persistence of the Annotate layer: saving a new dataset version (never overwriting the base)
// and the drafts that keep unsaved edits across a reload.
//
// Saving writes the whole `mask` field with `datasets.put`: the base's values (read slice by slice)
// with the edited 256×256 tiles written over them. The signature is narrow — the target and, per
// edited slice, its dirty tiles with their data — so a chunk-writing store API can replace the
// internals without touching the editor.
//
// Drafts: the app has no settings / key-value store in its API and may not open IndexedDB itself
// (layering), so drafts live in localStorage (one key per target, a few MB at most): the history's
// steps, replayed over the base on restore. A draft too large for localStorage is not kept (the
// editor says so).
import type { Algobox } from '../../../api';
import type { LabelChange } from '../../../core/labels/change';
import type { HistoryStep } from '../../../core/labels/history';
import { labelDtype } from '../../../core/labels/layer';
import type { Rect } from '../../../core/labels/slice';
import { typedArrayCtor, type NDArray } from '../../../core/ndarray';
import type { AnnotateTarget } from './target';

/** The edits to save: per edited slice, its dirty tiles ([x0, y0, x1, y1) and their values, row-major). */
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

/** Store the edited labels as a new Segmentation dataset `{ mask }`; its id. */
export async function saveLabelLayer(api: Algobox, target: AnnotateTarget, edits: LayerEdits): Promise<string> {
  const { width: w, height: h, depth } = target;
  const plane = w * h;
  const all = new Int32Array(plane * depth);
  for (let k = 0; k < depth; k++) {
    if (target.base) all.set(await readBaseSlice(api, target, k), k * plane);
  }
  for (const { slice, tiles } of edits.slices) {
    for (const { rect, data } of tiles) {
      const tw = rect[2] - rect[0];
      for (let y = rect[1]; y < rect[3]; y++) all.set(data.subarray((y - rect[1]) * tw, (y - rect[1] + 1) * tw), slice * plane + y * w + rect[0]);
    }
  }
  let [min, max] = [0, 0];
  for (let i = 0; i < all.length; i++) {
    if (all[i]! > max) max = all[i]!;
    else if (all[i]! < min) min = all[i]!;
  }
  const dtype = labelDtype(target.base?.dtype ?? null, max, min);
  const mask: NDArray = { dtype, shape: depth > 1 ? [depth, h, w] : [h, w], data: dtype === 'int32' ? all : new (typedArrayCtor(dtype))(all) };
  const editedTiles = Object.fromEntries(edits.slices.map((s) => [String(s.slice), s.tiles.map((t) => [t.rect[0] / 256, t.rect[1] / 256])]));
  return api.datasets.put(
    { mask },
    {
      name: `${target.name} (edited)`,
      source: target.base ? `edit:${target.base.id}` : `annotation:${target.imageId ?? 'none'}`,
      schema: 'Segmentation',
      extra: {
        inputs: target.inputs,
        editedFrom: target.base?.id ?? null,
        editedImage: target.imageId,
        editedSlices: edits.slices.map((s) => s.slice),
        editedTiles,
      },
    },
  );
}

// ───────────── drafts ─────────────

const PREFIX = 'algobox.annotate.draft:';
/** Drafts larger than this are not kept (localStorage holds ~5 MB per origin). */
const MAX_DRAFT_CHARS = 3_000_000;

export interface Draft {
  savedAt: number;
  /** The base the steps apply to (a draft of another base version is not offered). */
  baseId: string | null;
  steps: HistoryStep[];
}

const b64 = (a: ArrayBufferView) => {
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
};
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;

/** Write the draft of a target; false when it is too large to keep. */
export function saveDraft(target: AnnotateTarget, steps: readonly HistoryStep[]): boolean {
  const json = JSON.stringify({
    savedAt: Date.now(),
    baseId: target.base?.id ?? null,
    steps: steps.map((s) => ({ slice: s.slice, tool: s.tool, i: b64(s.change.indices), b: b64(s.change.before), a: b64(s.change.after) })),
  });
  if (json.length > MAX_DRAFT_CHARS) {
    clearDraft(target);
    return false;
  }
  try {
    localStorage.setItem(PREFIX + target.key, json);
    return true;
  } catch {
    return false;
  }
}

export function loadDraft(target: AnnotateTarget): Draft | null {
  const raw = globalThis.localStorage?.getItem(PREFIX + target.key);
  if (!raw) return null;
  try {
    const d = JSON.parse(raw) as { savedAt: number; baseId: string | null; steps: { slice: number; tool: string; i: string; b: string; a: string }[] };
    if (d.baseId !== (target.base?.id ?? null) || !d.steps.length) return null;
    const steps = d.steps.map((s) => {
      const change: LabelChange = { indices: new Uint32Array(unb64(s.i)), before: new Int32Array(unb64(s.b)), after: new Int32Array(unb64(s.a)) };
      return { slice: s.slice, tool: s.tool, change };
    });
    return { savedAt: d.savedAt, baseId: d.baseId, steps };
  } catch {
    return null;
  }
}

export function clearDraft(target: AnnotateTarget): void {
  globalThis.localStorage?.removeItem(PREFIX + target.key);
}
