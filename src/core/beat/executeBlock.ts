// The block executor (reference §8): build the inputs, data loaders and outputs a declaration asks
// for over in-memory streams, run setup → prepare → the platform loop, check the outputs, and return
// the produced streams. Pure TS and self-contained, so it can run as it is inside a Web Worker.

import { BeatError, type BeatErrorCode } from './errors';
import { convertData, DataFormatRegistry, type Data } from './dataFormats';
import { isAlgorithmDeclaration, parseDeclaration, resultFormatDeclaration, type AlgorithmDeclaration } from './declaration';
import { checkParameters, type ParameterValue } from './parameters';
import { Input, InputGroup, InputList, SynchronizationListener } from './inputs';
import { MemorySink, Output, OutputList } from './outputs';
import { DataLoader, DataLoaderList } from './dataLoaders';
import { checkStream, restrictToRange, type DataStream, type DataUnit, type IndexRange } from './streams';
import { thrownMessage } from '../describeValue';

/** What an algorithm module exports: a class whose instances have these methods (each may be async). */
export interface AlgorithmInstance {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  /** Legacy: (inputs, outputs); sequential: (inputs, dataLoaders, outputs); autonomous: (dataLoaders, outputs). Analyzers get one `output` instead of `outputs`. */
  process(...args: never[]): unknown;
}
export type AlgorithmClass = new () => AlgorithmInstance;

/** Typing aids for algorithm authors. */
export interface LegacyAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  process(inputs: InputList, outputs: OutputList): unknown;
}
export interface SequentialAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(inputs: InputList, dataLoaders: DataLoaderList, outputs: OutputList): unknown;
}
export interface AutonomousAlgorithm {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(dataLoaders: DataLoaderList, outputs: OutputList): unknown;
}
export interface LegacyAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  process(inputs: InputList, output: Output): unknown;
}
export interface SequentialAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(inputs: InputList, dataLoaders: DataLoaderList, output: Output): unknown;
}
export interface AutonomousAnalyzer {
  setup?(parameters: Record<string, ParameterValue>): unknown;
  prepare?(dataLoaders: DataLoaderList): unknown;
  process(dataLoaders: DataLoaderList, output: Output): unknown;
}

export interface ExecuteBlockRequest {
  /** The declaration JSON, or the result of `parseDeclaration`. */
  declaration: unknown;
  /** The algorithm module's exported class; a fresh instance is made for every run. */
  algorithm: AlgorithmClass;
  /** Name used in messages (upstream: the algorithm's `user/name/version`). */
  name?: string;
  parameters?: Readonly<Record<string, unknown>>;
  /** One stream per declared input, by input name. */
  inputs: Readonly<Record<string, DataStream>>;
  /** Data formats; default: the built-in catalogue. */
  dataFormats?: DataFormatRegistry;
  /** Split runs (§10): keep the synchronization channel's units inside [start, end]; outputs start at `start`. */
  range?: IndexRange | null;
  /** Check (and copy) every input unit against its input's data format first. Default true. */
  checkInputs?: boolean;
  /** Called with the count before each `process()` call (live progress). */
  onProcessCall?: (processCalls: number) => void;
}

export type BlockStage = 'declaration' | 'inputs' | 'setup' | 'prepare' | 'process' | 'outputs';

export interface BlockRunError {
  code: BeatErrorCode;
  message: string;
  /** Where it happened. */
  stage: BlockStage;
  details: string[];
}

export interface AnalyzerResult {
  /** The result object: one property per declared result. */
  data: Data;
  start: number;
  end: number;
  /** result name → `display` flag of the declaration. */
  display: Record<string, boolean>;
}

export interface BlockRun {
  ok: boolean;
  error: BlockRunError | null;
  /** Units written on each output (analyzers: the output `result`), in index order. Partial when the run failed. */
  outputs: Record<string, DataUnit<Data>[]>;
  /** Intervals consumed by `write(null)` on each output (delivered nowhere). */
  skipped: Record<string, { start: number; end: number }[]>;
  /** Analyzers: the first unit of the result output. */
  result: AnalyzerResult | null;
  /** Number of `process()` calls. */
  processCalls: number;
  /** Upstream's warnings (legacy API, `prepare` on API v1). */
  warnings: string[];
  range: [number, number] | null;
}

