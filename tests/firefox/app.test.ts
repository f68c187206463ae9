// Firefox smoke: the app in Debian's Firefox ESR as a person uses it. Cross-origin isolation; a TIFF
// written by Python's tifffile, imported with the file picker and thresholded (Otsu) from the UI, the
// threshold and the mask equal to scikit-image's; the mask in the viewer and downloaded as a zip of
// PNGs (Export all outputs); a dropped folder denoised; the masks cleaned; the sample pair registered
// to its known shift.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodePng } from '../../src/core/imageCodecs/index';
import { ndarray, stack } from '../../src/core/ndarray';
import { SAMPLE_TRUE_SHIFT } from '../../src/core/sampleData';
import { removeSmallObjects } from '../../src/sdk/image/morphology';
import {
  canvasReady,
  chooseFile,
  clearInputs,
  downloaded,
  dropFolder,
  elementWithText,
  fields,
  openApp,
  pixel,
  runAndWait,
  selectAlgorithm,
  selectByLabel,
  setNumber,
  shot,
  tid,
  useStackAsInput,
  type App,
} from './firefox';
import { cellsImage } from '../unit/helpers/cellsImage';
import { sampledReds, tvDenoisedStack } from '../unit/helpers/tvDenoisingCheck';

const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import numpy, tifffile, skimage'], { stdio: 'ignore' }).status === 0;

/** A 64×48 uint8 image of bright discs on a noisy background, written as a TIFF by tifffile; skimage's Otsu threshold and mask. */
function pythonOtsuImage(path: string): { threshold: number; mask: number[] } {
  const script = `
import json, sys
import numpy as np, tifffile
from skimage.filters import threshold_otsu
rng = np.random.default_rng(7)
yy, xx = np.mgrid[0:48, 0:64]
img = 50 + rng.integers(0, 40, (48, 64))
for cx, cy, r in [(12, 12, 7), (40, 28, 9), (54, 10, 4)]:
    img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] += 120
img = img.astype(np.uint8)
tifffile.imwrite(sys.argv[1], img)
t = threshold_otsu(img)
json.dump({"threshold": float(t), "mask": (img > t).astype(int).ravel().tolist()}, sys.stdout)
`;
  const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { threshold: number; mask: number[] };
}

/** The discs of the cells-like images (x, y, radius). */
const DISCS = [
  [12, 12, 6],
  [40, 30, 8],
] as const;

