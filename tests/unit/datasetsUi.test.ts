// Pure helpers of the datasets panel (src/app/datasets): formatting, names, paging, the import
// report, drop walking with fake FileSystemEntry objects, drop classification, export encoding.
import { describe, expect, it } from 'vitest';
import { decodeNpyArray, decodePng, decodeTiff } from '../../src/core/imageCodecs';
import type { NDArray } from '../../src/core/ndarray';
import type { DatasetMeta, FieldMeta } from '../../src/core/records';
import {
  classifyDrop,
  collectDrop,
  dragHasFiles,
  filesToItems,
  isJunk,
  readAllEntries,
  relativePathOf,
  snapshotDataTransfer,
  walkEntries,
  type DirectoryEntryLike,
  type EntryLike,
  type FileEntryLike,
} from '../../src/app/datasets/dropEntries';
import { exportName, exportSupport } from '../../src/app/datasets/exportDataset';
import { encodeExport, windowToUint16 } from '../../src/app/datasets/exportEncode';
import {
  describeDataset,
  errorLine,
  exportFileName,
  filterByName,
  formatBytes,
  formatDims,
  importSummary,
  bytesProgress,
  isLargeImport,
  mainKey,
  nextName,
  paginate,
  persistNote,
  validateName,
} from '../../src/app/datasets/format';
import { thumbnailRgba } from '../../src/app/datasets/thumbPixels';

const field = (dtype: FieldMeta['dtype'], shape: number[], kind: FieldMeta['kind'] = 'array'): FieldMeta => ({ kind, dtype, shape, blob: 'x', byteLength: 0 });

describe('formatting', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(64_000)).toBe('64 KB');
    expect(formatBytes(999_499)).toBe('999 KB');
    expect(formatBytes(999_500)).toBe('1.0 MB');
    expect(formatBytes(123_400_000)).toBe('123 MB');
    expect(formatBytes(2.1e9)).toBe('2.1 GB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('formats dimensions as ×-joined sizes', () => {
    expect(formatDims([256, 256])).toBe('256×256');
    expect(formatDims([3, 256, 256])).toBe('3×256×256');
    expect(formatDims([])).toBe('scalar');
  });

  it('picks the main field: image, else the first array with ≥ 2 dims, else any array', () => {
    expect(mainKey({ keys: { mask: field('uint8', [4, 4]), image: field('uint16', [4, 4]) } })).toBe('image');
    expect(mainKey({ keys: { points: field('float64', [10]), mask: field('uint8', [4, 4]) } })).toBe('mask');
    expect(mainKey({ keys: { points: field('float64', [10]) } })).toBe('points');
    expect(mainKey({ keys: { stats: field('uint8', [12], 'string') } })).toBeNull();
    expect(mainKey({ keys: {} })).toBeNull();
  });

  it('describes a dataset by its main field and total size', () => {
    const meta = { keys: { image: field('uint8', [3, 20, 30]) }, byteLength: 1800 } as Pick<DatasetMeta, 'keys' | 'byteLength'>;
    // width × height with the channels named (render/dims.ts); the stored shape in the tooltip.
    expect(describeDataset(meta)).toMatchObject({ dims: '30 × 20 · 3 ch (RGB)', dtype: 'uint8', size: '1.8 KB' });
    expect(describeDataset(meta).dimsTitle).toContain('Stored shape [3, 20, 30] (c, y, x)');
    expect(describeDataset({ keys: {}, byteLength: 0 })).toEqual({ dims: 'no array', dimsTitle: '', dtype: '', size: '0 B' });
  });
});

describe('names', () => {
  it('validates names with readable reasons', () => {
    expect(validateName('cells')).toBeNull();
    expect(validateName('  spaced name  ')).toBeNull();
    expect(validateName('')).toBe('A name cannot be empty.');
    expect(validateName('   ')).toBe('A name cannot be empty.');
    expect(validateName('x'.repeat(201))).toMatch(/at most 200 characters \(this one has 201\)/);
    expect(validateName('a\tb')).toMatch(/control characters/);
  });

  it('makes export file names: safe characters, no image extension, page suffixes', () => {
    expect(exportFileName('cells.tif [3/10]', 'png')).toBe('cells_p03.png');
    expect(exportFileName('cells.tif [3/9]', 'tif')).toBe('cells_p3.tif');
    expect(exportFileName('photo.JPG', 'png')).toBe('photo.png');
    expect(exportFileName('a/b:c?.png', 'npy')).toBe('a_b_c_.npy');
    expect(exportFileName('result of run 4', 'tif')).toBe('result of run 4.tif');
    expect(exportFileName('...', 'npy')).toBe('dataset.npy');
    expect(exportFileName('  ', 'png')).toBe('dataset.png');
    expect(exportFileName('x'.repeat(300), 'png')).toHaveLength(124);
    expect(exportName('vol.tif', 'tiff')).toBe('vol.tif');
    expect(exportName('vol.tif', 'npy')).toBe('vol.npy');
  });

  it('proposes the next free default name', () => {
    expect(nextName('Stack', [])).toBe('Stack 1');
    expect(nextName('Stack', ['Stack 1', 'stack 2', 'other'])).toBe('Stack 3');
  });
});

