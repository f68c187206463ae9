// The app as an image scientist uses it: drop a folder and a multi-page TIFF, pick each built-in
// algorithm in the catalog, set non-default parameters, run, look at the results; cancel a run,
// reload and find the history. Output values are checked against the same kernels run in Node.
import { expect, test, type Page } from '@playwright/test';
import { encodePng, encodeTiff } from '../../src/core/imageCodecs/index';
import { ndarray, stack, type NDArray } from '../../src/core/ndarray';
import { SAMPLE_TRUE_SHIFT } from '../../src/core/sampleData';
import * as filters from '../../src/sdk/image/filters';
import * as morphology from '../../src/sdk/image/morphology';
import { cellsImage } from '../unit/helpers/cellsImage';
import { tvDenoisedStack, sampledReds } from '../unit/helpers/tvDenoisingCheck';
import { canvasReady } from './canvas';
import { shot } from './shot';
import { dropFiles, openApp } from './util';

type Plain = { dtype: string; shape: number[]; data: number[] };

const stackRow = (page: Page, name: string) => page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: name }) });

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

/** Click Run and wait for the new run to complete; returns its execution record. */
async function runAndWait(page: Page) {
  const before = await page.evaluate(async () => (await window.algobox.executions.list()).length);
  await page.getByTestId('run-button').click();
  await expect.poll(async () => page.evaluate(async () => (await window.algobox.executions.list()).length)).toBe(before + 1);
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  return page.evaluate(async () => {
    const [rec] = await window.algobox.executions.list();
    return rec!;
  });
}

async function fields(page: Page, ids: string[], key: string): Promise<Plain[]> {
  return page.evaluate(
    async ({ ids, key }) =>
      Promise.all(
        ids.map(async (id) => {
          const a = (await window.algobox.datasets.get(id, [key])).fields[key] as { dtype: string; shape: number[]; data: ArrayLike<number> };
          return { dtype: a.dtype, shape: a.shape, data: Array.from(a.data) };
        }),
      ),
    { ids, key },
  );
}

const toNd = (p: Plain): NDArray => ndarray(p.dtype as 'float32', p.shape, p.data);

/** RGBA of canvas pixel (x, y) of the viewer (canvas pixel = image pixel). */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      return Array.from(c.getContext('2d')!.getImageData(x!, y!, 1, 1).data);
    },
    [x, y],
  );
}

async function setWindow(page: Page, min: number, max: number) {
  await page.getByTestId('contrast-mode').selectOption('manual');
  await page.getByTestId('contrast-min').fill(String(min));
  await page.getByTestId('contrast-max').fill(String(max));
}

