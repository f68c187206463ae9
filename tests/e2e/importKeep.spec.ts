// Issue 15, items 2, 5 and 8, driven through the UI: a dropped folder of differently sized images is
// not one stack (equal ones are, the rest are separate datasets, and the report says so by file name);
// an RGBA PNG keeps its transparency as a dataset beside it; an animated GIF's frames become a stack;
// a stack's slices are listed under it (expand the stack row), not as loose rows; and the "Add an
// input" picker can be searched. The files are written by Pillow and tifffile (Debian's /usr/bin/python3).
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shot } from './shot';
import { dropFiles, emptyTheLists, openApp } from './util';

const SHOTS = 'docs/screenshots';
mkdirSync(SHOTS, { recursive: true });

/** Run Pillow/tifffile code with `d` = a fresh folder; returns every file it wrote, by name. */
function python(code: string): Record<string, Uint8Array> {
  const d = mkdtempSync(join(tmpdir(), 'algobox-e2e-keep-'));
  const prelude = 'import sys, numpy as np\nfrom PIL import Image\nd = sys.argv[1]\n';
  const r = spawnSync('/usr/bin/python3', ['-c', prelude + code, d], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return Object.fromEntries(readdirSync(d).map((n) => [n, new Uint8Array(readFileSync(join(d, n)))]));
}

/** The app with an empty list (the sample data made on first start deleted). */
async function emptyApp(page: Page): Promise<string[]> {
  const problems = await openApp(page);
  await emptyTheLists(page);
  return problems;
}

const looseNames = (page: Page) => page.getByTestId('dataset-list').locator(':scope > [data-testid="dataset-row"] .ds-name').allTextContents();
const stackRow = (page: Page, name: string) =>
  page.getByTestId('stack-row').filter({ has: page.locator(':scope > .ds-row-text .ds-name', { hasText: new RegExp(`^${name}$`) }) });

test('a folder of differently sized images: a stack of the equal ones, the others separate, said by file name', async ({ page }) => {
  const problems = await emptyApp(page);
  const files = python(`
for name, (h, w) in {'a.png': (48, 64), 'b.png': (30, 40), 'c.png': (48, 64), 'd.png': (64, 64)}.items():
    Image.fromarray((np.arange(h * w).reshape(h, w) % 251).astype(np.uint8)).save(d + '/' + name)
`);
  await dropFiles(
    page,
    Object.entries(files).map(([n, bytes]) => ({ path: `plates/${n}`, bytes })),
  );
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 4 images');
  await shot(page, `${SHOTS}/mixed-folder.png`);
  await expect(report).toContainText('Imported 4 images (1 stack).');
  await expect(report.getByRole('list', { name: 'Import warnings' }).getByRole('listitem')).toHaveText([
    'plates/ — its 4 images are not all of one shape and dtype (3 kinds), so the folder was not made one stack. Imported as stack “plates” of 2 (48×64 uint8): a.png, c.png; separate datasets: b.png (30×40 uint8), d.png (64×64 uint8).',
  ]);
  await expect(stackRow(page, 'plates')).toContainText('2 slices');
  expect(await looseNames(page)).toEqual(['b.png', 'd.png']);
  // A report with a warning stays a minute (not the 12 s of a quiet one).
  await page.waitForTimeout(500);
  await expect(report).toBeVisible();
  expect(problems).toEqual([]);
});

test('transparency and GIF frames are kept, lost animation frames said; a stack lists its slices under it, not as loose rows', async ({ page }) => {
  const problems = await emptyApp(page);
  const files = python(`
import tifffile
rng = np.random.default_rng(7)
rgba = rng.integers(0, 256, (12, 16, 4), dtype=np.uint8)
Image.fromarray(rgba, 'RGBA').save(d + '/logo.png')
rgba[:, :, 3].tofile(d + '/logo.alpha.raw')
frames = [np.full((10, 12), v, np.uint8) for v in (20, 120, 220)]
frames[1][2:5, 3:7] = 60
ims = [Image.fromarray(f) for f in frames]
ims[0].save(d + '/anim.gif', save_all=True, append_images=ims[1:], disposal=1)
np.stack(frames).tofile(d + '/anim.raw')
fr = [Image.fromarray(np.full((6, 6), v, np.uint8)) for v in (10, 200)]
fr[0].save(d + '/blink.png', save_all=True, append_images=fr[1:])
tifffile.imwrite(d + '/pages.tif', (np.arange(5 * 8 * 8).reshape(5, 8, 8) % 200).astype(np.uint8), photometric='minisblack')
`);
  const raw = (n: string) => Array.from(files[n]!);
  await dropFiles(
    page,
    ['logo.png', 'anim.gif', 'blink.png', 'pages.tif'].map((n) => ({ path: n, bytes: files[n]! })),
  );
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 11 images (2 stacks).');
  await expect(report.getByRole('list', { name: 'Import warnings' }).getByRole('listitem')).toHaveText([
    'blink.png — it is an animated PNG (APNG): only its default image was imported, not its animation frames.',
    'logo.png — its transparency (alpha channel) is kept as the separate dataset “logo.png · alpha”; the image is stored as RGB.',
  ]);
  // The stacks' slices are not loose rows: only the files that are one image each are.
  await expect(stackRow(page, 'anim.gif')).toContainText('3 slices');
  await expect(stackRow(page, 'pages.tif')).toContainText('5 slices');
  await expect.poll(() => looseNames(page)).toEqual(['blink.png', 'logo.png', 'logo.png · alpha']);
  await expect(page.getByTestId('stack-slices')).toHaveCount(0);

  // The values: the alpha as Pillow wrote it, every GIF frame (frame 2 drawn over frame 1).
  const got = await page.evaluate(async () => {
    const api = window.algobox;
    const metas = await api.datasets.list();
    const pixels = async (id: string) => Array.from(((await api.datasets.get(id, ['image'])).fields.image as { data: Uint8Array }).data);
    const data = (name: string) => pixels(metas.find((m) => m.name === name)!.id);
    const anim = (await api.stacks.list()).find((s) => s.name === 'anim.gif')!;
    const frames = await Promise.all(anim.datasetIds.map(pixels));
    return { alpha: await data('logo.png · alpha'), frames: frames.flat() };
  });
  expect(got.alpha).toEqual(raw('logo.alpha.raw'));
  expect(got.frames).toEqual(raw('anim.raw'));

  // ▸ lists a stack's slices under it; a slice opens in the viewer.
  const pages = stackRow(page, 'pages.tif');
  await pages.getByTestId('stack-open').click();
  await expect(pages.getByTestId('stack-open')).toHaveAttribute('aria-expanded', 'true');
  const slices = page.getByRole('list', { name: 'Slices of pages.tif' });
  await expect(slices.locator('[data-testid="dataset-row"] .ds-name')).toHaveText([
    'pages.tif [1/5]',
    'pages.tif [2/5]',
    'pages.tif [3/5]',
    'pages.tif [4/5]',
    'pages.tif [5/5]',
  ]);
  await slices.getByTestId('dataset-row').nth(2).click();
  await expect(slices.getByTestId('dataset-row').nth(2)).toHaveAttribute('aria-current', 'true');
  await shot(page, `${SHOTS}/import-kept.png`);
  // The keyboard: ← on the stack row closes it.
  await pages.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(slices).toHaveCount(0);
  // The filter finds slices: their stack is shown opened with the matches.
  await page.getByRole('searchbox', { name: /Filter/ }).fill('[3/');
  await expect(page.getByRole('list', { name: 'Slices of anim.gif' }).locator('.ds-name')).toHaveText(['anim.gif [3/3]']);
  await expect(page.getByRole('list', { name: 'Slices of pages.tif' }).locator('.ds-name')).toHaveText(['pages.tif [3/5]']);
  expect(problems).toEqual([]);
});

test('the "Add an input" picker gets a search box and groups by stack once it holds more than a screenful', async ({ page }) => {
  const problems = await emptyApp(page);
  const files = python(`
for k in range(1, 25):
    Image.fromarray(np.full((8, 8), k, np.uint8)).save(d + '/img_%02d.png' % k)
Image.fromarray(np.full((8, 8), 99, np.uint8)).save(d + '/lonely.png')
`);
  await dropFiles(
    page,
    Object.entries(files).map(([n, bytes]) => ({ path: n === 'lonely.png' ? n : `series/${n}`, bytes })),
  );
  await expect(page.getByTestId('import-report')).toContainText('Imported 25 images (1 stack).');
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  const select = page.getByTestId('run-add-input');
  await expect(select.locator('optgroup')).toHaveCount(3);
  expect(await select.locator('optgroup').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('label')}: ${g.children.length}`))).toEqual([
    'In stack series: 24',
    'Datasets in no stack: 1',
    'Stacks (the whole stack as the input): 1',
  ]);
  const search = page.getByRole('searchbox', { name: 'Search the inputs to add' });
  await search.fill('img_07');
  await expect(select.locator('option')).toHaveText(['+ Add an input… (1 of 26 match)', 'img_07.png']);
  await shot(page, `${SHOTS}/input-picker-search.png`);
  await select.selectOption({ label: 'img_07.png' });
  await expect(page.getByTestId('run-input')).toHaveText([/^1\.img_07\.png/]);
  await search.fill('zzz');
  await expect(select.locator('option')).toHaveText(['No input matches “zzz”']);
  expect(problems).toEqual([]);
});
