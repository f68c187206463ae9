// The engine in the built app, driven only through window.algobox.
import { expect, test } from '@playwright/test';
import { zipSync, strToU8 } from 'fflate';
import { openApp } from './util';

const manifest = (name: string, type: string, extra = '') => `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "${type}"
tags = ["e2e"]
description = "e2e bundle"
supported_devices = ["cpu", "gpu"]
default_device = "cpu"
${extra}
`;

const invertBundle: Record<string, string> = {
  'pyproject.toml': manifest(
    'invert',
    'Image2Image',
    `additional_parameters = [{name = "maximum", description = "value to subtract from", config = {type = "int_range", default = 255, min = 1, max = 65535, step = 1, adjustable = true}}]

[tool.algobox]
files = ["files/note.txt"]`,
  ),
  'Runner.js': `import { Image2ImageRunner } from "algobox";
import { invert } from "./lib/invert.js";
export class Runner extends Image2ImageRunner {
  async loadAssets() { this.note = new TextDecoder().decode(await this.fetchAsset("files/note.txt")); }
  async inference(data, args) {
    this.logMessage("note: " + this.note);
    this.logMessage("debug detail", "DEBUG");
    for (let i = 0; i < data.shape[0]; i++) await this.setProgress((i + 1) / data.shape[0]);
    return invert(data, args.maximum);
  }
}`,
  'lib/invert.js': `import { ndarray } from "algobox";
export function invert(a, m) { const o = new Uint16Array(a.data.length); for (let i = 0; i < o.length; i++) o[i] = m - a.data[i]; return ndarray("uint16", a.shape, o); }`,
  'files/note.txt': 'hello from an asset',
};

test('the app is cross-origin isolated and the engine starts', async ({ page }) => {
  const problems = await openApp(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  expect(problems).toEqual([]);
});

test('install from files, put datasets, execute, wait, read outputs', async ({ page }) => {
  const problems = await openApp(page);
  const result = await page.evaluate(async (files) => {
    const api = window.algobox;
    const alg = await api.algorithms.install(files);
    const mk = (vals: number[]) => ({ dtype: 'uint8' as const, shape: [2, 3], data: new Uint8Array(vals) });
    const a = await api.datasets.put({ image: mk([0, 1, 2, 3, 4, 5]) }, { name: 'a' });
    const b = await api.datasets.put({ image: mk([10, 20, 30, 40, 50, 60]) }, { name: 'b' });
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a, b], args: { maximum: 1000 } });
    const progress: number[] = [];
    api.executions.subscribe(id, (r) => progress.push(r.progress));
    const rec = await api.executions.wait(id);
    const outs = await Promise.all(rec.outputDatasetIds.map((o) => api.datasets.get(o)));
    return {
      alg,
      rec,
      progress,
      outs: outs.map((o) => {
        const im = o.fields.image as { dtype: string; shape: number[]; data: Uint16Array };
        return { dtype: im.dtype, shape: im.shape, data: Array.from(im.data), isU16: im.data instanceof Uint16Array };
      }),
    };
  }, invertBundle);
  expect(result.alg).toMatchObject({ name: 'invert', version: '1.0.0', algorithmType: 'Image2Image', defaultDevice: 'cpu', warnings: [] });
  expect(result.alg.additionalParameters[0]).toMatchObject({ name: 'maximum', config: { type: 'int_range', default: 255, min: 1, max: 65535 } });
  expect(result.rec.status).toBe('COMPLETED');
  expect(result.rec.progress).toBe(1);
  expect(result.rec.device).toBe('cpu');
  expect(result.outs).toEqual([
    { dtype: 'uint16', shape: [2, 3], data: [1000, 999, 998, 997, 996, 995], isU16: true },
    { dtype: 'uint16', shape: [2, 3], data: [990, 980, 970, 960, 950, 940], isU16: true },
  ]);
  const messages = result.rec.log.map((l: { message: string }) => l.message);
  expect(messages).toContain('note: hello from an asset');
  expect(result.rec.log).toContainEqual(expect.objectContaining({ level: 'DEBUG', message: 'debug detail' }));
  expect(result.progress).toEqual([...result.progress].sort((x, y) => x - y));
  expect(problems).toEqual([]);
});

