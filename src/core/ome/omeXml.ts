// OME-XML (the ImageDescription of an OME-TIFF's first page; any schema year, any namespace prefix)
// parsed with fast-xml-parser into one SeriesLayout per <Image>: Pixels' DimensionOrder, Type and
// sizes, physical sizes with their units (µm when not given) and time increment (s), the channels
// (Name, Color as a signed 32-bit RGBA integer, SamplesPerPixel) and which TIFF page holds each
// plane (TiffData: IFD, FirstZ/C/T, PlaneCount; none: the pages in order following DimensionOrder).
// What contradicts the file (sizes against its pages, a TiffData beyond them, an unknown Type) is an
// ImageDecodeError naming the file, the field and its value.
import { XMLParser } from 'fast-xml-parser';
import { axisOf, channelColor, normaliseUnit, type Channel, type OmeAxisName } from '../imageAxes';
import { ImageDecodeError } from '../imageCodecs/common';
import type { DType } from '../ndarray';
import { channelPlanes, planeSlot, type SeriesLayout, type Sizes } from './series';

/** One <TiffData> element (defaults applied). */
export interface TiffData {
  ifd: number;
  firstZ: number;
  firstC: number;
  firstT: number;
  /** null: not given (1 when IFD is given, else every plane). */
  planeCount: number | null;
  /** IFD was given. */
  hasIfd: boolean;
}

export interface OmeSeries extends SeriesLayout {
  dimensionOrder: string;
  /** Pixels Type as written ('uint16', 'float', …). */
  type: string;
  tiffData: TiffData[];
}

const TYPES: Record<string, DType> = {
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  float: 'float32',
  double: 'float64',
};

const ORDERS = ['XYZCT', 'XYZTC', 'XYCTZ', 'XYCZT', 'XYTCZ', 'XYTZC'];

const ARRAYS = new Set(['Image', 'Channel', 'TiffData']);

type Node = Record<string, unknown>;

function parse(xml: string, file: string): Node {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (tag) => ARRAYS.has(tag),
  });
  try {
    return parser.parse(xml) as Node;
  } catch (e) {
    throw new ImageDecodeError(file, `OME-XML: not well-formed XML (${e instanceof Error ? e.message : String(e)}).`);
  }
}

const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v.filter((x): x is Node => typeof x === 'object' && x !== null) : []);
const attr = (n: Node, k: string): string | undefined => (typeof n[k] === 'string' ? (n[k] as string) : undefined);

/** Reads the attributes of one element, with errors naming it ("Image 2 Pixels SizeZ='x'"). */
class Reader {
  constructor(
    readonly file: string,
    readonly where: string,
  ) {}
  fail(text: string): never {
    throw new ImageDecodeError(this.file, `OME-XML: ${this.where}${text}`);
  }
  int(n: Node, k: string, dflt: number | null, min = 0): number {
    const s = attr(n, k);
    if (s === undefined) return dflt ?? this.fail(`has no ${k}.`);
    const v = Number(s);
    if (!Number.isInteger(v) || v < min) this.fail(`${k}='${s}' is not an integer ≥ ${min}.`);
    return v;
  }
  positive(n: Node, k: string): number | null {
    const s = attr(n, k);
    if (s === undefined) return null;
    const v = Number(s);
    if (!Number.isFinite(v) || v <= 0) this.fail(`${k}='${s}' is not a positive number.`);
    return v;
  }
}

/** OME Color (signed 32-bit RGBA) → 'RRGGBB'. */
export function omeColor(value: string): string | null {
  const v = Number(value);
  if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) return null;
  return ((v >>> 8) & 0xffffff).toString(16).toUpperCase().padStart(6, '0');
}

function channelsOf(pixels: Node, r: Reader, c: number, samples: number): Channel[] {
  const els = nodes(pixels['Channel']);
  const out: Channel[] = [];
  for (let i = 0; i < c; i++) {
    const el = els[Math.floor(i / samples)];
    const name = el && attr(el, 'Name');
    const sub = samples > 1 ? (samples === 3 ? ['Red', 'Green', 'Blue'][i % 3]! : String(i % samples)) : '';
    const label = name ? (sub ? `${name} ${sub}` : name) : samples === 3 && c === 3 ? sub : `Channel ${i}`;
    const given = el && attr(el, 'Color') !== undefined && samples === 1 ? omeColor(attr(el, 'Color')!) : null;
    if (el && attr(el, 'Color') !== undefined && samples === 1 && given === null)
      r.fail(`Channel ${i} Color='${attr(el, 'Color')}' is not a 32-bit RGBA integer.`);
    const color = given ?? channelColor(samples > 1 ? sub : (name ?? null), i, c);
    out.push({ label, color, window: null, active: true });
  }
  return out;
}

