// An array exported as OME-Zarr (NGFF 0.4: Zarr v2 `.zgroup`/`.zarray`/`.zattrs`; 0.5: Zarr v3
// `zarr.json`), written with zarrita one plane at a time: level 0 chunked as stored along Y and X (one
// plane per chunk along t, c, z), 2×2-mean pyramid levels for planes above 2048 px a side, chunks
// uncompressed (zarrita 0.7.5 encodes no gzip/zlib; a zip of the folder is STORE-only anyway, see the
// README). Label images (masks) go under `labels/<name>` with `image-label` colours. The target is a
// zip streamed through fflate's Zip (ZipPassThrough entries: no re-compression) into a ByteSink, or a
// folder through the File System Access API.
import { Zip, ZipPassThrough } from 'fflate';
import * as zarr from 'zarrita';
import type { ImageAxes } from '../core/imageAxes';
import { exportPyramidLevels, omeDims, omeExportDType, planeRegion, planeZct, type OmeDims } from '../core/ome/omeDims';
import { imageAttributes, labelColors, labelImageAttributes, labelsAttributes, type ChannelRange, type NgffVersion } from '../core/ome/ngffWrite';
import { downsample2x, halvedShape } from '../core/pyramid';
import { stridesOf, type DType, type NDArray } from '../core/ndarray';
import type { ByteSink } from './exportOmeSinks';
import { exportPlane, type ExportArray } from './exportOmeSource';

/** What zarrita writes through: absolute keys ('/0/c/0/0'), bytes. */
export interface ZarrTarget {
  set(key: string, bytes: Uint8Array): Promise<void>;
  /** Everything written: the zip's central directory, or nothing for a folder. */
  finish(): Promise<void>;
}

/** The parts of FileSystemDirectoryHandle a folder target uses. */
export interface DirectoryHandleLike {
  getDirectoryHandle(name: string, opts: { create: boolean }): Promise<DirectoryHandleLike>;
  getFileHandle(
    name: string,
    opts: { create: boolean },
  ): Promise<{ createWritable(): Promise<{ write(b: Uint8Array<ArrayBuffer>): Promise<void>; close(): Promise<void> }> }>;
}

/** fflate's Zip writes no Zip64 records: a zip stops below 4 GiB. */
const ZIP_LIMIT = 2 ** 32 - 2 ** 20;

/** A zip streamed into `sink`, every key under the folder `root` (e.g. 'cells.ome.zarr'). */
export function zipTarget(sink: ByteSink, root: string): ZarrTarget {
  const zip = new Zip();
  let pending: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let ended: () => void = () => undefined;
  const done = new Promise<void>((r) => (ended = r));
  zip.ondata = (err, chunk, final) => {
    if (err) failure = err;
    else pending = pending.then(() => sink.write(chunk));
    if (final || err) ended();
  };
  return {
    async set(key, bytes) {
      if (sink.size + bytes.byteLength > ZIP_LIMIT) {
        throw new Error(`The OME-Zarr zip would pass 4 GiB (zip files without Zip64): export it to a folder instead.`);
      }
      const f = new ZipPassThrough(`${root}${key}`); // key: '/0/.zarray'
      zip.add(f);
      f.push(bytes, true);
      await pending;
      if (failure) throw failure;
    },
    async finish() {
      zip.end();
      await done;
      await pending;
      if (failure) throw failure;
    },
  };
}

