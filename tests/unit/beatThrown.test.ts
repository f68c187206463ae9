// Non-Error throws in BEAT blocks keep their value (issue 12 §1): `throw 42` or `throw {code: 7}` in a
// block's setup/process (or its module's top level) is reported with the value, bounded — in process
// (executeBlock), through a built-in block's worker host and through the user-block (sandbox) pool.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { executeBlock, type AlgorithmClass } from '../../src/core/beat';
import { MAX_PREVIEW_CHARS } from '../../src/core/describeValue';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const DECL = {
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { y: { type: 'system/int32/1' } } }],
};
const inputs = { x: [{ data: { value: 1 }, start: 0, end: 0 }] };

describe('executeBlock: thrown values', () => {
  it('throw 42 in process names the number', async () => {
    const cls = class {
      process() {
        throw 42;
      }
    } as unknown as AlgorithmClass;
    const run = await executeBlock({ declaration: DECL, algorithm: cls, inputs });
    expect(run.ok).toBe(false);
    expect(run.error).toMatchObject({ code: 'E_USER', stage: 'process', message: 'Uncaught number 42' });
  });

  it('throw {code: 7} in setup names the object', async () => {
    const cls = class {
      setup() {
        throw { code: 7 };
      }
      process() {
        return true;
      }
    } as unknown as AlgorithmClass;
    const run = await executeBlock({ declaration: DECL, algorithm: cls, inputs });
    expect(run.error).toMatchObject({ code: 'E_USER', stage: 'setup', message: 'Uncaught object {"code":7}' });
  });

  it('a huge thrown string is bounded', async () => {
    const cls = class {
      process() {
        throw 'x'.repeat(10_000);
      }
    } as unknown as AlgorithmClass;
    const run = await executeBlock({ declaration: DECL, algorithm: cls, inputs });
    expect(run.error!.message.startsWith('Uncaught xxx')).toBe(true);
    expect(run.error!.message.length).toBeLessThan(MAX_PREVIEW_CHARS + 40);
  });
});

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function makeApi(sandboxed: boolean): Algobox {
  const api = createAlgobox({
    dbName: `beat-thrown-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: inProcessBlockWorkerFactory(),
    ...(sandboxed ? { sandboxBlockWorkerFactory: inProcessBlockWorkerFactory() } : {}),
    blockPoolSize: 1,
  });
  apis.push(api);
  return api;
}

const toolchain = (algorithm: string) => ({
  sources: [{ name: 'x', values: [{ value: 1 }], format: 'system/int32/1' }],
  blocks: [{ name: 'b', algorithm }],
});

describe.each([
  ['built-in block (module worker host)', false, true],
  ['user block (sandbox pool)', true, false],
])('%s', (_label, sandboxed, builtin) => {
  it.each([
    ['throw 42 in process', 'export class Algorithm { process() { throw 42; } }', 'Uncaught number 42'],
    ['throw {code: 7} in setup', 'export class Algorithm { setup() { throw { code: 7 }; } process() { return true; } }', 'Uncaught object {"code":7}'],
    ['throw at the module top level', 'throw { code: 9 };\nexport class Algorithm { process() { return true; } }', 'Uncaught object {"code":9}'],
  ])('%s: the block FAILED with the value', async (_what, source, expected) => {
    const api = makeApi(sandboxed);
    const b = await api.blocks.install(DECL, source, { name: `t/thrown-${crypto.randomUUID().slice(0, 8)}/1`, builtin });
    expect(b.origin).toBe(builtin ? 'builtin' : 'user');
    const runId = await api.toolchains.run(toolchain(b.id));
    const rec = await api.toolchains.wait(runId);
    expect(rec.status).toBe('FAILED');
    expect(rec.blocks.b!.status).toBe('FAILED');
    expect(rec.blocks.b!.error!.message).toContain(expected);
  });
});
