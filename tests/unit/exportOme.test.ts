// OME-TIFF and OME-Zarr export (datasets.exportOme / stacks.exportOme), read back by independent
// readers: python3 tifffile (values, OME-XML, series axes, SubIFD pyramid levels), python3 zarr 2.13
// (NGFF 0.4: values, .zattrs multiscales/omero, labels) and zarrita (NGFF 0.5, Zarr v3).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import { createAlgobox, type Algobox } from '../../src/api';
import { axisOf, defaultChannels, type ImageAxes } from '../../src/core/imageAxes';
import { downsample2x } from '../../src/core/pyramid';
import { ndarray, type DType, type NDArray } from '../../src/core/ndarray';
import { blobSink, type FileHandleLike } from '../../src/engine/exportOmeSinks';
import { writeOmeZarr, zipTarget, type DirectoryHandleLike } from '../../src/engine/exportOmeZarr';
import { writeOmeTiff } from '../../src/engine/exportOmeTiff';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const PYTHON = '/usr/bin/python3';
const has = (mod: string) => spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
const TIFFFILE = has('numpy') && has('tifffile');
const ZARR = has('numpy') && has('zarr');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-export-ome-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `export-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

/** Run python with `d` = the temp dir; `out(a)` saves an array as `<name>.raw` (little-endian); what it prints last is JSON. */
function py(code: string): Record<string, unknown> {
  const prelude = [
    'import sys, json, os, zipfile',
    'import numpy as np',
    'd = sys.argv[1]',
    "def out(name, a): np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tofile(os.path.join(d, name + '.raw'))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', `${prelude}\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

function raw(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, `${name}.raw`)));
}

function bytesOf(a: NDArray): Uint8Array {
  return new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

/** Where two byte strings first differ ('length a ≠ b' when their lengths do), or null: fast on megabytes, unlike toEqual. */
function diff(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `length ${a.length} ≠ ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} ≠ ${b[i]}`;
  return null;
}

async function save(blob: Blob | null, name: string): Promise<string> {
  if (!blob) throw new Error('expected a Blob');
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(await blob.arrayBuffer()));
  return p;
}

/** A deterministic array: element i is (i × k) mod m (as the dtype holds it). */
function ramp(dtype: DType, shape: number[], k = 7, m = 251): NDArray {
  const a = ndarray(dtype, shape);
  const d = a.data as unknown as { [i: number]: number; length: number };
  const off = dtype.startsWith('float') ? 0.25 : 0;
  for (let i = 0; i < d.length; i++) d[i] = ((i * k) % m) + off;
  return a;
}

function axes(names: string[], opts: { unit?: string; scale?: number; channels?: [string, string][]; c?: number } = {}): ImageAxes {
  if (!opts.channels && opts.c) return { ...axes(names, { ...opts, c: 0 }), channels: defaultChannels(opts.c) };
  return {
    axes: names.map((n) =>
      n === 'y' || n === 'x' || n === 'z' ? axisOf(n, opts.unit ?? null, opts.scale ?? 1) : n === 't' ? axisOf(n, 'second', 2.5) : axisOf(n),
    ),
    channels: (opts.channels ?? []).map(([label, color]) => ({ label, color, window: null, active: true })),
  };
}

const CHANNELS: [string, string][] = [
  ['DAPI', '0000FF'],
  ['GFP', '00FF00'],
  ['mCherry', 'FF0000'],
];

/** tifffile's view of a file: series axes/shape/dtype, levels, the OME-XML's Pixels and Channels, the values (`<name>.raw`). */
function readTiff(path: string, name: string): Record<string, unknown> {
  return py(`
import tifffile, xml.etree.ElementTree as ET
t = tifffile.TiffFile(${JSON.stringify(path)})
s = t.series[0]
out(${JSON.stringify(name)}, s.asarray())
ns = {'o': 'http://www.openmicroscopy.org/Schemas/OME/2016-06'}
root = ET.fromstring(t.ome_metadata)
px = root.find('o:Image/o:Pixels', ns)
chans = [dict(c.attrib) for c in px.findall('o:Channel', ns)]
levels = [list(l.shape) for l in s.levels]
if len(s.levels) > 1: out(${JSON.stringify(name)} + '_l1', s.levels[1].asarray())
print(json.dumps({'ome': t.is_ome, 'big': t.is_bigtiff, 'axes': s.axes, 'shape': list(s.shape), 'dtype': str(s.dtype), 'levels': levels,
  'pixels': dict(px.attrib), 'channels': chans, 'tiffdata': len(px.findall('o:TiffData', ns)), 'compression': int(t.pages[0].compression),
  'tiled': t.pages[0].is_tiled, 'ns': root.tag}))
`);
}

