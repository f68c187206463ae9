// Issue 15, the viewer as napari/Fiji users expect, in the built app and driven through the UI: the
// histogram under the image with draggable min/max and gamma handles and window presets (gray and per
// channel for RGB), label colours picked per label or from a table (saved with the dataset: they survive
// a reload), and one way of writing dimensions (width × height, channels named) in the list and the
// viewer. The data are stored through window.algobox (importing them through the UI is tested in
// datasets.spec.ts); the viewer is opened from the datasets list. Canvas `viewer-canvas` holds the
// rendered image at native resolution: canvas pixel (x, y) is image pixel (x, y).
import { expect, test, type Page } from '@playwright/test';
import { decode as pngDecode } from 'fast-png';
import { readFileSync } from 'node:fs';
import { labelTable } from '../../src/app/viewers/render/labelTables';
import { shot, SHOTS_DIR } from './shot';
import { canvasReady, viewportPixel } from './canvas';
import { openApp, openFromList } from './util';

async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement | null;
      if (!c || !c.width) return [];
      return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
    },
    [x, y] as const,
  );
}

/** The window's 8-bit index of v, then gamma (the documented rules of render/window.ts). */
const index8 = (v: number, lo: number, hi: number) => Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))));
const bend = (i: number, g: number) => Math.round(255 * Math.pow(i / 255, g));

/** Drag histogram handle `which` to value v of a uint8 histogram (one bin per value: the x axis spans −0.5 … 255.5). */
async function dragHandle(page: Page, which: 'min' | 'max' | 'gamma', toFraction: number) {
  const handle = page.getByTestId(`histogram-${which}`);
  const hb = (await handle.boundingBox())!;
  const over = (await page.locator('[data-testid="window-histogram"] .u-over').boundingBox())!;
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  const x = over.x + toFraction * over.width;
  await page.mouse.move((hb.x + x) / 2, hb.y + hb.height / 2, { steps: 3 });
  await page.mouse.move(x, hb.y + hb.height / 2, { steps: 3 });
  await page.mouse.up();
}
const uint8Fraction = (v: number) => (v + 0.5) / 256;

