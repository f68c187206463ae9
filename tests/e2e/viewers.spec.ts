// The viewer panel in the built app: each viewer draws the expected pixels. Data are made through
// window.algobox; the viewer is opened through its deep link (?view=kind:id, on load or through
// history + popstate). Canvas `viewer-canvas` holds the rendered image at native resolution:
// canvas pixel (x, y) is image pixel (x, y), read with getImageData.
import { expect, test, type Page } from '@playwright/test';
import { shot } from './shot';

const manifest = (name: string, type: string) => `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "${type}"
tags = ["e2e"]
description = "viewer e2e bundle"
supported_devices = ["cpu"]
default_device = "cpu"
`;

const bundles = {
  invert: {
    'pyproject.toml': manifest('viewer_invert', 'Image2Image'),
    'Runner.js': `import { Image2ImageRunner, ndarray } from "algobox";
export class Runner extends Image2ImageRunner {
  async inference(data) {
    const out = new Uint8Array(data.data.length);
    for (let i = 0; i < out.length; i++) out[i] = 255 - data.data[i];
    return ndarray("uint8", data.shape, out);
  }
}`,
  },
  threshold: {
    'pyproject.toml': manifest('viewer_threshold', 'Image2Segmentation'),
    'Runner.js': `import { Image2SegmentationRunner, ndarray } from "algobox";
export class Runner extends Image2SegmentationRunner {
  async inference(data) {
    const out = new Uint8Array(data.data.length);
    for (let i = 0; i < out.length; i++) out[i] = data.data[i] > 200 ? 1 : 0;
    return ndarray("uint8", data.shape, out);
  }
}`,
  },
  shift: {
    'pyproject.toml': manifest('viewer_shift', 'Image2Alignment'),
    'Runner.js': `import { Image2AlignmentRunner, ndarray } from "algobox";
export class Runner extends Image2AlignmentRunner {
  async inference(data) {
    const out = [];
    for (let i = 0; i + 1 < data.shape[0]; i++) out.push(ndarray("float64", [3, 3], [1, 0, 3, 0, 1, -2, 0, 0, 1]));
    return out;
  }
}`,
  },
  embed: {
    'pyproject.toml': manifest('viewer_embed', 'Image2Embedding'),
    'Runner.js': `import { Image2EmbeddingRunner, ndarray } from "algobox";
export class Runner extends Image2EmbeddingRunner {
  async inference(data) {
    const [n, H, W] = data.shape; const h = 16, w = 16, C = 8;
    const out = new Float32Array(n * C * h * w);
    for (let k = 0; k < n; k++) for (let c = 0; c < C; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = data.data[k * H * W + Math.floor(y * H / h) * W + Math.floor(x * W / w)];
      out[((k * C + c) * h + y) * w + x] = v * Math.cos(c) + x * (c % 3) - y * (c % 2) * 3;
    }
    return ndarray("float32", [n, C, h, w], out);
  }
}`,
  },
};

async function openApp(page: Page, search = '') {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`/${search}`);
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  return problems;
}

/** Select what the viewer shows through its deep link (history + popstate, no reload). */
async function show(page: Page, view: string) {
  await page.evaluate((v) => {
    history.pushState(null, '', `?view=${encodeURIComponent(v)}`);
    dispatchEvent(new PopStateEvent('popstate'));
  }, view);
}

/** RGBA of canvas pixel (x, y) (= image pixel (x, y)). */
async function pixel(page: Page, x: number, y: number, testId = 'viewer-canvas'): Promise<number[]> {
  return page.evaluate(
    ([x, y, id]) => {
      const c = document.querySelector(`canvas[data-testid="${id}"]`) as HTMLCanvasElement | null;
      if (!c || !c.width) return [];
      return Array.from(c.getContext('2d')!.getImageData(x as number, y as number, 1, 1).data);
    },
    [x, y, testId] as const,
  );
}

