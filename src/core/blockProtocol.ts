// What the engine and a BEAT block worker (workers/blockHostApi.ts) say to each other. Pure types.
import type { BlockRun, DataFormatDeclaration, DataStream } from './beat';
import type { ArrayRegion } from './lazyArrays';
import type { NDArray } from './ndarray';
import type { OutputArrayInfo } from './protocol';

export interface BlockWorkerJob {
  /** The installed block's id (used in messages and as the module cache key with the source). */
  blockId: string;
  moduleSource: string;
  /** The declaration JSON. */
  declaration: unknown;
  parameters: Record<string, unknown>;
  /** One stream per declared input (structured-cloned: the engine keeps its copy for other blocks). */
  inputs: Record<string, DataStream>;
  /** A part of a split run, or null. */
  range: [number, number] | null;
  /** A block of a loop: its side (the job then gets a loop port, see LoopChannelHostApi / LoopEvaluatorApi). */
  loop?: { role: 'processor' | 'evaluator' };
  /** Data formats beyond the built-in catalogue that the declaration uses (name → declaration), resolved by the engine. */
  dataFormats?: Record<string, DataFormatDeclaration>;
}

/**
 * What a loop processor's host may call on its loop port (served strictly by the engine, which checks
 * every request against the loop's request format and relays it to the evaluator's worker).
 */
export interface LoopChannelHostApi {
  validate(request: unknown): [boolean, unknown];
  read(start: number, end: number): void;
  write(output: string, end: number): void;
}

/** What a loop evaluator's host answers on its loop port (the engine calls it; replies are filtered and checked). */
export interface LoopEvaluatorApi {
  validate(request: unknown): Promise<[boolean, unknown]>;
  read(start: number, end: number): Promise<void>;
  write(output: string, end: number): Promise<void>;
  /** The processor has finished: the evaluator's run (the job's `run`) resolves. */
  close(): Promise<void>;
}

/** What a block host may tell the engine while a job runs (served strictly on the job's progress port). */
export interface BlockProgressApi {
  /** process() calls made so far by this job. */
  processCalls(count: number): void;
}

export interface BlockWorkerApi {
  /**
   * Never rejects for the algorithm's own failures: they are in the run's `error`. Output buffers are
   * transferred. With `progressPort`, the host reports its process() count on it (BlockProgressApi, at
   * most every PROGRESS_INTERVAL_MS).
   */
  run(job: BlockWorkerJob, progressPort?: MessagePort, loopPort?: MessagePort): Promise<BlockRun>;
  stats(): Promise<{ jobs: number; linked: number }>;
}

/** The least time between two progress reports of one job. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * What a block host may call on its job's port for lazy units (issue 13), served strictly by the
 * engine with the job's own handles: regions of its lazy inputs, and output arrays of its lazy
 * outputs written block by block. Bytes are transferred both ways.
 */
export interface BlockArraysApi {
  /** `region` (per axis [start, stop] or null; null: all) of a lazy input's array `handle`. */
  readArray(handle: string, region: ArrayRegion | null): NDArray;
  /** A new output array of lazy output `output`: `{dtype, shape, chunks?}`. */
  createArray(output: string, spec: unknown): OutputArrayInfo;
  writeArray(handle: string, origin: number[], block: NDArray): void;
  /** What was written so far of an output array (never written: 0). */
  readOutput(handle: string, region: ArrayRegion | null): NDArray;
  abortArray(handle: string): void;
}