test('install from a zip File and from URLs of a zip and of a folder', async ({ page }) => {
  const zipped = zipSync(Object.fromEntries(Object.entries(invertBundle).map(([p, c]) => [`invert/${p}`, strToU8(c)])));
  await page.route('**/remote/invert.zip', (route) =>
    route.fulfill({ status: 200, contentType: 'application/zip', body: Buffer.from(zipped), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
  );
  await page.route('**/remote/missing.zip', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.route('**/remote/folder/**', (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^.*\/remote\/folder\//, '');
    const body = invertBundle[path];
    return body === undefined ? route.fulfill({ status: 404, body: 'no' }) : route.fulfill({ status: 200, body, contentType: 'text/plain' });
  });
  const problems = await openApp(page);
  const r = await page.evaluate(async (bytes) => {
    const api = window.algobox;
    const fromZip = await api.algorithms.install(new File([new Uint8Array(bytes)], 'invert.zip', { type: 'application/zip' }));
    const fromZipUrl = await api.algorithms.install('/remote/invert.zip');
    const fromFolder = await api.algorithms.install('/remote/folder/');
    const a = await api.datasets.put({ image: { dtype: 'uint8', shape: [1, 2], data: new Uint8Array([5, 6]) } });
    const rec = await api.executions.wait(await api.execute({ algorithmId: fromFolder.id, inputDatasetIds: [a] }));
    const out = await api.datasets.get(rec.outputDatasetIds[0]!);
    const failure = async (src: string) =>
      api.algorithms.install(src).then(
        () => '',
        (e: Error) => e.message,
      );
    const bad = await failure('/remote/missing.zip');
    const html = await failure('/not-a-bundle.zip');
    return {
      names: [fromZip.name, fromZipUrl.name, fromFolder.name],
      all: (await api.algorithms.list()).filter((a) => a.name === 'invert').length,
      status: rec.status,
      out: Array.from((out.fields.image as { data: Uint16Array }).data),
      bad,
      html,
    };
  }, Array.from(zipped));
  expect(r.names).toEqual(['invert', 'invert', 'invert']);
  expect(r.all).toBe(1); // same name+version replaces
  expect(r.status).toBe('COMPLETED');
  expect(r.out).toEqual([250, 249]);
  expect(r.bad).toMatch(/Could not fetch .*missing\.zip: HTTP 404/);
  expect(r.html).toMatch(/not-a-bundle\.zip did not return a zip file \(got text\/html/);
  // Chromium logs the 404 this test asks for on purpose; nothing else may appear.
  expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
});

test('a failing runner gives FAILED with its message; a crashing worker does not take the app down', async ({ page }) => {
  const problems = await openApp(page);
  const r = await page.evaluate(
    async (mf) => {
      const api = window.algobox;
      const failing = await api.algorithms.install({
        'pyproject.toml': mf.fail,
        'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { throw new Error("segmentation model exploded"); } }`,
      });
      const crashing = await api.algorithms.install({
        'pyproject.toml': mf.crash,
        'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { setTimeout(() => { throw new Error("uncaught in a timer"); }); await new Promise(() => {}); } }`,
      });
      const a = await api.datasets.put({ image: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([1]) } });
      const f = await api.executions.wait(await api.execute({ algorithmId: failing.id, inputDatasetIds: [a] }));
      const c = await api.executions.wait(await api.execute({ algorithmId: crashing.id, inputDatasetIds: [a] }));
      const still = await api.datasets.get(a);
      return { f, c, ok: (still.fields.image as { data: Uint8Array }).data[0] };
    },
    { fail: manifest('failing', 'Image2Image'), crash: manifest('crashing', 'Image2Image') },
  );
  expect(r.f.status).toBe('FAILED');
  expect(r.f.error?.message).toBe('segmentation model exploded');
  expect(r.f.error?.stack).toContain('bundle/Runner.js');
  expect(r.c.status).toBe('FAILED');
  expect(r.c.error?.message).toMatch(/The runner worker stopped: The worker crashed: .*uncaught in a timer/);
  expect(r.ok).toBe(1);
  expect(problems).toEqual([]);
});

test('cancel terminates a busy worker; a time limit stops a runaway loop; the app stays responsive', async ({ page }) => {
  const problems = await openApp(page);
  const r = await page.evaluate(
    async (mf) => {
      const api = window.algobox;
      const spin = await api.algorithms.install({
        'pyproject.toml': mf,
        'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { await this.setProgress(0.25); for (;;) {} } }`,
      });
      const a = await api.datasets.put({ image: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([1]) } });
      const id = await api.execute({ algorithmId: spin.id, inputDatasetIds: [a] });
      for (let i = 0; i < 100 && (await api.executions.get(id)).progress < 0.25; i++) await new Promise((res) => setTimeout(res, 50));
      const t0 = performance.now();
      const cancelled = await api.executions.cancel(id);
      const cancelMs = performance.now() - t0;
      const timed = await api.executions.wait(await api.execute({ algorithmId: spin.id, inputDatasetIds: [a], timeoutMs: 300 }));
      return { cancelled, cancelMs, timed, workers: (await api.stats()).runners.length };
    },
    manifest('spin', 'Image2Image'),
  );
  expect(r.cancelled.status).toBe('CANCELLED');
  expect(r.cancelled.error?.message).toBe('Execution was cancelled.');
  expect(r.cancelMs).toBeLessThan(5000);
  expect(r.timed.status).toBe('FAILED');
  expect(r.timed.error?.message).toBe('Execution exceeded its time limit of 300 ms and was stopped.');
  expect(r.workers).toBe(0);
  expect(problems).toEqual([]);
});

test('a reload during a run leaves the record FAILED (interrupted), never RUNNING', async ({ page }) => {
  await openApp(page);
  const id = await page.evaluate(
    async (mf) => {
      const api = window.algobox;
      const slow = await api.algorithms.install({
        'pyproject.toml': mf,
        'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { await this.setProgress(0.5); await new Promise(() => {}); } }`,
      });
      const a = await api.datasets.put({ image: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([1]) } });
      const id = await api.execute({ algorithmId: slow.id, inputDatasetIds: [a] });
      for (let i = 0; i < 100 && (await api.executions.get(id)).status !== 'RUNNING'; i++) await new Promise((res) => setTimeout(res, 50));
      // Long enough for the throttled write of its progress (0.5) to reach the store.
      await new Promise((res) => setTimeout(res, 600));
      return id;
    },
    manifest('slow', 'Image2Image'),
  );
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  const rec = await page.evaluate(async (execId) => {
    await window.algobox.ready;
    return window.algobox.executions.get(execId);
  }, id);
  expect(rec.status).toBe('FAILED');
  expect(rec.error?.message).toMatch(/interrupted/);
  // Where it stopped: the last progress it recorded, not a full bar.
  expect(rec.progress).toBe(0.5);
});

test('a reload after a run posted outputs deletes them with the FAILED record; other datasets stay', async ({ page }) => {
  await openApp(page);
  const { id, input } = await page.evaluate(
    async (mf) => {
      const api = window.algobox;
      const alg = await api.algorithms.install({
        'pyproject.toml': mf,
        'Runner.js': `import { BaseRunner, ndarray } from "algobox";
        export class Runner extends BaseRunner {
          preprocess() { return null; }
          inference() { return null; }
          async postprocess() {
            for (let i = 0; i < 3; i++) await this.postData([{ image: ndarray("uint8", [2, 2], [i, i, i, i]) }], "Image");
            await this.setProgress(0.9);
            await new Promise(() => {});
          }
        }`,
      });
      const input = await api.datasets.put({ image: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([1]) } }, { name: 'input' });
      const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [input] });
      for (let i = 0; i < 200 && (await api.datasets.list()).filter((m) => m.source === `execution:${id}`).length < 3; i++)
        await new Promise((res) => setTimeout(res, 50));
      return { id, input };
    },
    manifest('posts_then_hangs', 'Image2Image'),
  );
  const before = await page.evaluate(async (execId) => (await window.algobox.datasets.list()).filter((m) => m.source === `execution:${execId}`).length, id);
  expect(before).toBe(3);
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  const after = await page.evaluate(async (execId) => {
    await window.algobox.ready;
    const rec = await window.algobox.executions.get(execId);
    const metas = await window.algobox.datasets.list();
    return { rec, posted: metas.filter((m) => m.source === `execution:${execId}`).length, ids: metas.map((m) => m.id) };
  }, id);
  expect(after.rec.status).toBe('FAILED');
  expect(after.rec.error?.message).toMatch(/interrupted/);
  expect(after.rec.log.map((l) => l.message)).toContain('Removed 3 dataset(s) this execution had posted.');
  expect(after.posted).toBe(0);
  expect(after.ids).toContain(input);
});

