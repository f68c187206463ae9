// Tables are datasets (issue 16) through the UI: a labels dataset (four rectangles over an image) and its
// measurement table are stored through window.algobox; the table opens from the Datasets list; sorting,
// the filter, row ↔ object selection, the histogram and scatter plots and both CSV exports are driven as
// a person would and checked by value.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { tableFromColumns, tableToItem } from '../../src/core/table';
import { openApp } from './util';
import { shot } from './shot';

const [H, W] = [40, 60];
/** label → [y0, x0, height, width]; the image holds 40·label inside each rectangle, 10 outside. */
const RECTS: Record<number, [number, number, number, number]> = { 1: [2, 2, 4, 5], 2: [10, 5, 8, 10], 3: [25, 30, 6, 6], 4: [5, 40, 10, 12] };

function scene() {
  const labels = new Int32Array(H * W);
  const image = new Uint8Array(H * W).fill(10);
  for (const [l, [y0, x0, h, w]] of Object.entries(RECTS)) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) [labels[y * W + x], image[y * W + x]] = [Number(l), 40 * Number(l)];
  }
  // What measure.regionpropsTable(labels, {intensity: image, properties: ['label', 'area', 'intensity_mean']}) returns.
  const table = tableFromColumns(
    {
      label: Int32Array.from([1, 2, 3, 4]),
      area: Float64Array.from([20, 80, 36, 120]),
      intensity_mean: Float64Array.from([40, 80, 120, 160]),
      image: ['cells.tif', 'cells.tif', 'cells.tif', 'cells.tif'],
    },
    { area: 'px' },
  );
  const item = tableToItem(table);
  return { labels: Array.from(labels), image: Array.from(image), columns: item.columns, values: Array.from(item.values.data) };
}

async function seed(page: Page): Promise<{ tableId: string }> {
  return page.evaluate(async (s) => {
    const a = window.algobox;
    const image = await a.datasets.put({ image: { dtype: 'uint8', shape: [40, 60], data: Uint8Array.from(s.image) } }, { schema: 'Image', name: 'cells.tif' });
    const labels = await a.datasets.put(
      { mask: { dtype: 'int32', shape: [40, 60], data: Int32Array.from(s.labels) } },
      { schema: 'Segmentation', name: 'cells labels' },
    );
    const tableId = await a.datasets.put(
      { columns: s.columns, values: { dtype: 'float64', shape: [4, 4], data: Float64Array.from(s.values) } },
      { schema: 'Table', name: 'cells measurements', extra: { labels, labelsKey: 'mask', image } },
    );
    return { tableId };
  }, scene());
}

const firstRowCells = (page: Page) => page.getByTestId('table-row').first().getByRole('gridcell').allTextContents();

/** RGBA of image pixel (x, y) on the objects canvas (native resolution). */
const pixel = (canvas: Locator, x: number, y: number) =>
  canvas.evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px!, py!, 1, 1).data), [x, y]);

