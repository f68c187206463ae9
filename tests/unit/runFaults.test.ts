// Faults of a run, cleaned and reported as a person needs them: a reload mid-run leaves no posted
// datasets behind (one transaction with the FAILED record), non-Error throws keep their value, and
// datasets are named by their names (and paths), with the id after them.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray } from '../../src/core/ndarray';
import { labelDatasetIds } from '../../src/core/datasetLabel';
import { thrownMessage } from '../../src/core/describeValue';
import { INTERRUPTED_MESSAGE } from '../../src/engine/engine';
import { sanitizeReply } from '../../src/engine/hostRpc';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(dbName = `faults-${crypto.randomUUID()}`, extra: Partial<Parameters<typeof createAlgobox>[0]> = {}) {
  const api = createAlgobox({ dbName, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5, storageManager: null, ...extra });
  apis.push(api);
  return api;
}
const img = (v: number) => ndarray('uint8', [2, 2], [v, v, v, v]);

/** Posts `n` datasets in postprocess, then hangs (a run the page is reloaded under). */
const postThenHang = (n: number) => ({
  'pyproject.toml': manifest('post_then_hang', 'Image2Image'),
  'Runner.js': `import { BaseRunner, ndarray } from "algobox";
    export class Runner extends BaseRunner {
      preprocess() { return null; }
      inference() { return null; }
      async postprocess() {
        for (let i = 0; i < ${n}; i++) await this.postData([{ image: ndarray("uint8", [2, 2], [i, i, i, i]) }], "Image");
        await new Promise(() => {});
      }
    }`,
});

const throwing = (what: string) => ({
  'pyproject.toml': manifest(`throws_${what.replace(/\W/g, '_')}`, 'Image2Image'),
  'Runner.js': `import { Image2ImageRunner } from "algobox";
    export class Runner extends Image2ImageRunner { inference() { throw ${what}; } }`,
});

describe('a reload mid-run', () => {
  it('marks the run FAILED and deletes the datasets it had posted, in one transaction; other datasets stay', async () => {
    const dbName = `faults-${crypto.randomUUID()}`;
    const first = makeApi(dbName);
    const alg = await first.algorithms.install(postThenHang(3));
    const input = await first.datasets.put({ image: img(9) }, { name: 'input.png' });
    const keep = await first.datasets.put({ image: img(7) }, { name: 'unrelated.png' });
    const id = await first.execute({ algorithmId: alg.id, inputDatasetIds: [input] });
    for (let i = 0; i < 200 && (await first.datasets.list()).length < 5; i++) await new Promise((r) => setTimeout(r, 10));
    const before = await first.datasets.list();
    expect(before.filter((m) => m.source === `execution:${id}`)).toHaveLength(3);

    // The "reload": the first page's last (throttled) record write lands and it writes no more (its runner hangs);
    // a new engine opens the same database and finds the first one gone.
    await new Promise((r) => setTimeout(r, 100));
    const second = makeApi(dbName, { isEngineAlive: async () => false });
    await second.ready;
    const rec = await second.executions.get(id);
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(INTERRUPTED_MESSAGE);
    expect(rec.outputDatasetIds).toEqual([]);
    expect(rec.log.map((l) => l.message)).toContain('Removed 3 dataset(s) this execution had posted.');
    const after = await second.datasets.list();
    expect(after.map((m) => m.id).sort()).toEqual([input, keep].sort());
    // Their bytes are gone too (reference counts released): only the two kept datasets' blobs remain.
    const usage = await second.storage.estimate();
    expect(usage.datasets).toBe(2);
    expect(usage.datasetBytes).toBe(8);
  });

  it('a cancelled run is cleaned the same way, including a post still being written when it was cancelled', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install(postThenHang(2));
    const input = await api.datasets.put({ image: img(1) });
    const id = await api.execute({ algorithmId: alg.id, inputDatasetIds: [input] });
    for (let i = 0; i < 200 && (await api.datasets.list()).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const rec = await api.executions.cancel(id);
    expect(rec.status).toBe('CANCELLED');
    expect(rec.log.map((l) => l.message)).toContain('Removed 2 dataset(s) this execution had posted.');
    expect((await api.datasets.list()).map((m) => m.id)).toEqual([input]);
    // The stored record is the final one (written with the removal).
    const stored = await api.executions.get(id);
    expect(stored.status).toBe('CANCELLED');
  });
});

describe('non-Error throws keep their value', () => {
  it.each([
    ['42', 'Uncaught number 42'],
    ['{ code: 7 }', 'Uncaught object {"code":7}'],
    ['"boom"', 'Uncaught boom'],
    ['null', 'Uncaught null'],
    ['[1, 2, 3]', 'Uncaught array(3) [1,2,3]'],
  ])('throw %s in a runner fails with "%s"', async (what, message) => {
    const api = makeApi();
    const alg = await api.algorithms.install(throwing(what));
    const a = await api.datasets.put({ image: img(1) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(message);
  });

  it('the value is bounded in length', () => {
    const m = thrownMessage({ text: 'x'.repeat(10_000) });
    expect(m.length).toBeLessThan(250);
    expect(m.startsWith('Uncaught object {"text":"xxx')).toBe(true);
    expect(m.endsWith('…')).toBe(true);
  });

  it('the sandbox reply filter keeps the value of a non-Error throw', () => {
    const reply = (value: unknown) =>
      sanitizeReply({ id: '1', type: 'HANDLER', name: 'throw', value: { isError: false, value } }) as { value: { value: { message: string } } };
    expect(reply(42).value.value.message).toBe('Uncaught number 42');
    expect(reply({ code: 7 }).value.value.message).toBe('Uncaught object {"code":7}');
  });
});

describe('datasets are named by their names', () => {
  it('the stack shape mismatch names both datasets by name and path, with the id after it', async () => {
    // An alignment's inputs belong together (a per-item type would run each shape as its own group: mixedRun.test.ts).
    const api = makeApi();
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('ident', 'Image2Alignment'),
      'Runner.js': `import { Image2AlignmentRunner } from "algobox"; export class Runner extends Image2AlignmentRunner { inference() { return []; } }`,
    });
    const a = await api.datasets.put({ image: img(1) }, { name: 'a.png', extra: { path: 'cells/a.png' } });
    const b = await api.datasets.put({ image: ndarray('uint8', [3, 3]) }, { name: 'b.png' });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a, b] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(
      `All input images must have the same shape and dtype to be stacked: dataset 'a.png' (cells/a.png, id ${a}) is uint8 [2, 2] but dataset 'b.png' (id ${b}) is uint8 [3, 3].`,
    );
    expect(rec.log.at(-1)?.level).toBe('ERROR');
  });

  it('labelDatasetIds replaces quoted and bare ids once, and leaves labelled ones alone', () => {
    const metas = [
      { id: 'id-1', name: 'one.tif', extra: { path: 'dir/one.tif' } },
      { id: 'id-2', name: 'two' },
    ];
    const once = labelDatasetIds('dataset \'id-1\' and id-2 and "id-2"', metas);
    expect(once).toBe("dataset 'one.tif' (dir/one.tif, id id-1) and 'two' (id id-2) and 'two' (id id-2)");
    expect(labelDatasetIds(once, metas)).toBe(once);
  });
});
