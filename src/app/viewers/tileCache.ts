// The tiles of a large image the tiled viewer has read: raw tiles by `level/row/col`, each rendered
// (window + colormap) to a small canvas once per window, least recently used dropped beyond a budget.
// Reads are latest-wins: `want(tiles)` replaces the queue with the view's tiles (those not cached), and
// at most READS_IN_FLIGHT run at once, so a fast zoom or pan never reads what left the screen before
// its read started.
import type { NDArray } from '../../core/ndarray';
import { renderRGBA, imagePlanes, windowKey, type DisplayWindow } from './render/window';
import type { Tile } from './render/tiles';
import type { Box } from './render/slices';

/** Reads running at once. */
const READS_IN_FLIGHT = 4;
/** Raw bytes kept (the rendered canvases add 4 bytes per pixel, a tile being at most 4 MiB raw). */
const RAW_BUDGET_BYTES = 192 * 1024 * 1024;

interface Entry {
  raw: NDArray;
  canvas: HTMLCanvasElement | null;
  /** The window and colormap `canvas` was rendered with. */
  look: { win: string; lut: Uint8Array } | null;
  used: number;
  /** Never dropped (the coarsest level: every view's background). */
  pinned?: boolean;
}

export type ReadTile = (level: number, region: Box) => Promise<NDArray>;

const keyOf = (t: Pick<Tile, 'level' | 'row' | 'col'>) => `${t.level}/${t.row}/${t.col}`;

export class TileCache {
  private readonly entries = new Map<string, Entry>();
  private queue: Tile[] = [];
  private readonly inFlight = new Set<string>();
  private rawBytes = 0;
  private clock = 0;
  private closed = false;
  /** Read failures, newest last (shown by the viewer). */
  error: string | null = null;

  constructor(
    private readonly read: ReadTile,
    /** Called when a tile arrived (or failed): the viewer redraws. */
    private readonly onChange: () => void,
  ) {}

  /** The tiles the view needs now: those not cached or being read are queued, replacing the queue. */
  want(tiles: readonly Tile[]): void {
    for (const t of tiles) {
      const e = this.entries.get(keyOf(t));
      if (e) e.used = ++this.clock;
    }
    this.queue = tiles.filter((t) => !this.entries.has(keyOf(t)) && !this.inFlight.has(keyOf(t)));
    this.pump();
  }

  /** Put a tile read elsewhere (the coarsest level, read whole for the window); it is kept for good. */
  seed(t: Pick<Tile, 'level' | 'row' | 'col'>, raw: NDArray): void {
    this.entries.set(keyOf(t), { raw, canvas: null, look: null, used: ++this.clock, pinned: true });
    this.rawBytes += raw.data.byteLength;
  }

  /** How many of `tiles` are cached. */
  loaded(tiles: readonly Tile[]): number {
    return tiles.reduce((n, t) => n + (this.entries.has(keyOf(t)) ? 1 : 0), 0);
  }

  /** Reads queued or running. */
  pending(): number {
    return this.queue.length + this.inFlight.size;
  }

  /** The raw tile, if cached. */
  raw(t: Pick<Tile, 'level' | 'row' | 'col'>): NDArray | null {
    return this.entries.get(keyOf(t))?.raw ?? null;
  }

  /** The tile rendered through `win` and `lut` (re-rendered when either changed), or null when not cached. */
  canvas(t: Tile, win: DisplayWindow, lut: Uint8Array): HTMLCanvasElement | null {
    const e = this.entries.get(keyOf(t));
    if (!e) return null;
    e.used = ++this.clock;
    const l = e.look;
    if (!e.canvas || !l || l.win !== windowKey(win) || l.lut !== lut) {
      const planes = imagePlanes(e.raw);
      const c = e.canvas ?? document.createElement('canvas');
      c.width = planes.width;
      c.height = planes.height;
      c.getContext('2d')!.putImageData(new ImageData(renderRGBA(planes, win, lut) as Uint8ClampedArray<ArrayBuffer>, planes.width, planes.height), 0, 0);
      e.canvas = c;
      e.look = { win: windowKey(win), lut };
    }
    return e.canvas;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.entries.clear();
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < READS_IN_FLIGHT && this.queue.length) {
      const t = this.queue.shift()!;
      const key = keyOf(t);
      this.inFlight.add(key);
      this.read(t.level, t.region).then(
        (raw) => {
          this.inFlight.delete(key);
          if (this.closed) return;
          this.entries.set(key, { raw, canvas: null, look: null, used: ++this.clock });
          this.rawBytes += raw.data.byteLength;
          this.evict();
          this.onChange();
          this.pump();
        },
        (e: unknown) => {
          this.inFlight.delete(key);
          if (this.closed) return;
          this.error = e instanceof Error ? e.message : String(e);
          this.onChange();
          this.pump();
        },
      );
    }
  }

  /** Drop the least recently used tiles beyond the budget (not the pinned background). */
  private evict(): void {
    if (this.rawBytes <= RAW_BUDGET_BYTES) return;
    const order = [...this.entries].filter(([, e]) => !e.pinned).sort((a, b) => a[1].used - b[1].used);
    for (const [key, e] of order) {
      if (this.rawBytes <= RAW_BUDGET_BYTES) break;
      this.entries.delete(key);
      this.rawBytes -= e.raw.data.byteLength;
    }
  }
}
