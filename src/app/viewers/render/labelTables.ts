// Label colour tables and a label image's colours as the user set them (ImageAxes.labels: a table by
// name and single labels' own colours). One resolution used by the overlay, the legend and the indexed
// PNG export, so what is exported is what is shown. Pure, no DOM: unit-tested in tests/unit/labelColors.test.ts.
//
// Tables (256 entries; entry 0, the background, is black and never drawn; label l uses entry
// ((|l| − 1) mod 255) + 1, colormaps.ts labelIndex):
//   default  tab10, then hues a golden angle apart (colormaps.ts LABEL_LUT)
//   glasbey  greedy maximally distinct colours (Glasbey et al. 2007's idea): each next colour the
//            candidate of a 8×8×8 RGB grid farthest (CIE76 ΔE in L*a*b*) from those chosen, black excluded
//   pastel   hues a golden angle apart, low saturation (for dark or busy images)
//   vivid    hues a golden angle apart, full saturation and value
//   cyan, yellow, magenta, white   every label one colour (a mask over an image of any colour)
import type { LabelColors } from '../../../core/imageAxes';
import { hexToRGB } from './composite';
import { LABEL_LUT, hsvToRgb, labelIndex } from './labelPalette';

export const LABEL_TABLES = ['default', 'glasbey', 'pastel', 'vivid', 'cyan', 'yellow', 'magenta', 'white'] as const;
export type LabelTableName = (typeof LABEL_TABLES)[number];

export const LABEL_TABLE_TITLES: Record<LabelTableName, string> = {
  default: 'Default (tab10, then distinct hues)',
  glasbey: 'Glasbey (maximally distinct)',
  pastel: 'Pastel',
  vivid: 'Vivid',
  cyan: 'All cyan',
  yellow: 'All yellow',
  magenta: 'All magenta',
  white: 'All white',
};

export function isLabelTable(x: unknown): x is LabelTableName {
  return typeof x === 'string' && (LABEL_TABLES as readonly string[]).includes(x);
}

type RGB = [number, number, number];

function tableOf(colour: (l: number) => RGB): Uint8Array {
  const out = new Uint8Array(768);
  for (let l = 1; l < 256; l++) out.set(colour(l), 3 * l);
  return out;
}

function srgbToLab([r, g, b]: RGB): RGB {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function glasbey(): Uint8Array {
  const levels = [0, 36, 73, 109, 146, 182, 219, 255];
  const cands: RGB[] = [];
  for (const r of levels) for (const g of levels) for (const b of levels) cands.push([r, g, b]);
  const labs = cands.map(srgbToLab);
  // Distance of every candidate to the nearest colour chosen so far; black (the background) is chosen first.
  const near = labs.map((l) => Math.hypot(l[0], l[1], l[2]));
  const out = new Uint8Array(768);
  for (let k = 1; k < 256; k++) {
    let best = 0;
    for (let i = 1; i < near.length; i++) if (near[i]! > near[best]!) best = i;
    out.set(cands[best]!, 3 * k);
    const lb = labs[best]!;
    for (let i = 0; i < near.length; i++) {
      const l = labs[i]!;
      const d = Math.hypot(l[0] - lb[0], l[1] - lb[1], l[2] - lb[2]);
      if (d < near[i]!) near[i] = d;
    }
  }
  return out;
}

const GOLDEN = 0.618033988749895;
const cache = new Map<LabelTableName, Uint8Array>();

/** The 768-byte table of a name (built once). */
export function labelTable(name: LabelTableName): Uint8Array {
  let t = cache.get(name);
  if (t) return t;
  switch (name) {
    case 'default':
      t = LABEL_LUT;
      break;
    case 'glasbey':
      t = glasbey();
      break;
    case 'pastel':
      t = tableOf((l) => hsvToRgb((l * GOLDEN) % 1, 0.35, 1));
      break;
    case 'vivid':
      t = tableOf((l) => hsvToRgb((l * GOLDEN) % 1, 1, 1));
      break;
    default: {
      const c = hexToRGB({ cyan: '00FFFF', yellow: 'FFFF00', magenta: 'FF00FF', white: 'FFFFFF' }[name]);
      t = tableOf(() => c);
    }
  }
  cache.set(name, t);
  return t;
}

/** What the overlay draws with: a 256-entry table by labelIndex, and the labels with their own colour. */
export interface LabelPalette {
  lut: Uint8Array;
  /** Labels coloured by the user, by value (they win over `lut`). */
  own: ReadonlyMap<number, RGB>;
}

export const DEFAULT_LABEL_COLORS: LabelColors = { table: 'default', colors: {} };

/** A label image's palette from its stored colours (absent or an unknown table: the default table). */
export function labelPalette(colors: LabelColors | null | undefined): LabelPalette {
  const lut = labelTable(isLabelTable(colors?.table) ? colors.table : 'default');
  const own = new Map<number, RGB>();
  for (const [k, hex] of Object.entries(colors?.colors ?? {})) own.set(Number(k), hexToRGB(hex));
  return { lut, own };
}

/** The colour of label l (null for 0: the background, transparent). */
export function paletteColor(p: LabelPalette, l: number): RGB | null {
  const own = p.own.get(l);
  if (own) return own;
  const k = labelIndex(l);
  if (k === 0) return null;
  return [p.lut[3 * k]!, p.lut[3 * k + 1]!, p.lut[3 * k + 2]!];
}

/** [r, g, b] → 'RRGGBB'. */
export function rgbHex(c: ArrayLike<number>): string {
  return Array.from(c, (v) => v.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}
