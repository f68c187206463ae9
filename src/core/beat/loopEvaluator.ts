// The evaluator's side of a loop (reference §8, backend 2.x `*_loop_evaluator`, 1.6 `loop`): set up
// and prepared like any block, then driven by its processor's requests — `validate(request)` returns
// `[isValid, answer]`; `read(inputs)` follows the processor's synchronization group (sequential
// evaluators); `write(outputs, processorOutputName, endDataIndex)` writes the evaluator's own outputs
// when the processor writes. Calls are answered one at a time, in order. Pure TS.

import { BeatError } from './errors';
import { convertData, DataFormatRegistry, type Data, type DataFormat } from './dataFormats';
import { isAlgorithmDeclaration, parseDeclaration, type AlgorithmDeclaration } from './declaration';
import type { ParameterValue } from './parameters';
import type { InputList } from './inputs';
import type { OutputList } from './outputs';
import { MemorySink } from './outputs';
import type { DataLoaderList } from './dataLoaders';
import type { DataStream } from './streams';
import { buildBlockIo, closeOutputs, prepareAlgorithm, setupAlgorithm, type BlockIo } from './blockIo';
import { emptyRun, prepareStreams, runError, type BlockRun, type BlockStage } from './executeBlock';
import { checkLoopReply } from './loopChannel';
import { thrownMessage } from '../describeValue';

/** What a loop evaluator's module exports: a class whose instances have these methods (each may be async). */
export interface LoopEvaluatorInstance {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  /** `[isValid, answer]` for one request of the processor (an object of the loop's request format). */
  validate(request: Data): unknown;
  /** Sequential evaluators: the synchronization group has followed the processor's to its current interval. */
  read?(inputs: InputList): unknown;
  /** The processor's output `processorOutputName` wrote a unit ending at `endDataIndex`: write the evaluator's outputs up to it. */
  write?(outputs: OutputList, processorOutputName: string, endDataIndex: number): unknown;
}
export type LoopEvaluatorClass = new () => LoopEvaluatorInstance;

export interface LoopEvaluatorRequest {
  declaration: unknown;
  algorithm: LoopEvaluatorClass;
  name?: string;
  parameters?: Readonly<Record<string, unknown>>;
  inputs: Readonly<Record<string, DataStream>>;
  dataFormats?: DataFormatRegistry;
  checkInputs?: boolean;
  /** Called with the number of requests answered so far (live progress). */
  onValidate?: (requests: number) => void;
}

/** A running evaluator: what its processor's loop channel calls, then `close`. */
export interface LoopEvaluatorSession {
  validate(request: unknown): Promise<[boolean, Data]>;
  read(start: number, end: number): Promise<void>;
  write(output: string, end: number): Promise<void>;
  /** The processor has finished: the outputs are closed and checked; the evaluator's run (never throws). */
  close(): Promise<BlockRun>;
}

interface Started {
  declaration: AlgorithmDeclaration;
  instance: LoopEvaluatorInstance;
  io: BlockIo;
  requestFormat: DataFormat;
  answerFormat: DataFormat;
}

/** Start an evaluator (declaration, streams, setup, prepare — in the background; calls wait for it). */
export function startLoopEvaluator(req: LoopEvaluatorRequest): LoopEvaluatorSession {
  const name = req.name ?? '__unnamed_evaluator__';
  const run = emptyRun(null);
  let stage: BlockStage = 'declaration';
  let io: BlockIo | null = null;
  let closed = false;
  const fail = (e: unknown): never => {
    if (!run.error) run.error = runError(e, stage);
    throw e;
  };
  const started: Promise<Started> = (async () => {
    const registry = req.dataFormats ?? new DataFormatRegistry();
    const declaration = isAlgorithmDeclaration(req.declaration) ? req.declaration : parseDeclaration(req.declaration, { dataFormats: registry });
    if (declaration.loop?.role !== 'evaluator')
      throw new BeatError('E_LOOP', `algorithm \`${name}' is no loop evaluator (type ${declaration.loop?.declaredType ?? declaration.type})`);
    stage = 'inputs';
    const streams = prepareStreams(declaration, req.inputs, registry, req.checkInputs ?? true);
    io = buildBlockIo(declaration, streams, registry, null, name);
    stage = 'setup';
    const instance = new req.algorithm();
    if (typeof instance?.validate !== 'function') throw new BeatError('E_LOOP', `loop evaluator \`${name}' has no validate() method`);
    await setupAlgorithm(instance, declaration, req.parameters, name);
    stage = 'prepare';
    await prepareAlgorithm(instance, declaration, io.loaders);
    stage = 'process';
    return { declaration, instance, io, requestFormat: registry.get(declaration.loop.request), answerFormat: registry.get(declaration.loop.answer) };
  })().catch(fail);
  started.catch(() => undefined);

  // One call at a time, in the order they come.
  let queue: Promise<unknown> = Promise.resolve();
  let active = 0;
  const serial = <T>(fn: (s: Started) => Promise<T>): Promise<T> => {
    active += 1;
    const next = queue.then(async () => {
      if (closed) throw new BeatError('E_LOOP', `loop evaluator \`${name}' has already finished`);
      let s: Started;
      try {
        s = await started;
      } catch {
        throw new BeatError('E_LOOP', `the loop evaluator \`${name}' failed (${run.error!.stage}): ${run.error!.message}`);
      }
      if (run.error) throw new BeatError('E_LOOP', `the loop evaluator \`${name}' failed (${run.error.stage}): ${run.error.message}`);
      return fn(s).catch(fail);
    });
    queue = next.catch(() => undefined).finally(() => (active -= 1));
    return next;
  };

  return {
    validate: (request) =>
      serial(async (s) => {
        let data: Data;
        try {
          data = convertData(s.requestFormat, request);
        } catch (e) {
          throw new BeatError('E_LOOP', `loop evaluator \`${name}': the request is not ${s.requestFormat.name}: ${thrownMessage(e)}`);
        }
        run.processCalls += 1;
        req.onValidate?.(run.processCalls);
        return checkLoopReply(await s.instance.validate(data), s.answerFormat, `loop evaluator \`${name}'`);
      }),
    read: (start, end) =>
      serial(async (s) => {
        const list = s.io.inputList;
        const main = list?.mainGroup;
        if (!list || !main) return;
        void start;
        while (main.lastDataIndex < end && main.hasMoreData()) {
          main.restrictedAccess = false;
          try {
            main.next();
          } finally {
            main.restrictedAccess = true;
          }
        }
        if (typeof s.instance.read === 'function') await s.instance.read(list);
      }),
    write: (output, end) =>
      serial(async (s) => {
        if (typeof s.instance.write === 'function') await s.instance.write(s.io.outputs, output, end);
      }),
    close: async () => {
      // A processor that stopped (failed, its worker ended) may leave a call unanswered: never wait for it.
      if (active > 0 && !run.error) {
        run.error = {
          code: 'E_LOOP',
          message: `loop evaluator \`${name}': its processor stopped while a request was being answered`,
          stage: 'process',
          details: [],
        };
      }
      if (active === 0) await queue;
      closed = true;
      if (!run.error) {
        try {
          const s = await started;
          stage = 'outputs';
          closeOutputs(s.io, s.declaration);
          run.ok = true;
        } catch (e) {
          if (!run.error) run.error = runError(e, stage);
        }
      }
      for (const o of (io as BlockIo | null)?.outputs ?? []) {
        if (o.sink instanceof MemorySink) {
          run.outputs[o.name] = o.sink.units;
          run.skipped[o.name] = o.sink.skipped;
        }
      }
      return run;
    },
  };
}
