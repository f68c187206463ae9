// OME-Zarr (issue 14): NGFF 0.4 folders written here by Python's zarr 2.13 (Zarr v2: Blosc, zlib and
// uncompressed arrays, multiscales, omero, labels), NGFF 0.5 written here by zarrita (Zarr v3) with a
// sharded array built by hand per the sharding spec. Dropped folders import as ONE dataset (plus one
// Segmentation per label image); a URL opens as a REMOTE dataset served by a loopback HTTP server that
// counts requests: reading a plane fetches only its chunks.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as zarr from 'zarrita';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NDArray } from '../../src/core/ndarray';
import { importFiles, type ImportContext } from '../../src/engine/importFiles';
import { copyRemoteDataset, openRemoteZarr } from '../../src/engine/importZarr';
import type { Store } from '../../src/store/index';
import { createAlgobox } from '../../src/api';
import { freshStores } from './helpers/freshStores';
import { builtinBundleFolder } from './helpers/builtinFolder';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { writeShardedUint16 } from './helpers/zarrShards';

const PYTHON = '/usr/bin/python3';
const ZARR = spawnSync(PYTHON, ['-c', 'import zarr, numpy'], { stdio: 'ignore' }).status === 0;
const NO_ZARR = 'needs zarr and numpy under /usr/bin/python3 (apt-get install -y python3-zarr)';
const { fresh } = freshStores('ome-zarr');

let dir = '';
const values = (a: NDArray) => Array.from(a.data as ArrayLike<number>);

