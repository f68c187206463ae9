// One execution while it runs: its record (changed in place, announced through the run registry),
// the algorithm, the worker lease, what it posted, why it was stopped, and its limits and counters.
// Also the request that starts one and the constants every part of an execution shares.
import type { AlgorithmRecord, ExecutionRecord, ExecutionTimings } from '../core/records';
import type { Lease } from './pool';

export interface ExecuteRequest {
  algorithmId: string;
  inputDatasetIds: string[];
  args?: Record<string, unknown>;
  device?: string | null;
  sessionToken?: string | null;
  /** Wall-clock limit in ms; null: none for built-in bundles, `thirdPartyTimeoutMs` (10 min) for third-party ones. */
  timeoutMs?: number | null;
  /** Most bytes this execution may post (at most the engine's limit). */
  maxPostBytes?: number | null;
}

export type ExecutionListener = (rec: ExecutionRecord) => void;

export interface LiveRun {
  rec: ExecutionRecord;
  alg: AlgorithmRecord;
  lease: Lease | null;
  finished: boolean;
  posted: string[];
  /** postData writes in flight (a run that stops waits for them before removing what it posted). */
  writes: Set<Promise<unknown>>;
  stopReason: { status: 'CANCELLED' | 'FAILED'; message: string } | null;
  timer: ReturnType<typeof setTimeout> | null;
  persistTimer: ReturnType<typeof setTimeout> | null;
  persistChain: Promise<void>;
  postedBytes: number;
  /** Items postData calls have numbered so far (output names "#k" are reserved per call, so calls in flight together never share one). */
  named: number;
  maxPostBytes: number;
  /** Why `maxPostBytes` is what it is when the free storage set it ("… of storage is free (…)"); null for the configured limit. */
  postLimitReason: string | null;
  /** The group of inputs the runner works on now (inputGroups.ts; one group holding every input, mostly). */
  batch: RunBatch;
  /** Runs in the opaque-origin sandbox (a third-party bundle with a sandbox configured). */
  sandboxed: boolean;
  stats: { fetched: number; fetchMs: number; posted: number; postMs: number };
}

/**
 * One group of a run's inputs, run as one call of the runner: a run over inputs of mixed shapes runs
 * its groups one after the other on the same runner, as one execution (one record, one progress bar).
 */
export interface RunBatch {
  /** Its inputs, in order. */
  inputIds: string[];
  /** Outputs its postData calls have reserved so far (output j was made from input j: outputSources.ts). */
  posted: number;
  /** The run's progress when this group started, and this group's share of the whole. */
  progressFrom: number;
  progressSpan: number;
  /** The stage timings of the groups before it (a stage's time is the sum over the groups). */
  timingsBefore: ExecutionTimings;
}

/** The batch of every input of `rec` (a run of one group). */
export const wholeBatch = (rec: Pick<ExecutionRecord, 'inputDatasetIds'>): RunBatch => ({
  inputIds: [...rec.inputDatasetIds],
  posted: 0,
  progressFrom: 0,
  progressSpan: 1,
  timingsBefore: {},
});

export const INTERRUPTED_MESSAGE = 'Execution was interrupted: the page was closed or reloaded while it ran.';

/** Default wall-clock limit of a third-party run (overridable per run with `timeoutMs`). */
export const DEFAULT_THIRD_PARTY_TIMEOUT_MS = 10 * 60 * 1000;

/** Why a sandboxed run never gets WebGPU (logged as the reason of the gpu → cpu WARNING). */
export const SANDBOX_NO_GPU_REASON =
  'third-party bundles run in the opaque-origin sandbox, whose workers are not secure contexts and have no WebGPU; see docs/security.md';

/** Is this bundle third-party (anything not shipped with the app)? */
export const isThirdParty = (alg: Pick<AlgorithmRecord, 'origin'>): boolean => alg.origin?.kind !== 'builtin';

/** Throws once the run is over (finished, cancelled, timed out): a worker's late call gets nothing. */
export function assertAlive(run: LiveRun): void {
  if (run.finished || run.stopReason) throw new Error('This execution is over.');
}
