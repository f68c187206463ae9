// A table as an analyzer result (issue 16, system/table/1): the "Object counting" toolchain run from the
// toolchain page shows count_eval's per-image table in the table grid (cells equal the run record), sorts
// by a column, saves it as a Table dataset (listed, opens in the table viewer) and exports CSV.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';
import { runFromPage } from './toolchainRun';

type TableResult = { columns: { name: string }[]; values: number[][] };

async function download(page: Page, click: () => Promise<void>): Promise<{ file: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { file: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
}

/** The grid's cells, row by row, as shown. */
const gridCells = (grid: ReturnType<Page['getByTestId']>) =>
  grid.getByTestId('table-row').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('[role=gridcell]'), (c) => c.textContent ?? '')));

/** A number as the grid shows it (integers in full, others to 5 significant digits, NaN as NaN). */
const shown = (v: number): string => (Number.isNaN(v) ? 'NaN' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5))));

test('Object counting: the per-image table result in the grid, sorted, saved as a dataset and exported as CSV', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openApp(page);
  await page.getByTestId('nav-toolchains').click();
  await page.getByTestId('tc-choose-count-eval').click();
  await expect(page.getByTestId('tc-name')).toHaveText('Object counting');
  const runId = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');

  const rec = await page.evaluate((id) => window.algobox.toolchains.get(id), runId);
  const t = rec.blocks['counting']!.results!.data['per_image_table'] as TableResult;
  // Named after the toolchain's own name (its JSON: 'object counting'), the block and the result.
  const name = `${rec.toolchain.name} · counting.per_image_table`;
  expect(name).toBe('object counting · counting.per_image_table');
  expect(t.columns.map((c) => c.name)).toEqual(['image_index', 'found', 'ground_truth', 'error', 'relative_error']);
  expect(t.values[0]).toEqual([0, 1, 2, 3, 4]);
  const rowsOf = (order: number[]) => order.map((r) => t.values.map((col) => shown(col[r]!)));

  const box = page.getByTestId('tc-table-counting-per_image_table');
  await box.scrollIntoViewIfNeeded();
  await expect(box).toHaveAttribute('data-rows', '5');
  await expect(page.getByTestId('tc-result-counting-per_image_table').locator('td').first()).toHaveText('5 rows × 5 columns: see the table');
  expect(await gridCells(box)).toEqual(rowsOf([0, 1, 2, 3, 4]));

  // Sort by error, descending (click twice): the rows in the order of the record's error column.
  await box.getByTestId('table-sort-error').click();
  await box.getByTestId('table-sort-error').click();
  await expect(box.getByTestId('table-sort-error')).toHaveAttribute('aria-sort', 'descending');
  const errors = t.values[3]!;
  const byError = [0, 1, 2, 3, 4].sort((a, b) => errors[b]! - errors[a]! || a - b);
  expect(await gridCells(box)).toEqual(rowsOf(byError));
  await shot(page, `${SHOTS_DIR}/toolchain-table.png`);

  // Export CSV: the rows shown, in this order; exact text.
  const csv = await download(page, () => box.getByTestId('table-export-csv').click());
  const line = (r: number) => t.values.map((col) => (Number.isNaN(col[r]!) ? '' : String(col[r]))).join(',');
  expect(csv.file).toBe(`${name}.csv`);
  expect(csv.text).toBe(['image_index,found,ground_truth,error,relative_error', ...byError.map(line)].join('\r\n') + '\r\n');

  // Save as dataset: a Table dataset named after the toolchain, block and result, sourced from the run.
  await box.getByTestId('tc-table-save').click();
  await expect(box.getByTestId('tc-table-saved')).toHaveText(`Saved as “${name}” (Datasets).`);
  const meta = await page.evaluate(async (n) => (await window.algobox.datasets.list()).find((d) => d.name === n)!, name);
  expect([meta.schema, meta.source]).toEqual(['Table', `toolchain:${runId}`]);
  await page.getByRole('button', { name: 'Workbench' }).click();
  const listRow = page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: name }) });
  await expect(listRow.getByTestId('ds-dims')).toHaveText('5 rows × 5 columns');
  await listRow.click();
  const viewer = page.getByTestId('table-viewer');
  await expect(viewer).toHaveAttribute('data-total', '5');
  expect(await gridCells(viewer)).toEqual(rowsOf([0, 1, 2, 3, 4]));
  expect(problems).toEqual([]);
});
