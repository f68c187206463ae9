// Issue 15 item 3 and the live preview, through the UI. (1) threshold_segmentation's form: choosing
// `local` shows block_size, local_method, offset, sigma and mode (cval only for mode constant, sigma only
// for gaussian), other methods show none of them; a run with block_size 15, mean, offset -4 gives
// scikit-image 0.19's threshold_local mask. (2) The "Live preview" toggle draws the preview of the image
// in view over it (pixels = skimage's mask), redrawn when a parameter changes; nothing is stored.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './util';
import { shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, skimage.io, skimage.filters'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-params-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** coins.png (skimage's coins, a quarter of the size) and skimage's local masks for these cases. */
function coinsAndMasks(cases: Record<string, { block_size: number; method: string; offset: number }>): Record<string, number[]> {
  const code = [
    'import sys, json, numpy as np, skimage.data, skimage.io',
    'from skimage.filters import threshold_local',
    'd = sys.argv[1]',
    'c = skimage.data.coins()[::4, ::4]',
    "skimage.io.imsave(d + '/coins.png', c, check_contrast=False)",
    `cases = json.loads(${JSON.stringify(JSON.stringify(cases))})`,
    "print(json.dumps({k: (c > threshold_local(c, a['block_size'], method=a['method'], offset=a['offset'])).astype(int).ravel().tolist() for k, a in cases.items()}))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number[]>;
}

const field = (page: Page, name: string) => page.getByTestId(`param-${name}`);
const select = (page: Page, name: string, label: string) => field(page, name).locator('select').selectOption({ label });
const number = (page: Page, name: string, value: string) => field(page, name).locator('input[type=number]').fill(value);
const LOCAL_ONLY = ['block_size', 'local_method', 'offset', 'sigma', 'mode', 'cval'];

async function importCoins(page: Page): Promise<void> {
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'coins.png'));
  await expect(page.getByTestId('import-report')).toContainText('Imported 1', { timeout: 60_000 });
}

test('local threshold: its own parameters appear for local only, and a run gives scikit-image threshold_local', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const want = coinsAndMasks({ mean15: { block_size: 15, method: 'mean', offset: -4 } });
  const problems = await openApp(page);
  await importCoins(page);
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();

  // otsu (the default): none of local's parameters, and no channel (no multichannel input).
  await expect(field(page, 'thresholding_algorithm')).toBeVisible();
  for (const p of [...LOCAL_ONLY, 'channel']) await expect(field(page, p)).toHaveCount(0);
  await expect(page.getByTestId('param-idle-note')).toContainText('7 more parameters apply only to other choices or inputs');

  await select(page, 'thresholding_algorithm', 'local');
  for (const p of ['block_size', 'local_method', 'offset', 'sigma', 'mode']) await expect(field(page, p)).toBeVisible();
  await expect(field(page, 'cval')).toHaveCount(0);
  await expect(field(page, 'block_size').locator('input[type=number]')).toHaveValue('3');
  // cval only for mode constant; sigma only for gaussian.
  await select(page, 'mode', 'constant');
  await expect(field(page, 'cval')).toBeVisible();
  await select(page, 'mode', 'reflect');
  await expect(field(page, 'cval')).toHaveCount(0);
  await select(page, 'local_method', 'mean');
  await expect(field(page, 'sigma')).toHaveCount(0);
  await number(page, 'block_size', '15');
  await number(page, 'offset', '-4');
  // Another method hides them again (and keeps what was typed for when local comes back).
  await select(page, 'thresholding_algorithm', 'li');
  for (const p of LOCAL_ONLY) await expect(field(page, p)).toHaveCount(0);
  await select(page, 'thresholding_algorithm', 'local');
  await expect(field(page, 'block_size').locator('input[type=number]')).toHaveValue('15');

  await page.getByTestId('run-add-input').selectOption({ label: 'coins.png' });
  // The form in full for the screenshot: the catalog folded away.
  await page.getByRole('button', { name: 'Hide catalog' }).click();
  await field(page, 'thresholding_algorithm').scrollIntoViewIfNeeded();
  await shot(page, 'docs/screenshots/threshold-local.png');
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  await expect(details.getByTestId('run-args')).toContainText('block_size=15');
  const mask = await page.evaluate(async () => {
    const [rec] = await window.algobox.executions.list();
    const f = (await window.algobox.datasets.get(rec!.outputDatasetIds[0]!, ['mask'])).fields.mask as { data: Uint8Array; shape: number[] };
    return { shape: f.shape, data: Array.from(f.data) };
  });
  expect(mask.shape).toEqual([76, 96]);
  expect(mask.data).toEqual(want.mean15);
  expect(new Set(mask.data)).toEqual(new Set([0, 1]));
  expect(problems).toEqual([]);
});

