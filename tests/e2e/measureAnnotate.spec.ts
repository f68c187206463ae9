// Issue 16's "done when", driven from the UI as a user would: scikit-image's coins → Otsu
// (threshold_segmentation) → mask_cleanup → measure_objects: 24 objects with their areas in the table
// viewer (equal to skimage's regionprops_table). Object 1 is a coin merged with the bright border above
// it; in Annotate, a new label (M) and one brush click give the coin its own id; undo and redo move
// through it; Save stores the edit; measure_objects on it finds 25 objects, the new one with exactly the
// painted pixels. The table is exported as CSV (exact text against the stored table) and the labels as a
// TIFF for napari (read back by tifffile) and as OME-Zarr labels of coins (read back by zarr).
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeImportReports, openApp } from './util';
import { imagePointAt } from './canvas';
import { SHOTS_DIR, shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import skimage, tifffile'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-measure-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string): string {
  const r = spawnSync(PYTHON, ['-c', `import json, sys\nd = sys.argv[1]\n${code}`, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const exactly = (name: string) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const row = (page: Page, name: string) => page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: exactly(name) }) });
const editor = (page: Page) => page.getByTestId('annotate-editor');

async function download(page: Page, click: () => Promise<void>): Promise<{ file: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { file: d.suggestedFilename(), bytes: new Uint8Array(readFileSync((await d.path())!)) };
}

/** Select an algorithm, add the dataset called `input`, run it with its defaults; returns the completed record. */
async function runOn(page: Page, algorithm: string, input: string) {
  await page.getByTestId(`alg-card-${algorithm}`).getByTestId('alg-select').click();
  const clear = page.getByTestId('run-inputs').getByRole('button', { name: 'Clear' });
  if (await clear.isVisible()) await clear.click();
  await page.getByTestId('run-add-input').selectOption({ label: input });
  await expect(page.getByTestId('run-input')).toHaveCount(1);
  const before = await page.evaluate(async () => (await window.algobox.executions.list()).length);
  await page.getByTestId('run-button').click();
  await expect.poll(async () => page.evaluate(async () => (await window.algobox.executions.list()).length)).toBe(before + 1);
  // The newest run's own record (the details may still show the previous completed run for a moment).
  await expect
    .poll(async () => page.evaluate(async () => (await window.algobox.executions.list())[0]!.status), { timeout: 120_000 })
    .toMatch(/COMPLETED|FAILED|CANCELLED/);
  const rec = await page.evaluate(async () => (await window.algobox.executions.list())[0]!);
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveAttribute('data-status', rec.status);
  expect(rec.status, `${algorithm}: ${rec.error?.message}`).toBe('COMPLETED');
  return rec;
}

const nameOf = (page: Page, id: string) => page.evaluate(async (id) => (await window.algobox.datasets.get(id, [])).meta.name, id);

/** The visible table's column `name`, as the grid shows it (rows in their shown order). */
async function gridColumn(page: Page, name: string): Promise<string[]> {
  const headers = await page.getByTestId('table-grid').getByRole('columnheader').allTextContents();
  const k = headers.findIndex((h) => h.trim().startsWith(name));
  expect(k, `column ${name} among ${headers.join(' | ')}`).toBeGreaterThanOrEqual(0);
  return page.getByTestId('table-row').evaluateAll((rows, k) => rows.map((r) => r.querySelectorAll('[role=gridcell]')[k]!.textContent!.trim()), k);
}