/** The UUID a TiffData names (its <UUID> element's text) and its FileName, when it has one. */
function uuidOf(td: Node): { uuid: string; fileName: string | null } | null {
  const u = td['UUID'];
  if (typeof u === 'string') return { uuid: u.trim(), fileName: null };
  if (typeof u !== 'object' || u === null) return null;
  const n = u as Node;
  return { uuid: String(n['#text'] ?? '').trim(), fileName: attr(n, 'FileName') ?? null };
}

/**
 * The TiffData elements. One that names another file's UUID (a multi-file OME-TIFF: its planes are in
 * that file) is an error: reading its IFD in this file would give the wrong planes.
 */
function tiffDataOf(pixels: Node, r: Reader, ownUuid: string | undefined): TiffData[] {
  return nodes(pixels['TiffData'])
    .map((td, i) => {
      const ref = uuidOf(td);
      if (ref && ownUuid && ref.uuid && ref.uuid !== ownUuid.trim()) {
        r.fail(
          `TiffData ${i} refers to ${ref.fileName ? `file '${ref.fileName}'` : 'another file'} (UUID ${ref.uuid}, this file is ${ownUuid}): multi-file OME-TIFF is not supported; import a single-file OME-TIFF (e.g. bfconvert or tifffile).`,
        );
      }
      return td;
    })
    .map((td) => ({
      ifd: r.int(td, 'IFD', 0),
      firstZ: r.int(td, 'FirstZ', 0),
      firstC: r.int(td, 'FirstC', 0),
      firstT: r.int(td, 'FirstT', 0),
      planeCount: attr(td, 'PlaneCount') === undefined ? null : r.int(td, 'PlaneCount', 0),
      hasIfd: attr(td, 'IFD') !== undefined,
    }));
}

/** (z, p, t) of the `k`-th plane in DimensionOrder (X and Y first, then the fastest of Z, C, T). */
function planeAt(order: string, k: number, zs: number, ps: number, ts: number): { z: number; p: number; t: number } {
  const size: Record<string, number> = { Z: zs, C: ps, T: ts };
  const at: Record<string, number> = {};
  let rest = k;
  for (const d of order.slice(2)) {
    at[d] = rest % size[d]!;
    rest = Math.floor(rest / size[d]!);
  }
  return { z: at['Z']!, p: at['C']!, t: at['T']! };
}

function indexIn(order: string, z: number, p: number, t: number, zs: number, ps: number, ts: number): number {
  const size: Record<string, number> = { Z: zs, C: ps, T: ts };
  const at: Record<string, number> = { Z: z, C: p, T: t };
  let k = 0;
  for (const d of order.slice(2).split('').reverse()) k = k * size[d]! + at[d]!;
  return k;
}

/** Which page holds each plane: from the TiffData elements, or the pages in DimensionOrder from page `start`. */
function planePagesOf(s: Omit<OmeSeries, 'planePages'>, r: Reader, pages: number, start: number): number[] {
  const { z: zs, t: ts } = s.sizes;
  const ps = channelPlanes(s);
  const n = zs * ps * ts;
  const out = Array.from({ length: n }, () => -1);
  if (s.tiffData.length === 0 && start + n > pages) {
    r.fail(`SizeZ=${zs} × ${ps} channel plane(s) × SizeT=${ts} is ${n} planes, but the file has ${pages - start} page(s) for them.`);
  }
  const entries = s.tiffData.length > 0 ? s.tiffData : [{ ifd: start, firstZ: 0, firstC: 0, firstT: 0, planeCount: n, hasIfd: true }];
  for (const [i, td] of entries.entries()) {
    if (td.firstZ >= zs || td.firstC >= ps || td.firstT >= ts) {
      r.fail(`TiffData ${i} FirstZ=${td.firstZ} FirstC=${td.firstC} FirstT=${td.firstT} lies outside SizeZ=${zs}, ${ps} channel plane(s), SizeT=${ts}.`);
    }
    const first = indexIn(s.dimensionOrder, td.firstZ, td.firstC, td.firstT, zs, ps, ts);
    const count = td.planeCount ?? (td.hasIfd ? 1 : n - first);
    if (first + count > n) r.fail(`TiffData ${i} PlaneCount=${count} from plane ${first} runs past the ${n} planes of the image.`);
    if (td.ifd + count > pages) {
      r.fail(`TiffData ${i} IFD=${td.ifd} PlaneCount=${count} needs pages ${td.ifd + 1} to ${td.ifd + count}, but the file has ${pages} page(s).`);
    }
    for (let k = 0; k < count; k++) {
      const { z, p, t } = planeAt(s.dimensionOrder, first + k, zs, ps, ts);
      out[planeSlot(s, t, p, z)] = td.ifd + k;
    }
  }
  const missing = out.indexOf(-1);
  if (missing >= 0) {
    const z = missing % zs;
    const p = Math.floor(missing / zs) % ps;
    const t = Math.floor(missing / zs / ps);
    r.fail(`no TiffData gives the plane Z=${z} C=${p} T=${t} (${n} planes, ${entries.length} TiffData element(s)).`);
  }
  return out;
}