async function canvasReady(page: Page, w: number, h: number, testId = 'viewer-canvas') {
  const c = page.getByTestId(testId);
  await expect(c).toHaveAttribute('data-width', String(w));
  await expect(c).toHaveAttribute('data-height', String(h));
  await expect(c).toHaveAttribute('data-version', /\d+/);
}

/** Move the mouse over the centre of image pixel (x, y). */
async function hoverPixel(page: Page, x: number, y: number, w: number, testId = 'viewer-canvas') {
  const box = (await page.getByTestId(testId).boundingBox())!;
  const s = box.width / w;
  await page.mouse.move(box.x + (x + 0.5) * s, box.y + (y + 0.5) * s);
}

async function setWindow(page: Page, min: number, max: number) {
  await page.getByTestId('contrast-mode').selectOption('manual');
  await page.getByTestId('contrast-min').fill(String(min));
  await page.getByTestId('contrast-max').fill(String(max));
  await expect(page.getByTestId('contrast-min')).toHaveValue(String(min));
  await expect(page.getByTestId('contrast-max')).toHaveValue(String(max));
}

test('empty state, deep link on load, readable errors', async ({ page }) => {
  const problems = await openApp(page);
  await expect(page.getByTestId('viewer-empty')).toContainText("Select a dataset, a stack or a run's results");
  const id = await page.evaluate(() =>
    window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [8, 12], data: new Uint8Array(96).map((_, i) => i) } }, { name: 'deep', schema: 'Image' }),
  );
  await page.goto(`/?view=dataset:${id}`);
  await canvasReady(page, 12, 8);
  await expect(page.getByTestId('viewer-title')).toHaveText('deep');
  await show(page, 'dataset:no-such-dataset');
  await expect(page.getByTestId('viewer-error')).toContainText("Dataset not found: 'no-such-dataset'.");
  await show(page, 'execution:no-such-run');
  await expect(page.getByTestId('viewer-error')).toContainText("Execution record not found: 'no-such-run'.");
  await show(page, 'stack:no-such-stack');
  await expect(page.getByTestId('viewer-error')).toContainText("Stack not found: 'no-such-stack'");
  await page.getByRole('button', { name: 'Close the viewer' }).click();
  await expect(page.getByTestId('viewer-empty')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('view')).toBeNull();
  expect(problems).toEqual([]);
});