/** zarr 2.13's view of an OME-Zarr 0.4 zip: the image group's attributes, each level's shape, level 0's values; labels when present. */
function readZarr04(path: string, name: string): Record<string, unknown> {
  return py(`
import zarr
x = os.path.join(d, ${JSON.stringify(name)} + '_unzipped')
zipfile.ZipFile(${JSON.stringify(path)}).extractall(x)
top = [e for e in os.listdir(x)][0]
g = zarr.open(os.path.join(x, top), mode='r')
attrs = dict(g.attrs)
paths = [ds['path'] for ds in attrs['multiscales'][0]['datasets']]
out(${JSON.stringify(name)}, g[paths[0]][:])
res = {'top': top, 'attrs': attrs, 'shapes': [list(g[p].shape) for p in paths], 'dtype': str(g[paths[0]].dtype), 'chunks': list(g[paths[0]].chunks)}
if 'labels' in g:
  lg = g['labels']
  res['labels'] = dict(lg.attrs)
  for n in res['labels']['labels']:
    out(${JSON.stringify(name)} + '_label_' + n, lg[n]['0'][:])
    res['label_' + n] = {'attrs': dict(lg[n].attrs), 'shape': list(lg[n]['0'].shape), 'dtype': str(lg[n]['0'].dtype)}
print(json.dumps(res))
`);
}

/** zarrita's view of an OME-Zarr 0.5 zip (Zarr v3): the root attributes and an array at `path`. */
async function readZarr05(blob: Blob | null, path: string): Promise<{ attrs: Record<string, unknown>; top: string; array: NDArray; shape: number[] }> {
  const files = unzipSync(new Uint8Array(await blob!.arrayBuffer()));
  const store = new Map(Object.entries(files).map(([k, v]) => [`/${k}`, v]));
  const top = Object.keys(files)[0]!.split('/')[0]!;
  const rootGroup = await zarr.open.v3(zarr.root(store).resolve(top), { kind: 'group' });
  const arr = await zarr.open.v3(zarr.root(store).resolve(`${top}/${path}`), { kind: 'array' });
  const got = await zarr.get(arr);
  return {
    attrs: rootGroup.attrs as Record<string, unknown>,
    top,
    array: { dtype: arr.dtype as DType, shape: got.shape, data: got.data } as NDArray,
    shape: arr.shape,
  };
}

