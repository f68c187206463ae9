// Issue 15 item 3: threshold_segmentation's `local` exposes scikit-image's threshold_local parameters
// (block_size, local_method, offset, sigma, mode, cval). A run through the engine gives the mask
// `image > threshold_local(image, block_size, method, offset, mode, param, cval)` that Debian's
// scikit-image 0.19 computes here, for each input on its own; the manifest declares when each
// parameter applies. Also the live preview (`api.preview`): the same mask for one 2-D image, nothing stored.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { parseManifest } from '../../src/core/manifest';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { builtinBundleFolder, BUNDLES_DIR } from './helpers/builtinFolder';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const PYTHON = '/usr/bin/python3';

interface Case {
  args: Record<string, string | number>;
  masks: number[][];
}
interface Fixture {
  shape: [number, number];
  images: Record<'u8a' | 'u8b' | 'f32', number[]>;
  cases: Record<string, Case>;
}

/** Two uint8 images and a float32 one, and skimage's masks for each case (each image on its own). */
function skimageMasks(): Fixture {
  const code = `
import json, numpy as np
from skimage.filters import threshold_local
rng = np.random.default_rng(7)
H, W = 23, 19
yy, xx = np.mgrid[0:H, 0:W]
u8a = (60 + 2 * xx + 3 * yy + rng.integers(0, 40, (H, W))).astype(np.uint8)
u8a[5:11, 4:9] += 70
u8b = (20 + rng.integers(0, 200, (H, W))).astype(np.uint8)
f32 = (np.sin(xx / 3.0) * np.cos(yy / 4.0) + rng.normal(0, 0.2, (H, W))).astype(np.float32)
cases = {
  'gaussian 7': dict(block_size=7, local_method='gaussian', offset=0.0, sigma=0.0, mode='reflect', cval=0.0),
  'gaussian 9 offset -2.5 sigma 1.5': dict(block_size=9, local_method='gaussian', offset=-2.5, sigma=1.5, mode='reflect', cval=0.0),
  'mean 5 offset 3': dict(block_size=5, local_method='mean', offset=3.0, sigma=0.0, mode='reflect', cval=0.0),
  'median 7 constant cval 50': dict(block_size=7, local_method='median', offset=0.0, sigma=0.0, mode='constant', cval=50.0),
  'mean 11 nearest': dict(block_size=11, local_method='mean', offset=-1.0, sigma=0.0, mode='nearest', cval=0.0),
  'gaussian 5 wrap': dict(block_size=5, local_method='gaussian', offset=1.0, sigma=0.0, mode='wrap', cval=0.0),
  'median 3 mirror': dict(block_size=3, local_method='median', offset=0.5, sigma=0.0, mode='mirror', cval=0.0),
}
def mask(img, a):
  param = a['sigma'] if (a['local_method'] == 'gaussian' and a['sigma'] > 0) else None
  t = threshold_local(img, a['block_size'], method=a['local_method'], offset=a['offset'], mode=a['mode'], param=param, cval=a['cval'])
  return (img > t).astype(np.uint8).ravel().tolist()
out = {'shape': [H, W], 'images': {'u8a': u8a.ravel().tolist(), 'u8b': u8b.ravel().tolist(), 'f32': [float(v) for v in f32.ravel()]}, 'cases': {}}
for name, a in cases.items():
  out['cases'][name] = {'args': a, 'masks': [mask(u8a, a), mask(u8b, a), mask(f32, a)]}
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Fixture;
}

let api: Algobox;
let algId = '';
let fx: Fixture;
const inputs: Record<'u8a' | 'u8b' | 'f32', string> = { u8a: '', u8b: '', f32: '' };

beforeAll(async () => {
  fx = skimageMasks();
  api = createAlgobox({ dbName: `localparams-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5 });
  algId = (await api.algorithms.install(builtinBundleFolder('threshold_segmentation'), { builtin: true })).id;
  const [h, w] = fx.shape;
  inputs.u8a = await api.datasets.put({ image: ndarray('uint8', [h, w], fx.images.u8a) }, { name: 'u8a' });
  inputs.u8b = await api.datasets.put({ image: ndarray('uint8', [h, w], fx.images.u8b) }, { name: 'u8b' });
  inputs.f32 = await api.datasets.put({ image: ndarray('float32', [h, w], fx.images.f32) }, { name: 'f32' });
}, 60_000);
afterAll(async () => await api.close());

