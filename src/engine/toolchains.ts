// Toolchains on the page side (issue 7): installed BEAT blocks, and toolchain runs. A run plans the
// toolchain (src/core/beat/toolchain.ts), reads its sources from the store, runs every block in a
// block worker from a small pool (size: navigator.hardwareConcurrency), splitting splittable blocks
// across the pool on index ranges, and stores each block output as an indexed stream — one dataset
// per data unit with `extra: { stream, start, end, toolchainRun }`, one transaction per output — so
// the viewers can open them. Run records live in memory (live) and in the store (persisted).
import { BlockCatalogue, type BlockInfo, type BlockInstallOptions, type DataFormatInfo } from './blockCatalogue';
export type { BlockInfo, BlockInstallOptions, DataFormatInfo } from './blockCatalogue';
export { DEFAULT_USER_BLOCK_TIMEOUT_MS } from './blockWorkerPool';
import { BlockWorkerPool, userBlockTimeout, type BlockJobPlacement } from './blockWorkerPool';
import { RunRegistry } from './runRegistry';
import { thrownMessage } from '../core/describeValue';
import {
  convertData,
  DataFormatRegistry,
  loopDependencies,
  mergeFormatSets,
  parseDeclaration,
  parseToolchain,
  planToolchain,
  runToolchain,
  sourceStream,
  storedArrayMismatch,
} from '../core/beat';
import { TOOLCHAIN_CANCELLED_MESSAGE } from '../core/beat';
import { validateBlockRun } from '../core/beat';
import type {
  AlgorithmDeclaration,
  ParameterSpec,
  BlockExecutionContext,
  BlockJob,
  BlockReport,
  BlockRun,
  DataStream,
  ToolchainJson,
  ToolchainPlan,
} from '../core/beat';
import type { BlockWorkerJob } from '../core/blockProtocol';
import { encodeValue } from '../core/datasetCodec';
import { isNDArray } from '../core/ndarray';
import type { StoredField } from '../core/records';
import type { BlockRecord, BlockRunRecord, StoredStream, ToolchainRunRecord } from '../core/toolchainRecords';
import type { NewDataset, Store } from '../store/index';
import type { WorkerFactory } from './workerHandle';
import { runLoopPair } from './loopRelay';
import { resolveRunners, runnerBlockExecutor, type RunnerEngine, type StoredSource } from './runnerBlocks';
import { BlockJobArrays, StoredArrayRef } from './blockArrays';
import { LazyOutputStreams } from './lazyOutputStreams';
import { SavedToolchains } from './savedToolchains';
import { sourceChoices, type SourceChoices } from '../core/toolchainBindings';
import type { ChunkedArrayWriter } from '../store/index';

/** What `check` tells of a toolchain (for the toolchain page's diagram and forms). */
export interface ToolchainCheck {
  name: string | null;
  description: string | null;
  sources: { name: string; format: string; kind: 'datasets' | 'stack' | 'values'; units: number | null; ranges: [number, number][] | null }[];
  blocks: {
    name: string;
    algorithm: string;
    /** 1 + the largest depth of the blocks it reads from (sources are depth 0). */
    depth: number;
    type: AlgorithmDeclaration['type'];
    isAnalyzer: boolean;
    splittable: boolean;
    description: string | null;
    inputs: { name: string; format: string; from: string; inferred: boolean }[];
    outputs: { name: string; format: string }[];
    results: { name: string; type: string; display: boolean; description: string | null }[];
    parameters: ParameterSpec[];
    /** The parameter values the toolchain gives (missing ones take their defaults); a runner block's execution arguments. */
    values: Record<string, unknown>;
    /** A Compox runner block: the algorithm it runs (its arguments are `values`, its parameters those of the bundle). */
    runner: { id: string; name: string; version: string; algorithmType: string } | null;
    /** A block of a loop: the loop, its side, the other block and the loop's request/answer formats. */
    loop: { name: string; role: 'processor' | 'evaluator'; partner: string; request: string; answer: string } | null;
    dependsOn: string[];
  }[];
}

