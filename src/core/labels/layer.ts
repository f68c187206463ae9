// An editable label layer: one Int32Array per slice of a W×H(×depth) label image, only the slices
// shown or edited in memory; every tool action is one history step (history.ts) and marks the
// 256×256 tiles it touched per slice (saving writes, and later stores, only those).
import { ChangeBuilder, changeBounds, type LabelChange } from './change';
import { LabelHistory, type HistoryOptions, type HistoryStep } from './history';
import { maxLabel, type LabelSlice, type Rect } from './slice';

export const TILE = 256;

/** One edit in progress on one slice: the tool writes through `builder`, `rect` grows with it. */
export interface LayerEdit {
  slice: number;
  tool: string;
  builder: ChangeBuilder;
  rect: Rect | null;
}

export class LabelLayer {
  readonly history: LabelHistory;
  private readonly slices = new Map<number, Int32Array>();
  private readonly dirty = new Map<number, Set<number>>();
  /** Bumped on every change (renderers and drafts follow it). */
  version = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly depth: number,
    opts?: HistoryOptions,
  ) {
    this.history = new LabelHistory(opts);
  }

  get tilesX(): number {
    return Math.ceil(this.width / TILE);
  }

  has(k: number): boolean {
    return this.slices.has(k);
  }

  /** Slice k's values (a new zero slice when none was loaded). */
  data(k: number): Int32Array {
    let d = this.slices.get(k);
    if (!d) {
      d = new Int32Array(this.width * this.height);
      this.slices.set(k, d);
    }
    return d;
  }

  slice(k: number): LabelSlice {
    return { width: this.width, height: this.height, data: this.data(k) };
  }

  /** Put slice k's stored values (when first shown); ignored once the slice is in memory. */
  load(k: number, values: ArrayLike<number>): void {
    if (this.slices.has(k)) return;
    if (values.length !== this.width * this.height) {
      throw new Error(`Label slice ${k}: expected ${this.width * this.height} values (${this.width} × ${this.height}), got ${values.length}.`);
    }
    this.slices.set(k, Int32Array.from(values));
  }

  /** Forget slice k when it has no edits (a slice left behind on a large volume). */
  drop(k: number): void {
    if (!this.dirty.has(k) && !this.history.steps().some((s) => s.slice === k)) this.slices.delete(k);
  }

  begin(slice: number, tool: string): LayerEdit {
    return { slice, tool, builder: new ChangeBuilder(this.data(slice)), rect: null };
  }

  /** End an edit: one history step (none when nothing changed); its change. */
  commit(e: LayerEdit): LabelChange | null {
    const change = e.builder.build();
    if (!change.indices.length) return null;
    this.history.push({ slice: e.slice, change, tool: e.tool });
    this.markDirty(e.slice, change);
    return change;
  }

  undo(): { step: HistoryStep; rect: Rect | null } | null {
    const step = this.history.undo((k) => this.data(k));
    return step ? this.touched(step) : null;
  }

  redo(): { step: HistoryStep; rect: Rect | null } | null {
    const step = this.history.redo((k) => this.data(k));
    return step ? this.touched(step) : null;
  }

  private touched(step: HistoryStep) {
    this.markDirty(step.slice, step.change);
    return { step, rect: changeBounds(step.change, this.width) };
  }

  private markDirty(slice: number, c: LabelChange): void {
    let set = this.dirty.get(slice);
    if (!set) this.dirty.set(slice, (set = new Set()));
    const tx = this.tilesX;
    for (const i of c.indices) set.add(Math.floor(Math.floor(i / this.width) / TILE) * tx + Math.floor((i % this.width) / TILE));
    this.version++;
  }

  /** Whether anything was edited since the layer opened (undone edits count until saved). */
  get edited(): boolean {
    return this.history.undoCount > 0 || this.history.redoCount > 0;
  }

  /** The slices edited, ascending. */
  editedSlices(): number[] {
    return [...this.dirty.keys()].sort((a, b) => a - b);
  }

  /** Per edited slice, its dirty tiles: [x0, y0, x1, y1) rectangles with their values. */
  dirtyTiles(): { slice: number; tiles: { rect: Rect; data: Int32Array }[] }[] {
    return this.editedSlices().map((slice) => {
      const d = this.data(slice);
      const tiles = [...this.dirty.get(slice)!]
        .sort((a, b) => a - b)
        .map((t) => {
          const x0 = (t % this.tilesX) * TILE;
          const y0 = Math.floor(t / this.tilesX) * TILE;
          const rect: Rect = [x0, y0, Math.min(this.width, x0 + TILE), Math.min(this.height, y0 + TILE)];
          const data = new Int32Array((rect[2] - x0) * (rect[3] - y0));
          for (let y = y0; y < rect[3]; y++) data.set(d.subarray(y * this.width + x0, y * this.width + rect[2]), (y - y0) * (rect[2] - x0));
          return { rect, data };
        });
      return { slice, tiles };
    });
  }

  /** "New label": max over the slices in memory, plus one. */
  newLabel(): number {
    let m = 0;
    for (const d of this.slices.values()) m = Math.max(m, maxLabel(d));
    return m + 1;
  }

  /** Saved: the current state is the new base (history kept, tiles clean). */
  markSaved(): void {
    this.dirty.clear();
    this.version++;
  }
}

/** The dtype a label image is stored with: the base's, promoted when a label does not fit it. */
export function labelDtype(base: string | null, max: number, min = 0): 'uint8' | 'uint16' | 'int32' {
  if (min < 0 || max > 65535) return 'int32';
  if (base === 'int32' || base === 'uint32' || base === 'int16' || base === 'int64' || base === 'float32' || base === 'float64') return 'int32';
  if (base === 'uint8' && max <= 255) return 'uint8';
  return 'uint16';
}
