// User blocks and the block sandbox in the toolchain service (src/engine/toolchains.ts), in Node: user
// blocks go to the sandbox pool (sandboxBlockWorkerFactory; here in-process hosts), built-ins to the
// module-worker pool; without a sandbox factory user blocks share the normal pool. Sandboxed workers
// are kept to one block. A user block's job has a wall-clock limit; a worker that dies fails its
// block with the reason; every run a worker returns is checked (validateBlockRun) before it is used.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import type { BlockRun } from '../../src/core/beat';
import type { BlockWorkerApi, BlockWorkerJob } from '../../src/core/blockProtocol';
import { SANDBOX_BLOCK_DEAD } from '../../src/engine/sandbox';
import { DEFAULT_USER_BLOCK_TIMEOUT_MS } from '../../src/engine/toolchains';
import type { WorkerFactory } from '../../src/engine/workerHandle';
import { createBlockHostApi } from '../../workers/blockHostApi';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function makeApi(blockWorkerFactory: WorkerFactory, sandboxBlockWorkerFactory?: WorkerFactory, poolSize = 2): Algobox {
  const api = createAlgobox({
    dbName: `toolchains-sandbox-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory,
    sandboxBlockWorkerFactory,
    blockPoolSize: poolSize,
  });
  apis.push(api);
  return api;
}

const DECL = {
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { y: { type: 'system/int32/1' } } }],
};
const PLUS = (k: number) => `export class Algorithm { process(i, l, o) { o.get('y').write({ value: i.get('x').data.value + ${k} }); return true; } }`;
const NEVER = 'export class Algorithm { async process() { await new Promise(() => {}); return true; } }';
const SLEEP = (ms: number) =>
  `export class Algorithm { async process(i, l, o) { await new Promise((r) => setTimeout(r, ${ms})); o.get('y').write({ value: 0 }); return true; } }`;

const toolchain = (...blocks: [string, string][]) => ({
  sources: [{ name: 'x', values: [{ value: 1 }, { value: 2 }, { value: 3 }], format: 'system/int32/1' }],
  blocks: blocks.map(([name, algorithm]) => ({ name, algorithm })),
  connections: blocks.map(([name]) => ({ from: 'x', to: `${name}.x` })),
});

async function outputValues(api: Algobox, runId: string, block: string): Promise<number[]> {
  const rec = await api.toolchains.get(runId);
  const ids = rec.blocks[block]!.outputs.y!.datasetIds;
  return Promise.all(ids.map(async (id) => Array.from(((await api.datasets.get(id)).fields.value as { data: ArrayLike<number> }).data)[0]!));
}

/** A block worker whose host is `host` (in process, behind a MessageChannel); `die(reason)` ends the newest one as a crashed frame would. */
function customFactory(host: () => BlockWorkerApi): WorkerFactory & { created: number; die(reason: string): void } {
  let deaths: ((r: string) => void)[] = [];
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(host(), port2 as unknown as Comlink.Endpoint);
    const mine: ((r: string) => void)[] = [];
    deaths = mine;
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        port1.close();
        port2.close();
      },
      onDeath: (cb: (r: string) => void) => void mine.push(cb),
    };
  }) as unknown as WorkerFactory & { created: number; die(reason: string): void };
  f.created = 0;
  f.die = (reason) => deaths.splice(0).forEach((cb) => cb(reason));
  return f;
}

/** A host that runs the real block host, then lets `forge` rewrite the run it returns. */
function forgingHost(forge: (run: BlockRun, job: BlockWorkerJob) => unknown): () => BlockWorkerApi {
  return () => {
    const real = createBlockHostApi();
    return {
      run: async (job, port) => forge(await real.run(job, port), job) as BlockRun,
      stats: () => real.stats(),
    };
  };
}

describe('user blocks and the block sandbox', () => {
  it('user blocks run on the sandbox factory, built-ins on the module workers; without a sandbox both share one pool', async () => {
    const modules = inProcessBlockWorkerFactory();
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(modules, sandbox);
    await api.blocks.install(DECL, PLUS(10), { name: 'user/plus10/1' });
    await api.blocks.install(DECL, PLUS(10), { name: 'builtin/plus10/1', builtin: true });
    const user = await api.toolchains.wait(await api.toolchains.run(toolchain(['U', 'user/plus10/1'])));
    expect(user.status).toBe('DONE');
    expect([modules.created, sandbox.created]).toEqual([0, 1]);
    const builtin = await api.toolchains.wait(await api.toolchains.run(toolchain(['B', 'builtin/plus10/1'])));
    expect(builtin.status).toBe('DONE');
    expect([modules.created, sandbox.created]).toEqual([1, 1]);
    // The same code gives the same outputs in either pool.
    expect(await outputValues(api, user.id, 'U')).toEqual([11, 12, 13]);
    expect(await outputValues(api, builtin.id, 'B')).toEqual([11, 12, 13]);

    const shared = inProcessBlockWorkerFactory();
    const api2 = makeApi(shared);
    await api2.blocks.install(DECL, PLUS(1), { name: 'user/plus1/1' });
    expect((await api2.toolchains.wait(await api2.toolchains.run(toolchain(['U', 'user/plus1/1'])))).status).toBe('DONE');
    expect(shared.created).toBe(1);
  });

  it('a sandboxed worker is kept to one block: another block gets a fresh worker, the same block reuses its own', async () => {
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox, 1);
    await api.blocks.install(DECL, PLUS(1), { name: 'user/a/1' });
    await api.blocks.install(DECL, PLUS(2), { name: 'user/b/1' });
    const run = async (...blocks: [string, string][]) => (await api.toolchains.wait(await api.toolchains.run(toolchain(...blocks)))).status;
    expect(await run(['A', 'user/a/1'])).toBe('DONE');
    expect([sandbox.created, sandbox.terminated]).toEqual([1, 0]);
    expect(await run(['A', 'user/a/1'])).toBe('DONE');
    expect([sandbox.created, sandbox.terminated]).toEqual([1, 0]);
    // Pool of one: B's job ends A's idle worker and gets its own; A and B in one run alternate workers.
    expect(await run(['B', 'user/b/1'])).toBe('DONE');
    expect([sandbox.created, sandbox.terminated]).toEqual([2, 1]);
    expect(await run(['A', 'user/a/1'], ['B', 'user/b/1'])).toBe('DONE');
    expect(sandbox.created).toBe(4);
    expect(sandbox.terminated).toBe(3);
  });

  it("a user block's job has a time limit (blockTimeoutMs; default 10 minutes); built-ins have none", async () => {
    expect(DEFAULT_USER_BLOCK_TIMEOUT_MS).toBe(600_000);
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.blocks.install(DECL, NEVER, { name: 'user/never/1' });
    await api.blocks.install(DECL, PLUS(1), { name: 'user/after/1' });
    const t = {
      ...toolchain(['S', 'user/never/1']),
      blocks: [
        { name: 'S', algorithm: 'user/never/1' },
        { name: 'N', algorithm: 'user/after/1' },
      ],
      connections: [
        { from: 'x', to: 'S.x' },
        { from: 'S.y', to: 'N.x' },
      ],
    };
    const t0 = Date.now();
    const rec = await api.toolchains.wait(await api.toolchains.run(t, { blockTimeoutMs: 300 }));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.S).toMatchObject({
      status: 'FAILED',
      outputs: {},
      error: { block: 'S', message: "block 'S' failed: the job of block 'user/never/1' exceeded its time limit of 300 ms; its worker was stopped." },
    });
    expect(rec.blocks.N).toMatchObject({ status: 'SKIPPED', error: { block: 'S', message: "not run: block 'S' failed" } });
    expect(sandbox.terminated).toBe(1);
    // The pool replaces the ended worker.
    await api.blocks.install(DECL, PLUS(5), { name: 'user/plus5/1' });
    expect((await api.toolchains.wait(await api.toolchains.run(toolchain(['P', 'user/plus5/1']), { blockTimeoutMs: 5000 }))).status).toBe('DONE');

    // Built-ins have no limit; null lifts it for user blocks.
    await api.blocks.install(DECL, SLEEP(400), { name: 'builtin/sleep/1', builtin: true });
    await api.blocks.install(DECL, SLEEP(400), { name: 'user/sleep/1' });
    expect((await api.toolchains.wait(await api.toolchains.run(toolchain(['B', 'builtin/sleep/1']), { blockTimeoutMs: 100 }))).status).toBe('DONE');
    expect((await api.toolchains.wait(await api.toolchains.run(toolchain(['U', 'user/sleep/1']), { blockTimeoutMs: null }))).status).toBe('DONE');
    const limited = await api.toolchains.wait(await api.toolchains.run(toolchain(['U', 'user/sleep/1']), { blockTimeoutMs: 100 }));
    expect(limited.blocks.U!.error!.message).toBe(
      "block 'U' failed: the job of block 'user/sleep/1' exceeded its time limit of 100 ms; its worker was stopped.",
    );
    for (const bad of [0, -5, Infinity, 'soon']) {
      await expect(api.toolchains.run(toolchain(['U', 'user/sleep/1']), { blockTimeoutMs: bad as number })).rejects.toThrow(
        `toolchains.run: blockTimeoutMs must be a positive number of milliseconds (at most 2147483647) or null, got ${String(bad)}.`,
      );
    }
  });

  it('cancel ends a running user block in the sandbox pool (CANCELLED)', async () => {
    const sandbox = inProcessBlockWorkerFactory();
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.blocks.install(DECL, NEVER, { name: 'user/never/1' });
    const id = await api.toolchains.run(toolchain(['S', 'user/never/1']));
    await new Promise((r) => setTimeout(r, 100));
    const rec = await api.toolchains.cancel(id);
    expect(rec.status).toBe('CANCELLED');
    expect(rec.blocks.S).toMatchObject({ status: 'CANCELLED', error: { code: 'E_CANCELLED', message: "block 'S': cancelled by the user" } });
    expect(sandbox.terminated).toBe(1);
  });

  it('a worker that dies (a crashed or out-of-memory frame) fails its block with the reason', async () => {
    const sandbox = customFactory(() => createBlockHostApi());
    const api = makeApi(inProcessBlockWorkerFactory(), sandbox);
    await api.blocks.install(DECL, NEVER, { name: 'user/never/1' });
    const id = await api.toolchains.run(toolchain(['S', 'user/never/1']));
    await new Promise((r) => setTimeout(r, 100));
    sandbox.die(`${SANDBOX_BLOCK_DEAD}: its frame answered no message for 10 s.`);
    const rec = await api.toolchains.wait(id);
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.S!.error!.message).toBe(
      "block 'S' failed: The sandboxed block worker stopped (out of memory or crashed): its frame answered no message for 10 s.",
    );
  });

  it('forged runs fail their block naming the block, the place, the value and the expectation; nothing is stored', async () => {
    const forgeries: Record<string, (run: BlockRun) => unknown> = {
      extra: (r) => ({ ...r, outputs: { ...r.outputs, stolen: [] } }),
      dtype: (r) => ({ ...r, outputs: { y: r.outputs.y!.map((u) => ({ ...u, data: { value: 'one' } })) } }),
      order: (r) => ({ ...r, outputs: { y: [...r.outputs.y!].reverse() } }),
      polluted: (r) => ({
        ...r,
        outputs: { y: r.outputs.y!.map((u) => ({ ...u, data: JSON.parse('{"__proto__": {"polluted": "yes"}, "value": 1}') as unknown })) },
      }),
      calls: (r) => ({ ...r, processCalls: -3 }),
    };
    const expected: Record<string, string> = {
      extra: "block 'F' failed: the run of block 'user/forged/1' is invalid: outputs: 'stolen' is not a declared output (declared: y)",
      dtype:
        "block 'F' failed: the run of block 'user/forged/1' is invalid: output 'y' unit 0 [0, 0] is not system/int32/1: field 'value': expected int32, got string \"one\"",
      order:
        "block 'F' failed: the run of block 'user/forged/1' is invalid: output 'y' unit 1 [1, 1]: it overlaps or precedes the previous unit, which ends at 2 (units must be in index order)",
      polluted: "block 'F' failed: the run of block 'user/forged/1' is invalid: run.outputs.y[0].data: the key '__proto__' is not allowed",
      calls: "block 'F' failed: the run of block 'user/forged/1' is invalid: processCalls: expected a safe non-negative integer, got -3",
    };
    for (const [name, forge] of Object.entries(forgeries)) {
      const api = makeApi(inProcessBlockWorkerFactory(), customFactory(forgingHost(forge)));
      await api.blocks.install(DECL, PLUS(1), { name: 'user/forged/1' });
      await api.blocks.install(DECL, PLUS(1), { name: 'user/next/1' });
      const t = {
        ...toolchain(),
        blocks: [
          { name: 'F', algorithm: 'user/forged/1' },
          { name: 'N', algorithm: 'user/next/1' },
        ],
        connections: [
          { from: 'x', to: 'F.x' },
          { from: 'F.y', to: 'N.x' },
        ],
      };
      const rec = await api.toolchains.wait(await api.toolchains.run(t));
      expect(rec.status, name).toBe('FAILED');
      expect(rec.blocks.F, name).toMatchObject({ status: 'FAILED', outputs: {}, error: { code: 'E_INVALID_RUN', block: 'F', message: expected[name] } });
      expect(rec.blocks.N!.status, name).toBe('SKIPPED');
      expect(
        (await api.datasets.list()).filter((d) => d.source === `toolchain:${rec.id}`),
        name,
      ).toEqual([]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Built-in blocks' runs are checked too.
    const api = makeApi(customFactory(forgingHost(forgeries.extra!)));
    await api.blocks.install(DECL, PLUS(1), { name: 'builtin/forged/1', builtin: true });
    const rec = await api.toolchains.wait(await api.toolchains.run(toolchain(['F', 'builtin/forged/1'])));
    expect(rec.blocks.F!.error!.message).toBe(
      "block 'F' failed: the run of block 'builtin/forged/1' is invalid: outputs: 'stolen' is not a declared output (declared: y)",
    );
  });
});