test('datasets.importFiles decodes PNG, 16-bit PNG and multi-page TIFF into Image datasets', async ({ page }) => {
  const { encodePng, encodeTiff } = await import('../../src/core/imageCodecs/index');
  const gray = encodePng({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([0, 10, 20, 30, 40, 50]) });
  const deep = encodePng({ dtype: 'uint16', shape: [1, 2], data: new Uint16Array([1000, 65535]) });
  const rgb = encodePng({ dtype: 'uint8', shape: [3, 1, 2], data: new Uint8Array([255, 0, 0, 128, 0, 7]) });
  const stack = encodeTiff([0, 1, 2].map((k) => ({ dtype: 'float32' as const, shape: [2, 2], data: new Float32Array([k, k + 0.5, k + 1, k + 1.5]) })));
  const problems = await openApp(page);
  const r = await page.evaluate(
    async (files) => {
      const api = window.algobox;
      const list = files.map((f) => new File([new Uint8Array(f.bytes)], f.name));
      const res = await api.datasets.importFilesDetailed(list);
      const got = await Promise.all(res.ids.map((id) => api.datasets.get(id)));
      return {
        errors: res.errors,
        items: got.map((d) => {
          const im = d.fields.image as { dtype: string; shape: number[]; data: ArrayLike<number> };
          return { name: d.meta.name, dtype: im.dtype, shape: im.shape, data: Array.from(im.data) };
        }),
      };
    },
    [
      { name: 'b10.png', bytes: Array.from(gray) },
      { name: 'b2.png', bytes: Array.from(deep) },
      { name: 'rgb.png', bytes: Array.from(rgb) },
      { name: 'stack.tif', bytes: Array.from(stack) },
      { name: 'broken.png', bytes: [1, 2, 3] },
    ],
  );
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]!.file).toBe('broken.png');
  expect(r.items.map((i) => i.name)).toEqual(['b2.png', 'b10.png', 'rgb.png', 'stack.tif [1/3]', 'stack.tif [2/3]', 'stack.tif [3/3]']);
  expect(r.items[0]).toMatchObject({ dtype: 'uint16', shape: [1, 2], data: [1000, 65535] });
  expect(r.items[1]).toMatchObject({ dtype: 'uint8', shape: [2, 3], data: [0, 10, 20, 30, 40, 50] });
  expect(r.items[2]).toMatchObject({ dtype: 'uint8', shape: [3, 1, 2], data: [255, 0, 0, 128, 0, 7] });
  expect(r.items[4]).toMatchObject({ dtype: 'float32', shape: [2, 2], data: [1, 1.5, 2, 2.5] });
  expect(problems).toEqual([]);
});

