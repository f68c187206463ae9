// Issue 15 item 6: runs and their outputs can be told apart. Each row in Runs reads
// "<algorithm>" over "<inputs> · <key arguments>" (the method-like ones, and the others when they
// differ from the default); outputs are named after their source and what made them ("coins · otsu mask");
// the datasets filter finds outputs by their source's name too.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shot } from './shot';
import { openApp, closeImportReports } from './util';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, skimage.io, skimage.data'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-runnames-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const datasetRow = (page: Page, name: string) =>
  page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name}$`) }) });
const stackRow = (page: Page, name: string) => page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: name }) });
const shownNames = (page: Page) => page.getByTestId('dataset-row').locator('.ds-name').allTextContents();

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

async function run(page: Page, count: number) {
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-row')).toHaveCount(count);
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
}

async function useOnly(page: Page, ...names: string[]) {
  const clear = page.getByTestId('run-inputs').getByRole('button', { name: 'Clear' });
  if (await clear.isVisible()) await clear.click();
  for (const n of names) await page.getByTestId('run-add-input').selectOption({ label: n });
}

test('runs read "<algorithm> · <inputs> · <key args>", outputs are named after their source, the filter finds them by it', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const py = spawnSync(PYTHON, [
    '-c',
    "import sys, skimage.data, skimage.io\nskimage.io.imsave(sys.argv[1] + '/coins.png', skimage.data.coins()[::4, ::4])",
    dir,
  ]);
  expect(py.status).toBe(0);
  const problems = await openApp(page);
  await page.evaluate(() => window.algobox.samples.ensure());
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'coins.png'));
  await expect(datasetRow(page, 'coins.png')).toBeVisible({ timeout: 60_000 });

  // Four runs that used to read alike ("threshold_segmentation <id8> #1").
  await selectAlgorithm(page, 'threshold_segmentation');
  await useOnly(page, 'coins.png');
  await run(page, 1);
  await page.getByTestId('param-thresholding_algorithm').locator('select').selectOption('li');
  await run(page, 2);
  await useOnly(page);
  await stackRow(page, 'cells (3 images)').getByRole('button', { name: 'Use as input' }).click();
  await page.getByTestId('param-thresholding_algorithm').locator('select').selectOption('otsu');
  await run(page, 3);
  await selectAlgorithm(page, 'tv_denoising');
  await useOnly(page, 'coins.png');
  await page.getByTestId('param-denoising_weight').locator('input[type="number"]').fill('0.3');
  await run(page, 4);

  // Newest first; every row says what ran, on what, and how.
  const rows = page.getByTestId('run-row');
  expect(await rows.getByTestId('run-row-name').allTextContents()).toEqual([
    'tv_denoising',
    'threshold_segmentation',
    'threshold_segmentation',
    'threshold_segmentation',
  ]);
  expect(await rows.getByTestId('run-what').allTextContents()).toEqual([
    'coins · denoising_weight=0.3',
    'cells (3 images) · otsu',
    'coins · li',
    'coins · otsu',
  ]);
  // The default channel (0) is left out; the row's tooltip has every argument.
  await expect(page.getByTestId('run-row').nth(2).getByRole('button')).toHaveAttribute('title', /thresholding_algorithm="li"\nchannel=0/);

  // The outputs: named after their source and what made them.
  for (const name of ['coins · otsu mask', 'coins · li mask', 'coins · tv_denoising', 'cells stack 1/3 · otsu mask', 'cells stack 3/3 · otsu mask'])
    await expect(datasetRow(page, name)).toBeVisible();

  // Rename the source: the filter finds its outputs by their source's (new) name.
  await datasetRow(page, 'coins.png').getByTestId('row-menu').click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  await page.getByTestId('rename-input').fill('beads.png');
  await page.keyboard.press('Enter');
  await expect(datasetRow(page, 'beads.png')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Filter stacks and datasets by name' }).fill('beads');
  await expect.poll(() => shownNames(page)).toEqual(['beads.png', 'coins · otsu mask', 'coins · li mask', 'coins · tv_denoising']);
  await closeImportReports(page);
  await shot(page, 'docs/screenshots/runs-names.png');
  expect(problems).toEqual([]);
});
