// Issue 15 item 10 through the UI: threshold_segmentation (Otsu) runs on coins.png from the run form;
// its mask exported as PNG from the dataset row's ⋯ menu holds 0 and 255 (visible in any viewer, equal
// to scikit-image's Otsu × 255) and is named "coins · otsu mask.png"; "Export all outputs" in the run
// details gives a zip whose entries are named the same way (PNG 0/255, NPY the raw 0/1).
import { expect, test, type Page } from '@playwright/test';
import { decode as pngDecode } from 'fast-png';
import { unzipSync } from 'fflate';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpyArray } from '../../src/core/imageCodecs';
import { openApp } from './util';
import { shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, skimage.io, skimage.filters'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-maskexport-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string): string {
  const r = spawnSync(PYTHON, ['-c', `import sys, json, numpy as np\nd = sys.argv[1]\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

const row = (page: Page, name: string) => page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name}$`) }) });

async function download(page: Page, click: () => Promise<void>): Promise<{ file: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { file: d.suggestedFilename(), bytes: new Uint8Array(readFileSync((await d.path())!)) };
}

test('a threshold mask exports as a visible 0/255 PNG named after its source, and all outputs of the run as one zip', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  // skimage's coins, a quarter of the size; the expected mask is skimage's Otsu on it.
  const want = JSON.parse(
    py(
      [
        'import skimage.data, skimage.io, skimage.filters',
        'c = skimage.data.coins()[::4, ::4]',
        "skimage.io.imsave(d + '/coins.png', c, check_contrast=False)",
        'print(json.dumps((c > skimage.filters.threshold_otsu(c)).astype(int).ravel().tolist()))',
      ].join('\n'),
    ),
  ) as number[];
  const problems = await openApp(page);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'coins.png'));
  await expect(page.getByTestId('import-report')).toContainText('Imported 1', { timeout: 60_000 });

  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await page.getByTestId('run-add-input').selectOption({ label: 'coins.png' });
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(details.getByTestId('run-args')).toContainText('thresholding_algorithm="otsu"');
  const outName = await page.evaluate(async () => {
    const [rec] = await window.algobox.executions.list();
    return (await window.algobox.datasets.get(rec!.outputDatasetIds[0]!, [])).meta.name;
  });

  await details.getByTestId('run-open-results').click();
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  // The row's ⋯ menu: the PNG item says what it does with a mask; the PNG holds 0 and 255 only.
  await row(page, outName).getByTestId('row-menu').click();
  await expect(page.getByTestId('export-png')).toHaveAttribute('title', /0\/1 mask is written as 0\/255/);
  await expect(page.getByTestId('export-tiff')).toHaveAttribute('title', /Mask and label values are kept/);
  await shot(page, 'docs/screenshots/export-masks.png');
  const png = await download(page, () => page.getByTestId('export-png').click());
  expect(png.file).toBe('coins · otsu mask.png');
  const img = pngDecode(png.bytes);
  expect([img.width, img.height, img.depth, img.channels]).toEqual([96, 76, 8, 1]);
  expect(new Set(img.data)).toEqual(new Set([0, 255]));
  expect(Array.from(img.data)).toEqual(want.map((v) => v * 255));

  // "Export all outputs" from the run details: one zip, entries named after the source.
  await expect(details.getByTestId('run-export-all')).toHaveAttribute('title', /1 output in one zip/);
  const zip = await download(page, () => details.getByTestId('run-export-all').click());
  expect(zip.file).toBe('coins · threshold_segmentation.zip');
  const entries = unzipSync(zip.bytes);
  expect(Object.keys(entries)).toEqual(['coins · otsu mask.png']);
  expect(Array.from(pngDecode(entries['coins · otsu mask.png']!).data)).toEqual(want.map((v) => v * 255));
  await details.getByTestId('run-export-format').selectOption('npy');
  const npyZip = unzipSync((await download(page, () => details.getByTestId('run-export-all').click())).bytes);
  expect(Object.keys(npyZip)).toEqual(['coins · otsu mask.npy']);
  const raw = decodeNpyArray(npyZip['coins · otsu mask.npy']!);
  expect(raw.shape).toEqual([76, 96]);
  expect(Array.from(raw.data as ArrayLike<number>, Number)).toEqual(want);
  expect(problems).toEqual([]);
});
