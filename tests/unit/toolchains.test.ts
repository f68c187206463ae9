// Toolchains through the API (src/engine/toolchains.ts): blocks installed as declaration + JS module
// text, run in block workers (in-process hosts behind MessageChannels, as in the browser), outputs
// stored as indexed streams, run records. Built-ins on the sample data: Fig. 3 and the segmentation
// evaluation.
import { openStore } from '../../src/store/index';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { BUILTIN_BLOCKS, fig3Toolchain, installBuiltinBlocks, segmentationEvalToolchain } from '../../src/blocks';
import { diceAndIou } from '../../src/blocks/segmentationEval.block.js';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { unitFields } from '../../src/engine/toolchains';
import { expectEvaluationResult } from './helpers/evaluationResult';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

let blockWorkers = inProcessBlockWorkerFactory();

function makeApi(poolSize = 3): Algobox {
  blockWorkers = inProcessBlockWorkerFactory();
  const api = createAlgobox({
    dbName: `toolchains-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: blockWorkers,
    blockPoolSize: poolSize,
  });
  apis.push(api);
  return api;
}

const INT_DECL = (inputs: string[], outputs: string[], extra: Record<string, unknown> = {}) => ({
  language: 'javascript',
  groups: [
    {
      inputs: Object.fromEntries(inputs.map((n) => [n, { type: 'system/int32/1' }])),
      outputs: Object.fromEntries(outputs.map((n) => [n, { type: 'system/int32/1' }])),
    },
  ],
  ...extra,
});

describe('blocks', () => {
  it('install validates the declaration and stores declaration + source', async () => {
    const api = makeApi();
    await expect(api.blocks.install({ language: 'javascript', groups: [] }, 'export class Algorithm {}')).rejects.toThrow(/Invalid block declaration: groups/);
    await expect(api.blocks.install(INT_DECL(['x'], ['y']), '  ')).rejects.toThrow(/moduleSource/);
    const info = await api.blocks.install(INT_DECL(['x'], ['y']), 'export class Algorithm { process() { return true; } }', { name: 'user/echo/1' });
    expect(info).toMatchObject({ id: 'user/echo/1', origin: 'user', type: 'legacy', inputs: { x: 'system/int32/1' }, outputs: { y: 'system/int32/1' } });
    const anon = await api.blocks.install(INT_DECL(['x'], ['y']), 'export default class { process() { return true; } }');
    expect(anon.id).toMatch(/^block-[0-9a-f]{8}$/);
    expect((await api.blocks.list()).map((b) => b.id).sort()).toEqual([anon.id, 'user/echo/1'].sort());
    expect(await api.blocks.get('user/echo/1')).toEqual(info);
    await expect(api.blocks.get('nope')).rejects.toThrow("Block 'nope' not found.");
  });
});

describe('toolchains', () => {
  it("the built-in Fig. 3 toolchain on the sample data: A's process runs 6 times, B's 2 times; outputs are stored streams", async () => {
    const api = makeApi();
    await api.samples.ensure();
    await installBuiltinBlocks(api.blocks);
    expect((await api.blocks.list()).map((b) => b.id).sort()).toEqual(BUILTIN_BLOCKS.map((b) => b.name).sort());
    const t = fig3Toolchain(await api.stacks.list());
    const runId = await api.toolchains.run(t, { parts: 1 });
    const rec = await api.toolchains.wait(runId);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    expect(rec.order).toEqual(['A', 'B']);
    expect([rec.blocks.A!.processCalls, rec.blocks.B!.processCalls]).toEqual([6, 2]);
    expect(rec.blocks.B!.outputs.count).toMatchObject({
      stream: 'B.count',
      format: 'system/int32/1',
      indices: [
        [0, 2],
        [3, 5],
      ],
    });
    const [first, second] = rec.blocks.B!.outputs.count!.datasetIds;
    const d = await api.datasets.get(second!);
    expect(d.meta.extra).toMatchObject({ toolchainRun: runId, stream: 'B.count', start: 3, end: 5 });
    expect(Array.from((d.fields.value as NDArray).data)).toEqual([200]);
    expect(Array.from(((await api.datasets.get(first!)).fields.value as NDArray).data)).toEqual([100]);
    // A's features: mean of each slice + 1000 × its label.
    const stacks = await api.stacks.list();
    const slices = stacks.find((s) => s.name === 'spheres 3-D (16 slices)')!.datasetIds.slice(0, 6);
    const means = await Promise.all(
      slices.map(async (id) => {
        const img = (await api.datasets.get(id)).fields.image as NDArray;
        return Array.from(img.data as Uint8Array).reduce((a, b) => a + b, 0) / img.data.length;
      }),
    );
    const features = await Promise.all(
      rec.blocks.A!.outputs.features!.datasetIds.map(async (id) => ((await api.datasets.get(id)).fields.value as NDArray).data[0]),
    );
    expect(features).toEqual(means.map((m, k) => m + 1000 * (k < 3 ? 1 : 2)));
    expect((await api.toolchains.get(runId)).status).toBe('DONE');
    expect((await api.toolchains.list()).map((r) => r.id)).toEqual([runId]);
    // Persisted: the stored record is the finished one.
    const stored = await api.toolchains.get(runId);
    expect(stored).toMatchObject({ status: 'DONE', blocks: { A: { status: 'DONE', processCalls: 6 }, B: { status: 'DONE', processCalls: 2 } } });
    expect(stored!.timeFinished).not.toBeNull();
  });

  it('the segmentation evaluation on the sample data: per-image Dice/IoU as computed directly, and their means', async () => {
    const api = makeApi();
    await api.samples.ensure();
    await installBuiltinBlocks(api.blocks);
    const t = segmentationEvalToolchain(await api.datasets.list(), await api.stacks.list());
    const runId = await api.toolchains.run(t);
    const rec = await api.toolchains.wait(runId);
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.threshold!.processCalls).toBe(5);
    expect(rec.blocks.threshold!.ranges).toEqual([
      [0, 1],
      [2, 2],
      [3, 4],
    ]); // split across the pool of 3 (splitRange's balancing)
    expect(blockWorkers.created).toBe(3);
    expect(rec.blocks.evaluation!.processCalls).toBe(5);
    // Direct computation.
    const images = t.sources[0]!.datasetIds!;
    const truths = t.sources[1]!.datasetIds!;
    const direct = await Promise.all(
      images.map(async (id, k) => {
        const img = (await api.datasets.get(id)).fields.image as NDArray;
        const mask = ndarray(
          'uint8',
          img.shape,
          Array.from(img.data as Uint16Array, (v) => (v > 700 ? 1 : 0)),
        );
        return diceAndIou(mask.data, ((await api.datasets.get(truths[k]!)).fields.mask as NDArray).data);
      }),
    );
    const result = rec.blocks.evaluation!.results!;
    expect(direct).toHaveLength(5);
    expectEvaluationResult(result, direct);
    expect(result.display).toEqual({ per_image: false, mean_dice: true, mean_iou: true, nb_images: false });
    expect(direct.every((r) => r.dice > 0.3)).toBe(true); // the threshold segments the cells

    // The split threshold run equals the unsplit one (masks stored in index order).
    const unsplit = await api.toolchains.wait(await api.toolchains.run(t, { parts: 1 }));
    expect(unsplit.blocks.threshold!.ranges).toEqual([]);
    const masks = async (ids: string[]) => Promise.all(ids.map(async (id) => Array.from(((await api.datasets.get(id)).fields.value as NDArray).data)));
    expect(await masks(rec.blocks.threshold!.outputs.mask!.datasetIds)).toEqual(await masks(unsplit.blocks.threshold!.outputs.mask!.datasetIds));
    expect(rec.blocks.threshold!.outputs.mask!.indices).toEqual([0, 1, 2, 3, 4].map((k) => [k, k]));
    expect(unsplit.blocks.evaluation!.results).toEqual(result);
  });

  it('a failing block stops its dependants, naming it; an invalid toolchain is refused naming the problem', async () => {
    const api = makeApi();
    await api.blocks.install(INT_DECL(['x'], ['y']), "export class Algorithm { process() { throw new Error('kaput'); } }", { name: 'user/fails/1' });
    await api.blocks.install(INT_DECL(['y'], ['z']), "export class Algorithm { process(i, o) { o.get('z').write({ value: 1 }); return true; } }", {
      name: 'user/next/1',
    });
    const t = {
      sources: [{ name: 'x', values: [{ value: 1 }, { value: 2 }], format: 'system/int32/1' }],
      blocks: [
        { name: 'F', algorithm: 'user/fails/1' },
        { name: 'N', algorithm: 'user/next/1' },
      ],
    };
    const rec = await api.toolchains.wait(await api.toolchains.run(t));
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.F!.timeFinished).not.toBeNull();
    expect(rec.blocks.F).toMatchObject({ status: 'FAILED', error: { block: 'F', code: 'E_USER', message: "block 'F' failed (process): kaput" } });
    expect(rec.blocks.N).toMatchObject({ status: 'SKIPPED', processCalls: 0, error: { block: 'F', message: "not run: block 'F' failed" } });

    // Input naming: 'x' matches the source of its name; without one, two int32 sources are ambiguous.
    const two = [
      { ...t.sources[0]!, name: 'a' },
      { ...t.sources[0]!, name: 'b' },
    ];
    await expect(api.toolchains.run({ ...t, sources: two, blocks: [t.blocks[0]!] })).rejects.toThrow(
      "input 'F.x' (system/int32/1) is ambiguous between source 'a', source 'b'; connect it by hand",
    );
    const byHand = await api.toolchains.wait(await api.toolchains.run({ ...t, sources: two, connections: [{ from: 'b', to: 'F.x' }] }));
    expect(byHand.blocks.F!.status).toBe('FAILED');
    await expect(api.toolchains.run({ ...t, sources: [{ name: 'x', datasetIds: ['missing'], format: 'system/int32/1' }] })).rejects.toThrow(
      "source 'x': dataset 'missing' not found.",
    );
    await expect(api.toolchains.run({ ...t, sources: [{ name: 'x', values: [{ value: 1.5 }], format: 'system/int32/1' }] })).rejects.toThrow(
      /source 'x': values\[0\] is not system\/int32\/1/,
    );
    await expect(api.toolchains.get('nope')).rejects.toThrow("Toolchain run 'nope' not found.");

    // A module exporting no algorithm class is refused at install; one whose `Algorithm` is not a class fails its block, saying what is expected.
    await expect(api.blocks.install(INT_DECL(['x'], ['y']), 'export const nothing = 1;', { name: 'user/empty/1' })).rejects.toThrow(
      "its module must export the algorithm class as `export class Algorithm` or a default export; it exports 'nothing'",
    );
    await api.blocks.install(INT_DECL(['x'], ['y']), 'export const Algorithm = 1;', { name: 'user/empty/1' });
    const empty = await api.toolchains.wait(await api.toolchains.run({ ...t, blocks: [{ name: 'E', algorithm: 'user/empty/1' }] }));
    expect(empty.blocks.E!.error!.message).toMatch(/block 'E' failed \(setup\): block 'user\/empty\/1': its module exports no algorithm class/);
  });

  it('subscribe sees live process() counts while a block runs, then the final record; cancel ends running blocks and skips the rest', async () => {
    const api = makeApi();
    // 40 units at 15 ms each: long enough to see several progress reports (at most one per 100 ms).
    const slow =
      "export class Algorithm { async process(i, o) { await new Promise((r) => setTimeout(r, 15)); o.get('y').write({ value: i.get('x').data.value }); return true; } }";
    await api.blocks.install(INT_DECL(['x'], ['y']), slow, { name: 'user/slow/1' });
    await api.blocks.install(INT_DECL(['y'], ['z']), "export class Algorithm { process(i, o) { o.get('z').write({ value: 1 }); return true; } }", {
      name: 'user/after/1',
    });
    const t = {
      sources: [{ name: 'x', values: Array.from({ length: 40 }, (_, k) => ({ value: k })), format: 'system/int32/1' }],
      blocks: [
        { name: 'S', algorithm: 'user/slow/1' },
        { name: 'N', algorithm: 'user/after/1' },
      ],
    };
    const seen: { status: string; calls: number }[] = [];
    const id = await api.toolchains.run(t);
    const finished = new Promise<void>((resolve) => {
      const off = api.toolchains.subscribe(id, (rec) => {
        seen.push({ status: rec.status, calls: rec.blocks.S!.processCalls });
        if (rec.status !== 'RUNNING') {
          off();
          resolve();
        }
      });
    });
    await finished;
    const done = await api.toolchains.get(id);
    expect(done.status).toBe('DONE');
    expect(done.blocks.S!.processCalls).toBe(40);
    const live = seen.filter((x) => x.status === 'RUNNING' && x.calls > 0 && x.calls < 40).map((x) => x.calls);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(live).toEqual([...live].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ status: 'DONE', calls: 40 });

    // Cancel while S runs: S's worker is ended (CANCELLED), N never starts (CANCELLED), nothing of S is stored.
    const id2 = await api.toolchains.run(t);
    await new Promise<void>((resolve) => {
      const off = api.toolchains.subscribe(id2, (rec) => {
        if (rec.blocks.S!.processCalls > 0) {
          off();
          resolve();
        }
      });
    });
    const before = blockWorkers.terminated;
    const cancelled = await api.toolchains.cancel(id2);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.error).toBe('The run was cancelled by the user.');
    expect(cancelled.blocks.S).toMatchObject({ status: 'CANCELLED', error: { code: 'E_CANCELLED', block: 'S' }, outputs: {} });
    expect(cancelled.blocks.N).toMatchObject({ status: 'CANCELLED', processCalls: 0 });
    expect(blockWorkers.terminated).toBe(before + 1);
    expect((await api.toolchains.get(id2)).status).toBe('CANCELLED');
    expect((await api.datasets.list()).filter((d) => d.source === `toolchain:${id2}`)).toEqual([]);
    // A finished run is left as it is; the pool replaces the ended worker and runs on.
    expect((await api.toolchains.cancel(id)).status).toBe('DONE');
    expect((await api.toolchains.wait(await api.toolchains.run(t))).status).toBe('DONE');
  });

  it('builtins are built from the sample data (a problem named without it); check describes connections, depths and parameters without running', async () => {
    const api = makeApi();
    await installBuiltinBlocks(api.blocks);
    const before = await api.toolchains.builtins();
    expect(before.map((b) => [b.id, b.toolchain])).toEqual(
      expect.arrayContaining([
        ['segmentation-eval', null],
        ['fig3', null],
      ]),
    );
    expect(before.find((b) => b.id === 'segmentation-eval')!.problem).toBe(
      "sample dataset 'cells' not found: create the sample data first (algobox.samples.ensure()).",
    );
    // The volume one waits for a uint16 Volume.
    expect(before.find((b) => b.id === 'volume-threshold')!.problem).toBe(
      'No uint16 Volume dataset yet: import a multi-page TIFF or a 3-D .npy with "Multi-page files: one volume" first.',
    );
    await api.samples.ensure();
    const after = await api.toolchains.builtins();
    // Every built-in is made from the sample data (the volume one from the sample "spheres volume").
    expect(after.every((b) => b.toolchain !== null && b.problem === null)).toBe(true);
    const sampleVolume = (await api.datasets.list()).find((d) => d.name === 'spheres volume' && d.source === 'sample')!.id;
    expect(after.find((b) => b.id === 'volume-threshold')!.toolchain!.sources[0]!.datasetIds).toEqual([sampleVolume]);
    const volumeId = await api.datasets.put({ volume: ndarray('uint16', [2, 3, 4]) }, { schema: 'Volume' });
    const withVolume = (await api.toolchains.builtins()).find((b) => b.id === 'volume-threshold')!;
    expect(withVolume.problem).toBeNull();
    expect(withVolume.toolchain!.sources).toEqual([
      { name: 'volume', datasetIds: [sampleVolume, volumeId], field: 'volume', format: 'system/array_3d_uint16/1' },
    ]);
    const check = await api.toolchains.check(after.find((b) => b.id === 'segmentation-eval')!.toolchain);
    expect(check.sources.map((s) => [s.name, s.units])).toEqual([
      ['images', 5],
      ['ground_truth', 5],
    ]);
    expect(check.blocks.map((b) => [b.name, b.depth, b.isAnalyzer])).toEqual([
      ['threshold', 1, false],
      ['evaluation', 2, true],
    ]);
    expect(check.blocks[0]!.inputs).toEqual([{ name: 'image', format: 'system/array_2d_uint16/1', from: 'images', inferred: true }]);
    expect(check.blocks[1]!.inputs).toEqual([
      { name: 'prediction', format: 'system/array_2d_uint8/1', from: 'threshold.mask', inferred: false },
      { name: 'ground_truth', format: 'system/array_2d_uint8/1', from: 'ground_truth', inferred: true },
    ]);
    expect(check.blocks[0]!.parameters).toEqual([
      { name: 'threshold', type: 'float64', default: 700, range: null, choice: null, description: 'Pixels strictly above it are foreground' },
    ]);
    expect(check.blocks[0]!.values).toEqual({ threshold: 700 });
    expect(check.blocks[1]!.results.map((r) => [r.name, r.display])).toEqual([
      ['per_image', false],
      ['mean_dice', true],
      ['mean_iou', true],
      ['nb_images', false],
    ]);
    // Nothing ran.
    expect(await api.toolchains.list()).toEqual([]);
    await expect(api.toolchains.check({ sources: [], blocks: [] })).rejects.toThrow(/invalid toolchain: sources: .*blocks: /);
  });

  it('delete: a running run is refused; a finished one goes with or without the datasets it stored, in one transaction', async () => {
    const api = makeApi();
    await api.samples.ensure();
    await installBuiltinBlocks(api.blocks);
    await api.blocks.install(
      INT_DECL(['x'], ['y']),
      "export class Algorithm { async process(i, o) { await new Promise((r) => setTimeout(r, 20)); o.get('y').write({ value: 1 }); return true; } }",
      { name: 'user/slowish/1' },
    );
    const slow = await api.toolchains.run({
      sources: [{ name: 'x', values: Array.from({ length: 20 }, (_, k) => ({ value: k })), format: 'system/int32/1' }],
      blocks: [{ name: 'S', algorithm: 'user/slowish/1' }],
    });
    await expect(api.toolchains.delete(slow)).rejects.toThrow(`Toolchain run '${slow}' is still running: cancel it before deleting it.`);
    await api.toolchains.wait(slow);
    const fig3 = fig3Toolchain(await api.stacks.list());
    const keep = await api.toolchains.wait(await api.toolchains.run(fig3));
    const drop = await api.toolchains.wait(await api.toolchains.run(fig3));
    const storedBy = async (id: string) =>
      (await api.datasets.list())
        .filter((d) => d.source === `toolchain:${id}`)
        .map((d) => d.id)
        .sort();
    const dropIds = await storedBy(drop.id);
    expect(dropIds).toHaveLength(8); // A: 6 units, B: 2
    const datasetsBefore = (await api.datasets.list()).length;
    expect((await api.toolchains.delete(drop.id, { withDatasets: true })).sort()).toEqual(dropIds);
    expect((await api.datasets.list()).length).toBe(datasetsBefore - 8);
    await expect(api.toolchains.get(drop.id)).rejects.toThrow(`Toolchain run '${drop.id}' not found.`);
    expect(await api.toolchains.delete(keep.id)).toEqual([]);
    expect(await storedBy(keep.id)).toHaveLength(8);
    expect((await api.toolchains.list()).map((r) => r.id)).toEqual([slow]);
    // The sample data the runs read is untouched.
    expect((await api.datasets.list()).filter((d) => d.source === 'sample').length).toBeGreaterThan(0);
    await expect(api.toolchains.delete('nope')).rejects.toThrow("Toolchain run 'nope' not found.");
  });

  it('a run left RUNNING by a closed page is marked FAILED (interrupted) when the next engine starts', async () => {
    const dbName = `toolchains-${crypto.randomUUID()}`;
    // The test writes a run record itself (as a page that was closed mid-run left it), so it opens the store.
    const store = await openStore(dbName);
    const first = createAlgobox({ store, workerFactory: inProcessWorkerFactory(), blockWorkerFactory: inProcessBlockWorkerFactory() });
    apis.push(first);
    await first.ready;
    const block = {
      status: 'RUNNING' as const,
      algorithm: 'x',
      processCalls: 0,
      outputs: {},
      results: null,
      error: null,
      ranges: [],
      warnings: [],
      timeStarted: null,
      timeFinished: null,
    };
    await store.putToolchainRun({
      id: 'old',
      engineId: 'gone',
      status: 'RUNNING',
      toolchain: { sources: [], blocks: [] },
      order: ['B'],
      blocks: { B: block, C: { ...block, status: 'DONE' } },
      error: null,
      timeCreated: new Date().toISOString(),
      timeFinished: null,
    });
    const second = createAlgobox({
      dbName,
      workerFactory: inProcessWorkerFactory(),
      blockWorkerFactory: inProcessBlockWorkerFactory(),
      isEngineAlive: async () => false,
    });
    apis.push(second);
    await second.ready;
    const rec = await second.toolchains.get('old');
    expect(rec).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/interrupted/), blocks: { B: { status: 'FAILED' }, C: { status: 'DONE' } } });
    expect(rec.timeFinished).not.toBeNull();
  });

  it('unit data become dataset fields', () => {
    const f = unitFields({ value: 3, ok: true, text: 'hi', arr: ndarray('uint8', [2], [1, 2]), obj: { a: 1 }, none: null });
    expect(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.kind, Array.from(v.array.data)]]))).toEqual({
      value: ['numbers', [3]],
      ok: ['numbers', [1]],
      text: ['string', Array.from(new TextEncoder().encode('hi'))],
      arr: ['array', [1, 2]],
      obj: ['string', Array.from(new TextEncoder().encode('{"a":1}'))],
    });
  });
});
