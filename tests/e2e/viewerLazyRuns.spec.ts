// Lazy run viewers in the built app: a run on a Volume (the built-in threshold_segmentation, Otsu, and
// tv_denoising) is opened as a person would (the run's row in the runs panel, then "Open results"), and
// its result is shown one slice at a time: slice k of the mask over slice k of the input volume, and
// before/after slice k for the denoised volume. What was read is checked with algobox.stats().chunks
// (every chunk record read, as `<array id>/<zarr key>`): moving to slice k reads exactly the output's
// and the input's chunk of slice k, never the volumes whole.
import { expect, test, type Page } from '@playwright/test';
import { formatValue } from '../../src/app/viewers/render/format';
import { shot, SHOTS_DIR } from './shot';
import { openApp } from './util';

const [Z, H, W] = [6, 256, 256];
/** Slice z: a disc of radius 20 + 15·z (bright, ~3000) on a dim textured background (~1000): Otsu splits them exactly. */
const inDisc = (z: number, x: number, y: number) => (x - 128) ** 2 + (y - 128) ** 2 < (20 + 15 * z) ** 2;
const voxel = (z: number, x: number, y: number) => (inDisc(z, x, y) ? 3000 + ((x * 3 + y) % 50) * 4 : 1000 + ((x + 2 * y) % 64) * 4);
const discArea = (z: number) => {
  let n = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inDisc(z, x, y)) n++;
  return n;
};

async function readsSince(page: Page, from: number): Promise<string[]> {
  const s = await page.evaluate(async () => (await window.algobox.stats()).chunks);
  expect(s.reads - from).toBeLessThanOrEqual(s.recent.length);
  return s.recent.slice(s.recent.length - (s.reads - from));
}
const chunkMark = (page: Page) => page.evaluate(async () => (await window.algobox.stats()).chunks.reads);

/** Reload (the runs panel lists what the API ran), select run `id` in the runs panel and open its results; the chunk count before opening. */
async function openRunResults(page: Page, id: string): Promise<number> {
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  const mark = await chunkMark(page);
  await page.locator(`[data-testid="run-row"][data-id="${id}"]`).getByRole('button').click();
  await page.getByTestId('run-details').getByTestId('run-open-results').click();
  return mark;
}

/** Canvas pixel (x, y): the segmentation and compare canvases hold the slice at native resolution. */
function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement | null;
      return c && c.width ? Array.from(c.getContext('2d')!.getImageData(x!, y!, 1, 1).data) : [];
    },
    [x, y],
  );
}

/** A Volume [6, 256, 256] uint16 (one chunk per slice), and its array id. */
async function putVolume(page: Page): Promise<{ volumeId: string; volumeArray: string }> {
  return page.evaluate(
    async ([Z, H, W]) => {
      // The page's copy of inDisc and voxel (above).
      const inDisc = (z: number, x: number, y: number) => (x - 128) ** 2 + (y - 128) ** 2 < (20 + 15 * z) ** 2;
      const voxel = (z: number, x: number, y: number) => (inDisc(z, x, y) ? 3000 + ((x * 3 + y) % 50) * 4 : 1000 + ((x + 2 * y) % 64) * 4);
      const data = new Uint16Array(Z * H * W);
      for (let z = 0; z < Z; z++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(z * H + y) * W + x] = voxel(z, x, y);
      const volumeId = await window.algobox.datasets.put({ volume: { dtype: 'uint16', shape: [Z, H, W], data } }, { name: 'discs', schema: 'Volume' });
      const meta = (await window.algobox.datasets.list()).find((m) => m.id === volumeId)!;
      return { volumeId, volumeArray: meta.keys.volume!.array! };
    },
    [Z, H, W] as const,
  );
}

/** Run built-in algorithm `name` on `input` through the API; the run's id, output id and the output field's array id. */
async function runBuiltin(page: Page, name: string, inputs: string[], args: Record<string, unknown>, field: string) {
  return page.evaluate(
    async ([name, inputs, args, field]) => {
      const api = window.algobox;
      const alg = await api.algorithms.get(name);
      const runId = await api.execute({ algorithmId: alg.id, inputDatasetIds: inputs, args });
      const rec = await api.executions.wait(runId);
      if (rec.status !== 'COMPLETED') throw new Error(rec.error?.message ?? rec.status);
      const outId = rec.outputDatasetIds[0]!;
      const f = (await api.datasets.list()).find((m) => m.id === outId)!.keys[field]!;
      return { runId, outId, outIds: rec.outputDatasetIds, array: f.array!, chunkShape: f.chunkShape! };
    },
    [name, inputs, args, field] as const,
  );
}