test('image viewer: uint16 contrast, colormap, readout, zoom and pan', async ({ page }) => {
  const problems = await openApp(page);
  const W = 64;
  const H = 48;
  // value = 1000·x: auto window (0.35/99.65 % of 64 equally common values) is [0, 63000].
  const id = await page.evaluate(
    ([W, H]) =>
      window.algobox.datasets.put(
        { image: { dtype: 'uint16', shape: [H, W], data: new Uint16Array(W * H).map((_, i) => (i % W) * 1000) } },
        { name: 'ramp16', schema: 'Image' },
      ),
    [W, H] as const,
  );
  await show(page, `dataset:${id}`);
  await canvasReady(page, W, H);
  expect(await pixel(page, 0, 5)).toEqual([0, 0, 0, 255]);
  expect(await pixel(page, 63, 5)).toEqual([255, 255, 255, 255]);
  expect(await pixel(page, 21, 5)).toEqual([85, 85, 85, 255]); // 21000 / 63000 · 255
  await expect(page.getByTestId('contrast-min')).toHaveValue('0');
  await expect(page.getByTestId('contrast-max')).toHaveValue('63000');

  // Manual window 10000…20000: 12000 → 51, below → 0, above → 255.
  await setWindow(page, 10000, 20000);
  await expect.poll(() => pixel(page, 12, 5)).toEqual([51, 51, 51, 255]);
  expect(await pixel(page, 5, 5)).toEqual([0, 0, 0, 255]);
  expect(await pixel(page, 25, 5)).toEqual([255, 255, 255, 255]);
  await page.getByTestId('colormap').selectOption('viridis');
  await expect.poll(() => pixel(page, 5, 5)).toEqual([68, 1, 84, 255]);
  await expect.poll(() => pixel(page, 30, 5)).toEqual([253, 231, 37, 255]);
  await page.getByTestId('contrast-reset').click();
  await expect.poll(() => pixel(page, 21, 5)).toEqual([85, 85, 85, 255]);

  // Pixel readout under the cursor.
  await hoverPixel(page, 21, 10, W);
  await expect(page.getByTestId('viewer-coords')).toHaveText('x 21, y 10');
  await expect(page.getByTestId('viewer-readout')).toHaveText('21000');
  await shot(page, 'docs/screenshots/viewer-image.png');

  // Zoom and pan: keyboard, wheel, drag, fit.
  const vp = page.getByTestId('viewer-canvas-viewport');
  const zoom = async () => Number(await vp.getAttribute('data-zoom'));
  const tx = async () => Number(await vp.getAttribute('data-tx'));
  const fit = await zoom();
  await vp.focus();
  await page.keyboard.press('+');
  await expect.poll(zoom).toBeCloseTo(fit * 1.25, 6);
  const before = await tx();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(tx).toBeCloseTo(before + 40, 6);
  await page.keyboard.press('0');
  await expect.poll(zoom).toBeCloseTo(fit, 6);
  const box = (await vp.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -300);
  await expect.poll(zoom).toBeGreaterThan(fit * 1.2);
  const t0 = await tx();
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 50, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(tx).toBeCloseTo(t0 + 50, 0);
  await page.getByTestId('viewer-fit').click();
  await expect.poll(zoom).toBeCloseTo(fit, 6);
  // The rendered pixels do not depend on the zoom.
  expect(await pixel(page, 21, 5)).toEqual([85, 85, 85, 255]);
  expect(problems).toEqual([]);
});

test('stack slider changes the slice (RGB and gray), float data with NaN', async ({ page }) => {
  const problems = await openApp(page);
  const stackId = await page.evaluate(async () => {
    const api = window.algobox;
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      // A bright 4×4 square at x = 4 + 8k on a dark float background; one NaN pixel at (0, 0).
      const d = new Float32Array(32 * 32).fill(0.1);
      for (let y = 10; y < 14; y++) for (let x = 4 + 8 * k; x < 8 + 8 * k; x++) d[y * 32 + x] = 0.9;
      d[0] = NaN;
      ids.push(await api.datasets.put({ image: { dtype: 'float32', shape: [32, 32], data: d } }, { name: `slice ${k}`, schema: 'Image' }));
    }
    return (await api.stacks.create({ name: 'three squares', datasetIds: ids })).id;
  });
  await show(page, `stack:${stackId}`);
  await canvasReady(page, 32, 32);
  await expect.poll(() => pixel(page, 5, 11)).toEqual([255, 255, 255, 255]);
  expect(await pixel(page, 13, 11)).toEqual([0, 0, 0, 255]);
  expect((await pixel(page, 0, 0))[3]).toBe(0); // NaN is transparent
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('1 / 3');
  await page.getByTestId('slice-slider').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('slice-slider-pos')).toHaveText('2 / 3');
  await expect.poll(() => pixel(page, 13, 11)).toEqual([255, 255, 255, 255]);
  expect(await pixel(page, 5, 11)).toEqual([0, 0, 0, 255]);
  await page.getByTestId('slice-slider').fill('2');
  await expect.poll(() => pixel(page, 21, 11)).toEqual([255, 255, 255, 255]);
  await hoverPixel(page, 0, 0, 32);
  await expect(page.getByTestId('viewer-readout')).toHaveText('NaN');

  // An RGB 3×H×W image: channels shown as they are, colormap disabled.
  const rgb = await page.evaluate(() => {
    const d = new Uint8Array(3 * 4 * 4);
    for (let i = 0; i < 16; i++) {
      d[i] = 250;
      d[16 + i] = i * 10;
      d[32 + i] = 5;
    }
    d[0] = 0; // keep the window at 0…255
    return window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [3, 4, 4], data: d } }, { name: 'rgb', schema: 'Image' });
  });
  await show(page, `dataset:${rgb}`);
  await canvasReady(page, 4, 4);
  await setWindow(page, 0, 255);
  await expect.poll(() => pixel(page, 3, 1)).toEqual([250, 70, 5, 255]);
  await expect(page.getByTestId('colormap')).toBeDisabled();
  await hoverPixel(page, 3, 1, 4);
  await expect(page.getByTestId('viewer-readout')).toHaveText('R 250 G 70 B 5');
  expect(problems).toEqual([]);
});

