// Firefox smoke: the built-in model bundles (onnxruntime-web, threaded WASM) from the UI in Debian's
// Firefox ESR. salient_segmentation on the sample RGB scene against its ground truth; sam_embedding
// computes an embedding and its self-test matches the reference features within the bundle's tolerance;
// a click on the image in the viewer's segment mode gives the object's mask.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { maskIou } from '../fixtures/maskIou';
import { canvasReady, clearInputs, elementWithText, fields, openApp, runAndWait, selectAlgorithm, selectByLabel, tid, type App } from './firefox';

let app: App;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.browser.close();
});

const datasetId = (app: App, name: string) => app.page.evaluate(async (n) => (await window.algobox.datasets.list()).find((d) => d.name === n)!.id, name);

describe('Firefox ESR: model bundles', () => {
  test('salient_segmentation on threaded WASM segments the sample RGB scene (IoU ≥ 0.9); the mask in the viewer', async () => {
    const { page } = app;
    await selectAlgorithm(page, 'salient_segmentation');
    await selectByLabel(page, tid('run-add-input'), 'rgb shapes');
    const rec = await runAndWait(page, { timeout: 180_000 });
    expect(rec.device).toBe('cpu');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const load = rec.log.find((l) => l.message.startsWith('Loaded model files/u2netp.onnx'));
    expect(load?.message).toMatch(new RegExp(`^Loaded model files/u2netp\\.onnx \\(4\\.6 MB\\) on WASM \\(SIMD, ${cores} threads?\\) in \\d+ ms\\.$`));
    expect(rec.log.filter((l) => l.level === 'WARNING')).toEqual([]);
    const [mask] = await fields(page, rec.outputDatasetIds, 'mask');
    const [truth] = await fields(page, [await datasetId(app, 'rgb shapes (ground truth)')], 'mask');
    expect(mask!.shape).toEqual([256, 256]);
    expect(maskIou(mask!.data, truth!.data)).toBeGreaterThanOrEqual(0.9);
    await page.click(`${tid('run-details')} ${tid('run-open-results')}`);
    await page.waitForSelector(tid('segmentation-viewer'));
    await canvasReady(page, 256, 256);
    expect(app.problems).toEqual([]);
  });

  test('sam_embedding computes a [256, 64, 64] embedding from the UI, and its self-test passes on cpu', async () => {
    const { page } = app;
    await selectAlgorithm(page, 'sam_embedding');
    await clearInputs(page);
    await selectByLabel(page, tid('run-add-input'), 'rgb shapes');
    const rec = await runAndWait(page, { timeout: 280_000 });
    const features = await page.evaluate(async (id) => {
      const f = (await window.algobox.datasets.get(id, ['features'])).fields.features as { shape: number[]; data: Float32Array };
      let finite = 0;
      let nonZero = 0;
      for (const v of f.data) {
        if (Number.isFinite(v)) finite++;
        if (v !== 0) nonZero++;
      }
      return { shape: [...f.shape], length: f.data.length, finite, nonZero };
    }, rec.outputDatasetIds[0]!);
    expect(features.shape).toEqual([256, 64, 64]);
    expect(features.finite).toBe(features.length);
    expect(features.nonZero).toBeGreaterThan(features.length / 2);

    // The bundle's declared self-test: a 1024×1024 scene against features from native onnxruntime.
    await page.click(tid('selftest-run-cpu'));
    await elementWithText(page, tid('selftest-result-cpu'), '✓ passed 1/1 on cpu', 280_000);
    expect(app.problems).toEqual([]);
  }, 600_000);

  test('click to segment: in the viewer, a click on the red disk of rgb shapes (its embedding from the run above) masks the disk', async () => {
    const { page } = app;
    const imageId = await datasetId(app, 'rgb shapes');
    await page.goto(new URL(`/?view=dataset:${imageId}`, inject('baseURL')).href);
    await page.waitForSelector(tid('engine-ready'));
    await page.waitForSelector(tid('image-viewer'));
    await page.click(tid('mode-segment'));
    await page.waitForSelector(tid('prompt-segmenter'), { timeout: 60_000 });
    await canvasReady(page, 256, 256);
    // The disk of the sample (src/core/sampleData.ts): centre (0.33, 0.37)·256, radius 0.165·256.
    const [cx, cy, r] = [0.33 * 256, 0.37 * 256, 0.165 * 256];
    const box = (await (await page.$(tid('viewer-canvas')))!.boundingBox())!;
    const s = box.width / 256;
    await page.mouse.click(box.x + (Math.round(cx) + 0.5) * s, box.y + (Math.round(cy) + 0.5) * s);
    const points = [[Math.round(cx), Math.round(cy), 1]];
    await page.waitForFunction(
      (sel, want) => {
        const e = document.querySelector(sel);
        return e?.getAttribute('data-mask-prompts') === want && e.getAttribute('data-busy') === 'false';
      },
      { timeout: 60_000 },
      tid('prompt-segmenter'),
      JSON.stringify({ points, box: null }),
    );
    const area = Number(await page.$eval(tid('prompt-segmenter'), (e) => e.getAttribute('data-mask-area')));
    const embeddingId = await page.$eval(tid('prompt-segmenter'), (e) => e.getAttribute('data-embedding')!);
    const mask = await page.evaluate(
      async (embeddingDatasetId, p) => Array.from((await window.algobox.prompts.segment({ embeddingDatasetId, points: p as [number, number, 0 | 1][] })).data),
      embeddingId,
      points,
    );
    expect(mask.reduce((a, v) => a + v, 0)).toBe(area);
    const disk = Array.from({ length: 256 * 256 }, (_, i) => Number(((i % 256) - cx) ** 2 + (Math.floor(i / 256) - cy) ** 2 <= r * r));
    expect(maskIou(mask, disk)).toBeGreaterThanOrEqual(0.85);
    expect(app.problems).toEqual([]);
  });
});