let app: App;
/** The Otsu mask's dataset id (the threshold test), cleaned up by the mask_cleanup test. */
let otsuMask = '';
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-firefox-'));
  mkdirSync(join(dir, 'downloads'));
  app = await openApp(join(dir, 'downloads'));
});
afterAll(async () => {
  await app?.browser.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Firefox ESR', () => {
  test('the app is cross-origin isolated, shows the seven built-ins, and its scrollbars are dark', async () => {
    const { page } = app;
    expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, 'function']);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 7, {}, '[data-testid^="alg-card-"]');
    // A panel that overflows (the datasets list with the sample data, else the catalog): the brightest
    // pixel of its scrollbar (the strip right of the content box) must be dark, not Firefox's default
    // light scrollbar.
    const bar = await page.evaluate(
      (sels) => {
        for (const sel of sels) {
          let el = document.querySelector(sel);
          while (el && !(el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
          if (!el) continue;
          const r = el.getBoundingClientRect();
          return { x: r.left + el.clientLeft + el.clientWidth, y: r.top, width: r.right - (r.left + el.clientLeft + el.clientWidth), height: r.height };
        }
        throw new Error(`no scrolling panel around ${sels.join(', ')}`);
      },
      [tid('dataset-row'), tid('alg-card-threshold_segmentation')],
    );
    expect(bar.width).toBeGreaterThan(4); // a classic (not overlay) scrollbar takes room
    const png = decode(await page.screenshot({ clip: bar }));
    let brightest = 0;
    for (let i = 0; i < png.data.length; i += png.channels) brightest = Math.max(brightest, (png.data[i]! + png.data[i + 1]! + png.data[i + 2]!) / 3);
    expect(brightest).toBeLessThan(128);
  });

  test.skipIf(!hasPython)(
    'a TIFF from the file picker, thresholded (Otsu) from the UI: skimage threshold and mask; the mask in the viewer and downloaded',
    async () => {
      const { page } = app;
      const file = join(dir, 'discs.tif');
      const want = pythonOtsuImage(file);
      await chooseFile(page, tid('import-files-input'), file);
      await elementWithText(page, tid('dataset-row'), 'discs.tif');
      await selectAlgorithm(page, 'threshold_segmentation');
      await selectByLabel(page, tid('run-add-input'), 'discs.tif');
      const rec = await runAndWait(page);
      expect(rec.args).toEqual({ thresholding_algorithm: 'otsu', channel: 0 });
      await elementWithText(page, `${tid('run-details')} ${tid('log-line')}`, `Threshold: ${want.threshold}`);
      const mask = await page.evaluate(async (id) => {
        const a = (await window.algobox.datasets.get(id, ['mask'])).fields.mask as { shape: number[]; data: ArrayLike<number> };
        return { shape: [...a.shape], data: Array.from(a.data) };
      }, rec.outputDatasetIds[0]!);
      expect(mask.shape).toEqual([48, 64]);
      expect(mask.data).toEqual(want.mask);
      otsuMask = rec.outputDatasetIds[0]!;

      await page.click(`${tid('run-details')} ${tid('run-open-results')}`);
      await page.waitForSelector(tid('segmentation-viewer'));
      await canvasReady(page, 64, 48);
      const [fr, fg, fb] = await pixel(page, 40, 28); // a disc centre: coloured overlay
      const [br, bg, bb] = await pixel(page, 30, 44); // background: grey
      expect(new Set([fr, fg, fb]).size).toBeGreaterThan(1);
      expect([br, bg]).toEqual([bb, bb]);
      await shot(page, 'docs/screenshots/firefox.png');

      // "Export all outputs": one zip downloaded, the mask as a 0/255 PNG.
      await page.click(`${tid('run-details')} ${tid('run-export-all')}`);
      const entries = unzipSync(await downloaded(join(dir, 'downloads'), 'discs · threshold_segmentation.zip'));
      expect(Object.keys(entries)).toEqual(['discs · otsu mask.png']);
      expect(Array.from(decode(entries['discs · otsu mask.png']!).data)).toEqual(want.mask.map((v) => v * 255));
      expect(app.problems).toEqual([]);
    },
  );

  test('a dropped folder becomes a stack; tv_denoising with weight 0.3 matches the kernel in Node; before/after viewer', async () => {
    const { page } = app;
    await dropFolder(
      page,
      'noisy',
      [2, 1].map((k) => ({ name: `n${k}.png`, bytes: encodePng(cellsImage(48, 40, DISCS, 10 + k)) })),
    );
    await elementWithText(page, tid('stack-row'), ['noisy', '2 slices']);
    await selectAlgorithm(page, 'tv_denoising');
    await useStackAsInput(page, 'noisy');
    await setNumber(page, 'denoising_weight', 0.3);
    const rec = await runAndWait(page);
    expect(rec.args).toEqual({ denoising_weight: 0.3 });

    // The same steps in Node: normalise the stack, denoise each image, normalise.
    const inputs = await page.evaluate(async () => (await window.algobox.stacks.list()).find((x) => x.name === 'noisy')!.datasetIds);
    const raw = stack((await fields(page, inputs, 'image')).map((p) => ndarray(p.dtype as 'uint16', p.shape, p.data)));
    const want = tvDenoisedStack(raw, 0.3);
    const got = (await fields(page, rec.outputDatasetIds, 'image')).flatMap((o) => o.data);
    expect(got).toHaveLength(want.length);
    expect(Math.max(...got.map((g, i) => Math.abs(g - want[i]!)))).toBeLessThan(1e-5);

    await page.click(`${tid('run-details')} ${tid('run-open-results')}`);
    await page.waitForSelector(tid('compare-viewer'));
    await canvasReady(page, 48, 40);
    const grey = await sampledReds((x, y) => pixel(page, x, y));
    expect(grey.size).toBeGreaterThan(1); // not blank
    expect(app.problems).toEqual([]);
  });

  test.skipIf(!hasPython)('mask_cleanup (min_size 60) on the Otsu mask removes the small disc, as the kernel in Node does', async () => {
    const { page } = app;
    const name = await page.evaluate(async (id) => (await window.algobox.datasets.get(id, [])).meta.name, otsuMask);
    await selectAlgorithm(page, 'mask_cleanup');
    await clearInputs(page);
    await selectByLabel(page, tid('run-add-input'), name);
    await setNumber(page, 'min_size', 60);
    const rec = await runAndWait(page);
    expect(rec.args).toMatchObject({ min_size: 60 });
    const [before] = await fields(page, [otsuMask], 'mask');
    const [after] = await fields(page, rec.outputDatasetIds, 'mask');
    const want = removeSmallObjects(ndarray('uint8', before!.shape, before!.data), 60, 1);
    expect(after!.data).toEqual(Array.from(want.data));
    expect(before!.data[10 * 64 + 54]).toBe(1); // the radius-4 disc, kept by Otsu …
    expect(after!.data[10 * 64 + 54]).toBe(0); // … and removed by the cleanup
    expect(after!.data[28 * 64 + 40]).toBe(1);
    expect(app.problems).toEqual([]);
  });

  test('registration of the sample pair recovers the known shift; the alignment viewer shows it', async () => {
    const { page } = app;
    await selectAlgorithm(page, 'registration');
    await useStackAsInput(page, 'shifted pair');
    await setNumber(page, 'max_translation', 0.1);
    await setNumber(page, 'upsample_factor', 50);
    const rec = await runAndWait(page);
    expect(rec.args).toEqual({ max_translation: 0.1, upsample_factor: 50 });
    const [m] = await fields(page, rec.outputDatasetIds, 'transform_matrix');
    // Matrix 0 maps pixel coordinates of image 1 to image 0: the content moved by (+dx, +dy).
    expect(Math.abs(m!.data[2]! + SAMPLE_TRUE_SHIFT.dx)).toBeLessThan(0.1);
    expect(Math.abs(m!.data[5]! + SAMPLE_TRUE_SHIFT.dy)).toBeLessThan(0.1);
    await page.click(`${tid('run-details')} ${tid('run-open-results')}`);
    await page.waitForSelector(tid('alignment-viewer'));
    await canvasReady(page, 256, 256);
    await elementWithText(page, tid('decomposition'), 'rotation0.0000°');
    expect(app.problems).toEqual([]);
  });
});