async function download(page: Page, click: () => Promise<void>): Promise<{ file: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { file: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
}

test('a measurement table: sort, filter, rows ↔ objects, plots and CSV export', async ({ page }) => {
  const problems = await openApp(page);
  await seed(page);
  // The list shows what the page stored through the API after a reload (as after an import in another tab).
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  const listRow = page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: /^cells measurements$/ }) });
  await expect(listRow.getByTestId('ds-dims')).toHaveText('4 rows × 4 columns');
  await listRow.click();
  const viewer = page.getByTestId('table-viewer');
  await expect(viewer).toBeVisible();
  await expect(page.getByTestId('viewer-dims')).toHaveText('4 rows × 4 columns');
  await expect(page.getByTestId('table-count')).toHaveText('4 of 4 rows');
  expect(await firstRowCells(page)).toEqual(['1', '20', '40', 'cells.tif']);

  // Sort by area: ascending, then descending.
  await page.getByTestId('table-sort-area').click();
  await expect(page.getByTestId('table-sort-area')).toHaveAttribute('aria-sort', 'ascending');
  expect(await firstRowCells(page)).toEqual(['1', '20', '40', 'cells.tif']);
  await page.getByTestId('table-sort-area').click();
  await expect(page.getByTestId('table-sort-area')).toHaveAttribute('aria-sort', 'descending');
  expect(await firstRowCells(page)).toEqual(['4', '120', '160', 'cells.tif']);

  // Filter.
  await page.getByTestId('table-filter').fill('area > 30');
  await expect(page.getByTestId('table-count')).toHaveText('3 of 4 rows');
  await expect(viewer).toHaveAttribute('data-rows', '3');
  expect(await page.getByTestId('table-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row')))).toEqual(['3', '1', '2']);

  // A row selects its object: label 3's pixels turn yellow, the others dim.
  const canvas = page.getByTestId('table-objects-canvas');
  await expect(canvas).toHaveAttribute('data-width', '60');
  const [cx3, cy3] = [RECTS[3]![1] + 2, RECTS[3]![0] + 2];
  const before3 = await pixel(canvas, cx3, cy3);
  const sum = (p: number[]) => p[0]! + p[1]! + p[2]!;
  const before4 = await pixel(canvas, 45, 8);
  await page.locator('[data-testid="table-row"][data-row="2"]').click();
  await expect(viewer).toHaveAttribute('data-selected-label', '3');
  await expect(page.getByTestId('table-objects')).toHaveAttribute('data-selected-label', '3');
  const after3 = await pixel(canvas, cx3, cy3);
  expect(after3).not.toEqual(before3);
  expect(after3[0]).toBeGreaterThan(200); // yellow: red and green high, blue low
  expect(after3[2]).toBeLessThan(100);
  expect(sum(await pixel(canvas, 45, 8))).toBeLessThan(sum(before4) * 0.7); // label 4 dimmed

  // An object selects its row: click label 2's rectangle on the canvas.
  const vp = page.getByTestId('table-objects-canvas-viewport');
  const t = await vp.evaluate((el) => ({ zoom: Number(el.dataset.zoom), tx: Number(el.dataset.tx), ty: Number(el.dataset.ty), b: el.clientLeft }));
  const [y2, x2, h2, w2] = RECTS[2]!;
  await vp.click({ position: { x: t.b + t.tx + (x2 + w2 / 2) * t.zoom, y: t.b + t.ty + (y2 + h2 / 2) * t.zoom } });
  await expect(viewer).toHaveAttribute('data-selected-label', '2');
  await expect(page.locator('[data-testid="table-row"][data-row="1"]')).toHaveAttribute('aria-selected', 'true');

  // Plots follow the filter: a histogram of area, then intensity_mean against area.
  const plot = page.getByTestId('table-plot');
  await expect(plot).toHaveAttribute('data-kind', 'histogram');
  const bins = await plot.getAttribute('data-bins');
  expect(Number(bins)).toBeGreaterThan(0);
  await expect(plot).toHaveAttribute('data-drawn-points', bins!);
  await expect(plot.locator('canvas')).toHaveCount(1);
  await page.getByTestId('table-plot-kind').selectOption('scatter');
  await page.getByTestId('table-plot-y').selectOption({ label: 'intensity_mean' });
  await expect(plot).toHaveAttribute('data-kind', 'scatter');
  await expect(plot).toHaveAttribute('data-drawn-points', '3');
  await expect(plot).toHaveAttribute('aria-label', 'intensity_mean against area of 3 rows');
  // The per-image summary of area over the rows shown: 36, 80, 120.
  const summary = page.getByTestId('table-summary-row');
  await expect(summary).toHaveCount(2);
  await expect(summary.nth(1)).toHaveAttribute('data-group', 'cells.tif');
  expect(await summary.nth(1).locator('td').allTextContents()).toEqual(['3', '78.667', '80', '42.016']);

  await shot(page, 'docs/screenshots/table-viewer.png');

  // Export CSV from the viewer: the rows shown, in the order shown.
  const shown = await download(page, () => page.getByTestId('table-export-csv').click());
  expect(shown.file).toBe('cells measurements.csv');
  expect(shown.text).toBe('label,area,intensity_mean,image\r\n4,120,160,cells.tif\r\n2,80,80,cells.tif\r\n3,36,120,cells.tif\r\n');
  // From the dataset's menu: all rows in label order, and no image formats.
  await listRow.getByTestId('row-menu').click();
  await expect(page.getByTestId('export-png')).toHaveCount(0);
  const all = await download(page, () => page.getByTestId('export-csv').click());
  expect(all.file).toBe('cells measurements.csv');
  expect(all.text).toBe('label,area,intensity_mean,image\r\n1,20,40,cells.tif\r\n2,80,80,cells.tif\r\n3,36,120,cells.tif\r\n4,120,160,cells.tif\r\n');
  expect(problems).toEqual([]);
});

test('the table viewer fits a 1024×700 window', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openApp(page);
  const { tableId } = await seed(page);
  await page.goto(`/?view=dataset:${tableId}`);
  const viewer = page.getByTestId('table-viewer');
  await expect(page.getByTestId('table-count')).toHaveText('4 of 4 rows');
  for (const id of ['table-objects-canvas-viewport', 'table-plot', 'table-grid']) {
    const b = (await page.getByTestId(id).boundingBox())!;
    const v = (await viewer.boundingBox())!;
    expect(b.height, id).toBeGreaterThan(60);
    expect(b.x + b.width, id).toBeLessThanOrEqual(v.x + v.width + 1);
    expect(b.y + b.height, id).toBeLessThanOrEqual(v.y + v.height + 1);
  }
  await expect(page.getByTestId('table-row')).toHaveCount(4);
  await page.getByTestId('table-row').nth(3).click();
  await expect(viewer).toHaveAttribute('data-selected-label', '4');
  if (process.env.TABLES_SHOT_1024) await page.screenshot({ path: process.env.TABLES_SHOT_1024 });
});

test('a table of 100,000 rows renders only the rows in view, scrolls to its end and sorts', async ({ page }) => {
  await openApp(page);
  const id = await page.evaluate(async () => {
    const n = 100_000;
    const values = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) [values[i], values[n + i]] = [i + 1, (i * 7919) % n];
    const columns = JSON.stringify([
      { name: 'label', type: 'int' },
      { name: 'area', type: 'float', unit: 'px' },
    ]);
    return window.algobox.datasets.put({ columns, values: { dtype: 'float64', shape: [2, n], data: values } }, { schema: 'Table', name: 'many objects' });
  });
  await page.goto(`/?view=dataset:${id}`);
  await expect(page.getByTestId('table-count')).toHaveText('100,000 of 100,000 rows');
  const rendered = await page.getByTestId('table-row').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(80);
  await page.getByTestId('table-grid').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('[data-testid="table-row"][data-row="99999"]')).toBeVisible();
  expect(await page.getByTestId('table-row').count()).toBeLessThan(80);
  await page.getByTestId('table-sort-area').click();
  await page.getByTestId('table-sort-area').click();
  await page.getByTestId('table-grid').evaluate((el) => (el.scrollTop = 0));
  // area = (i · 7919) mod 100000 of label i + 1: the largest, 99999, is label 82322.
  await expect(page.getByTestId('table-row').first()).toHaveAttribute('data-row', '82321');
  expect(await page.getByTestId('table-row').first().getByRole('gridcell').allTextContents()).toEqual(['82322', '99999']);
});
