// Streaming import (issue 13): NPY and TIFF files are read by byte ranges, never whole, and a 3-D NPY
// or a multi-page TIFF becomes ONE Volume dataset written slab by slab into a chunked array (or a
// stack of Images, `layout`). The files are written by numpy and tifffile (Debian's python3-numpy and
// python3-tifffile) in this run; every file is wrapped so that any read larger than a bound, and any
// whole-file read, fails the test. Cancel and bad input leave nothing behind: no dataset, no
// committed or staged chunked array, no chunk record.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes, encodePng } from '../../src/core/imageCodecs';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { importFiles, type ImportBytes, type ImportContext, type ImportOptions } from '../../src/engine/importFiles';
import { openStore, type Store } from '../../src/store/index';

const PYTHON = '/usr/bin/python3';
const has = (mod: string) => spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
const NUMPY = has('numpy');
const TIFFFILE = NUMPY && has('tifffile');
const NO_NUMPY = 'needs numpy under /usr/bin/python3 (apt-get install -y python3-numpy)';
const NO_TIFFFILE = 'needs tifffile under /usr/bin/python3 (apt-get install -y python3-tifffile; scripts/ensure.mjs installs it for npm test)';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-import-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run numpy/tifffile code with `d` = the temp dir; `save(name, a)` also writes the expected values as `<name>.raw` (little-endian, C order). */
function python(code: string): void {
  const prelude = [
    'import sys, numpy as np',
    'd = sys.argv[1]',
    'def save(name, a):',
    "    a.astype(a.dtype.newbyteorder('<')).tofile(d + '/' + name + '.raw')",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', `${prelude}\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}

/** What numpy saved as `<name>.raw`, as a typed array of `ctor`. */
function expected<T>(name: string, ctor: new (b: ArrayBuffer) => T): T {
  const b = readFileSync(join(dir, `${name}.raw`));
  return new ctor(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * A File whose `slice()` refuses to hand out more than `max` bytes at once and whose whole-file
 * readers (`arrayBuffer`, `text`, `stream`, `bytes`) throw: what importing it reads is bounded.
 */
class BoundedFile extends File {
  readonly reads: number[] = [];
  constructor(
    bytes: Uint8Array<ArrayBuffer>,
    name: string,
    readonly max: number,
  ) {
    super([bytes], name);
  }
  override slice(start?: number, end?: number, type?: string): Blob {
    const b = super.slice(start, end, type);
    if (b.size > this.max) throw new Error(`a read of ${b.size} bytes (more than ${this.max})`);
    this.reads.push(b.size);
    return b;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    throw new Error('the whole file was read with arrayBuffer()');
  }
  override text(): Promise<string> {
    throw new Error('the whole file was read with text()');
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    throw new Error('the whole file was read with stream()');
  }
}

const file = (name: string, max = Infinity) => new BoundedFile(new Uint8Array(readFileSync(join(dir, name))), name, max);

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
});

interface Harness {
  store: Store;
  name: string;
  run(files: File[], opts?: ImportOptions): ReturnType<typeof importFiles>;
}

async function harness(ctx: Partial<ImportContext> = {}): Promise<Harness> {
  const name = `import-stream-${crypto.randomUUID()}`;
  const store = await openStore(name);
  stores.push(store);
  const full: ImportContext = {
    // Only PNG and other whole-file formats reach the decoder: NPY and TIFF never do.
    decode: async (f) => {
      if (/\.(npy|tiff?)$/.test(f.name ?? '')) throw new Error('an NPY or TIFF file reached the whole-file decoder');
      return decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');
    },
    store: async () => store,
    persist: async () => null,
    ...ctx,
  };
  return { store, name, run: (files, opts) => importFiles(full, files, opts) };
}

/** Records of the raw object stores (every record, staging ones included). */
async function rawCounts(dbName: string): Promise<{ chunks: number; chunkedArrays: number; datasets: number }> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    const tx = db.transaction(['chunks', 'chunkedArrays', 'datasets'], 'readonly');
    const count = (s: string) =>
      new Promise<number>((resolve, reject) => {
        const req = tx.objectStore(s).count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    return { chunks: await count('chunks'), chunkedArrays: await count('chunkedArrays'), datasets: await count('datasets') };
  } finally {
    db.close();
  }
}

async function expectNothingStored(h: Harness): Promise<void> {
  expect(await h.store.listDatasets()).toEqual([]);
  expect(await h.store.listChunkedArrays()).toEqual([]);
  expect(await rawCounts(h.name)).toEqual({ chunks: 0, chunkedArrays: 0, datasets: 0 });
}

const values = (a: NDArray) => Array.from(a.data as ArrayLike<number>);

describe(`NPY written by numpy, read in slabs${NUMPY ? '' : ` (skipped: ${NO_NUMPY})`}`, () => {
  const SLICE = 300 * 260 * 2;
  beforeAll(() => {
    if (!NUMPY) return;
    python(
      [
        'rng = np.random.default_rng(7)',
        'v = rng.integers(0, 65536, size=(7, 300, 260), dtype=np.uint16)',
        "np.save(d + '/vol.npy', v); save('vol', v)",
        'f = (rng.standard_normal((5, 64, 48)) * 1000).astype(np.float32)',
        "np.save(d + '/be.npy', f.astype('>f4')); save('be', f)",
        "np.save(d + '/c64.npy', np.zeros((2, 3, 4), np.complex64))",
      ].join('\n'),
    );
  });

  it.skipIf(!NUMPY)('a [7, 300, 260] uint16 NPY imports as ONE Volume equal to numpy, never read whole nor more than 2 slices at once', async () => {
    const h = await harness({ slabBytes: 2 * SLICE });
    const f = file('vol.npy', 2 * SLICE);
    const bytes: ImportBytes[] = [];
    const r = await h.run([f], { layout: 'volume', onProgress: (_d, _t, _n, b) => b && bytes.push(b) });
    expect(r.errors).toEqual([]);
    expect(r.stacks).toEqual([]);
    expect(r.ids).toHaveLength(1);
    expect(r.volumes).toEqual(r.ids);
    const meta = (await h.store.getDatasetMeta(r.ids[0]!))!;
    expect(meta).toMatchObject({ name: 'vol.npy', schema: 'Volume', source: 'upload', extra: { file: 'vol.npy', path: 'vol.npy', pages: 7, format: 'NPY' } });
    expect(meta.keys.volume).toMatchObject({ kind: 'array', dtype: 'uint16', shape: [7, 300, 260], chunkShape: [1, 300, 260] });
    expect(meta.thumbnail).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
    const got = (await h.store.readDatasetArray(r.ids[0]!, 'volume')) as NDArray;
    expect(got.dtype).toBe('uint16');
    expect(got.shape).toEqual([7, 300, 260]);
    expect(Buffer.compare(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(expected('vol', Uint16Array).buffer))).toBe(0);
    // Bounded: the header window, then slabs of at most 2 slices (the bound above would have thrown).
    expect(Math.max(...f.reads)).toBeLessThanOrEqual(2 * SLICE);
    expect(f.reads.reduce((a, b) => a + b, 0)).toBeLessThan(statSync(join(dir, 'vol.npy')).size + 16 * 1024);
    // Byte progress after each slab, up to the whole file.
    expect(bytes.length).toBe(4);
    expect(bytes.at(-1)).toEqual({ fileDone: f.size, fileTotal: f.size, done: f.size, total: f.size });
    expect(bytes.map((b) => b.fileDone)).toEqual(bytes.map((b) => b.fileDone).sort((a, b) => a - b));
    // One array committed, nothing staged left over.
    expect(await h.store.listChunkedArrays()).toHaveLength(1);
    expect((await rawCounts(h.name)).chunkedArrays).toBe(1);
  });

  it.skipIf(!NUMPY)("a big-endian float32 NPY becomes a float32 Volume with numpy's values", async () => {
    const h = await harness({ slabBytes: 64 * 48 * 4 });
    const r = await h.run([file('be.npy', 64 * 48 * 4)], { layout: 'volume' });
    expect(r.errors).toEqual([]);
    const got = (await h.store.readDatasetArray(r.ids[0]!, 'volume')) as NDArray;
    expect(got.dtype).toBe('float32');
    expect(got.shape).toEqual([5, 64, 48]);
    expect(values(got)).toEqual(Array.from(expected('be', Float32Array)));
  });

  it.skipIf(!NUMPY)("layout 'images' (and 'auto' below the threshold) keeps today's stack of Images, read in slabs too", async () => {
    const h = await harness({ slabBytes: 3 * SLICE });
    const r = await h.run([file('vol.npy', 3 * SLICE)], { layout: 'images' });
    expect(r.errors).toEqual([]);
    expect(r.volumes).toEqual([]);
    expect(r.stacks.map((s) => [s.name, s.datasetIds.length])).toEqual([['vol.npy', 7]]);
    const want = expected('vol', Uint16Array);
    const third = (await h.store.getDataset(r.ids[2]!))!;
    expect(third.meta).toMatchObject({ name: 'vol.npy [3/7]', schema: 'Image', extra: { page: 2, pages: 7 } });
    const img = third.fields.image as NDArray;
    expect(img.shape).toEqual([300, 260]);
    expect(values(img)).toEqual(Array.from(want.subarray(2 * 300 * 260, 3 * 300 * 260)));
    const auto = await h.run([file('vol.npy', 3 * SLICE)]);
    expect(auto.volumes).toEqual([]);
    expect(auto.stacks).toHaveLength(1);
  });

  it.skipIf(!NUMPY)("'auto' makes a volume above its threshold; a large file's pages are staged one by one as Images", async () => {
    const h = await harness({ slabBytes: SLICE, autoVolumeBytes: 1000 });
    const r = await h.run([file('vol.npy', SLICE)]);
    expect(r.volumes).toHaveLength(1);
    expect(r.stacks).toEqual([]);
  });

  it.skipIf(!NUMPY)('every NPY dtype, either byte order: a volume keeps it (int64 → float64), images get the Image dtype', async () => {
    // descr → [volume dtype, image dtype] (float16 is float32 here: Node has no Float16Array).
    const cases: Record<string, [string, string]> = {
      '|i1': ['int8', 'float32'],
      '<i2': ['int16', 'float32'],
      '>i2': ['int16', 'float32'],
      '<u4': ['uint32', 'float64'],
      '>i4': ['int32', 'float64'],
      '<i8': ['float64', 'float64'],
      '>u8': ['float64', 'float64'],
      '|b1': ['bool', 'uint8'],
      '<f2': ['float32', 'float32'],
      '>f8': ['float64', 'float64'],
    };
    python(
      [
        'rng = np.random.default_rng(3)',
        `for i, descr in enumerate(${JSON.stringify(Object.keys(cases))}):`,
        '    a = rng.standard_normal((3, 4, 5)) * 100',
        "    a = (np.abs(a) if descr[1] in 'ub' else a).astype(np.dtype(descr).newbyteorder('='))",
        "    np.save(d + f'/dt{i}.npy', a.astype(descr)); save(f'dt{i}', a.astype(np.float64))",
      ].join('\n'),
    );
    const h = await harness({ slabBytes: 1 });
    for (const [i, [descr, [volumeDType, imageDType]]] of Object.entries(cases).entries()) {
      const want = Array.from(expected(`dt${i}`, Float64Array));
      const vol = await h.run([file(`dt${i}.npy`)], { layout: 'volume' });
      expect(vol.errors, descr).toEqual([]);
      const v = (await h.store.readDatasetArray(vol.ids[0]!, 'volume')) as NDArray;
      expect([descr, v.dtype, v.shape, values(v)]).toEqual([descr, volumeDType, [3, 4, 5], want]);
      const img = await h.run([file(`dt${i}.npy`)], { layout: 'images' });
      const pages = await Promise.all(img.ids.map(async (id) => (await h.store.getDataset(id))!.fields.image as NDArray));
      expect([descr, pages.map((p) => p.dtype), pages.flatMap(values)]).toEqual([descr, [imageDType, imageDType, imageDType], want]);
    }
  });

  it.skipIf(!NUMPY)('cancelling mid-file leaves no dataset, no chunked array and no chunk; what was stored before stays', async () => {
    const h = await harness({ slabBytes: SLICE });
    const png = new File([encodePng(ndarray('uint8', [2, 2], [1, 2, 3, 4]))], 'before.png');
    const before = await h.run([png]);
    expect(before.ids).toHaveLength(1);
    const ac = new AbortController();
    let slabs = 0;
    const r = await h.run([file('vol.npy', SLICE), new File([encodePng(ndarray('uint8', [2, 2]))], 'z-after.png')], {
      layout: 'volume',
      signal: ac.signal,
      onProgress: (_d, _t, _n, b) => {
        if (b && ++slabs === 3) ac.abort();
      },
    });
    expect(slabs).toBe(3);
    expect(r.ids).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.cancelled).toEqual(['vol.npy', 'z-after.png']);
    expect((await h.store.listDatasets()).map((m) => m.name)).toEqual(['before.png']);
    expect(await h.store.listChunkedArrays()).toEqual([]);
    // The PNG is a small blob field: no chunked array, no chunk, no staging record left.
    expect(await rawCounts(h.name)).toEqual({ chunks: 0, chunkedArrays: 0, datasets: 1 });
  });

  it.skipIf(!NUMPY)('cancelling a large stack of Images drops every page staged so far', async () => {
    const h = await harness({ slabBytes: SLICE, autoVolumeBytes: Infinity });
    const ac = new AbortController();
    const r = await h.run([file('vol.npy', SLICE)], {
      layout: 'images',
      signal: ac.signal,
      onProgress: (_d, _t, _n, b) => b && b.fileDone > 4 * SLICE && ac.abort(),
    });
    expect(r.cancelled).toEqual(['vol.npy']);
    await expectNothingStored(h);
  });

  it.skipIf(!NUMPY)('a truncated NPY names the file, the shape, the bytes declared and held; nothing is written', async () => {
    const whole = readFileSync(join(dir, 'vol.npy'));
    writeFileSync(join(dir, 'cut.npy'), whole.subarray(0, 128 + 3 * SLICE + 100));
    const h = await harness({ slabBytes: SLICE });
    const r = await h.run([file('cut.npy', SLICE)], { layout: 'volume' });
    expect(r.errors).toEqual([
      {
        file: 'cut.npy',
        message: `cut.npy: NPY file is truncated: its header declares shape (7, 300, 260) of '<u2', ${7 * SLICE} bytes of data after the 128-byte header, but the file holds only ${3 * SLICE + 100} bytes after it.`,
      },
    ]);
    await expectNothingStored(h);
  });

  it.skipIf(!NUMPY)('an unsupported dtype names the descr, the dtype and what is expected', async () => {
    const h = await harness();
    const r = await h.run([file('c64.npy')]);
    expect(r.errors[0]!.message).toBe(
      "c64.npy: unsupported NPY dtype '<c8' (complex64) in the header's 'descr'; expected bool, uint8, int8, uint16, int16, uint32, int32, int64, uint64, float16, float32 or float64 (either byte order).",
    );
    await expectNothingStored(h);
  });

  it('a header declaring more text than the file holds, and a bad version, are named', async () => {
    const h = await harness();
    const head = (major: number, len: number) => new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0, len & 255, len >> 8]);
    const r = await h.run([new File([head(1, 5000)], 'a.npy'), new File([head(9, 10)], 'b.npy')]);
    expect(r.errors.map((e) => e.message)).toEqual([
      'a.npy: cannot read this NPY file (its header declares 5000 bytes of text, but the file ends after 0).',
      'b.npy: cannot read this NPY file (format version 9.0; expected 1.0, 2.0 or 3.0).',
    ]);
    await expectNothingStored(h);
  });
});