test('drop a folder and a multi-page TIFF; threshold (li) and mask cleanup from the UI; mask overlay', async ({ page }) => {
  const problems = await openApp(page);
  await expect(page.locator('[data-testid^="alg-card-"]')).toHaveCount(7);
  await expect(stackRow(page, 'shifted pair')).toBeVisible(); // sample data on first start

  // A folder of three PNGs, dropped in scrambled order: one stack in natural name order.
  const discs: [number, number, number][] = [
    [10, 10, 5],
    [30, 22, 6],
    [48, 40, 4],
  ];
  await dropFiles(
    page,
    [10, 1, 2].map((k) => ({ path: `series/img${k}.png`, bytes: encodePng(cellsImage(64, 48, discs, k)) })),
  );
  await expect(stackRow(page, 'series')).toContainText('3 slices');
  const seriesNames = await page.evaluate(async () => {
    const s = (await window.algobox.stacks.list()).find((x) => x.name === 'series')!;
    return Promise.all(s.datasetIds.map(async (id) => (await window.algobox.datasets.get(id, [])).meta.name));
  });
  expect(seriesNames).toEqual(['img1.png', 'img2.png', 'img10.png']);

  // A 3-page TIFF through the file picker: a stack of 2-D slices.
  const pages = [3, 4, 5].map((k) =>
    cellsImage(
      64,
      48,
      discs.map(([x, y, r]) => [x + k, y, r + (k % 2)] as [number, number, number]),
      k,
    ),
  );
  await page.getByTestId('import-files-input').setInputFiles({ name: 'cells.tif', mimeType: 'image/tiff', buffer: Buffer.from(encodeTiff(pages)) });
  await expect(stackRow(page, 'cells.tif')).toContainText('3 slices');

  // threshold_segmentation, method "li", on the TIFF stack.
  await selectAlgorithm(page, 'threshold_segmentation');
  await stackRow(page, 'cells.tif').getByRole('button', { name: 'Use as input' }).click();
  await expect(page.getByTestId('run-input-stack')).toContainText('cells.tif');
  await page.getByTestId('param-thresholding_algorithm').locator('select').selectOption('li');
  const seg = await runAndWait(page);
  expect(seg.args).toEqual({ thresholding_algorithm: 'li', channel: 0 });
  const masks = await fields(page, seg.outputDatasetIds, 'mask');
  const expected = filters.threshold(stack(pages), 'li').mask;
  expect(masks.map((m) => m.dtype)).toEqual(['uint8', 'uint8', 'uint8']);
  expect(masks.flatMap((m) => m.data)).toEqual(Array.from(expected.data));

  // Its results: the mask over the source image, label 0 transparent.
  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await canvasReady(page, 64, 48);
  const m0 = masks[0]!.data;
  const fg = m0.indexOf(1);
  const bg = m0.indexOf(0);
  const [fr, fgG, fb] = await pixel(page, fg % 64, Math.floor(fg / 64));
  const [br, bgG, bb] = await pixel(page, bg % 64, Math.floor(bg / 64));
  expect(new Set([fr, fgG, fb]).size).toBeGreaterThan(1); // coloured overlay on a masked pixel
  expect(br).toBe(bgG);
  expect(bgG).toBe(bb); // grey image where the label is 0
  await shot(page, 'docs/screenshots/app-segmentation.png');

  // mask_cleanup (Segmentation2Segmentation) on those masks: min_size 40, no hole filling.
  await selectAlgorithm(page, 'mask_cleanup');
  const maskNames = await page.evaluate(
    async (ids) => Promise.all(ids.map(async (id) => (await window.algobox.datasets.get(id, [])).meta.name)),
    seg.outputDatasetIds,
  );
  for (const name of maskNames) await page.getByTestId('run-add-input').selectOption({ label: name });
  await expect(page.getByTestId('run-input')).toHaveCount(3);
  await page.getByTestId('param-min_size').locator('input[type=number]').fill('40');
  await page.getByTestId('param-fill_holes').locator('input[type=checkbox]').uncheck();
  const clean = await runAndWait(page);
  expect(clean.args).toEqual({ min_size: 40, fill_holes: false });
  const cleaned = await fields(page, clean.outputDatasetIds, 'mask');
  cleaned.forEach((c, i) => {
    const want = morphology.removeSmallObjects(toNd(masks[i]!), 40);
    expect(c.data).toEqual(Array.from(want.data));
  });
  expect(problems).toEqual([]);
});

test('tv_denoising on a dropped folder with a non-default weight; before/after comparison', async ({ page }) => {
  const problems = await openApp(page);
  const discs: [number, number, number][] = [
    [12, 12, 6],
    [40, 30, 8],
  ];
  await dropFiles(
    page,
    [1, 2].map((k) => ({ path: `noisy/n${k}.png`, bytes: encodePng(cellsImage(48, 40, discs, 10 + k)) })),
  );
  await expect(stackRow(page, 'noisy')).toContainText('2 slices');
  await selectAlgorithm(page, 'tv_denoising');
  await stackRow(page, 'noisy').getByRole('button', { name: 'Use as input' }).click();
  await page.getByTestId('param-denoising_weight').locator('input[type=number]').fill('0.3');
  const rec = await runAndWait(page);
  expect(rec.args).toEqual({ denoising_weight: 0.3 });
  expect(rec.log.some((l: { message: string }) => l.message === 'Starting denoising of 2 images with weight 0.3.')).toBe(true);

  // The same steps in Node: normalise the stack, denoise each image, normalise, float32.
  const inputs = await page.evaluate(async () => {
    const s = (await window.algobox.stacks.list()).find((x) => x.name === 'noisy')!;
    return s.datasetIds;
  });
  const raw = stack((await fields(page, inputs, 'image')).map(toNd));
  const want = tvDenoisedStack(raw, 0.3);
  const got = (await fields(page, rec.outputDatasetIds, 'image')).flatMap((o) => o.data);
  expect(got).toHaveLength(want.length);
  expect(Math.max(...got.map((g, i) => Math.abs(g - want[i]!)))).toBeLessThan(1e-5);

  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('compare-viewer')).toBeVisible();
  await canvasReady(page, 48, 40);
  const values = await sampledReds((x, y) => pixel(page, x, y));
  expect(values.size).toBeGreaterThan(1); // not blank
  await shot(page, 'docs/screenshots/app-compare.png');
  expect(problems).toEqual([]);
});

