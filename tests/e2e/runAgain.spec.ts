// Issue 15 item 9: "Run again" puts a finished run's algorithm, inputs and arguments back in the run
// form (editable, nothing runs by itself), and a failed run's bar shows where it stopped (its
// recorded progress), not a full bar at 100 %.
import { expect, test, type Page } from '@playwright/test';
import { shot } from './shot';
import { openApp } from './util';

const stackRow = (page: Page, name: string) => page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: name }) });

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

const executions = (page: Page) => page.evaluate(() => window.algobox.executions.list());

/** Click Run and wait for the new run to finish with `status`; returns its execution record. */
async function runAndWait(page: Page, status: 'completed' | 'failed') {
  const before = (await executions(page)).length;
  await page.getByTestId('run-button').click();
  await expect.poll(async () => (await executions(page)).length).toBe(before + 1);
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText(status, { timeout: 60_000 });
  return (await executions(page))[0]!;
}

const method = (page: Page) => page.getByTestId('param-thresholding_algorithm').locator('select');

test('Run again fills the form with the same algorithm, inputs and arguments; a failed run shows where it stopped', async ({ page }) => {
  const problems = await openApp(page);
  await page.evaluate(async () => {
    await window.algobox.samples.ensure();
    // Sets progress 0.4, then fails. Trusted up front (the trust dialog is tested in trust.spec.ts).
    const alg = await window.algobox.algorithms.install({
      'pyproject.toml': `[project]\nname = "halfway_fail"\nversion = "1.0.0"\n[tool.compox]\nalgorithm_type = "Image2Image"\ntags = ["test"]\ndescription = "Fails at 40 %."\nsupported_devices = ["cpu"]\ndefault_device = "cpu"\nadditional_parameters = [{name = "factor", description = "unused", config = {type = "float", default = 1.0, adjustable = true}}]\n`,
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner {
          async inference(data) { await this.setProgress(0.4); throw new Error("stopped at 40 %"); }
        }`,
    });
    await window.algobox.algorithms.trust(alg.id);
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);

  // 1. threshold_segmentation, method "li", on a sample stack.
  await selectAlgorithm(page, 'threshold_segmentation');
  await stackRow(page, 'cells (3 images)').getByRole('button', { name: 'Use as input' }).click();
  await method(page).selectOption('li');
  const first = await runAndWait(page, 'completed');
  expect(first.args).toEqual({ thresholding_algorithm: 'li', channel: 0 });
  expect(first.inputDatasetIds).toHaveLength(3);

  // Move away: another method in the form, no inputs, another algorithm.
  await method(page).selectOption('yen');
  await page.getByTestId('run-inputs').getByRole('button', { name: 'Clear' }).click();
  await selectAlgorithm(page, 'halfway_fail');

  // 2. Run again: the same algorithm, the same stack and the same method; nothing has run.
  const details = page.getByTestId('run-details');
  await expect(details).toHaveAttribute('data-id', first.id);
  await details.getByTestId('run-again').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText('threshold_segmentation');
  await expect(method(page).locator('option:checked')).toHaveText('li');
  await expect(page.getByTestId('run-input-stack')).toContainText('cells (3 images)');
  expect(await executions(page)).toHaveLength(1);

  // Change one argument and run: a second run with it and the same inputs.
  await method(page).selectOption('mean');
  const second = await runAndWait(page, 'completed');
  expect(second.id).not.toBe(first.id);
  expect(second.algorithmId).toBe(first.algorithmId);
  expect(second.args).toEqual({ thresholding_algorithm: 'mean', channel: 0 });
  expect(second.inputDatasetIds).toEqual(first.inputDatasetIds);

  // 3. A run that fails at 40 %: its bar (row and details) stops at 40 %, coloured as failed.
  await selectAlgorithm(page, 'halfway_fail');
  await page.getByTestId('run-inputs').getByRole('button', { name: 'Clear' }).click();
  for (const name of ['shifted pair (moved)', 'shifted pair (reference)']) await page.getByTestId('run-add-input').selectOption({ label: name });
  await page.getByTestId('param-factor').locator('input').fill('2.5');
  const failed = await runAndWait(page, 'failed');
  expect(failed.status).toBe('FAILED');
  expect(failed.progress).toBeCloseTo(0.4);
  await expect(details.getByTestId('run-error-message')).toContainText('stopped at 40 %');
  await expect(details.getByTestId('run-pct')).toHaveText('40%');
  const bar = details.getByTestId('run-progress');
  await expect(bar).toHaveAttribute('aria-valuenow', '40');
  await expect(bar).toHaveClass(/status-failed/);
  expect(await bar.locator('div').evaluate((d) => (d as HTMLElement).style.width)).toBe('40%');
  const row = page.locator(`[data-testid="run-row"][data-id="${failed.id}"]`);
  await expect(row.getByTestId('run-row-pct')).toHaveText('40%');
  await expect(row.getByTestId('run-progress')).toHaveAttribute('aria-valuenow', '40');
  // A completed run's row has no bar.
  await expect(page.locator(`[data-testid="run-row"][data-id="${second.id}"]`).getByTestId('run-progress')).toHaveCount(0);

  // Run again on the failed run: the datasets in their order and its argument.
  await selectAlgorithm(page, 'threshold_segmentation');
  await page.getByTestId('run-inputs').getByRole('button', { name: 'Clear' }).click();
  await details.getByTestId('run-again').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText('halfway_fail');
  await expect(page.getByTestId('param-factor').locator('input')).toHaveValue('2.5');
  await expect(page.getByTestId('run-input')).toHaveText([/shifted pair \(moved\)/, /shifted pair \(reference\)/]);
  expect(await executions(page)).toHaveLength(3);
  await shot(page, 'docs/screenshots/run-again.png');

  // Once its algorithm is removed, the run says so and cannot be run again.
  await page.evaluate((id) => window.algobox.algorithms.remove(id), failed.algorithmId);
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await page.locator(`[data-testid="run-row"][data-id="${failed.id}"] button`).first().click();
  await expect(details.getByTestId('run-again')).toBeDisabled();
  await expect(details.getByTestId('run-again-removed')).toContainText('halfway_fail 1.0.0 is no longer installed');
  expect(problems).toEqual([]);
});
