// Lazy arrays (issue 13) in the real opaque-origin sandbox: third-party bundles installed from files
// read their input block by block (regions with a halo) and write their output block by block through
// the HostApi, and the dataset with its chunked array is stored. The example bundle
// (docs/examples/mean_filter) and a third-party copy of threshold_segmentation (out-of-core Otsu on a
// Volume) are checked against the same computation done whole in Node.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openApp } from './util';
import { meanFilter } from '../../docs/examples/mean_filter/lib/mean3.js';
import { ndarray } from '../../src/core/ndarray';
import { applyThreshold, thresholdOtsu } from '../../src/sdk/image/filters';

const EXAMPLE_DIR = join(import.meta.dirname, '..', '..', 'docs', 'examples', 'mean_filter');

function folderText(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

test('the example bundle (mean_filter) runs in the sandbox on a Volume, block by block with a halo', async ({ page }) => {
  const problems = await openApp(page);
  const shape = [3, 200, 180];
  const values = Array.from({ length: 3 * 200 * 180 }, (_, i) => Math.fround(Math.sin(i * 0.013) * 50 + (i % 23)));
  const r = await page.evaluate(
    async ([files, shape, values]) => {
      const api = window.algobox;
      const alg = await api.algorithms.install(files);
      const id = await api.datasets.put({ volume: { dtype: 'float32', shape, data: Float32Array.from(values) } }, { schema: 'Volume', name: 'lazy volume' });
      const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { block_rows: 64 } }));
      const out = rec.outputDatasetIds.length ? await api.datasets.get(rec.outputDatasetIds[0]!) : null;
      const v = out?.fields.volume as { shape: number[]; data: Float32Array } | undefined;
      await api.datasets.delete([id, ...rec.outputDatasetIds]);
      return { status: rec.status, error: rec.error?.message ?? null, log: rec.log.map((l) => l.message), shape: v?.shape, data: v ? Array.from(v.data) : [] };
    },
    [folderText(EXAMPLE_DIR), shape, values] as const,
  );
  expect(r.error).toBeNull();
  expect(r.status).toBe('COMPLETED');
  expect(r.log).toContain('Third-party bundle: it runs in an opaque-origin sandbox (no storage, no network; data only through the engine).');
  expect(r.log).toContain('volume float32 [3, 200, 180]: 12 block(s) of [1, 64, 180].');
  expect(r.shape).toEqual(shape);
  const expected = meanFilter(ndarray('float32', shape, Float32Array.from(values)));
  expect(r.data).toEqual(Array.from(expected.data));
  expect(problems).toEqual([]);
});

test('a third-party copy of threshold_segmentation thresholds a uint16 Volume out of core in the sandbox (Otsu, mask written block by block)', async ({
  page,
}) => {
  const problems = await openApp(page);
  const shape = [4, 256, 256];
  let s = 3;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const values = Array.from({ length: 4 * 256 * 256 }, () => Math.round((rnd() < 0.3 ? 3000 : 1200) + (rnd() - 0.5) * 900));
  const vol = ndarray('uint16', shape, Uint16Array.from(values));
  const t = thresholdOtsu(vol);
  const mask = applyThreshold(vol, t);
  const r = await page.evaluate(
    async ([shape, values]) => {
      const api = window.algobox;
      const base = 'bundles/threshold_segmentation/';
      const files: Record<string, string> = {};
      for (const p of ['pyproject.toml', 'Runner.js', 'README.md', 'image_segmentation/segmentation_utils.js', 'image_segmentation/out_of_core.js']) {
        files[p] = await (await fetch(base + p)).text();
      }
      files['pyproject.toml'] = files['pyproject.toml']!.replace('name = "threshold_segmentation"', 'name = "threshold_third_party"');
      const alg = await api.algorithms.install(files);
      const id = await api.datasets.put(
        { volume: { dtype: 'uint16', shape, data: Uint16Array.from(values) } },
        { schema: 'Volume', name: 'lazy uint16 volume' },
      );
      const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id], args: { thresholding_algorithm: 'otsu' } }));
      const out = rec.outputDatasetIds.length ? await api.datasets.get(rec.outputDatasetIds[0]!) : null;
      const m = out?.fields.mask as { dtype: string; shape: number[]; data: Uint8Array } | undefined;
      const meta = (await api.datasets.list()).find((d) => d.id === rec.outputDatasetIds[0]);
      await api.datasets.delete([id, ...rec.outputDatasetIds]);
      await api.algorithms.remove(alg.id);
      return {
        status: rec.status,
        error: rec.error?.message ?? null,
        log: rec.log.map((l) => l.message),
        mask: m ? { dtype: m.dtype, shape: m.shape, data: Array.from(m.data) } : null,
        chunkShape: meta?.keys.mask?.chunkShape ?? null,
      };
    },
    [shape, values] as const,
  );
  expect(r.error).toBeNull();
  expect(r.status).toBe('COMPLETED');
  expect(r.log).toContain('Out of core: uint16 [4, 256, 256] in 4 block(s).');
  expect(r.log).toContain(`Threshold: ${t}`);
  expect(r.mask?.dtype).toBe('uint8');
  expect(r.mask?.shape).toEqual(shape);
  expect(r.mask?.data).toEqual(Array.from(mask.data));
  expect(r.chunkShape).toEqual([1, 256, 256]);
  expect(problems).toEqual([]);
});