export interface ToolchainRunOptions {
  /** Parts a splittable block is split into (default: the pool size). */
  parts?: number;
  /** Name prefix of the output datasets (default: the toolchain's name, or 'toolchain'). */
  name?: string;
  /**
   * Wall-clock limit (ms) of each job of a user block (a block, or one part of a split block), counted
   * once it has a worker; when exceeded its worker is ended and the block FAILED. Default
   * DEFAULT_USER_BLOCK_TIMEOUT_MS (10 minutes); null: none. Built-in blocks have no limit.
   */
  blockTimeoutMs?: number | null;
}

/** A data unit's fields as dataset fields: arrays as they are, numbers/booleans as 1-element number lists, strings as text, anything else as JSON text. */
export function unitFields(data: unknown): Record<string, StoredField> {
  const obj = typeof data === 'object' && data !== null && !isNDArray(data) ? (data as Record<string, unknown>) : { value: data };
  const out: Record<string, StoredField> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    if (isNDArray(v) || typeof v === 'string') out[k] = encodeValue(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = encodeValue(k, [Number(v)]);
    else out[k] = encodeValue(k, JSON.stringify(v));
  }
  return out;
}

const now = (): string => new Date().toISOString();

/** Sources every consumer of which is a lazy input (issue 13): their units refer to the stored arrays instead of holding them. */
function lazySources(plan: ToolchainPlan): Set<string> {
  const uses = new Map<string, boolean>();
  for (const b of plan.blocks) {
    const lazyInputs = new Set(b.declaration.groups.flatMap((g) => g.inputs.filter((i) => i.lazy).map((i) => i.name)));
    for (const [input, e] of Object.entries(b.inputs)) {
      if (e.kind === 'source') uses.set(e.source, (uses.get(e.source) ?? true) && lazyInputs.has(input) && !b.runner);
    }
  }
  return new Set([...uses].filter(([, lazy]) => lazy).map(([s]) => s));
}

/** The job's input streams with every stored array ref (of a lazy source or a stored lazy output) replaced by a handle of this job. */
async function lazyJobInputs(j: BlockJob, arrays: BlockJobArrays): Promise<Record<string, DataStream>> {
  const out: Record<string, DataStream> = {};
  for (const [name, stream] of Object.entries(j.inputs)) {
    out[name] = await Promise.all(
      stream.map(async (u) => {
        if (typeof u.data !== 'object' || u.data === null || !Object.values(u.data).some((v) => v instanceof StoredArrayRef)) return u;
        const data: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(u.data)) data[k] = v instanceof StoredArrayRef ? await arrays.open(v) : v;
        return { data, start: u.start, end: u.end };
      }),
    );
  }
  return out;
}

/** A lazy output's unit as dataset fields: each output array staged, committed with the dataset. */
function stagedFields(data: unknown, staged: Map<string, ChunkedArrayWriter>): NewDataset['fields'] {
  const out: NewDataset['fields'] = {};
  for (const [k, ref] of Object.entries(data as Record<string, { staged: string }>)) {
    const writer = staged.get(ref.staged);
    if (!writer) throw new Error(`field '${k}': output array '${ref.staged}' is not staged.`);
    out[k] = { kind: 'array', staged: writer };
  }
  return out;
}

export const TOOLCHAIN_INTERRUPTED_MESSAGE = 'Toolchain run was interrupted: the page was closed or reloaded while it ran.';

/** An interrupted run's record: FAILED, its pending and running blocks FAILED (E_INTERRUPTED). */
export function markInterrupted(rec: ToolchainRunRecord): void {
  rec.status = 'FAILED';
  rec.error = TOOLCHAIN_INTERRUPTED_MESSAGE;
  rec.timeFinished = now();
  for (const b of Object.values(rec.blocks)) {
    if (b.status === 'PENDING' || b.status === 'RUNNING') {
      b.status = 'FAILED';
      b.error = { code: 'E_INTERRUPTED', message: TOOLCHAIN_INTERRUPTED_MESSAGE, block: '' };
    }
  }
}

export interface ToolchainServiceOptions {
  /** Block workers (null: runs are refused). */
  workerFactory: WorkerFactory | null;
  /**
   * Workers for user blocks (origin 'user'): the opaque-origin sandbox in the browser
   * (createSandboxWorkerFactory({ kind: 'block' })). Default: user blocks use `workerFactory`.
   */
  sandboxWorkerFactory?: WorkerFactory | null;
  /** Default navigator.hardwareConcurrency (4 where unknown). */
  poolSize?: number;
  /** Runs Compox algorithms for runner blocks (`runner` entries; src/engine/runnerBlocks.ts): the Engine. Without it they are refused. */
  runners?: RunnerEngine | null;
  /** This engine's id, recorded in the runs it starts. */
  engineId?: string;
  /** Is the engine that owns a record still alive (another tab)? Default: only this one is. */
  isEngineAlive?: (engineId: string) => Promise<boolean>;
}

