// The BEAT block host (issue 7): runs one block — or one part of a split run — with `executeBlock`
// over the streams the engine sends, and returns the outputs, analyzer result and process() count.
// A block's code is JS module text exporting the algorithm class (`Algorithm`, or the default
// export); it is linked here with the SDK's module loader (blob: URLs made inside this worker; data:
// URLs in Node) and kept per (block id, source) for later jobs. Node-importable: the tests run it in
// process behind a MessageChannel, the browser in workers/block.worker.ts.
import * as Comlink from 'comlink';
import {
  DataFormatRegistry,
  executeBlock,
  startLoopEvaluator,
  type AlgorithmClass,
  type BlockRun,
  type LoopEvaluatorClass,
  type LoopTransport,
} from '../src/core/beat';
import {
  PROGRESS_INTERVAL_MS,
  type BlockProgressApi,
  type BlockWorkerApi,
  type BlockWorkerJob,
  type LoopChannelHostApi,
  type LoopEvaluatorApi,
} from '../src/core/blockProtocol';
import { thrownMessage } from '../src/core/describeValue';
import type { BlockArraysApi } from '../src/core/blockProtocol';
import { arrayFactory, lazyInputNames, lazyStreams } from './blockLazy';
import { linkBundle, revokeBundle, type LinkedBundle, type ModuleUrlFactory } from '../src/sdk/moduleLoader';
import * as sdk from '../src/sdk/index';
import * as image from '../src/sdk/image/index';

/** What a block's module may import besides itself: the SDK (`algobox`) and its image library (`algobox/image`), as runners do. */
const BLOCK_BUILTINS = { algobox: sdk as unknown as Record<string, unknown>, 'algobox/image': image as unknown as Record<string, unknown> };

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
    const linked = await linkBundle({ 'block.js': job.moduleSource }, 'block.js', BLOCK_BUILTINS, opts.urlFactory);
    const mod = (await import(/* @vite-ignore */ linked.entryUrl)) as Record<string, unknown>;
    const cls = mod.Algorithm ?? mod.default;
    if (typeof cls !== 'function') {
      revokeBundle(linked);
      throw new Error(`block '${job.blockId}': its module exports no algorithm class (expected \`export class Algorithm\` or a default export)`);
    }
    classes.set(key, { cls: cls as AlgorithmClass, linked });
    return cls as AlgorithmClass;
  }

  function failedRun(job: BlockWorkerJob, e: unknown): BlockRun {
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

  /** The formats the engine resolved for this job (user formats), or the built-in catalogue. */
  const registryOf = (job: BlockWorkerJob): DataFormatRegistry => new DataFormatRegistry(job.dataFormats ?? {});

  /** A loop processor's way to its evaluator: the engine, on the job's loop port. */
  function engineTransport(loopPort: MessagePort): LoopTransport {
    const remote = Comlink.wrap<LoopChannelHostApi>(loopPort);
    return {
      validate: async (request) => (await remote.validate(request)) as [boolean, never],
      read: async (start, end) => void (await remote.read(start, end)),
      write: async (output, end) => void (await remote.write(output, end)),
    };
  }

  /** A loop evaluator: answers the engine on the loop port until it is closed, then returns its run. */
  async function runEvaluator(job: BlockWorkerJob, loopPort: MessagePort, onProcessCall?: (n: number) => void): Promise<BlockRun> {
    let cls: LoopEvaluatorClass;
    try {
      cls = (await algorithmClass(job)) as unknown as LoopEvaluatorClass;
    } catch (e) {
      const failure = e;
      // The session reports the failure (stage setup) to every request, and as the run.
      cls = class {
        constructor() {
          throw failure;
        }
      } as unknown as LoopEvaluatorClass;
    }
    const session = startLoopEvaluator({
      declaration: job.declaration,
      algorithm: cls,
      name: job.blockId,
      parameters: job.parameters,
      inputs: job.inputs,
      dataFormats: registryOf(job),
      onValidate: onProcessCall,
    });
    let closed!: () => void;
    const closing = new Promise<void>((resolve) => (closed = resolve));
    const api: LoopEvaluatorApi = {
      validate: (request) => session.validate(request),
      read: (start, end) => session.read(start, end),
      write: (output, end) => session.write(output, end),
      close: () => {
        closed();
        return Promise.resolve();
      },
    };
    Comlink.expose(api, loopPort);
    await closing;
    const run = await session.close();
    loopPort.close();
    return Comlink.transfer(run, [...collectBuffers([run.outputs, run.result])]);
  }

  async function runJob(
    job: BlockWorkerJob,
    onProcessCall?: (n: number) => void,
    loopPort?: MessagePort,
    arrays: Comlink.Remote<BlockArraysApi> | null = null,
  ): Promise<BlockRun> {
    if (job.loop?.role === 'evaluator') {
      if (!loopPort) return failedRun(job, new Error(`block '${job.blockId}' is a loop evaluator: its job needs a loop port`));
      return runEvaluator(job, loopPort, onProcessCall);
    }
    let cls: AlgorithmClass;
    try {
      cls = await algorithmClass(job);
    } catch (e) {
      return failedRun(job, e);
    }
    const run = await executeBlock({
      declaration: job.declaration,
      algorithm: cls,
      name: job.blockId,
      parameters: job.parameters,
      inputs: lazyStreams(job.inputs, lazyInputNames(job.declaration), arrays),
      range: job.range,
      dataFormats: registryOf(job),
      onProcessCall,
      createArray: arrayFactory(arrays),
      ...(job.loop?.role === 'processor' && loopPort ? { loop: engineTransport(loopPort) } : {}),
    });
    loopPort?.close();
    return Comlink.transfer(run, [...collectBuffers([run.outputs, run.result])]);
  }

  return {
    async run(job: BlockWorkerJob, progressPort?: MessagePort, loopPort?: MessagePort): Promise<BlockRun> {
      jobs += 1;
      const progress = progressPort ? Comlink.wrap<BlockProgressApi & BlockArraysApi>(progressPort) : null;
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
        return await runJob(job, onProcessCall, loopPort, progress);
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
