// Issue 14's "done when", through the UI as a person would: an OME-TIFF written by tifffile (3 channels,
// a Z stack, µm pixel sizes) is picked from disk, shows its channels and sizes in the list, opens as a
// composite with a scale bar, threshold_segmentation runs on its GFP channel (the `channel` argument in
// the run form) and gives a Z stack mask equal to scikit-image's Otsu on that channel, and the mask is
// exported from its menu as an OME-TIFF that tifffile reads back with the image's Z/Y/X axes and
// physical sizes (for Fiji), and as OME-Zarr with the image and the mask as labels (for napari).
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './util';
import { shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, tifffile, zarr, skimage'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-microscopy-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string): string {
  const r = spawnSync(PYTHON, ['-c', `import sys, json, numpy as np\nd = sys.argv[1]\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

const row = (page: Page, name: string) => page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name}$`) }) });

test('an OME-TIFF from disk: channels and scale shown, a channel thresholded from the run form, the mask exported for Fiji and napari', async ({ page }) => {
  test.skip(!ready, 'needs numpy, tifffile, zarr and skimage under /usr/bin/python3');
  // C=3 (DAPI, GFP, mCherry) × Z=5 × 96 × 128 uint16: discs of different brightness per channel.
  py(
    [
      'import tifffile',
      'c, z, y, x = np.ogrid[0:3, 0:5, 0:96, 0:128]',
      'disc = ((y - 48 - 4 * c) ** 2 + (x - 40 - 20 * c) ** 2) < (18 + 2 * z) ** 2',
      'v = (200 + 100 * c + ((x * 7 + y * 3 + z) % 50) + disc * (800 + 600 * c)).astype(np.uint16)',
      "tifffile.imwrite(d + '/cells.ome.tif', v, ome=True, metadata={'axes': 'CZYX', 'PhysicalSizeX': 0.325, 'PhysicalSizeY': 0.325, 'PhysicalSizeZ': 2.0, 'Channel': {'Name': ['DAPI', 'GFP', 'mCherry']}})",
      "np.save(d + '/gfp_otsu.npy', (lambda g: (g > __import__('skimage.filters', fromlist=['x']).threshold_otsu(g)).astype(np.uint8))(v[1]))",
    ].join('\n'),
  );
  const problems = await openApp(page);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'cells.ome.tif'));
  await expect(page.getByTestId('import-report')).toContainText('Imported 1', { timeout: 60_000 });

  // The list says what it is: 3 channels, 5 Z slices, 0.325 µm pixels.
  const r = row(page, 'cells.ome.tif');
  await expect(r.getByTestId('ds-channels')).toHaveText('3 ch');
  await expect(r.getByTestId('ds-channels')).toHaveAttribute('title', /DAPI.*GFP.*mCherry/s);
  await expect(r.getByTestId('ds-z')).toHaveText('Z 5');
  await expect(r.getByTestId('ds-pixel')).toHaveText('0.325 µm/px');

  // The viewer: a composite of the three channels, the Z slider, a scale bar in µm.
  await r.locator('.ds-name').click();
  const view = page.getByTestId('dataset-view');
  await expect(view.getByTestId('axis-slider-z')).toBeVisible();
  for (const name of ['DAPI', 'GFP', 'mCherry']) await expect(view.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(view.getByTestId('scale-bar')).toContainText('µm');
  await shot(page, 'docs/screenshots/microscopy-ome-tiff.png');

  // threshold_segmentation on channel 1 (GFP), from the run form.
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await page.getByTestId('run-add-input').selectOption({ label: 'cells.ome.tif' });
  await page.getByRole('spinbutton', { name: 'channel', exact: true }).fill('1');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  // The run's view: the Z stack mask slice by slice over the GFP channel it was made from (not "the output alone").
  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-drawn', '2');
  await expect(page.getByText("does not have the output's shape")).toHaveCount(0);
  await shot(page, 'docs/screenshots/microscopy-threshold-channel.png');
  const out = await page.evaluate(async () => {
    const [rec] = await window.algobox.executions.list();
    const d = await window.algobox.datasets.get(rec!.outputDatasetIds[0]!, ['mask']);
    const m = d.fields.mask as { shape: number[]; data: Uint8Array };
    return {
      id: d.id,
      name: d.meta.name,
      shape: m.shape,
      data: Array.from(m.data, (v) => (v ? 1 : 0)),
      axes: d.meta.keys.mask!.axes!.axes.map((a) => `${a.name} ${a.unit} ${a.scale}`),
    };
  });
  expect(out.shape).toEqual([5, 96, 128]);
  expect(out.axes).toEqual(['z micrometer 2', 'y micrometer 0.325', 'x micrometer 0.325']);
  const want = JSON.parse(py("print(json.dumps(np.load(d + '/gfp_otsu.npy').ravel().tolist()))")) as number[];
  expect(out.data).toEqual(want);

  // Export the mask: OME-TIFF (Fiji), and OME-Zarr 0.4 with the image and the mask as labels (napari).
  const exportAs = async (item: string, file: string) => {
    await row(page, out.name).getByTestId('row-menu').click();
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(item).click()]);
    await d.saveAs(join(dir, file));
  };
  await exportAs('export-ome-tiff', 'mask.ome.tif');
  await exportAs('export-ome-zarr-0.4', 'mask.ome.zarr.zip');
  const tif = JSON.parse(
    py(
      [
        'import tifffile, xml.etree.ElementTree as ET',
        "t = tifffile.TiffFile(d + '/mask.ome.tif')",
        's = t.series[0]',
        "p = ET.fromstring(t.ome_metadata).find('.//{*}Pixels')",
        "m = np.load(d + '/gfp_otsu.npy')",
        "print(json.dumps({'axes': s.axes, 'shape': list(s.shape), 'same': bool(((s.asarray() > 0) == (m > 0)).all()), 'px': p.get('PhysicalSizeX'), 'pz': p.get('PhysicalSizeZ'), 'unit': p.get('PhysicalSizeXUnit')}))",
      ].join('\n'),
    ),
  ) as Record<string, unknown>;
  expect(tif).toEqual({ axes: 'ZYX', shape: [5, 96, 128], same: true, px: '0.325', pz: '2', unit: 'µm' });
  const zr = JSON.parse(
    py(
      [
        'import zarr, zipfile',
        "zipfile.ZipFile(d + '/mask.ome.zarr.zip').extractall(d + '/z')",
        "root = [os for os in __import__('os').listdir(d + '/z')][0]",
        "g = zarr.open_group(d + '/z/' + root, mode='r')",
        "img = g['0']",
        "lab = g['labels'][g['labels'].attrs['labels'][0]]['0']",
        "m = np.load(d + '/gfp_otsu.npy')",
        "print(json.dumps({'image': list(img.shape), 'channels': [c['label'] for c in g.attrs['omero']['channels']], 'labels': list(lab.shape), 'same': bool(((lab[:] > 0) == (m > 0)).all())}))",
      ].join('\n'),
    ),
  ) as Record<string, unknown>;
  // NGFF labels have the image's axes, the channel axis of length 1.
  expect(zr).toEqual({ image: [3, 5, 96, 128], channels: ['DAPI', 'GFP', 'mCherry'], labels: [1, 5, 96, 128], same: true });
  expect(problems).toEqual([]);
});
