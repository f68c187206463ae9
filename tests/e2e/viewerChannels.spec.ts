// The microscopy viewer (issue 14) in the built app, driven as a person would: a CZYX and a TCZYX image
// are stored through window.algobox with their axes (channel names and colours, physical sizes), the page
// is reloaded, the dataset is opened from the list, and the sliders, the keys, the channel controls and
// the pointer are used. What was read from storage is checked with algobox.stats().chunks (every chunk
// record read, as `<array id>/<zarr key>`); pixel colours are checked against the stored values read
// through the API (the viewer's composite: index = round(v·255/(max − min)), added per colour).
import { expect, test, type Page } from '@playwright/test';
import type { ImageAxes } from '../../src/core/imageAxes';
import { shot, SHOTS_DIR } from './shot';
import { hoverImagePixel, viewportPixel } from './canvas';
import { chunkReads, readsSince } from './chunkReads';
import { openApp, openFromList } from './util';

/** The stored value of `image` at `index` (one per axis), read through the API. */
async function stored(page: Page, id: string, index: number[]): Promise<number> {
  return page.evaluate(
    async ([id, index]) => {
      const a = await window.algobox.datasets.readRegion(
        id,
        'image',
        index.map((i) => [i, i + 1] as [number, number]),
      );
      return Number(a.data[0]);
    },
    [id, index] as const,
  );
}

const index8 = (v: number, lo: number, hi: number) => Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))));

/** The largest 1, 2 or 5 × 10^k not above x (the scale bar's rule, written again here). */
function nice(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

/**
 * Cells (made in the page): per channel DAPI nuclei, GFP cytoplasm rings and mCherry puncta, each fading
 * away from its cell's Z, over a background of 300 + noise in every channel. Shape [C, Z, H, W] (C ≤ 3),
 * or [T, C, Z, H, W] with the cells drifting along T.
 */
function makeCells(shape: number[]): Uint16Array {
  const [T, C, Z, H, W] = shape as [number, number, number, number, number];
  let seed = 12345;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const cells = Array.from({ length: 16 }, () => ({ x: rnd() * W, y: rnd() * H, z: 0.5 + rnd() * (Z - 1), r: 0.07 * W + rnd() * 0.05 * W, a: rnd() * 6.28 }));
  const out = new Uint16Array(T * C * Z * H * W);
  let o = 0;
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++)
      for (let z = 0; z < Z; z++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            let v = 300 + ((x * 7919 + y * 104729 + z * 31 + c * 17 + t * 5) % 97);
            for (const cell of cells) {
              const cx = cell.x + t * 3;
              const d = Math.hypot(x - cx, y - cell.y) / cell.r;
              if (d > 1.6) continue;
              const fz = Math.exp(-((z - cell.z) ** 2) / 2);
              if (c === 0) v += 3000 * Math.exp(-(d * d) / 0.18) * fz;
              else if (c === 1) v += 1800 * Math.exp(-((d - 0.85) ** 2) / 0.03) * fz + 500 * Math.exp(-d * d) * fz;
              else
                for (let k = 0; k < 4; k++) {
                  const px = cx + Math.cos(cell.a + k * 1.7) * cell.r * 0.6;
                  const py = cell.y + Math.sin(cell.a + k * 1.7) * cell.r * 0.6;
                  v += 2600 * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / 6) * fz;
                }
            }
            out[o++] = Math.min(65535, Math.round(v));
          }
  return out;
}

/** `window.makeCells` in the page. */
function installCells(page: Page) {
  return page.evaluate(`window.makeCells = ${makeCells.toString()}`);
}

const µm = (name: string, scale: number) => ({ name, type: 'space' as const, unit: 'micrometer', scale, translation: 0 });
const CHANNELS = [
  { label: 'DAPI', color: '0000FF', window: null, active: true },
  { label: 'GFP', color: '00FF00', window: null, active: true },
  { label: 'mCherry', color: 'FF0000', window: null, active: true },
];

