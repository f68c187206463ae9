// What the axes of an image array mean (issue 14): per axis its name (t, c, z, y, x as OME and NGFF
// name them), its type, its unit and its physical scale and origin; per channel its label, colour,
// display window and visibility (NGFF's `omero` channel names). Kept with a dataset's array field
// (FieldMeta.axes), read from OME-TIFF / ImageJ TIFF / OME-Zarr metadata on import, written back on
// export, shown by the viewers (scale bar, physical coordinates, Z/T/C sliders, composite) and given to
// runners and blocks (`describeData`). Units are the NGFF (UDUNITS-2) names: 'micrometer', 'second'.
import { z } from 'zod';

export type AxisType = 'space' | 'time' | 'channel';

export interface Axis {
  /** 't', 'c', 'z', 'y', 'x' for the OME dimensions; any other non-empty name for other axes. */
  name: string;
  type: AxisType | null;
  /** NGFF unit name ('micrometer', 'nanometer', 'second', …), or null when unknown. */
  unit: string | null;
  /** Physical size of one step along the axis (pixel size, Z spacing, time interval); 1 when unknown. */
  scale: number;
  /** Physical coordinate of index 0; 0 when unknown. */
  translation: number;
}

export interface Channel {
  label: string;
  /** Display colour as 6 upper-case hex digits ('FF0000'). */
  color: string;
  /** Display window (contrast limits) in data values, or null for automatic. */
  window: { start: number; end: number } | null;
  /** Shown in the composite. */
  active: boolean;
  /** Display gamma after the window (absent or 1: linear), as napari's and Fiji's channel gamma. */
  gamma?: number;
}

/**
 * How a label image's labels are coloured (as NGFF's `image-label` `colors`): a colour table by name
 * (the viewer's tables, src/app/viewers/render/labelTables.ts) and colours the user chose for single
 * labels ('RRGGBB' by label value), which win over the table.
 */
export interface LabelColors {
  table: string;
  colors: Record<string, string>;
}

/** The meaning of an array's axes: one Axis per dimension (in array order), and the channels of its 'c' axis. */
export interface ImageAxes {
  axes: Axis[];
  /** One per index of the 'c' axis when there is one; else empty. */
  channels: Channel[];
  /** A label image's colours (absent: the default table). */
  labels?: LabelColors;
}

/** The OME / NGFF dimension names in their canonical (NGFF) order. */
export const OME_AXES = ['t', 'c', 'z', 'y', 'x'] as const;
export type OmeAxisName = (typeof OME_AXES)[number];

const TYPE_OF: Record<OmeAxisName, AxisType> = { t: 'time', c: 'channel', z: 'space', y: 'space', x: 'space' };

/** Display colours given to channels that have none (napari's and Fiji's usual order). */
export const DEFAULT_CHANNEL_COLORS = ['FF0000', '00FF00', '0000FF', 'FF00FF', '00FFFF', 'FFFF00', 'FFFFFF'] as const;
/** A single channel with no colour of its own is shown in gray. */
export const GRAY = 'FFFFFF';

export function axisOf(name: string, unit: string | null = null, scale = 1, translation = 0): Axis {
  const type = (TYPE_OF as Record<string, AxisType | undefined>)[name] ?? null;
  return { name, type, unit, scale, translation };
}

export function defaultChannels(n: number, labels?: readonly string[]): Channel[] {
  return Array.from({ length: n }, (_, i) => ({
    label: labels?.[i] ?? `Channel ${i}`,
    color: channelColor(labels?.[i] ?? null, i, n),
    window: null,
    active: true,
  }));
}

/** Dyes and proteins by the colour microscopists show them in (Fiji's and napari's usual choices). */
const DYE_COLORS: [RegExp, string][] = [
  [/dapi|hoechst|\b405\b|\bbfp\b/i, '0000FF'],
  [/\bcfp\b|cyan/i, '00FFFF'],
  [/\byfp\b|venus|citrine/i, 'FFFF00'],
  [/gfp|fitc|alexa ?(fluor)? ?488|\baf ?488\b|\b488\b|green/i, '00FF00'],
  [/cy5|alexa ?(fluor)? ?647|\baf ?647\b|\b64[07]\b|far.?red|magenta/i, 'FF00FF'],
  [/rfp|mcherry|tdtomato|dsred|mscarlet|texas.?red|tritc|cy3|alexa ?(fluor)? ?(555|568|594)|\b56[18]\b|\b594\b|\bred\b/i, 'FF0000'],
  [/\bblue\b/i, '0000FF'],
];

