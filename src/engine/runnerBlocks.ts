// Compox runners as toolchain blocks (issue 7): "their `input_dataset_ids` group in, their posted
// datasets out". A runner block runs ONE execution of an installed Compox algorithm on all of its
// input units, then maps the datasets it posted back onto the units' indices:
//
// - input: the units must be datasets for the runner. Units read from stored datasets (a source with
//   `datasetIds` or `stackId` whose field is the one the runner reads — `image`, or `mask` for
//   Segmentation2Segmentation) pass those dataset ids; any other units (inline values, other blocks'
//   outputs, a source read from another field) are first stored as Image (Segmentation) datasets in
//   one transaction, marked `extra: { toolchainRun, stream: '<block>.input_dataset_ids', start, end }`;
// - outputs: N posted datasets for N input units → dataset k covers unit k's [start, end]; one posted
//   dataset → it covers the whole input range; any other count FAILS the block. Each output (a field
//   of the posted datasets) becomes the unit `{ value: <field> }`, converted strictly to the output's
//   declared format (a failure names the block's output, the dataset, the value and the format);
// - progress: the execution's id, status and progress reach the toolchain run's record as they change
//   (`onExecution`); `processCalls` counts executions (1);
// - cancel: aborting the toolchain (`context.signal`) cancels the execution; the block is CANCELLED;
// - failure: an execution that does not complete fails the block with the execution's error; input
//   datasets stored for a run that did not complete are removed again.
import {
  BeatError,
  convertData,
  DataFormatRegistry,
  RUNNER_INPUT,
  showValue,
  TOOLCHAIN_CANCELLED_MESSAGE,
  type BlockExecutionContext,
  type BlockJob,
  type BlockRun,
  type BlockRunError,
  type Data,
  type DataUnit,
  type PlannedRunner,
  type RunnerDescription,
  type ToolchainPlan,
} from '../core/beat';
import { DATA_SCHEMAS, validateItem } from '../core/dataSchemas';
import { encodeItem } from '../core/datasetCodec';
import type { AlgorithmInfo, ExecutionRecord, ExecutionStatus } from '../core/records';
import type { NewDataset, Store } from '../store/index';
import type { ExecuteRequest } from './engine';
import { thrownMessage } from '../core/describeValue';

/** What runner blocks need of the engine (the Engine has exactly these methods). */
export interface RunnerEngine {
  getAlgorithm(nameOrId: string): Promise<AlgorithmInfo>;
  execute(req: ExecuteRequest): Promise<string>;
  wait(id: string): Promise<ExecutionRecord>;
  cancel(id: string): Promise<ExecutionRecord>;
  subscribe(id: string, cb: (rec: ExecutionRecord) => void): () => void;
}

/** The datasets a stored source was read from (one per unit, in unit order) and the field each unit is. */
export interface StoredSource {
  ids: string[];
  fields: string[];
}

/** A runner block's execution as the run record shows it. */
export interface RunnerExecution {
  executionId: string;
  status: ExecutionStatus;
  progress: number;
}

/**
 * The Compox algorithms the `runner` entries of a toolchain name, found as `algorithms.get` finds
 * them (by id, else by name, case-insensitive, highest version). Unknown ones are left out (the
 * planner reports them, naming the block).
 */
export async function resolveRunners(engine: RunnerEngine | null, toolchain: unknown): Promise<Map<string, RunnerDescription>> {
  const out = new Map<string, RunnerDescription>();
  const blocks = (toolchain as { blocks?: unknown } | null)?.blocks;
  if (!engine || !Array.isArray(blocks)) return out;
  for (const b of blocks) {
    const ref = (b as { runner?: unknown } | null)?.runner;
    if (typeof ref !== 'string' || !ref || out.has(ref)) continue;
    try {
      const a = await engine.getAlgorithm(ref);
      out.set(ref, { id: a.id, name: a.name, version: a.version, algorithmType: a.algorithmType, additionalParameters: a.additionalParameters });
    } catch {
      /* not installed: the planner says so */
    }
  }
  return out;
}

