// OME export from the datasets panel's ⋯ menus in the built app: OME-TIFF and OME-Zarr (0.4/0.5 zips)
// downloaded through the UI, written to disk and read back by python3 tifffile and zarr 2.13; a
// Segmentation output exports its source image with the mask as labels; a stack exports as a Z stack.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shot } from './shot';

const SHOTS = 'docs/screenshots';
mkdirSync(SHOTS, { recursive: true });
const PYTHON = '/usr/bin/python3';
const has = (mod: string) => spawnSync(PYTHON, ['-c', `import numpy, ${mod}`], { stdio: 'ignore' }).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-ome-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string): Record<string, unknown> {
  const r = spawnSync(PYTHON, ['-c', `import sys, json, os, zipfile\nimport numpy as np\nd = sys.argv[1]\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

async function openApp(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.route('**/bundles/index.json', (r) => r.fulfill({ json: [] }));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(async () => {
    await window.algobox.ready;
    const api = window.algobox;
    for (const s of await api.stacks.list()) await api.stacks.delete(s.id);
    const ids = (await api.datasets.list()).map((m) => m.id);
    if (ids.length) await api.datasets.delete(ids);
  });
  return problems;
}

const row = (page: Page, name: string) => page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name}$`) }) });
const stackRow = (page: Page, name: string) => page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: name }) });

/** Click a menu item and save the download under the temp dir: its suggested name and path. */
async function download(page: Page, rowLoc: ReturnType<typeof row>, item: string): Promise<{ file: string; path: string }> {
  await rowLoc.getByTestId('row-menu').click();
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(item).click()]);
  const path = join(dir, d.suggestedFilename());
  await d.saveAs(path);
  return { file: d.suggestedFilename(), path };
}

test.skip(!has('tifffile') || !has('zarr'), 'needs numpy, tifffile and zarr under /usr/bin/python3');