test('a segmentation of a Volume opens slice by slice: mask slice k over input slice k, only their chunks read, legend of the slice', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = await openApp(page);
  const { volumeId, volumeArray } = await putVolume(page);
  const seg = await runBuiltin(page, 'threshold_segmentation', [volumeId], { thresholding_algorithm: 'otsu' }, 'mask');
  expect(seg.chunkShape).toEqual([1, H, W]);
  // The mask is the disc of each slice (Otsu falls between the two populations).
  const maskSum = await page.evaluate(
    async ([id, z]) => Array.from((await window.algobox.datasets.readRegion(id, 'mask', [[z, z + 1], null, null])).data as Uint8Array).filter((v) => v).length,
    [seg.outId, 4] as const,
  );
  expect(maskSum).toBe(discArea(4));

  let mark = await openRunResults(page, seg.runId);
  const viewer = page.getByTestId('segmentation-viewer');
  await expect(viewer).toBeVisible();
  const canvas = page.getByTestId('viewer-canvas');
  // Slice controls over Z (6 slices), opened on the middle slice as the volume viewer does.
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('3 / 6');
  await expect(page.getByTestId('slice-slider')).toHaveAttribute('max', '5');
  await expect(page.getByTestId('output-slider')).toHaveCount(0); // one output
  // Opening read slice 2 of the mask and of the input, nothing else: neither volume is read whole.
  expect((await readsSince(page, mark)).sort()).toEqual([`${seg.array}/c/2/0/0`, `${volumeArray}/c/2/0/0`].sort());

  // Slice 4: exactly the mask's and the input's chunk of slice 4.
  mark = await chunkMark(page);
  await page.getByTestId('slice-slider').fill('4');
  await expect(canvas).toHaveAttribute('data-drawn', '4');
  expect((await readsSince(page, mark)).sort()).toEqual([`${seg.array}/c/4/0/0`, `${volumeArray}/c/4/0/0`].sort());
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('5 / 6');

  // The legend counts this slice's labels.
  await expect(page.getByTestId('label-legend-title')).toHaveText('Labels in this slice (z 5 / 6)');
  const areaText = await page.evaluate((n) => `${n.toLocaleString()} px`, discArea(4));
  await expect(page.getByTestId('label-legend')).toContainText(areaText);
  await expect(page.getByTestId('label-legend')).toContainText(`Background (0): ${await page.evaluate((n) => n.toLocaleString(), H * W - discArea(4))} px`);

  // The overlay is drawn: label 1 at 50 % over the input slice windowed 0…4000; label 0 is the slice itself.
  await page.getByTestId('contrast-mode').selectOption('manual');
  await page.getByTestId('contrast-min').fill('0');
  await page.getByTestId('contrast-max').fill('4000');
  const gray = (v: number) => Math.round((v * 255) / 4000);
  const bg = gray(voxel(4, 5, 5));
  await expect.poll(() => pixel(page, 5, 5)).toEqual([bg, bg, bg, 255]);
  await page.getByTestId('overlay-opacity').fill('1');
  await expect.poll(() => pixel(page, 128, 128)).toEqual([255, 127, 14, 255]);
  // Radius 80 at slice 4, 65 at slice 3: (128 + 70, 128) is in the disc of 4, not of 3.
  expect(await pixel(page, 198, 128)).toEqual([255, 127, 14, 255]);
  await page.getByTestId('overlay-opacity').fill('0.5');

  // `,` steps back one slice: its two chunks, and the overlay follows the smaller disc.
  await page.getByTestId('viewer-canvas-viewport').focus();
  mark = await chunkMark(page);
  await page.keyboard.press(',');
  await expect(canvas).toHaveAttribute('data-drawn', '3');
  expect((await readsSince(page, mark)).sort()).toEqual([`${seg.array}/c/3/0/0`, `${volumeArray}/c/3/0/0`].sort());
  const v3 = gray(voxel(3, 198, 128));
  await expect.poll(() => pixel(page, 198, 128)).toEqual([v3, v3, v3, 255]);
  await expect(page.getByTestId('label-legend')).toContainText(await page.evaluate((n) => `${n.toLocaleString()} px`, discArea(3)));
  await shot(page, `${SHOTS_DIR}/viewer-volume-segmentation.png`);

  // The mask dataset opened from the datasets list: the same, over its source (extra.inputs), slice by slice.
  // (Not a reload: the run's deep link would open its results again first.)
  await page.goto('/');
  await page.evaluate(() => window.algobox.ready);
  mark = await chunkMark(page);
  const row = page.locator(`[data-testid="dataset-row"][data-row-id="${seg.outId}"]`);
  await row.scrollIntoViewIfNeeded();
  await row.click();
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'mask');
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  expect((await readsSince(page, mark)).sort()).toEqual([`${seg.array}/c/2/0/0`, `${volumeArray}/c/2/0/0`].sort());
  await expect(page.getByTestId('label-legend')).toContainText(await page.evaluate((n) => `${n.toLocaleString()} px`, discArea(2)));
  await expect(page.locator('.viewer-note')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('a denoised Volume opens slice by slice: before and after slice k, only their chunks read', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = await openApp(page);
  const { volumeId, volumeArray } = await putVolume(page);
  // A second, smaller Volume: the run has two outputs, each a stack of slices.
  const small = await page.evaluate(() =>
    window.algobox.datasets.put(
      { volume: { dtype: 'uint16', shape: [4, 128, 128], data: new Uint16Array(4 * 128 * 128).map((_, i) => (i * 7) % 4000) } },
      { name: 'small', schema: 'Volume' },
    ),
  );
  const tv = await runBuiltin(page, 'tv_denoising', [volumeId, small], { denoising_weight: 0.1 }, 'volume');
  let mark = await openRunResults(page, tv.runId);
  await expect(page.getByTestId('compare-viewer')).toBeVisible();
  const canvas = page.getByTestId('viewer-canvas');
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('3 / 6');
  expect((await readsSince(page, mark)).sort()).toEqual([`${tv.array}/c/2/0/0`, `${volumeArray}/c/2/0/0`].sort());

  mark = await chunkMark(page);
  await page.getByTestId('slice-slider').fill('5');
  await expect(canvas).toHaveAttribute('data-drawn', '5');
  expect((await readsSince(page, mark)).sort()).toEqual([`${tv.array}/c/5/0/0`, `${volumeArray}/c/5/0/0`].sort());

  // The readout names before and after of slice 5 under the cursor (split: the whole slice, both values).
  const after = await page.evaluate(
    async ([id]) =>
      Array.from(
        (
          await window.algobox.datasets.readRegion(id, 'volume', [
            [5, 6],
            [40, 41],
            [200, 201],
          ])
        ).data as Float32Array,
      )[0]!,
    [tv.outId] as const,
  );
  const box = (await canvas.boundingBox())!;
  const s = box.width / W;
  await page.mouse.move(box.x + 200.5 * s, box.y + 40.5 * s);
  await expect(page.getByTestId('viewer-readout')).toHaveText(`before ${voxel(5, 200, 40)} · after ${formatValue(after)}`);
  // Before (left of the split) is the input's slice 5 in the input's window.
  await page.getByTestId('contrast-mode').selectOption('manual');
  await page.getByTestId('contrast-min').fill('0');
  await page.getByTestId('contrast-max').fill('4000');
  const b = Math.round((voxel(5, 10, 128) * 255) / 4000);
  await expect.poll(() => pixel(page, 10, 128)).toEqual([b, b, b, 255]);
  await shot(page, `${SHOTS_DIR}/viewer-volume-compare.png`);

  // The outputs' slider: output 2 is a stack of 4 slices, opened on its middle slice, read slice by slice too.
  await expect(page.getByTestId('output-slider-pos')).toHaveText('1 / 2');
  const second = await page.evaluate(async (id) => (await window.algobox.datasets.list()).find((m) => m.id === id)!.keys.volume!.array!, tv.outIds[1]!);
  const smallArray = await page.evaluate(async (id) => (await window.algobox.datasets.list()).find((m) => m.id === id)!.keys.volume!.array!, small);
  mark = await chunkMark(page);
  await page.getByTestId('output-slider').fill('1');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('2 / 4');
  await expect(canvas).toHaveAttribute('data-drawn', '1');
  expect((await readsSince(page, mark)).sort()).toEqual([`${second}/c/1/0/0`, `${smallArray}/c/1/0/0`].sort());
  expect(problems).toEqual([]);
});

