// A loop pair run in this thread (tests, in-process toolchains): the evaluator is started, the
// processor runs with a loop channel whose requests and answers are structured-cloned as they would
// be between workers, then the evaluator is closed. Pure TS. (The engine runs the two in two block
// workers and relays the channel itself: src/engine/loopRelay.ts.)

import { executeBlock, type BlockRun, type ExecuteBlockRequest } from './executeBlock';
import type { LoopTransport } from './loopChannel';
import { startLoopEvaluator, type LoopEvaluatorRequest, type LoopEvaluatorSession } from './loopEvaluator';

/** A transport to an evaluator session in this thread (values cloned both ways). */
export function sessionTransport(session: LoopEvaluatorSession): LoopTransport {
  return {
    validate: async (request) => structuredClone(await session.validate(structuredClone(request))),
    read: (start, end) => session.read(start, end),
    write: (output, end) => session.write(output, end),
  };
}

/** Run a loop processor and its evaluator together: `{ processor, evaluator }` runs (never throws). */
export async function executeLoopPair(
  processor: Omit<ExecuteBlockRequest, 'loop'>,
  evaluator: LoopEvaluatorRequest,
): Promise<{ processor: BlockRun; evaluator: BlockRun }> {
  const session = startLoopEvaluator(evaluator);
  const processorRun = await executeBlock({ ...processor, loop: sessionTransport(session) });
  return { processor: processorRun, evaluator: await session.close() };
}