/** A new run's record: RUNNING, every block PENDING (runner blocks name their algorithm). */
function newRunRecord(id: string, engineId: string, plan: ToolchainPlan): ToolchainRunRecord {
  return {
    id,
    engineId,
    status: 'RUNNING',
    toolchain: plan.toolchain,
    order: plan.blocks.map((b) => b.name),
    blocks: Object.fromEntries(
      plan.blocks.map((b): [string, BlockRunRecord] => [
        b.name,
        {
          status: 'PENDING',
          algorithm: b.algorithm,
          processCalls: 0,
          outputs: {},
          results: null,
          error: null,
          ranges: [],
          warnings: [],
          timeStarted: null,
          timeFinished: null,
          ...(b.runner ? { runner: { id: b.runner.id, name: b.runner.name, version: b.runner.version, algorithmType: b.runner.algorithmType } } : {}),
        },
      ]),
    ),
    error: null,
    timeCreated: now(),
    timeFinished: null,
  };
}

/** A block's report (status, process() counts, results, ranges, warnings, error, times) in its record. */
function applyBlockReport(r: BlockRunRecord, report: BlockReport): void {
  r.status = report.status;
  r.processCalls = report.processCalls;
  r.results = report.result;
  r.ranges = report.ranges;
  r.warnings = report.warnings;
  r.error = report.error ? { code: report.error.code, message: report.error.message, block: report.error.block } : null;
  if (report.status === 'RUNNING') r.timeStarted ??= now();
  else if (report.status !== 'PENDING') r.timeFinished = now();
}

/** Announces every change of a run's record at once and coalesces its writes to the store (one pending at a time). */
class RunRecordWriter {
  private chain: Promise<void> = Promise.resolve();
  private queued = false;

  constructor(
    private readonly store: Store,
    private readonly rec: ToolchainRunRecord,
    private readonly announce: () => void,
  ) {}

  changed(): void {
    this.announce();
    if (this.queued) return;
    this.queued = true;
    this.chain = this.chain
      .then(() => {
        this.queued = false;
        return this.store.putToolchainRun(structuredClone(this.rec));
      })
      .catch(() => undefined);
  }

  /** The record as it is now, written after every pending write. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.store.putToolchainRun(structuredClone(this.rec))).catch(() => undefined);
    return this.chain;
  }
}

export class ToolchainService {
  private readonly pool: BlockWorkerPool | null;
  /** User blocks: sandboxed workers, each kept to one block (null: they share `pool`). */
  private readonly sandboxPool: BlockWorkerPool | null;
  /** The data formats every run a worker returns is checked against. */
  /** Live runs (their records, subscribers and waiters): the registry executions use too. */
  private readonly registry: RunRegistry<ToolchainRunRecord>;
  private readonly controllers = new Map<string, AbortController>();

  private readonly engineId: string;

  constructor(
    private readonly store: Store,
    private readonly opts: ToolchainServiceOptions,
  ) {
    const poolSize = opts.poolSize ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 4;
    this.pool = opts.workerFactory ? new BlockWorkerPool(opts.workerFactory, Math.max(1, poolSize)) : null;
    this.sandboxPool = opts.sandboxWorkerFactory ? new BlockWorkerPool(opts.sandboxWorkerFactory, Math.max(1, poolSize), { dedicated: true }) : null;
    this.engineId = opts.engineId ?? crypto.randomUUID();
    this.blocks = new BlockCatalogue(store);
    this.saved = new SavedToolchains(store, (t) => this.check(t));
    this.registry = new RunRegistry<ToolchainRunRecord>({
      load: (id) => store.getToolchainRun(id),
      notFound: (id) => `Toolchain run '${id}' not found.`,
    });
  }