test('the histogram under the image: drag min and max, gamma by field and handle, presets', async ({ page }) => {
  const problems = await openApp(page);
  const [W, H] = [64, 48];
  // value = 4·x (0 … 252), every column 48 times: Auto (0.35 %/99.65 %) is 0 … 252.
  const id = await page.evaluate(
    ([W, H]) =>
      window.algobox.datasets.put(
        { image: { dtype: 'uint8', shape: [H, W], data: new Uint8Array(W * H).map((_, i) => (i % W) * 4) } },
        { name: 'ramp8', schema: 'Image' },
      ),
    [W, H] as const,
  );
  await openFromList(page, id);
  await canvasReady(page, W, H);
  await expect(page.getByTestId('window-histogram')).toBeVisible();
  await expect(page.getByTestId('contrast-min')).toHaveValue('0');
  await expect(page.getByTestId('contrast-max')).toHaveValue('252');
  await expect(page.getByTestId('preset-auto')).toHaveAttribute('aria-pressed', 'true');
  expect(await pixel(page, 30, 5)).toEqual([index8(120, 0, 252), index8(120, 0, 252), index8(120, 0, 252), 255]);

  // Drag the min handle to about 100: the field follows, the window is manual, pixels below are black.
  await dragHandle(page, 'min', uint8Fraction(100));
  await expect(page.getByTestId('contrast-mode')).toHaveValue('manual');
  const min = Number(await page.getByTestId('contrast-min').inputValue());
  expect(Math.abs(min - 100)).toBeLessThanOrEqual(2);
  await expect(page.getByTestId('histogram-min')).toHaveAttribute('aria-valuetext', String(min));
  await expect.poll(() => pixel(page, 30, 5)).toEqual([index8(120, min, 252), index8(120, min, 252), index8(120, min, 252), 255]);
  expect(await pixel(page, 20, 5)).toEqual([0, 0, 0, 255]); // 80 < min

  // And the max handle to about 200: 208 and above are white.
  await dragHandle(page, 'max', uint8Fraction(200));
  const max = Number(await page.getByTestId('contrast-max').inputValue());
  expect(Math.abs(max - 200)).toBeLessThanOrEqual(2);
  await expect.poll(() => pixel(page, 52, 5)).toEqual([255, 255, 255, 255]);
  const g1 = index8(160, min, max);
  expect(await pixel(page, 40, 5)).toEqual([g1, g1, g1, 255]);

  // Gamma 0.5 typed: the same pixel brightens to round(255·(i/255)^0.5).
  await page.getByTestId('contrast-gamma').fill('0.5');
  await expect.poll(() => pixel(page, 40, 5)).toEqual([bend(g1, 0.5), bend(g1, 0.5), bend(g1, 0.5), 255]);
  await expect(page.getByTestId('histogram-window')).toHaveText(`${min} – ${max} · γ 0.5`);
  await expect(page.getByTestId('histogram-gamma')).toHaveAttribute('aria-valuetext', '0.5');

  // Dragging the gamma handle towards max darkens the mid-tones (γ > 1), and the field follows.
  await dragHandle(page, 'gamma', uint8Fraction(min + 0.8 * (max - min)));
  const gamma = Number(await page.getByTestId('contrast-gamma').inputValue());
  expect(gamma).toBeGreaterThan(2.5); // 0.8 of the way: γ = log 0.5 / log 0.8 ≈ 3.1
  expect(gamma).toBeLessThan(3.8);
  await expect.poll(() => pixel(page, 40, 5)).toEqual([bend(g1, gamma), bend(g1, gamma), bend(g1, gamma), 255]);
  await page.getByTestId('contrast-gamma').fill('0.5');
  await shot(page, `${SHOTS_DIR}/histogram.png`);

  // Presets: Full range (uint8: 0 … 255), gamma kept; Auto again.
  await page.getByTestId('preset-dtype').click();
  await expect(page.getByTestId('contrast-min')).toHaveValue('0');
  await expect(page.getByTestId('contrast-max')).toHaveValue('255');
  await expect(page.getByTestId('contrast-mode')).toHaveValue('dtype');
  const g2 = bend(index8(128, 0, 255), 0.5);
  await expect.poll(() => pixel(page, 32, 5)).toEqual([g2, g2, g2, 255]);
  await page.getByTestId('preset-auto').click();
  await expect(page.getByTestId('contrast-max')).toHaveValue('252');
  await page.getByTestId('contrast-reset').click();
  await expect(page.getByTestId('contrast-gamma')).toHaveValue('1');
  await expect.poll(() => pixel(page, 30, 5)).toEqual([index8(120, 0, 252), index8(120, 0, 252), index8(120, 0, 252), 255]);
  expect(problems).toEqual([]);
});

test('an RGB image: three channel histograms, and R moves the red window alone', async ({ page }) => {
  const problems = await openApp(page);
  const [W, H] = [64, 8];
  // R = G = B = 4·x.
  const id = await page.evaluate(
    ([W, H]) => {
      const n = W * H;
      const d = new Uint8Array(3 * n).map((_, i) => ((i % n) % W) * 4);
      return window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [3, H, W], data: d } }, { name: 'rgb ramp', schema: 'Image' });
    },
    [W, H] as const,
  );
  await openFromList(page, id);
  await canvasReady(page, W, H);
  const v = index8(124, 0, 252);
  expect(await pixel(page, 31, 2)).toEqual([v, v, v, 255]);
  await page.getByTestId('histogram-channel-R').click();
  // Red's max to about 120: 124 is then above it (white in red) …
  await dragHandle(page, 'max', uint8Fraction(120));
  await expect.poll(async () => (await pixel(page, 31, 2))[0]).toBe(255);
  const [, g, b] = await pixel(page, 31, 2);
  expect([g, b]).toEqual([v, v]); // … while green and blue keep the shared window
  await expect(page.getByTestId('contrast-max')).toHaveValue('252');
  // The shared presets drop the per-channel windows.
  await page.getByTestId('preset-auto').click();
  await expect.poll(() => pixel(page, 31, 2)).toEqual([v, v, v, 255]);
  expect(problems).toEqual([]);
});