export const SETUP_FALSE_MESSAGE = 'Could not setup algorithm (returned False)';
export const PREPARE_FALSE_MESSAGE = 'Could not prepare algorithm (returned False)';
export const PROCESS_FALSE_MESSAGE = 'Could not run algorithm (returned False)';
const DEFAULT_NAME = '__unnamed_algorithm__';

export function emptyRun(range: IndexRange | null = null): BlockRun {
  return {
    ok: false,
    error: null,
    outputs: {},
    skipped: {},
    result: null,
    processCalls: 0,
    warnings: [],
    range: range ? [range[0], range[1]] : null,
  };
}

export function runError(e: unknown, stage: BlockStage): BlockRunError {
  if (e instanceof BeatError) return { code: e.code, message: e.message, stage, details: [...e.details] };
  // Anything thrown keeps its value: `throw 42` → "Uncaught number 42" (bounded).
  return { code: 'E_USER', message: thrownMessage(e), stage, details: [] };
}

function checkRange(range: IndexRange): void {
  const [s, e] = range;
  if (!Number.isSafeInteger(s) || !Number.isSafeInteger(e) || s < 0 || e < s) {
    throw new BeatError('E_RANGE', `invalid range [${String(s)}, ${String(e)}]: expected integers 0 ≤ start ≤ end`);
  }
}

/** Check the streams against the declaration (and, with `check`, every unit against its data format). */
function prepareStreams(
  declaration: AlgorithmDeclaration,
  inputs: Readonly<Record<string, DataStream>>,
  registry: DataFormatRegistry,
  check: boolean,
): Record<string, DataStream> {
  const declared = Object.keys(declaration.inputMap);
  for (const name of Object.keys(inputs)) {
    if (!Object.hasOwn(declaration.inputMap, name)) {
      throw new BeatError('E_INPUT_STREAM', `unknown input '${name}' (declared inputs: ${declared.join(', ') || 'none'})`);
    }
  }
  const out: Record<string, DataStream> = {};
  for (const name of declared) {
    const stream: unknown = inputs[name];
    if (stream === undefined) throw new BeatError('E_INPUT_STREAM', `no data for input '${name}'`);
    checkStream(name, stream);
    if (!check) {
      out[name] = stream;
      continue;
    }
    const format = registry.get(declaration.inputMap[name]!);
    out[name] = stream.map((u) => {
      try {
        return { data: convertData(format, u.data), start: u.start, end: u.end };
      } catch (e) {
        const be = e as BeatError;
        throw new BeatError(be.code ?? 'E_FORMAT_CAST', `input '${name}', unit [${u.start}, ${u.end}]: ${be.message}`);
      }
    });
  }
  return out;
}

/**
 * Run one block (or analyzer) over in-memory input streams. Never throws: failures are reported in
 * `error` with the reference's messages (`ok` false; outputs then hold what was written so far).
 */