async function runMasks(ids: string[], args: Record<string, unknown>): Promise<number[][]> {
  const rec = await api.executions.wait(await api.execute({ algorithmId: algId, inputDatasetIds: ids, args }));
  if (rec.status !== 'COMPLETED') throw new Error(`${rec.status}: ${rec.error?.message}`);
  const out: number[][] = [];
  for (const id of rec.outputDatasetIds) out.push(Array.from(((await api.datasets.get(id, ['mask'])).fields.mask as NDArray).data as Uint8Array));
  return out;
}

describe('threshold_segmentation local: the manifest', () => {
  it('declares block_size, local_method, offset, sigma, mode and cval for local only, channel for multichannel inputs, and a preview', () => {
    const { manifest, warnings } = parseManifest(readFileSync(join(BUNDLES_DIR, 'threshold_segmentation', 'pyproject.toml'), 'utf8'));
    expect(warnings).toEqual([]);
    const when = Object.fromEntries(manifest.additionalParameters.map((p) => [p.name, p.config.appliesWhen ?? null]));
    expect(when).toEqual({
      thresholding_algorithm: null,
      block_size: { thresholding_algorithm: ['local'] },
      local_method: { thresholding_algorithm: ['local'] },
      offset: { thresholding_algorithm: ['local'] },
      sigma: { thresholding_algorithm: ['local'], local_method: ['gaussian'] },
      mode: { thresholding_algorithm: ['local'] },
      cval: { thresholding_algorithm: ['local'], mode: ['constant'] },
      channel: null,
    });
    expect(manifest.additionalParameters.find((p) => p.name === 'channel')!.config.appliesWhenInput).toEqual({ axis: 'c' });
    expect(manifest.additionalParameters.find((p) => p.name === 'local_method')!.config.options).toEqual(['gaussian', 'mean', 'median']);
    expect(manifest.preview).toBe(true);
  });
});

describe("threshold_segmentation local equals scikit-image 0.19's threshold_local", () => {
  it('for every case, uint8 and float32, each input of a run thresholded on its own', async () => {
    expect(Object.keys(fx.cases).length).toBe(7);
    for (const [name, c] of Object.entries(fx.cases)) {
      const got = await runMasks([inputs.u8a, inputs.u8b], { thresholding_algorithm: 'local', ...c.args });
      expect(got[0], `${name} u8a`).toEqual(c.masks[0]);
      expect(got[1], `${name} u8b`).toEqual(c.masks[1]);
      const f = await runMasks([inputs.f32], { thresholding_algorithm: 'local', ...c.args });
      expect(f[0], `${name} f32`).toEqual(c.masks[2]);
      // Not a trivial mask: both classes occur.
      expect(new Set(c.masks[0]).size, name).toBe(2);
    }
  }, 120_000);

  it('the block size changes the mask (the parameter reaches the filter)', async () => {
    const a = fx.cases['gaussian 7']!.masks[0]!;
    const b = fx.cases['gaussian 9 offset -2.5 sigma 1.5']!.masks[0]!;
    expect(a).not.toEqual(b);
    const three = await runMasks([inputs.u8a], { thresholding_algorithm: 'local' });
    expect(three[0]).not.toEqual(a);
  }, 60_000);

  it("an even block size is refused by the run with scikit-image's message", async () => {
    const id = await api.execute({ algorithmId: algId, inputDatasetIds: [inputs.u8a], args: { thresholding_algorithm: 'local', block_size: 8 } });
    const rec = await api.executions.wait(id);
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toContain('block_size must be odd');
  }, 60_000);
});

