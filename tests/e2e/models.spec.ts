// Model bundles in the real app: cross-origin isolation (threaded WASM), onnxruntime-web loaded only
// when a model runs, salient_segmentation from the UI on the sample RGB scene (IoU against its ground
// truth), the cached runner not reloading its model, self-tests from the algorithm panel, and WebGPU
// agreeing with WASM within a declared tolerance. (WebGPU is checked on a small generated conv model:
// headless Chromium's software adapter needs over 10 minutes for one U²-Net-p run.)
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { openApp } from './util';
import { convRelu, convReluReference } from '../fixtures/onnx/makeModel';
import { ndarray } from '../../src/core/ndarray';
import { encodeNpy } from '../../src/core/imageCodecs/npy';
import { SHOTS_DIR, shot } from './shot';
import { maskIou as iou } from '../fixtures/maskIou';

interface Arr {
  shape: number[];
  data: number[];
}

async function datasetId(page: Page, name: string): Promise<string> {
  return page.evaluate(async (n) => (await window.algobox.datasets.list()).find((d) => d.name === n)!.id, name);
}

async function field(page: Page, id: string, key: string): Promise<Arr> {
  return page.evaluate(
    async ([i, k]) => {
      const a = (await window.algobox.datasets.get(i!, [k!])).fields[k!] as { shape: number[]; data: ArrayLike<number> };
      return { shape: [...a.shape], data: Array.from(a.data) };
    },
    [id, key],
  );
}

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

test('the app is cross-origin isolated, and onnxruntime-web is fetched only when a model bundle runs', async ({ page }) => {
  const ortRequests: string[] = [];
  page.on('request', (r) => {
    if (/ort[.-]/.test(r.url())) ortRequests.push(r.url());
  });
  const problems = await openApp(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  await page.evaluate(() => window.algobox.samples.ensure());
  const cells = await datasetId(page, 'cells');
  const rec = await page.evaluate(async (id) => {
    const a = await window.algobox.algorithms.get('threshold_segmentation');
    return window.algobox.executions.wait(await window.algobox.execute({ algorithmId: a.id, inputDatasetIds: [id] }));
  }, cells);
  expect(rec.status).toBe('COMPLETED');
  expect(ortRequests).toEqual([]);

  const small = await page.evaluate(async () => {
    const data = new Uint8Array(48 * 48);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) data[y * 48 + x] = (x - 24) ** 2 + (y - 24) ** 2 < 100 ? 220 : 40;
    return window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [48, 48], data } }, { schema: 'Image', name: 'small disk' });
  });
  const salient = await page.evaluate(async (id) => {
    const a = await window.algobox.algorithms.get('salient_segmentation');
    return window.algobox.executions.wait(await window.algobox.execute({ algorithmId: a.id, inputDatasetIds: [id], device: 'cpu' }));
  }, small);
  expect(salient.status).toBe('COMPLETED');
  // The CPU-only build of ORT: its glue module and its wasm, from this origin (no CDN).
  expect(ortRequests.some((u) => /\/assets\/ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(u))).toBe(true);
  expect(ortRequests.every((u) => u.startsWith('http://127.0.0.1:'))).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const load = salient.log.find((l) => l.message.startsWith('Loaded model files/u2netp.onnx'));
  expect(load?.message).toMatch(new RegExp(`^Loaded model files/u2netp\\.onnx \\(4\\.6 MB\\) on WASM \\(SIMD, ${cores} threads?\\) in \\d+ ms\\.$`));
  expect(salient.log.filter((l) => l.level === 'WARNING')).toEqual([]);
  expect(problems).toEqual([]);
});

