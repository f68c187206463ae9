import { openStore } from '../../src/store/index';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox, type AlgoboxOptions, type StorageManagerLike } from '../../src/api';
import { decodeImageBytes, encodeNpy, encodePng, encodeTiff } from '../../src/core/imageCodecs';
import { encode as fastPngEncode } from 'fast-png';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

/** The Node decoder: PNG/TIFF/NPY through src/core/imageCodecs. */
const decodeImageFile: AlgoboxOptions['decodeImageFile'] = async (f) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');

function makeApi(extra: Partial<AlgoboxOptions> = {}): Algobox {
  const api = createAlgobox({
    dbName: `import-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    decodeImageFile,
    storageManager: null,
    ...extra,
  });
  apis.push(api);
  return api;
}

/** A 2×2 uint8 PNG whose first pixel is `v` (so files can be told apart after import). */
const png = (v: number) => new Blob([encodePng(ndarray('uint8', [2, 2], [v, 1, 2, 3]))]);
const tiffPages = (n: number) => new Blob([encodeTiff(Array.from({ length: n }, (_, i) => ndarray('uint16', [2, 3], [i, 0, 0, 0, 0, 0])))]);
const at = (file: Blob, path: string) => ({ file, path });

async function names(api: Algobox, ids: string[]): Promise<string[]> {
  const byId = new Map((await api.datasets.list()).map((m) => [m.id, m.name]));
  return ids.map((id) => byId.get(id)!);
}

async function firstPixel(api: Algobox, id: string): Promise<number> {
  return ((await api.datasets.get(id, ['image'])).fields.image as NDArray).data[0]!;
}

describe('importFilesDetailed: grouping', () => {
  it('a folder of 2+ images becomes a stack named after it, in natural order; root files stay single', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([
      at(png(10), 'cells/img10.png'),
      at(png(2), 'cells/img2.png'),
      at(png(1), 'cells/img1.png'),
      at(png(50), 'other/only.png'),
      at(png(99), 'root.png'),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.persisted).toBeNull();
    expect(await names(api, r.ids)).toEqual(['img1.png', 'img2.png', 'img10.png', 'only.png', 'root.png']);
    expect(r.stacks).toHaveLength(1);
    const [stack] = r.stacks;
    expect(stack).toMatchObject({ name: 'cells', source: 'import', extra: { folder: 'cells' } });
    expect(await names(api, stack!.datasetIds)).toEqual(['img1.png', 'img2.png', 'img10.png']);
    expect(await Promise.all(stack!.datasetIds.map((id) => firstPixel(api, id)))).toEqual([1, 2, 10]);
    expect(await api.stacks.list()).toEqual(r.stacks);
    const meta = (await api.datasets.list()).find((m) => m.name === 'img2.png')!;
    expect(meta).toMatchObject({ source: 'upload', schema: 'Image', extra: { file: 'img2.png', path: 'cells/img2.png', page: 0, pages: 1 } });
    expect(meta.thumbnail).toMatchObject({ width: 2, height: 2, channels: 1 });
  });

  it('nested folders group by their own parent; paths are normalised', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([
      at(png(1), './exp/a/s1.png'),
      at(png(2), 'exp\\a\\s2.png'),
      at(png(3), 'exp/b/t1.png'),
      at(png(4), 'exp/b/t2.png'),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.stacks.map((s) => [s.name, s.extra.folder])).toEqual([
      ['a', 'exp/a'],
      ['b', 'exp/b'],
    ]);
  });

  it('a multi-page TIFF becomes its own stack named after the file, pages in order', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([at(tiffPages(3), 'scans/volume.tif'), at(png(7), 'scans/extra.png')]);
    expect(r.errors).toEqual([]);
    // The TIFF's stack; the folder has only one single-image file left, so no folder stack.
    expect(r.stacks.map((s) => s.name)).toEqual(['volume.tif']);
    const stack = r.stacks[0]!;
    expect(stack.extra).toEqual({ file: 'scans/volume.tif', pages: 3 });
    expect(await names(api, stack.datasetIds)).toEqual(['volume.tif [1/3]', 'volume.tif [2/3]', 'volume.tif [3/3]']);
    expect(await Promise.all(stack.datasetIds.map((id) => firstPixel(api, id)))).toEqual([0, 1, 2]);
    expect(await names(api, r.ids)).toEqual(['extra.png', 'volume.tif [1/3]', 'volume.tif [2/3]', 'volume.tif [3/3]']);
    // A single File (no folder) with pages: still a stack.
    const file = new File([await tiffPages(2).arrayBuffer()], 'two.tiff');
    const r2 = await api.datasets.importFilesDetailed([file]);
    expect(r2.stacks.map((s) => [s.name, s.datasetIds.length])).toEqual([['two.tiff', 2]]);
  });

  it("datasets.importFiles(files, { layout: 'volume' }): a 3-D NPY becomes one Volume (the console call)", async () => {
    const api = makeApi();
    const vol = ndarray(
      'uint16',
      [3, 4, 5],
      Array.from({ length: 60 }, (_, i) => i * 1000),
    );
    const file = new File([encodeNpy(vol)], 'vol.npy');
    const [id, ...rest] = await api.datasets.importFiles([file], { layout: 'volume' });
    expect(rest).toEqual([]);
    const d = await api.datasets.get(id!);
    expect(d.meta).toMatchObject({ name: 'vol.npy', schema: 'Volume', extra: { pages: 3, format: 'NPY' } });
    expect(Array.from((d.fields.volume as NDArray).data)).toEqual(Array.from(vol.data));
    // Without a layout (auto, small): today's stack of three Images.
    expect(await api.datasets.importFiles([file])).toHaveLength(3);
  });

  it('reports an unreadable file by path and reason and imports the rest', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([
      at(png(1), 'cells/img1.png'),
      at(new Blob([new TextEncoder().encode('not an image')]), 'cells/notes.png'),
      at(png(3), 'cells/img3.png'),
      at(new Blob([new TextEncoder().encode('??')]), 'loose.txt'),
    ]);
    expect(r.errors.map((e) => e.file)).toEqual(['cells/notes.png', 'loose.txt']);
    expect(r.errors[1]!.message).toMatch(/unrecognised file format/);
    expect(r.errors[0]!.message.length).toBeGreaterThan(5);
    expect(r.stacks.map((s) => s.name)).toEqual(['cells']);
    expect(await names(api, r.stacks[0]!.datasetIds)).toEqual(['img1.png', 'img3.png']);
    expect(r.ids).toHaveLength(2);
    // importFiles: the ids; an error only when nothing could be imported.
    expect(await api.datasets.importFiles([at(png(5), 'x.png'), at(new Blob(['bad']), 'y.png')])).toHaveLength(1);
    await expect(api.datasets.importFiles([at(new Blob(['bad']), 'y.png')])).rejects.toThrow(/^y\.png: /);
  });

  it('sorts Files naturally by name (or webkitRelativePath) and reports progress', async () => {
    const api = makeApi();
    const mk = async (v: number, name: string, rel?: string) => {
      const f = new File([await png(v).arrayBuffer()], name);
      if (rel) Object.defineProperty(f, 'webkitRelativePath', { value: rel });
      return f;
    };
    const files = [await mk(10, 'f10.png', 'dir/f10.png'), await mk(9, 'f9.png', 'dir/f9.png'), await mk(1, 'Z1.png')];
    const progress: [number, number, string][] = [];
    const r = await api.datasets.importFilesDetailed(files, { onProgress: (d, t, n) => progress.push([d, t, n]) });
    expect(r.errors).toEqual([]);
    expect(await names(api, r.ids)).toEqual(['f9.png', 'f10.png', 'Z1.png']);
    expect(r.stacks.map((s) => s.name)).toEqual(['dir']);
    expect(progress).toEqual([
      [0, 3, 'dir/f9.png'],
      [1, 3, 'dir/f10.png'],
      [2, 3, 'Z1.png'],
      [3, 3, ''],
    ]);
    // The old (done, total) callback still works.
    const calls: number[] = [];
    await api.datasets.importFilesDetailed([await mk(1, 'a.png')], (d) => calls.push(d));
    expect(calls).toEqual([0, 1]);
  });

  it('a failing stack write reports every file of the group and leaves nothing half-written', async () => {
    // A store whose stack writes fail (the test's own store, given to the API).
    const store = await openStore(`import-${crypto.randomUUID()}`);
    const api = makeApi({ store });
    const orig = store.putDatasetsAsStack.bind(store);
    store.putDatasetsAsStack = async () => {
      throw new Error('disk full');
    };
    try {
      const r = await api.datasets.importFilesDetailed([at(png(1), 'd/a.png'), at(png(2), 'd/b.png'), at(png(3), 'c.png')]);
      expect(r.errors).toEqual([
        { file: 'd/a.png', message: 'disk full' },
        { file: 'd/b.png', message: 'disk full' },
      ]);
      expect(await names(api, r.ids)).toEqual(['c.png']);
    } finally {
      store.putDatasetsAsStack = orig;
    }
  });
});

describe('storage', () => {
  function fakeStorage(opts: { persist?: boolean } = {}): StorageManagerLike & { persistCalls: number } {
    const s = {
      persistCalls: 0,
      estimate: async () => ({ usage: 1234, quota: 10_000_000 }),
      persisted: async () => false,
      persist: async () => {
        s.persistCalls++;
        return opts.persist ?? true;
      },
    };
    return s;
  }

  it('estimate combines the browser numbers and the store usage; null where unavailable', async () => {
    const sm = fakeStorage();
    const api = makeApi({ storageManager: sm });
    await api.datasets.put({ image: ndarray('uint8', [2, 2], [1, 2, 3, 4]) });
    expect(await api.storage.estimate()).toEqual({
      usage: 1234,
      quota: 10_000_000,
      persisted: false,
      datasets: 1,
      datasetBytes: 4,
      algorithms: 0,
      blobBytes: 4,
    });
    expect(await api.storage.persist()).toBe(true);
    const none = makeApi();
    expect(await none.storage.estimate()).toEqual({ usage: null, quota: null, persisted: null, datasets: 0, datasetBytes: 0, algorithms: 0, blobBytes: 0 });
    expect(await none.storage.persist()).toBe(false);
    const broken = makeApi({ storageManager: { estimate: () => Promise.reject(new Error('x')), persist: () => Promise.reject(new Error('y')) } });
    expect((await broken.storage.estimate()).usage).toBeNull();
    expect(await broken.storage.persist()).toBe(false);
  });

  it('a large import asks for persistent storage once; a small one does not', async () => {
    const sm = fakeStorage({ persist: false });
    const api = makeApi({ storageManager: sm });
    const small = await api.datasets.importFilesDetailed([at(png(1), 'a.png')]);
    expect(small.persisted).toBeNull();
    expect(sm.persistCalls).toBe(0);
    const big = await api.datasets.importFilesDetailed([at(png(1), 'a.png'), at(png(2), 'b.png')], { persistThresholdBytes: 10 });
    expect(sm.persistCalls).toBe(1);
    expect(big.persisted).toBe(false);
    // Unavailable: skipped silently.
    const api2 = makeApi();
    expect((await api2.datasets.importFilesDetailed([at(png(1), 'a.png')], { persistThresholdBytes: 0 })).persisted).toBeNull();
  });
});

describe('api: stacks', () => {
  it('creates, gets, renames, updates and deletes stacks; deleting datasets updates them', async () => {
    const api = makeApi();
    const a = await api.datasets.put({ image: ndarray('uint8', [1, 1], [1]) });
    const b = await api.datasets.put({ image: ndarray('uint8', [1, 1], [2]) });
    const s = await api.stacks.create({ name: 'mine', datasetIds: [b, a] });
    expect(s).toMatchObject({ name: 'mine', source: 'user', datasetIds: [b, a], extra: {} });
    expect(await api.stacks.get(s.id)).toEqual(s);
    await expect(api.stacks.get('nope')).rejects.toThrow("Stack not found: 'nope'.");
    await expect(api.stacks.create({ name: 'x', datasetIds: [a, 'q1', 'q2'] })).rejects.toThrow('Datasets not found: q1, q2');
    expect((await api.stacks.rename(s.id, 'renamed')).name).toBe('renamed');
    expect((await api.stacks.update(s.id, { datasetIds: [a, b] })).datasetIds).toEqual([a, b]);
    await api.datasets.delete(a);
    expect((await api.stacks.get(s.id)).datasetIds).toEqual([b]);
    await api.stacks.delete(s.id, { withDatasets: true });
    expect(await api.stacks.list()).toEqual([]);
    expect(await api.datasets.list()).toEqual([]);
  });
});

describe('importFilesDetailed: folders of mixed images, transparency (issue 15 items 2 and 8)', () => {
  const img = (h: number, w: number, v: number) =>
    new Blob([
      encodePng(
        ndarray(
          'uint8',
          [h, w],
          Array.from({ length: h * w }, () => v),
        ),
      ),
    ]);
  const rgba = (alpha: number[]) =>
    new Blob([new Uint8Array(encodePngRgba(2, 2, [9, 8, 7, alpha[0]!, 1, 2, 3, alpha[1]!, 4, 5, 6, alpha[2]!, 7, 7, 7, alpha[3]!]))]);

  it('a folder of differently sized images is not one stack: equal ones are stacked, the rest separate, said by file name', async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([
      at(img(4, 4, 1), 'mix/a.png'),
      at(img(3, 5, 2), 'mix/b.png'),
      at(img(4, 4, 3), 'mix/c.png'),
      at(img(2, 2, 4), 'mix/d.png'),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.stacks.map((s) => s.name)).toEqual(['mix']);
    expect(await names(api, r.stacks[0]!.datasetIds)).toEqual(['a.png', 'c.png']);
    expect(await names(api, r.ids)).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(r.warnings).toEqual([
      {
        file: 'mix/',
        message:
          'its 4 images are not all of one shape and dtype (3 kinds), so the folder was not made one stack. Imported as stack “mix” of 2 (4×4 uint8): a.png, c.png; separate datasets: b.png (3×5 uint8), d.png (2×2 uint8).',
      },
    ]);
    // Equal images still make one stack, without a warning.
    const same = await api.datasets.importFilesDetailed([at(img(4, 4, 1), 'same/a.png'), at(img(4, 4, 2), 'same/b.png')]);
    expect(same.warnings).toEqual([]);
    expect(same.stacks.map((s) => s.name)).toEqual(['same']);
  });

  it("an RGBA PNG's transparency is kept as a dataset beside the RGB image, and said; a folder of them stacks the alphas too", async () => {
    const api = makeApi();
    const r = await api.datasets.importFilesDetailed([at(rgba([0, 128, 255, 255]), 'logo.png'), at(rgba([255, 255, 255, 255]), 'opaque.png')]);
    expect(r.errors).toEqual([]);
    expect(await names(api, r.ids)).toEqual(['logo.png', 'logo.png · alpha', 'opaque.png']);
    const alpha = (await api.datasets.get(r.ids[1]!, ['image'])).fields.image as NDArray;
    expect(alpha.shape).toEqual([2, 2]);
    expect(Array.from(alpha.data as Uint8Array)).toEqual([0, 128, 255, 255]);
    expect(((await api.datasets.get(r.ids[0]!, ['image'])).fields.image as NDArray).shape).toEqual([3, 2, 2]);
    expect(r.warnings).toEqual([
      { file: 'logo.png', message: 'its transparency (alpha channel) is kept as the separate dataset “logo.png · alpha”; the image is stored as RGB.' },
    ]);

    const f = await api.datasets.importFilesDetailed([at(rgba([0, 1, 2, 3]), 'icons/a.png'), at(rgba([3, 2, 1, 0]), 'icons/b.png')]);
    expect(f.stacks.map((s) => s.name)).toEqual(['icons', 'icons · alpha']);
    expect(await names(api, f.stacks[1]!.datasetIds)).toEqual(['a.png · alpha', 'b.png · alpha']);
  });
});

/** An 8-bit RGBA PNG of interleaved samples (encodePng writes gray and RGB only). */
function encodePngRgba(w: number, h: number, data: number[]): Uint8Array {
  return fastPngEncode({ width: w, height: h, data: new Uint8Array(data), depth: 8, channels: 4 });
}