describe('filtering and paging', () => {
  const items = ['Cells_A.png', 'cells_b.png', 'nuclei.tif', 'Cells nuclei overlay'].map((name) => ({ name }));

  it('filters by name, case-insensitively, all words in any order', () => {
    expect(filterByName(items, 'cells').map((x) => x.name)).toEqual(['Cells_A.png', 'cells_b.png', 'Cells nuclei overlay']);
    expect(filterByName(items, 'NUCLEI cells').map((x) => x.name)).toEqual(['Cells nuclei overlay']);
    expect(filterByName(items, '   ')).toHaveLength(4);
    expect(filterByName(items, 'zzz')).toEqual([]);
  });

  it('pages lists and clamps the page index', () => {
    const list = Array.from({ length: 450 }, (_, i) => i);
    expect(paginate(list, 0)).toMatchObject({ page: 0, pages: 3, start: 0 });
    expect(paginate(list, 0).items).toHaveLength(200);
    const last = paginate(list, 7);
    expect(last).toMatchObject({ page: 2, pages: 3, start: 400 });
    expect(last.items).toEqual(list.slice(400));
    expect(paginate(list, -3).page).toBe(0);
    expect(paginate([], 4)).toEqual({ items: [], page: 0, pages: 1, start: 0 });
    expect(paginate(list, 1, 100).items[0]).toBe(100);
  });
});

describe('import report', () => {
  it('summarises imports', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `d${i}`);
    const err = { file: 'notes.txt', message: 'notes.txt: unrecognised file format.' };
    expect(importSummary({ ids, errors: [err], stacks: [{}] })).toBe('Imported 12 images (1 stack). 1 file could not be read:');
    expect(importSummary({ ids: ['a'], errors: [], stacks: [] })).toBe('Imported 1 image.');
    expect(importSummary({ ids, errors: [], stacks: [{}, {}] })).toBe('Imported 12 images (2 stacks).');
    expect(importSummary({ ids: [], errors: [err, err], stacks: [] })).toBe('Nothing was imported. 2 files could not be read:');
    // Volumes are counted apart from images; files a cancel left out are said.
    expect(importSummary({ ids: ['v'], errors: [], stacks: [], volumes: ['v'] })).toBe('Imported 1 volume.');
    expect(importSummary({ ids: ['a', 'b', 'v'], errors: [], stacks: [{}], volumes: ['v'], cancelled: [] })).toBe('Imported 2 images and 1 volume (1 stack).');
    expect(importSummary({ ids: [], errors: [], stacks: [], volumes: [], cancelled: ['big.npy', 'b.png'] })).toBe(
      'Nothing was imported. Cancelled: 2 files not imported.',
    );
    expect(bytesProgress(412_000_000, 2_147_483_648)).toBe('412 MB of 2.1 GB');
  });

  it('writes one failure line per file without repeating the file name', () => {
    expect(errorLine({ file: 'notes.txt', message: 'notes.txt: unrecognised file format.' })).toBe('notes.txt — unrecognised file format.');
    expect(errorLine({ file: 'scan/notes.txt', message: 'notes.txt: unrecognised file format.' })).toBe('scan/notes.txt — unrecognised file format.');
    expect(errorLine({ file: 'big.tif', message: 'Storage is full.' })).toBe('big.tif — Storage is full.');
  });

  it('says whether persistent storage was granted', () => {
    expect(persistNote(false, true, null)).toMatch(/^Storage is persistent/);
    expect(persistNote(true, false, true)).toMatch(/^Persistent storage granted/);
    expect(persistNote(true, false, false)).toMatch(/^Persistent storage was not granted: .*export what you need/);
    expect(persistNote(true, false, null)).toMatch(/does not offer persistent storage/);
    expect(persistNote(false, false, null)).toMatch(/declined earlier/);
  });

  it('calls an import large by file count or bytes', () => {
    expect(isLargeImport(3, 1000)).toBe(false);
    expect(isLargeImport(20, 1000)).toBe(true);
    expect(isLargeImport(1, 10_000_000)).toBe(true);
  });
});

