// Lazy viewing (issue 13) in the built app, driven as a person would: datasets are made through
// window.algobox, the page is reloaded (as after an import), the dataset is opened from the list, and
// the slider, the keys, the wheel and drags move the view. What was read from storage is checked with
// algobox.stats().chunks (every chunk record read, as `<array id>/<zarr key>`).
import { expect, test, type Page } from '@playwright/test';
import { hoverImagePixel, viewportPixel } from './canvas';
import { chunkReads, readsSince } from './chunkReads';
import { shot, SHOTS_DIR } from './shot';
import { openFromList } from './util';

async function openApp(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  return problems;
}

test('a volume opens one slice at a time: the slider and , . read exactly that slice’s chunk; the window is kept', async ({ page }) => {
  const problems = await openApp(page);
  const [Z, H, W] = [40, 512, 512];
  const { id, arrayId } = await page.evaluate(
    async ([Z, H, W]) => {
      // Slice z holds z·1000 + (x + y) mod 997: the slice index is in every value.
      const data = new Uint16Array(Z * H * W);
      for (let z = 0; z < Z; z++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(z * H + y) * W + x] = z * 1000 + ((x + y) % 997);
      const id = await window.algobox.datasets.put({ volume: { dtype: 'uint16', shape: [Z, H, W], data } }, { name: 'volume 40', schema: 'Volume' });
      const meta = (await window.algobox.datasets.list()).find((m) => m.id === id)!;
      return { id, arrayId: meta.keys.volume!.array! };
    },
    [Z, H, W] as const,
  );
  await openFromList(page, id);
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'volume');
  const canvas = page.getByTestId('viewer-canvas');
  // It opens on the middle slice (as napari does).
  await expect(canvas).toHaveAttribute('data-drawn', '19');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('20 / 40');
  await expect(page.getByTestId('volume-slice')).toHaveText('volume, z 20 / 40');
  const min19 = await page.getByTestId('contrast-min').inputValue();
  expect(Number(min19)).toBeGreaterThanOrEqual(19000);

  // The slider: slice 25 reads c/25/0/0 and nothing else.
  let mark = (await chunkReads(page)).reads;
  await page.getByTestId('slice-slider').fill('25');
  await expect(canvas).toHaveAttribute('data-drawn', '25');
  expect(await readsSince(page, mark)).toEqual([`${arrayId}/c/25/0/0`]);
  // The window of the first slice is kept while moving through Z.
  await expect(page.getByTestId('contrast-min')).toHaveValue(min19);

  // The keys: . and , (Fiji's > and <) from the image, one chunk per slice shown.
  await page.getByTestId('viewer-canvas-viewport').focus();
  mark = (await chunkReads(page)).reads;
  await page.keyboard.press('.');
  await expect(canvas).toHaveAttribute('data-drawn', '26');
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  await expect(canvas).toHaveAttribute('data-drawn', '24');
  const keyReads = await readsSince(page, mark);
  expect(keyReads[0]).toBe(`${arrayId}/c/26/0/0`);
  expect(keyReads.at(-1)).toBe(`${arrayId}/c/24/0/0`);
  expect(keyReads.every((k) => /\/c\/2[456]\/0\/0$/.test(k))).toBe(true);

  // The canvas shows slice 24's values: a manual window 0…40000 maps v to round(v·255/40000).
  await page.getByTestId('contrast-mode').selectOption('manual');
  await page.getByTestId('contrast-min').fill('0');
  await page.getByTestId('contrast-max').fill('40000');
  // The slice is drawn at the screen's resolution (viewportPixel reads image pixel (x, y) through the viewport's transform).
  const pixel = (x: number, y: number) => viewportPixel(page, x, y);
  const expected = (z: number, x: number, y: number) => Math.round(((z * 1000 + ((x + y) % 997)) * 255) / 40000);
  await expect.poll(() => pixel(300, 200)).toEqual([expected(24, 300, 200), expected(24, 300, 200), expected(24, 300, 200), 255]);
  // The readout names the raw value under the cursor.
  await hoverImagePixel(page, 100, 10);
  await expect(page.getByTestId('viewer-readout')).toHaveText(String(24 * 1000 + 110));

  // Auto again, from the slice shown: the window follows slice 24.
  await page.getByTestId('contrast-mode').selectOption('auto');
  expect(Number(await page.getByTestId('contrast-min').inputValue())).toBeGreaterThanOrEqual(24000);
  // The slice's histogram reads nothing more.
  mark = (await chunkReads(page)).reads;
  await page.getByTestId('volume-stats').locator('summary').click();
  await expect(page.getByTestId('slice-stats')).toContainText('512 × 512');
  await expect(page.getByTestId('slice-histogram')).toBeVisible();
  expect(await readsSince(page, mark)).toEqual([]);
  await shot(page, `${SHOTS_DIR}/viewer-volume.png`);
  expect(problems).toEqual([]);
});