/** The preview overlay's pixels: 1 where drawn (alpha > 0), else 0. */
async function overlayMask(page: Page): Promise<number[]> {
  return page.getByTestId('preview-overlay').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out: number[] = [];
    for (let i = 3; i < d.length; i += 4) out.push(d[i]! > 0 ? 1 : 0);
    return out;
  });
}

test('live preview: the result on the image in view, redrawn as a parameter changes, nothing stored', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const want = coinsAndMasks({ g15: { block_size: 15, method: 'gaussian', offset: 0 }, g15o6: { block_size: 15, method: 'gaussian', offset: 6 } });
  const problems = await openApp(page);
  await importCoins(page);
  await page.getByTestId('dataset-row').filter({ hasText: 'coins.png' }).locator('.ds-name').click();
  await expect(page.getByTestId('image-viewer')).toBeVisible();
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await select(page, 'thresholding_algorithm', 'local');
  await number(page, 'block_size', '15');
  const counts = () =>
    page.evaluate(async () => ({ datasets: (await window.algobox.datasets.list()).length, runs: (await window.algobox.executions.list()).length }));
  const before = await counts();

  // Off by default: no overlay.
  await expect(page.getByTestId('preview-overlay')).toHaveCount(0);
  await page.getByTestId('preview-toggle').check();
  const overlay = page.getByTestId('preview-overlay');
  await expect(overlay).toBeVisible({ timeout: 30_000 });
  await expect(overlay).toHaveAttribute('data-algorithm', /^threshold_segmentation /);
  await expect(overlay).toHaveAttribute('width', '96');
  await expect(overlay).toHaveAttribute('height', '76');
  await expect.poll(() => overlayMask(page)).toEqual(want.g15);
  await expect(page.getByTestId('preview-status')).toContainText(`${want.g15!.filter((v) => v).length} of 7296 pixels foreground`);
  const first = await overlay.getAttribute('data-version');
  // The overlay's colour: magenta at half opacity.
  const px = await overlay.evaluate(
    (c: HTMLCanvasElement, i: number) => Array.from(c.getContext('2d')!.getImageData(i % 96, Math.floor(i / 96), 1, 1).data),
    want.g15!.indexOf(1),
  );
  expect(px).toEqual([255, 0, 255, 128]);

  // A parameter changes: a new preview replaces it.
  await number(page, 'offset', '6');
  await expect(overlay).not.toHaveAttribute('data-version', first!, { timeout: 30_000 });
  await expect.poll(() => overlayMask(page)).toEqual(want.g15o6);
  expect(want.g15o6).not.toEqual(want.g15);
  await shot(page, 'docs/screenshots/live-preview.png');

  // Nothing was stored; unticking removes the overlay.
  expect(await counts()).toEqual(before);
  await page.getByTestId('preview-toggle').uncheck();
  await expect(overlay).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('live preview of a Volume: the slice in view, Otsu of that slice as scikit-image computes it', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const problems = await openApp(page);
  await page.evaluate(() => window.algobox.samples.ensure());
  await page.getByTestId('dataset-row').filter({ hasText: 'spheres volume' }).locator('.ds-name').click();
  await expect(page.getByTestId('volume-slice')).toBeVisible();
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await page.getByTestId('preview-toggle').check();
  const overlay = page.getByTestId('preview-overlay');
  await expect(overlay).toBeVisible({ timeout: 30_000 });
  // The slice drawn (the middle one) read through the API, thresholded by skimage here.
  const drawn = Number(await page.getByTestId('viewer-canvas').getAttribute('data-drawn'));
  const slice = await page.evaluate(async (z) => {
    const [d] = (await window.algobox.datasets.list()).filter((x) => x.name === 'spheres volume');
    const a = await window.algobox.datasets.openArray(d!.id, 'volume');
    const s = (await a.read([[z, z + 1], null, null])) as { shape: number[]; data: Uint16Array };
    return { shape: a.shape, data: Array.from(s.data) };
  }, drawn);
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      'import sys, json, numpy as np\nfrom skimage.filters import threshold_otsu\na = np.array(json.load(sys.stdin), dtype=np.uint16)\nprint(json.dumps((a > threshold_otsu(a)).astype(int).tolist()))',
    ],
    {
      input: JSON.stringify(slice.data),
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const want = JSON.parse(r.stdout) as number[];
  await expect(overlay).toHaveAttribute('width', String(slice.shape[2]));
  await expect.poll(() => overlayMask(page)).toEqual(want);
  await expect(page.getByTestId('preview-status')).toContainText(`Preview on spheres volume · z ${drawn + 1} / ${slice.shape[0]}`);
  expect(problems).toEqual([]);
});