export interface RunnerBlockOptions {
  engine: RunnerEngine;
  store: Store;
  /** The toolchain run (marks the input datasets stored for it). */
  runId: string;
  /** Name prefix of the stored input datasets. */
  prefix: string;
  plan: ToolchainPlan;
  /** The stored sources of the run, by source name. */
  storedSources: ReadonlyMap<string, StoredSource>;
  dataFormats?: DataFormatRegistry;
  /** Called when a block's execution starts and whenever its status or progress changes. */
  onExecution?: (block: string, execution: RunnerExecution) => void;
}

function runnerError(message: string, code: BlockRunError['code'] = 'E_RUNNER'): BlockRunError {
  return { code, message, stage: 'process', details: [] };
}

function emptyRunnerRun(): BlockRun {
  return { ok: false, error: null, outputs: {}, skipped: {}, result: null, processCalls: 0, warnings: [], range: null };
}

/** Where a runner block's posted datasets go: dataset k of M for N input units. */
export function runnerOutputIndices(units: readonly Pick<DataUnit, 'start' | 'end'>[], posted: number): [number, number][] | null {
  const n = units.length;
  if (posted === n) return units.map((u) => [u.start, u.end]);
  if (posted === 1 && n > 0) return [[units[0]!.start, units[n - 1]!.end]];
  return null;
}

/** The executor of runner blocks (jobs with `runner`) for one toolchain run. */
export function runnerBlockExecutor(opts: RunnerBlockOptions): (job: BlockJob, context: BlockExecutionContext) => Promise<BlockRun> {
  const registry = opts.dataFormats ?? new DataFormatRegistry();
  return async (job, context) => {
    const runner = job.runner;
    if (!runner) throw new Error(`block '${job.block}' is not a runner block`);
    const signal = context.signal;
    const cancelled = (): Error => new Error(TOOLCHAIN_CANCELLED_MESSAGE);
    const units = job.inputs[RUNNER_INPUT] ?? [];
    const run = emptyRunnerRun();
    if (units.length === 0) {
      // Nothing to run on: empty outputs, no execution.
      return {
        ...run,
        ok: true,
        outputs: Object.fromEntries(Object.keys(runner.outputs).map((o) => [o, []])),
        warnings: ['no input units: the runner was not executed'],
      };
    }
    if (signal?.aborted) throw cancelled();

    let storedInputs: string[] = [];
    let completed = false;
    try {
      let ids: string[];
      try {
        ids = await inputIds(job, runner, units, opts, (stored) => (storedInputs = stored));
      } catch (e) {
        return { ...run, error: runnerError(thrownMessage(e)) };
      }
      if (signal?.aborted) throw cancelled();

      const name = `${runner.name} ${runner.version}`;
      let executionId: string;
      try {
        executionId = await opts.engine.execute({ algorithmId: runner.id, inputDatasetIds: ids, args: job.parameters, device: runner.device });
      } catch (e) {
        return { ...run, error: runnerError(`${name} could not be executed: ${thrownMessage(e)}`) };
      }
      run.processCalls = 1;
      context.onProcessCalls?.(1);
      let last = '';
      const report = (status: ExecutionStatus, progress: number): void => {
        const key = `${status}:${progress}`;
        if (key === last) return;
        last = key;
        opts.onExecution?.(job.block, { executionId, status, progress });
      };
      report('PENDING', 0);
      const abort = (): void => void opts.engine.cancel(executionId).catch(() => undefined);
      signal?.addEventListener('abort', abort, { once: true });
      const off = opts.engine.subscribe(executionId, (rec) => report(rec.status, rec.progress));
      let rec: ExecutionRecord;
      try {
        if (signal?.aborted) abort();
        rec = await opts.engine.wait(executionId);
      } finally {
        off();
        signal?.removeEventListener('abort', abort);
      }
      report(rec.status, rec.progress);
      if (signal?.aborted) throw cancelled();
      if (rec.status !== 'COMPLETED') {
        return { ...run, error: runnerError(`execution ${executionId} of ${name} ${rec.status}: ${rec.error?.message ?? 'no reason given'}`) };
      }
      completed = true;

      const posted = rec.outputDatasetIds;
      const indices = runnerOutputIndices(units, posted.length);
      if (!indices) {
        return {
          ...run,
          error: runnerError(
            `execution ${executionId} of ${name} posted ${posted.length} dataset${posted.length === 1 ? '' : 's'} for ${units.length} input units; ` +
              'a runner block needs one posted dataset per input unit, or exactly one (covering them all)',
          ),
        };
      }
      for (const [output, formatName] of Object.entries(runner.outputs)) {
        const format = registry.get(formatName);
        const list: DataUnit<Data>[] = [];
        for (let k = 0; k < posted.length; k++) {
          const where = `output '${output}': posted dataset ${k + 1} of ${posted.length}`;
          const d = await opts.store.getDataset(posted[k]!, [output]);
          if (!d) return { ...run, error: runnerError(`${where} ('${posted[k]}') was not found`) };
          const value = d.fields[output];
          if (value === null || value === undefined) {
            return {
              ...run,
              error: runnerError(`${where} ('${d.meta.name}') has no field '${output}' (its fields: ${Object.keys(d.meta.keys).join(', ') || 'none'})`),
            };
          }
          try {
            list.push({ data: convertData(format, { value }), start: indices[k]![0], end: indices[k]![1] });
          } catch (e) {
            const code = e instanceof BeatError ? e.code : 'E_RUNNER';
            return {
              ...run,
              error: runnerError(
                `${where} ('${d.meta.name}'), field '${output}' = ${showValue(value)}, is not ${formatName} ({ value: <field> }): ${thrownMessage(e)}`,
                code,
              ),
            };
          }
        }
        run.outputs[output] = list;
      }
      return { ...run, ok: true };
    } finally {
      if (!completed && storedInputs.length) await opts.store.deleteDatasets(storedInputs).catch(() => undefined);
    }
  };
}

