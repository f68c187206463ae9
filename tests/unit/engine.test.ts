import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { INTERRUPTED_MESSAGE } from '../../src/engine/engine';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest, scaleBundle } from './helpers/bundles';

const apis: Algobox[] = [];
function makeApi(extra: Partial<Parameters<typeof createAlgobox>[0]> = {}) {
  const workers = inProcessWorkerFactory();
  const api = createAlgobox({ dbName: `engine-${crypto.randomUUID()}`, workerFactory: workers, persistIntervalMs: 5, ...extra });
  apis.push(api);
  return { api, workers };
}
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

const img = (vals: number[], h = 2, w = 2) => ndarray('uint8', [h, w], vals);

describe('engine: install, execute, read outputs', () => {
  it('runs an Image2Image bundle with a submodule and returns scaled images', async () => {
    const { api } = makeApi();
    await api.ready;
    const alg = await api.algorithms.install(scaleBundle);
    expect(alg).toMatchObject({ name: 'scale', version: '1.0.0', algorithmType: 'Image2Image', tags: ['test'], supportedDevices: ['cpu', 'gpu'] });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const b = await api.datasets.put({ image: img([5, 6, 7, 8]) });
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a, b], args: { factor: 1.5 } });
    const rec = await api.executions.wait(id);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('COMPLETED');
    expect(rec.progress).toBe(1);
    expect(rec.device).toBe('cpu');
    expect(rec.args).toEqual({ factor: 1.5 });
    expect(rec.outputDatasetIds).toHaveLength(2);
    const out0 = await api.datasets.get(rec.outputDatasetIds[0]!);
    const out1 = await api.datasets.get(rec.outputDatasetIds[1]!, ['image']);
    expect((out0.fields.image as NDArray).dtype).toBe('float32');
    expect(Array.from((out0.fields.image as NDArray).data)).toEqual([1.5, 3, 4.5, 6]);
    expect(Array.from((out1.fields.image as NDArray).data)).toEqual([7.5, 9, 10.5, 12]);
    expect(out0.meta.source).toBe(`execution:${id}`);
    const messages = rec.log.map((l) => l.message);
    expect(messages).toContain('Starting execution.');
    expect(messages).toContain('scaling by 1.5');
    expect(messages.some((m) => /^Execution completed in [\d.]+ seconds\.$/.test(m))).toBe(true);
    expect(rec.log.every((l) => typeof l.time === 'string' && ['INFO', 'WARNING', 'ERROR', 'DEBUG'].includes(l.level))).toBe(true);
    expect(rec.timings.inference).toBeGreaterThanOrEqual(0);
    expect(rec.timings.total).toBeGreaterThanOrEqual(0);
  });

  it('merges defaults and rejects bad arguments before a run starts', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install(scaleBundle);
    const a = await api.datasets.put({ image: img([1, 1, 1, 1]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.args).toEqual({ factor: 2 });
    await expect(api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { factor: 20 } })).rejects.toThrow(/factor/);
    await expect(api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { nope: 1 } })).rejects.toThrow(/nope/);
  });

  it('reports every unknown dataset before an unknown algorithm', async () => {
    const { api } = makeApi();
    await expect(api.execute({ algorithmId: 'no-such-alg', inputDatasetIds: ['x1', 'x2'] })).rejects.toThrow(
      'Input datasets with the following identifiers not found: x1, x2',
    );
    const a = await api.datasets.put({ image: img([1, 1, 1, 1]) });
    await expect(api.execute({ algorithmId: 'no-such-alg', inputDatasetIds: [a] })).rejects.toThrow(/Algorithm not found/);
  });

  it('a failing runner gives FAILED with its message and stack, and its posted outputs are removed', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('boom', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner {
          async inference(data) { return data; }
          async postprocess(data, args) { await super.postprocess(data, args); await this.setProgress(0.7); throw new Error("kaput after posting"); }
        }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const before = (await api.datasets.list()).length;
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('FAILED');
    // A failed run keeps the progress it reached (where it stopped), not 1.
    expect(rec.progress).toBe(0.7);
    expect(rec.error?.message).toBe('kaput after posting');
    expect(rec.error?.stack).toContain('kaput');
    expect(rec.outputDatasetIds).toEqual([]);
    expect(rec.log.some((l) => l.level === 'ERROR' && l.message === 'kaput after posting')).toBe(true);
    expect((await api.datasets.list()).length).toBe(before);
  });

  it('checks what postprocess returns', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('foo', 'Generic'),
      'Runner.js': `import { BaseRunner } from "algobox";
        export class Runner extends BaseRunner {
          async preprocess(d) { return d; } async inference(d) { return d; }
          async postprocess() { return ["This is Foo!"]; }
        }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toContain('"This is Foo!"');
  });

  it('keeps a cached runner: loadAssets runs once, its attributes are locked', async () => {
    const { api, workers } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('cached', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        let loads = 0;
        export class Runner extends Image2ImageRunner {
          model = null;
          async loadAssets() { loads++; this.model = { loads, text: new TextDecoder().decode(await this.fetchAsset("files/w.txt")) }; }
          async inference(data, args) {
            this.logMessage("model " + this.model.text + " loads=" + this.model.loads);
            if (args.mutate) this.model = "replaced";
            return data;
          }
        }`,
      'files/w.txt': 'weights-v1',
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const r1 = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    const r2 = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(r1.status).toBe('COMPLETED');
    expect(r2.status).toBe('COMPLETED');
    expect(r2.log.map((l) => l.message)).toContain('model weights-v1 loads=1');
    expect(workers.created).toBe(1);
    const { runners } = await api.stats();
    expect(runners).toHaveLength(1);
    expect(r2.timings.load).toBe(0);
    expect(runners[0]!.stats).toMatchObject({ loadAssetsCalls: 1, executions: 2, moduleLoads: 1 });
  });

  it('fails an execution that assigns a locked attribute', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('locked', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner {
          async loadAssets() { this.model = 1; }
          async inference(data) { this.model = 2; return data; }
        }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe("Attribute 'model' is locked and cannot be modified.");
  });

  it('shares session items between executions with the same token', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest(
        'sess',
        'Image2Image',
        `additional_parameters = [{name = "mode", description = "save or load", config = {type = "string_enum", default = "save", options = ["save", "load"], adjustable = true}}]`,
      ),
      'Runner.js': `import { Image2ImageRunner, ndarray } from "algobox";
        export class Runner extends Image2ImageRunner {
          async inference(data, args) {
            if (args.mode === "save") await this.saveItemToSession({ seen: data.shape[0], arr: ndarray("float32", [2], [1.5, 2.5]) }, "k");
            else { const v = await this.loadItemFromSession("k"); this.logMessage("loaded " + v.seen + " " + Array.from(v.arr.data).join(",")); }
            return data;
          }
        }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const r1 = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a, a], args: { mode: 'save' } }));
    expect(r1.status).toBe('COMPLETED');
    const r2 = await api.executions.wait(
      await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { mode: 'load' }, sessionToken: r1.sessionToken }),
    );
    expect(r2.log.map((l) => l.message)).toContain('loaded 2 1.5,2.5');
    const r3 = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { mode: 'load' } }));
    expect(r3.status).toBe('FAILED');
    expect(r3.error?.message).toMatch(/^Key k not found in cache for session /);
  });

  it('stops a run that exceeds its time limit, and cancels a run', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('hang', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { await new Promise(() => {}); } }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const t = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], timeoutMs: 150 }));
    expect(t.status).toBe('FAILED');
    expect(t.error?.message).toBe('Execution exceeded its time limit of 150 ms and was stopped.');
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] });
    await new Promise((r) => setTimeout(r, 50));
    const c = await api.executions.cancel(id);
    expect(c.status).toBe('CANCELLED');
    expect(c.progress).toBe(0);
    expect((await api.executions.get(id)).status).toBe('CANCELLED');
  });

  it('streams records to subscribers with monotone progress and status order', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('prog', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner {
          async inference(data) { for (const p of [0.2, 0.6, 0.4, 0.9]) await this.setProgress(p); return data; }
        }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] });
    const seen: { status: string; progress: number }[] = [];
    api.executions.subscribe(id, (r) => seen.push({ status: r.status, progress: r.progress }));
    await api.executions.wait(id);
    await new Promise((r) => setTimeout(r, 10));
    const progresses = seen.map((s) => s.progress);
    expect(progresses).toEqual([...progresses].sort((x, y) => x - y));
    expect(progresses.at(-1)).toBe(1);
    const order = ['PENDING', 'STARTED', 'RUNNING', 'COMPLETED'];
    const statuses = [...new Set(seen.map((s) => s.status))];
    expect(statuses.every((s, i) => i === 0 || order.indexOf(s) > order.indexOf(statuses[i - 1]!))).toBe(true);
    expect(statuses.at(-1)).toBe('COMPLETED');
  });

  it('marks runs of a vanished engine FAILED (interrupted) on the next start', async () => {
    const dbName = `engine-${crypto.randomUUID()}`;
    const workers = inProcessWorkerFactory();
    const first = createAlgobox({ dbName, workerFactory: workers });
    apis.push(first);
    const alg = await first.algorithms.install({
      'pyproject.toml': manifest('hang2', 'Image2Image'),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference() { await this.setProgress(0.3); await new Promise(() => {}); } }`,
    });
    const a = await first.datasets.put({ image: img([1, 2, 3, 4]) });
    const id = await first.execute({ algorithmId: alg.id, inputDatasetIds: [a] });
    // Long enough for the throttled write of its progress (0.3) to reach the store.
    await new Promise((r) => setTimeout(r, 400));
    expect(['STARTED', 'RUNNING']).toContain((await first.executions.get(id)).status);
    // The "reload": a new engine on the same database while the first is gone.
    const second = createAlgobox({ dbName, workerFactory: inProcessWorkerFactory(), isEngineAlive: async () => false });
    apis.push(second);
    await second.ready;
    const rec = await second.executions.get(id);
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(INTERRUPTED_MESSAGE);
    // The last progress it recorded (where it stopped), not 1.
    expect(rec.progress).toBe(0.3);
  });

  it('falls back to cpu with a WARNING when gpu is asked for and no adapter exists', async () => {
    const { api } = makeApi({ gpu: async () => ({ available: false, reason: 'no WebGPU adapter is available' }) });
    const alg = await api.algorithms.install(scaleBundle);
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], device: 'gpu' }));
    expect(rec.device).toBe('cpu');
    expect(rec.log).toContainEqual(
      expect.objectContaining({
        level: 'WARNING',
        message: 'Computing device override is set to GPU, however WebGPU is not available (no WebGPU adapter is available). Running on CPU.',
      }),
    );
    const withGpu = makeApi({ gpu: async () => ({ available: true }) }).api;
    const alg2 = await withGpu.algorithms.install(scaleBundle);
    const b = await withGpu.datasets.put({ image: img([1, 2, 3, 4]) });
    const rec2 = await withGpu.executions.wait(await withGpu.execute({ algorithmId: alg2.id, inputDatasetIds: [b], device: 'gpu' }));
    expect(rec2.device).toBe('gpu');
  });
});

