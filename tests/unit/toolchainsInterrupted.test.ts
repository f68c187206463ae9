// Toolchain runs interrupted by a page reload (issue 12 §1): the next engine marks them FAILED
// ("interrupted") and cleans them as a cancelled or failed run is — finished blocks keep their stored
// outputs; every other dataset the run had stored (a block interrupted while storing its outputs, a
// runner block's stored inputs) is deleted — with the record's update, in ONE IndexedDB transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { encodeValue } from '../../src/core/datasetCodec';
import type { BlockRunRecord } from '../../src/core/toolchainRecords';
import { openStore, type Store } from '../../src/store';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

const block = (status: BlockRunRecord['status'], outputs: BlockRunRecord['outputs'] = {}): BlockRunRecord => ({
  status,
  algorithm: 'x',
  processCalls: 0,
  outputs,
  results: null,
  error: null,
  ranges: [],
  warnings: [],
  timeStarted: null,
  timeFinished: null,
});

/** A RUNNING run of a gone engine: C finished (2 datasets listed), B was storing (1 dataset, not listed), a runner input (1). */
async function leaveInterruptedRun(store: Store): Promise<{ kept: string[]; orphans: string[]; other: string }> {
  const item = (stream: string, k: number, source = 'toolchain:old') => ({
    name: `${stream} ${k}`,
    source,
    schema: null,
    fields: { value: encodeValue('value', [k]) },
    extra: { toolchainRun: 'old', stream, start: k, end: k },
  });
  const kept = await store.putDatasets([item('C.y', 0), item('C.y', 1)]);
  const orphans = await store.putDatasets([item('B.y', 0), item('R.input_dataset_ids', 0)]);
  const [other] = await store.putDatasets([item('C.y', 0, 'toolchain:another')]);
  await store.putToolchainRun({
    id: 'old',
    engineId: 'gone',
    status: 'RUNNING',
    toolchain: { sources: [], blocks: [] },
    order: ['C', 'B', 'D'],
    blocks: {
      C: block('DONE', {
        y: {
          stream: 'C.y',
          format: 'system/int32/1',
          datasetIds: kept,
          indices: [
            [0, 0],
            [1, 1],
          ],
        },
      }),
      B: block('RUNNING'),
      D: block('PENDING'),
    },
    error: null,
    timeCreated: new Date().toISOString(),
    timeFinished: null,
  });
  return { kept, orphans, other: other! };
}

function start(store: Store): Algobox {
  const api = createAlgobox({
    store,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: inProcessBlockWorkerFactory(),
    isEngineAlive: async () => false,
  });
  apis.push(api);
  return api;
}

describe('interrupted toolchain runs', () => {
  it('are FAILED (interrupted); finished blocks keep their outputs, every other dataset of the run is deleted', async () => {
    const dbName = `interrupted-${crypto.randomUUID()}`;
    const { kept, orphans, other } = await leaveInterruptedRun(await openStore(dbName));
    const api = start(await openStore(dbName));
    await api.ready;
    const rec = await api.toolchains.get('old');
    expect(rec).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/interrupted/),
      blocks: { C: { status: 'DONE' }, B: { status: 'FAILED' }, D: { status: 'FAILED' } },
    });
    expect(rec.blocks.B!.error).toMatchObject({ code: 'E_INTERRUPTED' });
    expect(rec.timeFinished).not.toBeNull();
    const ids = (await api.datasets.list()).map((d) => d.id).sort();
    expect(ids).toEqual([...kept, other].sort());
    for (const id of orphans) await expect(api.datasets.get(id)).rejects.toThrow();
    // The kept outputs are still readable.
    expect(Array.from(((await api.datasets.get(kept[1]!)).fields.value as { data: ArrayLike<number> }).data)).toEqual([1]);
  });

  it('the record update and the deletions are one transaction: an abort keeps both as they were', async () => {
    const dbName = `interrupted-${crypto.randomUUID()}`;
    const { kept, orphans, other } = await leaveInterruptedRun(await openStore(dbName));
    const operations: string[] = [];
    const failing = await openStore(dbName, {
      hooks: {
        beforeCommit(op) {
          operations.push(op);
          if (op === 'finishInterruptedToolchainRun') throw new Error('power cut');
        },
      },
    });
    const api = start(failing);
    await expect(api.ready).rejects.toThrow('power cut');
    expect(operations).toEqual(['finishInterruptedToolchainRun']);
    const store = await openStore(dbName);
    expect((await store.getToolchainRun('old'))!.status).toBe('RUNNING');
    const ids = (await store.listDatasets()).map((d) => d.id).sort();
    expect(ids).toEqual([...kept, ...orphans, other].sort());
  });
});
