// Loop pairs in the toolchain service (src/engine/toolchains.ts, loopRelay.ts): the processor and the
// evaluator run at once, each in a block worker of its own (in-process hosts behind MessageChannels, as
// in the browser; user blocks in the sandbox pool), the engine relaying and checking the loop channel.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { installBuiltinBlocks } from '../../src/blocks';
import { loopToolchain, LOOP_INTEGERS } from '../../src/blocks/toolchains';
import type { BlockWorkerApi, LoopEvaluatorApi } from '../../src/core/blockProtocol';
import type { WorkerFactory } from '../../src/engine/workerHandle';
import { createBlockHostApi } from '../../workers/blockHostApi';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory, type InProcessFactory } from './helpers/inProcessWorkers';
import loopProcessorDeclaration from '../../src/blocks/loopProcessor.json';
import loopEvaluatorDeclaration from '../../src/blocks/loopEvaluator.json';
import { readFileSync } from 'node:fs';

const loopProcessorSource = readFileSync(new URL('../../src/blocks/loopProcessor.block.js', import.meta.url), 'utf8');
const loopEvaluatorSource = readFileSync(new URL('../../src/blocks/loopEvaluator.block.js', import.meta.url), 'utf8');

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function makeApi(blockWorkerFactory: WorkerFactory = inProcessBlockWorkerFactory(), sandboxBlockWorkerFactory?: WorkerFactory, poolSize = 1): Algobox {
  const api = createAlgobox({
    dbName: `toolchain-loops-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory,
    sandboxBlockWorkerFactory,
    blockPoolSize: poolSize,
    onReady: (a) => installBuiltinBlocks(a.blocks),
  });
  apis.push(api);
  return api;
}

async function values(api: Algobox, ids: string[]): Promise<number[]> {
  return Promise.all(ids.map(async (id) => Array.from(((await api.datasets.get(id)).fields.value as { data: ArrayLike<number> }).data)[0]!));
}

/** The built-in pair installed as user blocks, and the loop toolchain using them. */
async function installUserPair(api: Algobox, evaluatorSource = loopEvaluatorSource): Promise<object> {
  await api.blocks.install(loopProcessorDeclaration, loopProcessorSource, { name: 'user/loop_processor/1' });
  await api.blocks.install(loopEvaluatorDeclaration, evaluatorSource, { name: 'user/loop_evaluator/1' });
  const t = loopToolchain();
  return {
    ...t,
    blocks: t.blocks.map((b) =>
      b.name === 'processor' ? { ...b, algorithm: 'user/loop_processor/1' } : b.name === 'evaluator' ? { ...b, algorithm: 'user/loop_evaluator/1' } : b,
    ),
  };
}

describe('loop toolchains', () => {
  it('the built-in loop toolchain: {sum: 504, nb: 9}, two workers of their own even with a pool of one', async () => {
    const workers = inProcessBlockWorkerFactory();
    const api = makeApi(workers, undefined, 1);
    await api.ready;
    expect((await api.blocks.get('builtin/loop_processor/1')).loop).toEqual({ role: 'processor', declaredType: 'sequential_loop_processor' });
    expect((await api.blocks.get('builtin/loop_evaluator/1')).loop).toEqual({ role: 'evaluator', declaredType: 'sequential_loop_evaluator' });
    expect((await api.blocks.get('builtin/sum/1')).loop).toBeNull();
    const builtin = (await api.toolchains.builtins()).find((b) => b.id === 'loop')!;
    expect(builtin.problem).toBeNull();
    const check = await api.toolchains.check(builtin.toolchain);
    expect(check.blocks.map((b) => [b.name, b.depth, b.type, b.loop])).toEqual([
      ['processor', 1, 'sequential', { name: 'loop', role: 'processor', partner: 'evaluator', request: 'system/int32/1', answer: 'system/float/1' }],
      ['evaluator', 1, 'sequential', { name: 'loop', role: 'evaluator', partner: 'processor', request: 'system/int32/1', answer: 'system/float/1' }],
      ['analysis', 2, 'sequential', null],
    ]);
    const rec = await api.toolchains.wait(await api.toolchains.run(builtin.toolchain));
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.analysis!.results!.data).toEqual({ sum: 504, nb: 9 });
    expect(rec.blocks.processor!.processCalls).toBe(9);
    expect(rec.blocks.evaluator!.processCalls).toBe(81);
    expect(await values(api, rec.blocks.processor!.outputs.out!.datasetIds)).toEqual(LOOP_INTEGERS.map((x) => x + 51));
    expect(await values(api, rec.blocks.evaluator!.outputs.requests!.datasetIds)).toEqual(LOOP_INTEGERS.map(() => 9));
    // The pair had a worker each (ended after), the analyzer the pool's one.
    expect(workers.created).toBe(3);
    expect(workers.terminated).toBe(2);
  });

  it("the evaluator's parameter is used (threshold 3: every search ends at 4)", async () => {
    const api = makeApi();
    await api.ready;
    const rec = await api.toolchains.wait(await api.toolchains.run(loopToolchain(3)));
    expect(rec.blocks.analysis!.results!.data).toEqual({ sum: 45 + 9 * 4, nb: 9 });
  });

  it('user blocks as a loop pair: each in a sandboxed worker of its own', async () => {
    const modules = inProcessBlockWorkerFactory();
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(modules, sandbox, 2);
    await api.ready;
    const t = await installUserPair(api);
    const rec = await api.toolchains.wait(await api.toolchains.run(t));
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.analysis!.results!.data).toEqual({ sum: 504, nb: 9 });
    expect(sandbox.created).toBe(2);
    expect(modules.created).toBe(1);
  });

  it("a user evaluator's bad answer is refused by the engine, naming the format and field; both blocks FAILED, the analyzer SKIPPED", async () => {
    const api = makeApi(inProcessBlockWorkerFactory(), inProcessBlockWorkerFactory());
    await api.ready;
    const bad = "export class Algorithm { validate() { return [false, { value: 'far' }]; } }";
    const rec = await api.toolchains.wait(await api.toolchains.run(await installUserPair(api, bad)));
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.processor!.status).toBe('FAILED');
    expect(rec.blocks.processor!.error!.message).toContain(`the answer is not system/float/1: field 'value': expected float64, got string "far"`);
    expect(rec.blocks.evaluator!.status).toBe('FAILED');
    expect(rec.blocks.analysis!.status).toBe('SKIPPED');
  });

  it('a forged evaluator host (answering past its own checks) is still checked by the engine', async () => {
    const sandbox = customBlockFactory(() => {
      const real = createBlockHostApi();
      return {
        stats: () => real.stats(),
        run: async (job, progress, loopPort) => {
          if (job.loop?.role !== 'evaluator') return real.run(job, progress, loopPort);
          let close!: () => void;
          const closed = new Promise<void>((r) => (close = r));
          const api: LoopEvaluatorApi = {
            validate: async () => [true, { value: 1, extra: 'x' }] as never,
            read: async () => undefined,
            write: async () => undefined,
            close: async () => close(),
          };
          Comlink.expose(api, loopPort!);
          await closed;
          return { ok: true, error: null, outputs: { requests: [] }, skipped: { requests: [] }, result: null, processCalls: 0, warnings: [], range: null };
        },
      };
    });
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.ready;
    const rec = await api.toolchains.wait(await api.toolchains.run(await installUserPair(api)));
    expect(rec.blocks.processor!.status).toBe('FAILED');
    expect(rec.blocks.processor!.error!.message).toContain(
      "loop evaluator 'evaluator': the answer is not system/float/1: field 'extra': not declared by data format 'system/float/1'",
    );
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.analysis!.status).toBe('SKIPPED');
  });

  it('a processor whose worker dies while its evaluator answers fails the pair with the reason', async () => {
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.ready;
    const hang = 'export class Algorithm { validate() { return new Promise(() => {}); } }';
    const runId = await api.toolchains.run(await installUserPair(api, hang));
    await new Promise((r) => setTimeout(r, 100));
    // The newest worker is the processor's (the evaluator's is started first).
    (sandbox as InProcessFactory).crash('the processor frame crashed');
    const rec = await api.toolchains.wait(runId);
    expect(rec.blocks.processor!.status).toBe('FAILED');
    expect(rec.blocks.processor!.error!.message).toContain('the processor frame crashed');
    expect(rec.blocks.evaluator!.status).toBe('FAILED');
    expect(rec.blocks.evaluator!.error!.message).toContain('its processor stopped while a request was being answered');
    expect(sandbox.terminated).toBe(2);
  });

  it('cancel ends both workers; the pair is CANCELLED', async () => {
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.ready;
    const hang = 'export class Algorithm { validate() { return new Promise(() => {}); } }';
    const runId = await api.toolchains.run(await installUserPair(api, hang));
    await new Promise((r) => setTimeout(r, 100));
    const rec = await api.toolchains.cancel(runId);
    expect(rec.status).toBe('CANCELLED');
    expect([rec.blocks.processor!.status, rec.blocks.evaluator!.status, rec.blocks.analysis!.status]).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(sandbox.terminated).toBe(2);
  });
});

/** Block workers whose host is `host()` (in process, behind a MessageChannel). */
function customBlockFactory(host: () => BlockWorkerApi): WorkerFactory {
  return () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(host(), port2 as unknown as Comlink.Endpoint);
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        port1.close();
        port2.close();
      },
      onDeath: () => undefined,
    };
  };
}