test('a CZYX image: composite of its channels, Z slider reading only that plane, channel controls saved, scale bar and µm coordinates', async ({ page }) => {
  const problems = await openApp(page);
  await installCells(page);
  const [C, Z, H, W] = [3, 5, 256, 256];
  const axes: ImageAxes = {
    axes: [{ name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 }, µm('z', 2), µm('y', 0.5), µm('x', 0.5)],
    channels: CHANNELS,
  };
  const { id, arrayId } = await page.evaluate(
    async ({ shape, axes }) => {
      const data = (window as unknown as { makeCells: (s: number[]) => Uint16Array }).makeCells([1, ...shape]);
      const id = await window.algobox.datasets.put({ image: { dtype: 'uint16', shape, data } }, { name: 'cells CZYX', axes: { image: axes } });
      const meta = (await window.algobox.datasets.list()).find((m) => m.id === id)!;
      return { id, arrayId: meta.keys.image!.array! };
    },
    { shape: [C, Z, H, W], axes },
  );
  const row = await openFromList(page, id);
  // The row says the metadata compactly.
  await expect(row.getByTestId('ds-channels')).toHaveText('3 ch');
  await expect(row.getByTestId('ds-channels')).toHaveAttribute('title', 'DAPI\nGFP\nmCherry');
  await expect(row.getByTestId('ds-z')).toHaveText('Z 5');
  await expect(row.getByTestId('ds-pixel')).toHaveText('0.5 µm/px');
  await expect(row.locator('.ds-meta .mono').first()).toHaveText('256 × 256 × 5 · 3 ch');

  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'hyperstack');
  const canvas = page.getByTestId('viewer-canvas');
  // It opens on the middle Z; there is no T slider.
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  await expect(page.getByTestId('axis-slider-t')).toHaveCount(0);
  await expect(page.getByTestId('hyperstack-position')).toHaveText('z 3/5 · 4.0 µm');
  for (let c = 0; c < 3; c++) await expect(page.getByTestId(`channel-name-${c}`)).toHaveText(CHANNELS[c]!.label);

  // Each channel's Auto window is of the first plane shown (z 2)…
  const autoMax = await Promise.all([0, 1, 2].map((c) => page.getByTestId(`channel-max-${c}`).inputValue()));
  expect(autoMax.every((v) => Number(v) > 1000)).toBe(true);

  // The Z slider: plane 4 reads that plane's chunk of each channel, nothing else.
  let mark = (await chunkReads(page)).reads;
  await page.getByTestId('axis-slider-z').fill('4');
  await expect(canvas).toHaveAttribute('data-drawn', '4');
  expect((await readsSince(page, mark)).sort()).toEqual([0, 1, 2].map((c) => `${arrayId}/c/${c}/4/0/0`));
  await expect(page.getByTestId('axis-slider-z-pos')).toHaveText('5 / 5');
  await expect(page.getByTestId('hyperstack-position')).toHaveText('z 5/5 · 8.0 µm');
  // …and kept while moving through Z.
  for (let c = 0; c < 3; c++) await expect(page.getByTestId(`channel-max-${c}`)).toHaveValue(autoMax[c]!);
  // (Reset computes it on this plane: another window.)
  await page.getByTestId('channel-reset-0').click();
  await expect.poll(() => page.getByTestId('channel-max-0').inputValue()).not.toBe(autoMax[0]);

  // Manual windows 0…4000 in every channel; the canvas is the additive composite of the stored values.
  for (let c = 0; c < 3; c++) {
    await page.getByTestId(`channel-min-${c}`).fill('0');
    await page.getByTestId(`channel-max-${c}`).fill('4000');
  }
  const [px, py] = [128, 100];
  const v = await Promise.all([0, 1, 2].map((c) => stored(page, id, [c, 4, py, px])));
  const i8 = v.map((x) => index8(x, 0, 4000));
  // DAPI blue, GFP green, mCherry red: each colour component is one channel's index.
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([i8[2], i8[1], i8[0], 255]);
  expect(i8.every((x) => x > 0)).toBe(true);

  // Hiding mCherry takes the red out; nothing is read for it.
  mark = (await chunkReads(page)).reads;
  await page.getByTestId('channel-visible-2').uncheck();
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([0, i8[1], i8[0], 255]);
  expect(await readsSince(page, mark)).toEqual([]);
  // Solo: GFP alone, then all active ones again.
  await page.getByTestId('channel-name-1').click();
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([0, i8[1], 0, 255]);
  await page.getByTestId('channel-name-1').click();
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([0, i8[1], i8[0], 255]);
  // Shown again while at another Z: the hidden channel's plane there is read when it is shown.
  await page.getByTestId('viewer-canvas-viewport').focus();
  mark = (await chunkReads(page)).reads;
  await page.keyboard.press(',');
  await expect(canvas).toHaveAttribute('data-drawn', '3');
  expect((await readsSince(page, mark)).sort()).toEqual([0, 1].map((c) => `${arrayId}/c/${c}/3/0/0`));
  mark = (await chunkReads(page)).reads;
  await page.getByTestId('channel-visible-2').check();
  await expect.poll(async () => (await readsSince(page, mark)).includes(`${arrayId}/c/2/3/0/0`)).toBe(true);
  const v3 = await Promise.all([0, 1, 2].map((c) => stored(page, id, [c, 3, py, px])));
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([index8(v3[2]!, 0, 4000), index8(v3[1]!, 0, 4000), index8(v3[0]!, 0, 4000), 255]);

  // The readout: pixel indices, physical position (0.5 µm pixels, z 3 × 2 µm) and every channel's value.
  await hoverImagePixel(page, px, py);
  await expect(page.getByTestId('viewer-coords')).toHaveText(`x ${px}, y ${py}`);
  await expect(page.getByTestId('viewer-physical')).toHaveText('x 64.0 µm, y 50.0 µm · z 6.0 µm');
  await expect(page.getByTestId('viewer-readout')).toHaveText(`DAPI ${v3[0]} · GFP ${v3[1]} · mCherry ${v3[2]}`);

  // The scale bar: the largest 1/2/5 × 10^k µm not above 120 screen pixels at this zoom, following the zoom.
  const bar = page.getByTestId('scale-bar');
  const expectBar = async () => {
    const zoom = Number(await page.getByTestId('viewer-canvas-viewport').getAttribute('data-zoom'));
    const value = nice((120 * 0.5) / zoom);
    await expect(page.getByTestId('scale-bar-label')).toHaveText(`${value} µm`);
    const width = await bar.locator('.scale-bar-line').evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeCloseTo((value / 0.5) * zoom, 0);
    return value;
  };
  const fitted = await expectBar();
  await page.getByTestId('viewer-canvas-viewport').focus();
  for (let k = 0; k < 6; k++) await page.keyboard.press('+');
  expect(await expectBar()).toBeLessThan(fitted);
  await page.getByTestId('viewer-fit').click();

  // A colour edit is saved with the dataset and survives a reload.
  await page.getByTestId('channel-color-0').fill('#ff00ff');
  await expect
    .poll(() => page.evaluate(async (id) => (await window.algobox.datasets.list()).find((m) => m.id === id)!.keys.image!.axes!.channels[0]!.color, id))
    .toBe('FF00FF');
  await openFromList(page, id);
  await expect(page.getByTestId('channel-color-0')).toHaveValue('#ff00ff');
  await expect(page.getByTestId('channel-max-0')).toHaveValue('4000');
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  // Magenta DAPI: red and blue both carry its index.
  const v2 = await Promise.all([0, 1, 2].map((c) => stored(page, id, [c, 2, py, px])));
  const j = v2.map((x) => index8(x, 0, 4000));
  await expect.poll(() => viewportPixel(page, px, py)).toEqual([Math.min(255, j[2]! + j[0]!), j[1], j[0], 255]);

  // For the docs: the composite with auto windows and its scale bar.
  // Reset: the Auto window again, of the plane shown (z 2 again, so the first windows).
  for (let c = 0; c < 3; c++) await page.getByTestId(`channel-reset-${c}`).click();
  for (let c = 0; c < 3; c++) await expect(page.getByTestId(`channel-max-${c}`)).toHaveValue(autoMax[c]!);
  await page.getByTestId('channel-color-0').fill('#0000ff');
  await hoverImagePixel(page, 128, 100);
  await expect(page.getByTestId('viewer-physical')).toHaveText('x 64.0 µm, y 50.0 µm · z 4.0 µm');
  await shot(page, `${SHOTS_DIR}/viewer-channels.png`);
  expect(problems).toEqual([]);
});

