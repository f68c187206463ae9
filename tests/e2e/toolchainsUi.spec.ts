// The toolchain page (issue 7): both built-in toolchains run FROM THE UI — the segmentation
// evaluation (diagram with inferred connections, the threshold parameter edited and checked, live
// progress, the analyzer's table with the display results first and its bar plot, Dice/IoU equal to
// an independent computation, an output opened in the viewer) and the seed's Fig. 3 (A's process()
// runs 6 times, B's twice, B's outputs span [0–2] and [3–5]); a custom JSON toolchain with its
// problems named, and a run cancelled from the page.
import { expect, test, type Page } from '@playwright/test';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';
import { runFromPage } from './toolchainRun';

/** Mean Dice and IoU of (image > threshold) against the ground truths of the five sample cells images, computed here, not by the blocks. */
async function expectedDiceIou(page: Page, threshold: number): Promise<{ dice: number[]; iou: number[] }> {
  return page.evaluate(async (t) => {
    const api = window.algobox;
    const datasets = await api.datasets.list();
    const stacks = await api.stacks.list();
    const id = (name: string) => datasets.find((d) => d.name === name && d.source === 'sample')!.id;
    const stack = (name: string) => stacks.find((s) => s.name === name)!.datasetIds;
    const images = [id('cells'), id('cells 2'), ...stack('cells (3 images)')];
    const truths = [id('cells (ground truth)'), id('cells 2 (ground truth)'), ...stack('cells ground truth (3 masks)')];
    const dice: number[] = [];
    const iou: number[] = [];
    for (let k = 0; k < images.length; k++) {
      const img = (await api.datasets.get(images[k]!, ['image'])).fields.image as { data: ArrayLike<number> };
      const gt = (await api.datasets.get(truths[k]!, ['mask'])).fields.mask as { data: ArrayLike<number> };
      let inter = 0;
      let p = 0;
      let g = 0;
      for (let i = 0; i < img.data.length; i++) {
        const a = img.data[i]! > t;
        const b = gt.data[i]! !== 0;
        if (a) p++;
        if (b) g++;
        if (a && b) inter++;
      }
      dice.push(p + g === 0 ? 1 : (2 * inter) / (p + g));
      iou.push(p + g - inter === 0 ? 1 : inter / (p + g - inter));
    }
    return { dice, iou };
  }, threshold);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('segmentation evaluation from the toolchain page: diagram, parameters, progress, Dice/IoU table and bar plot, outputs open in the viewer', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page);
  await page.getByTestId('nav-toolchains').click();
  await expect(page).toHaveURL(/page=toolchains/);
  await expect(page.getByTestId('tc-name')).toHaveText('Segmentation evaluation');

  // The diagram: two sources, two blocks, three connections — two inferred (dashed), one given.
  const diagram = page.getByTestId('tc-diagram');
  await expect(diagram).toHaveAttribute('aria-label', '2 sources, 2 blocks, 3 connections');
  for (const n of ['images', 'ground_truth', 'threshold', 'evaluation']) await expect(page.getByTestId(`tc-node-${n}`)).toBeVisible();
  await expect(diagram.locator('path.tc-edge')).toHaveCount(3);
  await expect(diagram.locator('path.tc-edge.inferred')).toHaveCount(2);
  await shot(page, `${SHOTS_DIR}/toolchain-page.png`);

  // The threshold parameter: the toolchain's 700; an empty value is named and blocks the run.
  const threshold = page.getByTestId('tc-params-threshold').getByLabel(/threshold/);
  await expect(threshold).toHaveValue('700');
  await threshold.fill('');
  await expect(page.getByTestId('tc-params-threshold').getByRole('alert')).toHaveText("block 'threshold', parameter 'threshold': a float64 value is required");
  await expect(page.getByTestId('tc-run-button')).toBeDisabled();
  await threshold.fill('700');
  await expect(page.getByTestId('tc-run-button')).toBeEnabled();

  const runId = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page).toHaveURL(new RegExp(`run=${runId}`));
  await expect(page.getByTestId('tc-block-threshold')).toHaveAttribute('data-calls', '5');
  await expect(page.getByTestId('tc-block-evaluation')).toHaveAttribute('data-calls', '5');
  for (const n of ['threshold', 'evaluation']) await expect(page.getByTestId(`tc-node-${n}`)).toHaveAttribute('data-status', 'DONE');

  // Results: the display results (mean_dice, mean_iou) come first; values equal an independent computation.
  const expected = await expectedDiceIou(page, 700);
  const rows = page.getByTestId('tc-results-evaluation').locator('table.tc-table > tbody > tr');
  await expect(rows).toHaveCount(4);
  const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')!.replace('tc-result-evaluation-', '')));
  expect(order.slice(0, 2).sort()).toEqual(['mean_dice', 'mean_iou']);
  const value = async (n: string) => Number(await page.getByTestId(`tc-result-evaluation-${n}`).getAttribute('data-value'));
  expect(await value('mean_dice')).toBeCloseTo(mean(expected.dice), 6);
  expect(await value('mean_iou')).toBeCloseTo(mean(expected.iou), 6);
  expect(await value('nb_images')).toBe(5);
  expect(mean(expected.dice)).toBeGreaterThan(0.5);

  // The per-image bar plot: a uPlot canvas with the two series in its legend.
  const plot = page.getByTestId('tc-plot-per_image');
  await expect(plot).toHaveAttribute('data-kind', 'bar');
  await expect(plot.locator('canvas')).toHaveCount(1);
  await expect(plot.locator('.u-legend')).toContainText('dice');
  await expect(plot.locator('.u-legend')).toContainText('iou');
  await expect(plot.locator('table.sr-only')).toContainText(`0: ${expected.dice[0]}`.slice(0, 12));
  await page.getByTestId('tc-results-evaluation').scrollIntoViewIfNeeded();
  await shot(page, `${SHOTS_DIR}/toolchain-segmentation-eval.png`);

  // Another threshold: the page runs with the edited value and the results follow it.
  await threshold.fill('400');
  const second = await runFromPage(page);
  expect(second).not.toBe(runId);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  const at400 = await expectedDiceIou(page, 400);
  expect(await value('mean_dice')).toBeCloseTo(mean(at400.dice), 6);
  expect(Math.abs(mean(at400.dice) - mean(expected.dice))).toBeGreaterThan(1e-3);
  const stored = await page.evaluate((id) => window.algobox.toolchains.get(id), second);
  expect(stored.toolchain.blocks.find((b) => b.name === 'threshold')!.parameters).toEqual({ threshold: 400 });

  // Both runs are listed; a block output opens in the workbench viewer.
  await expect(page.getByRole('list', { name: 'Toolchain runs' }).getByRole('button')).toHaveCount(2);
  const units = page.getByTestId('tc-output-threshold.mask').getByRole('button');
  await expect(units).toHaveCount(5);
  await units.first().click();
  await expect(page).not.toHaveURL(/page=toolchains/);
  await expect(page.getByTestId('viewer-title')).toHaveText(/threshold\.mask \[0–0\]/);
  expect(problems).toEqual([]);
});