/** A folder: each key a file, its parent folders made as needed. */
export function folderTarget(dir: DirectoryHandleLike): ZarrTarget {
  const dirs = new Map<string, Promise<DirectoryHandleLike>>([['', Promise.resolve(dir)]]);
  const dirOf = (path: string): Promise<DirectoryHandleLike> => {
    let d = dirs.get(path);
    if (!d) {
      const cut = path.lastIndexOf('/');
      d = dirOf(path.slice(0, Math.max(0, cut))).then((p) => p.getDirectoryHandle(path.slice(cut + 1), { create: true }));
      dirs.set(path, d);
    }
    return d;
  };
  return {
    async set(key, bytes) {
      const rel = key.replace(/^\/+/, '');
      const cut = rel.lastIndexOf('/');
      const parent = await dirOf(cut < 0 ? '' : rel.slice(0, cut));
      const w = await (await parent.getFileHandle(rel.slice(cut + 1), { create: true })).createWritable();
      await w.write(new Uint8Array(bytes));
      await w.close();
    },
    finish: async () => undefined,
  };
}

/** zarrita's store over a target: metadata kept to be read back (zarrita opens the v2 arrays it writes); chunks only written. */
function storeOver(target: ZarrTarget): zarr.AsyncMutable {
  const meta = new Map<string, Uint8Array>();
  return {
    async get(key: zarr.AbsolutePath) {
      return meta.get(key);
    },
    async set(key: zarr.AbsolutePath, value: Uint8Array) {
      if (/(^|\/)(\.zarray|\.zattrs|\.zgroup|zarr\.json)$/.test(key)) meta.set(key, value);
      await target.set(key, value);
    },
  };
}

const V2_DTYPE: Record<string, string> = {
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};

/** JSON with every non-ASCII character escaped (zarr-python 2 decodes metadata as ASCII). */
function json(x: unknown): Uint8Array {
  const text = JSON.stringify(x, null, 2).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new TextEncoder().encode(text);
}

type Store = zarr.AsyncMutable;
type Path = '' | zarr.AbsolutePath;

async function writeGroup(store: Store, path: Path, version: NgffVersion, attributes: Record<string, unknown>): Promise<void> {
  if (version === '0.5') {
    await store.set(`${path}/zarr.json`, json({ zarr_format: 3, node_type: 'group', attributes }));
  } else {
    await store.set(`${path}/.zgroup`, json({ zarr_format: 2 }));
    await store.set(`${path}/.zattrs`, json(attributes));
  }
}

async function createArray(
  store: Store,
  path: zarr.AbsolutePath,
  version: NgffVersion,
  spec: { dtype: DType; shape: number[]; chunks: number[]; names: string[] },
): Promise<zarr.Array<zarr.DataType, Store>> {
  const loc = zarr.root(store).resolve(path);
  if (version === '0.5') {
    return zarr.create(loc, {
      shape: spec.shape,
      chunkShape: spec.chunks,
      dtype: spec.dtype as zarr.DataType,
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
      fillValue: 0,
      dimensionNames: spec.names,
    });
  }
  const zarray = {
    zarr_format: 2,
    shape: spec.shape,
    chunks: spec.chunks,
    dtype: V2_DTYPE[spec.dtype],
    compressor: null,
    fill_value: 0,
    order: 'C',
    filters: null,
    dimension_separator: '/',
  };
  await store.set(`${path}/.zarray`, json(zarray));
  return zarr.open.v2(loc, { kind: 'array' }) as Promise<zarr.Array<zarr.DataType, Store>>;
}

/** An image's arrays, one per pyramid level, written plane by plane. */
interface Levels {
  arrays: zarr.Array<zarr.DataType, Store>[];
  shapes: number[][];
}

async function createLevels(
  store: Store,
  path: Path,
  version: NgffVersion,
  src: { dtype: DType; shape: number[]; chunkShape: number[]; axes: ImageAxes },
  h: number,
  w: number,
): Promise<Levels> {
  const n = src.shape.length;
  const shapes: number[][] = [[...src.shape]];
  for (let l = 0; l < exportPyramidLevels(h, w); l++) shapes.push(halvedShape(shapes.at(-1)!));
  const cy = Math.max(1, src.chunkShape[n - 2] ?? h);
  const cx = Math.max(1, src.chunkShape[n - 1] ?? w);
  const arrays = [];
  for (let l = 0; l < shapes.length; l++) {
    const s = shapes[l]!;
    const chunks = s.map((d, i) => (i === n - 2 ? Math.min(cy, d) : i === n - 1 ? Math.min(cx, d) : 1));
    arrays.push(await createArray(store, `${path}/${l}`, version, { dtype: src.dtype, shape: s, chunks, names: src.axes.axes.map((a) => a.name) }));
  }
  return { arrays, shapes };
}

