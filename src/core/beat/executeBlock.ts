// The block executor (reference §8): build the inputs, data loaders and outputs a declaration asks
// for over in-memory streams, run setup → prepare → the platform loop, check the outputs, and return
// the produced streams. Pure TS and self-contained, so it can run as it is inside a Web Worker.

import { BeatError, type BeatErrorCode } from './errors';
import { convertData, DataFormatRegistry, type Data } from './dataFormats';
import { isAlgorithmDeclaration, parseDeclaration, type AlgorithmDeclaration } from './declaration';
import { MemorySink, OutputList } from './outputs';
import { checkStream, type DataStream, type DataUnit, type IndexRange } from './streams';
import { buildBlockIo, closeOutputs, prepareAlgorithm, setupAlgorithm } from './blockIo';
import { checkLoopSignature, LoopChannel, type LoopTransport } from './loopChannel';
import { thrownMessage } from '../describeValue';
import type { AlgorithmClass } from './algorithmApi';

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
  /** A loop processor's way to its evaluator (required for loop processors, refused for any other block). */
  loop?: LoopTransport;
  /** Makes the output arrays of lazy outputs (`outputs.get(name).createArray(spec)`; the block worker's). */
  createArray?: (output: string, spec: unknown) => Promise<unknown>;
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
export function prepareStreams(
  declaration: AlgorithmDeclaration,
  inputs: Readonly<Record<string, DataStream>>,
  registry: DataFormatRegistry,
  check: boolean,
): Record<string, DataStream> {
  const declared = Object.keys(declaration.inputMap);
  const lazyInputs = new Set(declaration.groups.flatMap((g) => g.inputs.filter((i) => i.lazy).map((i) => i.name)));
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
    // Lazy inputs carry handles (the block worker made them), not arrays to convert.
    if (!check || lazyInputs.has(name)) {
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

/** A loop processor's channel over `transport`; null for other blocks. A transport given to a block that is no loop processor (or none to one) is an error. */
function makeLoopChannel(
  declaration: AlgorithmDeclaration,
  registry: DataFormatRegistry,
  transport: LoopTransport | undefined,
  name: string,
): LoopChannel | null {
  if (declaration.loop?.role === 'evaluator') {
    throw new BeatError(
      'E_LOOP',
      `algorithm \`${name}' is a loop evaluator (${declaration.loop.declaredType}): it runs only with its processor, answering its requests (a toolchain loop)`,
    );
  }
  const processor = declaration.loop?.role === 'processor';
  if (!processor && transport) {
    throw new BeatError(
      'E_LOOP',
      `algorithm \`${name}' was given a loop channel, but it is no loop processor (type ${declaration.loop?.declaredType ?? declaration.type})`,
    );
  }
  if (!processor) return null;
  if (!transport)
    throw new BeatError(
      'E_LOOP',
      `algorithm \`${name}' is a loop processor (${declaration.loop!.declaredType}) but it has no loop channel: run it with its evaluator (a toolchain loop)`,
    );
  return new LoopChannel(registry.get(declaration.loop!.request), registry.get(declaration.loop!.answer), transport);
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
    const declaration = isAlgorithmDeclaration(req.declaration) ? req.declaration : parseDeclaration(req.declaration, { dataFormats: registry });
    if (range) checkRange(range);

    stage = 'inputs';
    const streams = prepareStreams(declaration, req.inputs, registry, req.checkInputs ?? true);
    const loopChannel = makeLoopChannel(declaration, registry, req.loop, name);
    const io = buildBlockIo(declaration, streams, registry, range, name, req.createArray);
    for (const o of io.outputs) outputs.add(o);
    const { inputList, loaders } = io;

    stage = 'setup';
    const instance = new req.algorithm();
    if (typeof instance?.process !== 'function') throw new BeatError('E_USER', `algorithm \`${name}' has no process() method`);
    if (declaration.apiVersion === 1 && typeof instance.prepare === 'function') run.warnings.push('Prepare is a reserved function name starting with API V2');
    const baseArgs = declaration.isAutonomous
      ? ['dataLoaders', 'outputs']
      : declaration.isLegacy
        ? ['inputs', 'outputs']
        : ['inputs', 'dataLoaders', 'outputs'];
    checkLoopSignature(instance.process, baseArgs, loopChannel !== null, name);
    await setupAlgorithm(instance, declaration, req.parameters, name);

    stage = 'prepare';
    await prepareAlgorithm(instance, declaration, loaders);

    stage = 'process';
    const process = instance.process.bind(instance) as (...args: unknown[]) => unknown;
    const out = declaration.isAnalyzer ? outputs.get(0)! : outputs;
    const extra = loopChannel ? [loopChannel] : [];
    if (declaration.isAutonomous) {
      run.processCalls = 1;
      req.onProcessCall?.(1);
      const ok = await process(loaders, out, ...extra);
      await loopChannel?.reportWrites(outputs);
      if (!ok) throw new BeatError('E_PROCESS_FALSE', PROCESS_FALSE_MESSAGE);
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
        await loopChannel?.read(main.firstDataIndex, main.lastDataIndex);
        const ok = declaration.isLegacy ? await process(list, out) : await process(list, loaders, out, ...extra);
        await loopChannel?.reportWrites(outputs);
        if (!ok) throw new BeatError('E_PROCESS_FALSE', PROCESS_FALSE_MESSAGE);
      }
    }

    stage = 'outputs';
    closeOutputs(io, declaration);
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
