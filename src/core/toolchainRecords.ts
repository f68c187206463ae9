// Stored records of BEAT blocks (installed algorithm modules) and toolchain runs (issue 7). Pure types.
import type { AnalyzerResult, BlockStatus, DataFormatDeclaration, ToolchainJson } from './beat';
import type { ExecutionStatus } from './records';

/** An installed BEAT block: its declaration JSON and its JS module text (exporting the algorithm class). */
export interface BlockRecord {
  /** `name` unless given otherwise at install. */
  id: string;
  name: string;
  /** The declaration JSON as given (validated by parseDeclaration at install). */
  declaration: Record<string, unknown>;
  /** ES module text exporting the algorithm class (`export class Algorithm`, or a default export). */
  moduleSource: string;
  /** 'builtin' for the app's own blocks, 'user' otherwise. */
  origin: 'builtin' | 'user';
  /** ISO time of installation. */
  installed: string;
  /**
   * The user data formats its declaration uses (nested and `#extends` ones included), copied from the
   * library at install: the block runs with these whatever becomes of the library. Absent: none.
   */
  dataFormats?: Record<string, DataFormatDeclaration>;
}

/** A user data format in the library (`algobox.blocks.formats`). */
export interface DataFormatRecord {
  /** `<user>/<name>/<version>` */
  name: string;
  /** The declaration JSON as given (checked at install). */
  declaration: DataFormatDeclaration;
  /** ISO time of installation. */
  installed: string;
}

export type ToolchainRunStatus = 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED';

/** One output of a block, stored as an indexed stream: one dataset per data unit, in index order. */
export interface StoredStream {
  /** `<block>.<output>` */
  stream: string;
  format: string;
  /** Dataset ids in index order; dataset k has `extra: { stream, start, end, toolchainRun }`. */
  datasetIds: string[];
  indices: [number, number][];
}

export interface BlockRunRecord {
  status: BlockStatus;
  algorithm: string;
  processCalls: number;
  /** Output name → the stored stream. */
  outputs: Record<string, StoredStream>;
  /** Analyzers: the result object (one property per declared result) and its `display` flags. */
  results: AnalyzerResult | null;
  /** Why it failed (naming the block) or was skipped (naming the failed block it depends on). */
  error: { code: string; message: string; block: string } | null;
  /** Index ranges of a split run ([] when unsplit). */
  ranges: [number, number][];
  warnings: string[];
  timeStarted: string | null;
  timeFinished: string | null;
  /** A runner block: the Compox algorithm it executes (`algorithm` is then '<name> <version>'). */
  runner?: { id: string; name: string; version: string; algorithmType: string };
  /** A runner block: its execution (see `algobox.executions`), once started, with the execution's live status and progress (0…1). */
  executionId?: string;
  executionStatus?: ExecutionStatus;
  executionProgress?: number;
}

export interface ToolchainRunRecord {
  id: string;
  /** The engine (tab) that runs it: a RUNNING record whose engine is gone was interrupted. */
  engineId: string;
  status: ToolchainRunStatus;
  toolchain: ToolchainJson;
  /** Block names in the order they were planned (topological). */
  order: string[];
  blocks: Record<string, BlockRunRecord>;
  /** A toolchain-level failure (a source that cannot be read, …); block failures are in `blocks`. */
  error: string | null;
  timeCreated: string;
  timeFinished: string | null;
}

/**
 * A toolchain the user saved from the toolchain page (issue 15): its JSON with the sources bound to
 * the user's datasets or stacks and the block parameters set, under a name; listed, re-run, deleted.
 */
export interface SavedToolchainRecord {
  id: string;
  name: string;
  /** The toolchain as it runs: sources (bound), blocks with their parameters, connections, loops. */
  toolchain: ToolchainJson;
  /** The built-in toolchain it was made from (its id), or null. */
  from: string | null;
  /** ISO times of the first save and of the last. */
  created: string;
  updated: string;
}
