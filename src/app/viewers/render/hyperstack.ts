// What a multichannel / Z / T image shows (issue 14): the axes of a field (stored, or the defaults), whether
// it is viewed as a hyperstack (composite of channels with Z/T sliders) or as a plain image/volume, its
// sliders (every axis but the channel axis and the last two, y and x), the region of one channel's plane
// at a position, and the slider's text ("z 5/16 · 10.0 µm"). Pure, no DOM: tests/unit/viewerChannels.test.ts.
import { axesOfField } from '../../../core/fieldAxes';
import { DEFAULT_CHANNEL_COLORS, type Axis, type ImageAxes } from '../../../core/imageAxes';
import type { Box } from './slices';
import { physicalText } from './scaleBar';

/** The parts of a field's metadata the view needs. */
export interface AxesField {
  shape: readonly number[];
  axes?: ImageAxes;
}

/** A field's axes: as stored, else the defaults (an `image` of [3, H, W] is RGB). */
export function fieldAxes(key: string, f: AxesField): ImageAxes {
  return axesOfField(key, f);
}

/** Whether channel-first axes are plain RGB: c, y, x with red, green and blue channels in that order. */
export function isRgbAxes(ax: ImageAxes): boolean {
  const rgb = DEFAULT_CHANNEL_COLORS.slice(0, 3);
  return (
    ax.axes.length === 3 &&
    ax.axes[0]!.name === 'c' &&
    ax.channels.length === 3 &&
    ax.channels.every((c, i) => c.color === rgb[i] && /^(r(ed)?|g(reen)?|b(lue)?)$/i.test(c.label) && c.label[0]!.toLowerCase() === 'rgb'[i])
  );
}

/**
 * Whether an `image` field is viewed as a hyperstack: a 'c' axis of other than 3 channels, a 't' axis,
 * more than 3 dimensions, 'c' with 'z', or 3 channels whose stored axes are not plain R, G, B.
 */
export function isHyperstack(key: string, f: AxesField): boolean {
  if (key !== 'image' || f.shape.length < 2 || f.shape.some((d) => d <= 0)) return false;
  const ax = fieldAxes(key, f);
  const names = ax.axes.map((a) => a.name);
  const c = names.indexOf('c');
  if (f.shape.length > 3 || names.includes('t') || (c >= 0 && names.includes('z'))) return true;
  if (c >= 0 && f.shape[c] !== 3) return true;
  return c >= 0 && !!f.axes && !isRgbAxes(ax);
}

/** One slider: a dimension of the array that is neither the channel axis nor one of the last two (y, x). */
export interface SliderAxis {
  dim: number;
  axis: Axis;
  size: number;
}

export function sliderAxes(shape: readonly number[], ax: ImageAxes): SliderAxis[] {
  const out: SliderAxis[] = [];
  for (let d = 0; d < shape.length - 2; d++) {
    const axis = ax.axes[d]!;
    if (axis.name !== 'c') out.push({ dim: d, axis, size: shape[d]! });
  }
  return out;
}

/** The channel dimension, or −1. */
export function channelDim(ax: ImageAxes): number {
  return ax.axes.findIndex((a) => a.name === 'c');
}

/** The position (one index per slider) as one number, C order (the last slider moves fastest). */
export function linearIndex(sizes: readonly number[], idx: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < sizes.length; i++) k = k * sizes[i]! + idx[i]!;
  return k;
}

/** The inverse of linearIndex. */
export function positionOf(sizes: readonly number[], k: number): number[] {
  const out = sizes.map(() => 0);
  let rest = k;
  for (let i = sizes.length - 1; i >= 0; i--) {
    out[i] = rest % sizes[i]!;
    rest = Math.floor(rest / sizes[i]!);
  }
  return out;
}

/** The region of channel `c`'s plane (c ignored without a channel axis) at slider position `idx`. */
export function planeRegion(shape: readonly number[], ax: ImageAxes, idx: readonly number[], c: number): Box {
  const sliders = sliderAxes(shape, ax);
  const cdim = channelDim(ax);
  return shape.map((d, dim): [number, number] => {
    if (dim === cdim) return [c, c + 1];
    const s = sliders.findIndex((a) => a.dim === dim);
    return s >= 0 ? [idx[s]!, idx[s]! + 1] : [0, d];
  });
}

/** "z 5/16 · 10.0 µm", "t 3/10 · 6 s", "dim_0 2/4" (1-based index, physical position when the axis has a unit). */
export function sliderText(s: SliderAxis, i: number): string {
  const pos = physicalText(s.axis, i);
  return `${s.axis.name} ${i + 1}/${s.size}${pos ? ` · ${pos}` : ''}`;
}
