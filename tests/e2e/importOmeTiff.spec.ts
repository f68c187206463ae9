// OME-TIFF and ImageJ TIFF import in the built app, through the UI (issue 14): files written by
// tifffile are picked from disk; the OME-TIFF becomes one 5-D dataset with its channel names, colours
// and physical sizes, the ImageJ Z stack a Volume with its calibration, and an OME-TIFF whose sizes
// contradict its pages is reported by name with the field, nothing of it stored.
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './util';

const PYTHON = '/usr/bin/python3';
const hasTifffile = spawnSync(PYTHON, ['-c', 'import numpy, tifffile'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-ome-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.beforeEach(async ({ page }) => {
  await page.route('**/bundles/index.json', (r) => r.fulfill({ json: [] }));
});

test('an OME-TIFF and an ImageJ stack picked from disk become datasets with their axes; a contradictory one is reported', async ({ page }) => {
  test.skip(!hasTifffile, 'needs numpy and tifffile under /usr/bin/python3 (apt-get install -y python3-tifffile)');
  const code = [
    'import sys, numpy as np, tifffile',
    'd = sys.argv[1]',
    't, c, z, y, x = np.ogrid[0:2, 0:3, 0:4, 0:64, 0:64]',
    'v = (t * 10000 + c * 1000 + z * 100 + y + x).astype(np.uint16)',
    "tifffile.imwrite(d + '/cells.ome.tif', v, ome=True, metadata={'axes': 'TCZYX', 'PhysicalSizeX': 0.325, 'PhysicalSizeY': 0.325, 'PhysicalSizeZ': 1.5, 'Channel': {'Name': ['DAPI', 'GFP', 'RFP'], 'Color': [-16776961, 16711935, 65535]}})",
    "tifffile.imwrite(d + '/stack.tif', np.full((5, 32, 32), 7, np.uint8), imagej=True, resolution=(4, 4), metadata={'axes': 'ZYX', 'unit': 'um', 'spacing': 2})",
    "raw = open(d + '/cells.ome.tif', 'rb').read()",
    "open(d + '/bad.ome.tif', 'wb').write(raw.replace(b'SizeT=\"2\"', b'SizeT=\"3\"'))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);

  const problems = await openApp(page);
  await page.getByTestId('import-files-input').setInputFiles(['cells.ome.tif', 'stack.tif', 'bad.ome.tif'].map((n) => join(dir, n)));
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 1 image and 1 volume. 1 file could not be read:', { timeout: 60_000 });
  await expect(report).toContainText("OME-XML: Image 0 ('Image0') Pixels no TiffData gives the plane Z=0 C=0 T=2");

  const row = page.getByTestId('dataset-row').filter({ hasText: 'cells.ome.tif' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('64 × 64 × 4 · 3 ch · 2 t');
  const check = await page.evaluate(async () => {
    const api = window.algobox;
    const list = await api.datasets.list();
    const cells = list.find((m) => m.name === 'cells.ome.tif')!;
    const stack = list.find((m) => m.name === 'stack.tif')!;
    const v = (await api.datasets.get(cells.id, ['image'])).fields.image as { shape: number[]; data: Uint16Array };
    const at = (t: number, c: number, z: number, y: number, x: number) => v.data[(((t * 3 + c) * 4 + z) * 64 + y) * 64 + x];
    const ax = cells.keys.image!.axes!;
    return {
      names: list
        .map((m) => m.name)
        .filter((n) => n.endsWith('.tif'))
        .sort(),
      cells: { schema: cells.schema, shape: v.shape, samples: [at(0, 0, 0, 0, 0), at(1, 2, 3, 5, 7)], format: cells.extra.format },
      axes: ax.axes.map((a) => `${a.name} ${a.unit ?? '-'} ${a.scale}`),
      channels: ax.channels.map((ch) => `${ch.label} ${ch.color}`),
      stack: { schema: stack.schema, axes: stack.keys.volume!.axes!.axes.map((a) => `${a.name} ${a.unit ?? '-'} ${a.scale}`) },
    };
  });
  expect(check).toEqual({
    names: ['cells.ome.tif', 'stack.tif'],
    cells: { schema: null, shape: [2, 3, 4, 64, 64], samples: [0, 10000 + 2000 + 300 + 12], format: 'OME-TIFF' },
    axes: ['t - 1', 'c - 1', 'z micrometer 1.5', 'y micrometer 0.325', 'x micrometer 0.325'],
    channels: ['DAPI FF0000', 'GFP 00FF00', 'RFP 0000FF'],
    stack: { schema: 'Volume', axes: ['z micrometer 2', 'y micrometer 0.25', 'x micrometer 0.25'] },
  });
  expect(problems).toEqual([]);
});