/** The large image's pixel (x, y) (the page has its own copy). */
const value = (x: number, y: number) => (((x >> 8) + (y >> 8)) & 1) * 20000 + ((x * x + y * y) >> 12) + ((x ^ y) & 15) * 400;

test('a large 2-D image: pyramid built once, then zoom and pan read only the tiles on screen at the matching level', async ({ page }) => {
  const problems = await openApp(page);
  const S = 4096;
  const id = await page.evaluate(async (S) => {
    const value = (x: number, y: number) => (((x >> 8) + (y >> 8)) & 1) * 20000 + ((x * x + y * y) >> 12) + ((x ^ y) & 15) * 400;
    // uint16 4096² (16 tiles of 1024²): 256-px checkers, a radial ramp and a 16-px texture seen only close up.
    const data = new Uint16Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) data[y * S + x] = value(x, y);
    return window.algobox.datasets.put({ image: { dtype: 'uint16', shape: [S, S], data } }, { name: 'large 4096', schema: 'Image' });
  }, S);
  await openFromList(page, id);
  const viewer = page.getByTestId('image-viewer');
  await expect(viewer).toHaveAttribute('data-tiled', 'true', { timeout: 60_000 });
  await expect(viewer).toHaveAttribute('data-levels', '3');
  // Fitted: the coarsest level (1024², one tile) is all there is to draw.
  await expect(viewer).toHaveAttribute('data-level', '2');
  await expect(viewer).toHaveAttribute('data-tiles', '2/0/0');
  const meta = await page.evaluate(async (id) => (await window.algobox.datasets.list()).find((m) => m.id === id)!.keys.image!, id);
  const base = meta.array!;
  expect(meta.levels!.map((l) => l.shape)).toEqual([
    [2048, 2048],
    [1024, 1024],
  ]);
  const level1 = meta.levels![0]!.array;
  const baseTiles = (reads: string[]) => reads.filter((k) => k.startsWith(`${base}/`)).map((k) => k.slice(base.length + 3)); // 'row/col'

  // One wheel flick at the viewport's centre: about ×9, past 100 %: the base level, its tiles on screen only.
  const vp = (await page.getByTestId('viewer-canvas-viewport').boundingBox())!;
  let mark = (await chunkReads(page)).reads;
  await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
  await page.mouse.wheel(0, -1500);
  await expect(viewer).toHaveAttribute('data-level', '0');
  const tilesAttr = async () => (await viewer.getAttribute('data-tiles'))!.split(' ');
  /** Every tile of the view shown is read: the view's tiles. */
  const settled = async () => {
    await expect
      .poll(() => viewer.evaluate((el) => el.getAttribute('data-tiles')!.split(' ').filter(Boolean).length === Number(el.getAttribute('data-tiles-loaded'))))
      .toBe(true);
    return tilesAttr();
  };
  let visible = await settled();
  expect(visible.length).toBeGreaterThan(0);
  expect(visible.length).toBeLessThan(16);
  let reads = await readsSince(page, mark);
  expect(new Set(baseTiles(reads))).toEqual(new Set(visible.map((t) => t.slice(2))));
  expect(reads.filter((k) => k.startsWith(`${level1}/`))).toEqual([]);
  // The readout is the base value under the cursor.
  await page.mouse.move(vp.x + vp.width / 2 + 3, vp.y + vp.height / 2 + 3);
  const coords = (await page.getByTestId('viewer-coords').textContent())!.match(/x (\d+), y (\d+)/)!;
  const [x, y] = [Number(coords[1]), Number(coords[2])];
  await expect(page.getByTestId('viewer-readout')).toHaveText(String(value(x, y)));
  await shot(page, `${SHOTS_DIR}/viewer-large-zoomed.png`);

  // A drag to the left across the viewport: only the newly visible base tiles are read.
  mark = (await chunkReads(page)).reads;
  const before = new Set(visible);
  await page.mouse.move(vp.x + vp.width * 0.95, vp.y + vp.height * 0.6);
  await page.mouse.down();
  await page.mouse.move(vp.x + vp.width * 0.05, vp.y + vp.height * 0.4, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => (await tilesAttr()).join(' ')).not.toBe(visible.join(' '));
  visible = await settled();
  reads = await readsSince(page, mark);
  const fresh = visible.filter((t) => !before.has(t)).map((t) => t.slice(2));
  expect(fresh.length).toBeGreaterThan(0);
  expect(new Set(baseTiles(reads))).toEqual(new Set(fresh));

  // Fit again: the coarsest level, already read: nothing more from storage.
  mark = (await chunkReads(page)).reads;
  await page.getByTestId('viewer-fit').click();
  await expect(viewer).toHaveAttribute('data-level', '2');
  expect(await readsSince(page, mark)).toEqual([]);
  await shot(page, `${SHOTS_DIR}/viewer-large-fit.png`);
  expect(problems).toEqual([]);
});