/** Level l + 1 of a label plane [H, W]: the top-left pixel of each 2×2 block (labels are not averaged). */
function nearest2x(a: NDArray): NDArray {
  const w = a.shape[1]!;
  const [oh, ow] = halvedShape(a.shape) as [number, number];
  const src = a.data as ArrayLike<number>;
  const out = new (a.data.constructor as new (n: number) => { [i: number]: number })(oh * ow);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) out[y * ow + x] = src[2 * y * w + 2 * x]!;
  return { dtype: a.dtype, shape: [oh, ow], data: out } as unknown as NDArray;
}

/** Write one plane (and its pyramid levels) at `region` (one index along t, c, z). */
async function writePlane(levels: Levels, region: ([number, number] | null)[], plane: NDArray, reduce: (a: NDArray) => NDArray = downsample2x): Promise<void> {
  for (let l = 0; l < levels.arrays.length; l++) {
    if (l > 0) plane = reduce(plane);
    const shape = region.map((r, i) => (r ? 1 : i === region.length - 2 ? plane.shape[0]! : i === region.length - 1 ? plane.shape[1]! : 1));
    const sel = region.map((r) => (r ? zarr.slice(r[0], r[1]) : null));
    const value = { data: plane.data, shape, stride: stridesOf(shape) } as unknown as zarr.Chunk<zarr.DataType>;
    await zarr.set(levels.arrays[l]!, sel, value);
  }
}

function extendRange(r: ChannelRange, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < r.min) r.min = v;
    if (v > r.max) r.max = v;
  }
}

/** A label image to write under `labels/<name>`: an integer array of the image's shape without (or with size 1 on) its c axis. */
export interface LabelSource {
  name: string;
  array: ExportArray;
}

export interface OmeZarrOptions {
  labels?: readonly LabelSource[];
  onProgress?(done: number, total: number): void;
}

/** A label name usable as a Zarr path segment (others become '_'), unique among `taken`. */
function labelPath(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'labels';
  let p = base;
  for (let i = 2; taken.has(p); i++) p = `${base}_${i}`;
  taken.add(p);
  return p;
}

/** The label's own axes must be the image's without 'c' (or with it): its arrays get the image's axes with c of size 1. */
function labelGeometry(img: ExportArray, imgDims: OmeDims, label: ExportArray): { shape: number[]; axes: ImageAxes } {
  const c = imgDims.axis.c;
  const shape = img.shape.map((d, i) => (i === c ? 1 : d));
  const want = img.shape.filter((_, i) => i !== c);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(label.shape, want) && !same(label.shape, shape)) {
    throw new Error(
      `Label '${label.name}' has shape [${label.shape.join(', ')}]; as labels of '${img.name}' (shape [${img.shape.join(', ')}]) it must have shape [${want.join(', ')}].`,
    );
  }
  if (label.dtype.startsWith('float')) throw new Error(`Label '${label.name}' is ${label.dtype}; label images must hold integers (bool, uint8, …).`);
  const axes: ImageAxes = {
    axes: img.axes.axes.map((a) => ({ ...a })),
    channels: c >= 0 ? [{ label: label.name, color: 'FFFFFF', window: null, active: true }] : [],
  };
  return { shape, axes };
}

interface Progress {
  done: number;
  total: number;
  report?(done: number, total: number): void;
}

