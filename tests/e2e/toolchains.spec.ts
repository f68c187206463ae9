// BEAT toolchains in the browser (issue 7, API level; the page is tested in toolchainsUi.spec.ts): the built-in
// blocks are installed at start, and both built-in toolchains run in real block workers — the seed's
// Fig. 3 (A runs 6 times, B twice) and the segmentation evaluation on the sample data (per-image Dice
// and IoU and their means, the threshold block split across the worker pool).
import { expect, test } from '@playwright/test';
import { fig3Toolchain, pcaToolchain, runnerEvalToolchain, segmentationEvalToolchain } from '../../src/blocks/toolchains';
import { openApp } from './util';

test('the built-in toolchains run in block workers: Fig. 3 counts, and Dice/IoU on the sample data', async ({ page }) => {
  const problems = await openApp(page);
  await page.evaluate(() => window.algobox.samples.ensure());
  const blocks = await page.evaluate(async () => (await window.algobox.blocks.list()).map((b) => b.name).sort());
  expect(blocks).toEqual(expect.arrayContaining(['builtin/fig3_features/1', 'builtin/fig3_labels/1']));
  const stacks = await page.evaluate(() => window.algobox.stacks.list());
  const datasets = await page.evaluate(() => window.algobox.datasets.list());

  const fig3 = await page.evaluate(async (t) => window.algobox.toolchains.wait(await window.algobox.toolchains.run(t)), fig3Toolchain(stacks) as never);
  expect(fig3.status).toBe('DONE');
  expect(fig3.blocks['A']!.processCalls).toBe(6);
  expect(fig3.blocks['B']!.processCalls).toBe(2);
  expect(fig3.blocks['B']!.outputs[Object.keys(fig3.blocks['B']!.outputs)[0]!]!.indices).toEqual([
    [0, 2],
    [3, 5],
  ]);

  const evaluation = await page.evaluate(
    async (t) => window.algobox.toolchains.wait(await window.algobox.toolchains.run(t)),
    segmentationEvalToolchain(datasets, stacks) as never,
  );
  expect(evaluation.status).toBe('DONE');
  expect(evaluation.blocks['threshold']!.processCalls).toBe(5);
  const result = evaluation.blocks['evaluation']!.results!;
  const series = (result.data['per_image'] as { data: { label: string; y: { data: ArrayLike<number> } }[] }).data;
  expect(series.map((s) => s.label)).toEqual(['dice', 'iou']);
  const dice = Array.from(series[0]!.y.data);
  expect(dice).toHaveLength(5);
  expect(dice.every((d) => d > 0.3 && d <= 1)).toBe(true);
  expect(result.data['mean_dice']).toBeCloseTo(dice.reduce((a, b) => a + b, 0) / 5, 6);
  expect(problems).toEqual([]);
});

test('a Compox runner as a block (threshold_segmentation → Dice/IoU), and the PCA of the spheres stack', async ({ page }) => {
  const problems = await openApp(page);
  const stacks = await page.evaluate(() => window.algobox.stacks.list());
  const datasets = await page.evaluate(() => window.algobox.datasets.list());
  const t = runnerEvalToolchain(datasets, stacks);
  const rec = await page.evaluate(async (tc) => window.algobox.toolchains.wait(await window.algobox.toolchains.run(tc)), t as never);
  expect(rec.error).toBeNull();
  expect(rec.status).toBe('DONE');
  const threshold = rec.blocks['threshold']!;
  expect(threshold).toMatchObject({ status: 'DONE', processCalls: 1, executionStatus: 'COMPLETED', runner: { name: 'threshold_segmentation' } });
  // One execution on the stored images themselves; one mask per image.
  const execution = await page.evaluate((id) => window.algobox.executions.get(id), threshold.executionId!);
  expect(execution.status).toBe('COMPLETED');
  expect(execution.inputDatasetIds).toEqual(t.sources[0]!.datasetIds);
  expect(threshold.outputs['mask']!.indices).toEqual([0, 1, 2, 3, 4].map((k) => [k, k]));
  const result = rec.blocks['evaluation']!.results!;
  const dice = Array.from((result.data['per_image'] as { data: { y: { data: ArrayLike<number> } }[] }).data[0]!.y.data);
  expect(dice).toHaveLength(5);
  expect(dice.every((d) => d > 0.5 && d <= 1)).toBe(true);
  expect(result.data['mean_dice']).toBeCloseTo(dice.reduce((a, b) => a + b, 0) / 5, 6);

  const pca = await page.evaluate(async (tc) => window.algobox.toolchains.wait(await window.algobox.toolchains.run(tc)), pcaToolchain(stacks) as never);
  expect(pca.status).toBe('DONE');
  expect(pca.blocks['pca']!.processCalls).toBe(16);
  const weights = await page.evaluate(async (id) => {
    const w = (await window.algobox.datasets.get(id)).fields['weights'] as { shape: number[]; data: Float64Array };
    const k = w.shape[1]!;
    let norm0 = 0;
    let dot01 = 0;
    for (let r = 0; r < w.shape[0]!; r++) {
      norm0 += w.data[r * k]! ** 2;
      dot01 += w.data[r * k]! * w.data[r * k + 1]!;
    }
    return { shape: w.shape, norm0, dot01 };
  }, pca.blocks['pca']!.outputs['subspace']!.datasetIds[0]!);
  expect(weights.shape).toEqual([16384, 5]);
  expect(weights.norm0).toBeCloseTo(1, 9);
  expect(weights.dot01).toBeCloseTo(0, 9);
  expect(problems).toEqual([]);
});
