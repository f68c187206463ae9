// A table's objects drawn over their image: every label tinted with its palette colour; with an object
// selected, the others dimmed and the selected one filled bright yellow with a solid yellow outline (its
// pixels that touch another label or the edge). Pure, no DOM (tests/unit/tableView.test.ts).
import { LABEL_LUT, labelIndex } from './labelPalette';

/** Tint opacity of the labels with nothing selected, and of the unselected ones when one is. */
const TINT = 0.4;
const TINT_DIMMED = 0.2;
/** What the picture keeps of its brightness away from the selected object. */
const DIM = 0.45;
export const HIGHLIGHT: readonly [number, number, number] = [255, 221, 0];
const FILL = 0.6;

/** Whether pixel i (x, y) of label l is on its label's boundary (a 4-neighbour has another label, or the edge). */
function onBoundary(labels: ArrayLike<number>, i: number, x: number, y: number, w: number, h: number, l: number): boolean {
  return x === 0 || y === 0 || x === w - 1 || y === h - 1 || labels[i - 1] !== l || labels[i + 1] !== l || labels[i - w] !== l || labels[i + w] !== l;
}

/**
 * `base` (w·h RGBA, the windowed image, or null for black) with the labels over it; `selected` (a label
 * value) highlighted and everything else dimmed, or null for none. Returns a new array.
 */
export function highlightObjects(base: Uint8ClampedArray | null, labels: ArrayLike<number>, w: number, h: number, selected: number | null): Uint8ClampedArray {
  const n = w * h;
  if (labels.length !== n) throw new Error(`highlightObjects: the labels have ${labels.length} values but the image has ${n} pixels.`);
  const out = base ? new Uint8ClampedArray(base) : new Uint8ClampedArray(n * 4);
  const dim = selected === null ? 1 : DIM;
  const tint = selected === null ? TINT : TINT_DIMMED;
  for (let i = 0, y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const l = labels[i]!;
      const o = 4 * i;
      out[o + 3] = 255;
      if (l === selected) {
        const edge = onBoundary(labels, i, x, y, w, h, l);
        const a = edge ? 1 : FILL;
        for (let c = 0; c < 3; c++) out[o + c] = Math.round(out[o + c]! * (1 - a) + HIGHLIGHT[c]! * a);
        continue;
      }
      const k = labelIndex(l);
      for (let c = 0; c < 3; c++) {
        const v = out[o + c]! * dim;
        out[o + c] = Math.round(k === 0 ? v : v * (1 - tint) + LABEL_LUT[3 * k + c]! * tint);
      }
    }
  }
  return out;
}

/** The centre of label `l`'s pixels (its centroid, in continuous image coordinates), or null when absent. */
export function labelCentre(labels: ArrayLike<number>, w: number, l: number): { x: number; y: number } | null {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== l) continue;
    sx += i % w;
    sy += Math.floor(i / w);
    n++;
  }
  return n ? { x: sx / n + 0.5, y: sy / n + 0.5 } : null;
}
