// The label palette that colours segmentation labels: label 0 is transparent, labels 1… cycle
// through 255 distinct colours. Apart from the colormaps (colormaps.ts) so that the first screen,
// which reaches it through the mask export's names, does not load their tables.
/** The first ten label colours (matplotlib's tab10, reordered so neighbours contrast). */
const FIRST_LABELS = [
  [255, 127, 14],
  [31, 119, 180],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [23, 190, 207],
  [227, 119, 194],
  [188, 189, 34],
  [140, 86, 75],
  [127, 127, 127],
];

export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6]!;
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

/**
 * Label palette, 256 RGB entries: entry 0 (background) is black and is never drawn; entries 1–10 are
 * tab10; 11–255 step the hue by the golden angle with alternating saturation and value.
 */
export const LABEL_LUT: Uint8Array = (() => {
  const out = new Uint8Array(768);
  for (let l = 1; l < 256; l++) {
    const c = l <= FIRST_LABELS.length ? FIRST_LABELS[l - 1]! : hsvToRgb((l * 0.618033988749895) % 1, l % 2 ? 0.75 : 0.55, l % 3 ? 0.95 : 0.8);
    out.set(c, 3 * l);
  }
  return out;
})();

/** Palette entry for a label: 0 for 0, else 1–255 cycling (negative labels use their magnitude). */
export function labelIndex(label: number): number {
  if (label === 0 || label !== label) return 0;
  const a = Math.abs(Math.round(label));
  return a === 0 ? 0 : ((a - 1) % 255) + 1;
}

/** The colour of a label, or null for label 0 (transparent). */
export function labelColor(label: number): [number, number, number] | null {
  const k = labelIndex(label);
  if (k === 0) return null;
  return [LABEL_LUT[3 * k]!, LABEL_LUT[3 * k + 1]!, LABEL_LUT[3 * k + 2]!];
}

export function rgbCss(c: readonly number[]): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