/**
 * The colour a channel without one of its own is shown in: from its name when it names a dye
 * (DAPI blue, GFP green, mCherry red, Cy5 magenta, …), else by its index (red, green, blue, …);
 * a single channel in gray.
 */
export function channelColor(label: string | null, index: number, count: number): string {
  if (label) for (const [re, color] of DYE_COLORS) if (re.test(label)) return color;
  return count === 1 ? GRAY : DEFAULT_CHANNEL_COLORS[index % DEFAULT_CHANNEL_COLORS.length]!;
}

/**
 * The axes an array has when nothing says otherwise: [Y, X] is y, x; a channel-first RGB image
 * ([3, H, W] in an `image` field) is c, y, x with red, green and blue channels; other 3-D arrays are
 * z, y, x; 4-D c, z, y, x; 5-D t, c, z, y, x; beyond that, leading axes are dim_0, dim_1, ….
 */
export function defaultAxes(shape: readonly number[], opts: { rgb?: boolean } = {}): ImageAxes {
  const nd = shape.length;
  if (nd === 3 && opts.rgb && shape[0] === 3) {
    return {
      axes: ['c', 'y', 'x'].map((n) => axisOf(n)),
      channels: ['Red', 'Green', 'Blue'].map((label, i) => ({ label, color: DEFAULT_CHANNEL_COLORS[i]!, window: null, active: true })),
    };
  }
  const names: string[] =
    nd === 1 ? ['x'] : nd === 2 ? ['y', 'x'] : nd === 3 ? ['z', 'y', 'x'] : nd === 4 ? ['c', 'z', 'y', 'x'] : nd === 0 ? [] : [...OME_AXES];
  for (let i = nd - 6; i >= 0; i--) names.unshift(`dim_${i}`);
  const axes = names.map((n) => axisOf(n));
  const c = names.indexOf('c');
  return { axes, channels: c >= 0 ? defaultChannels(shape[c]!) : [] };
}

export function axisIndex(ax: ImageAxes, name: string): number {
  return ax.axes.findIndex((a) => a.name === name);
}

// ───────────────────────────── units ─────────────────────────────

/** NGFF (UDUNITS-2) unit name → the symbol OME-XML writes and people read. */
const SYMBOLS: Record<string, string> = {
  angstrom: 'Å',
  picometer: 'pm',
  nanometer: 'nm',
  micrometer: 'µm',
  millimeter: 'mm',
  centimeter: 'cm',
  meter: 'm',
  kilometer: 'km',
  inch: 'in',
  foot: 'ft',
  nanosecond: 'ns',
  microsecond: 'µs',
  millisecond: 'ms',
  second: 's',
  minute: 'min',
  hour: 'h',
  day: 'd',
};

const ALIASES: Record<string, string> = {
  å: 'angstrom',
  a: 'angstrom',
  angstroms: 'angstrom',
  pm: 'picometer',
  nm: 'nanometer',
  nanometers: 'nanometer',
  µm: 'micrometer',
  μm: 'micrometer', // Greek mu (U+03BC) as well as the micro sign (U+00B5)
  um: 'micrometer',
  micron: 'micrometer',
  microns: 'micrometer',
  micrometers: 'micrometer',
  u: 'micrometer',
  mm: 'millimeter',
  millimeters: 'millimeter',
  cm: 'centimeter',
  m: 'meter',
  meters: 'meter',
  km: 'kilometer',
  in: 'inch',
  inches: 'inch',
  ft: 'foot',
  ns: 'nanosecond',
  µs: 'microsecond',
  μs: 'microsecond',
  us: 'microsecond',
  ms: 'millisecond',
  s: 'second',
  sec: 'second',
  seconds: 'second',
  min: 'minute',
  minutes: 'minute',
  h: 'hour',
  hr: 'hour',
  hours: 'hour',
  d: 'day',
  days: 'day',
};

/**
 * A unit as written by OME-XML ('µm'), ImageJ ('micron', '\\u00B5m') or NGFF ('micrometer') → its NGFF
 * name; null for none ('', 'pixel', 'pixels'); an unknown unit is kept as written.
 */
export function normaliseUnit(unit: string | null | undefined): string | null {
  if (unit === null || unit === undefined) return null;
  const u = unit.trim().replace(/\\u00b5/gi, 'µ');
  if (u === '' || /^(pixels?|px)$/i.test(u)) return null;
  if (Object.hasOwn(SYMBOLS, u)) return u;
  return ALIASES[u] ?? ALIASES[u.toLowerCase()] ?? u;
}

/** The symbol of an NGFF unit name ('micrometer' → 'µm'); other units as they are. */
export function unitSymbol(unit: string | null): string {
  if (!unit) return '';
  return SYMBOLS[unit] ?? unit;
}

