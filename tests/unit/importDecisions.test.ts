// What an import keeps (issue 15 items 2 and 8), decided without the store: how a folder's images are
// grouped into stacks (src/core/importGroups.ts), every frame of an animated GIF composed as a viewer
// shows it (gif.ts), and a PNG's transparency kept as `alpha` (png.ts). The GIF and PNG files are
// written by Pillow under Debian's /usr/bin/python3 in this run, and their pixels read back by Pillow.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes, openPagedFile } from '../../src/core/imageCodecs';
import { groupFolder } from '../../src/core/importGroups';

const PYTHON = '/usr/bin/python3';
const PIL = spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;
const TIFFFILE = PIL && spawnSync(PYTHON, ['-c', 'import tifffile'], { stdio: 'ignore' }).status === 0;
const NO_PIL = 'needs Pillow and numpy under /usr/bin/python3 (apt-get install -y python3-pil python3-numpy)';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-import-decisions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run Pillow code with `d` = the temp dir; `save(name, a)` writes an array's bytes as `<name>.raw`. */
function python(code: string): void {
  const prelude = [
    'import sys, numpy as np',
    'from PIL import Image',
    'd = sys.argv[1]',
    'def save(name, a):',
    "    np.ascontiguousarray(a).tofile(d + '/' + name + '.raw')",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', `${prelude}\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const raw = (name: string) => Array.from(file(`${name}.raw`));

describe('groupFolder: a stack only of images of one shape and dtype', () => {
  const m = (name: string, shape: number[], dtype = 'uint8') => ({ name, shape, dtype });

  it('a folder of equal images is one stack named after the folder, without a note', () => {
    expect(groupFolder('scans/day1', [m('a.png', [4, 4]), m('b.png', [4, 4])])).toEqual({ stacks: [{ name: 'day1', members: [0, 1] }], loose: [], note: null });
  });

  it('files at the root and lone files are never stacked', () => {
    expect(groupFolder('', [m('a.png', [4, 4]), m('b.png', [4, 4])])).toEqual({ stacks: [], loose: [0, 1], note: null });
    expect(groupFolder('x', [m('a.png', [4, 4])])).toEqual({ stacks: [], loose: [0], note: null });
  });

  it('all different: separate datasets, and the note names every file with its shape', () => {
    const g = groupFolder('mixed', [m('a.png', [64, 64]), m('b.png', [32, 48]), m('c.png', [3, 64, 64])]);
    expect(g.stacks).toEqual([]);
    expect(g.loose).toEqual([0, 1, 2]);
    expect(g.note).toBe(
      'its 3 images are not all of one shape and dtype (3 kinds), so the folder was not made one stack. Imported as separate datasets: a.png (64×64 uint8), b.png (32×48 uint8), c.png (3×64×64 uint8).',
    );
  });

  it('one group of 2+ keeps the folder name; dtype alone splits; the odd ones are loose', () => {
    const g = groupFolder('cells', [m('a.png', [8, 8]), m('b.tif', [8, 8], 'uint16'), m('c.png', [8, 8]), m('d.png', [8, 8])]);
    expect(g.stacks).toEqual([{ name: 'cells', members: [0, 2, 3] }]);
    expect(g.loose).toEqual([1]);
    expect(g.note).toBe(
      'its 4 images are not all of one shape and dtype (2 kinds), so the folder was not made one stack. Imported as stack “cells” of 3 (8×8 uint8): a.png, c.png, d.png; separate dataset: b.tif (8×8 uint16).',
    );
  });

  it('several groups of 2+ are stacks named by their shape', () => {
    const g = groupFolder('run', [m('a', [2, 2]), m('b', [3, 3]), m('c', [2, 2]), m('d', [3, 3])]);
    expect(g.stacks).toEqual([
      { name: 'run · 2×2 uint8', members: [0, 2] },
      { name: 'run · 3×3 uint8', members: [1, 3] },
    ]);
    expect(g.loose).toEqual([]);
  });

  it('quiet (the alpha datasets): grouped the same way, with the suffix, without a note', () => {
    expect(groupFolder('cells', [m('a', [2, 2]), m('b', [2, 2])], ' · alpha', true)).toEqual({
      stacks: [{ name: 'cells · alpha', members: [0, 1] }],
      loose: [],
      note: null,
    });
  });

  it('a long list is cut after six names', () => {
    const g = groupFolder(
      'f',
      Array.from({ length: 9 }, (_, i) => m(`s${i}`, [i + 1, 1])),
    );
    expect(g.note).toMatch(/s5 \(6×1 uint8\) and 3 more\.$/);
  });
});

describe.skipIf(!PIL)(`GIF: every frame, composed as a viewer shows it${PIL ? '' : ` (${NO_PIL})`}`, () => {
  it('an animated GIF whose later frames only hold what changed (Pillow crops them) gives every full frame, as RGB', () => {
    python(`
rng = np.random.default_rng(3)
base = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
frames = [base.copy() for _ in range(3)]
frames[1][1:3, 2:5] = [250, 10, 10]
frames[2][4:6, 0:2] = [10, 250, 10]
ims = [Image.fromarray(f).quantize(colors=64, method=Image.Quantize.MEDIANCUT) for f in frames]
ims[0].save(d + '/anim.gif', save_all=True, append_images=ims[1:], disposal=1, loop=0, optimize=False)
back = Image.open(d + '/anim.gif')
assert back.n_frames == 3
for k in range(3):
    back.seek(k)
    if k: assert back.dispose_extent != (0, 0, 8, 6), 'Pillow wrote a full frame'
    save('anim%d' % k, np.asarray(back.convert('RGB')).transpose(2, 0, 1))
`);
    const pages = decodeImageBytes(file('anim.gif'), 'anim.gif');
    expect(pages.map((p) => [p.page, p.pages, p.image.dtype, p.image.shape])).toEqual([0, 1, 2].map((k) => [k, 3, 'uint8', [3, 6, 8]]));
    for (const k of [0, 1, 2]) expect(Array.from(pages[k]!.image.data as Uint8Array)).toEqual(raw(`anim${k}`));
    expect(pages[0]!.dropped).toBeUndefined();
  });

  it('a gray GIF gives H×W frames; a one-frame GIF with a transparent colour keeps it as alpha 0/255', () => {
    python(`
g = np.arange(20, dtype=np.uint8).reshape(4, 5) * 10
frames = [Image.fromarray(g), Image.fromarray(255 - g)]
frames[0].save(d + '/gray.gif', save_all=True, append_images=frames[1:], disposal=1)
save('gray0', g); save('gray1', 255 - g)
p = Image.fromarray(g).convert('P')
p.save(d + '/transp.gif', transparency=int(np.asarray(p)[0, 0]))
`);
    const gray = decodeImageBytes(file('gray.gif'), 'gray.gif');
    expect(gray.map((p) => p.image.shape)).toEqual([
      [4, 5],
      [4, 5],
    ]);
    expect(Array.from(gray[1]!.image.data as Uint8Array)).toEqual(raw('gray1'));
    const [t] = decodeImageBytes(file('transp.gif'), 'transp.gif');
    expect(t!.alpha?.shape).toEqual([4, 5]);
    expect(Array.from(t!.alpha!.data as Uint8Array)).toEqual([0, ...Array(19).fill(255)]);
  });
});

describe.skipIf(!PIL)(`PNG transparency is kept, not dropped${PIL ? '' : ` (${NO_PIL})`}`, () => {
  it('an RGBA PNG gives the RGB image and its alpha; an opaque RGBA PNG gives no alpha', () => {
    python(`
rng = np.random.default_rng(5)
a = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
Image.fromarray(a, 'RGBA').save(d + '/rgba.png')
save('rgb', a[:, :, :3].transpose(2, 0, 1)); save('alpha', a[:, :, 3])
a[:, :, 3] = 255
Image.fromarray(a, 'RGBA').save(d + '/opaque.png')
la = np.stack([np.arange(35, dtype=np.uint8).reshape(5, 7), np.full((5, 7), 128, np.uint8)], -1)
Image.fromarray(la, 'LA').save(d + '/la.png')
`);
    const [p] = decodeImageBytes(file('rgba.png'), 'rgba.png');
    expect(p!.image.shape).toEqual([3, 5, 7]);
    expect(Array.from(p!.image.data as Uint8Array)).toEqual(raw('rgb'));
    expect(p!.alpha!.shape).toEqual([5, 7]);
    expect(Array.from(p!.alpha!.data as Uint8Array)).toEqual(raw('alpha'));
    expect(decodeImageBytes(file('opaque.png'), 'opaque.png')[0]!.alpha).toBeUndefined();
    const [la] = decodeImageBytes(file('la.png'), 'la.png');
    expect(la!.image.shape).toEqual([5, 7]);
    expect(Array.from(la!.alpha!.data as Uint8Array)).toEqual(Array(35).fill(128));
  });

  it('an APNG says that its animation frames were not imported', () => {
    python(`
fr = [Image.fromarray(np.full((3, 3), v, np.uint8)) for v in (10, 200)]
fr[0].save(d + '/anim.png', save_all=True, append_images=fr[1:])
`);
    const [p] = decodeImageBytes(file('anim.png'), 'anim.png');
    expect(p!.dropped).toEqual(['it is an animated PNG (APNG): only its default image was imported, not its animation frames.']);
  });
});

describe.skipIf(!TIFFFILE)('TIFF extra samples are said, not silently dropped', () => {
  it('an RGBA TIFF (tifffile, extrasamples) says that its alpha was not imported; an RGB one says nothing', async () => {
    python(`
import tifffile
a = np.arange(4 * 3 * 5, dtype=np.uint8).reshape(4, 3, 5).transpose(1, 2, 0).copy()
tifffile.imwrite(d + '/rgba.tif', a, photometric='rgb', extrasamples=['unassalpha'])
tifffile.imwrite(d + '/rgb.tif', a[:, :, :3], photometric='rgb')
`);
    const rgba = await openPagedFile(new Blob([file('rgba.tif')]), 'rgba.tif');
    expect(rgba!.dropped).toEqual(['its page has an extra sample per pixel (alpha or other data beyond the RGB ones), which was not imported.']);
    expect((await rgba!.readImages(0, 1))[0]!.shape).toEqual([3, 3, 5]);
    expect((await openPagedFile(new Blob([file('rgb.tif')]), 'rgb.tif'))!.dropped).toBeUndefined();
  });
});
