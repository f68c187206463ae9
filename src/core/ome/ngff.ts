// OME-NGFF image metadata (https://ngff.openmicroscopy.org): version 0.4 (Zarr v2, the group's `.zattrs`)
// and 0.5 (Zarr v3, the group's `zarr.json` attributes under `ome`). Checked with zod, then turned into
// what algobox keeps: the levels of the multiscale pyramid (array path, ImageAxes with the physical scale
// and origin of that level), the omero channels, the labels and image-label metadata. Pure: the reading
// of the files is elsewhere (src/store/zarrReader.ts).
import { z } from 'zod';
import { axisOf, defaultChannels, normaliseUnit, type Axis, type Channel, type ImageAxes } from '../imageAxes';

const ScaleSchema = z.object({ type: z.literal('scale'), scale: z.array(z.number().finite()) });
const TranslationSchema = z.object({ type: z.literal('translation'), translation: z.array(z.number().finite()) });
const IdentitySchema = z.object({ type: z.literal('identity') });
const TransformSchema = z.union([ScaleSchema, TranslationSchema, IdentitySchema]);

/** An axis: an object in 0.4/0.5; a bare name in files written before 0.4 (accepted). */
const AxisSchema = z.union([z.string().min(1), z.object({ name: z.string().min(1), type: z.string().nullish(), unit: z.string().nullish() })]);

const DatasetSchema = z.object({ path: z.string().min(1), coordinateTransformations: z.array(TransformSchema).optional() });

const MultiscaleSchema = z.object({
  version: z.string().optional(),
  name: z.string().optional(),
  axes: z.array(AxisSchema).min(1),
  datasets: z.array(DatasetSchema).min(1),
  coordinateTransformations: z.array(TransformSchema).optional(),
});

const WindowSchema = z.object({
  start: z.number().finite(),
  end: z.number().finite(),
  min: z.number().optional(),
  max: z.number().optional(),
});

const OmeroChannelSchema = z.object({
  label: z.string().optional(),
  color: z.string().optional(),
  window: WindowSchema.optional(),
  active: z.boolean().optional(),
});

const OmeroSchema = z.object({ channels: z.array(OmeroChannelSchema) });

const LabelColorSchema = z.object({
  'label-value': z.number(),
  rgba: z.array(z.number().int().min(0).max(255)).length(4).optional(),
});

const ImageLabelSchema = z.object({
  version: z.string().optional(),
  colors: z.array(LabelColorSchema).optional(),
  source: z.object({ image: z.string().optional() }).optional(),
});

/** The OME attributes of a group, whichever version wrote them. */
const OmeAttrsSchema = z.object({
  multiscales: z.array(MultiscaleSchema).min(1).optional(),
  omero: OmeroSchema.optional(),
  labels: z.array(z.string().min(1)).optional(),
  'image-label': ImageLabelSchema.optional(),
});
type OmeAttrs = z.infer<typeof OmeAttrsSchema>;
type Transform = z.infer<typeof TransformSchema>;

/** The NGFF versions read. */
export const NGFF_VERSIONS = ['0.4', '0.5'] as const;
export type NgffVersion = (typeof NGFF_VERSIONS)[number];

/** One level of the pyramid: the array's path inside the image group, and what its axes mean. */
export interface NgffLevel {
  path: string;
  /** One per axis: name, type, unit (NGFF name) and the level's physical scale and origin. */
  axes: Axis[];
}

/** A label value's display colour (image-label `colors`): 'RRGGBB' and alpha 0–255. */
export interface LabelColor {
  value: number;
  color: string;
  alpha: number;
}

/** What an OME-Zarr image group says about itself. */
export interface NgffImage {
  version: NgffVersion;
  zarrFormat: 2 | 3;
  /** The multiscale's name, if any. */
  name: string | null;
  /** Level 0 (full resolution) first. */
  levels: NgffLevel[];
  /** omero channels as algobox channels (label, colour, window, active); empty when there is no omero. */
  channels: Channel[];
  /** Paths (relative to the image's `labels` group) of the label images it lists. */
  labels: string[];
  /** When this group is itself a label image: its colours and the path of its source image. */
  imageLabel: { colors: LabelColor[]; source: string | null } | null;
}

