// Loop pairs on the page side (issue 12 §2): the processor and the evaluator of a toolchain loop run
// at once, each in a block worker of its own (user blocks in their own sandboxed frames: two blocks
// never share a worker), and the engine relays the loop channel between them. Nothing goes straight
// from one worker to the other: the processor's requests arrive on a port served by the strict
// dispatcher (serveRpc) and are converted to the loop's request format before the evaluator sees them;
// the evaluator's replies come through the reply filter (guardedEndpoint) and must be
// [boolean, an object of the answer format]; `read`/`write` notifications are checked too.
import * as Comlink from 'comlink';
import {
  BeatError,
  checkLoopReply,
  convertData,
  emptyRun,
  type AlgorithmDeclaration,
  type BlockExecutionContext,
  type BlockRun,
  type DataFormatRegistry,
} from '../core/beat';
import type { LoopChannelHostApi, LoopEvaluatorApi } from '../core/blockProtocol';
import { thrownMessage } from '../core/describeValue';
import { guardedEndpoint, serveRpc } from './hostRpc';

/** One side of a loop: how to run its job in a worker, given the job's loop port. */
export interface LoopSide {
  block: string;
  declaration: AlgorithmDeclaration;
  run(loopPort: MessagePort, context: BlockExecutionContext): Promise<BlockRun>;
}

const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** A side that could not run (its worker died, was ended or refused the job) as a failed run. */
function failed(e: unknown): BlockRun {
  return { ...emptyRun(null), error: { code: e instanceof BeatError ? e.code : 'E_USER', message: thrownMessage(e), stage: 'process', details: [] } };
}

/**
 * Run a loop pair: both jobs at once, the channel relayed and checked here. When the processor has
 * finished (or failed), the evaluator is closed and its run collected. Never rejects: a side whose
 * worker failed gets a failed run with the reason (a cancelled run is told by the caller's signal).
 */
export async function runLoopPair(
  processor: LoopSide,
  evaluator: LoopSide,
  registry: DataFormatRegistry,
  context: { processor: BlockExecutionContext; evaluator: BlockExecutionContext },
): Promise<{ processor: BlockRun; evaluator: BlockRun }> {
  const loop = processor.declaration.loop!;
  const requestFormat = registry.get(loop.request);
  const answerFormat = registry.get(loop.answer);
  const who = `loop evaluator '${evaluator.block}'`;

  const toEvaluator = new MessageChannel();
  const remote = Comlink.wrap<LoopEvaluatorApi>(guardedEndpoint(toEvaluator.port1));
  const evaluatorRun = evaluator.run(toEvaluator.port2, context.evaluator);
  // Once the evaluator's job is over (or its worker gone), pending and later requests fail at once.
  const gone = evaluatorRun.then(
    () => {
      throw new BeatError('E_LOOP', `the ${who} has finished`);
    },
    (e: unknown) => {
      throw new BeatError('E_LOOP', `the ${who} stopped: ${thrownMessage(e)}`);
    },
  );
  gone.catch(() => undefined);
  const call = <T>(p: Promise<T>): Promise<T> => Promise.race([p, gone]);

  const outputs = Object.keys(processor.declaration.outputMap);
  const relay: LoopChannelHostApi = {
    validate: (async (request: unknown) => {
      let checked;
      try {
        checked = convertData(requestFormat, request);
      } catch (e) {
        throw new BeatError('E_LOOP', `the request of loop processor '${processor.block}' is not ${requestFormat.name}: ${thrownMessage(e)}`);
      }
      return checkLoopReply(await call(remote.validate(checked)), answerFormat, who);
    }) as unknown as LoopChannelHostApi['validate'],
    read: (async (start: unknown, end: unknown) => {
      if (!isIndex(start) || !isIndex(end) || start > end)
        throw new BeatError('E_LOOP', `read: expected an interval of indices, got ${thrownMessage([start, end])}`);
      await call(remote.read(start, end));
    }) as unknown as LoopChannelHostApi['read'],
    write: (async (output: unknown, end: unknown) => {
      if (typeof output !== 'string' || !outputs.includes(output) || !isIndex(end)) {
        throw new BeatError('E_LOOP', `write: expected one of the processor's outputs (${outputs.join(', ')}) and an index`);
      }
      await call(remote.write(output, end));
    }) as unknown as LoopChannelHostApi['write'],
  };
  const toProcessor = new MessageChannel();
  const stop = serveRpc(toProcessor.port1, relay as unknown as Parameters<typeof serveRpc>[1], { maxInFlight: 4 });

  let processorRun: BlockRun;
  try {
    processorRun = await processor.run(toProcessor.port2, context.processor);
  } catch (e) {
    processorRun = failed(e);
  } finally {
    stop();
  }
  await call(remote.close()).catch(() => undefined);
  let evaluatorResult: BlockRun;
  try {
    evaluatorResult = await evaluatorRun;
  } catch (e) {
    evaluatorResult = failed(e);
  }
  toEvaluator.port1.close();
  return { processor: processorRun, evaluator: evaluatorResult };
}