// ───── fake FileSystemEntry objects ─────

const fileOf = (name: string, text = name) => new File([text], name);

function fakeFile(name: string, fail?: string): FileEntryLike {
  return {
    isFile: true,
    isDirectory: false,
    name,
    file: (ok, err) => queueMicrotask(() => (fail ? err?.(new Error(fail)) : ok(fileOf(name)))),
  };
}

/** A directory whose reader hands out entries `batch` at a time, then an empty batch (as Chromium does, 100 at a time). */
function fakeDir(name: string, children: EntryLike[], opts: { batch?: number; fail?: string; calls?: number[] } = {}): DirectoryEntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let pos = 0;
      return {
        readEntries(ok, err) {
          opts.calls?.push(pos);
          queueMicrotask(() => {
            if (opts.fail) return err?.(new Error(opts.fail));
            const out = children.slice(pos, pos + (opts.batch ?? 100));
            pos += out.length;
            ok(out);
          });
        },
      };
    },
  };
}

describe('walking dropped folders', () => {
  it('reads every entry of a directory, batch after batch, until an empty batch', async () => {
    const calls: number[] = [];
    const files = Array.from({ length: 250 }, (_, i) => fakeFile(`img_${i}.png`));
    const all = await readAllEntries(fakeDir('big', files, { batch: 100, calls }));
    expect(all).toHaveLength(250);
    expect(calls).toEqual([0, 100, 200, 250]);
  });

  it('walks folders recursively with drop-relative paths, skipping clutter and reporting unreadable entries', async () => {
    const tree: EntryLike[] = [
      fakeDir('scan', [
        fakeFile('slice_2.png'),
        fakeFile('.DS_Store'),
        fakeDir('sub', [fakeFile('deep.tif'), fakeFile('Thumbs.db')], { batch: 1 }),
        fakeFile('broken.png', 'NotReadableError'),
        fakeDir('locked', [], { fail: 'SecurityError' }),
        fakeDir('.git', [fakeFile('HEAD')]),
      ]),
      fakeFile('loose.png'),
    ];
    const { items, problems } = await walkEntries(tree);
    expect(items.map((i) => i.path)).toEqual(['scan/slice_2.png', 'scan/sub/deep.tif', 'loose.png']);
    expect(items[0]!.file.name).toBe('slice_2.png');
    expect(problems).toEqual([
      { file: 'scan/broken.png', message: 'the file could not be read (NotReadableError).' },
      { file: 'scan/locked/', message: 'the folder could not be read (SecurityError).' },
    ]);
  });

  it('knows operating-system clutter', () => {
    expect(['.DS_Store', 'Thumbs.db', 'desktop.ini', '._x.png'].every(isJunk)).toBe(true);
    expect(isJunk('cells.png')).toBe(false);
  });

  it('snapshots a drop: entries where items give them, files otherwise', async () => {
    const f1 = fileOf('a.png');
    const f2 = fileOf('b.png');
    const entry = fakeDir('dir', [fakeFile('c.png')]);
    const snap = snapshotDataTransfer({
      items: [
        { kind: 'file', webkitGetAsEntry: () => entry, getAsFile: () => null },
        { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => f1 },
        { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
      ],
      files: [f1, f2],
    });
    expect(snap.entries).toEqual([entry]);
    expect(snap.files).toEqual([f1]);
    const { items } = await collectDrop(snap);
    expect(items.map((i) => i.path)).toEqual(['dir/c.png', 'a.png']);

    // No items (old browsers, some synthetic drops): the files list.
    expect(snapshotDataTransfer({ files: [f1, f2] })).toEqual({ entries: [], files: [f1, f2] });
    // File items that give neither entries nor files: the files list.
    expect(snapshotDataTransfer({ items: [{ kind: 'file', getAsFile: () => null }], files: [f2] }).files).toEqual([f2]);
    expect(snapshotDataTransfer(null)).toEqual({ entries: [], files: [] });
  });

  it('takes the folder-relative path of picked files (webkitRelativePath)', () => {
    const f = fileOf('slice_1.png');
    Object.defineProperty(f, 'webkitRelativePath', { value: 'scan/slice_1.png' });
    const g = fileOf('x.png');
    Object.defineProperty(g, 'webkitRelativePath', { value: 'scan/.DS_Store' });
    expect(relativePathOf(f)).toBe('scan/slice_1.png');
    expect(relativePathOf(fileOf('top.png'))).toBe('top.png');
    expect(filesToItems([f, g, fileOf('top.png')]).map((i) => i.path)).toEqual(['scan/slice_1.png', 'top.png']);
  });

  it('tells file drags from other drags', () => {
    expect(dragHasFiles({ types: ['Files'] })).toBe(true);
    expect(dragHasFiles({ types: ['text/plain'] })).toBe(false);
    expect(dragHasFiles(null)).toBe(false);
  });
});

describe('classifying drops', () => {
  const it_ = (path: string) => ({ path, file: fileOf(path.split('/').pop()!) });

  it('installs zips and folders with pyproject.toml at their root; imports the rest', () => {
    const r = classifyDrop([
      it_('invert.zip'),
      it_('my_alg/pyproject.toml'),
      it_('my_alg/Runner.js'),
      it_('my_alg/files/weights.bin'),
      it_('scan/a.png'),
      it_('scan/sub/pyproject.toml'),
      it_('b.tif'),
    ]);
    expect(r.bundles.map((b) => [b.kind, b.name])).toEqual([
      ['zip', 'invert.zip'],
      ['folder', 'my_alg'],
    ]);
    const folder = r.bundles[1]!;
    expect(folder.kind === 'folder' && Object.keys(folder.files)).toEqual(['pyproject.toml', 'Runner.js', 'files/weights.bin']);
    expect(r.images.map((i) => i.path)).toEqual(['scan/a.png', 'scan/sub/pyproject.toml', 'b.tif']);
  });

  it('treats a drop with pyproject.toml at its top level as one bundle', () => {
    const r = classifyDrop([it_('pyproject.toml'), it_('Runner.js'), it_('lib/util.js')]);
    expect(r.images).toEqual([]);
    expect(r.bundles).toHaveLength(1);
    expect(r.bundles[0]!.kind === 'folder' && Object.keys(r.bundles[0]!.files)).toEqual(['pyproject.toml', 'Runner.js', 'lib/util.js']);
  });

  it('leaves plain image drops as images', () => {
    expect(classifyDrop([it_('a.png'), it_('dir/b.png')])).toEqual({
      bundles: [],
      images: [it_('a.png'), it_('dir/b.png')].map((x) => expect.objectContaining({ path: x.path })),
    });
  });
});

describe('export', () => {
  const arr = <D extends NDArray['dtype']>(dtype: D, shape: number[], data: ArrayLike<number>): NDArray => {
    const ctor = {
      uint8: Uint8Array,
      uint16: Uint16Array,
      int16: Int16Array,
      int32: Int32Array,
      float32: Float32Array,
      float64: Float64Array,
      bool: Uint8Array,
    }[dtype as 'uint8'];
    return { dtype, shape, data: ctor.from(data) } as NDArray;
  };

  it('says which formats fit and what they do to the values', () => {
    expect(exportSupport({ kind: 'array', dtype: 'uint16', shape: [8, 8] }, 'png')).toMatchObject({ ok: true, note: 'Exact values: uint16 PNG.' });
    const f = exportSupport({ kind: 'array', dtype: 'float32', shape: [8, 8] }, 'png');
    expect(f.ok).toBe(true);
    expect(f.note).toMatch(/windowed from its min\.\.max to 0\.\.65535 \(16-bit\)/);
    expect(exportSupport({ kind: 'array', dtype: 'uint8', shape: [5, 8, 8] }, 'png')).toMatchObject({ ok: false });
    expect(exportSupport({ kind: 'array', dtype: 'uint8', shape: [5, 8, 8] }, 'tiff').note).toMatch(/5 pages/);
    expect(exportSupport({ kind: 'array', dtype: 'int32', shape: [8, 8] }, 'tiff').note).toMatch(/float64/);
    expect(exportSupport({ kind: 'array', dtype: 'float64', shape: [10] }, 'tiff')).toMatchObject({ ok: false });
    expect(exportSupport({ kind: 'array', dtype: 'float64', shape: [10] }, 'npy')).toMatchObject({ ok: true });
    expect(exportSupport({ kind: 'array', dtype: 'uint8', shape: [2, 3, 4, 5] }, 'tiff')).toMatchObject({ ok: false });
    expect(exportSupport(null, 'npy')).toMatchObject({ ok: false });
    expect(exportSupport({ kind: 'string', dtype: 'uint8', shape: [4] }, 'npy')).toMatchObject({ ok: false });
  });

  it('windows values min..max onto 0..65535', () => {
    const w = windowToUint16(arr('float32', [2, 3], [-1, 0, 1, Number.NaN, 3, Number.POSITIVE_INFINITY]));
    expect(w.dtype).toBe('uint16');
    expect(w.shape).toEqual([2, 3]);
    expect(Array.from(w.data)).toEqual([0, 16384, 32768, 0, 65535, 65535]);
    expect(Array.from(windowToUint16(arr('float64', [2], [5, 5])).data)).toEqual([0, 0]);
  });

  it('round-trips PNG, TIFF and NPY exports', () => {
    const u16 = arr('uint16', [3, 4], [0, 1, 2, 3, 100, 200, 300, 400, 65535, 9, 8, 7]);
    const png = decodePng(encodeExport([u16], 'png'), 'x.png')[0]!.image;
    expect(png.dtype).toBe('uint16');
    expect(Array.from(png.data)).toEqual(Array.from(u16.data));

    const rgb = arr('uint8', [3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const rgbBack = decodePng(encodeExport([rgb], 'png'), 'rgb.png')[0]!.image;
    expect(rgbBack.shape).toEqual([3, 2, 2]);
    expect(Array.from(rgbBack.data)).toEqual(Array.from(rgb.data));

    // 1×H×W is one gray image.
    expect(decodePng(encodeExport([arr('uint8', [1, 2, 2], [1, 2, 3, 4])], 'png'), 'one.png')[0]!.image.shape).toEqual([2, 2]);

    const f = arr('float32', [2, 2], [-0.5, 0.25, 1.5, 3]);
    const fpng = decodePng(encodeExport([f], 'png'), 'f.png')[0]!.image;
    expect(Array.from(fpng.data)).toEqual([0, Math.round((0.75 / 3.5) * 65535), Math.round((2 / 3.5) * 65535), 65535]);
    const ftif = decodeTiff(encodeExport([f], 'tiff'), 'f.tif')[0]!.image;
    expect(ftif.dtype).toBe('float32');
    expect(Array.from(ftif.data)).toEqual(Array.from(f.data));

    // int16 → float32 TIFF, losslessly; int32 → float64.
    const i16 = decodeTiff(encodeExport([arr('int16', [1, 3], [-300, 0, 300])], 'tiff'), 'i.tif')[0]!.image;
    expect([i16.dtype, Array.from(i16.data)]).toEqual(['float32', [-300, 0, 300]]);
    expect(decodeTiff(encodeExport([arr('int32', [1, 2], [-70000, 70000])], 'tiff'), 'j.tif')[0]!.image.dtype).toBe('float64');

    // Z×H×W → Z pages; several arrays (a stack) → one page each.
    // (3×H×W is RGB by the Image convention, so the volume here has 4 slices.)
    const vol = arr(
      'uint8',
      [4, 2, 2],
      Array.from({ length: 16 }, (_, i) => i * 10),
    );
    expect(decodeTiff(encodeExport([vol], 'tiff'), 'v.tif').map((p) => Array.from(p.image.data))).toEqual([
      [0, 10, 20, 30],
      [40, 50, 60, 70],
      [80, 90, 100, 110],
      [120, 130, 140, 150],
    ]);
    expect(decodeTiff(encodeExport([u16, u16], 'tiff'), 's.tif')).toHaveLength(2);

    const npy = decodeNpyArray(encodeExport([arr('int16', [2, 2], [-1, 2, -3, 4])], 'npy'));
    expect([npy.dtype, npy.shape, Array.from(npy.data)]).toEqual(['int16', [2, 2], [-1, 2, -3, 4]]);
  });

  it('refuses exports that do not fit, with the reason', () => {
    expect(() => encodeExport([], 'png')).toThrow('Nothing to export.');
    expect(() => encodeExport([arr('uint8', [5, 2, 2], new Uint8Array(20))], 'png')).toThrow(/PNG holds one 2-D image/);
    expect(() => encodeExport([arr('uint8', [2, 2], [0, 0, 0, 0]), arr('uint8', [2, 2], [0, 0, 0, 0])], 'npy')).toThrow(/NPY export writes one array/);
  });
});

describe('thumbnails', () => {
  it('expands gray and RGB thumbnails to opaque RGBA', () => {
    expect(Array.from(thumbnailRgba({ width: 2, height: 1, channels: 1, data: new Uint8Array([10, 200]) })!)).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
    expect(Array.from(thumbnailRgba({ width: 1, height: 1, channels: 3, data: new Uint8Array([1, 2, 3]) })!)).toEqual([1, 2, 3, 255]);
  });

  it('gives null for malformed thumbnails', () => {
    expect(thumbnailRgba({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toBeNull();
    expect(thumbnailRgba({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toBeNull();
  });
});