describe.skipIf(!TIFFFILE)('exportOme: OME-TIFF read back by tifffile', () => {
  it('2-D uint8: one plane, YX, values exact, no physical sizes', async () => {
    const api = makeApi();
    const img = ramp('uint8', [5, 7]);
    const id = await api.datasets.put({ image: img }, { name: 'plain.png' });
    const r = readTiff(await save(await api.datasets.exportOme(id, { format: 'ome-tiff' }), 'plain.ome.tif'), 'plain');
    expect(r).toMatchObject({ ome: true, big: false, axes: 'YX', shape: [5, 7], dtype: 'uint8', levels: [[5, 7]], tiffdata: 1, compression: 1 });
    expect(r.ns).toBe('{http://www.openmicroscopy.org/Schemas/OME/2016-06}OME');
    expect(r.pixels).toMatchObject({ DimensionOrder: 'XYZCT', Type: 'uint8', SizeX: '7', SizeY: '5', SizeZ: '1', SizeC: '1', SizeT: '1' });
    expect(r.pixels).not.toHaveProperty('PhysicalSizeX');
    expect(diff(raw('plain'), bytesOf(img))).toBeNull();
  });

  it('CYX uint16: 3 named, coloured channels and µm pixel sizes', async () => {
    const api = makeApi();
    const img = ramp('uint16', [3, 6, 9], 977, 65521);
    const id = await api.datasets.put(
      { image: img },
      { name: 'cells', axes: { image: axes(['c', 'y', 'x'], { unit: 'micrometer', scale: 0.325, channels: CHANNELS }) } },
    );
    const r = readTiff(await save(await api.datasets.exportOme(id, { format: 'ome-tiff' }), 'cyx.ome.tif'), 'cyx');
    expect(r).toMatchObject({ axes: 'CYX', shape: [3, 6, 9], dtype: 'uint16', tiffdata: 3 });
    expect(r.pixels).toMatchObject({
      Type: 'uint16',
      SizeC: '3',
      PhysicalSizeX: '0.325',
      PhysicalSizeXUnit: 'µm',
      PhysicalSizeY: '0.325',
      PhysicalSizeYUnit: 'µm',
    });
    expect((r.channels as Record<string, string>[]).map((c) => [c.Name, c.Color, c.SamplesPerPixel])).toEqual([
      ['DAPI', String(0x0000ffff), '1'],
      ['GFP', String(0x00ff00ff), '1'],
      ['mCherry', String(0xff0000ff | 0), '1'],
    ]);
    expect(diff(raw('cyx'), bytesOf(img))).toBeNull();
  });

  it('CZYX int16 (Deflate) and TCZYX float32 with a time increment: planes in XYZCT order', async () => {
    const api = makeApi();
    const czyx = ramp('int16', [2, 3, 4, 5], 31, 30011);
    const a = await api.datasets.put({ image: czyx }, { name: 'czyx', axes: { image: axes(['c', 'z', 'y', 'x'], { unit: 'nanometer', scale: 80, c: 2 }) } });
    const r1 = readTiff(await save(await api.datasets.exportOme(a, { format: 'ome-tiff', compression: 'deflate' }), 'czyx.ome.tif'), 'czyx');
    expect(r1).toMatchObject({ axes: 'CZYX', shape: [2, 3, 4, 5], dtype: 'int16', tiffdata: 6, compression: 8 });
    expect(r1.pixels).toMatchObject({ PhysicalSizeZ: '80', PhysicalSizeZUnit: 'nm', Type: 'int16' });
    expect(diff(raw('czyx'), bytesOf(czyx))).toBeNull();

    const t5 = ramp('float32', [2, 2, 3, 4, 5]);
    const b = await api.datasets.put(
      { image: t5 },
      { name: 'tczyx', axes: { image: axes(['t', 'c', 'z', 'y', 'x'], { unit: 'micrometer', scale: 0.5, c: 2 }) } },
    );
    const r2 = readTiff(await save(await api.datasets.exportOme(b, { format: 'ome-tiff' }), 'tczyx.ome.tif'), 'tczyx');
    expect(r2).toMatchObject({ axes: 'TCZYX', shape: [2, 2, 3, 4, 5], dtype: 'float32', tiffdata: 12 });
    expect(r2.pixels).toMatchObject({ Type: 'float', TimeIncrement: '2.5', TimeIncrementUnit: 's', PhysicalSizeZ: '0.5' });
    expect(diff(raw('tczyx'), bytesOf(t5))).toBeNull();
  });

  it('a 3000×2500 uint8 plane: 512×512 tiles and a SubIFD pyramid of 2×2 means', async () => {
    const api = makeApi();
    const img = ramp('uint8', [2500, 3000]);
    const w = await api.datasets.createWriter({ key: 'image', dtype: 'uint8', shape: [2500, 3000], name: 'large' });
    await w.write([0, 0], img);
    const id = await w.commit();
    const r = readTiff(await save(await api.datasets.exportOme(id, { format: 'ome-tiff' }), 'large.ome.tif'), 'large');
    expect(r).toMatchObject({ axes: 'YX', shape: [2500, 3000], tiled: true });
    expect(r.levels).toEqual([
      [2500, 3000],
      [1250, 1500],
      [625, 750],
      [313, 375],
    ]);
    expect(diff(raw('large'), bytesOf(img))).toBeNull();
    expect(diff(raw('large_l1'), bytesOf(downsample2x(img)))).toBeNull();
  });

  it('a stack of 2-D images exports as a Z stack', async () => {
    const api = makeApi();
    const slices = [0, 1, 2].map((z) => ramp('uint16', [4, 6], 3 + z, 1000));
    const ids = await api.datasets.putMany(slices.map((s, z) => ({ fields: { image: s }, meta: { name: `s${z}` } })));
    const st = await api.stacks.create({ name: 'zs', datasetIds: ids });
    const r = readTiff(await save(await api.stacks.exportOme(st.id, { format: 'ome-tiff' }), 'zs.ome.tif'), 'zs');
    expect(r).toMatchObject({ axes: 'ZYX', shape: [3, 4, 6], dtype: 'uint16', tiffdata: 3 });
    expect(diff(raw('zs'), new Uint8Array(slices.flatMap((s) => [...bytesOf(s)])))).toBeNull();
  });

  it('BigTIFF: the same planes with 8-byte offsets (forced here; chosen when the file could pass 4 GiB)', async () => {
    const img = ramp('uint16', [2, 3, 4], 11, 60000);
    const sink = blobSink('image/tiff');
    const src = {
      name: 'big',
      dtype: 'uint16' as const,
      shape: [2, 3, 4],
      chunkShape: [1, 3, 4],
      axes: axes(['z', 'y', 'x']),
      read: async (reg: readonly (readonly [number, number] | null)[]) => {
        const z = reg[0]![0];
        return ndarray('uint16', [1, 3, 4], img.data.subarray(z * 12, z * 12 + 12));
      },
    };
    await writeOmeTiff(src, sink, { bigTiff: true });
    const r = readTiff(await save(sink.blob(), 'big.ome.tif'), 'big');
    expect(r).toMatchObject({ ome: true, big: true, axes: 'ZYX', shape: [2, 3, 4] });
    expect(diff(raw('big'), bytesOf(img))).toBeNull();
  });
});