test('registration of the sample pair recovers the known shift; the alignment checkerboard alternates', async ({ page }) => {
  const problems = await openApp(page);
  await selectAlgorithm(page, 'registration');
  await stackRow(page, 'shifted pair').getByRole('button', { name: 'Use as input' }).click();
  await page.getByTestId('param-max_translation').locator('input[type=number]').fill('0.1');
  await page.getByTestId('param-upsample_factor').locator('input[type=number]').fill('50');
  const rec = await runAndWait(page);
  expect(rec.args).toEqual({ max_translation: 0.1, upsample_factor: 50 });
  const [m] = await fields(page, rec.outputDatasetIds, 'transform_matrix');
  // Matrix 0 maps pixel coordinates of image 1 to image 0: the content moved by (+dx, +dy), so (−dx, −dy).
  expect(Math.abs(m!.data[2]! + SAMPLE_TRUE_SHIFT.dx)).toBeLessThan(0.1);
  expect(Math.abs(m!.data[5]! + SAMPLE_TRUE_SHIFT.dy)).toBeLessThan(0.1);

  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('alignment-viewer')).toBeVisible();
  await canvasReady(page, 256, 256);
  await setWindow(page, 0, 1);
  await expect(page.getByTestId('decomposition')).toContainText('rotation0.0000°');
  // Checkerboard with 32 px tiles: even tiles show the fixed image, odd tiles the moving one warped onto it.
  const pair = await page.evaluate(async () => (await window.algobox.stacks.list()).find((s) => s.name === 'shifted pair')!.datasetIds);
  const [fixed, moving] = await fields(page, pair, 'image');
  const gray = (v: number) => Math.round(v * 255);
  let checked = 0;
  for (let ty = 1; ty < 7; ty++)
    for (let tx = 1; tx < 7; tx++) {
      const x = tx * 32 + 16;
      const y = ty * 32 + 16;
      const i = y * 256 + x;
      const shown = (await pixel(page, x, y))[0]!;
      // Aligned, so both tiles match the fixed image; odd tiles must differ from the *unwarped* moving image.
      expect(Math.abs(shown - gray(fixed!.data[i]!))).toBeLessThanOrEqual(3);
      if ((tx + ty) % 2 === 1 && Math.abs(gray(moving!.data[i]!) - gray(fixed!.data[i]!)) > 12) {
        expect(Math.abs(shown - gray(moving!.data[i]!))).toBeGreaterThan(6);
        checked++;
      }
    }
  expect(checked).toBeGreaterThan(3);
  await shot(page, 'docs/screenshots/app-alignment.png');
  expect(problems).toEqual([]);
});

test('cancel a run from the runs panel; after a reload the history is there and reopens results', async ({ page }) => {
  const problems = await openApp(page);
  await page.evaluate(async () => {
    // Trusted up front: the trust dialog before a first run is tested in trust.spec.ts.
    const alg = await window.algobox.algorithms.install({
      'pyproject.toml': `[project]\nname = "slow_copy"\nversion = "1.0.0"\n[tool.compox]\nalgorithm_type = "Image2Image"\ntags = ["test"]\ndescription = "Copies images slowly."\nsupported_devices = ["cpu"]\ndefault_device = "cpu"\nadditional_parameters = [{name = "seconds", description = "how long", config = {type = "float_range", default = 30.0, min = 0.0, max = 60.0, step = 0.5, adjustable = true}}]\n`,
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner {
          async inference(data, args) {
            const steps = Math.max(1, Math.round(args.seconds * 10));
            for (let i = 0; i < steps; i++) { await new Promise((r) => setTimeout(r, 100)); await this.setProgress((i + 1) / steps); }
            return data;
          }
        }`,
    });
    await window.algobox.algorithms.trust(alg.id);
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await selectAlgorithm(page, 'slow_copy');
  await stackRow(page, 'shifted pair').getByRole('button', { name: 'Use as input' }).click();
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('running');
  await expect.poll(async () => Number((await details.getByTestId('run-pct').textContent())?.replace('%', '') ?? 0)).toBeGreaterThan(0);
  await details.getByTestId('run-cancel').click();
  await expect(details.getByTestId('run-status')).toHaveText('cancelled');

  await page.getByTestId('param-seconds').locator('input[type=number]').fill('0.5');
  const done = await runAndWait(page);
  expect(done.args).toEqual({ seconds: 0.5 });

  await page.goto('/');
  await page.evaluate(() => window.algobox.ready);
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('slow_copy');
  await rows.nth(1).click();
  await expect(details.getByTestId('run-status')).toHaveText('cancelled');
  await rows.nth(0).click();
  await expect(details.getByTestId('run-status')).toHaveText('completed');
  await details.getByTestId('run-open-results').click();
  await expect(page.getByTestId('compare-viewer')).toBeVisible();
  await canvasReady(page, 256, 256);
  await shot(page, 'docs/screenshots/app-history.png');
  expect(problems).toEqual([]);
});