  /**
   * Mark stored RUNNING runs whose engine is gone (a closed or reloaded page) as FAILED ("interrupted"),
   * cleaned as a cancelled or failed run is: finished blocks keep their stored outputs, every other
   * dataset the run had stored is deleted — with the record's update, in one transaction.
   */
  async recoverInterrupted(): Promise<string[]> {
    const fixed: string[] = [];
    const running = (await this.store.listToolchainRuns()).filter((r) => r.status === 'RUNNING');
    for (const rec of await this.registry.interrupted(running, this.engineId, this.opts.isEngineAlive)) {
      const deleted = await this.store.finishInterruptedToolchainRun(rec.id, markInterrupted);
      if (deleted !== null) fixed.push(rec.id);
    }
    return fixed;
  }

  get poolSize(): number {
    return this.pool?.size ?? 0;
  }

  // ------------------------------------------------------------------ blocks
  /** Installed blocks and the user data formats (blockCatalogue.ts). */
  readonly blocks: BlockCatalogue;
  installBlock = (declaration: unknown, moduleSource: string, opts?: BlockInstallOptions): Promise<BlockInfo> =>
    this.blocks.installBlock(declaration, moduleSource, opts);
  installFormats = (formats: unknown): Promise<DataFormatInfo[]> => this.blocks.installFormats(formats);
  listFormats = (): Promise<DataFormatInfo[]> => this.blocks.listFormats();
  removeFormat = (name: string): Promise<void> => this.blocks.removeFormat(name);
  listBlocks = (): Promise<BlockInfo[]> => this.blocks.listBlocks();
  getBlock = (id: string): Promise<BlockInfo> => this.blocks.getBlock(id);

  // ------------------------------------------------------------------ saved toolchains and bindings
  /** The user's saved toolchains (savedToolchains.ts). */
  readonly saved: SavedToolchains;

  /** For each source of the toolchain that stored data can feed: the stacks and datasets that can, and why the others cannot (src/core/toolchainBindings.ts). */
  async sourceChoices(toolchain: unknown): Promise<SourceChoices[]> {
    const { plan, registry } = await this.plan(toolchain);
    const [datasets, stacks] = await Promise.all([this.store.listDatasets(), this.store.listStacks()]);
    return sourceChoices(plan, registry, datasets, stacks);
  }

  // ------------------------------------------------------------------ runs

  /** `stored` (when given) gets, per source read from stored datasets, their ids and fields (runner blocks pass them on). */
  private async sourceStreams(
    t: ToolchainJson,
    registry: DataFormatRegistry,
    stored?: Map<string, StoredSource>,
    lazy: ReadonlySet<string> = new Set(),
  ): Promise<Record<string, DataStream>> {
    const out: Record<string, DataStream> = {};
    for (const s of t.sources) {
      const format = registry.get(s.format);
      const isLazy = lazy.has(s.name) && s.values === undefined;
      if (s.values !== undefined) {
        out[s.name] = sourceStream(
          s,
          s.values.map((v, k) => {
            try {
              return convertData(format, v);
            } catch (e) {
              throw new Error(`source '${s.name}': values[${k}] is not ${s.format}: ${thrownMessage(e)}`, { cause: e });
            }
          }),
        );
        continue;
      }
      let ids: string[];
      if (s.stackId !== undefined) {
        const stack = await this.store.getStack(s.stackId);
        if (!stack) throw new Error(`source '${s.name}': stack '${s.stackId}' not found.`);
        ids = stack.datasetIds;
      } else ids = s.datasetIds!;
      const items: unknown[] = [];
      const fields: string[] = [];
      for (const id of ids) {
        if (isLazy) {
          // A lazy source reads no bytes here: the field's metadata only.
          const meta = await this.store.getDatasetMeta(id);
          if (!meta) throw new Error(`source '${s.name}': dataset '${id}' not found.`);
          const keys = Object.keys(meta.keys);
          const key = s.field ?? (keys.length === 1 ? keys[0]! : undefined);
          if (key === undefined || !Object.hasOwn(meta.keys, key)) {
            throw new Error(
              `source '${s.name}': dataset '${meta.name}' has ${s.field ? `no field '${s.field}'` : `fields ${keys.join(', ')}; say which one with "field"`}.`,
            );
          }
          fields.push(key);
          items.push({ value: await this.lazySourceField(s.name, s.format, registry, id, meta.name, key) });
          continue;
        }
        const rec = await this.store.getDataset(id, s.field ? [s.field] : undefined);
        if (!rec) throw new Error(`source '${s.name}': dataset '${id}' not found.`);
        const keys = Object.keys(rec.fields);
        const key = s.field ?? (keys.length === 1 ? keys[0]! : undefined);
        if (key === undefined || rec.fields[key] === null || rec.fields[key] === undefined) {
          throw new Error(
            `source '${s.name}': dataset '${rec.meta.name}' has ${s.field ? `no field '${s.field}'` : `fields ${keys.join(', ')}; say which one with "field"`}.`,
          );
        }
        fields.push(key);
        try {
          items.push(convertData(format, { value: rec.fields[key] }));
        } catch (e) {
          throw new Error(`source '${s.name}': dataset '${rec.meta.name}' field '${key}' is not ${s.format}: ${thrownMessage(e)}`, { cause: e });
        }
      }
      out[s.name] = sourceStream(s, items);
      stored?.set(s.name, { ids: [...ids], fields });
    }
    return out;
  }