test('a cleaned 3-D mask (Segmentation2Segmentation) opens slice by slice, toggling against slice k of the input mask', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = await openApp(page);
  const { volumeId } = await putVolume(page);
  const seg = await runBuiltin(page, 'threshold_segmentation', [volumeId], { thresholding_algorithm: 'otsu' }, 'mask');
  const clean = await runBuiltin(page, 'mask_cleanup', [seg.outId], { min_size: 64, fill_holes: true }, 'mask');
  let mark = await openRunResults(page, clean.runId);
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  const canvas = page.getByTestId('viewer-canvas');
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('3 / 6');
  // The output mask's and the input mask's slice 2; the input holds no image, and that is not worth a note.
  expect((await readsSince(page, mark)).sort()).toEqual([`${clean.array}/c/2/0/0`, `${seg.array}/c/2/0/0`].sort());
  await expect(page.locator('.viewer-note')).toHaveCount(0);
  mark = await chunkMark(page);
  await page.getByTestId('slice-slider').fill('0');
  await expect(canvas).toHaveAttribute('data-drawn', '0');
  expect((await readsSince(page, mark)).sort()).toEqual([`${clean.array}/c/0/0/0`, `${seg.array}/c/0/0/0`].sort());
  await expect(page.getByTestId('label-legend')).toContainText(await page.evaluate((n) => `${n.toLocaleString()} px`, discArea(0)));
  // T shows the input mask of the same slice (nothing more read).
  mark = await chunkMark(page);
  await page.getByTestId('mask-toggle').click();
  await expect(page.getByTestId('mask-toggle')).toHaveText(/Showing input mask/);
  expect(await readsSince(page, mark)).toEqual([]);
  expect(problems).toEqual([]);
});
