// Issue 15 item 4 through the UI: a person imports their own images and label masks (two folders,
// two stacks), binds them to the segmentation evaluation's sources on the toolchain page (the images
// stack is refused as ground truth, with why), runs it and reads Dice/IoU equal to numpy's; saves the
// bound toolchain, reloads the page, re-runs it from the saved list, sees it as JSON and deletes it.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';
import { runFromPage } from './toolchainRun';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, tifffile, skimage.io'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-bind-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** my-images/c1..c3.tif (uint16, a bright disk on noise) and my-labels/c1..c3.png (0/255 masks, shifted by a pixel); Dice and IoU of (image > 700) by numpy. */
function makeFiles(): { dice: number[]; iou: number[] } {
  const code = `
import sys, os, json, numpy as np, tifffile, skimage.io
d = sys.argv[1]
os.makedirs(d + '/my-images'); os.makedirs(d + '/my-labels')
rng = np.random.default_rng(11)
yy, xx = np.mgrid[0:48, 0:64]
dice, iou = [], []
for k in range(3):
    cy, cx, r = 16 + 6 * k, 20 + 10 * k, 8 + 2 * k
    img = (rng.integers(0, 650, size=(48, 64)) + 600 * ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r)).astype(np.uint16)
    gt = (yy - cy - 1) ** 2 + (xx - cx) ** 2 <= r * r
    tifffile.imwrite(d + f'/my-images/c{k + 1}.tif', img)
    skimage.io.imsave(d + f'/my-labels/c{k + 1}.png', (gt * 255).astype(np.uint8), check_contrast=False)
    p = img > 700
    inter, sp, sg = int((p & gt).sum()), int(p.sum()), int(gt.sum())
    dice.append(2 * inter / (sp + sg)); iou.append(inter / (sp + sg - inter))
print(json.dumps({'dice': dice, 'iou': iou}))
`;
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { dice: number[]; iou: number[] };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const result = async (page: Page, n: string) => Number(await page.getByTestId(`tc-result-evaluation-${n}`).getAttribute('data-value'));

test('own images and label masks bound to the segmentation evaluation from the page: Dice/IoU as numpy computes; saved, reloaded, re-run, deleted', async ({
  page,
}) => {
  test.skip(!ready, 'needs numpy, tifffile and skimage under /usr/bin/python3');
  const want = makeFiles();
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page);

  // Import both folders with the folder picker: each becomes a stack named after it.
  await page.getByTestId('import-folder-input').setInputFiles(join(dir, 'my-images'));
  await expect(page.getByTestId('import-report').last()).toContainText('Imported 3 images (1 stack).', { timeout: 60_000 });
  await page.getByTestId('import-folder-input').setInputFiles(join(dir, 'my-labels'));
  await expect(page.getByTestId('import-report').last()).toContainText('Imported 3 images (1 stack).', { timeout: 60_000 });

  await page.getByTestId('nav-toolchains').click();
  await expect(page.getByTestId('tc-name')).toHaveText('Segmentation evaluation');
  const images = page.getByTestId('tc-bind-images');
  const truth = page.getByTestId('tc-bind-ground_truth');
  await expect(images).toContainText('needs a 2-D uint16 array');
  await expect(truth).toContainText('ground truth (masks or labels) · needs a 2-D uint8 array');
  // Bound to the sample data at first (five datasets).
  await expect(images.getByRole('combobox')).toHaveValue('current');
  await expect(page.getByTestId('tc-node-images')).toContainText('5 items');

  // The images stack cannot be the ground truth (uint16 into uint8): offered disabled, and why.
  await expect(truth.locator('option', { hasText: /^my-images — / })).toBeDisabled();
  await images.getByRole('combobox').selectOption({ label: 'my-images (stack of 3, field image)' });
  // Half bound: 3 images against the sample's 5 masks — said.
  await expect(page.getByTestId('tc-bind-units')).toContainText('(images 3, ground_truth 5)');
  await truth.getByRole('combobox').selectOption({ label: 'my-labels (stack of 3, field image)' });
  await expect(page.getByTestId('tc-bind-units')).toHaveCount(0);
  await expect(page.getByTestId('tc-node-images')).toContainText('3 items');
  await expect(page.getByTestId('tc-node-ground_truth')).toContainText('3 items');
  await truth.getByText(/cannot feed it: why/).click();
  await expect(page.getByTestId('tc-bind-problems-ground_truth')).toContainText(
    "stack 'my-images': dataset 'c1.tif' field 'image' is uint16, which system/array_2d_uint8/1 (uint8) cannot take without loss",
  );
  await shot(page, `${SHOTS_DIR}/toolchain-bind.png`);

  const first = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-threshold')).toHaveAttribute('data-calls', '3');
  await expect(page.getByTestId('tc-block-evaluation')).toHaveAttribute('data-calls', '3');
  expect(await result(page, 'nb_images')).toBe(3);
  expect(await result(page, 'mean_dice')).toBeCloseTo(mean(want.dice), 6);
  expect(await result(page, 'mean_iou')).toBeCloseTo(mean(want.iou), 6);
  expect(mean(want.dice)).toBeGreaterThan(0.5);
  expect(mean(want.dice)).toBeLessThan(0.999);

  // Save it under a name: listed, and open.
  await page.getByTestId('tc-save-open').click();
  await page.getByTestId('tc-save-name').fill('My cells evaluation');
  await page.getByTestId('tc-save-new').click();
  const savedList = page.getByRole('list', { name: 'Saved toolchains' });
  await expect(savedList.getByTestId('tc-saved-item')).toHaveCount(1);
  await expect(page.getByTestId('tc-name')).toHaveText('My cells evaluation');
  await expect(page).toHaveURL(/toolchain=saved%3A|toolchain=saved:/);

  // Reload: the saved toolchain is still listed; open it from the list (after another one) and run it again.
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await page.getByTestId('tc-choose-fig3').click();
  await expect(page.getByTestId('tc-name')).toHaveText(/Fig\. 3/);
  await savedList.getByRole('button', { name: 'My cells evaluation', exact: true }).click();
  await expect(page.getByTestId('tc-name')).toHaveText('My cells evaluation');
  await expect(page.getByTestId('tc-saved-note')).toContainText('from “Segmentation evaluation”');
  await expect(images.getByRole('combobox').locator('option:checked')).toHaveText('my-images (stack of 3, field image)');
  await expect(truth.getByRole('combobox').locator('option:checked')).toHaveText('my-labels (stack of 3, field image)');
  const second = await runFromPage(page);
  expect(second).not.toBe(first);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  expect(await result(page, 'mean_dice')).toBeCloseTo(mean(want.dice), 6);
  await shot(page, `${SHOTS_DIR}/toolchains-saved.png`);

  // "Edit as JSON" shows it with its bindings and parameters.
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  const json = JSON.parse(await page.getByTestId('tc-json').inputValue()) as {
    sources: { name: string; stackId?: string; field?: string }[];
    blocks: { parameters: unknown }[];
  };
  const stacks = await page.evaluate(async () => (await window.algobox.stacks.list()).map((s) => ({ id: s.id, name: s.name })));
  const idOf = (name: string) => stacks.find((s) => s.name === name)!.id;
  expect(json.sources.map((s) => [s.name, s.stackId, s.field])).toEqual([
    ['images', idOf('my-images'), 'image'],
    ['ground_truth', idOf('my-labels'), 'image'],
  ]);
  expect(json.blocks[0]!.parameters).toEqual({ threshold: 700 });

  // Delete it (asked first).
  await savedList.getByRole('button', { name: /Delete the saved toolchain My cells evaluation/ }).click();
  await savedList.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByText('None yet: bind a toolchain to your data and press Save.')).toBeVisible();
  expect(await page.evaluate(() => window.algobox.toolchains.saved.list())).toEqual([]);
  expect(problems).toEqual([]);
});