describe.skipIf(!ZARR)('exportOme: OME-Zarr 0.4 read back by zarr 2.13', () => {
  it('CYX uint16: values, multiscales axes/units/scale, omero channels', async () => {
    const api = makeApi();
    const img = ramp('uint16', [3, 6, 9], 977, 65521);
    const id = await api.datasets.put(
      { image: img },
      { name: 'cells', axes: { image: axes(['c', 'y', 'x'], { unit: 'micrometer', scale: 0.325, channels: CHANNELS }) } },
    );
    const r = readZarr04(await save(await api.datasets.exportOme(id, { format: 'ome-zarr-0.4' }), 'cells04.zip'), 'cells04');
    expect(r.top).toBe('cells.ome.zarr');
    expect(r).toMatchObject({ shapes: [[3, 6, 9]], dtype: 'uint16', chunks: [1, 6, 9] });
    const attrs = r.attrs as { multiscales: Record<string, unknown>[]; omero: { channels: Record<string, unknown>[] } };
    expect(attrs.multiscales[0]).toMatchObject({
      version: '0.4',
      axes: [
        { name: 'c', type: 'channel' },
        { name: 'y', type: 'space', unit: 'micrometer' },
        { name: 'x', type: 'space', unit: 'micrometer' },
      ],
      datasets: [{ path: '0', coordinateTransformations: [{ type: 'scale', scale: [1, 0.325, 0.325] }] }],
    });
    expect(attrs.omero.channels.map((c) => [c.label, c.color, c.active])).toEqual(CHANNELS.map(([l, c]) => [l, c, true]));
    const minMax = (c: number) => {
      const v = Array.from(img.data.subarray(c * 54, c * 54 + 54));
      return { start: Math.min(...v), end: Math.max(...v), min: 0, max: 65535 };
    };
    expect(attrs.omero.channels.map((c) => c.window)).toEqual([0, 1, 2].map(minMax));
    expect(diff(raw('cells04'), bytesOf(img))).toBeNull();
  });

  it('TCZYX float32 and a large plane with pyramid levels (2×2 mean, scale doubling)', async () => {
    const api = makeApi();
    const t5 = ramp('float32', [2, 2, 3, 4, 5]);
    const a = await api.datasets.put({ image: t5 }, { name: 't5', axes: { image: axes(['t', 'c', 'z', 'y', 'x'], { unit: 'micrometer', scale: 0.5, c: 2 }) } });
    const r1 = readZarr04(await save(await api.datasets.exportOme(a, { format: 'ome-zarr-0.4' }), 't5.zip'), 't5');
    expect(r1).toMatchObject({ shapes: [[2, 2, 3, 4, 5]], dtype: 'float32' });
    expect((r1.attrs as { multiscales: { axes: { name: string; unit?: string }[] }[] }).multiscales[0]!.axes.map((x) => [x.name, x.unit ?? null])).toEqual([
      ['t', 'second'],
      ['c', null],
      ['z', 'micrometer'],
      ['y', 'micrometer'],
      ['x', 'micrometer'],
    ]);
    expect(diff(raw('t5'), bytesOf(t5))).toBeNull();

    const img = ramp('uint8', [2500, 3000]);
    const w = await api.datasets.createWriter({ key: 'image', dtype: 'uint8', shape: [2500, 3000], name: 'large' });
    await w.write([0, 0], img);
    const r2 = readZarr04(await save(await api.datasets.exportOme(await w.commit(), { format: 'ome-zarr-0.4' }), 'large.zip'), 'large04');
    expect(r2.shapes).toEqual([
      [2500, 3000],
      [1250, 1500],
      [625, 750],
      [313, 375],
    ]);
    const ds = (r2.attrs as { multiscales: { datasets: { coordinateTransformations: { scale?: number[] }[] }[] }[] }).multiscales[0]!.datasets;
    expect(ds.map((x) => x.coordinateTransformations[0]!.scale)).toEqual([
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
    ]);
    expect(diff(raw('large04'), bytesOf(img))).toBeNull();
  });

  it('a segmentation mask exports as labels/<name> of its source image (image-label colours, source)', async () => {
    const api = makeApi();
    const img = ramp('uint16', [3, 6, 9], 977, 65521);
    const src = await api.datasets.put(
      { image: img },
      { name: 'cells', axes: { image: axes(['c', 'y', 'x'], { unit: 'micrometer', scale: 0.325, channels: CHANNELS }) } },
    );
    const mask = ndarray(
      'uint8',
      [6, 9],
      Array.from({ length: 54 }, (_, i) => (i % 9 < 4 ? 0 : i < 27 ? 1 : 2)),
    );
    const m = await api.datasets.put({ mask }, { name: 'nuclei mask', schema: 'Segmentation', extra: { inputs: [src] } });
    const r = readZarr04(await save(await api.datasets.exportOme(src, { format: 'ome-zarr-0.4', labels: [m] }), 'labels.zip'), 'lab');
    expect(r.labels).toEqual({ labels: ['nuclei_mask'] });
    const lab = r.label_nuclei_mask as { attrs: Record<string, Record<string, unknown>>; shape: number[]; dtype: string };
    expect(lab.shape).toEqual([1, 6, 9]);
    expect(lab.dtype).toBe('uint8');
    expect(lab.attrs['image-label']).toMatchObject({ version: '0.4', source: { image: '../../' } });
    expect((lab.attrs['image-label']!.colors as { 'label-value': number; rgba: number[] }[]).map((c) => c['label-value'])).toEqual([1, 2]);
    expect(diff(raw('lab_label_nuclei_mask'), bytesOf(mask))).toBeNull();
    expect(diff(raw('lab'), bytesOf(img))).toBeNull();
  });
});