function seriesOf(image: Node, index: number, file: string, pages: number, start: number, ownUuid: string | undefined): OmeSeries {
  const imageName = attr(image, 'Name') ?? null;
  const r = new Reader(file, `Image ${index}${imageName ? ` ('${imageName}')` : ''} Pixels `);
  const pixels = nodes([image['Pixels']])[0];
  if (!pixels) throw new ImageDecodeError(file, `OME-XML: Image ${index} has no Pixels element.`);
  const order = attr(pixels, 'DimensionOrder') ?? r.fail('has no DimensionOrder.');
  if (!ORDERS.includes(order)) r.fail(`DimensionOrder='${order}' is not one of ${ORDERS.join(', ')}.`);
  const type = attr(pixels, 'Type') ?? r.fail('has no Type.');
  const dtype = TYPES[type] ?? r.fail(`Type='${type}' is not supported (expected one of ${Object.keys(TYPES).join(', ')}).`);
  const sizes: Sizes = {
    t: r.int(pixels, 'SizeT', null, 1),
    c: r.int(pixels, 'SizeC', null, 1),
    z: r.int(pixels, 'SizeZ', null, 1),
    y: r.int(pixels, 'SizeY', null, 1),
    x: r.int(pixels, 'SizeX', null, 1),
  };
  const first = nodes(pixels['Channel'])[0];
  const samples = first ? r.int(first, 'SamplesPerPixel', 1, 1) : 1;
  if (sizes.c % samples !== 0) r.fail(`SizeC=${sizes.c} is not a multiple of the channels' SamplesPerPixel=${samples}.`);
  const length = (k: 'X' | 'Y' | 'Z') => {
    const v = r.positive(pixels, `PhysicalSize${k}`);
    const name = k.toLowerCase() as OmeAxisName;
    return v === null ? axisOf(name) : axisOf(name, normaliseUnit(attr(pixels, `PhysicalSize${k}Unit`) ?? 'µm'), v);
  };
  const dt = r.positive(pixels, 'TimeIncrement');
  const axes5 = {
    t: dt === null ? axisOf('t') : axisOf('t', normaliseUnit(attr(pixels, 'TimeIncrementUnit') ?? 's'), dt),
    c: axisOf('c'),
    z: length('Z'),
    y: length('Y'),
    x: length('X'),
  };
  const base = {
    name: imageName,
    dtype,
    sizes,
    samples,
    axes5,
    channels: channelsOf(pixels, r, sizes.c, samples),
    dimensionOrder: order,
    type,
    tiffData: tiffDataOf(pixels, r, ownUuid),
  };
  return { ...base, planePages: planePagesOf(base, r, pages, start) };
}

/**
 * The series of an OME-XML document, for a file of `pages` pages (main IFD chain). Images without
 * TiffData take the pages in order, each after the previous image's.
 */
export function parseOmeXml(xml: string, file: string, pages: number): OmeSeries[] {
  const doc = parse(xml, file);
  const root = doc['OME'];
  const ome = root === '' ? {} : nodes([root])[0];
  if (!ome) throw new ImageDecodeError(file, 'OME-XML: the document has no OME root element.');
  const images = nodes(ome['Image']);
  if (images.length === 0) throw new ImageDecodeError(file, 'OME-XML: the document has no Image element.');
  const out: OmeSeries[] = [];
  let start = 0;
  for (const [i, image] of images.entries()) {
    const s = seriesOf(image, i, file, pages, start, attr(ome, 'UUID'));
    out.push(s);
    start = Math.max(...s.planePages) + 1;
  }
  return out;
}