test('a TCZYX image: T and Z sliders, `[` / `]` step T, each position reads only its planes', async ({ page }) => {
  const problems = await openApp(page);
  await installCells(page);
  const shape = [3, 2, 4, 64, 64];
  const axes: ImageAxes = {
    axes: [
      { name: 't', type: 'time', unit: 'second', scale: 5, translation: 0 },
      { name: 'c', type: 'channel', unit: null, scale: 1, translation: 0 },
      µm('z', 2),
      µm('y', 0.5),
      µm('x', 0.5),
    ],
    channels: CHANNELS.slice(0, 2),
  };
  const { id, arrayId } = await page.evaluate(
    async ({ shape, axes }) => {
      const data = (window as unknown as { makeCells: (s: number[]) => Uint16Array }).makeCells(shape);
      const id = await window.algobox.datasets.put({ image: { dtype: 'uint16', shape, data } }, { name: 'cells TCZYX', axes: { image: axes } });
      const meta = (await window.algobox.datasets.list()).find((m) => m.id === id)!;
      return { id, arrayId: meta.keys.image!.array! };
    },
    { shape, axes },
  );
  const row = await openFromList(page, id);
  await expect(row.getByTestId('ds-t')).toHaveText('T 3');
  await expect(row.getByTestId('ds-z')).toHaveText('Z 4');
  await expect(row.getByTestId('ds-channels')).toHaveText('2 ch');
  const canvas = page.getByTestId('viewer-canvas');
  // T starts at 0, Z in the middle: the drawn position is "t,z".
  await expect(canvas).toHaveAttribute('data-drawn', '0,1');
  await expect(page.getByTestId('hyperstack-position')).toHaveText('t 1/3 · 0 s · z 2/4 · 2.0 µm');

  let mark = (await chunkReads(page)).reads;
  await page.getByTestId('axis-slider-t').fill('2');
  await expect(canvas).toHaveAttribute('data-drawn', '2,1');
  expect((await readsSince(page, mark)).sort()).toEqual([0, 1].map((c) => `${arrayId}/c/2/${c}/1/0/0`));
  await expect(page.getByTestId('hyperstack-position')).toHaveText('t 3/3 · 10 s · z 2/4 · 2.0 µm');

  // [ steps T back, . steps Z; the Z slider keeps T.
  await page.getByTestId('viewer-canvas-viewport').focus();
  mark = (await chunkReads(page)).reads;
  await page.keyboard.press('[');
  await expect(canvas).toHaveAttribute('data-drawn', '1,1');
  await page.keyboard.press('.');
  await expect(canvas).toHaveAttribute('data-drawn', '1,2');
  await page.getByTestId('axis-slider-z').fill('0');
  await expect(canvas).toHaveAttribute('data-drawn', '1,0');
  expect((await readsSince(page, mark)).sort()).toEqual(['1/0/1', '1/0/2', '1/0/0', '1/1/1', '1/1/2', '1/1/0'].map((k) => `${arrayId}/c/${k}/0/0`).sort());
  await expect(page.getByTestId('axis-slider-t').locator('..').locator('..')).toHaveAttribute('title', 'Keys: [ and ] step T');

  // The values shown are those of t 1, z 0.
  await page.getByTestId('channel-min-0').fill('0');
  await page.getByTestId('channel-max-0').fill('4000');
  await page.getByTestId('channel-min-1').fill('0');
  await page.getByTestId('channel-max-1').fill('4000');
  const v = await Promise.all([0, 1].map((c) => stored(page, id, [1, c, 0, 30, 20])));
  await expect.poll(() => viewportPixel(page, 20, 30)).toEqual([0, index8(v[1]!, 0, 4000), index8(v[0]!, 0, 4000), 255]);
  expect(problems).toEqual([]);
});