  /** A lazy source's field: checked against the format's `value` (dtype, rank, fixed dimensions), referred to, not read. */
  private async lazySourceField(
    source: string,
    formatName: string,
    registry: DataFormatRegistry,
    id: string,
    name: string,
    key: string,
  ): Promise<StoredArrayRef> {
    const reader = await this.store.openDatasetArray(id, key);
    const where = `source '${source}': dataset '${name}' field '${key}'`;
    if (!reader) throw new Error(`${where}: not found.`);
    const value = registry.get(formatName).root.fields.find((f) => f.name === 'value');
    const t = value?.type;
    if (t?.kind !== 'array' || t.element.kind !== 'basic')
      throw new Error(`${where}: source format ${formatName} has no array field 'value' (a lazy input's source).`);
    const mismatch = storedArrayMismatch(t, formatName, reader.dtype, reader.shape);
    if (mismatch) throw new Error(`${where} ${mismatch}.`);
    return new StoredArrayRef(id, key, reader.dtype, reader.shape);
  }

  /**
   * The data formats of a toolchain: the built-in catalogue, the library (for sources) and the formats
   * its blocks carry (they win over the library's: each block runs with the formats it was installed
   * with). Two blocks carrying one format name declared differently are refused, naming both.
   */
  private async formatsOf(toolchain: unknown, blocks: ReadonlyMap<string, BlockRecord>): Promise<DataFormatRegistry> {
    const refs = (toolchain as { blocks?: unknown } | null)?.blocks;
    const used = Array.isArray(refs) ? refs.map((b) => (b as { algorithm?: unknown } | null)?.algorithm).filter((a): a is string => typeof a === 'string') : [];
    const problems: string[] = [];
    const carried = mergeFormatSets(
      [...new Set(used)].flatMap((a) => {
        const rec = blocks.get(a);
        return rec?.dataFormats ? [[`block '${a}'`, rec.dataFormats] as const] : [];
      }),
      problems,
    );
    if (problems.length) throw new Error(`invalid toolchain: ${problems.join('; ')}`);
    return new DataFormatRegistry({ ...(await this.blocks.formatLibrary()), ...carried });
  }

  private async plan(toolchain: unknown): Promise<{ plan: ToolchainPlan; blocks: Map<string, BlockRecord>; registry: DataFormatRegistry }> {
    const blocks = new Map((await this.store.listBlocks()).map((b) => [b.id, b]));
    const registry = await this.formatsOf(toolchain, blocks);
    // Sources first: their formats must resolve (a user format must be installed).
    const problems: string[] = [];
    parseToolchain(toolchain).sources.forEach((src, k) => {
      try {
        registry.get(src.format);
      } catch (e) {
        problems.push(`sources[${k}].format: ${thrownMessage(e)}${registry.has(src.format) ? '' : ' (install it: algobox.blocks.formats.install)'}`);
      }
    });
    if (problems.length) throw new Error(`invalid toolchain: ${problems.join('; ')}`);
    const runners = await resolveRunners(this.opts.runners ?? null, toolchain);
    const plan = planToolchain(
      toolchain,
      (algorithm) => {
        const rec = blocks.get(algorithm);
        return rec ? parseDeclaration(rec.declaration) : null;
      },
      { runnerOf: (ref) => runners.get(ref) ?? null, dataFormats: registry },
    );
    return { plan, blocks, registry };
  }