/** What numpy saved as `<name>.raw` (little-endian, C order), as numbers. */
function expected(name: string, ctor: { new (b: ArrayBuffer): ArrayLike<number> }): number[] {
  const b = readFileSync(join(dir, `${name}.raw`));
  return Array.from(new ctor(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

const PY = String.raw`
import sys, json, numpy as np, zarr
from numcodecs import Zlib
d = sys.argv[1]
def save(name, a):
    a.astype(a.dtype.newbyteorder('<')).tofile(d + '/' + name + '.raw')
def ms(axes, scales, name=None, top=None):
    m = {'version': '0.4', 'axes': axes, 'datasets': [{'path': str(i), 'coordinateTransformations': [{'type': 'scale', 'scale': s}]} for i, s in enumerate(scales)]}
    if name: m['name'] = name
    if top: m['coordinateTransformations'] = top
    return [m]
sp = lambda n, u='micrometer': {'name': n, 'type': 'space', 'unit': u}

# 2-D, python zarr's default compressor (Blosc), two levels
g = zarr.open_group(d + '/plane.zarr', mode='w')
a = (np.arange(40 * 50, dtype=np.uint16) * 7).reshape(40, 50)
g.create_dataset('0', data=a, chunks=(16, 16))
g.create_dataset('1', data=a[::2, ::2], chunks=(16, 16))
g.attrs['multiscales'] = ms([sp('y'), sp('x', 'µm')], [[0.5, 0.25], [1.0, 0.5]])
save('plane', a)

# T C Z Y X with T = 1 (stored C Z Y X), zlib, omero channels, a label image with colours
g = zarr.open_group(d + '/tczyx.zarr', mode='w')
a = (np.arange(2 * 3 * 10 * 12) % 251).astype(np.uint8).reshape(1, 2, 3, 10, 12)
g.create_dataset('0', data=a, chunks=(1, 1, 1, 10, 12), compressor=Zlib(level=3))
axes5 = [{'name': 't', 'type': 'time', 'unit': 'second'}, {'name': 'c', 'type': 'channel'}, sp('z'), sp('y'), sp('x')]
g.attrs['multiscales'] = ms(axes5, [[60, 1, 2.5, 0.325, 0.325]], name='tczyx')
g.attrs['omero'] = {'channels': [{'label': 'DAPI', 'color': '0000FF', 'window': {'start': 5, 'end': 200, 'min': 0, 'max': 255}, 'active': True},
                                 {'label': 'GFP', 'color': '00FF00', 'window': {'start': 0, 'end': 100, 'min': 0, 'max': 255}, 'active': False}]}
save('tczyx', a)
lg = g.create_group('labels')
lg.attrs['labels'] = ['cells']
cells = lg.create_group('cells')
m = np.zeros((1, 1, 3, 10, 12), dtype=np.uint16)
m[0, 0, :, 2:5, 3:7] = 1
m[0, 0, 1:, 6:9, 8:11] = 2
cells.create_dataset('0', data=m, chunks=(1, 1, 1, 10, 12), compressor=None)
cells.attrs['multiscales'] = ms(axes5, [[60, 1, 2.5, 0.325, 0.325]])
cells.attrs['image-label'] = {'version': '0.4', 'colors': [{'label-value': 1, 'rgba': [255, 0, 0, 255]}, {'label-value': 2, 'rgba': [0, 128, 255, 128]}], 'source': {'image': '../../'}}
save('cells', m)

# C Y X with 3 channels, int16, uncompressed: an Image (converted to float32)
g = zarr.open_group(d + '/rgb.zarr', mode='w')
a = (np.arange(3 * 6 * 7, dtype=np.int16) - 60).reshape(3, 6, 7)
g.create_dataset('0', data=a, chunks=(1, 6, 7), compressor=None)
g.attrs['multiscales'] = ms([{'name': 'c', 'type': 'channel'}, sp('y'), sp('x')], [[1, 1, 1]])
save('rgb', a)

# C Z Y X, uint16, zlib
g = zarr.open_group(d + '/czyx.zarr', mode='w')
a = (np.arange(2 * 4 * 5 * 6, dtype=np.uint16) * 3).reshape(2, 4, 5, 6)
g.create_dataset('0', data=a, chunks=(1, 2, 5, 6), compressor=Zlib(level=1))
g.attrs['multiscales'] = ms([{'name': 'c', 'type': 'channel'}, sp('z', 'nanometer'), sp('y'), sp('x')], [[1, 200, 40, 40]])
save('czyx', a)

# a tiled 2-D image (more than one 4 MiB chunk) whose level 1 has the shape src/core/pyramid.ts gives
g = zarr.open_group(d + '/tiled.zarr', mode='w')
a = ((np.arange(2048)[:, None] * 3 + np.arange(1200)[None, :]) % 4099).astype(np.uint16)
g.create_dataset('0', data=a, chunks=(512, 512))
g.create_dataset('1', data=a[::2, ::2], chunks=(512, 512))
g.attrs['multiscales'] = ms(['y', 'x'], [[1, 1], [2, 2]])
save('tiled1', np.ascontiguousarray(a[::2, ::2][100:110, 200:230]))

# an unsupported version, and an unknown codec
g = zarr.open_group(d + '/old.zarr', mode='w')
g.create_dataset('0', data=np.zeros((4, 4), np.uint8), compressor=None)
g.attrs['multiscales'] = [{'version': '0.3', 'axes': ['y', 'x'], 'datasets': [{'path': '0'}]}]
g = zarr.open_group(d + '/codec.zarr', mode='w')
g.create_dataset('0', data=np.zeros((4, 4), np.uint8), compressor=None)
g.attrs['multiscales'] = ms(['y', 'x'], [[1, 1]])
meta = json.load(open(d + '/codec.zarr/0/.zarray'))
meta['compressor'] = {'id': 'jpegxl'}
json.dump(meta, open(d + '/codec.zarr/0/.zarray', 'w'))
import zlib
g = zarr.open_group(d + '/short.zarr', mode='w')
g.create_dataset('0', data=np.arange(64, dtype=np.uint16).reshape(8, 8), chunks=(4, 4), compressor=Zlib())
g.attrs['multiscales'] = ms(['y', 'x'], [[1, 1]])
open(d + '/short.zarr/0/1.0', 'wb').write(zlib.compress(b'x' * 10))
`;

/** Every file under `root` as a dropped entry {file, path relative to `base`}. */
function entriesOf(root: string, base = dir): { file: File; path: string }[] {
  const out: { file: File; path: string }[] = [];
  const walk = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ file: new File([readFileSync(full)], name), path: relative(base, full) });
    }
  };
  walk(root);
  return out;
}

