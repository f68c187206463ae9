// OME-TIFF and ImageJ hyperstack TIFF on import (issue 14): files written in this run by tifffile
// (Debian's python3-tifffile 2023.2.3, no imagecodecs) are imported through `api.datasets.importFiles`
// and through importFiles with files that refuse whole-file reads; each becomes one dataset per series
// stored as docs/microscopy.md says (canonical t, c, z, y, x without singleton t/c/z; schema Image,
// Volume or none), its values exactly numpy's, its axes metadata (names, units, physical sizes,
// channel names and colours) exactly the file's. Bad input is an error naming the file and the field,
// and nothing of that file is stored.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { decodeImageBytes } from '../../src/core/imageCodecs';
import type { ImageAxes } from '../../src/core/imageAxes';
import type { NDArray } from '../../src/core/ndarray';
import { importFiles } from '../../src/engine/importFiles';
import { openStore, type Store } from '../../src/store/index';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const PYTHON = '/usr/bin/python3';
const TIFFFILE = spawnSync(PYTHON, ['-c', 'import numpy, tifffile'], { stdio: 'ignore' }).status === 0;
const SKIP = TIFFFILE ? '' : ' (skipped: needs numpy and tifffile under /usr/bin/python3: apt-get install -y python3-tifffile)';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-ome-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run numpy/tifffile code with `d` = the temp dir; `save(name, a)` writes the expected values as `<name>.raw` (little-endian, C order). */
function python(code: string): void {
  const prelude = [
    'import sys, numpy as np, tifffile',
    'd = sys.argv[1]',
    'def save(name, a):',
    "    np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tofile(d + '/' + name + '.raw')",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', `${prelude}\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}

type Ctor = { new (b: ArrayBuffer): ArrayLike<number> };
const CTORS: Record<string, Ctor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** What numpy saved as `<name>.raw`, read as `dtype`. */
function expected(name: string, dtype: string): number[] {
  const b = readFileSync(join(dir, `${name}.raw`));
  return Array.from(new CTORS[dtype]!(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

/** A File whose whole-file readers throw and whose slices are at most `max` bytes: what an import reads is bounded. */
class RangedFile extends File {
  constructor(
    bytes: Uint8Array<ArrayBuffer>,
    name: string,
    readonly max = Infinity,
  ) {
    super([bytes], name);
  }
  override slice(start?: number, end?: number, type?: string): Blob {
    const b = super.slice(start, end, type);
    if (b.size > this.max) throw new Error(`a read of ${b.size} bytes (more than ${this.max})`);
    return b;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    throw new Error('the whole file was read with arrayBuffer()');
  }
}

const file = (name: string, max?: number) => new RangedFile(new Uint8Array(readFileSync(join(dir, name))), name, max);

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(): Algobox {
  const api = createAlgobox({
    dbName: `ome-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    decodeImageFile: async (f) => {
      if (/\.tiff?$/.test(f.name ?? '')) throw new Error('a TIFF reached the whole-file decoder');
      return decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');
    },
    storageManager: null,
  });
  apis.push(api);
  return api;
}

interface Stored {
  name: string;
  schema: string | null;
  field: string;
  dtype: string;
  shape: number[];
  values: number[];
  axes: ImageAxes | undefined;
  extra: Record<string, unknown>;
}

/** Import `names` through the API; every dataset made, with its one array field read back. */
async function importAll(api: Algobox, names: string[]): Promise<Stored[]> {
  const ids = await api.datasets.importFiles(names.map((n) => file(n)));
  const out: Stored[] = [];
  for (const id of ids) {
    const { meta, fields } = await api.datasets.get(id);
    const [field, fm] = Object.entries(meta.keys)[0]!;
    const a = fields[field] as NDArray;
    out.push({
      name: meta.name,
      schema: meta.schema,
      field,
      dtype: a.dtype,
      shape: a.shape,
      values: Array.from(a.data as ArrayLike<number>),
      axes: fm.axes,
      extra: meta.extra,
    });
  }
  return out;
}

/** Records of one raw object store (staging ones included). */
async function rawCount(dbName: string, storeName: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = db.transaction([storeName], 'readonly').objectStore(storeName).count();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

const names = (ax: ImageAxes | undefined) => ax?.axes.map((a) => a.name).join('');

describe(`OME-TIFF written by tifffile${SKIP}`, () => {
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(`
rng = np.random.default_rng(7)
# TCZYX uint16 with physical sizes, a time increment and named, coloured channels
a = rng.integers(0, 65535, (2, 3, 4, 5, 6), dtype=np.uint16)
tifffile.imwrite(d + '/tczyx.ome.tif', a, ome=True, metadata={'axes': 'TCZYX', 'PhysicalSizeX': 0.325, 'PhysicalSizeXUnit': 'µm', 'PhysicalSizeY': 0.5, 'PhysicalSizeYUnit': 'µm', 'PhysicalSizeZ': 2.0, 'PhysicalSizeZUnit': 'nm', 'TimeIncrement': 1.5, 'TimeIncrementUnit': 'ms', 'Channel': {'Name': ['DAPI', 'GFP', 'RFP'], 'Color': [-16776961, 16711935, 65535]}})
save('tczyx', a)
# 2-D uint8
b = rng.integers(0, 255, (7, 9), dtype=np.uint8)
tifffile.imwrite(d + '/plane.ome.tif', b, ome=True, metadata={'axes': 'YX', 'PhysicalSizeX': 0.1, 'PhysicalSizeY': 0.2})
save('plane', b)
# CYX with 2 channels (none schema), int16 (kept), tiled and deflated
c = rng.integers(-3000, 3000, (2, 40, 35), dtype=np.int16)
tifffile.imwrite(d + '/cyx2.ome.tif', c, ome=True, tile=(16, 16), compression='zlib', metadata={'axes': 'CYX', 'Channel': {'Name': ['a', 'b']}})
save('cyx2', c)
# CYX with 3 channels (Image), int16 → float32, big-endian
e = rng.integers(-3000, 3000, (3, 10, 12), dtype=np.int16)
tifffile.imwrite(d + '/cyx3.ome.tif', e, ome=True, byteorder='>', metadata={'axes': 'CYX'})
save('cyx3', e.astype(np.float32))
# ZYX float32 BigTIFF, big-endian, tiled, deflated
f = rng.random((5, 33, 20), dtype=np.float32)
tifffile.imwrite(d + '/zyx.ome.tif', f, ome=True, bigtiff=True, byteorder='>', tile=(16, 16), compression='zlib', metadata={'axes': 'ZYX', 'PhysicalSizeZ': 0.75})
save('zyx', f)
# CZYX uint16 stored in strips of 3 rows, deflated with the horizontal predictor, DimensionOrder XYCZT
g = rng.integers(0, 65535, (3, 2, 7, 11), dtype=np.uint16)
tifffile.imwrite(d + '/czyx.ome.tif', g.transpose(1, 0, 2, 3), ome=True, rowsperstrip=3, compression='zlib', predictor=True, metadata={'axes': 'ZCYX'})
save('czyx', g)
# more dtypes: int8 plane (Image → float32), uint32 Z stack (Volume keeps it; big-endian with the horizontal predictor), float64 and int32 with 2 channels (kept)
h = rng.integers(-128, 127, (6, 7), dtype=np.int8)
tifffile.imwrite(d + '/int8.ome.tif', h, ome=True, metadata={'axes': 'YX'})
save('int8', h.astype(np.float32))
k = rng.integers(0, 2**32 - 1, (3, 6, 7), dtype=np.uint32)
tifffile.imwrite(d + '/uint32.ome.tif', k, ome=True, byteorder='>', compression='zlib', predictor=True, metadata={'axes': 'ZYX'})
save('uint32', k)
m = rng.random((2, 6, 7))
tifffile.imwrite(d + '/float64.ome.tif', m, ome=True, byteorder='>', tile=(16, 16), metadata={'axes': 'CYX'})
save('float64', m)
n = rng.integers(-2**31, 2**31 - 1, (2, 6, 7), dtype=np.int32)
tifffile.imwrite(d + '/int32.ome.tif', n, ome=True, metadata={'axes': 'TYX'})
save('int32', n)
# two series in one file
with tifffile.TiffWriter(d + '/two.ome.tif', ome=True) as w:
    w.write(b, metadata={'axes': 'YX', 'Name': 'first'})
    w.write(c[0], metadata={'axes': 'YX', 'Name': 'second'})
save('two1', c[0].astype(np.float32))
`);
  });

  it.skipIf(!TIFFFILE)('TCZYX: one dataset of the file shape, values and axes exactly the file’s', async () => {
    const [s] = await importAll(makeApi(), ['tczyx.ome.tif']);
    expect(s).toMatchObject({ name: 'tczyx.ome.tif', schema: null, field: 'image', dtype: 'uint16', shape: [2, 3, 4, 5, 6] });
    expect(s!.values).toEqual(expected('tczyx', 'uint16'));
    expect(s!.axes).toEqual({
      axes: [
        { name: 't', type: 'time', unit: 'millisecond', scale: 1.5, translation: 0 },
        { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
        { name: 'z', type: 'space', unit: 'nanometer', scale: 2, translation: 0 },
        { name: 'y', type: 'space', unit: 'micrometer', scale: 0.5, translation: 0 },
        { name: 'x', type: 'space', unit: 'micrometer', scale: 0.325, translation: 0 },
      ],
      channels: [
        { label: 'DAPI', color: 'FF0000', window: null, active: true },
        { label: 'GFP', color: '00FF00', window: null, active: true },
        { label: 'RFP', color: '0000FF', window: null, active: true },
      ],
    });
    expect(s!.extra).toMatchObject({ file: 'tczyx.ome.tif', format: 'OME-TIFF' });
  });

  it.skipIf(!TIFFFILE)('2-D, CYX (2 and 3 channels), ZYX, CZYX: schema, field, dtype and values by the storage rule', async () => {
    const got = await importAll(makeApi(), ['plane.ome.tif', 'cyx2.ome.tif', 'cyx3.ome.tif', 'zyx.ome.tif', 'czyx.ome.tif']);
    const byName = new Map(got.map((s) => [s.name, s]));
    const plane = byName.get('plane.ome.tif')!;
    expect(plane).toMatchObject({ schema: 'Image', field: 'image', dtype: 'uint8', shape: [7, 9] });
    expect(plane.values).toEqual(expected('plane', 'uint8'));
    expect(plane.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['y', 'micrometer', 0.2],
      ['x', 'micrometer', 0.1],
    ]);
    const cyx2 = byName.get('cyx2.ome.tif')!;
    expect(cyx2).toMatchObject({ schema: null, field: 'image', dtype: 'int16', shape: [2, 40, 35] });
    expect(cyx2.values).toEqual(expected('cyx2', 'int16'));
    expect(names(cyx2.axes)).toBe('cyx');
    expect(cyx2.axes!.channels.map((c) => c.label)).toEqual(['a', 'b']);
    const cyx3 = byName.get('cyx3.ome.tif')!;
    expect(cyx3).toMatchObject({ schema: 'Image', field: 'image', dtype: 'float32', shape: [3, 10, 12] });
    expect(cyx3.values).toEqual(expected('cyx3', 'float32'));
    const zyx = byName.get('zyx.ome.tif')!;
    expect(zyx).toMatchObject({ schema: 'Volume', field: 'volume', dtype: 'float32', shape: [5, 33, 20] });
    expect(zyx.values).toEqual(expected('zyx', 'float32'));
    expect(zyx.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['z', 'micrometer', 0.75],
      ['y', null, 1],
      ['x', null, 1],
    ]);
    const czyx = byName.get('czyx.ome.tif')!;
    expect(czyx).toMatchObject({ schema: null, field: 'image', dtype: 'uint16', shape: [3, 2, 7, 11] });
    expect(czyx.values).toEqual(expected('czyx', 'uint16'));
    expect(names(czyx.axes)).toBe('czyx');
  });

  it.skipIf(!TIFFFILE)('int8, uint32, float64 and int32 pixels (either byte order) by the dtype rule', async () => {
    const got = new Map((await importAll(makeApi(), ['int8.ome.tif', 'uint32.ome.tif', 'float64.ome.tif', 'int32.ome.tif'])).map((s) => [s.name, s]));
    const check = (name: string, schema: string | null, dtype: string, shape: number[], axes: string) => {
      const s = got.get(`${name}.ome.tif`)!;
      expect([s.schema, s.dtype, s.shape, names(s.axes)]).toEqual([schema, dtype, shape, axes]);
      expect(s.values).toEqual(expected(name, dtype));
    };
    check('int8', 'Image', 'float32', [6, 7], 'yx');
    check('uint32', 'Volume', 'uint32', [3, 6, 7], 'zyx');
    check('float64', null, 'float64', [2, 6, 7], 'cyx');
    check('int32', 'Volume', 'int32', [2, 6, 7], 'tyx');
  });

  it.skipIf(!TIFFFILE)('a file of two OME Images makes two datasets named after the file and the series', async () => {
    const got = await importAll(makeApi(), ['two.ome.tif']);
    expect(got.map((s) => s.name)).toEqual(['two.ome.tif · first', 'two.ome.tif · second']);
    expect(got[0]!.values).toEqual(expected('plane', 'uint8'));
    expect(got[1]!.values).toEqual(expected('two1', 'float32'));
    expect(got.map((s) => s.extra['series'])).toEqual([0, 1]);
  });
});

describe(`ImageJ hyperstack TIFF written by tifffile${SKIP}`, () => {
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(`
rng = np.random.default_rng(8)
a = rng.random((2, 3, 4, 5, 6), dtype=np.float32)  # T Z C Y X as ImageJ stores them
tifffile.imwrite(d + '/hyper.tif', a, imagej=True, resolution=(1 / 0.5, 1 / 0.25), metadata={'axes': 'TZCYX', 'spacing': 2.5, 'unit': 'um', 'finterval': 3, 'min': 0.0, 'max': 1.0})
save('hyper', a.transpose(0, 2, 1, 3, 4))
b = rng.integers(0, 255, (4, 6, 5), dtype=np.uint8)
tifffile.imwrite(d + '/stack.tif', b, imagej=True, resolution=(10, 10), metadata={'axes': 'ZYX', 'unit': 'micron', 'spacing': 0.3})
save('stack', b)
`);
  });

  it.skipIf(!TIFFFILE)('TZCYX float32: stored t, c, z, y, x with ImageJ’s calibration', async () => {
    const [s] = await importAll(makeApi(), ['hyper.tif']);
    expect(s).toMatchObject({ name: 'hyper.tif', schema: null, field: 'image', dtype: 'float32', shape: [2, 4, 3, 5, 6] });
    expect(s!.values).toEqual(expected('hyper', 'float32'));
    expect(s!.extra).toMatchObject({ format: 'ImageJ TIFF' });
    expect(s!.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['t', 'second', 3],
      ['c', null, 1],
      ['z', 'micrometer', 2.5],
      ['y', 'micrometer', 0.25],
      ['x', 'micrometer', 0.5],
    ]);
    expect(s!.axes!.channels.map((c) => [c.label, c.window])).toEqual([0, 1, 2, 3].map((i) => [`Channel ${i}`, { start: 0, end: 1 }]));
  });

  it.skipIf(!TIFFFILE)('a Z stack is a Volume with its spacing and pixel size', async () => {
    const [s] = await importAll(makeApi(), ['stack.tif']);
    expect(s).toMatchObject({ schema: 'Volume', field: 'volume', dtype: 'uint8', shape: [4, 6, 5] });
    expect(s!.values).toEqual(expected('stack', 'uint8'));
    expect(s!.axes!.axes.map((a) => [a.name, a.unit, a.scale])).toEqual([
      ['z', 'micrometer', 0.3],
      ['y', 'micrometer', 0.1],
      ['x', 'micrometer', 0.1],
    ]);
  });
});

describe(`OME-TIFF pyramids (SubIFDs)${SKIP}`, () => {
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(`
y, x = np.mgrid[0:2100, 0:2100]
b = ((x * 3 + y * 5) % 251).astype(np.uint8)
lv = b[::2, ::2]  # 1050 × 1050: the scheme's level 1 (halved, rounding up)
with tifffile.TiffWriter(d + '/pyr.ome.tif', ome=True) as w:
    w.write(b, subifds=1, tile=(256, 256), compression='zlib', metadata={'axes': 'YX'})
    w.write(lv, subfiletype=1, tile=(256, 256), compression='zlib')
save('pyr1', lv)
c = b[:2101 - 2, :]  # 2098 rows
with tifffile.TiffWriter(d + '/odd.ome.tif', ome=True) as w:
    w.write(c, subifds=1, tile=(256, 256), compression='zlib', metadata={'axes': 'YX'})
    w.write(c[1::2, ::2], subfiletype=1, tile=(256, 256), compression='zlib')  # 1049 × 1050: not the scheme's
`);
  });

  it.skipIf(!TIFFFILE)('levels of the scheme’s shapes are stored as the field’s levels; others are left for the viewer', async () => {
    const api = makeApi();
    const [pyr, odd] = await api.datasets.importFiles([file('odd.ome.tif'), file('pyr.ome.tif')]).then((ids) => ids.reverse());
    const h = await api.datasets.openArray(pyr!, 'image');
    expect(h.levels.map((l) => l.shape)).toEqual([[1050, 1050]]);
    const level = await h.read(undefined, { level: 1 });
    expect(Array.from(level.data as Uint8Array)).toEqual(expected('pyr1', 'uint8'));
    expect((await api.datasets.get(pyr!, [])).meta.extra).toMatchObject({ pyramidFromFile: true });
    expect((await api.datasets.openArray(odd!, 'image')).levels).toEqual([]);
  });
});

describe(`TIFFs only geotiff reads, and the limits of reading${SKIP}`, () => {
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(`
rng = np.random.default_rng(9)
a = rng.integers(0, 65535, (5, 8, 10), dtype=np.uint16)
tifffile.imwrite(d + '/big.tif', a, bigtiff=True, byteorder='>')
save('big', a)
r = rng.integers(0, 255, (9, 7, 3), dtype=np.uint8)
tifffile.imwrite(d + '/rgb.ome.tif', r, ome=True, photometric='rgb', tile=(16, 16))
save('rgb', r.transpose(2, 0, 1))
p = rng.integers(0, 65535, (2, 3, 20, 30), dtype=np.uint16)
tifffile.imwrite(d + '/planar.ome.tif', p, ome=True, photometric='rgb', planarconfig='separate', metadata={'axes': 'ZSYX'})
save('planar', p.transpose(1, 0, 2, 3))
m = rng.integers(0, 65535, (6, 64, 64), dtype=np.uint16)
tifffile.imwrite(d + '/many.ome.tif', m, ome=True, metadata={'axes': 'ZYX'})
save('many', m)
`);
  });

  it.skipIf(!TIFFFILE)('a plain big-endian BigTIFF: its pages are Z, read by geotiff', async () => {
    const [s] = await importAll(makeApi(), ['big.tif']);
    expect(s).toMatchObject({ schema: 'Volume', field: 'volume', dtype: 'uint16', shape: [5, 8, 10] });
    expect(s!.values).toEqual(expected('big', 'uint16'));
    expect(s!.extra).toMatchObject({ format: 'TIFF' });
  });

  it.skipIf(!TIFFFILE)('RGB pages (interleaved and planar) are channels', async () => {
    const [planar, rgb] = await importAll(makeApi(), ['planar.ome.tif', 'rgb.ome.tif']);
    expect(rgb).toMatchObject({ schema: 'Image', dtype: 'uint8', shape: [3, 9, 7] });
    expect(rgb!.values).toEqual(expected('rgb', 'uint8'));
    expect(rgb!.axes!.channels.map((c) => [c.label, c.color])).toEqual([
      ['Red', 'FF0000'],
      ['Green', '00FF00'],
      ['Blue', '0000FF'],
    ]);
    expect(planar).toMatchObject({ schema: null, dtype: 'uint16', shape: [3, 2, 20, 30] });
    expect(planar!.values).toEqual(expected('planar', 'uint16'));
  });

  it.skipIf(!TIFFFILE)('reads by ranges (never the whole file), reports progress in bytes, and a cancel stores nothing', async () => {
    const store: Store = await openStore(`ome-raw-${crypto.randomUUID()}`);
    try {
      const ctx = { decode: async () => [], store: async () => store, persist: async () => null };
      const f = file('many.ome.tif', 64 * 64 * 2 + 1024);
      const seen: number[] = [];
      const r = await importFiles(ctx, [f], { onProgress: (_d, _t, _n, b) => b && seen.push(b.fileDone) });
      expect(r.errors).toEqual([]);
      const a = await store.readDatasetArray(r.ids[0]!, 'volume');
      expect(Array.from(a.data as Uint16Array)).toEqual(expected('many', 'uint16'));
      expect(seen.length).toBe(6);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(seen.at(-1)).toBe(f.size);

      const ac = new AbortController();
      const c = await importFiles(ctx, [file('many.ome.tif')], {
        signal: ac.signal,
        onProgress: (_d, _t, _n, b) => {
          if (b && b.fileDone > 0) ac.abort();
        },
      });
      expect(c).toMatchObject({ ids: [], cancelled: ['many.ome.tif'], errors: [] });
      expect((await store.listDatasets()).length).toBe(1);
      expect((await store.listChunkedArrays()).length).toBe(1);
    } finally {
      store.close();
    }
  });
});

describe(`bad input: an error naming the file and the field; nothing of that file stored${SKIP}`, () => {
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(`
a = np.arange(2 * 4 * 5, dtype=np.uint16).reshape(2, 4, 5)
tifffile.imwrite(d + '/good.ome.tif', a, ome=True, metadata={'axes': 'ZYX', 'Channel': {'Color': [-16776961]}})
raw = open(d + '/good.ome.tif', 'rb').read()
t = tifffile.TiffFile(d + '/good.ome.tif')
off = t.pages[1].tags['StripOffsets'].offset
t.close()
cut = bytearray(raw)
cut[off + 8:off + 12] = (5000).to_bytes(4, 'little')  # page 2's pixels "after the end"
open(d + '/truncated.ome.tif', 'wb').write(bytes(cut))
def patched(name, old, new):
    assert raw.count(old) == 1, old
    open(d + '/' + name, 'wb').write(raw.replace(old, new))
patched('sizez.ome.tif', b'SizeZ="2"', b'SizeZ="3"')
patched('ifd.ome.tif', b'IFD="0" PlaneCount="2"', b'IFD="1" PlaneCount="2"')
patched('type.ome.tif', b'Type="uint16"', b'Type="bit"   ')
patched('sizex.ome.tif', b'SizeX="5"', b'SizeX="6"')
patched('color.ome.tif', b'Color="-16776961"', b'Color="-1677696x"')
b = np.zeros((4, 5), np.uint8)
tifffile.imwrite(d + '/comp.ome.tif', b, ome=True, metadata={'axes': 'YX'})
raw = bytearray(open(d + '/comp.ome.tif', 'rb').read())
t = tifffile.TiffFile(d + '/comp.ome.tif')
off = t.pages[0].tags['Compression'].offset
t.close()
raw[off + 8:off + 10] = (34712).to_bytes(2, 'little')  # JPEG 2000
open(d + '/comp.ome.tif', 'wb').write(bytes(raw))
tifffile.imwrite(d + '/ij.tif', np.zeros((6, 4, 5), np.uint8), imagej=True, metadata={'axes': 'ZYX'})
raw = open(d + '/ij.tif', 'rb').read()
open(d + '/ijbad.tif', 'wb').write(raw.replace(b'images=6', b'images=8'))
`);
  });

  it.skipIf(!TIFFFILE)('each bad file is reported with its exact message; the good one imports', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed(
      ['good.ome.tif', 'truncated.ome.tif', 'sizez.ome.tif', 'ifd.ome.tif', 'type.ome.tif', 'sizex.ome.tif', 'color.ome.tif', 'comp.ome.tif', 'ijbad.tif'].map(
        (n) => file(n),
      ),
    );
    expect(r.ids).toHaveLength(1);
    const size = readFileSync(join(dir, 'truncated.ome.tif')).length;
    expect(size).toBeLessThan(5000);
    expect(r.errors).toEqual([
      { file: 'color.ome.tif', message: "color.ome.tif: OME-XML: Image 0 ('Image0') Pixels Channel 0 Color='-1677696x' is not a 32-bit RGBA integer." },
      {
        file: 'comp.ome.tif',
        message: 'comp.ome.tif: page 1: Compression=34712 is not supported (supported: none, LZW, JPEG, Deflate, PackBits, LERC, Zstandard, WebP).',
      },
      {
        file: 'ifd.ome.tif',
        message: "ifd.ome.tif: OME-XML: Image 0 ('Image0') Pixels TiffData 0 IFD=1 PlaneCount=2 needs pages 2 to 3, but the file has 2 page(s).",
      },
      { file: 'ijbad.tif', message: 'ijbad.tif: ImageJ description: channels=1 × slices=6 × frames=1 is 6 planes, but images=8.' },
      { file: 'sizex.ome.tif', message: 'sizex.ome.tif: OME-XML: Image 0 Pixels: SizeX=6 SizeY=4, but page 1 is 5×4 pixels.' },
      {
        file: 'sizez.ome.tif',
        message: "sizez.ome.tif: OME-XML: Image 0 ('Image0') Pixels no TiffData gives the plane Z=2 C=0 T=0 (3 planes, 1 TiffData element(s)).",
      },
      {
        file: 'truncated.ome.tif',
        message: `truncated.ome.tif: the file is truncated: page 2 needs bytes 5000 to 5040, but the file holds only ${size} bytes.`,
      },
      {
        file: 'type.ome.tif',
        message:
          "type.ome.tif: OME-XML: Image 0 ('Image0') Pixels Type='bit' is not supported (expected one of int8, int16, int32, uint8, uint16, uint32, float, double).",
      },
    ]);
    expect((await api.datasets.list()).map((m) => m.name)).toEqual(['good.ome.tif']);
  });

  it.skipIf(!TIFFFILE)('a page that fails to decompress mid-file: the error names it, and no array or chunk of the file stays', async () => {
    python(`
a = np.arange(3 * 20 * 20, dtype=np.uint16).reshape(3, 20, 20)
tifffile.imwrite(d + '/corrupt.ome.tif', a, ome=True, compression='zlib', metadata={'axes': 'ZYX'})
raw = bytearray(open(d + '/corrupt.ome.tif', 'rb').read())
t = tifffile.TiffFile(d + '/corrupt.ome.tif')
o, n = t.pages[2].dataoffsets[0], t.pages[2].databytecounts[0]
t.close()
raw[o:o + n] = bytes(n)  # page 3's compressed bytes zeroed
open(d + '/corrupt.ome.tif', 'wb').write(bytes(raw))
`);
    const name = `ome-corrupt-${crypto.randomUUID()}`;
    const store: Store = await openStore(name);
    try {
      const r = await importFiles({ decode: async () => [], store: async () => store, persist: async () => null }, [file('corrupt.ome.tif')]);
      expect(r.ids).toEqual([]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.message).toMatch(/^corrupt\.ome\.tif: cannot decompress page 3 \(Deflate\): /);
      expect(await store.listDatasets()).toEqual([]);
      expect(await store.listChunkedArrays()).toEqual([]);
      expect(await rawCount(name, 'chunks')).toBe(0);
      expect(await rawCount(name, 'chunkedArrays')).toBe(0);
    } finally {
      store.close();
    }
  });
});