test('a Volume and 2-D images with physical axes: scale bar and µm coordinates; fluorescence CYX is a composite, RGB stays RGB', async ({ page }) => {
  const problems = await openApp(page);
  const ids = await page.evaluate(
    async (axes) => {
      const put = window.algobox.datasets.put;
      const vol = new Uint16Array(4 * 32 * 32).map((_, i) => i % 1000);
      const volume = await put(
        { volume: { dtype: 'uint16', shape: [4, 32, 32], data: vol } },
        { name: 'volume µm', schema: 'Volume', axes: { volume: { axes: [axes.z, axes.y, axes.x], channels: [] } } },
      );
      const rgb = new Uint8Array(3 * 16 * 16).map((_, i) => i % 251);
      const plain = await put({ image: { dtype: 'uint8', shape: [3, 16, 16], data: rgb } }, { name: 'rgb plain', schema: 'Image' });
      const fluo = await put(
        { image: { dtype: 'uint8', shape: [3, 16, 16], data: rgb } },
        { name: 'fluo CYX', schema: 'Image', axes: { image: { axes: [axes.c, axes.y, axes.x], channels: axes.channels } } },
      );
      const gray = await put(
        { image: { dtype: 'uint8', shape: [16, 16], data: rgb.subarray(0, 256) } },
        { name: 'gray µm', schema: 'Image', axes: { image: { axes: [axes.y, axes.x], channels: [] } } },
      );
      return { volume, plain, fluo, gray };
    },
    { c: { name: 'c', type: 'channel' as const, unit: null, scale: 1, translation: 0 }, z: µm('z', 2), y: µm('y', 0.25), x: µm('x', 0.25), channels: CHANNELS },
  );

  await openFromList(page, ids.volume);
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'volume');
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-drawn', '1');
  await expect(page.getByTestId('scale-bar')).toBeVisible();
  const zoom = Number(await page.getByTestId('viewer-canvas-viewport').getAttribute('data-zoom'));
  await expect(page.getByTestId('scale-bar-label')).toHaveText(`${nice((120 * 0.25) / zoom)} µm`);
  await hoverImagePixel(page, 10, 3);
  await expect(page.getByTestId('viewer-physical')).toHaveText('x 2.50 µm, y 0.75 µm · z 2.0 µm');

  await openFromList(page, ids.fluo);
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'hyperstack');
  await expect(page.getByTestId('channel-name-2')).toHaveText('mCherry');
  await expect(page.getByTestId('scale-bar')).toBeVisible();

  await openFromList(page, ids.gray);
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'image');
  await expect(page.getByTestId('scale-bar')).toBeVisible();
  await hoverImagePixel(page, 2, 3);
  await expect(page.getByTestId('viewer-coords')).toHaveText('x 2, y 3');
  await expect(page.getByTestId('viewer-physical')).toHaveText('x 0.50 µm, y 0.75 µm');
  await expect(page.getByTestId('viewer-readout')).toHaveText(String(3 * 16 + 2));

  await openFromList(page, ids.plain);
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'image');
  await expect(page.getByTestId('image-viewer')).toBeVisible();
  await expect(page.getByTestId('scale-bar')).toHaveCount(0);
  await hoverImagePixel(page, 2, 2);
  await expect(page.getByTestId('viewer-readout')).toHaveText(/^R \d+ G \d+ B \d+$/);
  await expect(page.getByTestId('viewer-physical')).toHaveCount(0);
  expect(problems).toEqual([]);
});