/** Metres per unit of the NGFF length units (for choosing a scale bar's unit); null for other units. */
export const METERS_PER_UNIT: Record<string, number> = {
  angstrom: 1e-10,
  picometer: 1e-12,
  nanometer: 1e-9,
  micrometer: 1e-6,
  millimeter: 1e-3,
  centimeter: 1e-2,
  meter: 1,
  kilometer: 1e3,
  inch: 0.0254,
  foot: 0.3048,
};

// ───────────────────────────── validation ─────────────────────────────

const AxisSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['space', 'time', 'channel']).nullable(),
  unit: z.string().min(1).nullable(),
  scale: z.number().positive().finite(),
  translation: z.number().finite(),
});

const ChannelSchema = z.object({
  label: z.string(),
  color: z.string().regex(/^[0-9A-F]{6}$/, 'expected 6 upper-case hex digits'),
  window: z.object({ start: z.number().finite(), end: z.number().finite() }).nullable(),
  active: z.boolean(),
  gamma: z.number().positive().finite().optional(),
});

const HEX6 = z.string().regex(/^[0-9A-F]{6}$/, 'expected 6 upper-case hex digits');
const LabelColorsSchema = z.object({
  table: z.string().min(1),
  colors: z.record(z.string().regex(/^-?\d+$/, 'expected an integer label'), HEX6),
});

const ImageAxesSchema = z.object({ axes: z.array(AxisSchema), channels: z.array(ChannelSchema), labels: LabelColorsSchema.optional() });

/**
 * Why `value` is not valid axes metadata for an array of `shape` (one axis per dimension, names
 * unique, the channels one per index of the 'c' axis), or null. `label` starts the message
 * ("Dataset 'cells', field 'image'").
 */
export function axesProblem(value: unknown, shape: readonly number[], label: string): string | null {
  const parsed = ImageAxesSchema.safeParse(value);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    return `${label}: axes.${iss.path.join('.')}: ${iss.message}.`;
  }
  const ax = parsed.data;
  if (ax.axes.length !== shape.length) {
    return `${label}: axes name ${ax.axes.length} dimension(s) (${ax.axes.map((a) => a.name).join(', ')}) but the array has ${shape.length} ([${shape.join(', ')}]).`;
  }
  const names = ax.axes.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) return `${label}: axis '${dup}' is named twice (axes ${names.join(', ')}).`;
  const c = names.indexOf('c');
  const want = c >= 0 ? shape[c]! : 0;
  if (ax.channels.length !== want) {
    return c >= 0
      ? `${label}: the 'c' axis has ${want} channel(s) but ${ax.channels.length} channel description(s) were given.`
      : `${label}: ${ax.channels.length} channel description(s) were given but there is no 'c' axis.`;
  }
  return null;
}

/** A deep copy (metadata is stored and handed out; nobody shares it). */
export function cloneAxes(ax: ImageAxes): ImageAxes {
  const out: ImageAxes = { axes: ax.axes.map((a) => ({ ...a })), channels: ax.channels.map((c) => ({ ...c, window: c.window && { ...c.window } })) };
  if (ax.labels) out.labels = { table: ax.labels.table, colors: { ...ax.labels.colors } };
  return out;
}

/**
 * The axes an output of shape `outShape` inherits from an input described by `input` (of shape
 * `inShape`): the same when the shapes are equal; without the 'c' axis when the output is the input
 * less its channels (a mask of a multichannel image); with the spatial axes kept when only the
 * channel count changed; else null (nothing can be said).
 */
export function inheritAxes(input: ImageAxes, inShape: readonly number[], outShape: readonly number[]): ImageAxes | null {
  const same = inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i]);
  if (same) return cloneAxes(input);
  const c = axisIndex(input, 'c');
  if (c < 0) return null;
  const dropped = inShape.filter((_, i) => i !== c);
  if (dropped.length === outShape.length && dropped.every((d, i) => d === outShape[i])) {
    return { axes: input.axes.filter((_, i) => i !== c).map((a) => ({ ...a })), channels: [] };
  }
  if (inShape.length === outShape.length && inShape.every((d, i) => i === c || d === outShape[i])) {
    return { axes: input.axes.map((a) => ({ ...a })), channels: defaultChannels(outShape[c]!) };
  }
  return null;
}

/** "0.325 µm" for a spatial axis with a unit; "0.325" without; null when the scale is the default 1 with no unit. */
export function physicalSizeText(a: Axis): string | null {
  if (a.unit === null && a.scale === 1) return null;
  const v = Number(a.scale.toPrecision(6));
  return a.unit ? `${v} ${unitSymbol(a.unit)}` : String(v);
}
