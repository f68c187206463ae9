// Issue 15 item 2 (the run): threshold_segmentation over three PNGs of two sizes, chosen one by one in
// the run form, is ONE run — one row in Runs, one progress bar, completed, no failure — whose three
// masks come back in input order, each equal to scikit-image's Otsu over its own shape group, named
// after its source, and all three open in the viewer (1 / 3 … 3 / 3).
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shot } from './shot';
import { openApp, closeImportReports } from './util';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, skimage.io, skimage.filters, skimage.data'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-mixedrun-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Writes camera.png (128×128), coins.png (76×96) and moon.png (128×128); returns each one's mask (0/1,
 * row-major): threshold_segmentation's Otsu threshold is global over the stack it is given, so camera and
 * moon (one group) share the threshold of the two, and coins (its own group) has its own.
 */
function makeImages(): Record<string, number[]> {
  const code = [
    'import sys, json, skimage.data, skimage.io, skimage.filters',
    'd = sys.argv[1]',
    "imgs = {'camera': skimage.data.camera()[::4, ::4], 'coins': skimage.data.coins()[::4, ::4], 'moon': skimage.data.moon()[::4, ::4]}",
    'import numpy as np',
    "shared = skimage.filters.threshold_otsu(np.stack([imgs['camera'], imgs['moon']]))",
    "t = {'camera': shared, 'moon': shared, 'coins': skimage.filters.threshold_otsu(imgs['coins'])}",
    'out = {}',
    'for n, a in imgs.items():',
    "    skimage.io.imsave(f'{d}/{n}.png', a, check_contrast=False)",
    '    out[n] = (a > t[n]).astype(int).ravel().tolist()',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

const datasetRow = (page: Page, name: string) =>
  page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name}$`) }) });

test('a run over images of two sizes runs per shape group as one run: one row, three results in input order, no failure', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const want = makeImages();
  const problems = await openApp(page);
  // Three separate files, imported one at a time (three datasets of two shapes).
  for (const name of ['camera', 'coins', 'moon']) {
    await page.getByTestId('import-files-input').setInputFiles(join(dir, `${name}.png`));
    await expect(datasetRow(page, `${name}.png`)).toBeVisible({ timeout: 60_000 });
  }

  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  for (const name of ['camera.png', 'coins.png', 'moon.png']) await page.getByTestId('run-add-input').selectOption({ label: name });
  await expect(page.getByTestId('run-input')).toHaveCount(3);
  await page.getByTestId('run-button').click();

  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText(/completed|failed/, { timeout: 120_000 });
  await expect(details.getByTestId('run-status')).toHaveText('completed');
  await expect(details.getByTestId('run-error-message')).toHaveCount(0);
  await expect(details.getByTestId('run-pct')).toHaveText('100%');
  // One row in Runs for the whole run, reading the inputs and the method.
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('runs-count')).toHaveText('1');
  await expect(page.getByTestId('run-row').getByTestId('run-row-name')).toHaveText('threshold_segmentation');
  await expect(page.getByTestId('run-row').getByTestId('run-what')).toHaveText('camera + 2 more · otsu');
  await expect(details.getByText('The 3 inputs differ in shape or dtype: they run as 2 groups')).toBeVisible();

  // Its outputs: one per input, in input order, each Otsu of its own source and named after it.
  const rec = await page.evaluate(async () => {
    const [r] = await window.algobox.executions.list();
    const outs = await Promise.all(r!.outputDatasetIds.map((id) => window.algobox.datasets.get(id, ['mask'])));
    const inputs = await Promise.all(r!.inputDatasetIds.map((id) => window.algobox.datasets.get(id, [])));
    return {
      status: r!.status,
      progress: r!.progress,
      inputs: inputs.map((d) => d.meta.name),
      outputs: outs.map((d) => ({
        name: d.meta.name,
        madeFrom: d.meta.extra.madeFrom,
        shape: (d.fields.mask as { shape: number[] }).shape,
        mask: Array.from((d.fields.mask as { data: Uint8Array }).data),
      })),
      inputIds: r!.inputDatasetIds,
    };
  });
  expect(rec.status).toBe('COMPLETED');
  expect(rec.progress).toBe(1);
  expect(rec.inputs).toEqual(['camera.png', 'coins.png', 'moon.png']);
  expect(rec.outputs.map((o) => o.name)).toEqual(['camera · otsu mask', 'coins · otsu mask', 'moon · otsu mask']);
  expect(rec.outputs.map((o) => o.madeFrom)).toEqual(rec.inputIds);
  expect(rec.outputs.map((o) => o.shape)).toEqual([
    [128, 128],
    [76, 96],
    [128, 128],
  ]);
  expect(rec.outputs.map((o) => o.mask)).toEqual([want.camera, want.coins, want.moon]);
  for (const name of ['camera · otsu mask', 'coins · otsu mask', 'moon · otsu mask']) await expect(datasetRow(page, name)).toBeVisible();

  // The viewer opens every result, as for any run of several inputs.
  await details.getByTestId('run-open-results').click();
  const viewer = page.getByTestId('segmentation-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByTestId('slice-slider-pos')).toHaveText('1 / 3');
  for (const k of [2, 3]) {
    await viewer.getByRole('button', { name: 'Next image' }).click();
    await expect(viewer.getByTestId('slice-slider-pos')).toHaveText(`${k} / 3`);
    await expect(viewer.getByTestId('viewer-error')).toHaveCount(0);
    if (k === 2) {
      await closeImportReports(page);
      await shot(page, 'docs/screenshots/mixed-run.png');
    }
  }
  expect(problems).toEqual([]);
});
