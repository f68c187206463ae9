// Firefox smoke: the built-in model bundles (onnxruntime-web, threaded WASM) from the UI in Debian's
// Firefox ESR. salient_segmentation on the sample RGB scene against its ground truth; sam_embedding
// computes an embedding and its self-test matches the reference features within the bundle's tolerance.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
});
