// The inputs, data loaders and outputs of one block run (reference §3.4, §4, §9), its setup and
// prepare steps and the end-of-run output checks — shared by the block executor (executeBlock.ts) and
// the loop evaluator (loopEvaluator.ts). Pure TS.

import { BeatError } from './errors';
import type { DataFormatRegistry } from './dataFormats';
import { resultFormatDeclaration, type AlgorithmDeclaration } from './declaration';
import { checkParameters } from './parameters';
import { Input, InputGroup, InputList, SynchronizationListener } from './inputs';
import { Output, OutputList } from './outputs';
import { DataLoader, DataLoaderList } from './dataLoaders';
import { restrictToRange, type DataStream, type IndexRange } from './streams';
import type { AlgorithmInstance } from './algorithmApi';

export const SETUP_FALSE_MESSAGE = 'Could not setup algorithm (returned False)';
export const PREPARE_FALSE_MESSAGE = 'Could not prepare algorithm (returned False)';

export interface BlockIo {
  /** Legacy: every group; sequential: the synchronization group; autonomous: null. */
  inputList: InputList | null;
  /** API v2: sequential → the secondary groups; autonomous → every group. Null for legacy. */
  loaders: DataLoaderList | null;
  outputs: OutputList;
}

/** Build a run's inputs, loaders and outputs over checked streams (`name` names the analyzer's result format). */
export function buildBlockIo(
  declaration: AlgorithmDeclaration,
  streams: Readonly<Record<string, DataStream>>,
  registry: DataFormatRegistry,
  range: IndexRange | null,
  name: string,
  createArray?: (output: string, spec: unknown) => Promise<unknown>,
): BlockIo {
  const forceStartIndex = range ? range[0] : 0;
  let inputList: InputList | null = null;
  if (declaration.isLegacy || declaration.isSequential) {
    inputList = new InputList();
    for (const g of declaration.groups) {
      const isMain = g.index === 0;
      if ((declaration.isSequential && !isMain) || g.inputs.length === 0) continue;
      const group = new InputGroup(g.channel, { synchronizationListener: new SynchronizationListener(), restrictedAccess: isMain });
      // Split runs restrict the synchronization channel; legacy secondary groups are read whole (§10).
      for (const i of g.inputs) group.add(new Input(i.name, i.type, isMain ? restrictToRange(streams[i.name]!, range) : streams[i.name]!));
      inputList.add(group);
    }
  }
  // Upstream restricts every loader's sources to the range of a split run.
  let loaders: DataLoaderList | null = null;
  if (!declaration.isLegacy) {
    loaders = new DataLoaderList();
    for (const g of declaration.groups) {
      const isMain = g.index === 0;
      if ((declaration.isSequential && isMain) || g.inputs.length === 0) continue;
      const loader = new DataLoader(g.channel);
      for (const i of g.inputs) loader.add(i.name, restrictToRange(streams[i.name]!, range));
      loaders.add(loader, isMain);
    }
  }
  // Synchronized with the synchronization group's listener (none when autonomous).
  const outputs = new OutputList();
  const listener = inputList?.mainGroup?.synchronizationListener ?? null;
  if (declaration.isAnalyzer) {
    const format = registry.compile(`analysis:${name}`, resultFormatDeclaration(declaration));
    outputs.add(new Output('result', format, { synchronizationListener: listener, forceStartIndex }));
  } else {
    for (const o of declaration.groups[0]!.outputs) {
      const lazy = o.lazy ? { lazy: true, ...(createArray ? { createArray: (spec: unknown) => createArray(o.name, spec) } : {}) } : {};
      outputs.add(new Output(o.name, registry.get(o.type), { synchronizationListener: listener, forceStartIndex, ...lazy }));
    }
  }
  return { inputList, loaders, outputs };
}

/**
 * `setup(parameters)` if the instance has one — then, and only then, parameters are checked (as
 * upstream); a falsy return fails with upstream's message.
 */
export async function setupAlgorithm(
  instance: Pick<AlgorithmInstance, 'setup'>,
  declaration: AlgorithmDeclaration,
  parameters: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Promise<void> {
  if (typeof instance.setup !== 'function') return;
  const checked = checkParameters(declaration.parameters, parameters, name);
  if (!(await instance.setup(checked))) throw new BeatError('E_SETUP_FALSE', SETUP_FALSE_MESSAGE);
}

/**
 * `prepare(dataLoaders)` for API v2 instances that have one: autonomous blocks and processors get the
 * secondaries only; evaluators, autonomous ones included, the full list (reference §8, backend 2.x).
 */
export async function prepareAlgorithm(
  instance: Pick<AlgorithmInstance, 'prepare'>,
  declaration: AlgorithmDeclaration,
  loaders: DataLoaderList | null,
): Promise<void> {
  if (declaration.apiVersion !== 2 || typeof instance.prepare !== 'function') return;
  const arg = declaration.isAutonomous && declaration.loop?.role !== 'evaluator' ? loaders!.secondaries() : loaders!;
  if (!(await instance.prepare(arg))) throw new BeatError('E_PREPARE_FALSE', PREPARE_FALSE_MESSAGE);
}

/** Close the outputs and fail with "Missing data on the following output(s): …" when one does not reach the end. */
export function closeOutputs(io: BlockIo, declaration: AlgorithmDeclaration): void {
  for (const o of io.outputs) o.close();
  const mainLoader = io.loaders?.mainLoader ?? null;
  const missing = [...io.outputs].filter((o) =>
    declaration.isAutonomous ? mainLoader !== null && o.lastWrittenDataIndex !== mainLoader.dataIndexEnd : o.isDataMissing(),
  );
  if (missing.length > 0) {
    throw new BeatError('E_MISSING_DATA', `Missing data on the following output(s): ${missing.map((o) => o.name).join(', ')}`);
  }
}
