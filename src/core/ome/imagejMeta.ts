// ImageJ hyperstack metadata: the `ImageJ=…` ImageDescription of the first page (images, channels,
// slices, frames, hyperstack, unit, spacing, finterval, tunit, min, max) and the page's XResolution /
// YResolution (pixels per unit) → a SeriesLayout. ImageJ stores the planes with C fastest, then Z,
// then T; Y and X share the unit, Z too (spacing), T is in `tunit` (seconds when not given).
import { axisOf, defaultChannels, normaliseUnit } from '../imageAxes';
import { ImageDecodeError } from '../imageCodecs/common';
import type { DType } from '../ndarray';
import type { SeriesLayout, Sizes } from './series';

/** The key=value lines of an ImageJ description, or null when it is not one (it starts with "ImageJ="). */
export function imagejFields(description: string): Map<string, string> | null {
  if (!description.startsWith('ImageJ=')) return null;
  const out = new Map<string, string>();
  for (const line of description.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

/** What the first page tells besides its description. */
export interface ImagejPage {
  pages: number;
  /** Samples per pixel of the pages (3 for an RGB ImageJ file). */
  samples: number;
  dtype: DType;
  width: number;
  height: number;
  /** XResolution / YResolution in pixels per unit, or null when absent. */
  xResolution: number | null;
  yResolution: number | null;
}

function count(f: Map<string, string>, key: string, file: string): number {
  const s = f.get(key);
  if (s === undefined) return 1;
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1) throw new ImageDecodeError(file, `ImageJ description: ${key}=${s} is not a positive integer.`);
  return v;
}

function positive(f: Map<string, string>, key: string, file: string): number | null {
  const s = f.get(key);
  if (s === undefined) return null;
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) throw new ImageDecodeError(file, `ImageJ description: ${key}=${s} is not a positive number.`);
  return v;
}

/** The ImageJ series of a file: sizes, page of each plane (C fastest, then Z, then T) and axes. */
export function parseImagej(fields: Map<string, string>, page: ImagejPage, file: string): SeriesLayout {
  const channels = count(fields, 'channels', file);
  let slices = count(fields, 'slices', file);
  const frames = count(fields, 'frames', file);
  const images = count(fields, 'images', file);
  if (channels * slices * frames === 1 && images > 1) slices = images; // a plain stack: its images are Z
  const planes = channels * slices * frames;
  if (planes !== images) {
    throw new ImageDecodeError(
      file,
      `ImageJ description: channels=${channels} × slices=${slices} × frames=${frames} is ${planes} planes, but images=${images}.`,
    );
  }
  if (planes > page.pages) throw new ImageDecodeError(file, `ImageJ description: images=${images}, but the file has ${page.pages} page(s).`);
  const sizes: Sizes = { t: frames, c: channels * page.samples, z: slices, y: page.height, x: page.width };
  const planePages: number[] = [];
  for (let t = 0; t < frames; t++) for (let p = 0; p < channels; p++) for (let z = 0; z < slices; z++) planePages.push((t * slices + z) * channels + p);

  const unit = normaliseUnit(fields.get('unit') ?? null);
  const scale = (res: number | null) => (res !== null && Number.isFinite(res) && res > 0 ? 1 / res : 1);
  const spacing = positive(fields, 'spacing', file);
  const finterval = positive(fields, 'finterval', file);
  const min = fields.has('min') ? Number(fields.get('min')) : NaN;
  const max = fields.has('max') ? Number(fields.get('max')) : NaN;
  const window = Number.isFinite(min) && Number.isFinite(max) && max > min ? { start: min, end: max } : null;
  const rgb = page.samples === 3 && channels === 1;
  return {
    name: null,
    dtype: page.dtype,
    sizes,
    samples: page.samples,
    planePages,
    axes5: {
      t: finterval === null ? axisOf('t') : axisOf('t', normaliseUnit(fields.get('tunit') ?? 's'), finterval),
      c: axisOf('c'),
      z: spacing === null ? axisOf('z', unit) : axisOf('z', unit, spacing),
      y: axisOf('y', unit, scale(page.yResolution)),
      x: axisOf('x', unit, scale(page.xResolution)),
    },
    channels: defaultChannels(sizes.c, rgb ? ['Red', 'Green', 'Blue'] : undefined).map((c) => ({ ...c, window: window && { ...window } })),
  };
}