/** The image's levels written plane by plane, then its group with multiscales and omero (each channel's data range). */
async function writeImage(store: Store, version: NgffVersion, src: ExportArray, dims: OmeDims, progress: Progress): Promise<void> {
  const dtype = omeExportDType(src.dtype);
  const { y: h, x: w } = dims.size;
  const levels = await createLevels(store, '', version, { ...src, dtype }, h, w);
  const ranges: ChannelRange[] = Array.from({ length: dims.size.c }, () => ({ min: Infinity, max: -Infinity }));
  for (let i = 0; i < dims.planes; i++) {
    const region = planeRegion(dims, src.shape.length, i);
    const plane = exportPlane(await src.read(region), h, w);
    extendRange(ranges[planeZct(dims, i).c]!, plane.data as ArrayLike<number>);
    await writePlane(levels, region, plane);
    progress.report?.(++progress.done, progress.total);
  }
  for (const r of ranges) if (r.min > r.max) r.min = r.max = 0;
  await writeGroup(store, '', version, imageAttributes(version, { axes: src.axes, name: src.name, levels: levels.arrays.length, dtype, ranges }));
}

/** One label image under `labels/<path>`: its levels (nearest), then its group with image-label colours for the values found. */
async function writeLabel(
  store: Store,
  version: NgffVersion,
  img: { src: ExportArray; dims: OmeDims },
  lab: LabelSource,
  geo: { shape: number[]; axes: ImageAxes },
  path: string,
  progress: Progress,
): Promise<void> {
  const { y: h, x: w, c } = { ...img.dims.size, c: img.dims.axis.c };
  const n = geo.shape.length;
  const ldims = omeDims(geo.shape, geo.axes, `Label '${lab.name}'`);
  const lv = await createLevels(
    store,
    `/labels/${path}`,
    version,
    { dtype: omeExportDType(lab.array.dtype), shape: geo.shape, chunkShape: img.src.chunkShape, axes: geo.axes },
    h,
    w,
  );
  const values = new Set<number>();
  for (let i = 0; i < ldims.planes; i++) {
    const region = planeRegion(ldims, n, i);
    // The mask itself may lack the c axis.
    const own = lab.array.shape.length === n ? region : region.filter((_, k) => k !== c);
    const plane = exportPlane(await lab.array.read(own), h, w);
    const data = plane.data as ArrayLike<number>;
    for (let k = 0; k < data.length && values.size <= MAX_LABEL_COLORS; k++) values.add(data[k]!);
    await writePlane(lv, region, plane, nearest2x);
    progress.report?.(++progress.done, progress.total);
  }
  const found = [...values].filter((v) => v !== 0).sort((a, b) => a - b);
  const colors = labelColors(found.slice(0, MAX_LABEL_COLORS));
  await writeGroup(store, `/labels/${path}`, version, labelImageAttributes(version, { axes: geo.axes, name: lab.name, levels: lv.arrays.length, colors }));
}

/** image-label lists colours for at most this many label values (the first found, in value order). */
const MAX_LABEL_COLORS = 1024;

/** Write `src` (and its labels) as an OME-Zarr of `version` into `target`. */
export async function writeOmeZarr(src: ExportArray, target: ZarrTarget, version: NgffVersion, opts: OmeZarrOptions = {}): Promise<void> {
  const store = storeOver(target);
  const dims = omeDims(src.shape, src.axes, `Dataset '${src.name}'`);
  const labels = opts.labels ?? [];
  // Every label is checked before anything is written.
  const geos = labels.map((lab) => labelGeometry(src, dims, lab.array));
  const progress: Progress = { done: 0, total: dims.planes + labels.length * dims.size.z * dims.size.t, report: opts.onProgress };
  await writeImage(store, version, src, dims, progress);
  if (labels.length) {
    const taken = new Set<string>();
    const paths = labels.map((lab) => labelPath(lab.name, taken));
    for (const [i, lab] of labels.entries()) await writeLabel(store, version, { src, dims }, lab, geos[i]!, paths[i]!, progress);
    await writeGroup(store, '/labels', version, labelsAttributes(version, paths));
  }
  await target.finish();
}