test('salient_segmentation from the UI segments the sample RGB scene (IoU ≥ 0.9), and the cached runner keeps its model', async ({ page }) => {
  const problems = await openApp(page);
  await page.evaluate(() => window.algobox.samples.ensure());
  await selectAlgorithm(page, 'salient_segmentation');
  await page.getByTestId('run-add-input').selectOption({ label: 'rgb shapes' });
  await expect(page.getByTestId('run-input')).toHaveCount(1);
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 90_000 });
  await expect(details.getByTestId('run-device')).toHaveText('cpu');
  const first = await page.evaluate(async () => (await window.algobox.executions.list())[0]!);
  const mask = await field(page, first.outputDatasetIds[0]!, 'mask');
  const truth = await field(page, await datasetId(page, 'rgb shapes (ground truth)'), 'mask');
  expect(mask.shape).toEqual([256, 256]);
  expect(iou(mask.data, truth.data)).toBeGreaterThanOrEqual(0.9);

  await details.getByTestId('run-open-results').click();
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await shot(page, `${SHOTS_DIR}/app-salient.png`);

  // Second run of the cached runner: no second model load (counted in the worker).
  await page.getByTestId('run-button').click();
  await expect
    .poll(async () => page.evaluate(async () => (await window.algobox.executions.list()).filter((r) => r.status === 'COMPLETED').length), { timeout: 90_000 })
    .toBe(2);
  const second = await page.evaluate(async () => (await window.algobox.executions.list())[0]!);
  expect(second.log.some((l) => l.message.startsWith('Loaded model'))).toBe(false);
  expect(second.timings.load).toBe(0);
  const stats = await page.evaluate(async (algId) => {
    const w = (await window.algobox.stats()).runners;
    return w.filter((x) => x.key.startsWith(`${algId}|`)).map((x) => x.stats);
  }, second.algorithmId);
  expect(stats).toHaveLength(1);
  expect(stats[0]).toMatchObject({ modelLoads: 1, loadAssetsCalls: 1, executions: 2 });
  expect(problems).toEqual([]);
});

test('self-test from the algorithm panel: salient_segmentation passes on cpu against native onnxruntime-node', async ({ page }) => {
  const problems = await openApp(page);
  await selectAlgorithm(page, 'salient_segmentation');
  await expect(page.getByTestId('selftest')).toContainText('Self-test (1 declared: synthetic shapes (320×320 RGB))');
  await expect(page.getByTestId('selftest-result-cpu')).toHaveText('not run yet');
  await page.getByTestId('selftest-run-cpu').click();
  await expect(page.getByTestId('selftest-result-cpu')).toContainText('✓ passed 1/1 on cpu', { timeout: 120_000 });
  await shot(page, `${SHOTS_DIR}/algorithms-selftest.png`);
  const r = await page.evaluate(async () => window.algobox.algorithms.selfTestResults((await window.algobox.algorithms.get('salient_segmentation')).id));
  expect(r.cpu?.tests[0]?.outputs[0]).toMatchObject({ elements: 102400, allowedMismatches: 204, passed: true });
  expect(problems).toEqual([]);
});