/** Thrown for metadata that is not a readable OME-NGFF image; `message` names the file. */
export class NgffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NgffError';
  }
}

/** The `labels` group's attributes: the label images it lists (`{labels: [...]}`, under `ome` in 0.5). */
export function parseLabelsGroup(attrs: unknown, zarrFormat: 2 | 3): string[] {
  const raw = zarrFormat === 3 ? (attrs as { ome?: unknown } | null)?.ome : attrs;
  const got = z.object({ labels: z.array(z.string().min(1)) }).safeParse(raw);
  return got.success ? got.data.labels : [];
}

/** Whether the attributes of a group (`.zattrs`, or `zarr.json`'s `attributes`) hold an NGFF multiscale image. */
export function hasMultiscales(attrs: unknown, zarrFormat: 2 | 3): boolean {
  const raw = zarrFormat === 3 ? (attrs as { ome?: unknown } | null)?.ome : attrs;
  return typeof raw === 'object' && raw !== null && Array.isArray((raw as { multiscales?: unknown }).multiscales);
}

function versionOf(raw: Record<string, unknown>, zarrFormat: 2 | 3, file: string): NgffVersion {
  const ms = (raw.multiscales as { version?: unknown }[] | undefined)?.[0];
  const v = zarrFormat === 3 ? raw.version : (ms?.version ?? raw.version);
  if (typeof v !== 'string')
    throw new NgffError(`${file}: the OME-NGFF version is missing (expected ${zarrFormat === 3 ? "ome.version '0.5'" : "multiscales[0].version '0.4'"}).`);
  const want: NgffVersion = zarrFormat === 3 ? '0.5' : '0.4';
  if (v !== want) {
    throw new NgffError(
      `${file}: OME-NGFF version ${JSON.stringify(v)} is not supported on Zarr v${zarrFormat}: algobox reads 0.4 (Zarr v2) and 0.5 (Zarr v3).`,
    );
  }
  return want;
}

/** scale and translation vectors of a transform list (identity: none), each of `n` entries. */
function scaleAndTranslation(ts: readonly Transform[] | undefined, n: number, what: string, file: string): { scale: number[]; translation: number[] } {
  const scale = Array.from({ length: n }, () => 1);
  const translation = Array.from({ length: n }, () => 0);
  for (const t of ts ?? []) {
    if (t.type === 'identity') continue;
    const v = t.type === 'scale' ? t.scale : t.translation;
    if (v.length !== n) throw new NgffError(`${file}: ${what}: a ${t.type} of ${v.length} values for ${n} axes.`);
    // Applied in order: a scale after a translation scales the translation too.
    if (t.type === 'scale') v.forEach((s, i) => ((scale[i] = scale[i]! * s), (translation[i] = translation[i]! * s)));
    else v.forEach((d, i) => (translation[i] = translation[i]! + d));
  }
  scale.forEach((s, i) => {
    if (!(s > 0)) throw new NgffError(`${file}: ${what}: the scale of axis ${i} is ${s} (expected a positive number).`);
  });
  return { scale, translation };
}

