// The built-in bundles (public/bundles/*), installed from their folders and run through the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import * as filters from '../../src/sdk/image/filters';
import * as morphology from '../../src/sdk/image/morphology';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { builtinBundleFolder, BUNDLES_DIR } from './helpers/builtinFolder';
import { SAMPLE_TRUE_SHIFT } from '../../src/core/sampleData';

const ROOT = BUNDLES_DIR;

const folder = builtinBundleFolder;

let api: Algobox;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = createAlgobox({ dbName: `builtins-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5 });
  const index = JSON.parse(readFileSync(join(ROOT, 'index.json'), 'utf8')) as { path: string; name: string }[];
  for (const e of index) ids[e.name] = (await api.algorithms.install(folder(e.path), { builtin: true })).id;
});
afterAll(async () => await api.close());

async function run(name: string, inputs: string[], args: Record<string, unknown> = {}) {
  const rec = await api.executions.wait(await api.execute({ algorithmId: ids[name]!, inputDatasetIds: inputs, args }));
  if (rec.status !== 'COMPLETED') throw new Error(`${name} ${rec.status}: ${rec.error?.message}`);
  return rec;
}

async function out(id: string, key: string): Promise<NDArray> {
  return (await api.datasets.get(id, [key])).fields[key] as NDArray;
}

function blobs(n: number, seed: number): Float32Array {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const a = new Float32Array(n * n);
  const centres = Array.from({ length: 6 }, () => [r() * n, r() * n, 3 + r() * 4]);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let v = 0.1 + 0.1 * r();
      for (const [cx, cy, rad] of centres) if ((x - cx!) ** 2 + (y - cy!) ** 2 < rad! ** 2) v += 0.7;
      a[y * n + x] = v;
    }
  return a;
}

describe('built-in bundles', () => {
  it('installs all seven with their manifests and no warnings', async () => {
    const list = await api.algorithms.list();
    expect(list.map((a) => [a.name, a.algorithmType]).sort()).toEqual([
      ['mask_cleanup', 'Segmentation2Segmentation'],
      ['measure_objects', 'Segmentation2Segmentation'],
      ['registration', 'Image2Alignment'],
      ['salient_segmentation', 'Image2Segmentation'],
      ['sam_embedding', 'Image2Embedding'],
      ['threshold_segmentation', 'Image2Segmentation'],
      ['tv_denoising', 'Image2Image'],
    ]);
    for (const a of list) expect(a.warnings).toEqual([]);
  });

  it('threshold_segmentation thresholds the whole stack with every method, masks uint8 0/1', async () => {
    const imgs = [blobs(32, 1), blobs(32, 2)];
    const dsIds = await Promise.all(imgs.map((d) => api.datasets.put({ image: ndarray('float32', [32, 32], d) })));
    const stackArr = ndarray('float32', [2, 32, 32], Float32Array.from([...imgs[0]!, ...imgs[1]!]));
    for (const method of filters.THRESHOLD_METHODS) {
      const rec = await run('threshold_segmentation', dsIds, { thresholding_algorithm: method });
      expect(rec.outputDatasetIds).toHaveLength(2);
      // local: each input on its own (block size 1 along the stack of inputs), scikit-image's default block_size 3.
      const expected = filters.threshold(stackArr, method, method === 'local' ? { blockSize: [1, 3, 3] } : {}).mask;
      for (let i = 0; i < 2; i++) {
        const m = await out(rec.outputDatasetIds[i]!, 'mask');
        expect(m.dtype).toBe('uint8');
        expect(m.shape).toEqual([32, 32]);
        expect(Array.from(m.data)).toEqual(Array.from(expected.data.subarray(i * 1024, (i + 1) * 1024)));
      }
    }
  });

  it('tv_denoising normalises, denoises per image and returns float32 in [0, 1]', async () => {
    const a = await api.datasets.put({
      image: ndarray(
        'uint16',
        [16, 16],
        Uint16Array.from(blobs(16, 3), (v) => v * 1000),
      ),
    });
    const b = await api.datasets.put({
      image: ndarray(
        'uint16',
        [16, 16],
        Uint16Array.from(blobs(16, 4), (v) => v * 1000),
      ),
    });
    const rec = await run('tv_denoising', [a, b], { denoising_weight: 0.3 });
    const o = await out(rec.outputDatasetIds[0]!, 'image');
    expect(o.dtype).toBe('float32');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of o.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(rec.progress).toBe(1);
  });

  it('registration recovers a known sub-pixel shift within 0.5 px; N images give N−1 matrices', async () => {
    const n = 64;
    const waves = [
      [3, 1, 0.5, 0.3],
      [1, 4, 0.4, 1.1],
      [5, 2, 0.3, 2.0],
      [2, 6, 0.25, 0.7],
      [7, 3, 0.2, 1.9],
    ];
    const tex = (dx: number, dy: number) => {
      const a = new Float32Array(n * n);
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          let v = 0;
          for (const [u, w, amp, ph] of waves) v += amp! * Math.cos((2 * Math.PI * (u! * (x - dx) + w! * (y - dy))) / n + ph!);
          a[y * n + x] = v;
        }
      return ndarray('float32', [n, n], a);
    };
    // Image k is the texture moved by (dx, dy) = k·(2.4, −1.3): its content at (x, y) is the first's at (x − dx, y − dy).
    const dsIds = await Promise.all([0, 1, 2].map((k) => api.datasets.put({ image: tex(2.4 * k, -1.3 * k) })));
    const rec = await run('registration', dsIds, { max_translation: 0.25 });
    expect(rec.outputDatasetIds).toHaveLength(2);
    for (const id of rec.outputDatasetIds) {
      const m = await out(id, 'transform_matrix');
      expect(m.shape).toEqual([3, 3]);
      // Matrix i maps coordinates of image i+1 to image i: a point moved by (+dx, +dy) maps back by (−dx, −dy).
      expect(Math.abs(m.data[2]! - -2.4)).toBeLessThan(0.5);
      expect(Math.abs(m.data[5]! - 1.3)).toBeLessThan(0.5);
      expect([m.data[0], m.data[1], m.data[3], m.data[4], m.data[6], m.data[7], m.data[8]]).toEqual([1, 0, 0, 1, 0, 0, 1]);
    }
    // The same three images as the Z slices of one Volume: registered pair by pair through lazy reads,
    // the same matrices as the stacked path.
    const slices = [0, 1, 2].map((k) => tex(2.4 * k, -1.3 * k).data as Float32Array);
    const vol = new Float32Array(3 * n * n);
    slices.forEach((d, k) => vol.set(d, k * n * n));
    const volId = await api.datasets.put({ volume: ndarray('float32', [3, n, n], vol) }, { schema: 'Volume' });
    const lazy = await run('registration', [volId], { max_translation: 0.25 });
    expect(lazy.status).toBe('COMPLETED');
    expect(lazy.log.map((l) => l.message).join('\n')).toContain('pair by pair (out of core)');
    expect(lazy.outputDatasetIds).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      const a = await out(lazy.outputDatasetIds[i]!, 'transform_matrix');
      const b = await out(rec.outputDatasetIds[i]!, 'transform_matrix');
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });

  it('registration recovers the sample data shifted pair (as stored by samples.create)', async () => {
    const { stacks } = await api.samples.create();
    const pair = stacks.find((s) => s.name === 'shifted pair')!;
    expect(pair.datasetIds).toHaveLength(2);
    const rec = await run('registration', pair.datasetIds, {});
    const m = await out(rec.outputDatasetIds[0]!, 'transform_matrix');
    expect(Math.abs(m.data[2]! + SAMPLE_TRUE_SHIFT.dx)).toBeLessThan(0.5);
    expect(Math.abs(m.data[5]! + SAMPLE_TRUE_SHIFT.dy)).toBeLessThan(0.5);
  });

  it('mask_cleanup removes small objects and fills holes', async () => {
    const n = 20;
    const m = new Uint8Array(n * n);
    for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) m[y * n + x] = 1; // 10×10 square…
    m[6 * n + 6] = 0; // …with a hole
    m[16 * n + 16] = 1; // a 1-pixel speck
    const id = await api.datasets.put({ mask: ndarray('uint8', [n, n], m) });
    const rec = await run('mask_cleanup', [id], { min_size: 5, fill_holes: true });
    const o = await out(rec.outputDatasetIds[0]!, 'mask');
    expect(o.data[6 * n + 6]).toBe(1);
    expect(o.data[16 * n + 16]).toBe(0);
    expect(Array.from(o.data).reduce((s, v) => s + v, 0)).toBe(100);
    const keep = await run('mask_cleanup', [id], { min_size: 0, fill_holes: false });
    const k = await out(keep.outputDatasetIds[0]!, 'mask');
    expect(Array.from(k.data)).toEqual(Array.from(m));
  });

  it('mask_cleanup cleans masks of several chunks out of core (tiles of a 2-D mask, slices of a 3-D one), equal to the whole-mask kernels', async () => {
    const blobby = (shape: number[], seed: number) => {
      const a = ndarray('uint8', shape);
      const [h, w] = shape.slice(-2) as [number, number];
      const planes = a.data.length / (h * w);
      let s = seed;
      const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let k = 0; k < 60; k++) {
        const [p, cy, cx, r] = [Math.floor(rnd() * planes), rnd() * h, rnd() * w, 2 + rnd() * 40];
        for (let pp = Math.max(0, p - 1); pp <= Math.min(planes - 1, p + 1); pp++) {
          for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++) {
            for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) {
              const d = Math.hypot(y - cy, x - cx);
              if (d <= r && d >= r * 0.5) a.data[(pp * h + y) * w + x] = 1; // rings: holes to fill
            }
          }
        }
      }
      for (let k = 0; k < a.data.length / 50; k++) a.data[Math.floor(rnd() * a.data.length)] = 1; // specks
      return a;
    };
    for (const mask of [blobby([2100, 2090], 3), blobby([5, 300, 280], 4)]) {
      const id = await api.datasets.put({ mask }, { schema: 'Segmentation' });
      const rec = await run('mask_cleanup', [id], { min_size: 30, fill_holes: true });
      expect(rec.status).toBe('COMPLETED');
      expect(rec.log.map((l) => l.message).join('\n')).toContain('out of core');
      const o = await out(rec.outputDatasetIds[0]!, 'mask');
      expect(o.shape).toEqual(mask.shape);
      const expected = morphology.binaryFillHoles(morphology.removeSmallObjects(mask, 30));
      expect(Array.from(o.data)).toEqual(Array.from(expected.data));
    }
  });
});