// ───────────── NGFF 0.5 (Zarr v3) written by zarrita, with a sharded level 0 ─────────────

const ZYX = { z: 4, y: 20, x: 24 };
const zyxValues = Array.from({ length: ZYX.z * ZYX.y * ZYX.x }, (_, i) => (i * 5) % 65521);

/** zarrita writes the group and level 1 (a regular v3 array) into a Map store, copied to disk. */
async function writeV3(root: string): Promise<void> {
  const mem = new Map<string, Uint8Array>();
  const store: zarr.AsyncMutable = { get: async (k) => mem.get(k), set: async (k, v) => void mem.set(k, v) };
  const axes = [
    { name: 'z', type: 'space', unit: 'micrometer' },
    { name: 'y', type: 'space', unit: 'micrometer' },
    { name: 'x', type: 'space', unit: 'micrometer' },
  ];
  await zarr.create(zarr.root(store), {
    attributes: {
      ome: {
        version: '0.5',
        multiscales: [
          {
            axes,
            datasets: [
              { path: 's0', coordinateTransformations: [{ type: 'scale', scale: [2, 0.5, 0.5] }] },
              { path: 's1', coordinateTransformations: [{ type: 'scale', scale: [2, 1, 1] }] },
            ],
          },
        ],
        omero: { channels: [{ label: 'membrane', color: 'FF00FF', window: { start: 0, end: 1000, min: 0, max: 65535 }, active: true }] },
      },
    },
  });
  const s1 = await zarr.create(zarr.root(store).resolve('s1'), { shape: [ZYX.z, 10, 12], chunkShape: [1, 10, 12], dtype: 'uint16' });
  const half = new Uint16Array(ZYX.z * 10 * 12).map((_, i) => i);
  await zarr.set(s1, null, { data: half, shape: [ZYX.z, 10, 12], stride: [120, 12, 1] });
  for (const [k, v] of mem) {
    const p = join(root, k);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, v);
  }
  writeShardedUint16(join(root, 's0'), [ZYX.z, ZYX.y, ZYX.x], zyxValues);
}

// ───────────── the loopback server ─────────────

let server: Server;
let base = '';
const requests: { method: string; path: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-ome-zarr-'));
  if (ZARR) {
    const r = spawnSync(PYTHON, ['-c', PY, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  }
  await writeV3(join(dir, 'zyx.zarr'));
  // A chunk of the wrong size: a copy of rgb.zarr whose chunk 1.0.0 lost bytes.
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    requests.push({ method: req.method!, path });
    if (path.startsWith('/broken/')) {
      res.writeHead(500, 'Internal Server Error').end();
      return;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, path));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d+)$/);
    if (range) {
      const [s, e] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { 'content-length': e - s + 1, 'content-range': `bytes ${s}-${e}/${bytes.length}` }).end(bytes.subarray(s, e + 1));
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function importCtx(store: Store): ImportContext {
  return {
    decode: async () => {
      throw new Error('an OME-Zarr file reached the image decoder');
    },
    store: async () => store,
    persist: async () => null,
  };
}

const chunkRequests = (from: number) =>
  requests
    .slice(from)
    .filter((r) => !/(zarr\.json|\.zarray|\.zattrs|\.zgroup)$/.test(r.path))
    .map((r) => `${r.method} ${r.path}`);

