// The OME-NGFF attributes of an exported OME-Zarr (pure): `multiscales` (axes with types and units,
// one dataset per pyramid level with its scale and translation), `omero` (channel labels, colours,
// windows, visibility), the `labels` group and each label image's `image-label` (colours, source).
// 0.4 puts them at the top of a group's `.zattrs` (each with its "version"); 0.5 puts them under
// `ome` in the group's `zarr.json` attributes (`ome.version` once).
import type { Axis, ImageAxes } from '../imageAxes';
import type { DType } from '../ndarray';
import { dtypeRange } from '../ndarray';

export type NgffVersion = '0.4' | '0.5';

/** Data range of one channel, for `omero.window.min/max` when the dtype has none (floats) and the default window. */
export interface ChannelRange {
  min: number;
  max: number;
}

function axisJson(a: Axis): Record<string, string> {
  return { name: a.name, ...(a.type ? { type: a.type } : {}), ...(a.unit ? { unit: a.unit } : {}) };
}

/**
 * Level l halves Y and X l times (2×2 mean): scale × 2^l; the centre of its first pixel is the centre
 * of the 2^l × 2^l block it averages, so its translation moves by (2^l − 1)/2 base pixels.
 */
function levelTransforms(axes: ImageAxes, level: number): Record<string, unknown>[] {
  const f = 2 ** level;
  const spatialXY = (a: Axis) => a.name === 'y' || a.name === 'x';
  const scale = axes.axes.map((a) => (spatialXY(a) ? a.scale * f : a.scale));
  const translation = axes.axes.map((a) => (spatialXY(a) ? a.translation + ((f - 1) / 2) * a.scale : a.translation));
  const out: Record<string, unknown>[] = [{ type: 'scale', scale }];
  if (translation.some((t) => t !== 0)) out.push({ type: 'translation', translation });
  return out;
}

/** One `multiscales` entry: levels "0", "1", … (level l halved l times along Y and X). */
export function multiscales(version: NgffVersion, axes: ImageAxes, name: string, levels: number, type: 'mean' | 'nearest' = 'mean'): Record<string, unknown> {
  return {
    ...(version === '0.4' ? { version } : {}),
    name,
    axes: axes.axes.map(axisJson),
    datasets: Array.from({ length: levels }, (_, l) => ({ path: String(l), coordinateTransformations: levelTransforms(axes, l) })),
    type,
    metadata: { description: type === 'mean' ? '2x2 mean (algobox src/core/pyramid.ts)' : '2x2 nearest (top-left pixel)', method: 'algobox' },
  };
}

/** `omero`: per channel its label, colour, window (start/end as shown; min/max the dtype's range, or the data's for floats), visibility. */
export function omero(axes: ImageAxes, dtype: DType, ranges: readonly ChannelRange[]): Record<string, unknown> {
  const n = Math.max(1, axes.channels.length);
  const typeRange = dtypeRange(dtype);
  const channels = Array.from({ length: n }, (_, c) => {
    const ch = axes.channels[c];
    const r = ranges[c] ?? { min: 0, max: 0 };
    const [min, max] = typeRange ?? [r.min, r.max];
    return {
      label: ch?.label ?? 'Channel 0',
      color: ch?.color ?? 'FFFFFF',
      window: { start: ch?.window?.start ?? r.min, end: ch?.window?.end ?? r.max, min, max },
      active: ch?.active ?? true,
      coefficient: 1,
      family: 'linear',
      inverted: false,
    };
  });
  return { channels, rdefs: { model: channels.length > 1 ? 'color' : 'greyscale' } };
}

function wrap(version: NgffVersion, attrs: Record<string, unknown>): Record<string, unknown> {
  return version === '0.4' ? attrs : { ome: { version, ...attrs } };
}

/** The image group's attributes (0.4: `.zattrs`; 0.5: `zarr.json`'s `attributes`). */
export function imageAttributes(
  version: NgffVersion,
  img: { axes: ImageAxes; name: string; levels: number; dtype: DType; ranges: readonly ChannelRange[] },
): Record<string, unknown> {
  return wrap(version, { multiscales: [multiscales(version, img.axes, img.name, img.levels)], omero: omero(img.axes, img.dtype, img.ranges) });
}

/** The `labels` group's attributes: the names of its label images. */
export function labelsAttributes(version: NgffVersion, names: readonly string[]): Record<string, unknown> {
  return wrap(version, { labels: [...names] });
}

/** One label value's display colour (RGBA 0..255). */
export interface LabelColor {
  value: number;
  rgba: [number, number, number, number];
}

/** A label image's attributes: its multiscales (levels by nearest, labels are not averaged) and `image-label` (colours, source image two groups up). */
export function labelImageAttributes(
  version: NgffVersion,
  img: { axes: ImageAxes; name: string; levels: number; colors: readonly LabelColor[] },
): Record<string, unknown> {
  const imageLabel = {
    ...(version === '0.4' ? { version } : {}),
    colors: img.colors.map((c) => ({ 'label-value': c.value, rgba: [...c.rgba] })),
    source: { image: '../../' },
  };
  return wrap(version, { multiscales: [multiscales(version, img.axes, img.name, img.levels, 'nearest')], 'image-label': imageLabel });
}

/** A distinct colour per label value (golden-angle hues, full saturation); 0 (background) is transparent. */
export function labelColors(values: readonly number[]): LabelColor[] {
  return values.map((value) => {
    if (value === 0) return { value, rgba: [0, 0, 0, 0] };
    const h = (value * 137.508) % 360;
    const f = (n: number) => {
      const k = (n + h / 60) % 6;
      return Math.round(255 * (1 - Math.max(0, Math.min(k, 4 - k, 1))));
    };
    return { value, rgba: [f(5), f(3), f(1), 255] };
  });
}
