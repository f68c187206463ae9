// Issue 16 ("import label images made elsewhere") through the UI: skimage's coins imported, then a
// uint16 label PNG made by Python (skimage.measure.label of coins > Otsu) added with the image viewer's
// "Add labels from file…": the labels are shown over coins (an object's pixel coloured, the background
// gray; the legend's label count is the file's), and the stored mask equals the file, linked to coins
// by madeFrom. "Import labels…" under the Datasets list imports the same file as labels of no image, and a
// dropped "*_cp_masks.png" is imported as labels, said in the import report by its name, and its report's
// "Import as image instead" makes it an image.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeImportReports, dropFiles, openApp } from './util';
import { shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, PIL, skimage.io, skimage.filters, skimage.measure'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-labels-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Made {
  labels: number[];
  count: number;
  width: number;
  height: number;
  object: [number, number];
  background: [number, number];
}

/** coins (a quarter of the size) as coins.png; its labels as a uint16 PNG under each of `names`. */
function makeFiles(names: string[]): Made {
  const code = [
    'import sys, json, shutil, numpy as np, skimage.data, skimage.io, skimage.filters, skimage.measure',
    'd = sys.argv[1]',
    'c = skimage.data.coins()[::4, ::4]',
    "skimage.io.imsave(d + '/coins.png', c, check_contrast=False)",
    'lab = skimage.measure.label(c > skimage.filters.threshold_otsu(c)).astype(np.uint16)',
    `names = ${JSON.stringify(names)}`,
    // PIL keeps uint16 as a 16-bit PNG (skimage.io.imsave writes labels below 256 as 8-bit).
    'from PIL import Image',
    "Image.fromarray(lab).save(d + '/' + names[0])",
    "assert open(d + '/' + names[0], 'rb').read()[24] == 16  # IHDR bit depth",
    'for n in names[1:]: shutil.copy(d + "/" + names[0], d + "/" + n)',
    // An object pixel inside the largest object (its 3×3 neighbourhood all that label), and a background one.
    'big = np.bincount(lab.ravel())[1:].argmax() + 1',
    'ys, xs = np.nonzero((lab == big) & (np.roll(lab, 1, 0) == big) & (np.roll(lab, -1, 0) == big) & (np.roll(lab, 1, 1) == big) & (np.roll(lab, -1, 1) == big))',
    'by, bx = np.argwhere(lab == 0)[0]',
    'print(json.dumps({"labels": lab.ravel().tolist(), "count": int(len(np.unique(lab[lab > 0]))), "width": int(lab.shape[1]), "height": int(lab.shape[0]), "object": [int(xs[0]), int(ys[0])], "background": [int(bx), int(by)]}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Made;
}

/** RGBA of canvas pixel (x, y) (= image pixel (x, y)). */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement | null;
      if (!c || !c.width) return [];
      return Array.from(c.getContext('2d')!.getImageData(x!, y!, 1, 1).data);
    },
    [x, y] as const,
  );
}

/** The stored mask of the dataset named `name`: dtype, shape, values, schema and extra. */
async function stored(page: Page, name: string) {
  return page.evaluate(async (n) => {
    const api = window.algobox;
    const meta = (await api.datasets.list()).find((m) => m.name === n)!;
    const m = (await api.datasets.get(meta.id, ['mask'])).fields.mask as { dtype: string; shape: number[]; data: ArrayLike<number> };
    const coins = (await api.datasets.list()).find((x) => x.name === 'coins.png')?.id ?? null;
    return { dtype: m.dtype, shape: m.shape, values: Array.from(m.data), schema: meta.schema, extra: meta.extra, coins };
  }, name);
}

/** Click a button that opens a file picker, and pick `file` in it (as a person would). */
async function pickWith(page: Page, button: string, file: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: button }).click()]);
  await chooser.setFiles(join(dir, file));
}