  /**
   * Check a toolchain without running it: what the run would do — sources with their unit counts,
   * blocks in order with every input's connection (given or inferred), outputs, parameters (with the
   * values that would be used) and depth (for drawing). Rejects naming every problem, as `run` does.
   */
  async check(toolchain: unknown): Promise<ToolchainCheck> {
    const { plan } = await this.plan(toolchain);
    const depth = new Map<string, number>();
    // The two blocks of a loop share a column (they run together).
    const byName = new Map(plan.blocks.map((b) => [b.name, b]));
    for (const b of plan.blocks) depth.set(b.name, 1 + Math.max(0, ...loopDependencies(b, byName).map((d) => depth.get(d) ?? 0)));
    const stackSizes = new Map<string, number | null>();
    for (const s of plan.toolchain.sources) {
      if (s.stackId !== undefined) stackSizes.set(s.name, (await this.store.getStack(s.stackId))?.datasetIds.length ?? null);
    }
    return {
      name: plan.toolchain.name ?? null,
      description: plan.toolchain.description ?? null,
      sources: plan.toolchain.sources.map((s) => ({
        name: s.name,
        format: s.format,
        kind: s.values !== undefined ? 'values' : s.stackId !== undefined ? 'stack' : 'datasets',
        units: s.values?.length ?? s.datasetIds?.length ?? stackSizes.get(s.name) ?? null,
        ranges: s.ranges ?? null,
      })),
      blocks: plan.blocks.map((b) => ({
        name: b.name,
        algorithm: b.algorithm,
        depth: depth.get(b.name)!,
        type: b.declaration.type,
        isAnalyzer: b.declaration.isAnalyzer,
        splittable: b.declaration.splittable,
        description: b.declaration.description,
        inputs: Object.entries(b.inputs).map(([name, e]) => ({
          name,
          format: b.declaration.inputMap[name]!,
          from: e.kind === 'source' ? e.source : `${e.block}.${e.output}`,
          inferred: b.inferred[name] ?? false,
        })),
        outputs: Object.entries(b.declaration.outputMap).map(([name, format]) => ({ name, format })),
        results: (b.declaration.results ?? []).map((r) => ({ name: r.name, type: r.type, display: r.display, description: r.description })),
        parameters: b.declaration.parameters.map((p) => ({ ...p })),
        values: { ...b.parameters },
        runner: b.runner ? { id: b.runner.id, name: b.runner.name, version: b.runner.version, algorithmType: b.runner.algorithmType } : null,
        loop: b.loop ? { ...b.loop, request: b.declaration.loop!.request, answer: b.declaration.loop!.answer } : null,
        dependsOn: [...b.dependsOn],
      })),
    };
  }