describe(`multi-page TIFF written by tifffile, read page by page${TIFFFILE ? '' : ` (skipped: ${NO_TIFFFILE})`}`, () => {
  const PAGE = 200 * 150 * 2;
  beforeAll(() => {
    if (!TIFFFILE) return;
    python(
      [
        'import tifffile',
        'rng = np.random.default_rng(11)',
        'v = rng.integers(0, 65536, size=(6, 200, 150), dtype=np.uint16)',
        "tifffile.imwrite(d + '/pages.tif', v, photometric='minisblack'); save('pages', v)",
        "tifffile.imwrite(d + '/tiles.tif', v, photometric='minisblack', compression='zlib', tile=(64, 64), byteorder='>')",
        "tifffile.imwrite(d + '/rgb.tif', rng.integers(0, 255, size=(3, 20, 30, 3), dtype=np.uint8), photometric='rgb')",
        "tifffile.imwrite(d + '/zeros.tif', np.zeros((40, 512, 512), np.float32), photometric='minisblack', compression='zlib')",
      ].join('\n'),
    );
  });

  it.skipIf(!TIFFFILE)('a 6-page uint16 TIFF imports as ONE Volume equal to numpy, no read larger than a page', async () => {
    const h = await harness({ slabBytes: PAGE });
    const f = file('pages.tif', PAGE);
    const r = await h.run([f], { layout: 'volume' });
    expect(r.errors).toEqual([]);
    expect(r.volumes).toEqual(r.ids);
    const meta = (await h.store.getDatasetMeta(r.ids[0]!))!;
    expect(meta).toMatchObject({ name: 'pages.tif', schema: 'Volume', extra: { pages: 6, format: 'TIFF' } });
    const got = (await h.store.readDatasetArray(r.ids[0]!, 'volume')) as NDArray;
    expect(got.shape).toEqual([6, 200, 150]);
    expect(values(got)).toEqual(Array.from(expected('pages', Uint16Array)));
    expect(Math.max(...f.reads)).toBeLessThanOrEqual(PAGE);
  });

  it.skipIf(!TIFFFILE)('big-endian, Deflate, 64×64 tiles: the same values, as a volume and as a stack of Images', async () => {
    const h = await harness({ slabBytes: PAGE });
    const want = Array.from(expected('pages', Uint16Array));
    const vol = await h.run([file('tiles.tif', PAGE)], { layout: 'volume' });
    expect(vol.errors).toEqual([]);
    expect(values((await h.store.readDatasetArray(vol.ids[0]!, 'volume')) as NDArray)).toEqual(want);
    const stack = await h.run([file('tiles.tif', PAGE)], { layout: 'images' });
    expect(stack.stacks.map((s) => s.name)).toEqual(['tiles.tif']);
    const pages = await Promise.all(stack.ids.map(async (id) => values((await h.store.getDataset(id))!.fields.image as NDArray)));
    expect(pages.flat()).toEqual(want);
  });

  it.skipIf(!TIFFFILE)("RGB pages cannot be one volume: 'volume' says which page and why, 'auto' keeps the stack", async () => {
    const h = await harness();
    const r = await h.run([file('rgb.tif')], { layout: 'volume' });
    expect(r.errors).toEqual([
      {
        file: 'rgb.tif',
        message: 'rgb.tif: cannot be imported as one volume: page 1 is RGB; a volume needs grayscale pages. Import it as a stack of images instead.',
      },
    ]);
    await expectNothingStored(h);
    const auto = await h.run([file('rgb.tif')]);
    expect(auto.stacks.map((s) => s.datasetIds.length)).toEqual([3]);
  });

  it.skipIf(!TIFFFILE)(
    'a truncated TIFF, or one whose strip byte counts run past its end, is named with the page and the bytes; nothing is written',
    async () => {
      // tifffile writes page 1's directory, all the pages' data, then the other directories: a cut loses those.
      const whole = readFileSync(join(dir, 'pages.tif'));
      writeFileSync(join(dir, 'cut.tif'), whole.subarray(0, whole.length - 1000));
      python(
        [
          'import struct, tifffile',
          "raw = bytearray(open(d + '/pages.tif', 'rb').read())",
          "with tifffile.TiffFile(d + '/pages.tif') as t: tag = t.pages[0].tags['StripByteCounts']",
          'assert tag.count == 1 and tag.dtype == 4, (tag.count, tag.dtype)',
          "struct.pack_into('<I', raw, tag.valueoffset, 10 ** 9)",
          "open(d + '/long.tif', 'wb').write(raw)",
        ].join('\n'),
      );
      const h = await harness({ slabBytes: PAGE });
      const r = await h.run([file('cut.tif', PAGE), file('long.tif', PAGE)], { layout: 'volume' });
      expect(r.errors).toHaveLength(2);
      expect(r.errors[0]!.message).toMatch(
        new RegExp(
          `^cut\\.tif: corrupt TIFF: image directory 1 lies outside the file \\(at byte \\d+, but the file holds only ${whole.length - 1000} bytes: it is truncated\\)\\.$`,
        ),
      );
      expect(r.errors[1]!.message).toMatch(
        new RegExp(`^long\\.tif: TIFF file is truncated: page 1 of 6 stores image data up to byte \\d{10}, but the file holds only ${whole.length} bytes\\.$`),
      );
      await expectNothingStored(h);
    },
  );

  it.skipIf(!TIFFFILE)('the quota check counts the decoded size a compressed TIFF declares, not its file size', async () => {
    const size = statSync(join(dir, 'zeros.tif')).size;
    const decoded = 40 * 512 * 512 * 4;
    expect(size).toBeLessThan(decoded / 100);
    const h = await harness({ estimate: async () => ({ usage: 0, quota: decoded / 2 }) });
    await expect(h.run([file('zeros.tif')], { layout: 'volume' })).rejects.toThrow(
      `Importing 1 file needs about 40.0 MiB (${decoded} bytes) of storage, but only 20.0 MiB (${decoded / 2} bytes) of storage is free`,
    );
    await expectNothingStored(h);
  });
});
