// The workbench on a small laptop (1024×700) and at 1280×800: side panels collapse to rails
// (remembered), the viewer keeps at least half the width, the catalog turns compact so the chosen
// algorithm's form shows, notices close themselves and stay clear of the Runs panel. And "Download
// as a template" of a built-in: the zip installs back as a third-party bundle that gives the same mask.
import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { shot } from './shot';
import { dropFiles, openApp } from './util';

const SMALL = { width: 1024, height: 700 };

async function box(l: Locator) {
  const b = await l.boundingBox();
  expect(b).not.toBeNull();
  return b!;
}

const intersects = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const viewer = (page: Page) => page.getByRole('main', { name: 'Viewer' });
const runsPanel = (page: Page) => page.getByRole('region', { name: 'Runs' });

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

/** Run the selected algorithm on the sample dataset `input` (picked in the run controls unless it is the input already); the execution record. */
async function runOn(page: Page, input: string, trust = false) {
  if ((await page.getByTestId('run-input').count()) === 0) await page.getByTestId('run-add-input').selectOption({ label: input });
  await expect(page.getByTestId('run-input')).toHaveCount(1);
  await expect(page.getByTestId('run-input')).toContainText(input);
  const before = await page.evaluate(async () => (await window.algobox.executions.list()).length);
  await page.getByTestId('run-button').click();
  if (trust) await page.getByTestId('trust-dialog').getByRole('button', { name: 'Trust and run' }).click();
  await expect.poll(async () => page.evaluate(async () => (await window.algobox.executions.list()).length)).toBe(before + 1);
  // The new run's own record (the details may still show the previous, completed run for a moment).
  await expect.poll(async () => page.evaluate(async () => (await window.algobox.executions.list())[0]!.status), { timeout: 60_000 }).toBe('COMPLETED');
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  return page.evaluate(async () => (await window.algobox.executions.list())[0]!);
}

/** The zoom the viewer shows ("115%" → 1.15). */
async function zoom(page: Page): Promise<number> {
  const text = await page.getByTestId('viewer-status').first().locator('[title="Zoom"]').textContent();
  return Number(text!.replace('%', '')) / 100;
}