  /** Check the toolchain and read its sources, then start it; resolves with the run id. Invalid toolchains reject with every problem named. */
  async run(toolchain: unknown, options: ToolchainRunOptions = {}): Promise<string> {
    const pool = this.pool;
    if (!pool) throw new Error('toolchains.run: this engine has no block workers (blockWorkerFactory).');
    const userTimeoutMs = userBlockTimeout(options.blockTimeoutMs);
    const { plan, blocks, registry } = await this.plan(toolchain);
    const storedSources = new Map<string, StoredSource>();
    const sources = await this.sourceStreams(plan.toolchain, registry, storedSources, lazySources(plan));
    // Output arrays of lazy outputs, kept from their jobs until stored with their datasets (dropped at the end otherwise).
    const staged = new Map<string, ChunkedArrayWriter>();
    const id = crypto.randomUUID();
    const rec = newRunRecord(id, this.engineId, plan);
    this.registry.begin(rec);
    const controller = new AbortController();
    this.controllers.set(id, controller);
    await this.store.putToolchainRun(rec);
    const prefix = options.name ?? plan.toolchain.name ?? 'toolchain';
    // Every change reaches the subscribers at once; writes to the store are coalesced (one pending at a time).
    const writer = new RunRecordWriter(this.store, rec, () => this.registry.notify(id));
    const persist = (): void => writer.changed();
    const storing: Promise<void>[] = [];
    // Runner blocks (Compox algorithms): one execution each, its id/status/progress shown live in the block's record.
    const runners = this.opts.runners;
    const runnerJob = runners
      ? runnerBlockExecutor({
          engine: runners,
          store: this.store,
          runId: id,
          prefix,
          plan,
          storedSources,
          onExecution: (block, e) => {
            Object.assign(rec.blocks[block]!, { executionId: e.executionId, executionStatus: e.status, executionProgress: e.progress });
            persist();
          },
        })
      : null;
    // A block reading a lazy output runs on its stored units, once they are stored.
    const lazyOutputs = new LazyOutputStreams({ store: this.store, plan, registry, records: rec.blocks });
    const runInWorker = (j: BlockJob, context: BlockExecutionContext, placement: BlockJobPlacement = {}): Promise<BlockRun> =>
      this.runBlockJob(j, context, placement, { blocks, registry, userTimeoutMs, staged });
    const job = async (): Promise<void> => {
      try {
        const result = await runToolchain(plan, {
          sources,
          parts: options.parts ?? pool.size,
          signal: controller.signal,
          execute: async (job, context) => {
            const j = await lazyOutputs.resolve(job);
            if (j.runner && runnerJob) return runnerJob(j, context);
            return runInWorker(j, context);
          },
          // The two blocks of a loop: a worker each (of their own), the channel relayed by the engine.
          executeLoop: async (processor, evaluator, context) => {
            const [p, e] = await Promise.all([lazyOutputs.resolve(processor), lazyOutputs.resolve(evaluator)]);
            return runLoopPair(
              { block: p.block, declaration: p.declaration, run: (loopPort, c) => runInWorker(p, c, { loopPort, ownWorker: true }) },
              { block: e.block, declaration: e.declaration, run: (loopPort, c) => runInWorker(e, c, { loopPort, ownWorker: true }) },
              registry,
              context,
            );
          },
          onProgress: (block, report) => {
            applyBlockReport(rec.blocks[block]!, report);
            if (report.status === 'DONE') {
              const stored = this.storeOutputs(rec, plan, prefix, block, report, staged);
              lazyOutputs.stored(block, stored);
              storing.push(stored.then(persist));
            }
            persist();
          },
        });
        await Promise.all(storing);
        if (result.status === 'CANCELLED') {
          rec.status = 'CANCELLED';
          rec.error = `The run was ${TOOLCHAIN_CANCELLED_MESSAGE}.`;
        } else rec.status = result.status === 'DONE' && Object.values(rec.blocks).every((b) => b.status === 'DONE') ? 'DONE' : 'FAILED';
      } catch (e) {
        rec.status = 'FAILED';
        rec.error = thrownMessage(e);
      }
      // Output arrays of blocks that failed, were cancelled or whose outputs could not be stored.
      await Promise.all([...staged.values()].map((w) => w.abort().catch(() => {})));
      staged.clear();
      rec.timeFinished = now();
      // The final record is stored before anyone hears of it (a listener may re-read the run list).
      await writer.flush();
      this.controllers.delete(id);
      this.registry.end(id);
    };
    void job();
    return id;
  }

  /** A BEAT block's job in a block worker. User blocks: the sandbox pool and the time limit. Every run a worker returns is checked here. */
  private runBlockJob(
    j: BlockJob,
    context: BlockExecutionContext,
    placement: BlockJobPlacement,
    run: { blocks: ReadonlyMap<string, BlockRecord>; registry: DataFormatRegistry; userTimeoutMs: number | null; staged: Map<string, ChunkedArrayWriter> },
  ): Promise<BlockRun> {
    const b = run.blocks.get(j.algorithm)!;
    const decl = j.declaration;
    const hasLazy = decl.groups.some((g) => g.inputs.some((i) => i.lazy) || g.outputs.some((o) => o.lazy));
    if (!hasLazy) return this.runWorkerJob(j, b, context, placement, run, j.inputs);
    const arrays = new BlockJobArrays(this.store, b.id, decl);
    return (async () => {
      try {
        const inputs = await lazyJobInputs(j, arrays);
        const r = await this.runWorkerJob(j, b, context, { ...placement, arrays: arrays.api }, run, inputs);
        if (r.ok) for (const [h, w] of arrays.keep(r)) run.staged.set(h, w);
        return r;
      } finally {
        await arrays.dropAll();
      }
    })();
  }