test('a composite: the gamma and histogram presets of a channel apply and are saved with its channels', async ({ page }) => {
  const problems = await openApp(page);
  const [W, H] = [16, 8];
  // Two channels (a hyperstack): red = 16·x, green = 0.
  const id = await page.evaluate(
    ([W, H]) => {
      const n = W * H;
      const data = new Uint8Array(2 * n).map((_, i) => (i < n ? (i % W) * 16 : 0));
      const ax = (name: string, type: 'channel' | 'space') => ({ name, type, unit: null, scale: 1, translation: 0 });
      const axes = {
        axes: [ax('c', 'channel'), ax('y', 'space'), ax('x', 'space')],
        channels: [
          { label: 'A', color: 'FF0000', window: { start: 0, end: 255 }, active: true },
          { label: 'B', color: '00FF00', window: { start: 0, end: 255 }, active: true },
        ],
      };
      return window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [2, H, W], data } }, { name: 'two channels', axes: { image: axes } });
    },
    [W, H] as const,
  );
  await openFromList(page, id);
  await expect(page.getByTestId('hyperstack-viewer')).toBeVisible();
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-drawn', /.*/);
  await expect.poll(() => viewportPixel(page, 8, 4)).toEqual([128, 0, 0, 255]);
  await page.getByTestId('channel-gamma-0').fill('0.5');
  await expect.poll(() => viewportPixel(page, 8, 4)).toEqual([bend(128, 0.5), 0, 0, 255]);
  // The channel histogram (channel A): Min–max of its plane is 0 … 240.
  await expect(page.getByTestId('histogram-channel')).toHaveValue('0');
  await page.getByTestId('channel-histogram').getByTestId('preset-minmax').click();
  await expect(page.getByTestId('channel-max-0')).toHaveValue('240');
  await expect.poll(() => viewportPixel(page, 8, 4)).toEqual([bend(index8(128, 0, 240), 0.5), 0, 0, 255]);
  await expect
    .poll(() => page.evaluate(async (id) => (await window.algobox.datasets.list()).find((d) => d.id === id)?.keys.image?.axes?.channels[0], id))
    .toMatchObject({ window: { start: 0, end: 240 }, gamma: 0.5 });
  expect(problems).toEqual([]);
});

