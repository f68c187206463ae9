// `usable` comes before `ready`: once the store is open the API imports and lists, while the start-up
// work (`onReady`: built-ins, samples in the app) is still running; `ready` waits for that work.
import { afterEach, expect, it } from 'vitest';
import { createAlgobox, type Algobox, type AlgoboxOptions } from '../../src/api';
import { ndarray } from '../../src/core/ndarray';
import { decodeImageBytes, encodeNpy } from '../../src/core/imageCodecs';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

/** The Node decoder: PNG/TIFF/NPY through src/core/imageCodecs. */
const decodeImageFile: AlgoboxOptions['decodeImageFile'] = async (f) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

it('usable resolves while onReady is still running; import and lists work then; ready waits for onReady', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let onReadyDone = false;
  const api = createAlgobox({
    dbName: `usable-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    decodeImageFile,
    storageManager: null,
    onReady: async (a) => {
      await held;
      await a.samples.ensure();
      onReadyDone = true;
    },
  });
  apis.push(api);
  let readySettled = false;
  void api.ready.then(() => (readySettled = true));

  await api.usable;
  expect(readySettled).toBe(false);
  expect(await api.datasets.list()).toEqual([]);
  expect(await api.algorithms.list()).toEqual([]);
  const file = new File([encodeNpy(ndarray('uint8', [2, 3], [1, 2, 3, 4, 5, 6]))], 'tiny.npy');
  const [id] = await api.datasets.importFiles([file]);
  expect((await api.datasets.list()).map((d) => d.name)).toEqual(['tiny.npy']);
  const got = (await api.datasets.get(id!)).fields.image as { shape: number[]; data: Uint8Array };
  expect([got.shape, Array.from(got.data)]).toEqual([
    [2, 3],
    [1, 2, 3, 4, 5, 6],
  ]);
  expect(readySettled).toBe(false);

  release();
  await api.ready;
  expect(onReadyDone).toBe(true);
  expect((await api.datasets.list()).length).toBeGreaterThan(1);
});

it('failed start-up work rejects ready with its reason; the app stays usable', async () => {
  const api = createAlgobox({
    workerFactory: inProcessWorkerFactory(),
    storageManager: null,
    dbName: `usable-${crypto.randomUUID()}`,
    onReady: async () => {
      throw new Error('built-ins failed: HTTP 503');
    },
  });
  apis.push(api);
  await expect(api.usable).resolves.toBeUndefined();
  await expect(api.ready).rejects.toThrow('built-ins failed: HTTP 503');
  expect(await api.datasets.list()).toEqual([]);
});
