// One image series of a microscopy TIFF (an OME `<Image>`, an ImageJ hyperstack, or the pages of a
// plain TIFF read by geotiff) as the metadata parsers (omeXml.ts, imagejMeta.ts) describe it: its
// T, C, Z, Y, X sizes, which TIFF page holds each plane, its pixel type, and what its axes mean. And
// how such a series is stored (docs/microscopy.md, "How an image is stored"): canonical t, c, z, y, x
// with singleton t, c and z left out; schema Image, Volume or none by what is left; Image dtypes
// converted losslessly, other schemas keeping the file's dtype.
import { axisOf, defaultChannels, type Axis, type Channel, type ImageAxes, type OmeAxisName } from '../imageAxes';
import { storedLayout as layoutOf } from './storedLayout';
import type { DType } from '../ndarray';

export interface Sizes {
  t: number;
  c: number;
  z: number;
  y: number;
  x: number;
}

export interface SeriesLayout {
  /** The series' own name (OME Image Name), or null. */
  name: string | null;
  /** The file's pixel type. */
  dtype: DType;
  /** Sizes; `c` counts channels, the samples of a page included (an RGB page is 3 channels). */
  sizes: Sizes;
  /** Channels each page holds (its SamplesPerPixel): a plane of the C axis is `samples` channels. */
  samples: number;
  /** The page (0-based IFD of the main chain) of plane (t, p, z), p the channel plane (c / samples), at (t·P + p)·Z + z. */
  planePages: number[];
  /** One per OME axis in t, c, z, y, x order: units and physical sizes. */
  axes5: Record<OmeAxisName, Axis>;
  /** One per channel (sizes.c). */
  channels: Channel[];
}

/** Channel planes of a series (P in `planePages`). */
export function channelPlanes(s: Pick<SeriesLayout, 'sizes' | 'samples'>): number {
  return s.sizes.c / s.samples;
}

/** The index into `planePages` of plane (t, p, z). */
export function planeSlot(s: Pick<SeriesLayout, 'sizes' | 'samples'>, t: number, p: number, z: number): number {
  return (t * channelPlanes(s) + p) * s.sizes.z + z;
}

export type StoredSchema = 'Image' | 'Volume' | null;

/** How a series is stored: the axes kept, the array's shape, dtype, schema and field. */
export interface StoredLayout {
  axes: OmeAxisName[];
  shape: number[];
  dtype: DType;
  schema: StoredSchema;
  field: 'image' | 'volume';
}

/** The dtype an Image holds for a file dtype (lossless: int8/int16 → float32, int32/uint32 → float64). */
export function imageDtype(d: DType): DType {
  if (d === 'int8' || d === 'int16' || d === 'float16') return 'float32';
  if (d === 'int32' || d === 'uint32') return 'float64';
  if (d === 'bool') return 'uint8';
  return d;
}

/** docs/microscopy.md, "How an image is stored" (the rule is storedLayout.ts's), with the Image dtype rule. */
export function storedLayout(sizes: Sizes, dtype: DType): StoredLayout {
  const names = ['t', 'c', 'z', 'y', 'x'] as const;
  const l = layoutOf(
    { axes: names.map((n) => axisOf(n)), channels: defaultChannels(sizes.c) },
    names.map((n) => sizes[n]),
    'series',
  );
  const schema: StoredSchema = l.schema;
  return { axes: l.kept.map((i) => names[i]!), shape: l.shape, dtype: schema === 'Image' ? imageDtype(dtype) : dtype, schema, field: l.field };
}

/** The axes metadata of the stored array: the kept axes, and the channels when 'c' is kept. */
export function storedAxes(s: SeriesLayout, stored: StoredLayout): ImageAxes {
  return {
    axes: stored.axes.map((a) => ({ ...s.axes5[a] })),
    channels: stored.axes.includes('c') ? s.channels.map((c) => ({ ...c, window: c.window && { ...c.window } })) : [],
  };
}

/** Axes t, c, z, y, x without units or physical sizes. */
export function plainAxes5(): Record<OmeAxisName, Axis> {
  return { t: axisOf('t'), c: axisOf('c'), z: axisOf('z'), y: axisOf('y'), x: axisOf('x') };
}