test("Fig. 3 from the toolchain page: A's process() runs 6 times, B's twice; B's units span three images each", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page, '/?page=toolchains&toolchain=fig3');
  await expect(page.getByTestId('tc-name')).toHaveText(/Fig\. 3/);
  await expect(page.getByTestId('tc-diagram')).toHaveAttribute('aria-label', '2 sources, 2 blocks, 3 connections');
  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-A')).toHaveAttribute('data-calls', '6');
  await expect(page.getByTestId('tc-block-B')).toHaveAttribute('data-calls', '2');
  await expect(page.getByTestId('tc-node-A')).toContainText('done · 6×');
  await expect(page.getByTestId('tc-node-B')).toContainText('done · 2×');
  const outputs = page.locator('[data-testid^="tc-output-B."]');
  await expect(outputs).toHaveCount(1);
  await expect(outputs.getByRole('button')).toHaveText(['0–2', '3–5']);
  await expect(page.locator('[data-testid^="tc-output-A."]').first().getByRole('button')).toHaveCount(6);
  await shot(page, `${SHOTS_DIR}/toolchain-fig3.png`);
  expect(problems).toEqual([]);
});

test('a custom JSON toolchain: problems are named, a slow run is followed live and cancelled from the page', async ({ page }) => {
  const problems = await openApp(page, '/?page=toolchains');
  await page.evaluate(async () => {
    const decl = {
      language: 'javascript',
      groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { y: { type: 'system/int32/1' } } }],
    };
    const slow =
      "export class Algorithm { async process(i, o) { await new Promise((r) => setTimeout(r, 60)); o.get('y').write({ value: i.get('x').data.value }); return true; } }";
    await window.algobox.blocks.install(decl, slow, { name: 'user/slow/1' });
  });
  await page.getByTestId('tc-choose-custom').click();
  const json = page.getByTestId('tc-json');
  await json.fill(
    JSON.stringify({
      sources: [{ name: 'x', values: [{ value: 1 }], format: 'system/int32/1' }],
      blocks: [
        { name: 'S', algorithm: 'user/nope/1' },
        { name: 'S', algorithm: 'user/slow/1' },
      ],
    }),
  );
  await expect(page.getByTestId('tc-problems')).toContainText("blocks[1].name: 'S' is already used by blocks[0]");
  await expect(page.getByTestId('tc-run-button')).toBeDisabled();
  await json.fill(
    JSON.stringify({
      name: 'slow',
      sources: [{ name: 'x', values: Array.from({ length: 200 }, (_, k) => ({ value: k })), format: 'system/int32/1' }],
      blocks: [{ name: 'S', algorithm: 'user/slow/1' }],
    }),
  );
  await expect(page.getByTestId('tc-node-S')).toBeVisible();
  await page.getByTestId('tc-run-button').click();
  await expect(page.getByTestId('tc-run-status')).toHaveText('running');
  // Live progress: the process() count grows while the block runs.
  await expect.poll(async () => Number(await page.getByTestId('tc-block-S').getAttribute('data-calls')), { timeout: 30_000 }).toBeGreaterThan(2);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('tc-run-status')).toHaveText('cancelled');
  await expect(page.getByTestId('tc-block-S')).toHaveAttribute('data-status', 'CANCELLED');
  const calls = Number(await page.getByTestId('tc-block-S').getAttribute('data-calls'));
  expect(calls).toBeGreaterThan(2);
  expect(calls).toBeLessThan(200);
  // The app still runs toolchains afterwards.
  await json.fill(
    JSON.stringify({
      name: 'quick',
      sources: [{ name: 'x', values: [{ value: 1 }, { value: 2 }], format: 'system/int32/1' }],
      blocks: [{ name: 'S', algorithm: 'user/slow/1' }],
    }),
  );
  await expect(page.getByTestId('tc-diagram')).toHaveAttribute('aria-label', '1 sources, 1 blocks, 1 connections');
  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-S')).toHaveAttribute('data-calls', '2');

  // An analyzer with a scatter plot result: drawn as points, its display result listed first.
  await page.evaluate(async () => {
    const decl = {
      language: 'javascript',
      api_version: 2,
      groups: [{ inputs: { x: { type: 'system/int32/1' } } }],
      results: { points: { type: 'plot/scatter/1', display: false }, count: { type: 'int32', display: true } },
    };
    const src = `export class Algorithm {
      constructor() { this.x = []; this.y = []; }
      process(inputs, loaders, output) {
        const v = inputs.get('x').data.value;
        this.x.push(v); this.y.push(v * v);
        if (!inputs.hasMoreData()) output.write({ points: { data: [{ label: 'square', x: this.x, y: this.y }] }, count: this.x.length });
        return true;
      }
    }`;
    await window.algobox.blocks.install(decl, src, { name: 'user/squares/1' });
  });
  await json.fill(
    JSON.stringify({
      name: 'squares',
      sources: [{ name: 'x', values: [1, 2, 3, 4].map((value) => ({ value })), format: 'system/int32/1' }],
      blocks: [{ name: 'Q', algorithm: 'user/squares/1' }],
    }),
  );
  await expect(page.getByTestId('tc-node-Q')).toBeVisible();
  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  const rows = page.getByTestId('tc-results-Q').locator('table.tc-table > tbody > tr');
  await expect(rows.first()).toHaveAttribute('data-testid', 'tc-result-Q-count');
  await expect(rows.first()).toHaveAttribute('data-value', '4');
  const scatter = page.getByTestId('tc-plot-points');
  await expect(scatter).toHaveAttribute('data-kind', 'scatter');
  await expect(scatter.locator('canvas')).toHaveCount(1);
  await expect(scatter.locator('table.sr-only')).toContainText('1: 1; 2: 4; 3: 9; 4: 16');
  expect(problems).toEqual([]);
});