describe('exportOme: OME-Zarr 0.5 read back by zarrita (Zarr v3)', () => {
  it('CZYX int16: values, ome.version 0.5, axes, omero', async () => {
    const api = makeApi();
    const img = ramp('int16', [2, 3, 4, 5], 31, 30011);
    const id = await api.datasets.put(
      { image: img },
      { name: 'czyx', axes: { image: axes(['c', 'z', 'y', 'x'], { unit: 'nanometer', scale: 80, channels: CHANNELS.slice(0, 2) }) } },
    );
    const blob = await api.datasets.exportOme(id, { format: 'ome-zarr-0.5' });
    const r = await readZarr05(blob, '0');
    expect(r.top).toBe('czyx.ome.zarr');
    expect(r.array.dtype).toBe('int16');
    expect(r.array.shape).toEqual([2, 3, 4, 5]);
    expect(diff(bytesOf(r.array), bytesOf(img))).toBeNull();
    const ome = r.attrs.ome as { version: string; multiscales: Record<string, unknown>[]; omero: { channels: Record<string, unknown>[] } };
    expect(ome.version).toBe('0.5');
    expect(ome.multiscales[0]).not.toHaveProperty('version');
    expect(ome.multiscales[0]!.axes).toEqual([
      { name: 'c', type: 'channel' },
      { name: 'z', type: 'space', unit: 'nanometer' },
      { name: 'y', type: 'space', unit: 'nanometer' },
      { name: 'x', type: 'space', unit: 'nanometer' },
    ]);
    expect(ome.multiscales[0]!.datasets).toEqual([{ path: '0', coordinateTransformations: [{ type: 'scale', scale: [1, 80, 80, 80] }] }]);
    expect(ome.omero.channels.map((c) => [c.label, c.color])).toEqual([
      ['DAPI', '0000FF'],
      ['GFP', '00FF00'],
    ]);
  });

  it('labels in 0.5: under ome, image-label without its own version', async () => {
    const api = makeApi();
    const img = ramp('uint8', [6, 9]);
    const src = await api.datasets.put({ image: img }, { name: 'gray' });
    const mask = ndarray(
      'bool',
      [6, 9],
      Array.from({ length: 54 }, (_, i) => (i % 2 ? 1 : 0)),
    );
    const m = await api.datasets.put({ mask }, { name: 'm', extra: { inputs: [src] } });
    const blob = await api.datasets.exportOme(src, { format: 'ome-zarr-0.5', labels: [m] });
    const lab = await readZarr05(blob, 'labels/m/0');
    expect(lab.array.dtype).toBe('uint8');
    expect(Array.from(lab.array.data)).toEqual(Array.from(mask.data));
    const files = unzipSync(new Uint8Array(await blob!.arrayBuffer()));
    const labAttrs = JSON.parse(new TextDecoder().decode(files['gray.ome.zarr/labels/m/zarr.json'])).attributes;
    expect(labAttrs.ome['image-label']).toEqual({ colors: [{ 'label-value': 1, rgba: expect.any(Array) }], source: { image: '../../' } });
    expect(JSON.parse(new TextDecoder().decode(files['gray.ome.zarr/labels/zarr.json'])).attributes).toEqual({ ome: { version: '0.5', labels: ['m'] } });
  });
});

