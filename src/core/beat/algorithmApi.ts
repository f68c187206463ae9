// What a BEAT algorithm module exports, as the block executor sees it (a class whose instances have
// setup/prepare/process, each may be async), and typing aids for block authors per algorithm type.
import type { DataLoaderList } from './dataLoaders';
import type { InputList } from './inputs';
import type { LoopChannel } from './loopChannel';
import type { Output, OutputList } from './outputs';
import type { ParameterValue } from './parameters';

/** What an algorithm module exports: a class whose instances have these methods (each may be async). */
export interface AlgorithmInstance {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  /** Legacy: (inputs, outputs); sequential: (inputs, dataLoaders, outputs); autonomous: (dataLoaders, outputs). Analyzers get one `output` instead of `outputs`. */
  process(...args: never[]): unknown;
}
export type AlgorithmClass = new () => AlgorithmInstance;

/** @public typing aid for block authors (LegacyAlgorithm). */
export interface LegacyAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  process(inputs: InputList, outputs: OutputList): unknown;
}
/** @public typing aid for block authors (SequentialAlgorithm). */
export interface SequentialAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(inputs: InputList, dataLoaders: DataLoaderList, outputs: OutputList): unknown;
}
/** @public typing aid for block authors (AutonomousAlgorithm). */
export interface AutonomousAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(dataLoaders: DataLoaderList, outputs: OutputList): unknown;
}
/** @public typing aid for block authors (LegacyAnalyzer). */
export interface LegacyAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  process(inputs: InputList, output: Output): unknown;
}
/** @public typing aid for block authors (SequentialAnalyzer). */
export interface SequentialAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(inputs: InputList, dataLoaders: DataLoaderList, output: Output): unknown;
}
/** Loop processors (`sequential_loop_processor`; `autonomous_loop_processor` and `loop_user` take `(dataLoaders, outputs, loopChannel)`).
 * @public typing aid for block authors (SequentialLoopProcessor). */
export interface SequentialLoopProcessor {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(inputs: InputList, dataLoaders: DataLoaderList, outputs: OutputList, loopChannel: LoopChannel): unknown;
}
/** @public typing aid for block authors (AutonomousLoopProcessor). */
export interface AutonomousLoopProcessor {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(dataLoaders: DataLoaderList, outputs: OutputList, loopChannel: LoopChannel): unknown;
}
/** @public typing aid for block authors (AutonomousAnalyzer). */
export interface AutonomousAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(dataLoaders: DataLoaderList, output: Output): unknown;
}
