// Label images made elsewhere, imported as labels (`as: 'labels'`, `labelsOf`, `labelsByName`) through
// the API: files written in this run by tifffile, numpy and PIL (/usr/bin/python3); every value, dtype
// and shape checked against what Python wrote, the schema, `madeFrom`, and the error texts. One large
// TIFF is read through a file that refuses big reads: labels stream too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox, type AlgoboxOptions } from '../../src/api';
import { decodeImageBytes } from '../../src/core/imageCodecs';
import { labelNameHint, positionText } from '../../src/core/labelArrays';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { importFiles } from '../../src/engine/importFiles';
import { openStore } from '../../src/store/index';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const PYTHON = '/usr/bin/python3';
const has = (mod: string) => spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
const READY = has('numpy') && has('tifffile') && has('PIL');
const NO_PYTHON = 'needs numpy, tifffile and PIL under /usr/bin/python3';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-labels-'));
  if (!READY) return;
  const code = `
import sys, numpy as np, tifffile
from PIL import Image
d = sys.argv[1]
def save(name, a):
    a.astype(a.dtype.newbyteorder('<')).tofile(d + '/' + name + '.raw')
rng = np.random.default_rng(7)
u16 = rng.integers(0, 60000, (5, 7)).astype(np.uint16); u16[0, 0] = 0; u16[1, 1] = 59999
tifffile.imwrite(d + '/cells_labels.tif', u16, photometric='minisblack'); save('cells_labels.tif', u16)
i32 = rng.integers(-5, 2_000_000_000, (5, 4, 6)).astype(np.int32)
tifffile.imwrite(d + '/nuclei_3d.tif', i32, photometric='minisblack'); save('nuclei_3d.tif', i32)
i64 = rng.integers(0, 70000, (4, 6)).astype(np.int64); i64[2, 3] = 2_147_483_647
np.save(d + '/mask.npy', i64); save('mask.npy', i64.astype(np.int32))
big = np.zeros((4, 6), np.int64); big[1, 2] = 3_000_000_000
np.save(d + '/big.npy', big)
fi = rng.integers(0, 500, (2, 4, 6)).astype(np.float32)
np.save(d + '/float_int.npy', fi); save('float_int.npy', fi.astype(np.int32))
fn = fi.copy(); fn[1, 2, 3] = 7.5
np.save(d + '/float_frac.npy', fn)
u8 = rng.integers(0, 256, (6, 8)).astype(np.uint8)
Image.fromarray(u8).save(d + '/cells_cp_masks.png'); save('cells_cp_masks.png', u8)
p16 = rng.integers(0, 65535, (6, 8)).astype(np.uint16)
Image.fromarray(p16).save(d + '/p16.png'); save('p16.png', p16)
Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(d + '/rgb.png')
Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(d + '/photo_masks.png')
Image.fromarray(p16).save(d + '/plain.png')
# an indexed PNG (PASCAL VOC style): the palette index is the label, the palette's colours arbitrary
idx = rng.integers(0, 21, (6, 8)).astype(np.uint8)
voc = Image.fromarray(idx, mode='P'); voc.putpalette([(37 * i) % 256 for i in range(768)]); voc.save(d + '/voc_mask.png'); save('voc_mask.png', idx)
# read by geotiff (importMicroscopy's reader): a BigTIFF int32 3-D, an ImageJ hyperstack uint16 3-D, a 2-channel ImageJ file
bt = rng.integers(-3, 100000, (3, 5, 4)).astype(np.int32)
tifffile.imwrite(d + '/big_labels.tif', bt, bigtiff=True, photometric='minisblack'); save('big_labels.tif', bt)
ij = rng.integers(0, 65535, (4, 5, 6)).astype(np.uint16)
tifffile.imwrite(d + '/ij_labels.tif', ij, imagej=True, metadata={'axes': 'ZYX'}); save('ij_labels.tif', ij)
ijc = rng.integers(0, 9, (2, 5, 6)).astype(np.uint16)
tifffile.imwrite(d + '/ij_2ch.tif', ijc, imagej=True, metadata={'axes': 'CYX'})
# a large label volume: 40 pages of 256 x 256 uint32 (10 MiB), read through 1 MiB reads
vol = (np.arange(40 * 256 * 256, dtype=np.uint64) * 2654435761 % 4_000_000_000).astype(np.uint32).reshape(40, 256, 256)
tifffile.imwrite(d + '/large_labels.tif', vol, photometric='minisblack'); save('large_labels.tif', vol)
`;
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

const decodeImageFile: AlgoboxOptions['decodeImageFile'] = async (f) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');