test('coins: segment, clean, count and measure (24), fix a merged coin with the brush, undo/redo, re-measure (25), export CSV and labels', async ({ page }) => {
  test.skip(!ready, 'needs skimage and tifffile under /usr/bin/python3');
  test.setTimeout(300_000);
  const want = JSON.parse(
    py(
      [
        'import skimage.data, skimage.io, skimage.filters, skimage.morphology, skimage.measure',
        'from scipy import ndimage as ndi',
        'c = skimage.data.coins()',
        "skimage.io.imsave(d + '/coins.png', c, check_contrast=False)",
        'm = ndi.binary_fill_holes(skimage.morphology.remove_small_objects(c > skimage.filters.threshold_otsu(c), 64))',
        'lab = skimage.measure.label(m, connectivity=2)',
        "print(json.dumps([int(a) for a in skimage.measure.regionprops_table(lab, properties=['area'])['area']]))",
      ].join('\n'),
    ),
  ) as number[];
  expect(want).toHaveLength(24);

  const problems = await openApp(page);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'coins.png'));
  await expect(page.getByTestId('import-report')).toContainText('Imported 1', { timeout: 60_000 });
  await closeImportReports(page);

  // Segment, clean, measure — each from the algorithm panel on the previous output.
  const otsu = await runOn(page, 'threshold_segmentation', 'coins.png');
  const clean = await runOn(page, 'mask_cleanup', await nameOf(page, otsu.outputDatasetIds[0]!));
  const measured = await runOn(page, 'measure_objects', await nameOf(page, clean.outputDatasetIds[0]!));
  expect(measured.outputDatasetIds).toHaveLength(2);
  const [labelsId, tableId] = measured.outputDatasetIds as [string, string];

  // The run's results are its table: 24 objects, their areas as skimage measures them, the labels over coins.
  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('table-count')).toHaveText('24 of 24 rows');
  // The grid draws the rows in view (virtualised): those equal skimage's first areas; the stored column, all 24.
  const shown = (await gridColumn(page, 'area')).map((t) => Number(t.replace(/[^0-9.-]/g, '')));
  expect(shown.length).toBeGreaterThan(8);
  expect(shown).toEqual(want.slice(0, shown.length));
  const storedAreas = await page.evaluate(async (id) => {
    const d = await window.algobox.datasets.get(id);
    const k = (JSON.parse(d.fields.columns as string) as { name: string }[]).findIndex((c) => c.name === 'area');
    const v = d.fields.values as { shape: number[]; data: Float64Array };
    return Array.from(v.data.subarray(k * v.shape[1]!, (k + 1) * v.shape[1]!));
  }, tableId);
  expect(storedAreas).toEqual(want);
  await expect(page.getByTestId('table-objects')).toHaveAttribute('data-labels', labelsId);
  await page.getByTestId('table-sort-area').click();
  await page.getByTestId('table-sort-area').click(); // largest first: object 1, the merged one
  await page.getByTestId('table-row').first().click();
  await expect(page.getByTestId('table-objects')).toHaveAttribute('data-selected-label', '1');
  await shot(page, `${SHOTS_DIR}/measure-coins.png`);

  // Fix the merged coin: open the labels, Annotate, new label (25), brush 36 px at the coin's centre.
  const labelsName = await nameOf(page, labelsId);
  await row(page, labelsName).locator('.ds-name').click();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('viewer-canvas-viewport').focus();
  await page.keyboard.press('m');
  await expect(editor(page)).toHaveAttribute('data-label', '25');
  await page.getByTestId('annotate-size').fill('36');
  await expect(editor(page)).toHaveAttribute('data-size', '36');
  await page.getByTestId('annotate-tool-brush').click();
  const hash = () => editor(page).getAttribute('data-labels-hash');
  const before = await hash();
  const p = await imagePointAt(page, 45, 53);
  await page.mouse.click(p.x, p.y);
  await expect(editor(page)).toHaveAttribute('data-undo', '1');
  const after = await hash();
  expect(after).not.toBe(before);
  await shot(page, `${SHOTS_DIR}/measure-fix-coin.png`);
  await page.getByTestId('viewer-canvas-viewport').focus();
  await page.keyboard.press('Control+z');
  await expect(editor(page)).toHaveAttribute('data-redo', '1');
  expect(await hash()).toBe(before);
  await page.keyboard.press('Control+Shift+z');
  await expect(editor(page)).toHaveAttribute('data-undo', '1');
  expect(await hash()).toBe(after);
  await page.getByTestId('annotate-save').click();
  const editedId = (await page.getByTestId('annotate-saved').getAttribute('data-id'))!;
  const edited = await page.evaluate(async (id) => {
    const d = await window.algobox.datasets.get(id);
    const m = d.fields.mask as { data: ArrayLike<number> };
    let n25 = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] === 25) n25++;
    return { name: d.meta.name, editedFrom: d.meta.extra.editedFrom, n25 };
  }, editedId);
  const painted = edited.n25;
  expect(painted).toBeGreaterThan(900); // a 36-px disc
  expect(edited.editedFrom).toBe(labelsId);

  // Measure the edited labels: 25 objects; the coin's row has exactly the painted area.
  const again = await runOn(page, 'measure_objects', edited.name);
  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  await expect(page.getByTestId('table-count')).toHaveText('25 of 25 rows');
  await page.getByTestId('table-filter').fill(`area = ${painted}`);
  await expect(page.getByTestId('table-count')).toHaveText('1 of 25 rows');
  await page.getByTestId('table-filter').fill('');

  // Export the table as CSV (all rows shown, label order) and compare it with the stored table.
  const csv = await download(page, () => page.getByTestId('table-export-csv').click());
  const stored = await page.evaluate(async (id) => {
    const d = await window.algobox.datasets.get(id);
    return { columns: d.fields.columns as string, values: Array.from((d.fields.values as { data: Float64Array }).data), name: d.meta.name };
  }, again.outputDatasetIds[1]!);
  expect(csv.file).toBe(`${stored.name}.csv`);
  const lines = new TextDecoder().decode(csv.bytes).trimEnd().split('\r\n');
  const names = (JSON.parse(stored.columns) as { name: string }[]).map((c) => c.name);
  expect(lines[0]!.split(',')).toEqual(names);
  expect(lines).toHaveLength(26);
  const areaCol = names.indexOf('area');
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows.map((r) => Number(r[areaCol]))).toEqual(stored.values.slice(areaCol * 25, areaCol * 25 + 25));
  expect(rows.some((r) => Number(r[areaCol]) === painted)).toBe(true);

  // The edited labels for napari: TIFF from the dataset's menu, read by tifffile.
  await row(page, edited.name).getByTestId('row-menu').click();
  const tif = await download(page, () => page.getByTestId('export-tiff').click());
  const tifPath = join(dir, 'labels.tif');
  writeFileSync(tifPath, tif.bytes);
  const read = JSON.parse(
    py(
      "import tifffile, numpy as np\na = tifffile.imread(d + '/labels.tif')\nprint(json.dumps([str(a.dtype), list(a.shape), int(a.max()), int((a == 25).sum())]))",
    ),
  );
  expect(read[1]).toEqual([303, 384]);
  expect(read[2]).toBe(25);
  expect(read[3]).toBe(painted);

  // …and as OME-Zarr: coins (the image at the start of the chain) with the edited labels under labels/, read by zarr.
  await row(page, edited.name).getByTestId('row-menu').click();
  await expect(page.getByTestId('export-ome-zarr-0.4')).toHaveAttribute('title', /source image “coins.png” with this mask as labels/);
  const zarrZip = await download(page, () => page.getByTestId('export-ome-zarr-0.4').click());
  writeFileSync(join(dir, 'labels.zip'), zarrZip.bytes);
  const z = JSON.parse(
    py(
      [
        'import zipfile, os, zarr, numpy as np, skimage.data',
        "x = os.path.join(d, 'z'); zipfile.ZipFile(os.path.join(d, 'labels.zip')).extractall(x)",
        "g = zarr.open(os.path.join(x, os.listdir(x)[0]), mode='r')",
        "name = g['labels'].attrs['labels'][0]",
        "lab = g['labels/' + name + '/0'][:]",
        "print(json.dumps({'image': bool((g['0'][:].squeeze() == skimage.data.coins()).all()), 'max': int(lab.max()), 'n25': int((lab == 25).sum())}))",
      ].join('\n'),
    ),
  );
  expect(z).toEqual({ image: true, max: 25, n25: painted });
  expect(problems).toEqual([]);
});
