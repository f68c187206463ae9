// Physical sizes on screen: the scale bar (a round 1, 2 or 5 × 10^k in the best of nm / µm / mm, as
// Fiji's and napari's scale bars are) and the physical position of a pixel index along an axis
// (NGFF: translation + index · scale). Pure, no DOM: unit-tested in tests/unit/viewerChannels.test.ts.
import { METERS_PER_UNIT, unitSymbol, type Axis } from '../../../core/imageAxes';

export interface ScaleBar {
  /** Length of the bar in CSS pixels at the zoom asked for. */
  px: number;
  /** Its physical length in `unit`. */
  value: number;
  /** NGFF unit name of `value` ('micrometer'). */
  unit: string;
  /** "10 µm". */
  label: string;
}

/** The units a length scale bar is written in, smallest first. */
const BAR_UNITS = ['nanometer', 'micrometer', 'millimeter'] as const;

/** Rounding noise of unit conversions removed (12 significant digits). */
const tidy = (v: number) => Number(v.toPrecision(12));

/** The largest 1, 2 or 5 × 10^k not above x (x > 0). */
export function niceFloor(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  // Guard the floating-point edge (log10(1000) may land just under 3).
  const step = m >= 5 - 1e-9 ? 5 : m >= 2 - 1e-9 ? 2 : 1;
  return Number((step * p).toPrecision(12));
}

/**
 * The scale bar for an x axis of `scale` `unit`s per pixel seen at `zoom` screen pixels per image
 * pixel, at most `targetPx` screen pixels long; null when the axis has no unit.
 */
export function scaleBar(axis: Pick<Axis, 'unit' | 'scale'>, zoom: number, targetPx = 120): ScaleBar | null {
  const { unit, scale } = axis;
  if (!unit || !(scale > 0) || !(zoom > 0)) return null;
  const perPx = scale / zoom; // units per screen pixel
  const mpu = METERS_PER_UNIT[unit];
  if (mpu === undefined) {
    const value = niceFloor(targetPx * perPx);
    return { px: tidy(value / perPx), value, unit, label: `${value} ${unitSymbol(unit)}` };
  }
  const meters = targetPx * perPx * mpu;
  // The largest of nm / µm / mm in which the length is at least 1 (nm below that).
  let best: string = BAR_UNITS[0];
  for (const u of BAR_UNITS) if (meters / METERS_PER_UNIT[u]! >= 1 - 1e-9) best = u;
  const value = niceFloor(meters / METERS_PER_UNIT[best]!);
  return { px: tidy((value * METERS_PER_UNIT[best]!) / mpu / perPx), value, unit: best, label: `${value} ${unitSymbol(best)}` };
}

/** Decimals a step of `v` needs to be written exactly (at most 4). */
function decimalsOf(v: number): number {
  for (let d = 0; d < 4; d++) if (Math.abs(Number(v.toFixed(d)) - v) < 1e-9 * Math.max(1, Math.abs(v))) return d;
  return 4;
}

/** Physical coordinate of index `i` along `axis`: translation + i · scale. */
function physicalAt(axis: Pick<Axis, 'scale' | 'translation'>, i: number): number {
  return axis.translation + i * axis.scale;
}

/**
 * "10.0 µm", "6 s": the physical position of index `i` along `axis`, with as many decimals as the
 * axis's step and origin need (at least one for a spatial axis); null when the axis has no unit.
 */
export function physicalText(axis: Axis, i: number): string | null {
  if (!axis.unit) return null;
  const d = Math.max(axis.type === 'space' ? 1 : 0, decimalsOf(axis.scale), decimalsOf(axis.translation));
  return `${physicalAt(axis, i).toFixed(d)} ${unitSymbol(axis.unit)}`;
}

/** The physical axes of a plane shown (its y and x), and where it lies on the others ("z 10.0 µm"). */
export interface PlaneAxes {
  y: Axis;
  x: Axis;
  /** The plane's position on the other axes, shown after the pixel's physical x, y. */
  extra?: string | null;
}

/** "x 12.50 µm, y 3.00 µm · z 10.0 µm" for pixel (x, y); null when x has no unit. */
export function physicalCoords(a: PlaneAxes, x: number, y: number): string | null {
  const px = physicalText(a.x, x);
  if (!px) return null;
  return `x ${px}, y ${physicalText(a.y, y) ?? y}${a.extra ? ` · ${a.extra}` : ''}`;
}

/**
 * The plane axes of an array described by `axes` (its last two are y and x), at index `index[i]` of
 * each leading axis `dims[i]` ("z 10.0 µm" for those with a unit).
 */
export function planeAxesOf(axes: readonly Axis[], lead: readonly { dim: number; index: number }[] = []): PlaneAxes | null {
  const n = axes.length;
  if (n < 2) return null;
  const extra = lead
    .map(({ dim, index }) => {
      const a = axes[dim];
      const t = a && physicalText(a, index);
      return t ? `${a.name} ${t}` : null;
    })
    .filter(Boolean)
    .join(', ');
  return { y: axes[n - 2]!, x: axes[n - 1]!, extra: extra || null };
}