describe('exportOme: refusals name the dataset, the field and what is expected', () => {
  it('unknown format, compression for Zarr, labels for TIFF, a mask of another shape, non-canonical axes', async () => {
    const api = makeApi();
    const id = await api.datasets.put({ image: ramp('uint8', [4, 5]) }, { name: 'small' });
    const other = await api.datasets.put({ mask: ramp('uint8', [3, 3]) }, { name: 'wrong mask' });
    await expect(api.datasets.exportOme(id, { format: 'ome-png' as never })).rejects.toThrow(
      /options.format must be one of 'ome-tiff', 'ome-zarr-0.4', 'ome-zarr-0.5'; got "ome-png"/,
    );
    await expect(api.datasets.exportOme(id, { format: 'ome-zarr-0.4', compression: 'deflate' })).rejects.toThrow(/OME-Zarr chunks are written uncompressed/);
    await expect(api.datasets.exportOme(id, { format: 'ome-tiff', labels: [other] })).rejects.toThrow(/labels are written to OME-Zarr only/);
    await expect(api.datasets.exportOme(id, { format: 'ome-zarr-0.4', labels: [other] })).rejects.toThrow(
      "Label 'wrong mask' has shape [3, 3]; as labels of 'small' (shape [4, 5]) it must have shape [4, 5].",
    );
    const odd = await api.datasets.put(
      { image: ramp('uint8', [2, 4, 5]) },
      { name: 'odd', axes: { image: { axes: [axisOf('y'), axisOf('z'), axisOf('x')], channels: [] } } },
    );
    await expect(api.datasets.exportOme(odd, { format: 'ome-tiff' })).rejects.toThrow(
      "Dataset 'odd': axes (y, z, x) of shape [2, 4, 5] cannot be exported as OME: expected a subset of t, c, z, y, x in that order, ending with y, x.",
    );
  });
});