describe.skipIf(!ZARR)(`NGFF 0.4 folders written by zarr 2.13, dropped${ZARR ? '' : ` (skipped: ${NO_ZARR})`}`, () => {
  it('imports a 2-D image (Blosc) as ONE Image with its physical sizes', async () => {
    const store = await fresh();
    const r = await importFiles(importCtx(store), entriesOf(join(dir, 'plane.zarr')));
    expect(r.errors).toEqual([]);
    expect(r.ids).toHaveLength(1);
    const rec = (await store.getDataset(r.ids[0]!))!;
    expect(rec.meta).toMatchObject({ name: 'plane.zarr', schema: 'Image', extra: { format: 'OME-Zarr', ngff: '0.4', levels: 2 } });
    const img = rec.fields.image as NDArray;
    expect([img.dtype, img.shape]).toEqual(['uint16', [40, 50]]);
    expect(values(img)).toEqual(expected('plane', Uint16Array));
    expect(rec.meta.keys.image!.axes).toEqual({
      axes: [
        { name: 'y', type: 'space', unit: 'micrometer', scale: 0.5, translation: 0 },
        { name: 'x', type: 'space', unit: 'micrometer', scale: 0.25, translation: 0 },
      ],
      channels: [],
    });
  });

  it('imports TCZYX (T = 1) as CZYX with omero channels, and its label image as a Segmentation of it', async () => {
    const store = await fresh();
    const progress: string[] = [];
    const r = await importFiles(importCtx(store), [...entriesOf(join(dir, 'tczyx.zarr')), ...entriesOf(join(dir, 'plane.zarr'))], {
      onProgress: (_d, _t, name, b) => b && progress.push(`${name} ${b.fileDone}/${b.fileTotal}`),
    });
    expect(r.errors).toEqual([]);
    // Bytes stored, plane by plane: the image's 6 planes of 120 bytes, then the label's 3 of 240.
    expect(progress.filter((p) => p.startsWith('tczyx.zarr'))).toEqual([120, 240, 360, 480, 600, 720, 960, 1200, 1440].map((n) => `tczyx.zarr ${n}/1440`));
    expect(r.ids).toHaveLength(3); // plane.zarr, then tczyx.zarr and its label (folders in path order)
    const metas = await Promise.all(r.ids.map(async (id) => (await store.getDatasetMeta(id))!));
    const image = metas.find((m) => m.name === 'tczyx.zarr')!;
    const label = metas.find((m) => m.name === 'tczyx.zarr · cells')!;
    expect(image.schema).toBeNull();
    expect(image.keys.image!.shape).toEqual([2, 3, 10, 12]);
    expect(image.keys.image!.axes).toEqual({
      axes: [
        { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
        { name: 'z', type: 'space', unit: 'micrometer', scale: 2.5, translation: 0 },
        { name: 'y', type: 'space', unit: 'micrometer', scale: 0.325, translation: 0 },
        { name: 'x', type: 'space', unit: 'micrometer', scale: 0.325, translation: 0 },
      ],
      channels: [
        { label: 'DAPI', color: '0000FF', window: { start: 5, end: 200 }, active: true },
        { label: 'GFP', color: '00FF00', window: { start: 0, end: 100 }, active: false },
      ],
    });
    expect(values((await store.getDataset(image.id))!.fields.image as NDArray)).toEqual(expected('tczyx', Uint8Array));
    expect(label.schema).toBe('Segmentation');
    expect(label.extra).toMatchObject({
      inputs: [image.id],
      label: 'cells',
      labelColors: [
        { value: 1, color: 'FF0000', alpha: 255 },
        { value: 2, color: '0080FF', alpha: 128 },
      ],
    });
    expect(label.keys.mask!.shape).toEqual([3, 10, 12]);
    expect(label.keys.mask!.axes!.axes.map((a) => `${a.name}:${a.scale}`)).toEqual(['z:2.5', 'y:0.325', 'x:0.325']);
    const mask = (await store.getDataset(label.id))!.fields.mask as NDArray;
    expect([mask.dtype, values(mask)]).toEqual(['uint16', expected('cells', Uint16Array)]);
  });

  it('imports CYX with 3 channels as an Image (int16 → float32) and CZYX (zlib) with its nanometre Z', async () => {
    const store = await fresh();
    const r = await importFiles(importCtx(store), [...entriesOf(join(dir, 'rgb.zarr')), ...entriesOf(join(dir, 'czyx.zarr'))]);
    expect(r.errors).toEqual([]);
    const [czyx, rgb] = await Promise.all(r.ids.map(async (id) => (await store.getDataset(id))!));
    expect(rgb!.meta.schema).toBe('Image');
    const a = rgb!.fields.image as NDArray;
    expect([a.dtype, a.shape, values(a)]).toEqual(['float32', [3, 6, 7], expected('rgb', Int16Array)]);
    expect(rgb!.meta.keys.image!.axes!.channels.map((c) => c.color)).toEqual(['FF0000', '00FF00', '0000FF']);
    const b = czyx!.fields.image as NDArray;
    expect([czyx!.meta.schema, b.dtype, b.shape, values(b)]).toEqual([null, 'uint16', [2, 4, 5, 6], expected('czyx', Uint16Array)]);
    expect(czyx!.meta.keys.image!.axes!.axes[1]).toEqual({ name: 'z', type: 'space', unit: 'nanometer', scale: 200, translation: 0 });
  });

  it('refuses a folder larger than the free storage before writing anything', async () => {
    const store = await fresh();
    const r = await importFiles({ ...importCtx(store), estimate: async () => ({ usage: 9000, quota: 10000 }) }, entriesOf(join(dir, 'plane.zarr')));
    expect(r.ids).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.file).toBe('plane.zarr');
    expect(r.errors[0]!.message).toMatch(/^Importing plane\.zarr needs about 3\.9 KiB \(4000 bytes\) of storage, but only .*nothing was written\.$/);
    expect(await store.listChunkedArrays()).toEqual([]);
  });

  it("keeps a tiled image's own lower level as its pyramid when the shapes are algobox's", async () => {
    const store = await fresh();
    const r = await importFiles(importCtx(store), entriesOf(join(dir, 'tiled.zarr')));
    expect(r.errors).toEqual([]);
    const meta = (await store.getDatasetMeta(r.ids[0]!))!;
    expect(meta.keys.image!.shape).toEqual([2048, 1200]);
    expect(meta.keys.image!.levels!.map((l) => l.shape)).toEqual([[1024, 600]]);
    // The file's level 1 (every other pixel), not a 2×2 mean algobox would have computed.
    expect(
      values(
        await store.readDatasetArray(
          r.ids[0]!,
          'image',
          [
            [100, 110],
            [200, 230],
          ],
          1,
        ),
      ),
    ).toEqual(expected('tiled1', Uint16Array));
    expect(await store.buildDatasetPyramid(r.ids[0]!, 'image')).toHaveLength(1);
  });

  it('refuses other NGFF versions, unknown codecs and chunks of the wrong size, naming the folder, and stores nothing of them', async () => {
    const store = await fresh();
    const r = await importFiles(importCtx(store), [
      ...entriesOf(join(dir, 'old.zarr')),
      ...entriesOf(join(dir, 'codec.zarr')),
      ...entriesOf(join(dir, 'short.zarr')),
    ]);
    expect(r.ids).toEqual([]);
    expect(r.errors).toEqual([
      {
        file: 'codec.zarr',
        message: "codec.zarr/0: codec 'jpegxl' is not supported (zarrita reads blosc, gzip, zlib, zstd, lz4, bytes, transpose, crc32c and sharding).",
      },
      {
        file: 'old.zarr',
        message: 'old.zarr/.zattrs: OME-NGFF version "0.3" is not supported on Zarr v2: algobox reads 0.4 (Zarr v2) and 0.5 (Zarr v3).',
      },
      // A zlib chunk that inflates to 10 bytes: named, not read as zeros.
      { file: 'short.zarr', message: "short.zarr/0: chunk '1.0' decodes to 5 values; a chunk of this array holds 16." },
    ]);
    expect(await store.listDatasets()).toEqual([]);
    expect(await store.listChunkedArrays()).toEqual([]);
  });
});