describe('the live preview (api.preview): one 2-D image in memory, nothing stored', () => {
  it("returns the run's mask for the image with these args, and stores no dataset or execution", async () => {
    const before = { datasets: (await api.datasets.list()).length, executions: (await api.executions.list()).length };
    for (const name of ['mean 5 offset 3', 'median 7 constant cval 50']) {
      const c = fx.cases[name]!;
      const r = await api.preview(algId, inputs.u8b, { thresholding_algorithm: 'local', ...c.args });
      expect(r.superseded).toBe(false);
      if (r.superseded) continue;
      expect(r.output.shape).toEqual(fx.shape);
      expect(r.output.dtype).toBe('uint8');
      expect(Array.from(r.output.data), name).toEqual(c.masks[1]);
    }
    const otsu = await api.preview(algId, inputs.u8a, {});
    expect(otsu.superseded).toBe(false);
    const ran = await runMasks([inputs.u8a], {});
    if (!otsu.superseded) expect(Array.from(otsu.output.data)).toEqual(ran[0]);
    const after = { datasets: (await api.datasets.list()).length, executions: (await api.executions.list()).length };
    // The run above added one dataset and one execution; the previews added nothing.
    expect(after).toEqual({ datasets: before.datasets + 1, executions: before.executions + 1 });
  }, 60_000);

  it('a newer request supersedes one still waiting; arguments are validated; algorithms without a preview are refused', async () => {
    const a = api.preview(algId, inputs.u8a, { thresholding_algorithm: 'local', block_size: 5 });
    const b = api.preview(algId, inputs.u8a, { thresholding_algorithm: 'local', block_size: 7 });
    const c = api.preview(algId, inputs.u8a, { thresholding_algorithm: 'local', block_size: 9 });
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra.superseded).toBe(false);
    expect(rb.superseded).toBe(true);
    expect(rc.superseded).toBe(false);
    await expect(api.preview(algId, inputs.u8a, { block_size: 'big' })).rejects.toThrow(
      "Parameter 'block_size' (int_range) must be an integer between 3 and 1001",
    );
    await expect(api.preview(algId, 'nope', {})).rejects.toThrow("dataset 'nope' not found");
    const other = await api.algorithms.install(builtinBundleFolder('tv_denoising'), { builtin: true });
    await expect(api.preview(other.id, inputs.u8a, {})).rejects.toThrow('tv_denoising 1.0.0 has no live preview');
  }, 60_000);

  it("mask_cleanup's preview is its run's mask (objects under min_size removed, holes filled), on a mask dataset", async () => {
    const alg = await api.algorithms.install(builtinBundleFolder('mask_cleanup'), { builtin: true });
    expect(alg.preview).toBe(true);
    const m = new Uint8Array(20 * 20);
    for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) m[y * 20 + x] = 1;
    m[6 * 20 + 6] = 0; // a hole
    m[17 * 20 + 17] = 1; // a speck
    const id = await api.datasets.put({ mask: ndarray('uint8', [20, 20], m) }, { name: 'mask', schema: 'Segmentation' });
    const before = (await api.datasets.list()).length;
    const r = await api.preview(alg.id, id, { min_size: 5, fill_holes: true });
    expect((await api.datasets.list()).length).toBe(before);
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { min_size: 5, fill_holes: true } }));
    const ran = ((await api.datasets.get(rec.outputDatasetIds[0]!, ['mask'])).fields.mask as NDArray).data as Uint8Array;
    if (r.superseded) throw new Error('superseded');
    expect(r.key).toBe('mask');
    expect(Array.from(r.output.data)).toEqual(Array.from(ran));
    expect(r.output.data[6 * 20 + 6]).toBe(1);
    expect(r.output.data[17 * 20 + 17]).toBe(0);
  }, 60_000);
});