test('segmentation: mask colour at a masked pixel, image unchanged at label 0', async ({ page }) => {
  const problems = await openApp(page);
  const runId = await page.evaluate(async (files) => {
    const api = window.algobox;
    const alg = await api.algorithms.install(files);
    // Background ramp 4·x (0…156); a 10×10 square of 250 at x, y = 10…19.
    const d = new Uint8Array(40 * 40);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) d[y * 40 + x] = x >= 10 && x < 20 && y >= 10 && y < 20 ? 250 : 4 * x;
    const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [40, 40], data: d } }, { name: 'square', schema: 'Image' });
    const run = await api.execute({ algorithmId: alg.id, inputDatasetIds: [img] });
    await api.executions.wait(run);
    return run;
  }, bundles.threshold);
  await show(page, `execution:${runId}`);
  await canvasReady(page, 40, 40);
  await setWindow(page, 0, 255);
  // label 1 = (255, 127, 14) at 50 % over 250: (252.5, 188.5, 132) → rounded half to even.
  await expect.poll(() => pixel(page, 15, 15)).toEqual([252, 188, 132, 255]);
  expect(await pixel(page, 30, 5)).toEqual([120, 120, 120, 255]); // label 0: the image itself
  await expect(page.getByTestId('label-legend')).toContainText('100 px');
  await hoverPixel(page, 15, 15, 40);
  await expect(page.getByTestId('viewer-readout')).toHaveText('250 · label 1');
  await shot(page, 'docs/screenshots/viewer-segmentation.png');
  await page.getByTestId('overlay-opacity').fill('1');
  await expect.poll(() => pixel(page, 15, 15)).toEqual([255, 127, 14, 255]);
  expect(await pixel(page, 30, 5)).toEqual([120, 120, 120, 255]);
  await page.getByTestId('overlay-outline').check();
  await expect.poll(() => pixel(page, 15, 15)).toEqual([250, 250, 250, 255]); // interior
  expect(await pixel(page, 10, 15)).toEqual([255, 127, 14, 255]); // boundary

  // The mask dataset on its own opens over its source image (extra.inputs).
  const maskId = await page.evaluate(async (id) => (await window.algobox.executions.get(id)).outputDatasetIds[0]!, runId);
  await show(page, `dataset:${maskId}`);
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await canvasReady(page, 40, 40);
  await setWindow(page, 0, 255);
  await expect.poll(() => pixel(page, 15, 15)).toEqual([252, 188, 132, 255]);
  expect(problems).toEqual([]);
});