/** A FileSystemDirectoryHandle stand-in over a real folder (node:fs): each file written on close. */
function nodeDir(path: string): DirectoryHandleLike {
  mkdirSync(path, { recursive: true });
  return {
    getDirectoryHandle: async (name) => nodeDir(join(path, name)),
    getFileHandle: async (name) => ({
      async createWritable() {
        const parts: Uint8Array[] = [];
        return {
          write: async (b: Uint8Array) => void parts.push(new Uint8Array(b)),
          close: async () => writeFileSync(join(path, name), Buffer.concat(parts)),
        };
      },
    }),
  };
}

/** A FileSystemFileHandle stand-in: appends, positioned writes and seeks into a buffer written to `path` on close; abort drops it. */
function nodeFile(path: string, log: string[]): FileHandleLike {
  return {
    async createWritable() {
      let buf = new Uint8Array(0);
      let pos = 0;
      const put = (data: Uint8Array, at: number) => {
        if (at + data.length > buf.length) {
          const grown = new Uint8Array(Math.max(at + data.length, buf.length * 2));
          grown.set(buf);
          buf = grown;
        }
        buf.set(data, at);
      };
      let size = 0;
      return {
        async write(x) {
          if (x instanceof Uint8Array) {
            put(x, pos);
            pos += x.length;
          } else if (x.type === 'write') {
            put(x.data, x.position);
            pos = x.position + x.data.length;
            log.push(`write@${x.position}`);
          } else pos = x.position;
          size = Math.max(size, pos);
        },
        close: async () => writeFileSync(path, buf.subarray(0, size)),
        abort: async () => void log.push('abort'),
      };
    },
  };
}

describe.skipIf(!TIFFFILE || !ZARR)('exportOme: into a file (save picker) or a folder (directory picker)', () => {
  it('an OME-TIFF streamed into a file handle: header patched last, read back by tifffile', async () => {
    const api = makeApi();
    const img = ramp('uint16', [2, 5, 6], 13, 50000);
    const id = await api.datasets.put({ image: img }, { name: 'zyx' });
    const log: string[] = [];
    const path = join(dir, 'handle.ome.tif');
    expect(await api.datasets.exportOme(id, { format: 'ome-tiff', target: nodeFile(path, log) })).toBeNull();
    expect(log).toEqual(['write@0']);
    const r = readTiff(path, 'handle');
    expect(r).toMatchObject({ ome: true, axes: 'ZYX', shape: [2, 5, 6] });
    expect(diff(raw('handle'), bytesOf(img))).toBeNull();
  });

  it('an OME-Zarr 0.4 written into a folder opens with zarr 2.13', async () => {
    const api = makeApi();
    const img = ramp('float32', [3, 4, 5]);
    const id = await api.datasets.put({ image: img }, { name: 'vol', axes: { image: axes(['z', 'y', 'x'], { unit: 'micrometer', scale: 2 }) } });
    const folder = join(dir, 'picked', 'vol.ome.zarr');
    expect(await api.datasets.exportOme(id, { format: 'ome-zarr-0.4', target: nodeDir(folder) })).toBeNull();
    const r = py(`
import zarr
g = zarr.open(${JSON.stringify(folder)}, mode='r')
out('folder', g['0'][:])
print(json.dumps({'shape': list(g['0'].shape), 'scale': g.attrs['multiscales'][0]['datasets'][0]['coordinateTransformations'][0]['scale']}))
`);
    expect(r).toEqual({ shape: [3, 4, 5], scale: [2, 2, 2] });
    expect(diff(raw('folder'), bytesOf(img))).toBeNull();
  });

  it('a refused export aborts the file (no half file) and writes nothing into a folder', async () => {
    const api = makeApi();
    const id = await api.datasets.put({ image: ramp('uint8', [4, 5]) }, { name: 'small' });
    const bad = await api.datasets.put({ mask: ramp('uint8', [2, 2]) }, { name: 'bad' });
    const log: string[] = [];
    const path = join(dir, 'aborted.zip');
    await expect(api.datasets.exportOme(id, { format: 'ome-zarr-0.4', labels: [bad], target: nodeFile(path, log) })).rejects.toThrow(
      /Label 'bad' has shape \[2, 2\]/,
    );
    expect(log).toEqual(['abort']);
    expect(existsSync(path)).toBe(false);
    const folder = join(dir, 'nothing');
    await expect(api.datasets.exportOme(id, { format: 'ome-zarr-0.5', labels: [bad], target: nodeDir(folder) })).rejects.toThrow(/Label 'bad'/);
    expect(existsSync(join(folder, 'zarr.json'))).toBe(false);
  });
});