test.describe('at 1024×700', () => {
  test.use({ viewport: SMALL });

  test('the viewer gets half the width, panels collapse (remembered), the form shows, notices close and avoid the Runs panel', async ({ page }) => {
    const problems = await openApp(page);
    // The top bar fits (its last item is on screen) and the viewer has at least half the width.
    await expect(page.getByTestId('engine-ready')).toBeInViewport({ ratio: 1 });
    expect((await box(viewer(page))).width).toBeGreaterThanOrEqual(SMALL.width / 2);
    // One side panel at a time: Algorithms open, Datasets a rail.
    await expect(page.getByTestId('expand-datasets')).toBeVisible();
    await expect(page.getByTestId('algorithm-panel')).toBeVisible();
    await expect(page.getByTestId('expand-algorithms')).toHaveCount(0);

    // Choosing an algorithm leaves its first parameter on screen, no scrolling.
    await selectAlgorithm(page, 'threshold_segmentation');
    await expect(page.getByTestId('param-thresholding_algorithm').locator('select')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('run-button')).toBeInViewport({ ratio: 1 });

    // Its mask, on the 256×256 sample 'cells', shows larger than the 55 % of the old layout.
    const rec = await runOn(page, 'cells');
    expect(rec.algorithmName).toBe('threshold_segmentation');
    await page.getByTestId('run-details').getByTestId('run-open-results').click();
    await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
    await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-width', '256');
    await expect.poll(() => zoom(page)).toBeGreaterThanOrEqual(1);
    expect((await box(viewer(page))).width).toBeGreaterThanOrEqual(SMALL.width / 2);
    // On a short window the histogram is folded (its presets stay) and opens on demand.
    const histToggle = page.getByTestId('histogram-toggle');
    await expect(histToggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('window-histogram-plot')).toBeHidden();
    await histToggle.click();
    await expect(page.getByTestId('window-histogram-plot')).toBeVisible();
    await histToggle.click();
    await expect(page.getByTestId('window-histogram-plot')).toBeHidden();
    await expect.poll(() => zoom(page)).toBeGreaterThanOrEqual(1);
    // The log stays readable: its messages get a line of their own, at least 180 px wide.
    const msg = page.getByTestId('run-log').locator('.run-log-msg').first();
    await expect(msg).toBeVisible();
    expect((await box(msg)).width).toBeGreaterThanOrEqual(180);
    await shot(page, 'docs/screenshots/layout-1024.png');

    // Opening Datasets collapses Algorithms (form edits kept); the viewer keeps half the width.
    await page.getByTestId('param-thresholding_algorithm').locator('select').selectOption('li');
    await page.getByTestId('expand-datasets').click();
    await expect(page.getByTestId('stack-row').first()).toBeVisible();
    await expect(page.getByTestId('expand-algorithms')).toBeVisible();
    await expect(page.getByTestId('algorithm-panel')).toBeHidden();
    expect((await box(viewer(page))).width).toBeGreaterThanOrEqual(SMALL.width / 2);
    await page.getByTestId('expand-algorithms').click();
    expect(await page.getByTestId('param-thresholding_algorithm').locator('select option:checked').textContent()).toBe('li');
    await expect(page.getByTestId('expand-datasets')).toBeVisible();
    await page.getByTestId('expand-datasets').click();
    // Remembered across a reload.
    await page.reload();
    await expect(page.getByTestId('engine-ready')).toBeVisible();
    await expect(page.getByTestId('expand-algorithms')).toBeVisible();
    await expect(page.getByTestId('collapse-datasets')).toHaveAttribute('aria-expanded', 'true');
    // Both collapsed: the viewer takes nearly the whole width.
    await page.getByTestId('collapse-datasets').click();
    await expect(page.getByTestId('expand-datasets')).toBeVisible();
    expect((await box(viewer(page))).width).toBeGreaterThan(SMALL.width * 0.85);
    await page.getByTestId('expand-algorithms').click();
    await expect(page.getByTestId('algorithm-panel')).toBeVisible();

    // A bundle that cannot install: the error notice sits clear of the Runs panel and closes by itself.
    const broken = zipSync({ 'pyproject.toml': strToU8('[project]\nname = "broken"\n\n[tool.compox]\nalgorithm_type = "Image2Image"\n') });
    await dropFiles(page, [{ path: 'broken.zip', bytes: broken }]);
    const notice = page.getByTestId('install-notice');
    await expect(notice).toContainText("[project] is missing the required field 'version'");
    expect(intersects(await box(notice), await box(runsPanel(page)))).toBe(false);
    // An import report (a file that cannot be read) also stays clear of the Runs panel.
    await dropFiles(page, [{ path: 'not-an-image.png', bytes: strToU8('hello') }]);
    const report = page.getByTestId('import-report');
    await expect(report).toContainText('not-an-image.png');
    expect(intersects(await box(report), await box(runsPanel(page)))).toBe(false);
    expect(intersects(await box(notice), await box(runsPanel(page)))).toBe(false);
    expect(intersects(await box(notice), await box(report))).toBe(false);
    await shot(page, 'docs/screenshots/layout-1024-notices.png');
    await page.mouse.move(SMALL.width / 2, SMALL.height - 20); // the pointer away from the notices
    await expect(notice).toBeHidden({ timeout: 20_000 });
    expect(problems.filter((p) => !/not-an-image|broken/.test(p))).toEqual([]);
  });
});