test('OME-TIFF, OME-Zarr 0.4/0.5 from the menus; a mask as labels of its source; a stack as a Z stack', async ({ page }) => {
  const problems = await openApp(page);
  // A 3-channel uint16 plane (named, coloured channels, 0.5 µm pixels), a mask computed from it, a stack of two planes.
  await page.evaluate(async () => {
    const api = window.algobox;
    const data = new Uint16Array(3 * 8 * 10).map((_, i) => (i * 131) % 4099);
    const img = await api.datasets.put(
      { image: { dtype: 'uint16', shape: [3, 8, 10], data } },
      {
        name: 'cells',
        axes: {
          image: {
            axes: [
              { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
              { name: 'y', type: 'space', unit: 'micrometer', scale: 0.5, translation: 0 },
              { name: 'x', type: 'space', unit: 'micrometer', scale: 0.5, translation: 0 },
            ],
            channels: [
              { label: 'DAPI', color: '0000FF', window: null, active: true },
              { label: 'GFP', color: '00FF00', window: null, active: true },
              { label: 'RFP', color: 'FF0000', window: null, active: true },
            ],
          },
        },
      },
    );
    const mask = new Uint8Array(80).map((_, i) => (i % 10 >= 5 ? 1 : 0));
    await api.datasets.put({ mask: { dtype: 'uint8', shape: [8, 10], data: mask } }, { name: 'cells mask', schema: 'Segmentation', extra: { inputs: [img] } });
    const s = await api.datasets.putMany(
      [0, 1].map((z) => ({
        fields: { image: { dtype: 'uint8' as const, shape: [4, 6], data: new Uint8Array(24).map((_, i) => i + 100 * z) } },
        meta: { name: `slice${z}` },
      })),
    );
    await api.stacks.create({ name: 'zstack', datasetIds: s });
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);

  // The menu offers the OME items with notes, as for PNG/TIFF/NPY.
  await row(page, 'cells').getByTestId('row-menu').click();
  await expect(page.getByTestId('export-ome-tiff')).toHaveAttribute(
    'title',
    /OME-TIFF \(CYX, 3 planes.*channel names and colours, units and pixel sizes are kept/,
  );
  await expect(page.getByTestId('export-ome-zarr-0.4')).toHaveText('Export OME-Zarr 0.4 (zip)');
  await shot(page, `${SHOTS}/export-ome-menu.png`);
  await page.keyboard.press('Escape');

  const tif = await download(page, row(page, 'cells'), 'export-ome-tiff');
  expect(tif.file).toBe('cells.ome.tif');
  const t = py(`
import tifffile
t = tifffile.TiffFile(${JSON.stringify(tif.path)})
s = t.series[0]
a = s.asarray()
exp = (np.arange(240) * 131 % 4099).astype(np.uint16).reshape(3, 8, 10)
print(json.dumps({'ome': t.is_ome, 'axes': s.axes, 'shape': list(s.shape), 'equal': bool((a == exp).all()), 'xml': t.ome_metadata}))
`);
  expect(t).toMatchObject({ ome: true, axes: 'CYX', shape: [3, 8, 10], equal: true });
  expect(t.xml).toContain('PhysicalSizeX="0.5" PhysicalSizeXUnit="µm"');
  expect(t.xml).toContain('Name="GFP" Color="16711935"');

  const z4 = await download(page, row(page, 'cells'), 'export-ome-zarr-0.4');
  expect(z4.file).toBe('cells.ome.zarr.zip');
  const r4 = py(`
import zarr
x = os.path.join(d, 'z4'); zipfile.ZipFile(${JSON.stringify(z4.path)}).extractall(x)
g = zarr.open(os.path.join(x, 'cells.ome.zarr'), mode='r')
exp = (np.arange(240) * 131 % 4099).astype(np.uint16).reshape(3, 8, 10)
print(json.dumps({'equal': bool((g['0'][:] == exp).all()), 'labels': [c['label'] for c in g.attrs['omero']['channels']], 'axes': g.attrs['multiscales'][0]['axes']}))
`);
  expect(r4).toMatchObject({ equal: true, labels: ['DAPI', 'GFP', 'RFP'] });
  expect(r4.axes).toEqual([
    { name: 'c', type: 'channel' },
    { name: 'y', type: 'space', unit: 'micrometer' },
    { name: 'x', type: 'space', unit: 'micrometer' },
  ]);

  // The mask: OME-Zarr exports its source image with the mask under labels/.
  await row(page, 'cells mask').getByTestId('row-menu').click();
  await expect(page.getByTestId('export-ome-zarr-0.4')).toHaveAttribute('title', /source image “cells” with this mask as labels/);
  await page.keyboard.press('Escape');
  const lab = await download(page, row(page, 'cells mask'), 'export-ome-zarr-0.4');
  expect(lab.file).toBe('cells.ome.zarr.zip');
  const rl = py(`
import zarr
x = os.path.join(d, 'lab'); zipfile.ZipFile(${JSON.stringify(lab.path)}).extractall(x)
g = zarr.open(os.path.join(x, 'cells.ome.zarr'), mode='r')
m = g['labels/cells_mask/0'][:]
exp = (np.arange(80) % 10 >= 5).astype(np.uint8).reshape(1, 8, 10)
print(json.dumps({'labels': g['labels'].attrs['labels'], 'equal': bool((m == exp).all()), 'il': g['labels/cells_mask'].attrs['image-label']['source']}))
`);
  expect(rl).toEqual({ labels: ['cells_mask'], equal: true, il: { image: '../../' } });

  // 0.5 (Zarr v3): the zip holds zarr.json files with the attributes under "ome".
  const z5 = await download(page, row(page, 'cells'), 'export-ome-zarr-0.5');
  const r5 = py(`
z = zipfile.ZipFile(${JSON.stringify(z5.path)})
meta = json.loads(z.read('cells.ome.zarr/zarr.json'))
arr = json.loads(z.read('cells.ome.zarr/0/zarr.json'))
c = np.frombuffer(z.read('cells.ome.zarr/0/c/1/0/0'), dtype='<u2')
exp = (np.arange(240) * 131 % 4099).astype(np.uint16).reshape(3, 8, 10)[1].ravel()
print(json.dumps({'version': meta['attributes']['ome']['version'], 'shape': arr['shape'], 'chunk1': bool((c == exp).all())}))
`);
  expect(r5).toEqual({ version: '0.5', shape: [3, 8, 10], chunk1: true });

  // A stack: a Z stack OME-TIFF.
  const st = await download(page, stackRow(page, 'zstack'), 'stack-export-ome-tiff');
  expect(st.file).toBe('zstack.ome.tif');
  const rs = py(`
import tifffile
s = tifffile.TiffFile(${JSON.stringify(st.path)}).series[0]
exp = np.stack([np.arange(24, dtype=np.uint8).reshape(4, 6) + 100 * z for z in range(2)])
print(json.dumps({'axes': s.axes, 'equal': bool((s.asarray() == exp).all())}))
`);
  expect(rs).toEqual({ axes: 'ZYX', equal: true });
  expect(problems).toEqual([]);
});