  private runWorkerJob(
    j: BlockJob,
    b: BlockRecord,
    context: BlockExecutionContext,
    placement: BlockJobPlacement,
    run: { registry: DataFormatRegistry; userTimeoutMs: number | null },
    inputs: Record<string, DataStream>,
  ): Promise<BlockRun> {
    const user = b.origin !== 'builtin';
    const pool = user ? (this.sandboxPool ?? this.pool!) : this.pool!;
    const job: BlockWorkerJob = {
      blockId: b.id,
      moduleSource: b.moduleSource,
      declaration: b.declaration,
      parameters: j.parameters,
      inputs,
      range: j.range,
      ...(j.loop ? { loop: { role: j.loop.role } } : {}),
      ...(b.dataFormats ? { dataFormats: b.dataFormats } : {}),
    };
    return pool
      .run(job, context, { timeoutMs: user ? run.userTimeoutMs : null }, placement)
      .then((r) => validateBlockRun(r, { block: b.id, declaration: j.declaration, range: j.range, dataFormats: run.registry }));
  }

  /** A finished block's outputs as indexed streams: one dataset per data unit, one transaction per output; a failure fails the block. */
  private async storeOutputs(
    rec: ToolchainRunRecord,
    plan: ToolchainPlan,
    prefix: string,
    block: string,
    report: BlockReport,
    staged: Map<string, ChunkedArrayWriter>,
  ): Promise<void> {
    const planned = plan.blocks.find((b) => b.name === block)!;
    const r = rec.blocks[block]!;
    const lazyOut = new Set(planned.declaration.groups[0]?.outputs.filter((o) => o.lazy).map((o) => o.name));
    try {
      for (const [output, units] of Object.entries(report.outputs)) {
        const stream = `${block}.${output}`;
        const items: NewDataset[] = units.map((u) => ({
          name: `${prefix} ${stream} [${u.start}–${u.end}]`,
          source: `toolchain:${rec.id}`,
          schema: null,
          fields: lazyOut.has(output) ? stagedFields(u.data, staged) : unitFields(u.data),
          extra: { toolchainRun: rec.id, stream, start: u.start, end: u.end, format: planned.declaration.outputMap[output] },
        }));
        const ids = items.length ? await this.store.putDatasets(items) : [];
        // Committed with their datasets: no longer the run's to drop.
        if (lazyOut.has(output))
          for (const u of units) for (const ref of Object.values(u.data as Record<string, { staged: string }>)) staged.delete(ref.staged);
        const stored: StoredStream = { stream, format: planned.declaration.outputMap[output]!, datasetIds: ids, indices: units.map((u) => [u.start, u.end]) };
        r.outputs[output] = stored;
      }
    } catch (e) {
      r.status = 'FAILED';
      r.error = { code: 'E_STORE', message: `block '${block}': its outputs could not be stored: ${thrownMessage(e)}`, block };
    }
  }

  /**
   * Cancel a running toolchain: blocks not yet started become CANCELLED, running ones have their
   * workers ended (CANCELLED too); finished blocks keep their stored outputs. The run ends CANCELLED.
   * Resolves with the final record. A finished run is left as it is.
   */
  async cancel(runId: string): Promise<ToolchainRunRecord> {
    const c = this.controllers.get(runId);
    if (!c) return this.get(runId);
    c.abort();
    return this.wait(runId);
  }

  /**
   * Delete a finished run's record and, with `withDatasets`, every dataset it stored (one
   * transaction). A running run is refused: cancel it first. Resolves with the deleted dataset ids.
   */
  async delete(runId: string, opts: { withDatasets?: boolean } = {}): Promise<string[]> {
    if (this.registry.isLive(runId)) throw new Error(`Toolchain run '${runId}' is still running: cancel it before deleting it.`);
    return this.store.deleteToolchainRun(runId, opts);
  }

  /**
   * Follow a run: `cb` gets a snapshot now and on every change (status, process() counts, outputs,
   * results) until the run finishes (its final record is the last call). Returns the unsubscribe.
   */
  subscribe(runId: string, cb: (rec: ToolchainRunRecord) => void): () => void {
    return this.registry.subscribe(runId, cb);
  }

  get(runId: string): Promise<ToolchainRunRecord> {
    return this.registry.get(runId);
  }

  wait(runId: string): Promise<ToolchainRunRecord> {
    return this.registry.wait(runId);
  }

  list(): Promise<ToolchainRunRecord[]> {
    return this.store.listToolchainRuns();
  }

  shutdown(): void {
    this.pool?.shutdown();
    this.sandboxPool?.shutdown();
  }
}