test('at 1280×800 both side panels stay open and the catalog keeps its full cards', async ({ page }) => {
  const problems = await openApp(page);
  await expect(page.getByTestId('collapse-datasets')).toBeVisible();
  await expect(page.getByTestId('collapse-algorithms')).toBeVisible();
  await expect(page.getByTestId('expand-datasets')).toHaveCount(0);
  await expect(page.getByTestId('engine-ready')).toBeInViewport({ ratio: 1 });
  expect((await box(page.locator('.topbar'))).height).toBeLessThan(50); // one row
  await selectAlgorithm(page, 'threshold_segmentation');
  await expect(page.getByTestId('alg-card-tv_denoising').getByTestId('alg-desc')).toBeVisible();
  await expect(page.getByTestId('param-thresholding_algorithm').locator('select')).toBeInViewport({ ratio: 1 });
  // Collapsing one panel at this width leaves the other open.
  await page.getByTestId('collapse-algorithms').click();
  await expect(page.getByTestId('expand-algorithms')).toBeVisible();
  await expect(page.getByTestId('collapse-datasets')).toBeVisible();
  await page.getByTestId('expand-algorithms').click();
  await expect(page.getByTestId('algorithm-panel')).toBeVisible();
  await shot(page, 'docs/screenshots/layout-1280.png');
  expect(problems).toEqual([]);
});

test('"Download as a template" of a built-in installs back through the install button and gives the same mask', async ({ page }) => {
  const problems = await openApp(page);
  await selectAlgorithm(page, 'threshold_segmentation');
  const builtin = await runOn(page, 'cells');

  const [d] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('alg-details').getByRole('button', { name: 'Download as a template' }).click(),
  ]);
  expect(d.suggestedFilename()).toBe('my_threshold_segmentation-1.1.0-template.zip');
  const path = (await d.path())!;
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  // The Compox module format in one folder: the manifest renamed, the Runner and its modules as shipped.
  const shipped = 'public/bundles/threshold_segmentation';
  expect(Object.keys(files).sort()).toEqual(
    ['README.md', 'Runner.js', 'image_segmentation/out_of_core.js', 'image_segmentation/segmentation_utils.js', 'pyproject.toml'].map(
      (p) => `my_threshold_segmentation/${p}`,
    ),
  );
  for (const p of ['Runner.js', 'image_segmentation/segmentation_utils.js', 'README.md'])
    expect(strFromU8(files[`my_threshold_segmentation/${p}`]!)).toBe(readFileSync(`${shipped}/${p}`, 'utf8'));
  const manifest = strFromU8(files['my_threshold_segmentation/pyproject.toml']!);
  expect(manifest).toBe(readFileSync(`${shipped}/pyproject.toml`, 'utf8').replace('name = "threshold_segmentation"', 'name = "my_threshold_segmentation"'));
  expect(manifest).toContain('[tool.compox]');

  // Installed through the UI, it is a third-party bundle beside the built-in.
  await page.getByTestId('install-bundle').click();
  const dialog = page.getByTestId('install-dialog');
  await dialog.getByTestId('install-zip-input').setInputFiles(path);
  await expect(dialog.getByTestId('install-success')).toContainText('Installed my_threshold_segmentation 1.1.0');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const card = page.getByTestId('alg-card-my_threshold_segmentation');
  await expect(card.getByTestId('alg-origin')).toHaveText('local zip');
  await expect(page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-origin')).toHaveText('built-in');
  await expect(card.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');

  // Run it (asks for trust: third-party) on the same input: the same mask.
  const copy = await runOn(page, 'cells', true);
  expect(copy.algorithmName).toBe('my_threshold_segmentation');
  const masks = await page.evaluate(
    async (ids) =>
      Promise.all(
        ids.map(async (id) => {
          const m = (await window.algobox.datasets.get(id, ['mask'])).fields.mask as { shape: number[]; data: Uint8Array };
          return { shape: m.shape, data: Array.from(m.data) };
        }),
      ),
    [builtin.outputDatasetIds[0]!, copy.outputDatasetIds[0]!],
  );
  expect(masks[0]!.shape).toEqual([256, 256]);
  expect(masks[0]!.data.filter((v) => v === 1).length).toBeGreaterThan(1000);
  expect(masks[1]).toEqual(masks[0]);
  expect(problems).toEqual([]);
});
