// The datasets panel in the built app: drops (folders via files with relative paths), the file picker,
// progress and failure reports, thumbnails, rename, delete + undo, export round trips, stacks, the
// storage meter and keyboard operation — with no console errors.
import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpyArray, decodePng, decodeTiff, encodePng, encodeTiff } from '../../src/core/imageCodecs';
import type { NDArray } from '../../src/core/ndarray';
import { shot } from './shot';
import { emptyTheLists } from './util';

const SHOTS = 'docs/screenshots';
mkdirSync(SHOTS, { recursive: true });

interface Ctx {
  page: Page;
  problems: string[];
}

/**
 * Open the app with no built-in bundles (these tests need none; it keeps them independent of the
 * bundles). With `clear` (default), the sample data made on first start is deleted and the page
 * reloaded, so each test starts from an empty list (samples are made only once per database).
 */
async function openApp(page: Page, { clear = true } = {}): Promise<Ctx> {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.route('**/bundles/index.json', (r) => r.fulfill({ json: [] }));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  if (clear) await emptyTheLists(page);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  return { page, problems };
}

const u8 = (h: number, w: number, f: (y: number, x: number) => number): NDArray => {
  const data = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(y, x);
  return { dtype: 'uint8', shape: [h, w], data };
};
const u16 = (h: number, w: number, f: (y: number, x: number) => number): NDArray => {
  const data = new Uint16Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(y, x);
  return { dtype: 'uint16', shape: [h, w], data };
};

/** Drop files on the page as the browser would, each with its folder-relative path (webkitRelativePath). */
async function dropFiles(page: Page, files: { path: string; bytes: Uint8Array }[], opts: { checkOverlay?: boolean } = {}) {
  const payload = files.map((f) => ({ path: f.path, bytes: Array.from(f.bytes) }));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const file = new File([new Uint8Array(f.bytes)], f.path.split('/').pop()!);
      if (f.path.includes('/')) Object.defineProperty(file, 'webkitRelativePath', { value: f.path });
      dt.items.add(file);
    }
    (window as unknown as { __dt: DataTransfer }).__dt = dt;
    document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  if (opts.checkOverlay) {
    await expect(page.getByTestId('drop-overlay')).toBeVisible();
    await expect(page.getByTestId('drop-overlay')).toContainText('Drop images, folders or algorithm bundles');
    await shot(page, `${SHOTS}/datasets-drop-overlay.png`);
  }
  await page.evaluate(() => {
    const dt = (window as unknown as { __dt: DataTransfer }).__dt;
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
}

/** Put datasets through the API and reload so the panel lists them. */
async function putAndReload(page: Page, items: { name: string; array: NDArray }[]): Promise<string[]> {
  const ids = await page.evaluate(
    async (list) => {
      const out: string[] = [];
      for (const it of list) {
        const a = it.array as { dtype: string; shape: number[]; data: number[] };
        const ctor = { uint8: Uint8Array, uint16: Uint16Array, float32: Float32Array, float64: Float64Array }[a.dtype as 'uint8']!;
        out.push(
          await window.algobox.datasets.put(
            { image: { dtype: a.dtype as 'uint8', shape: a.shape, data: new ctor(a.data) } },
            { name: it.name, schema: 'Image' },
          ),
        );
      }
      return out;
    },
    items.map((it) => ({ name: it.name, array: { ...it.array, data: Array.from(it.array.data as ArrayLike<number>) } })),
  );
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('dataset-row')).toHaveCount(items.length);
  return ids;
}

const row = (page: Page, name: string) =>
  page.getByTestId('dataset-row').filter({ has: page.locator('.ds-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
const stackRow = (page: Page, name: string) => page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: name }) });
/** The rows of the Datasets section: the datasets in no stack (a stack's slices are listed under it, when opened). */
const looseRows = (page: Page) => page.getByTestId('dataset-list').locator(':scope > [data-testid="dataset-row"]');
/** Open a stack's row (▸) so that its slices are listed under it (a stack holding the viewed dataset is open already). */
async function openStack(page: Page, name: string) {
  const toggle = stackRow(page, name).getByTestId('stack-open');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
}