function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `labels-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), decodeImageFile, storageManager: null });
  apis.push(api);
  return api;
}

const file = (name: string) => new File([readFileSync(join(dir, name))], name);

/** What Python saved as `<name>.raw`. */
function expected<T>(name: string, ctor: new (b: ArrayBuffer) => T): T {
  const b = readFileSync(join(dir, `${name}.raw`));
  return new ctor(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

async function mask(api: Algobox, id: string): Promise<NDArray> {
  return (await api.datasets.get(id, ['mask'])).fields.mask as NDArray;
}

async function metaOf(api: Algobox, id: string) {
  return (await api.datasets.list()).find((m) => m.id === id)!;
}

describe.skipIf(!READY)(`import as labels (${NO_PYTHON})`, () => {
  it('keeps uint16 (tifffile), int32 3-D multi-page (tifffile), uint8 and uint16 PNGs (PIL) exactly, as Segmentation', async () => {
    const api = makeApi();
    const names = ['cells_labels.tif', 'nuclei_3d.tif', 'cells_cp_masks.png', 'p16.png'];
    const r = await api.datasets.importFilesDetailed(names.map(file), { as: 'labels' });
    expect(r.errors).toEqual([]);
    expect(r.labels).toEqual(r.ids);
    expect(r.stacks).toEqual([]);
    expect(r.volumes).toEqual([]);
    const byName = new Map(await Promise.all(r.ids.map(async (id) => [(await metaOf(api, id)).name, id] as const)));
    const check = async (name: string, dtype: string, shape: number[], want: ArrayLike<number>) => {
      const id = byName.get(name)!;
      const m = await mask(api, id);
      expect([name, m.dtype, m.shape]).toEqual([name, dtype, shape]);
      expect(Array.from(m.data as ArrayLike<number>)).toEqual(Array.from(want));
      expect(await metaOf(api, id)).toMatchObject({ schema: 'Segmentation', extra: { importedAs: 'labels', file: name } });
    };
    await check('cells_labels.tif', 'uint16', [5, 7], expected('cells_labels.tif', Uint16Array));
    await check('nuclei_3d.tif', 'int32', [5, 4, 6], expected('nuclei_3d.tif', Int32Array));
    await check('cells_cp_masks.png', 'uint8', [6, 8], expected('cells_cp_masks.png', Uint8Array));
    await check('p16.png', 'uint16', [6, 8], expected('p16.png', Uint16Array));
  });

  it('BigTIFF int32 and ImageJ uint16 label stacks (the geotiff reader) → [Z, Y, X] exactly; a 2-channel ImageJ file is refused', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([file('big_labels.tif'), file('ij_2ch.tif'), file('ij_labels.tif')], { as: 'labels' });
    expect(r.errors).toEqual([{ file: 'ij_2ch.tif', message: 'a label image has one value per pixel; ij_2ch.tif has 2 channels (a C axis).' }]);
    const [bt, ij] = await Promise.all(r.ids.map((id) => mask(api, id)));
    expect([bt!.dtype, bt!.shape]).toEqual(['int32', [3, 5, 4]]);
    expect(Array.from(bt!.data as Int32Array)).toEqual(Array.from(expected('big_labels.tif', Int32Array)));
    expect([ij!.dtype, ij!.shape]).toEqual(['uint16', [4, 5, 6]]);
    expect(Array.from(ij!.data as Uint16Array)).toEqual(Array.from(expected('ij_labels.tif', Uint16Array)));
    expect((await metaOf(api, r.ids[1]!)).extra).toMatchObject({ format: 'ImageJ TIFF', importedAs: 'labels' });
  });

  it('an indexed PNG: its palette indices are the labels (not the palette colours)', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([file('voc_mask.png')], { as: 'labels' });
    expect(r.errors).toEqual([]);
    const m = await mask(api, r.ids[0]!);
    expect([m.dtype, m.shape]).toEqual(['uint8', [6, 8]]);
    expect(Array.from(m.data as Uint8Array)).toEqual(Array.from(expected('voc_mask.png', Uint8Array)));
    expect(await metaOf(api, r.ids[0]!)).toMatchObject({ extra: { format: 'indexed PNG' } });
  });

  it('int64 NPY within int32 → int32; an integer-valued float NPY → int32 [Z, Y, X]', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([file('mask.npy'), file('float_int.npy')], { as: 'labels' });
    expect(r.errors).toEqual([]);
    const [b, a] = await Promise.all(r.ids.map((id) => mask(api, id))); // natural order: float_int.npy, mask.npy
    expect([a!.dtype, a!.shape]).toEqual(['int32', [4, 6]]);
    expect(Array.from(a!.data as Int32Array)).toEqual(Array.from(expected('mask.npy', Int32Array)));
    expect(a!.data[2 * 6 + 3]).toBe(2147483647);
    expect([b!.dtype, b!.shape]).toEqual(['int32', [2, 4, 6]]);
    expect(Array.from(b!.data as Int32Array)).toEqual(Array.from(expected('float_int.npy', Int32Array)));
  });

  it('refuses an out-of-range int64, a non-integer float and an RGB PNG, naming the file, the value and where', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([file('big.npy'), file('float_frac.npy'), file('rgb.png')], { as: 'labels' });
    expect(r.ids).toEqual([]);
    expect(r.errors).toEqual([
      {
        file: 'big.npy',
        message:
          'big.npy: the int64 label 3000000000 at (y 1, x 2) does not fit int32 (-2147483648 to 2147483647), which labels from a int64 file are stored as; relabel first (skimage.segmentation.relabel_sequential).',
      },
      {
        file: 'float_frac.npy',
        message:
          'float_frac.npy: a label image holds integer object ids, but its float32 value 7.5 at (z 1, y 2, x 3) is not an integer; round the labels first (numpy: labels.astype(np.int32)) or import the file as an image.',
      },
      { file: 'rgb.png', message: 'a label image has one value per pixel; rgb.png has 3 channels (RGB).' },
    ]);
    expect(await api.datasets.list()).toHaveLength(0);
  });

  it('labelsOf: checks the image size, records madeFrom; a wrong size names both datasets and shapes', async () => {
    const api = makeApi();
    const img = await api.datasets.put({ image: ndarray('uint8', [5, 7]) }, { name: 'cells.png', schema: 'Image' });
    const r = await api.datasets.importFilesDetailed([file('cells_labels.tif')], { labelsOf: img });
    expect(r.errors).toEqual([]);
    expect(await metaOf(api, r.ids[0]!)).toMatchObject({ schema: 'Segmentation', extra: { madeFrom: img, importedAs: 'labels' } });
    const bad = await api.datasets.importFilesDetailed([file('p16.png')], { labelsOf: img });
    expect(bad.errors).toEqual([
      {
        file: 'p16.png',
        message: "p16.png: labels of shape (6, 8) do not fit the image “cells.png” of shape (5, 7): labels need the image's Y × X size (5, 7).",
      },
    ]);
    const rgb = await api.datasets.put({ image: ndarray('uint8', [3, 6, 8]) }, { name: 'scene.png', schema: 'Image' });
    const ok = await api.datasets.importFilesDetailed([file('p16.png')], { labelsOf: rgb });
    expect(ok.errors).toEqual([]);
    await expect(api.datasets.importFilesDetailed([file('p16.png')], { labelsOf: 'nope' })).rejects.toThrow("importFiles: labelsOf: dataset 'nope' not found.");
    await expect(api.datasets.importFilesDetailed([file('p16.png')], { labelsOf: img, as: 'images' })).rejects.toThrow('cannot be combined');
  });

  it("labelsByName: an integer '_masks' file becomes labels (said in warnings), an RGB one and a plain name stay images", async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([file('cells_cp_masks.png'), file('photo_masks.png'), file('plain.png')], { labelsByName: true });
    expect(r.errors).toEqual([]);
    const metas = await Promise.all(r.ids.map((id) => metaOf(api, id)));
    expect(metas.map((m) => [m.name, m.schema])).toEqual([
      ['cells_cp_masks.png', 'Segmentation'],
      ['photo_masks.png', 'Image'],
      ['plain.png', 'Image'],
    ]);
    expect(r.labels).toEqual([r.ids[0]]);
    expect(r.warnings).toEqual([{ file: 'cells_cp_masks.png', message: 'imported as labels (its name ends in _cp_masks).' }]);
  });

  it('a large uint32 label volume streams: never read whole, values exact', async () => {
    const store = await openStore(`labels-stream-${crypto.randomUUID()}`);
    try {
      const bytes = new Uint8Array(readFileSync(join(dir, 'large_labels.tif')));
      const max = 1024 * 1024;
      const reads: number[] = [];
      const f = new (class extends File {
        override slice(start?: number, end?: number, type?: string): Blob {
          const b = super.slice(start, end, type);
          if (b.size > max) throw new Error(`a read of ${b.size} bytes`);
          reads.push(b.size);
          return b;
        }
        override arrayBuffer(): Promise<ArrayBuffer> {
          throw new Error('the whole file was read');
        }
      })([bytes], 'large_labels.tif');
      const ctx = { decode: decodeImageFile, store: async () => store, persist: async () => null, slabBytes: max / 2 };
      const r = await importFiles(ctx, [f], { as: 'labels' });
      expect(r.errors).toEqual([]);
      const got = (await store.readDatasetArray(r.ids[0]!, 'mask')) as NDArray;
      expect([got.dtype, got.shape]).toEqual(['uint32', [40, 256, 256]]);
      expect(Buffer.from((got.data as Uint32Array).buffer).equals(Buffer.from(expected('large_labels.tif', Uint32Array).buffer as ArrayBuffer))).toBe(true);
      expect(Math.max(...reads)).toBeLessThanOrEqual(max);
    } finally {
      store.close();
    }
  });
});

describe('label names and positions', () => {
  it('labelNameHint knows the usual endings, case-insensitive', () => {
    expect(
      ['a_labels.tif', 'a_label.png', 'A_MASKS.PNG', 'a_mask.npy', 'img_cp_masks.png', 'x_seg.tif', 'masks.png', 'a_maskx.png'].map(labelNameHint),
    ).toEqual(['_labels', '_label', '_masks', '_mask', '_cp_masks', '_seg', null, null]);
    expect(positionText([2, 3, 4], 23)).toBe('(z 1, y 2, x 3)');
  });
});