test('Add labels from file… shows a uint16 label PNG over coins; Import labels… and a dropped *_cp_masks.png import as labels', async ({ page }) => {
  test.skip(!ready, 'needs numpy, PIL and skimage under /usr/bin/python3');
  const made = makeFiles(['coins_labels.png', 'objects.png', 'coins_cp_masks.png']);
  const problems = await openApp(page);
  await pickWith(page, 'Import files…', 'coins.png');
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 image', { timeout: 60_000 });
  await closeImportReports(page);
  await expect(page.getByTestId('viewer-title')).toHaveText('coins.png');

  // The image viewer's "Add labels from file…": the labels open over coins.
  await pickWith(page, 'Add labels from file…', 'coins_labels.png');
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 label image as labels', { timeout: 60_000 });
  await expect(page.getByTestId('viewer-title')).toHaveText('coins_labels.png');
  const viewer = page.getByTestId('segmentation-viewer');
  await expect(viewer).toBeVisible();
  const canvas = page.getByTestId('viewer-canvas');
  await expect(canvas).toHaveAttribute('data-width', String(made.width));
  await expect(canvas).toHaveAttribute('data-height', String(made.height));
  await expect(page.getByTestId('label-count')).toContainText(`${made.count} labels`);
  // An object is drawn in its label's colour over the image; the background shows coins' gray.
  await expect
    .poll(async () => {
      const [r, g, b] = await pixel(page, ...made.object);
      return r !== g || g !== b;
    })
    .toBe(true);
  const [r, g, b, a] = await pixel(page, ...made.background);
  expect([r === g && g === b, a]).toEqual([true, 255]);
  // Over coins, not over black: the background pixel is coins' own value there (not 0).
  expect(r).toBeGreaterThan(0);
  const s = await stored(page, 'coins_labels.png');
  expect([s.dtype, s.shape, s.schema]).toEqual(['uint16', [made.height, made.width], 'Segmentation']);
  expect(s.values).toEqual(made.labels);
  expect(s.extra).toMatchObject({ madeFrom: s.coins, importedAs: 'labels' });
  await closeImportReports(page);
  await shot(page, 'docs/screenshots/import-labels.png');

  // "Import labels…" under the Datasets list: labels of no image, the same values.
  await pickWith(page, 'Import labels…', 'objects.png');
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 label image as labels', { timeout: 60_000 });
  await expect(page.getByTestId('viewer-title')).toHaveText('objects.png');
  await expect(page.getByTestId('label-count')).toContainText(`${made.count} labels`);
  const t = await stored(page, 'objects.png');
  expect([t.dtype, t.schema, t.extra.madeFrom]).toEqual(['uint16', 'Segmentation', undefined]);
  expect(t.values).toEqual(made.labels);
  await closeImportReports(page);

  // A dropped file named *_cp_masks.png (Cellpose) is imported as labels, and the report says why.
  await dropFiles(page, [{ path: 'coins_cp_masks.png', bytes: new Uint8Array(readFileSync(join(dir, 'coins_cp_masks.png'))) }]);
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 1 label image as labels', { timeout: 60_000 });
  await expect(report).toContainText('coins_cp_masks.png — imported as labels (its name ends in _cp_masks).');
  expect((await stored(page, 'coins_cp_masks.png')).values).toEqual(made.labels);
  // Its report's "Import as image instead": the labels are deleted and the file imported as an image.
  await report.getByRole('button', { name: 'Import as image instead' }).click();
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 image', { timeout: 60_000 });
  await expect
    .poll(() => page.evaluate(async () => (await window.algobox.datasets.list()).filter((m) => m.name === 'coins_cp_masks.png').map((m) => m.schema)))
    .toEqual(['Image']);
  expect(problems).toEqual([]);
});

test('Add labels from file… on a Volume: 3-D int32 labels (tifffile) over its slices; labels of another size are refused, naming both', async ({ page }) => {
  test.skip(!ready, 'needs numpy, PIL and skimage under /usr/bin/python3');
  const code = [
    'import sys, json, numpy as np, tifffile',
    'd = sys.argv[1]',
    'z, y, x = np.mgrid[0:4, 0:24, 0:32]',
    "np.save(d + '/vol.npy', (40 + 5 * x + z).astype(np.uint8))",
    'lab = np.zeros((4, 24, 32), np.int32)',
    'lab[:, 4:12, 4:14] = 70000',
    'lab[1:3, 14:22, 18:30] = 5',
    "tifffile.imwrite(d + '/vol_labels.tif', lab, photometric='minisblack')",
    "tifffile.imwrite(d + '/small_labels.tif', lab[:, :20], photometric='minisblack')",
    'print(json.dumps(lab.ravel().tolist()))',
  ].join('\n');
  const py = spawnSync(PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
  const want = JSON.parse(py.stdout.trim()) as number[];
  const problems = await openApp(page);
  await page.getByTestId('import-layout').selectOption('volume');
  await pickWith(page, 'Import files…', 'vol.npy');
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 volume', { timeout: 60_000 });
  await closeImportReports(page);
  await expect(page.getByTestId('viewer-title')).toHaveText('vol.npy');

  // Labels of another Z × Y × X: refused, the report names both datasets and both shapes.
  await pickWith(page, 'Add labels from file…', 'small_labels.tif');
  await expect(page.getByTestId('import-report')).toContainText(
    "small_labels.tif — labels of shape (4, 20, 32) do not fit the image “vol.npy” of shape (4, 24, 32): labels need the image's Z × Y × X size (4, 24, 32).",
    { timeout: 60_000 },
  );
  await closeImportReports(page);

  await pickWith(page, 'Add labels from file…', 'vol_labels.tif');
  await expect(page.getByTestId('import-report')).toContainText('Imported 1 label image as labels', { timeout: 60_000 });
  await expect(page.getByTestId('viewer-title')).toHaveText('vol_labels.tif');
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-width', '32');
  // Slice 1 holds both objects (70000 and 5): the legend counts them; the labels lie over the volume, not black.
  await page.getByTestId('slice-slider').fill('1');
  await expect(page.getByTestId('label-count')).toContainText('2 labels', { timeout: 30_000 });
  await expect(page.getByTestId('label-row-70000')).toContainText('80 px');
  await expect
    .poll(async () => {
      const [r, g, b] = await pixel(page, 6, 6); // label 70000
      return r !== g || g !== b;
    })
    .toBe(true);
  const [r, g, b] = await pixel(page, 16, 2); // background: the volume's gray (40 + 5·16 + 1), not black
  expect([r === g && g === b, r! > 0]).toEqual([true, true]);
  const s = await stored(page, 'vol_labels.tif');
  expect([s.dtype, s.shape, s.schema]).toEqual(['int32', [4, 24, 32], 'Segmentation']);
  expect(s.values).toEqual(want);
  expect(problems).toEqual([]);
});