describe('engine: installing and finding algorithms', () => {
  it('refuses bundles whose code imports what it may not', async () => {
    const { api } = makeApi();
    const base = { 'pyproject.toml': manifest('bad', 'Image2Image') };
    await expect(api.algorithms.install({ ...base, 'Runner.js': 'import _ from "lodash"; export class Runner {}' })).rejects.toThrow(
      /Runner\.js imports 'lodash', which is not available to bundles/,
    );
    await expect(api.algorithms.install({ ...base, 'Runner.js': 'import x from "https://evil.example/x.js"; export class Runner {}' })).rejects.toThrow(
      /may not load code from the network/,
    );
    await expect(api.algorithms.install({ ...base, 'Runner.js': 'import x from "./missing.js"; export class Runner {}' })).rejects.toThrow(
      /no file missing\.js/,
    );
    await expect(api.algorithms.install({ ...base, 'runner.py': 'x' })).rejects.toThrow(/no Runner\.js/);
    await expect(api.algorithms.install({ 'Runner.js': 'export class Runner {}' })).rejects.toThrow(/no pyproject\.toml/);
    await expect(api.algorithms.install({ ...base, 'Runner.js': 'export class Runner {}', '../escape.txt': 'x' })).rejects.toThrow(/outside the bundle/);
  });

  it('fails at load when Runner is missing or does not extend a runner', async () => {
    const { api } = makeApi();
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const noRunner = await api.algorithms.install({ 'pyproject.toml': manifest('nr', 'Generic'), 'Runner.js': 'export class Other {}' });
    let rec = await api.executions.wait(await api.execute({ algorithmId: noRunner.id, inputDatasetIds: [a] }));
    expect(rec.error?.message).toMatch(/must export a class named Runner/);
    const notBase = await api.algorithms.install({ 'pyproject.toml': manifest('nb', 'Generic'), 'Runner.js': 'export class Runner {}' });
    rec = await api.executions.wait(await api.execute({ algorithmId: notBase.id, inputDatasetIds: [a] }));
    expect(rec.error?.message).toMatch(/Runner must extend BaseRunner/);
    const abstract = await api.algorithms.install({
      'pyproject.toml': manifest('abs', 'Image2Alignment'),
      'Runner.js': 'import { Image2AlignmentRunner } from "algobox"; export class Runner extends Image2AlignmentRunner {}',
    });
    rec = await api.executions.wait(await api.execute({ algorithmId: abstract.id, inputDatasetIds: [a, a] }));
    expect(rec.error?.message).toMatch(/does not implement inference/);
  });

  it('replaces the same name+version, finds names case-insensitively, highest version first', async () => {
    const { api } = makeApi();
    const v1 = await api.algorithms.install(scaleBundle);
    const v1b = await api.algorithms.install(scaleBundle);
    expect(v1b.id).not.toBe(v1.id);
    expect((await api.algorithms.list()).map((a) => a.id)).toEqual([v1b.id]);
    const v2 = await api.algorithms.install({ ...scaleBundle, 'pyproject.toml': scaleBundle['pyproject.toml'].replace('1.0.0', '1.10.0') });
    await api.algorithms.install({ ...scaleBundle, 'pyproject.toml': scaleBundle['pyproject.toml'].replace('1.0.0', '1.9.0') });
    expect((await api.algorithms.get('SCALE')).id).toBe(v2.id);
    expect((await api.algorithms.get('scale', '1.0.0')).id).toBe(v1b.id);
    expect((await api.algorithms.get('scale', '1')).version).toBe('1.10.0');
    await expect(api.algorithms.get('scale', '2')).rejects.toThrow(/has no version 2/);
    expect((await api.algorithms.list({ positiveTags: ['test'], algorithmType: 'image2image', supportedDevices: ['GPU'] })).length).toBe(3);
    expect((await api.algorithms.list({ negativeTags: ['test'] })).length).toBe(0);
    expect((await api.algorithms.list({ positiveTags: ['test', 'other'] })).length).toBe(0);
    await api.algorithms.remove(v2.id);
    expect((await api.algorithms.get('scale')).version).toBe('1.9.0');
  });

  it('keeps manifest warnings with the algorithm', async () => {
    const { api } = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': '[project]\nname = "bare"\nversion = "0.1.0"\n',
      'Runner.js': 'import { BaseRunner } from "algobox"; export class Runner extends BaseRunner {}',
    });
    expect(alg.warnings.join('\n')).toMatch(/\[tool\.compox\] section is not found/);
    expect(alg.algorithmType).toBe('Undefined');
  });
});