test('empty state explains how to import, and sample data can be added', async ({ page }) => {
  const { problems } = await openApp(page);
  const empty = page.getByTestId('datasets-empty');
  await expect(empty).toContainText('Drop images or folders anywhere, or use Import');
  await expect(page.getByRole('button', { name: 'Import files…' })).toBeVisible();
  await shot(page, `${SHOTS}/datasets-empty.png`);
  await empty.getByRole('button', { name: 'Add sample data' }).click();
  await expect(page.getByTestId('dataset-row').first()).toBeVisible();
  expect(await page.getByTestId('dataset-row').count()).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('a folder drop becomes one stack in natural order, with progress, failures and the persistence outcome', async ({ page }) => {
  const { problems } = await openApp(page);
  // Record whether the progress bar ever showed (the import of small files is fast).
  await page.evaluate(() => {
    const w = window as unknown as { __sawProgress: boolean };
    w.__sawProgress = false;
    new MutationObserver(() => {
      if (document.querySelector('[role="progressbar"][aria-label="Import progress"]')) w.__sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const files = Array.from({ length: 21 }, (_, i) => ({
    path: `scan/slice_${i + 1}.png`,
    bytes: encodePng(u8(24, 32, (y, x) => (x * 8 + y * 4 + i * 10) % 256)),
  }));
  files.push({ path: 'scan/notes.txt', bytes: strToU8('these are notes, not an image') });
  files.push({ path: 'scan/.DS_Store', bytes: strToU8('junk') });
  // Reverse the order: the import must sort naturally (slice_2 before slice_10).
  await dropFiles(page, files.reverse(), { checkOverlay: true });

  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 21 images (1 stack). 1 file could not be read:');
  await expect(report.getByRole('list', { name: 'Files that could not be read' }).getByRole('listitem')).toHaveText([
    /^scan\/notes\.txt — .*unrecognised file format/,
  ]);
  await expect(report).toContainText(/Persistent storage (granted|was not granted)|does not offer persistent storage/);
  expect(await page.evaluate(() => (window as unknown as { __sawProgress: boolean }).__sawProgress)).toBe(true);
  await shot(page, `${SHOTS}/datasets-import-report.png`);
  // A report with failures closes itself after a while (30 s); ✕ closes it at once.
  await report.getByRole('button', { name: 'Close this report' }).click();
  await expect(report).toHaveCount(0);

  const stack = stackRow(page, 'scan');
  await expect(stack).toContainText('21 slices');
  await expect(stack).toHaveAttribute('aria-current', 'true');
  // Its slices are not loose rows: they are listed under the stack when it is opened.
  await expect(page.getByTestId('dataset-row')).toHaveCount(0);
  await openStack(page, 'scan');
  await expect(page.getByRole('list', { name: 'Slices of scan' }).getByTestId('dataset-row')).toHaveCount(21);
  const names = await page.evaluate(async () => {
    const [s] = await window.algobox.stacks.list();
    const metas = await window.algobox.datasets.list();
    return s!.datasetIds.map((id) => metas.find((m) => m.id === id)!.name);
  });
  expect(names).toEqual(Array.from({ length: 21 }, (_, i) => `slice_${i + 1}.png`));
  expect(problems).toEqual([]);
});

test('a dropped image whose header claims 100000×100000 pixels is refused by name and size; the rest of the drop imports', async ({ page }) => {
  const { problems } = await openApp(page);
  const huge = encodePng(u8(2, 2, () => 7));
  const dv = new DataView(huge.buffer, huge.byteOffset);
  dv.setUint32(16, 100000);
  dv.setUint32(20, 100000);
  const files = [
    { path: 'drop/a.png', bytes: encodePng(u8(8, 8, (y, x) => x + y)) },
    { path: 'drop/huge.png', bytes: huge },
    { path: 'drop/b.png', bytes: encodePng(u8(8, 8, (y, x) => x * y)) },
  ];
  await dropFiles(page, files);
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 2 images (1 stack). 1 file could not be read:');
  await expect(report.getByRole('list', { name: 'Files that could not be read' }).getByRole('listitem')).toHaveText([
    /^drop\/huge\.png — PNG: the image is 100000×100000 pixels; decoding it needs 10000000000 bytes \(9\.3 GiB.*more than the limit of 1073741824 bytes/,
  ]);
  await shot(page, `${SHOTS}/datasets-import-too-large.png`);
  await expect(stackRow(page, 'drop')).toContainText('2 slices');
  expect(problems).toEqual([]);
});

test('an import larger than the free storage is refused with the numbers before anything is written', async ({ page }) => {
  // The browser reports 1 KiB free: the drop of two 4 KiB images cannot fit.
  await page.addInitScript(() => {
    const storage = navigator.storage;
    storage.estimate = async () => ({ usage: 5_000_000, quota: 5_000_000 + 1024 });
  });
  const { problems } = await openApp(page);
  let x = 2463534242;
  const noise = () => u8(64, 64, () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) & 255));
  await dropFiles(page, [
    { path: 'big/a.png', bytes: encodePng(noise()) },
    { path: 'big/b.png', bytes: encodePng(noise()) },
  ]);
  const report = page.getByTestId('import-report');
  await expect(report).toContainText(/The import failed: Importing 2 files needs about .* of storage, but only 1\.0 KiB \(1024 bytes\) of storage is free/);
  await expect(report).toContainText('nothing was written');
  expect(await page.evaluate(async () => (await window.algobox.datasets.list()).length)).toBe(0);
  expect(problems).toEqual([]);
});

test('the file picker imports a multi-page TIFF as a stack, RGB as 3×H×W, and thumbnails show pixels', async ({ page }) => {
  const { problems } = await openApp(page);
  const pages = [0, 1, 2].map((k) => u16(48, 64, (y, x) => x * 500 + y * 100 + k * 7000));
  const rgb: NDArray = { dtype: 'uint8', shape: [3, 20, 30], data: new Uint8Array(3 * 600).map((_, i) => (i * 7) % 256) };
  const float: NDArray = { dtype: 'float32', shape: [16, 16], data: new Float32Array(256).map((_, i) => Math.sin(i / 10) * 3.5) };
  await page.getByTestId('import-files-input').setInputFiles([
    { name: 'cells.tif', mimeType: 'image/tiff', buffer: Buffer.from(encodeTiff(pages)) },
    { name: 'rgb.png', mimeType: 'image/png', buffer: Buffer.from(encodePng(rgb)) },
    { name: 'float.tif', mimeType: 'image/tiff', buffer: Buffer.from(encodeTiff([float])) },
  ]);
  await expect(page.getByTestId('import-report')).toContainText('Imported 5 images (1 stack).');
  const stack = stackRow(page, 'cells.tif');
  await expect(stack).toContainText('3 slices');
  await expect(stack).toContainText('64 × 48');
  await expect(stack).toHaveAttribute('aria-label', /3 slices, 64 × 48 uint16/);
  await expect(stack).toHaveAttribute('aria-current', 'true');
  await openStack(page, 'cells.tif');
  await expect(row(page, 'cells.tif [2/3]')).toContainText('64 × 48');
  await expect(row(page, 'rgb.png')).toContainText('30 × 20 · 3 ch (RGB)');
  await expect(row(page, 'rgb.png')).toContainText('uint8');
  await expect(row(page, 'float.tif')).toContainText('float32');
  await expect(row(page, 'float.tif')).toContainText('1.0 KB');
  // A file's pages are listed in page order.
  const listed = await page.locator('[data-testid="dataset-row"] .ds-name').allTextContents();
  expect(listed.filter((n) => n.startsWith('cells.tif'))).toEqual(['cells.tif [1/3]', 'cells.tif [2/3]', 'cells.tif [3/3]']);

  // Every thumbnail canvas holds an image with more than one value (not blank).
  const canvases = page.locator('[data-testid="dataset-row"] canvas[data-testid="thumbnail"]');
  await expect(canvases).toHaveCount(5);
  const spreads = await canvases.evaluateAll((els) =>
    (els as HTMLCanvasElement[]).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        lo = Math.min(lo, d[i]!, d[i + 1]!, d[i + 2]!);
        hi = Math.max(hi, d[i]!, d[i + 1]!, d[i + 2]!);
      }
      return { w: c.width, h: c.height, spread: hi - lo };
    }),
  );
  for (const s of spreads) {
    expect(s.w).toBeGreaterThan(0);
    expect(s.spread).toBeGreaterThan(20);
  }
  await expect(stack.locator('canvas[data-testid="thumbnail"]')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('rename inline: F2, validation, Esc cancels, Enter saves', async ({ page }) => {
  const { problems } = await openApp(page);
  await putAndReload(page, [
    { name: 'alpha.png', array: u8(8, 8, (y, x) => x * 30 + y) },
    { name: 'beta.png', array: u8(8, 8, (y, x) => y * 30 + x) },
  ]);
  const r = row(page, 'alpha.png');
  await r.click();
  await page.keyboard.press('F2');
  const input = page.getByTestId('rename-input');
  await expect(input).toBeFocused();
  await input.fill('   ');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'A name cannot be empty.' })).toBeVisible();
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Escape');
  await expect(input).toHaveCount(0);
  await expect(row(page, 'alpha.png')).toBeFocused();

  await page.keyboard.press('F2');
  await page.getByTestId('rename-input').fill('alpha renamed');
  await page.keyboard.press('Enter');
  await expect(row(page, 'alpha renamed')).toBeVisible();
  await expect(row(page, 'alpha renamed')).toBeFocused();
  const names = await page.evaluate(async () => (await window.algobox.datasets.list()).map((m) => m.name));
  expect(names).toEqual(['alpha renamed', 'beta.png']);

  // Through the menu as well.
  await row(page, 'beta.png').getByTestId('row-menu').click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  await page.getByTestId('rename-input').fill('gamma');
  await page.keyboard.press('Enter');
  await expect(row(page, 'gamma')).toBeVisible();
  expect(problems).toEqual([]);
});

test('delete hides at once with Undo, and really deletes after the undo window', async ({ page }) => {
  const { problems } = await openApp(page);
  const [a, b] = await putAndReload(page, [
    { name: 'keep.png', array: u8(8, 8, (y, x) => x + y) },
    { name: 'doomed.png', array: u8(8, 8, (y, x) => x * y) },
  ]);
  await row(page, 'doomed.png').click();
  await page.keyboard.press('Delete');
  await expect(row(page, 'doomed.png')).toHaveCount(0);
  const toast = page.getByTestId('undo-toast');
  await expect(toast).toContainText('Deleted “doomed.png”.');
  await shot(page, `${SHOTS}/datasets-undo.png`);
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(row(page, 'doomed.png')).toBeVisible();
  await expect(toast).toHaveCount(0);
  // Still there after the undo window.
  await page.waitForTimeout(6500);
  expect(await page.evaluate(async () => (await window.algobox.datasets.list()).map((m) => m.id))).toEqual([a, b]);

  // Delete through the menu and let it happen.
  await row(page, 'doomed.png').getByTestId('row-menu').click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await expect(row(page, 'doomed.png')).toHaveCount(0);
  await expect(toast).toBeVisible();
  await expect.poll(async () => page.evaluate(async () => (await window.algobox.datasets.list()).map((m) => m.id)), { timeout: 10_000 }).toEqual([a]);
  await expect(toast).toHaveCount(0);
  await expect(row(page, 'doomed.png')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('export PNG, TIFF and NPY: the downloaded bytes decode back to the data', async ({ page }) => {
  const { problems } = await openApp(page);
  const img = u16(12, 10, (y, x) => y * 1000 + x * 37);
  const float: NDArray = { dtype: 'float32', shape: [4, 5], data: new Float32Array(20).map((_, i) => i * 0.5 - 2) };
  await putAndReload(page, [
    { name: 'scan.tif [2/3]', array: img },
    { name: 'floaty', array: float },
  ]);
  const download = async (name: string, item: string) => {
    await row(page, name).getByTestId('row-menu').click();
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(item).click()]);
    return { file: d.suggestedFilename(), bytes: new Uint8Array(readFileSync((await d.path())!)) };
  };

  const png = await download('scan.tif [2/3]', 'export-png');
  expect(png.file).toBe('scan_p2.png');
  const [dp] = decodePng(png.bytes, png.file);
  expect(dp!.image.dtype).toBe('uint16');
  expect(dp!.image.shape).toEqual([12, 10]);
  expect(Array.from(dp!.image.data as Uint16Array)).toEqual(Array.from(img.data as Uint16Array));

  const tif = await download('scan.tif [2/3]', 'export-tiff');
  expect(tif.file).toBe('scan_p2.tif');
  expect(Array.from(decodeTiff(tif.bytes, tif.file)[0]!.image.data as Uint16Array)).toEqual(Array.from(img.data as Uint16Array));

  const npy = await download('scan.tif [2/3]', 'export-npy');
  expect(npy.file).toBe('scan_p2.npy');
  const back = decodeNpyArray(npy.bytes);
  expect(back.dtype).toBe('uint16');
  expect(back.shape).toEqual([12, 10]);

  // Floats: the PNG item says it windows to 16-bit; the PNG spans 0..65535; TIFF keeps the values.
  await row(page, 'floaty').getByTestId('row-menu').click();
  await expect(page.getByTestId('export-png')).toHaveAttribute('title', /windowed .*min\.\.max.*16-bit/);
  // The menu opens inside the window, right under its button.
  const btnBox = (await row(page, 'floaty').getByTestId('row-menu').boundingBox())!;
  const menuBox = (await page.getByRole('menu').boundingBox())!;
  expect(menuBox.x).toBeGreaterThanOrEqual(0);
  expect(menuBox.x + menuBox.width).toBeCloseTo(btnBox.x + btnBox.width, 0);
  expect(menuBox.y).toBeCloseTo(btnBox.y + btnBox.height + 2, 0);
  await shot(page, `${SHOTS}/datasets-menu.png`);
  await page.keyboard.press('Escape');
  const fpng = await download('floaty', 'export-png');
  const fimg = decodePng(fpng.bytes, fpng.file)[0]!.image;
  expect(fimg.dtype).toBe('uint16');
  const fd = Array.from(fimg.data as Uint16Array);
  expect(fd[0]).toBe(0);
  expect(fd[19]).toBe(65535);
  const ftif = await download('floaty', 'export-tiff');
  const ft = decodeTiff(ftif.bytes, ftif.file)[0]!.image;
  expect(ft.dtype).toBe('float32');
  expect(Array.from(ft.data as Float32Array)).toEqual(Array.from(float.data as Float32Array));
  expect(problems).toEqual([]);
});

test('keyboard: arrows move, Space picks run inputs in order, Enter opens, and a new stack keeps the order', async ({ page }) => {
  const { problems } = await openApp(page);
  await putAndReload(page, [
    { name: 'one.png', array: u8(8, 8, () => 10) },
    { name: 'two.png', array: u8(8, 8, (y) => y * 20) },
    { name: 'three.png', array: u8(8, 8, (_, x) => x * 20) },
  ]);
  // Tab from the filter box into the list: one tab stop, on the first row.
  await page.getByRole('searchbox', { name: /Filter/ }).focus();
  await page.keyboard.press('Tab');
  await expect(row(page, 'one.png')).toBeFocused();
  // The focus ring is visible.
  const outline = await row(page, 'one.png').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'three.png')).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  await expect(row(page, 'three.png').locator('.ds-order')).toHaveText('1');
  await expect(row(page, 'two.png').locator('.ds-order')).toHaveText('2');
  await expect(row(page, 'three.png').getByRole('checkbox')).toBeChecked();
  await page.keyboard.press('Enter');
  await expect(row(page, 'two.png')).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('Home');
  await expect(row(page, 'one.png')).toBeFocused();

  // Tab goes from the active row into its checkbox and menu button; the menu works with the keyboard.
  await page.keyboard.press('Tab');
  await expect(row(page, 'one.png').getByRole('checkbox')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(row(page, 'one.png').getByTestId('row-menu')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Open in viewer' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Rename' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(row(page, 'one.png').getByTestId('row-menu')).toBeFocused();

  await page.getByRole('button', { name: 'New stack from selected' }).click();
  await page.getByRole('textbox', { name: 'Name of the new stack' }).fill('picked');
  await page.keyboard.press('Enter');
  const stack = stackRow(page, 'picked');
  await expect(stack).toContainText('2 slices');
  await expect(stack).toHaveAttribute('aria-current', 'true');
  const order = await page.evaluate(async () => {
    const s = (await window.algobox.stacks.list()).find((x) => x.name === 'picked')!;
    const metas = await window.algobox.datasets.list();
    return s.datasetIds.map((id) => metas.find((m) => m.id === id)!.name);
  });
  expect(order).toEqual(['three.png', 'two.png']);

  // The stack as the run input: Space on its row.
  await stack.focus();
  await page.keyboard.press('Space');
  await expect(stack.getByRole('button', { name: 'Input ✓' })).toHaveAttribute('aria-pressed', 'true');
  await openStack(page, 'picked');
  await expect(row(page, 'three.png').getByRole('checkbox')).not.toBeChecked();
  expect(problems).toEqual([]);
});

test('stacks: rename, export as multi-page TIFF, delete keeping or removing the datasets', async ({ page }) => {
  const { problems } = await openApp(page);
  const pages = [0, 1, 2, 3].map((k) => u8(10, 12, (y, x) => (x * 9 + y * 5 + k * 40) % 256));
  await page.getByTestId('import-files-input').setInputFiles([{ name: 'vol.tif', mimeType: 'image/tiff', buffer: Buffer.from(encodeTiff(pages)) }]);
  await expect(stackRow(page, 'vol.tif')).toContainText('4 slices');
  // The folder picker: the folder's images become a stack named after it.
  const dir = join(mkdtempSync(join(tmpdir(), 'algobox-e2e-')), 'slices');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.png'), encodePng(u8(6, 6, (_, x) => x * 40)));
  writeFileSync(join(dir, 'b.png'), encodePng(u8(6, 6, (y) => y * 40)));
  await page.getByTestId('import-folder-input').setInputFiles(dir);
  await expect(stackRow(page, 'slices')).toContainText('2 slices');
  const stack = stackRow(page, 'vol.tif');

  await stack.click();
  await page.keyboard.press('F2');
  await page.getByTestId('rename-input').fill('volume');
  await page.keyboard.press('Enter');
  await expect(stackRow(page, 'volume')).toBeVisible();

  await stackRow(page, 'volume').getByTestId('row-menu').click();
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-stack-tiff').click()]);
  expect(d.suggestedFilename()).toBe('volume.tif');
  const back = decodeTiff(new Uint8Array(readFileSync((await d.path())!)), 'volume.tif');
  expect(back.map((p) => Array.from(p.image.data as Uint8Array))).toEqual(pages.map((p) => Array.from(p.data as Uint8Array)));

  // Delete the stack only: its datasets stay (now listed as loose rows).
  const before = await looseRows(page).count();
  await stackRow(page, 'volume').focus();
  await page.keyboard.press('Delete');
  const dialog = page.getByTestId('delete-stack-dialog');
  await expect(dialog).toContainText('Delete the stack “volume”?');
  await shot(page, `${SHOTS}/datasets-delete-stack.png`);
  await dialog.getByRole('button', { name: 'Delete stack' }).click();
  await expect(stackRow(page, 'volume')).toHaveCount(0);
  await expect(looseRows(page)).toHaveCount(before + 4);

  // A stack with its datasets.
  await page.evaluate(async () => {
    const metas = await window.algobox.datasets.list();
    const stacked = new Set((await window.algobox.stacks.list()).flatMap((s) => s.datasetIds));
    const loose = metas.filter((m) => !stacked.has(m.id));
    await window.algobox.stacks.create({ name: 'pair', datasetIds: loose.slice(0, 2).map((m) => m.id) });
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await stackRow(page, 'pair').getByTestId('row-menu').click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  await dialog.getByRole('checkbox', { name: /Also delete its 2 datasets/ }).check();
  await dialog.getByRole('button', { name: 'Delete stack and datasets' }).click();
  await expect(stackRow(page, 'pair')).toHaveCount(0);
  await expect(looseRows(page)).toHaveCount(before + 4 - 2);
  expect(problems).toEqual([]);
});

test('a large drop shows progress, and more than 200 datasets are paged', async ({ page }) => {
  const { problems } = await openApp(page);
  // Loose files (no folder): 230 datasets in no stack.
  const files = Array.from({ length: 230 }, (_, i) => ({
    path: `img_${String(i + 1).padStart(3, '0')}.png`,
    bytes: encodePng(u8(96, 96, (y, x) => (x * 3 + y * 5 + i * 11 + ((x * y) % 7)) % 256)),
  }));
  await dropFiles(page, files);
  const bar = page.getByRole('progressbar', { name: 'Import progress' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuemax', '230');
  await expect(page.getByTestId('import-report')).toContainText(/\d+\/230/);
  await shot(page, `${SHOTS}/datasets-progress.png`);
  await expect(page.getByTestId('import-report')).toContainText('Imported 230 images.', { timeout: 60_000 });
  await expect(bar).toHaveCount(0);

  await expect(page.getByTestId('dataset-row')).toHaveCount(200);
  const pager = page.getByRole('navigation', { name: 'Dataset pages' });
  await expect(pager).toContainText('1–200 of 230');
  await pager.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByTestId('dataset-row')).toHaveCount(30);
  await expect(pager).toContainText('201–230 of 230');
  await expect(page.getByTestId('dataset-row').first()).toContainText('img_201.png');
  await pager.getByRole('button', { name: 'Previous page' }).click();
  await expect(page.getByTestId('dataset-row').first()).toContainText('img_001.png');
  // Filtering narrows to one page.
  await page.getByRole('searchbox', { name: /Filter/ }).fill('img_22');
  await expect(page.getByTestId('dataset-row')).toHaveCount(10);
  await expect(pager).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('filter by name, and the storage meter shows use and quota', async ({ page }) => {
  const { problems } = await openApp(page);
  await putAndReload(page, [
    { name: 'cells_a.png', array: u8(8, 8, (y, x) => x + y) },
    { name: 'cells_b.png', array: u8(8, 8, (y, x) => x * y) },
    { name: 'nuclei.png', array: u8(8, 8, (y) => y) },
  ]);
  const search = page.getByRole('searchbox', { name: /Filter/ });
  await search.fill('CELLS');
  await expect(page.getByTestId('dataset-row')).toHaveCount(2);
  await search.fill('zzz');
  await expect(page.getByText('No dataset matches “zzz”.')).toBeVisible();
  await search.press('Escape');
  await expect(page.getByTestId('dataset-row')).toHaveCount(3);

  const meter = page.getByTestId('storage-meter');
  await expect(meter.locator('.ds-storage-text')).toHaveText(/^\d+(\.\d)? (B|KB|MB|GB) of \d+(\.\d)? (KB|MB|GB|TB) used$/);
  await expect(meter).toHaveAttribute('title', /3 datasets/);
  await expect(meter).toHaveAttribute('title', /0 algorithms/);
  expect(problems).toEqual([]);
});

test('the drop overlay stays while the drag crosses elements and goes when it leaves the window', async ({ page }) => {
  const { problems } = await openApp(page);
  const fire = (type: string, selector: string, x: number, y: number) =>
    page.evaluate(
      ([type, selector, x, y]) => {
        const w = window as unknown as { __dt?: DataTransfer };
        if (!w.__dt) {
          w.__dt = new DataTransfer();
          w.__dt.items.add(new File(['x'], 'a.png'));
        }
        document.querySelector(selector)!.dispatchEvent(new DragEvent(type, { dataTransfer: w.__dt, bubbles: true, cancelable: true, clientX: x, clientY: y }));
      },
      [type, selector, x, y] as const,
    );
  const overlay = page.getByTestId('drop-overlay');
  await fire('dragenter', '.topbar', 300, 20);
  await expect(overlay).toBeVisible();
  // Into the panel: the panel's dragenter comes before the top bar's dragleave.
  await fire('dragenter', '.workbench', 300, 300);
  await fire('dragleave', '.topbar', 300, 300);
  await expect(overlay).toBeVisible();
  // Out of the window.
  await fire('dragleave', '.workbench', 0, 300);
  await expect(overlay).toHaveCount(0);
  // Text drags (no files) show nothing.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'hello');
    document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(overlay).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('a dropped .zip installs an algorithm bundle', async ({ page }) => {
  const { problems } = await openApp(page);
  const zip = zipSync({
    'pyproject.toml': strToU8(`[project]
name = "dropped"
version = "1.0.0"
[tool.compox]
algorithm_type = "Image2Image"
tags = ["e2e"]
description = "copy"
`),
    'Runner.js': strToU8(`import { Image2ImageRunner } from "algobox";
export class Runner extends Image2ImageRunner { async inference(data) { return data; } }`),
  });
  await dropFiles(page, [{ path: 'dropped.zip', bytes: zip }]);
  await expect
    .poll(async () => page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => a.name)), { timeout: 15_000 })
    .toContain('dropped');
  await expect(page.getByTestId('dataset-row')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('screenshot: the workbench with stacks and datasets at 1280×800', async ({ page }) => {
  // As a first start looks: with the sample data.
  const { problems } = await openApp(page, { clear: false });
  const files = Array.from({ length: 6 }, (_, i) => ({
    path: `embryo/t_${i + 1}.png`,
    bytes: encodePng(u8(64, 64, (y, x) => Math.round(128 + 110 * Math.sin((x + i * 4) / 7) * Math.cos(y / 9)))),
  }));
  files.push({ path: 'readme.md', bytes: strToU8('# not an image') });
  await dropFiles(page, files);
  await expect(page.getByTestId('import-report')).toContainText('Imported 6 images (1 stack).');
  const rgb: NDArray = { dtype: 'uint8', shape: [3, 48, 64], data: new Uint8Array(3 * 48 * 64) };
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 64; x++) {
      rgb.data[y * 64 + x] = x * 4;
      rgb.data[3072 + y * 64 + x] = y * 5;
      rgb.data[6144 + y * 64 + x] = 255 - x * 4;
    }
  await page.getByTestId('import-files-input').setInputFiles([
    {
      name: 'cells.tif',
      mimeType: 'image/tiff',
      buffer: Buffer.from(encodeTiff([0, 1, 2].map((k) => u16(40, 40, (y, x) => ((x - 20) ** 2 + (y - 20) ** 2 < 120 + k * 60 ? 40000 : 3000) + x * 50)))),
    },
    { name: 'color_sample.png', mimeType: 'image/png', buffer: Buffer.from(encodePng(rgb)) },
  ]);
  await expect(page.getByTestId('import-report').last()).toContainText('Imported 4 images (1 stack).');
  await row(page, 'color_sample.png').getByRole('checkbox').check();
  await openStack(page, 'embryo');
  await row(page, 't_2.png').getByRole('checkbox').check();
  await row(page, 'color_sample.png').click();
  await shot(page, `${SHOTS}/datasets.png`);
  expect(problems).toEqual([]);
});