test('data plane: a third-party (sandboxed) run over 80 images of 256 KiB completes; posted arrays are moved, a WebAssembly memory view is copied', async ({
  page,
}) => {
  // 80 transferred buffers over 64 KiB in one message to the sandbox's process crashed the page (issue 13).
  await openApp(page);
  const r = await page.evaluate(
    async (mf) => {
      const api = window.algobox;
      const alg = await api.algorithms.install({
        'pyproject.toml': mf,
        'Runner.js': `import { Image2ImageRunner, ndarray } from "algobox";
      export class Runner extends Image2ImageRunner {
        async inference(data) {
          const mem = new WebAssembly.Memory({ initial: 1 });
          const wasm = ndarray("uint8", [2, 2], new Uint8Array(mem.buffer, 8, 4));
          wasm.data.set([9, 8, 7, 6]);
          const own = ndarray("uint8", [2, 2], [1, 2, 3, 4]);
          const [a, b] = await this.host.postData([{ mask: { kind: "array", array: own } }, { mask: { kind: "array", array: wasm } }], null);
          await this.logMessage("AFTER " + own.data.length + " " + wasm.data.length + " " + a.length + " " + b.length);
          return data;
        }
      }`,
      });
      await api.algorithms.trust(alg.id);
      const ids: string[] = [];
      for (let k = 0; k < 80; k++) {
        const d = new Float32Array(256 * 256).fill(k);
        ids.push(await api.datasets.put({ image: { dtype: 'float32', shape: [256, 256], data: d } }, { schema: 'Image' }));
      }
      const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: ids }));
      const outs = [];
      for (const o of rec.outputDatasetIds) outs.push(((await api.datasets.get(o, ['image'])).fields.image as { data: Float32Array }).data[65535]);
      const posted = (await api.datasets.list()).filter((m) => m.source === `execution:${rec.id}` && !rec.outputDatasetIds.includes(m.id));
      const masks = [];
      for (const m of posted) masks.push(Array.from(((await api.datasets.get(m.id, ['mask'])).fields.mask as { data: Uint8Array }).data));
      return {
        status: rec.status,
        error: rec.error?.message ?? null,
        outs,
        masks,
        log: rec.log.map((l) => l.message),
        runners: (await api.stats()).runners.map((x) => x.key),
      };
    },
    manifest('dataplane_sandboxed', 'Image2Image'),
  );
  expect(r.error).toBeNull();
  expect(r.status).toBe('COMPLETED');
  expect(r.runners.some((k) => k.endsWith('|sandbox'))).toBe(true);
  expect(r.outs).toEqual(Array.from({ length: 80 }, (_, k) => k));
  expect(r.masks).toEqual([
    [1, 2, 3, 4],
    [9, 8, 7, 6],
  ]);
  // The runner's own array was moved (empty now); the view on WebAssembly memory, which cannot be, was copied.
  expect(r.log.find((m) => m.startsWith('AFTER '))).toMatch(/^AFTER 0 4 \d+ \d+$/);
});