describe('engine: a full runner cache', () => {
  it('queues runs when every worker is busy, and cancelling a queued run leaves the others', async () => {
    const { api } = makeApi({ maxWorkers: 1 });
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest(
        'gate',
        'Image2Image',
        `additional_parameters = [{name = "ms", description = "sleep", config = {type = "int", default = 50, adjustable = true}}]`,
      ),
      'Runner.js': `import { Image2ImageRunner } from "algobox";
        export class Runner extends Image2ImageRunner { async inference(d, a) { await new Promise((r) => setTimeout(r, a.ms)); return d; } }`,
    });
    const a = await api.datasets.put({ image: img([1, 2, 3, 4]) });
    const first = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { ms: 300 } });
    const second = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { ms: 10 } });
    const third = await api.execute({ algorithmId: alg.id, inputDatasetIds: [a], args: { ms: 10 } });
    await new Promise((r) => setTimeout(r, 50));
    expect((await api.executions.get(second)).status).toBe('PENDING');
    const c = await api.executions.cancel(second);
    expect(c.status).toBe('CANCELLED');
    expect((await api.executions.wait(first)).status).toBe('COMPLETED');
    expect((await api.executions.wait(third)).status).toBe('COMPLETED');
    expect((await api.stats()).runners).toHaveLength(1);
  });
});
