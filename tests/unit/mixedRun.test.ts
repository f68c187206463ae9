// Issue 15 item 2 (the engine): a run of a per-item algorithm type over inputs of mixed shapes runs
// each group of equal shape and dtype as one batch of ONE execution — one record, one progress, its
// outputs in input order, named after their sources — and a real failure still names the datasets.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { inputGroups, outputsInInputOrder } from '../../src/engine/inputGroups';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi() {
  const api = createAlgobox({ dbName: `mixed-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5, storageManager: null });
  apis.push(api);
  return api;
}

const METHOD = `additional_parameters = [
  {name = "method", description = "how", config = {type = "string_enum", default = "mean", options = ["mean", "max"], adjustable = true}},
]`;

/** A mask per image: pixel > the image's mean; logs each batch's shape; fails on a batch of `failOn` rows when set. */
const thresholdBundle = (failOn = 0) => ({
  'pyproject.toml': manifest('thr', 'Image2Segmentation', METHOD),
  'Runner.js': `import { Image2SegmentationRunner, ndarray } from "algobox";
    export class Runner extends Image2SegmentationRunner {
      async inference(data) {
        await this.logMessage("BATCH " + data.shape.join("x"));
        if (${failOn} && data.shape[1] === ${failOn}) throw new Error("cannot do " + data.shape[1] + " rows");
        await this.setProgress(0.5);
        const [n, h, w] = data.shape, per = h * w, out = new Uint8Array(data.data.length);
        for (let k = 0; k < n; k++) {
          let s = 0;
          for (let i = 0; i < per; i++) s += data.data[k * per + i];
          for (let i = 0; i < per; i++) out[k * per + i] = data.data[k * per + i] > s / per ? 1 : 0;
        }
        return ndarray("uint8", data.shape, out);
      }
    }`,
});

const image = (h: number, w: number, f: (i: number) => number) =>
  ndarray(
    'uint8',
    [h, w],
    Array.from({ length: h * w }, (_, i) => f(i)),
  );
const maskOf = (a: NDArray) => {
  const v = Array.from(a.data as Uint8Array);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return v.map((x) => (x > mean ? 1 : 0));
};

async function putInputs(api: Algobox) {
  const arrays = { 'a.png': image(2, 2, (i) => i * 10), 'b.png': image(3, 3, (i) => (i * 37) % 90), 'c.png': image(2, 2, (i) => 40 - i * 9) };
  const ids: string[] = [];
  for (const [name, a] of Object.entries(arrays)) ids.push(await api.datasets.put({ image: a }, { name, schema: 'Image' }));
  return { ids, arrays: Object.values(arrays) };
}

describe('a run over inputs of mixed shapes', () => {
  it('runs one group per shape as one execution: outputs in input order, one progress reaching 1, outputs named after their sources', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install(thresholdBundle());
    const { ids, arrays } = await putInputs(api);
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: ids, args: { method: 'max' } });
    const seen: number[] = [];
    api.executions.subscribe(id, (r) => seen.push(r.progress));
    const rec = await api.executions.wait(id);
    expect(rec.status).toBe('COMPLETED');
    expect(rec.error).toBeNull();
    expect(await api.executions.list()).toHaveLength(1);
    const messages = rec.log.map((l) => l.message);
    expect(messages).toContain('The 3 inputs differ in shape or dtype: they run as 2 groups, one after the other (2 × uint8 [2, 2]; 1 × uint8 [3, 3]).');
    expect(messages.filter((m) => m.startsWith('BATCH '))).toEqual(['BATCH 2x2x2', 'BATCH 1x3x3']);
    // The progress of the run combines the groups': half of the first (2 of 3 inputs), the first done, half of the second, then 1.
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(seen).toContain(1 / 3);
    expect(seen).toContain(2 / 3);
    expect(seen).toContain(2 / 3 + 0.5 / 3);
    expect(seen.at(-1)).toBe(1);

    expect(rec.outputDatasetIds).toHaveLength(3);
    const outs = await Promise.all(rec.outputDatasetIds.map((o) => api.datasets.get(o)));
    expect(outs.map((o) => (o.fields.mask as NDArray).shape)).toEqual([
      [2, 2],
      [3, 3],
      [2, 2],
    ]);
    expect(outs.map((o) => Array.from((o.fields.mask as NDArray).data))).toEqual(arrays.map(maskOf));
    expect(outs.map((o) => o.meta.name)).toEqual(['a · max mask', 'b · max mask', 'c · max mask']);
    expect(outs.map((o) => o.meta.extra.madeFrom)).toEqual(ids);
    expect(outs.map((o) => o.meta.extra.inputs)).toEqual([ids, ids, ids]);
    expect(rec.timings.inference).toBeGreaterThanOrEqual(0);
  });

  it('a group that fails fails the run, removes what the others posted, and names the datasets by name', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install(thresholdBundle(3));
    const { ids } = await putInputs(api);
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: ids }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe('cannot do 3 rows');
    expect(rec.outputDatasetIds).toEqual([]);
    expect((await api.datasets.list()).map((m) => m.name).sort()).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('types whose inputs belong together are not split: an alignment of mixed shapes fails, naming the datasets by name in the record and the log', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('align', 'Image2Alignment'),
      'Runner.js': `import { Image2AlignmentRunner } from "algobox"; export class Runner extends Image2AlignmentRunner { inference() { return []; } }`,
    });
    const { ids } = await putInputs(api);
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: ids }));
    expect(rec.status).toBe('FAILED');
    const message = `All input images must have the same shape and dtype to be stacked: dataset 'a.png' (id ${ids[0]}) is uint8 [2, 2] but dataset 'b.png' (id ${ids[1]}) is uint8 [3, 3].`;
    expect(rec.error?.message).toBe(message);
    expect(rec.log.filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual([message]);
  });

  it('one input with several outputs: the second on is numbered', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('twice', 'Generic'),
      'Runner.js': `import { BaseRunner, ndarray } from "algobox";
        export class Runner extends BaseRunner {
          preprocess() { return null; }
          inference() { return null; }
          async postprocess() {
            const a = () => ({ image: ndarray("uint8", [1, 1], [1]) });
            return this.postData([a(), a()], "Image");
          }
        }`,
    });
    const input = await api.datasets.put({ image: image(1, 1, () => 3) }, { name: 'cells.tif [3/10]' });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [input] }));
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('COMPLETED');
    const names = await Promise.all(rec.outputDatasetIds.map(async (o) => (await api.datasets.get(o, [])).meta.name));
    expect(names).toEqual(['cells [3/10] · twice', 'cells [3/10] · twice #2']);
  });
});

describe('input groups', () => {
  const store = (metas: Record<string, { dtype: string; shape: number[] } | null>) => ({
    getDatasetMeta: async (id: string) => {
      const f = metas[id];
      if (f === undefined) throw new Error('not found');
      return { keys: f ? { image: { ...f, kind: 'array' } } : {} } as never;
    },
  });

  it('groups a per-item type by dtype and shape in order of first appearance; other types and agreeing inputs make one group', async () => {
    const s = store({ a: { dtype: 'uint8', shape: [2, 2] }, b: { dtype: 'float32', shape: [2, 2] }, c: { dtype: 'uint8', shape: [2, 2] }, d: null });
    expect(await inputGroups(s, { algorithmType: 'Image2Image' }, ['a', 'b', 'c', 'd', 'x'])).toEqual([
      { indices: [0, 2], shape: 'uint8 [2, 2]' },
      { indices: [1], shape: 'float32 [2, 2]' },
      { indices: [3, 4], shape: "no 'image' field" },
    ]);
    expect(await inputGroups(s, { algorithmType: 'Image2Alignment' }, ['a', 'b'])).toEqual([{ indices: [0, 1], shape: '' }]);
    expect(await inputGroups(s, { algorithmType: 'Generic' }, ['a', 'b'])).toEqual([{ indices: [0, 1], shape: '' }]);
    expect(await inputGroups(s, { algorithmType: 'Image2Image' }, ['a', 'c'])).toHaveLength(1);
  });

  it('puts the outputs back in input order when each group gave one per input, else one group after the other', () => {
    const groups = [
      { indices: [0, 2], shape: '' },
      { indices: [1], shape: '' },
    ];
    expect(outputsInInputOrder(groups, [['x0', 'x2'], ['y1']])).toEqual(['x0', 'y1', 'x2']);
    expect(outputsInInputOrder(groups, [['x'], ['y1']])).toEqual(['x', 'y1']);
  });
});
