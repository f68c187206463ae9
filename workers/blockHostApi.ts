// The BEAT block host (issue 7): runs one block — or one part of a split run — with `executeBlock`
// over the streams the engine sends, and returns the outputs, analyzer result and process() count.
// A block's code is JS module text exporting the algorithm class (`Algorithm`, or the default
// export); it is linked here with the SDK's module loader (blob: URLs made inside this worker; data:
// URLs in Node) and kept per (block id, source) for later jobs. Node-importable: the tests run it in
// process behind a MessageChannel, the browser in workers/block.worker.ts.
import * as Comlink from 'comlink';
import { executeBlock, type AlgorithmClass, type BlockRun } from '../src/core/beat';
import { PROGRESS_INTERVAL_MS, type BlockProgressApi, type BlockWorkerApi, type BlockWorkerJob } from '../src/core/blockProtocol';
import { thrownMessage } from '../src/core/describeValue';
import { linkBundle, revokeBundle, type LinkedBundle, type ModuleUrlFactory } from '../src/sdk/moduleLoader';

/** Every distinct ArrayBuffer under `value` (NDArray data of the outputs), to transfer back. */
export function collectBuffers(value: unknown, into: Set<ArrayBuffer> = new Set(), seen: Set<object> = new Set()): Set<ArrayBuffer> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return into;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) into.add(value.buffer);
    return into;
  }
  if (value instanceof ArrayBuffer) return into.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectBuffers(v, into, seen);
  return into;
}

export function createBlockHostApi(opts: { urlFactory?: ModuleUrlFactory } = {}): BlockWorkerApi & { dispose(): void } {
  const classes = new Map<string, { cls: AlgorithmClass; linked: LinkedBundle }>();
  let jobs = 0;

  async function algorithmClass(job: BlockWorkerJob): Promise<AlgorithmClass> {
    const key = `${job.blockId}\u0000${job.moduleSource}`;
    const hit = classes.get(key);
    if (hit) return hit.cls;
    const linked = await linkBundle({ 'block.js': job.moduleSource }, 'block.js', {}, opts.urlFactory);
    const mod = (await import(/* @vite-ignore */ linked.entryUrl)) as Record<string, unknown>;
    const cls = mod.Algorithm ?? mod.default;
    if (typeof cls !== 'function') {
      revokeBundle(linked);
      throw new Error(`block '${job.blockId}': its module exports no algorithm class (expected \`export class Algorithm\` or a default export)`);
    }
    classes.set(key, { cls: cls as AlgorithmClass, linked });
    return cls as AlgorithmClass;
  }

  async function runJob(job: BlockWorkerJob, onProcessCall?: (n: number) => void): Promise<BlockRun> {
    let cls: AlgorithmClass;
    try {
      cls = await algorithmClass(job);
    } catch (e) {
      return {
        ok: false,
        error: { code: 'E_USER', message: thrownMessage(e), stage: 'setup', details: [] },
        outputs: {},
        skipped: {},
        result: null,
        processCalls: 0,
        warnings: [],
        range: job.range,
      };
    }
    const run = await executeBlock({
      declaration: job.declaration,
      algorithm: cls,
      name: job.blockId,
      parameters: job.parameters,
      inputs: job.inputs,
      range: job.range,
      onProcessCall,
    });
    return Comlink.transfer(run, [...collectBuffers([run.outputs, run.result])]);
  }

  return {
    async run(job: BlockWorkerJob, progressPort?: MessagePort): Promise<BlockRun> {
      jobs += 1;
      const progress = progressPort ? Comlink.wrap<BlockProgressApi>(progressPort) : null;
      let last = 0;
      const onProcessCall = progress
        ? (n: number): void => {
            const t = Date.now();
            if (t - last < PROGRESS_INTERVAL_MS) return;
            last = t;
            void Promise.resolve(progress.processCalls(n)).catch(() => undefined);
          }
        : undefined;
      try {
        return await runJob(job, onProcessCall);
      } finally {
        if (progress) {
          (progress as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy]?.();
          progressPort?.close();
        }
      }
    },

    stats() {
      return Promise.resolve({ jobs, linked: classes.size });
    },
    dispose() {
      for (const { linked } of classes.values()) revokeBundle(linked);
      classes.clear();
    },
  };
}