describe('exportOme: streaming and geometry', () => {
  /** An in-memory [.., H, W] array that records the size of every region read. */
  function recorded(a: NDArray, ax: ImageAxes, reads: number[]) {
    const n = a.shape.length;
    const planeSize = a.shape[n - 1]! * a.shape[n - 2]!;
    return {
      name: 'rec',
      dtype: a.dtype,
      shape: a.shape,
      chunkShape: a.shape.map((d, i) => (i < n - 2 ? 1 : d)),
      axes: ax,
      async read(region: readonly (readonly [number, number] | null)[]) {
        // Only whole planes are read: the plane index from the leading axes.
        let idx = 0;
        for (let i = 0; i < n - 2; i++) idx = idx * a.shape[i]! + region[i]![0];
        reads.push(region.reduce((s, r, i) => s * (r ? r[1] - r[0] : a.shape[i]!), 1));
        return ndarray(a.dtype, [1, a.shape[n - 2]!, a.shape[n - 1]!], a.data.subarray(idx * planeSize, (idx + 1) * planeSize) as never);
      },
    };
  }

  it('OME-TIFF and OME-Zarr read one plane at a time (never the whole array)', async () => {
    const img = ramp('uint16', [2, 3, 4, 5], 17, 9000);
    const ax = axes(['c', 'z', 'y', 'x'], { c: 2 });
    const reads: number[] = [];
    await writeOmeTiff(recorded(img, ax, reads), blobSink('image/tiff'));
    expect(reads).toEqual(Array(6).fill(20));
    reads.length = 0;
    await writeOmeZarr(recorded(img, ax, reads), zipTarget(blobSink('application/zip'), 'x.ome.zarr'), '0.4');
    expect(reads).toEqual(Array(6).fill(20));
  });

  it.skipIf(!ZARR)('a Z-stack mask as labels of a CZYX image; an origin becomes a translation', async () => {
    const api = makeApi();
    const img = ramp('uint8', [2, 3, 4, 5]);
    const ax = axes(['c', 'z', 'y', 'x'], { unit: 'micrometer', scale: 0.5, c: 2 });
    ax.axes[3]!.translation = 10;
    const src = await api.datasets.put({ image: img }, { name: 'czyx', axes: { image: ax } });
    const mask = ndarray(
      'uint16',
      [3, 4, 5],
      Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 300 : i % 5)),
    );
    const m = await api.datasets.put({ mask }, { name: 'seg', schema: 'Segmentation', extra: { inputs: [src] } });
    const r = readZarr04(await save(await api.datasets.exportOme(src, { format: 'ome-zarr-0.4', labels: [m] }), 'zlab.zip'), 'zlab');
    const lab = r.label_seg as { attrs: Record<string, Record<string, unknown>>; shape: number[]; dtype: string };
    expect(lab).toMatchObject({ shape: [1, 3, 4, 5], dtype: 'uint16' });
    expect((lab.attrs['image-label']!.colors as { 'label-value': number }[]).map((c) => c['label-value'])).toEqual([1, 2, 3, 4, 300]);
    expect(diff(raw('zlab_label_seg'), bytesOf(mask))).toBeNull();
    const t = (r.attrs as { multiscales: { datasets: { coordinateTransformations: unknown[] }[] }[] }).multiscales[0]!.datasets[0]!.coordinateTransformations;
    expect(t).toEqual([
      { type: 'scale', scale: [1, 0.5, 0.5, 0.5] },
      { type: 'translation', translation: [0, 0, 0, 10] },
    ]);
  });
});