/** The dataset ids to execute on: a stored source's own, or the units stored now (one transaction). */
async function inputIds(
  job: BlockJob,
  runner: PlannedRunner,
  units: readonly DataUnit[],
  opts: RunnerBlockOptions,
  onStored: (ids: string[]) => void,
): Promise<string[]> {
  const from = opts.plan.blocks.find((b) => b.name === job.block)?.inputs[RUNNER_INPUT];
  const source = from?.kind === 'source' ? opts.storedSources.get(from.source) : undefined;
  if (source && source.ids.length === units.length && source.fields.every((f) => f === runner.reads.key)) return [...source.ids];
  const stream = `${job.block}.${RUNNER_INPUT}`;
  const schema = DATA_SCHEMAS[runner.reads.schema];
  const items: NewDataset[] = units.map((u, k) => {
    const image = (u.data as Data)[runner.imageField];
    let fields: NewDataset['fields'];
    try {
      fields = encodeItem(validateItem(schema, { [runner.reads.key]: image }));
    } catch (e) {
      throw new Error(
        `input unit ${k + 1} of ${units.length} [${u.start}–${u.end}] (field '${runner.imageField}' = ${showValue(image)}) cannot be given to the runner as a ${runner.reads.schema} dataset: ${thrownMessage(e)}`,
        { cause: e },
      );
    }
    return {
      name: `${opts.prefix} ${stream} [${u.start}–${u.end}]`,
      source: `toolchain:${opts.runId}`,
      schema: runner.reads.schema,
      fields,
      extra: { toolchainRun: opts.runId, stream, start: u.start, end: u.end },
    };
  });
  const ids = await opts.store.putDatasets(items);
  onStored(ids);
  return ids;
}