export async function executeBlock(req: ExecuteBlockRequest): Promise<BlockRun> {
  const name = req.name ?? DEFAULT_NAME;
  const range = req.range ?? null;
  const run = emptyRun(range);
  let stage: BlockStage = 'declaration';
  const outputs = new OutputList();
  try {
    const registry = req.dataFormats ?? new DataFormatRegistry();
    const declaration = isAlgorithmDeclaration(req.declaration)
      ? req.declaration
      : parseDeclaration(req.declaration, { dataFormats: registry });
    if (range) checkRange(range);

    stage = 'inputs';
    const streams = prepareStreams(declaration, req.inputs, registry, req.checkInputs ?? true);
    const forceStartIndex = range ? range[0] : 0;

    // Inputs (§3.4): legacy → every group; sequential → the synchronization group only.
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
    // Data loaders (§9): sequential → secondary groups; autonomous → every group. Upstream restricts
    // every loader's sources to the range of a split run.
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

    // Outputs (§4): synchronized with the synchronization group's listener (none when autonomous).
    const listener = inputList?.mainGroup?.synchronizationListener ?? null;
    if (declaration.isAnalyzer) {
      const format = registry.compile(`analysis:${name}`, resultFormatDeclaration(declaration));
      outputs.add(new Output('result', format, { synchronizationListener: listener, forceStartIndex }));
    } else {
      for (const o of declaration.groups[0]!.outputs) {
        outputs.add(new Output(o.name, registry.get(o.type), { synchronizationListener: listener, forceStartIndex }));
      }
    }

    stage = 'setup';
    const instance = new req.algorithm();
    if (typeof instance?.process !== 'function') throw new BeatError('E_USER', `algorithm \`${name}' has no process() method`);
    const hasSetup = typeof instance.setup === 'function';
    const hasPrepare = typeof instance.prepare === 'function';
    if (declaration.apiVersion === 1 && hasPrepare) run.warnings.push('Prepare is a reserved function name starting with API V2');
    if (hasSetup) {
      // Without a setup() method, parameters are not checked at all (as upstream).
      const parameters = checkParameters(declaration.parameters, req.parameters, name);
      if (!(await instance.setup!(parameters))) throw new BeatError('E_SETUP_FALSE', SETUP_FALSE_MESSAGE);
    }

    stage = 'prepare';
    if (declaration.apiVersion === 2 && hasPrepare) {
      const arg = declaration.isAutonomous ? loaders!.secondaries() : loaders!;
      if (!(await instance.prepare!(arg))) throw new BeatError('E_PREPARE_FALSE', PREPARE_FALSE_MESSAGE);
    }

    stage = 'process';
    const process = instance.process.bind(instance) as (...args: unknown[]) => unknown;
    const out = declaration.isAnalyzer ? outputs.get(0)! : outputs;
    if (declaration.isAutonomous) {
      run.processCalls = 1;
      req.onProcessCall?.(1);
      if (!(await process(loaders, out))) throw new BeatError('E_PROCESS_FALSE', PROCESS_FALSE_MESSAGE);
    } else {
      if (declaration.isLegacy) run.warnings.push(`${name} is using LEGACY I/O API, please upgrade this algorithm as soon as possible`);
      const list = inputList!;
      // The loop condition covers every group, secondary ones included (upstream quirk, §8).
      while (list.hasMoreData()) {
        const main = list.mainGroup;
        if (!main) break;
        main.restrictedAccess = false;
        try {
          main.next();
        } finally {
          main.restrictedAccess = true;
        }
        run.processCalls += 1;
        req.onProcessCall?.(run.processCalls);
        const ok = declaration.isLegacy ? await process(list, out) : await process(list, loaders, out);
        if (!ok) throw new BeatError('E_PROCESS_FALSE', PROCESS_FALSE_MESSAGE);
      }
    }

    stage = 'outputs';
    for (const o of outputs) o.close();
    const mainLoader = loaders?.mainLoader ?? null;
    const missing = [...outputs].filter((o) =>
      declaration.isAutonomous ? mainLoader !== null && o.lastWrittenDataIndex !== mainLoader.dataIndexEnd : o.isDataMissing(),
    );
    if (missing.length > 0) {
      throw new BeatError('E_MISSING_DATA', `Missing data on the following output(s): ${missing.map((o) => o.name).join(', ')}`);
    }
    if (declaration.isAnalyzer) {
      const first = (outputs.get(0)!.sink as MemorySink).units[0];
      if (first) {
        if (first.start !== 0) throw new BeatError('E_RESULT', `the analyzer's result must start at index 0, got ${first.start}`);
        const display = Object.fromEntries(declaration.results!.map((r) => [r.name, r.display]));
        run.result = { data: first.data, start: first.start, end: first.end, display };
      }
    }
    run.ok = true;
  } catch (e) {
    run.error = runError(e, stage);
  }
  for (const o of outputs) {
    if (o.sink instanceof MemorySink) {
      run.outputs[o.name] = o.sink.units;
      run.skipped[o.name] = o.sink.skipped;
    }
  }
  return run;
}