/** '#ff0000', 'FF0000', 'ff0000' → 'FF0000'; anything else → null. */
function colorOf(c: string | undefined): string | null {
  const m = c?.trim().match(/^#?([0-9a-fA-F]{6})$/);
  return m ? m[1]!.toUpperCase() : null;
}

function channelsOf(omero: OmeAttrs['omero']): Channel[] {
  const chs = omero?.channels ?? [];
  const defaults = defaultChannels(
    chs.length,
    chs.map((c, i) => c.label ?? `Channel ${i}`),
  );
  return chs.map((c, i) => ({
    label: c.label ?? defaults[i]!.label,
    color: colorOf(c.color) ?? defaults[i]!.color,
    window: c.window ? { start: c.window.start, end: c.window.end } : null,
    active: c.active ?? true,
  }));
}

function labelColorsOf(il: OmeAttrs['image-label']): LabelColor[] {
  return (il?.colors ?? []).map((c) => {
    const [r, g, b, a] = c.rgba ?? [255, 255, 255, 255];
    return {
      value: c['label-value'],
      color: [r!, g!, b!]
        .map((x) => x.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase(),
      alpha: a!,
    };
  });
}

function issueText(err: z.ZodError): string {
  const iss = err.issues[0]!;
  return `${iss.path.join('.') || '(root)'}: ${iss.message}`;
}

/**
 * The OME-NGFF image described by a group's attributes: `.zattrs` of a Zarr v2 group (0.4), or the
 * `attributes` of a Zarr v3 group's `zarr.json` (0.5, under `ome`). `file` names the group in errors
 * ("cells.zarr/.zattrs"). Throws NgffError for other versions, missing or malformed multiscales.
 */
export function parseNgffImage(attrs: unknown, zarrFormat: 2 | 3, file: string): NgffImage {
  const raw = zarrFormat === 3 ? (attrs as { ome?: unknown } | null)?.ome : attrs;
  if (typeof raw !== 'object' || raw === null) {
    throw new NgffError(`${file}: no OME-NGFF metadata (expected ${zarrFormat === 3 ? "an 'ome' attribute" : "'multiscales' in .zattrs"}).`);
  }
  const version = versionOf(raw as Record<string, unknown>, zarrFormat, file);
  const got = OmeAttrsSchema.safeParse(raw);
  if (!got.success) throw new NgffError(`${file}: invalid OME-NGFF ${version} metadata: ${issueText(got.error)}.`);
  const ome = got.data;
  const ms = ome.multiscales?.[0];
  if (!ms) throw new NgffError(`${file}: no 'multiscales' (not an OME-NGFF image).`);
  const n = ms.axes.length;
  const names = ms.axes.map((a) => (typeof a === 'string' ? a : a.name));
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup !== undefined) throw new NgffError(`${file}: axis '${dup}' is named twice (axes ${names.join(', ')}).`);
  const top = scaleAndTranslation(ms.coordinateTransformations, n, 'multiscales[0].coordinateTransformations', file);
  const levels = ms.datasets.map((d, l) => {
    const own = scaleAndTranslation(d.coordinateTransformations, n, `multiscales[0].datasets[${l}] ('${d.path}')`, file);
    const axes = ms.axes.map((a, i) => {
      const base = axisOf(
        names[i]!,
        normaliseUnit(typeof a === 'string' ? null : a.unit),
        own.scale[i]! * top.scale[i]!,
        own.translation[i]! * top.scale[i]! + top.translation[i]!,
      );
      const type = typeof a === 'string' ? null : a.type;
      if (type === 'space' || type === 'time' || type === 'channel') base.type = type;
      return base;
    });
    return { path: d.path, axes };
  });
  const il = ome['image-label'];
  return {
    version,
    zarrFormat,
    name: ms.name ?? null,
    levels,
    channels: channelsOf(ome.omero),
    labels: ome.labels ?? [],
    imageLabel: il ? { colors: labelColorsOf(il), source: il.source?.image ?? null } : null,
  };
}

/**
 * The ImageAxes of level `level` of an image whose array there has `shape`: the level's axes, and one
 * channel per index of its 'c' axis (from omero when it lists as many; defaults otherwise).
 */
export function ngffLevelAxes(img: NgffImage, level: number, shape: readonly number[], file: string): ImageAxes {
  const lv = img.levels[level];
  if (!lv) throw new NgffError(`${file}: there is no level ${level} (the image has ${img.levels.length}).`);
  if (lv.axes.length !== shape.length) {
    throw new NgffError(
      `${file}: the array '${lv.path}' has ${shape.length} dimension(s) ([${shape.join(', ')}]) but multiscales lists ${lv.axes.length} axes.`,
    );
  }
  const c = lv.axes.findIndex((a) => a.name === 'c');
  const nc = c >= 0 ? shape[c]! : 0;
  const channels = nc > 0 && img.channels.length === nc ? img.channels.map((ch) => ({ ...ch, window: ch.window && { ...ch.window } })) : defaultChannels(nc);
  return { axes: lv.axes.map((a) => ({ ...a })), channels: c >= 0 ? channels : [] };
}