test('the Compox-runner evaluation and the PCA from the toolchain page', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page, '/?page=toolchains&toolchain=runner-eval');
  await expect(page.getByTestId('tc-name')).toHaveText('Segmentation evaluation (Compox runner)');
  await expect(page.getByTestId('tc-node-threshold')).toContainText('threshold_segmentation');
  await expect(page.getByTestId('tc-params-threshold')).toContainText('Compox runner');
  const runId = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-threshold')).toHaveAttribute('data-calls', '1');
  await expect(page.getByTestId('tc-block-evaluation')).toHaveAttribute('data-calls', '5');
  const rec = await page.evaluate((id) => window.algobox.toolchains.get(id), runId);
  const meanDice = rec.blocks['evaluation']!.results!.data['mean_dice'] as number;
  expect(Number(await page.getByTestId('tc-result-evaluation-mean_dice').getAttribute('data-value'))).toBe(meanDice);
  expect(meanDice).toBeGreaterThan(0.5);
  await shot(page, `${SHOTS_DIR}/toolchain-runner-eval.png`);

  await page.getByTestId('tc-choose-pca').click();
  await expect(page.getByTestId('tc-params-pca').getByLabel(/number-of-components/)).toHaveValue('5');
  await page
    .getByTestId('tc-params-pca')
    .getByLabel(/number-of-components/)
    .fill('3');
  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-pca')).toHaveAttribute('data-calls', '16');
  await expect(page.getByTestId('tc-output-pca.subspace').getByRole('button')).toHaveText(['0–15']);
  const subspace = await page.evaluate(async () => {
    const runs = await window.algobox.toolchains.list();
    const id = runs[0]!.blocks['pca']!.outputs['subspace']!.datasetIds[0]!;
    return ((await window.algobox.datasets.get(id)).fields['weights'] as { shape: number[] }).shape;
  });
  expect(subspace).toEqual([16384, 3]);
  expect(problems).toEqual([]);
});