test('WebGPU agrees with WASM within the declared tolerance (a conv model bundle, self-tests on gpu and cpu)', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = await openApp(page);
  const gpu = await page.evaluate(async () => window.algobox.gpu());
  test.skip(!gpu.available, `No WebGPU adapter in this browser (${gpu.reason}).`);
  // A 64×64 input, its expected output from a JS reference, and the model, written here.
  const h = 64;
  const w = 64;
  const x = Float32Array.from({ length: h * w }, (_, i) => ((i * 37) % 251) / 250);
  const expected = convReluReference(x, h, w);
  const files = {
    'pyproject.toml': `[project]
name = "conv_filter"
version = "1.0.0"
[tool.compox]
algorithm_type = "Image2Image"
tags = ["test"]
description = "Relu(conv3x3(x) + b) with onnxruntime-web"
supported_devices = ["cpu", "gpu"]
default_device = "cpu"
[tool.algobox.assets."files/conv.onnx"]
sha256 = "${createHash('sha256').update(convRelu()).digest('hex')}"
[[tool.algobox.tests]]
name = "ramp 64x64"
inputs = ["tests/x.npy"]
[[tool.algobox.tests.outputs]]
field = "image"
expected = "tests/y.npy"
tolerance = { cpu = { absolute_tolerance = 1e-5 }, gpu = { absolute_tolerance = 1e-4, relative_tolerance = 1e-4 } }
`,
    'Runner.js': `import { Image2ImageRunner, ndarray, reshape } from "algobox";
export class Runner extends Image2ImageRunner {
  async loadAssets() { this.model = await this.loadOnnxModel("files/conv.onnx"); }
  async inference(data) {
    const [n, h, w] = data.shape;
    const x = Float32Array.from(data.data);
    const out = await this.model.run({ X: ndarray("float32", [n, 1, h, w], x) });
    this.logMessage("provider " + this.model.provider);
    return reshape(out.Y, [n, h, w]);
  }
}`,
    'files/conv.onnx': [...convRelu()],
    'tests/x.npy': [...encodeNpy(ndarray('float32', [h, w], x))],
    'tests/y.npy': [...encodeNpy(ndarray('float32', [h, w], expected))],
  };
  const reports = await page.evaluate(async (f) => {
    const src = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? v : new Uint8Array(v)]));
    // First-party (builtin): third-party bundles run in the sandbox, which has no WebGPU (docs/security.md).
    const alg = await window.algobox.algorithms.install(src, { builtin: true });
    const cpu = await window.algobox.algorithms.selfTest(alg.id, 'cpu');
    const gpu = await window.algobox.algorithms.selfTest(alg.id, 'gpu');
    const logs = async (id: string | null) => (await window.algobox.executions.get(id!)).log.map((l) => l.message);
    return { cpu, gpu, cpuLog: await logs(cpu.tests[0]!.executionId), gpuLog: await logs(gpu.tests[0]!.executionId) };
  }, files);
  expect(reports.cpu.summary).toBe('passed 1/1 on cpu');
  expect(reports.gpu.summary).toBe('passed 1/1 on gpu');
  expect(reports.cpuLog).toContain('provider wasm');
  expect(reports.gpuLog).toContain('provider webgpu');
  expect(reports.gpuLog.some((m) => m.startsWith('Loaded model files/conv.onnx (0.0 MB) on WebGPU in '))).toBe(true);
  expect(reports.gpu.tests[0]!.outputs[0]!.maxAbsoluteDifference).toBeLessThan(1e-4);
  expect(problems).toEqual([]);
});

test('device gpu: WebGPU cannot run U²-Net-p (MaxPool ceil_mode), so the run moves the model to WASM with a WARNING and gives the cpu mask', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const problems = await openApp(page);
  const gpu = await page.evaluate(async () => window.algobox.gpu());
  test.skip(!gpu.available, `No WebGPU adapter in this browser (${gpu.reason}).`);
  const out = await page.evaluate(async () => {
    const data = new Uint8Array(3 * 96 * 96);
    for (let y = 0; y < 96; y++)
      for (let x = 0; x < 96; x++) {
        const inside = (x - 40) ** 2 + (y - 50) ** 2 < 22 ** 2;
        for (let c = 0; c < 3; c++) data[c * 96 * 96 + y * 96 + x] = inside ? [220, 50, 40][c]! : 90 + ((x * 7 + y * 13 + c * 5) % 30);
      }
    const id = await window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [3, 96, 96], data } }, { schema: 'Image', name: 'disk' });
    const a = await window.algobox.algorithms.get('salient_segmentation');
    const run = async (device: string) => window.algobox.executions.wait(await window.algobox.execute({ algorithmId: a.id, inputDatasetIds: [id], device }));
    const g = await run('gpu');
    const c = await run('cpu');
    const read = async (r: typeof g) =>
      Array.from(((await window.algobox.datasets.get(r.outputDatasetIds[0]!, ['mask'])).fields['mask'] as { data: ArrayLike<number> }).data);
    return {
      g: { status: g.status, device: g.device, log: g.log.map((l) => `${l.level} ${l.message}`) },
      same: (await read(g)).join() === (await read(c)).join(),
    };
  });
  expect(out.g.status).toBe('COMPLETED');
  expect(out.g.device).toBe('gpu');
  expect(out.g.log.some((l) => l.startsWith('INFO Loaded model files/u2netp.onnx (4.6 MB) on WebGPU in '))).toBe(true);
  expect(
    out.g.log.some(
      (l) => l.startsWith('WARNING WebGPU could not run files/u2netp.onnx (') && l.includes('ceil_mode') && l.endsWith('); running it on WASM from now on.'),
    ),
  ).toBe(true);
  expect(out.same).toBe(true);
  expect(problems).toEqual([]);
});