test('compare: split shows before left and after right, T toggles', async ({ page }) => {
  const problems = await openApp(page);
  const runId = await page.evaluate(async (files) => {
    const api = window.algobox;
    const alg = await api.algorithms.install(files);
    const d = new Uint8Array(64 * 32).map((_, i) => (i % 64) * 4); // 4·x
    const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [32, 64], data: d } }, { name: 'ramp', schema: 'Image' });
    const run = await api.execute({ algorithmId: alg.id, inputDatasetIds: [img] });
    await api.executions.wait(run);
    return run;
  }, bundles.invert);
  await show(page, `execution:${runId}`);
  await expect(page.getByTestId('compare-viewer')).toBeVisible();
  await canvasReady(page, 64, 32);
  await setWindow(page, 0, 255);
  // Split at 50 % (x = 32): left = before (4·x), right = after (255 − 4·x).
  await expect.poll(() => pixel(page, 10, 5)).toEqual([40, 40, 40, 255]);
  expect(await pixel(page, 50, 5)).toEqual([55, 55, 55, 255]);
  await hoverPixel(page, 50, 5, 64);
  await expect(page.getByTestId('viewer-readout')).toHaveText('before 200 · after 55');
  await shot(page, 'docs/screenshots/viewer-compare.png');
  await page.getByTestId('split-slider').fill('0.9');
  await expect.poll(() => pixel(page, 50, 5)).toEqual([200, 200, 200, 255]);
  // T switches to whole images: before, then after.
  await page.getByTestId('viewer-canvas-viewport').focus();
  await page.keyboard.press('t');
  await expect(page.getByTestId('compare-toggle')).toHaveText(/Showing before/);
  await expect.poll(() => pixel(page, 60, 5)).toEqual([240, 240, 240, 255]);
  await page.keyboard.press('t');
  await expect(page.getByTestId('compare-toggle')).toHaveText(/Showing after/);
  await expect.poll(() => pixel(page, 10, 5)).toEqual([215, 215, 215, 255]);
  expect(problems).toEqual([]);
});

test('alignment: matrix, decomposition, checkerboard alternates fixed and warped moving tiles', async ({ page }) => {
  const problems = await openApp(page);
  const runId = await page.evaluate(async (files) => {
    const api = window.algobox;
    const alg = await api.algorithms.install(files);
    const fixed = new Uint8Array(64 * 64).fill(100);
    fixed[0] = 0;
    fixed[1] = 255; // pin the auto window to 0…255
    const moving = new Uint8Array(64 * 64).map((_, i) => (i % 64) * 3 + Math.floor(i / 64)); // 3·x + y
    const a = await api.datasets.put({ image: { dtype: 'uint8', shape: [64, 64], data: fixed } }, { name: 'fixed', schema: 'Image' });
    const b = await api.datasets.put({ image: { dtype: 'uint8', shape: [64, 64], data: moving } }, { name: 'moving', schema: 'Image' });
    const run = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a, b] });
    await api.executions.wait(run);
    return run;
  }, bundles.shift);
  await show(page, `execution:${runId}`);
  await expect(page.getByTestId('alignment-viewer')).toBeVisible();
  await canvasReady(page, 64, 64);
  await setWindow(page, 0, 255);
  await expect(page.getByTestId('matrix-table')).toContainText('3.0000');
  await expect(page.getByTestId('matrix-table')).toContainText('-2.0000');
  await expect(page.getByTestId('decomposition')).toContainText('rotation0.0000°');
  await expect(page.getByTestId('decomposition')).toContainText('translation y-2.0000 px');
  // Tiles of 8 px: (tx + ty) even → fixed (100), odd → moving warped: fixed (x, y) ← moving (x − 3, y + 2).
  const moving = (x: number, y: number) => 3 * (x - 3) + (y + 2);
  await expect.poll(() => pixel(page, 12, 4)).toEqual([moving(12, 4), moving(12, 4), moving(12, 4), 255]);
  expect(await pixel(page, 4, 4)).toEqual([100, 100, 100, 255]);
  expect(await pixel(page, 12, 12)).toEqual([100, 100, 100, 255]);
  expect(await pixel(page, 4, 12)).toEqual([moving(4, 12), moving(4, 12), moving(4, 12), 255]);
  expect(await pixel(page, 1, 12)).toEqual([0, 0, 0, 255]); // moving has no pixel there (x − 3 < 0)
  await shot(page, 'docs/screenshots/viewer-alignment.png');
  await page.getByTestId('align-mode-difference').check();
  await expect.poll(() => pixel(page, 12, 4)).toEqual([100 - moving(12, 4), 100 - moving(12, 4), 100 - moving(12, 4), 255]);
  await page.getByTestId('align-mode-blend').check();
  await page.getByTestId('align-opacity').fill('1');
  await expect.poll(() => pixel(page, 4, 4)).toEqual([moving(4, 4), moving(4, 4), moving(4, 4), 255]);

  // The matrix dataset alone shows the table, and its images when its run is known.
  const matId = await page.evaluate(async (id) => (await window.algobox.executions.get(id)).outputDatasetIds[0]!, runId);
  await show(page, `dataset:${matId}`);
  await expect(page.getByTestId('matrix-table')).toContainText('3.0000');
  await canvasReady(page, 64, 64);
  expect(problems).toEqual([]);
});