test('the Volume threshold toolchain runs block by block on the sample spheres volume from the toolchain page', async ({ page }) => {
  const problems = await openApp(page, '/?page=toolchains&toolchain=volume-threshold');
  await expect(page.getByTestId('tc-name')).toHaveText('Volume threshold (block by block)');
  const runId = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  const got = await page.evaluate(async (id) => {
    const api = window.algobox;
    const rec = await api.toolchains.get(id);
    const maskId = rec.blocks['threshold']!.outputs['mask']!.datasetIds[0]!;
    const vol = (await api.datasets.list()).find((d) => d.name === 'spheres volume' && d.source === 'sample')!;
    const v = (await api.datasets.get(vol.id, ['volume'])).fields.volume as { data: Uint16Array; shape: number[] };
    const m = Object.values((await api.datasets.get(maskId)).fields)[0] as { data: Uint8Array; shape: number[] };
    let expected = 0;
    let same = true;
    for (let i = 0; i < v.data.length; i++) {
      const fg = v.data[i]! > 700 ? 1 : 0;
      expected += fg;
      if (m.data[i] !== fg) same = false;
    }
    return { shape: m.shape, expected, same };
  }, runId);
  expect(got.shape).toEqual([16, 128, 128]);
  expect(got.same).toBe(true);
  // The spheres (radii 3–9) and nothing of the background: thousands of voxels, far from all 262 144.
  expect(got.expected).toBeGreaterThan(2000);
  expect(got.expected).toBeLessThan(20000);
  expect(problems).toEqual([]);
});