test('label colours: a colour per label and a colour table, saved with the dataset across a reload', async ({ page }) => {
  const problems = await openApp(page);
  const [W, H] = [40, 20];
  // An orange image (R 255, G 128, B 0 as gray 180 here) with labels 1 (left half) and 2 (right half).
  const id = await page.evaluate(
    ([W, H]) =>
      window.algobox.datasets.put(
        {
          image: { dtype: 'uint8', shape: [H, W], data: new Uint8Array(W * H).fill(180) },
          mask: { dtype: 'uint8', shape: [H, W], data: new Uint8Array(W * H).map((_, i) => (i % W < W / 2 ? 1 : 2)) },
        },
        { name: 'cells with labels' },
      ),
    [W, H] as const,
  );
  await openFromList(page, id);
  await canvasReady(page, W, H);
  await page.getByTestId('overlay-opacity').fill('1');
  // Label 1 starts in the default table's first colour (tab10 orange).
  await expect.poll(() => pixel(page, 5, 5)).toEqual([255, 127, 14, 255]);
  await page.getByTestId('label-color-1').fill('#00ff80');
  await expect.poll(() => pixel(page, 5, 5)).toEqual([0, 255, 128, 255]);
  await page.getByTestId('label-table').selectOption('cyan');
  await expect.poll(() => pixel(page, 30, 5)).toEqual([0, 255, 255, 255]);
  expect(await pixel(page, 5, 5)).toEqual([0, 255, 128, 255]); // its own colour wins over the table
  await expect(page.getByTestId('label-color-2')).toHaveValue('#00ffff');
  await shot(page, `${SHOTS_DIR}/label-colours.png`);
  // Saved with the dataset (the mask field's axes metadata).
  await expect
    .poll(() => page.evaluate(async (id) => (await window.algobox.datasets.list()).find((d) => d.id === id)?.keys.mask?.axes?.labels, id))
    .toEqual({ table: 'cyan', colors: { '1': '00FF80' } });

  await openFromList(page, id);
  await canvasReady(page, W, H);
  await page.getByTestId('overlay-opacity').fill('1');
  await expect.poll(() => pixel(page, 5, 5)).toEqual([0, 255, 128, 255]);
  expect(await pixel(page, 30, 5)).toEqual([0, 255, 255, 255]);
  await expect(page.getByTestId('label-table')).toHaveValue('cyan');
  await page.getByTestId('label-colors-reset').click();
  await expect.poll(() => pixel(page, 5, 5)).toEqual([0, 255, 255, 255]);

  // Pick under the pointer: "Pick a label on the image", click label 2, give it its own colour.
  await page.getByTestId('label-pick').click();
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!;
  await page.mouse.click(box.x + (30.5 * box.width) / W, box.y + (5.5 * box.height) / H);
  await expect(page.getByTestId('label-picked')).toContainText('Label 2 (picked)');
  await expect(page.getByTestId('label-pick')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('label-picked-color').fill('#ff00ff');
  await expect.poll(() => pixel(page, 30, 5)).toEqual([255, 0, 255, 255]);
  await expect(page.getByTestId('label-color-2')).toHaveValue('#ff00ff');
  expect(await pixel(page, 5, 5)).toEqual([0, 255, 255, 255]);
  expect(problems).toEqual([]);
});

test('the indexed PNG export of a mask uses the label colours set in the viewer', async ({ page }) => {
  const problems = await openApp(page);
  const [W, H] = [12, 6];
  const id = await page.evaluate(
    ([W, H]) =>
      window.algobox.datasets.put(
        { mask: { dtype: 'uint8', shape: [H, W], data: new Uint8Array(W * H).map((_, i) => (i % W) % 3) } },
        { name: 'three labels', schema: 'Segmentation' },
      ),
    [W, H] as const,
  );
  const row = await openFromList(page, id);
  await canvasReady(page, W, H);
  await page.getByTestId('label-table').selectOption('glasbey');
  await page.getByTestId('label-color-2').fill('#ff8800');
  const glasbey1 = Array.from(labelTable('glasbey').subarray(3, 6));
  await expect.poll(() => pixel(page, 1, 0)).toEqual([...glasbey1, 255]); // over black, opaque
  await expect.poll(() => pixel(page, 2, 0)).toEqual([255, 136, 0, 255]);
  await expect
    .poll(() => page.evaluate(async (id) => (await window.algobox.datasets.list()).find((d) => d.id === id)?.keys.mask?.axes?.labels, id))
    .toEqual({ table: 'glasbey', colors: { '2': 'FF8800' } });
  await row.getByTestId('row-menu').click();
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  const png = pngDecode(new Uint8Array(readFileSync((await d.path())!)));
  expect(png.palette).toEqual([[0, 0, 0], glasbey1, [255, 136, 0]]);
  expect(Array.from(png.data.subarray(0, 3))).toEqual([0, 1, 2]);
  expect(problems).toEqual([]);
});

test('dimensions are written width × height, channels named, the same in the list and the viewer', async ({ page }) => {
  const problems = await openApp(page);
  const ids = await page.evaluate(async () => {
    const api = window.algobox;
    const gray = await api.datasets.put(
      { image: { dtype: 'uint8', shape: [303, 384], data: new Uint8Array(303 * 384).map((_, i) => ((i % 384) + Math.floor(i / 384)) % 256) } },
      { name: 'wide gray', schema: 'Image' },
    );
    const rgb = await api.datasets.put(
      { image: { dtype: 'uint8', shape: [3, 64, 32], data: new Uint8Array(3 * 64 * 32) } },
      { name: 'tall rgb', schema: 'Image' },
    );
    return { gray, rgb };
  });
  for (const [id, text, w, h, stored] of [
    [ids.gray, '384 × 303', 384, 303, '[303, 384] (y, x)'],
    [ids.rgb, '32 × 64 · 3 ch (RGB)', 32, 64, '[3, 64, 32] (c, y, x)'],
  ] as const) {
    const row = await openFromList(page, id);
    const listDims = row.getByTestId('ds-dims');
    await expect(listDims).toHaveText(text);
    await expect(listDims).toHaveAttribute('title', new RegExp(`^width × height\\. .*Stored shape ${stored.replace(/[[\]()]/g, '\\$&')}`));
    await canvasReady(page, w, h);
    await expect(page.getByTestId('viewer-dims')).toHaveText(`image ${text} uint8`);
    await expect(page.getByTestId('viewer-dims')).toHaveAttribute('title', new RegExp(`Stored shape ${stored.replace(/[[\]()]/g, '\\$&')}`));
    // The status line (no pointer over the image) writes the same width × height.
    await page.mouse.move(0, 0);
    await expect(page.getByTestId('viewer-size')).toHaveText(`${w} × ${h} px`);
  }
  await openFromList(page, ids.gray);
  await canvasReady(page, 384, 303);
  await shot(page, `${SHOTS_DIR}/dimensions.png`);
  expect(problems).toEqual([]);
});