test('embedding: stats and a non-blank PCA preview', async ({ page }) => {
  const problems = await openApp(page);
  const runId = await page.evaluate(async (files) => {
    const api = window.algobox;
    const alg = await api.algorithms.install(files);
    const d = new Uint8Array(32 * 32).map((_, i) => ((i % 32) * 7 + Math.floor(i / 32) * 3) % 256);
    const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [32, 32], data: d } }, { name: 'pattern', schema: 'Image' });
    const run = await api.execute({ algorithmId: alg.id, inputDatasetIds: [img] });
    const rec = await api.executions.wait(run);
    if (rec.status !== 'COMPLETED') throw new Error(rec.error?.message ?? rec.status);
    return run;
  }, bundles.embed);
  await show(page, `execution:${runId}`);
  await expect(page.getByTestId('embedding-viewer')).toBeVisible();
  await canvasReady(page, 16, 16);
  await expect(page.getByTestId('embedding-stats')).toContainText('8 × 16 × 16');
  await expect(page.getByTestId('embedding-stats')).toContainText('32 × 32');
  await expect(page.getByTestId('pca-variance')).toContainText('PC1');
  const stats = await page.evaluate(() => {
    const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<string>();
    let bright = 0;
    for (let i = 0; i < d.length; i += 4) {
      colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      if (d[i]! + d[i + 1]! + d[i + 2]! > 60) bright++;
    }
    return { colours: colours.size, bright, opaque: d[3] };
  });
  expect(stats.colours).toBeGreaterThan(20);
  expect(stats.bright).toBeGreaterThan(64);
  expect(stats.opaque).toBe(255);
  await shot(page, 'docs/screenshots/viewer-embedding.png');
  expect(problems).toEqual([]);
});

test('generic arrays: stats, a drawn histogram, slices of a 3-D array', async ({ page }) => {
  const problems = await openApp(page);
  const id = await page.evaluate(() => {
    const d = new Float32Array(4 * 16 * 16);
    for (let i = 0; i < d.length; i++) d[i] = Math.floor(i / 256) * 10 + (i % 16); // slice k: 10k + x
    return window.algobox.datasets.put({ data: { dtype: 'float32', shape: [4, 16, 16], data: d } }, { name: 'cube', schema: 'Generic' });
  });
  await show(page, `dataset:${id}`);
  await expect(page.getByTestId('generic-viewer')).toBeVisible();
  await expect(page.getByTestId('generic-stats')).toContainText('4 × 16 × 16');
  await expect(page.getByTestId('generic-stats')).toContainText('float32');
  await expect(page.getByTestId('generic-stats')).toContainText('45'); // max = 30 + 15
  const drawn = async () =>
    page.evaluate(() => {
      const c = document.querySelector('[data-testid="generic-histogram"] canvas') as HTMLCanvasElement | null;
      if (!c || !c.width) return 0;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
  await expect.poll(drawn).toBeGreaterThan(500);
  await canvasReady(page, 16, 16);
  await setWindow(page, 0, 45);
  await expect.poll(() => pixel(page, 15, 0)).toEqual([85, 85, 85, 255]); // 15 / 45 · 255
  await page.getByTestId('slice-slider').fill('3');
  await expect.poll(() => pixel(page, 15, 0)).toEqual([255, 255, 255, 255]); // 45
  expect(problems).toEqual([]);
});