test('a third-party runner block asks for trust first and takes its arguments from the bundle form; a run is deleted with its outputs', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page, '/?page=toolchains&toolchain=runner-eval');
  // A third-party copy of threshold_segmentation (another name: the same name and version would replace the built-in).
  const third = await page.evaluate(async () => {
    const base = 'bundles/threshold_segmentation/';
    const files: Record<string, Uint8Array> = {};
    for (const p of ['pyproject.toml', 'Runner.js', 'image_segmentation/segmentation_utils.js', 'image_segmentation/out_of_core.js', 'README.md'])
      files[p] = new Uint8Array(await (await fetch(base + p)).arrayBuffer());
    files['pyproject.toml'] = new TextEncoder().encode(
      new TextDecoder().decode(files['pyproject.toml']).replace('name = "threshold_segmentation"', 'name = "threshold_third_party"'),
    );
    return (await window.algobox.algorithms.install(files)).id;
  });
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  const json = page.getByTestId('tc-json');
  const t = JSON.parse(await json.inputValue()) as { blocks: { name: string; runner?: string; parameters?: Record<string, unknown> }[] };
  t.blocks.find((b) => b.name === 'threshold')!.runner = third;
  await json.fill(JSON.stringify(t));

  // The bundle's own parameter form: the toolchain's "otsu", changed to "li".
  const form = page.getByTestId('tc-params-threshold');
  const method = form.getByLabel('thresholding_algorithm', { exact: true });
  await expect(method).toBeVisible();
  await expect(method.locator('option:checked')).toHaveText('otsu');
  await method.selectOption({ label: 'li' });

  // Run: the trust dialog first; Cancel runs nothing.
  const runsBefore = (await page.evaluate(() => window.algobox.toolchains.list())).length;
  await page.getByTestId('tc-run-button').click();
  const dialog = page.getByTestId('trust-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('trust-name')).toHaveText('threshold_third_party');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await page.evaluate(() => window.algobox.toolchains.list())).length).toBe(runsBefore);
  await expect(page.getByTestId('tc-run-button')).toBeEnabled();

  await page.getByTestId('tc-run-button').click();
  await dialog.getByRole('button', { name: 'Trust and run the toolchain' }).click();
  await expect(page.getByTestId('tc-run-status')).toHaveText('done', { timeout: 120_000 });
  const runId = (await page.getByTestId('tc-run').getAttribute('data-run-id'))!;
  const rec = await page.evaluate((id) => window.algobox.toolchains.get(id), runId);
  expect(rec.toolchain.blocks.find((b) => b.name === 'threshold')!.parameters).toEqual({ thresholding_algorithm: 'li', channel: 0 });
  const execution = await page.evaluate((id) => window.algobox.executions.get(id), rec.blocks['threshold']!.executionId!);
  expect(execution.args).toEqual({ thresholding_algorithm: 'li', channel: 0 });
  // Trusted now: the next run does not ask.
  await runFromPage(page);
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');

  // Delete the shown run with its output datasets.
  const shown = (await page.getByTestId('tc-run').getAttribute('data-run-id'))!;
  const stored = await page.evaluate(async (id) => (await window.algobox.datasets.list()).filter((d) => d.source === `toolchain:${id}`).length, shown);
  expect(stored).toBe(6); // the 5 masks of threshold.mask and the analyzer's result (the runner read the stored images themselves)
  await page.getByRole('button', { name: 'Delete run…' }).click();
  await page.getByRole('button', { name: 'Delete with its 6 output datasets' }).click();
  await expect(page.getByTestId('tc-run')).toBeHidden();
  await expect(page).not.toHaveURL(new RegExp(`run=${shown}`));
  expect(await page.evaluate(async (id) => (await window.algobox.datasets.list()).filter((d) => d.source === `toolchain:${id}`).length, shown)).toBe(0);
  await expect(page.evaluate((id) => window.algobox.toolchains.get(id), shown)).rejects.toThrow(/not found/);
  await expect(page.getByRole('list', { name: 'Toolchain runs' }).getByRole('button')).toHaveCount(1);
  expect(problems).toEqual([]);
});