describe('NGFF 0.5 on Zarr v3 (zarrita), sharded level 0', () => {
  it('imports a dropped folder as ONE Volume with its values and axes', async () => {
    const store = await fresh();
    const r = await importFiles(importCtx(store), entriesOf(join(dir, 'zyx.zarr')));
    expect(r.errors).toEqual([]);
    const rec = (await store.getDataset(r.ids[0]!))!;
    expect(rec.meta).toMatchObject({ name: 'zyx.zarr', schema: 'Volume', extra: { ngff: '0.5' } });
    const v = rec.fields.volume as NDArray;
    expect([v.dtype, v.shape, values(v)]).toEqual(['uint16', [4, 20, 24], zyxValues]);
    expect(rec.meta.keys.volume!.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['z', 'micrometer', 2],
      ['y', 'micrometer', 0.5],
      ['x', 'micrometer', 0.5],
    ]);
  });
});

describe('remote OME-Zarr over HTTP (loopback server counting requests)', () => {
  it('opens a URL fetching metadata (and the smallest level for the thumbnail) only; a slice fetches only its chunks', async () => {
    const store = await fresh();
    const from = requests.length;
    const id = await openRemoteZarr(store, `${base}/zyx.zarr/`);
    // The thumbnail reads the first plane of the smallest level (s1: one chunk).
    expect(chunkRequests(from)).toEqual(['GET /zyx.zarr/s1/c/0/0/0']);
    const meta = (await store.getDatasetMeta(id))!;
    expect(meta).toMatchObject({ name: 'zyx.zarr', schema: 'Volume', source: 'url', byteLength: 0, extra: { url: `${base}/zyx.zarr` } });
    expect(meta.thumbnail).not.toBeNull();
    const fm = meta.keys.volume!;
    expect(fm).toMatchObject({ shape: [4, 20, 24], chunkShape: [1, 10, 12], dtype: 'uint16', byteLength: 0 });
    expect(fm.array).toBeUndefined();
    expect(fm.blob).toBeUndefined();
    expect(fm.remote).toMatchObject({ url: `${base}/zyx.zarr`, path: 's0', zarrFormat: 3, kept: [0, 1, 2] });

    const at = requests.length;
    const slice = await store.readDatasetArray(id, 'volume', [[2, 3], null, null]);
    expect(values(slice)).toEqual(zyxValues.slice(2 * 480, 3 * 480));
    // Shard 2 only: its index (HEAD for the size, then a range), then its four inner chunks.
    const got = chunkRequests(at);
    expect(got.every((r) => r.endsWith(' /zyx.zarr/s0/c/2/0/0'))).toBe(true);
    expect(got.filter((r) => r.startsWith('GET'))).toHaveLength(5);

    // One tile of the same slice again: from the in-memory cache, nothing fetched.
    const again = requests.length;
    const tile = await store.readDatasetArray(id, 'volume', [
      [2, 3],
      [10, 20],
      [0, 12],
    ]);
    expect(values(tile)).toEqual(Array.from({ length: 120 }, (_, i) => zyxValues[2 * 480 + (10 + Math.floor(i / 12)) * 24 + (i % 12)]!));
    expect(chunkRequests(again)).toEqual([]);

    // Pyramid level 1 (s1 halves y and x) through openDatasetArray.
    const reader = (await store.openDatasetArray(id, 'volume'))!;
    expect(reader.levels).toEqual([{ shape: [4, 10, 12], chunkShape: [1, 10, 12] }]);
    expect(values(await reader.read([[1, 2], null, null], 1))).toEqual(Array.from({ length: 120 }, (_, i) => 120 + i));

    // What a run's fetchData reads (several datasets' fields at once): the remote field whole.
    const [many] = await store.getManyDatasetFields([id], ['volume']);
    expect(values(many!.fields.volume!.array)).toEqual(zyxValues);

    // Copied into the browser: a new, local dataset with the same values; deleting the remote one releases nothing.
    const copy = await copyRemoteDataset(store, id);
    const local = (await store.getDataset(copy))!;
    expect(local.meta.keys.volume!.remote).toBeUndefined();
    expect(local.meta.keys.volume!.array).toBeDefined();
    expect(local.meta.extra.importedFrom).toBe(`${base}/zyx.zarr`);
    expect(values(local.fields.volume as NDArray)).toEqual(zyxValues);
    await store.deleteDatasets([id]);
    expect((await store.listDatasets()).map((m) => m.id)).toEqual([copy]);
  });

  it.skipIf(!ZARR)('reads a v2 (0.4) CZYX plane through its chunks only', async () => {
    const store = await fresh();
    const id = await openRemoteZarr(store, `${base}/czyx.zarr`);
    const at = requests.length;
    const plane = await store.readDatasetArray(id, 'image', [[1, 2], [3, 4], null, null]);
    expect(values(plane)).toEqual(expected('czyx', Uint16Array).slice((1 * 4 + 3) * 30, (1 * 4 + 4) * 30));
    expect(chunkRequests(at)).toEqual(['GET /czyx.zarr/0/1.1.0.0']); // chunks (1, 2, 5, 6): z 3 is in chunk 1
  });

  it('errors name the URL and the field: 404 metadata, unreachable server, a missing array, a chunk of the wrong size', async () => {
    const store = await fresh();
    await expect(openRemoteZarr(store, `${base}/nothing.zarr`)).rejects.toThrow(
      `Opening OME-Zarr: ${base}/nothing.zarr: not a Zarr group (no zarr.json, and no .zgroup).`,
    );
    await expect(openRemoteZarr(store, 'http://127.0.0.1:9/x.zarr')).rejects.toThrow(
      /^Opening OME-Zarr: http:\/\/127\.0\.0\.1:9\/x\.zarr\/zarr\.json: the request failed before any answer .*it must send Access-Control-Allow-Origin/,
    );
    await expect(openRemoteZarr(store, `${base}/broken/x.zarr`)).rejects.toThrow(
      `Opening OME-Zarr: ${base}/broken/x.zarr/zarr.json: HTTP 500 Internal Server Error.`,
    );
    await expect(openRemoteZarr(store, 'ftp://example.org/x.zarr')).rejects.toThrow("datasets.openUrl: 'ftp://example.org/x.zarr' is not an http(s) URL.");
    if (!ZARR) return;
    // Copies of rgb.zarr served broken: chunk 1.0.0 truncated; the level's .zarray removed. (Bytes fetched
    // once are kept in the page's cache, so a URL is broken before it is first opened.)
    cpSync(join(dir, 'rgb.zarr'), join(dir, 'rgb-short.zarr'), { recursive: true });
    writeFileSync(join(dir, 'rgb-short.zarr', '0', '1.0.0'), readFileSync(join(dir, 'rgb.zarr', '0', '1.0.0')).subarray(0, 10));
    await expect(openRemoteZarr(store, `${base}/rgb-short.zarr`)).rejects.toThrow(
      `${base}/rgb-short.zarr/0: chunk '1.0.0' has 10 bytes; a chunk of this array has 84.`,
    );
    cpSync(join(dir, 'rgb.zarr'), join(dir, 'rgb-noarray.zarr'), { recursive: true });
    rmSync(join(dir, 'rgb-noarray.zarr', '0', '.zarray'));
    await expect(openRemoteZarr(store, `${base}/rgb-noarray.zarr`)).rejects.toThrow(
      `Opening OME-Zarr: ${base}/rgb-noarray.zarr/0: the array is missing (no 0/.zarray).`,
    );
    // A chunk that goes bad after opening (one the thumbnail did not read) is reported by the read that
    // meets it, naming the dataset, the field and the array.
    cpSync(join(dir, 'czyx.zarr'), join(dir, 'czyx-late.zarr'), { recursive: true });
    const id = await openRemoteZarr(store, `${base}/czyx-late.zarr`);
    const chunk = join(dir, 'czyx-late.zarr', '0', '1.1.0.0');
    const good = readFileSync(chunk);
    writeFileSync(chunk, good.subarray(0, 10));
    try {
      const read = store.readDatasetArray(id, 'image', [[1, 2], [3, 4], null, null]);
      await expect(read).rejects.toThrow(`Dataset 'czyx-late.zarr' (id ${id}), field 'image' (remote ${base}/czyx-late.zarr): `);
      // zarrita's zlib codec fails on the cut stream before the size check: its message names the codec.
      await expect(read).rejects.toThrow(`${base}/czyx-late.zarr/0: Failed to decode chunk via codec "numcodecs.zlib"`);
    } finally {
      writeFileSync(chunk, good);
    }
  });

  it('through the API: openUrl, get and openArray read remotely, importRemote copies into the browser', async () => {
    const api = createAlgobox({ dbName: `ome-zarr-api-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
    try {
      const id = await api.datasets.openUrl(`${base}/zyx.zarr`);
      const rec = await api.datasets.get(id);
      expect(values(rec.fields.volume as NDArray)).toEqual(zyxValues);
      const h = await api.datasets.openArray(id, 'volume');
      expect([h.shape, h.chunkShape, h.levels]).toEqual([[4, 20, 24], [1, 10, 12], [{ shape: [4, 10, 12], chunkShape: [1, 10, 12] }]]);
      expect(await api.datasets.pyramid(id, 'volume')).toEqual([{ shape: [4, 10, 12], chunkShape: [1, 10, 12] }]);
      const copy = await api.datasets.importRemote(id);
      expect(copy).not.toBe(id);
      expect(values(await api.datasets.readRegion(copy, 'volume', [[3, 4], null, null]))).toEqual(zyxValues.slice(3 * 480));
      await expect(api.datasets.importRemote(copy)).rejects.toThrow(
        "datasets.importRemote: dataset 'zyx.zarr' is not remote (it is already stored in the browser).",
      );
    } finally {
      await api.close();
    }
  });

  it('a run reads a remote Volume as it reads a stored one: the same threshold and mask as on its imported copy', async () => {
    const api = createAlgobox({ dbName: `ome-zarr-run-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
    try {
      const alg = await api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true });
      // Its own copy of the array on the server (the page's cache holds zyx.zarr's chunks from other tests).
      cpSync(join(dir, 'zyx.zarr'), join(dir, 'zyx-run.zarr'), { recursive: true });
      const remote = await api.datasets.openUrl(`${base}/zyx-run.zarr`);
      const run = async (id: string) => {
        const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: 'otsu' } }));
        expect(rec.error).toBeNull();
        const out = await api.datasets.get(rec.outputDatasetIds[0]!);
        return {
          log: rec.log.find((l) => l.message.startsWith('Threshold: '))!.message,
          mask: values(out.fields.mask as NDArray),
          inputs: out.meta.extra.inputs,
        };
      };
      const at = requests.length;
      const onRemote = await run(remote);
      // It read the four shards of level 0 over HTTP.
      expect(new Set(chunkRequests(at).map((r) => r.split(' ')[1]))).toEqual(new Set([0, 1, 2, 3].map((z) => `/zyx-run.zarr/s0/c/${z}/0/0`)));
      const onLocal = await run(await api.datasets.importRemote(remote));
      expect(onRemote.log).toBe(onLocal.log);
      expect(onRemote.mask).toEqual(onLocal.mask);
      expect(onRemote.inputs).toEqual([remote]);
    } finally {
      await api.close();
    }
  });
  it('preloadZarrCodecs loads the WebAssembly chunk decoders once (Blosc then decodes at once)', async () => {
    const api = createAlgobox({ dbName: `ome-zarr-warm-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
    try {
      const first = api.datasets.preloadZarrCodecs();
      expect(api.datasets.preloadZarrCodecs()).toBe(first);
      await expect(first).resolves.toBeUndefined();
    } finally {
      await api.close();
    }
  });
});
