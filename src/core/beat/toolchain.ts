// Toolchains (issue 7): a JSON document naming data sources, blocks (algorithm + parameters) and
// connections (source or block output → block input). This module validates the document, infers
// missing connections by the seed's "Input naming" rule (name and data format), checks the data
// format of every connection, orders the blocks topologically (cycles refused), and runs a plan over
// in-memory streams with a pluggable block executor (in-process here; a worker pool in the engine).
// A failing block stops its dependants (SKIPPED, naming the failed block). Pure TS.

import { issueText } from './issueText';
import { z } from 'zod';
import { ALGORITHM_TYPES, ALGORITHM_TYPE_TABLE, runnerInput } from '../algorithmTypes';
import type { ParameterDeclaration } from '../manifest';
import { validateArgs } from '../params';
import { BeatError } from './errors';
import { thrownMessage } from '../describeValue';
import { DataFormatRegistry, FORMAT_NAME_RE, type Data, type DataFormat } from './dataFormats';
import { IO_NAME_RE, parseDeclaration, type AlgorithmDeclaration } from './declaration';
import { executeBlock, type AnalyzerResult, type BlockRun, type BlockRunError } from './executeBlock';
import type { AlgorithmClass } from './algorithmApi';
import { mergeSplitRuns, splitRange } from './split';
import { executeLoopPair } from './loopPair';
import type { LoopEvaluatorClass } from './loopEvaluator';
import type { DataStream, DataUnit } from './streams';

const NAME_MESSAGE = 'expected a name of letters, digits, _ and - (not starting with a digit or -)';
const rangeSchema = z.tuple([z.number().int().min(0), z.number().int().min(0)]).refine(([s, e]) => s <= e, 'expected [start, end] with start ≤ end');

export const toolchainSourceSchema = z
  .strictObject({
    name: z.string().regex(IO_NAME_RE, NAME_MESSAGE),
    /** Stored datasets, one data unit each, in this order. */
    datasetIds: z.array(z.string().min(1)).min(1).optional(),
    /** A stored stack: its items, one data unit each, in stack order. */
    stackId: z.string().min(1).optional(),
    /** Inline data units (e.g. a few labels), one per item, each an object of the source's data format. */
    values: z.array(z.unknown()).min(1).optional(),
    /** Which part of a dataset feeds the stream (e.g. 'image', 'mask'); the engine's default otherwise. */
    field: z.string().optional(),
    /** The data format of the stream's units. */
    format: z.string().regex(FORMAT_NAME_RE, 'expected a data format name <user>/<name>/<version>'),
    /** [start, end] per item (default: item k covers [k, k]); e.g. [[0, 2], [3, 5]] makes one label span three images. */
    ranges: z.array(rangeSchema).min(1).optional(),
  })
  .refine((s) => [s.datasetIds, s.stackId, s.values].filter((x) => x !== undefined).length === 1, {
    message: 'expected exactly one of datasetIds, stackId and values',
  });

/** The one input of a runner block: the units it runs on, as the execution's `inputDatasetIds`. */
export const RUNNER_INPUT = 'input_dataset_ids';

export const toolchainBlockSchema = z
  .strictObject({
    name: z.string().regex(IO_NAME_RE, NAME_MESSAGE),
    /** An installed BEAT block's id or name. */
    algorithm: z.string().min(1).optional(),
    /** Or: an installed Compox algorithm (a runner), by algorithm id or name. */
    runner: z.string().min(1).optional(),
    /** A BEAT block's parameters, or a runner's arguments (`args` of its execution). */
    parameters: z.record(z.string(), z.unknown()).optional(),
    /** Runner blocks: the execution's device (default: the algorithm's). */
    device: z.enum(['cpu', 'gpu']).optional(),
    /** Runner blocks: output name (= a field of the datasets it posts) → data format of `{ value: <that field> }`. */
    outputs: z.record(z.string(), z.string().regex(FORMAT_NAME_RE, 'expected a data format name <user>/<name>/<version>')).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.algorithm === undefined) === (b.runner === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: b.algorithm === undefined ? [] : ['runner'],
        message: `expected exactly one of \`algorithm\` (an installed BEAT block) and \`runner\` (an installed Compox algorithm)${b.algorithm === undefined ? ', got neither' : ', got both'}`,
      });
    }
    for (const name of Object.keys(b.outputs ?? {})) {
      if (!IO_NAME_RE.test(name)) ctx.addIssue({ code: 'custom', path: ['outputs', name], message: `'${name}': ${NAME_MESSAGE}` });
    }
    if (b.algorithm !== undefined) {
      if (b.device !== undefined) ctx.addIssue({ code: 'custom', path: ['device'], message: 'only a runner block has a device' });
      if (b.outputs !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['outputs'], message: "only a runner block declares outputs (a BEAT block's are in its declaration)" });
      }
    }
  });

export const toolchainConnectionSchema = z.strictObject({
  /** A source name, or `block.output`. */
  from: z.string().min(1),
  /** `block.input`. */
  to: z.string().regex(/^[^.]+\.[^.]+$/, 'expected <block>.<input>'),
});

/**
 * A loop: a loop processor block and its evaluator block, connected by their loop channel (upstream
 * toolchains' `loops` entries name the two sides; here they name the two blocks). Both run together.
 */
export const toolchainLoopSchema = z.strictObject({
  name: z.string().regex(IO_NAME_RE, NAME_MESSAGE).optional(),
  /** The block whose algorithm is a loop processor (`loop_user`, `*_loop_processor`). */
  processor: z.string().min(1),
  /** The block whose algorithm is a loop evaluator (`loop`, `*_loop_evaluator`). */
  evaluator: z.string().min(1),
});

export const toolchainSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  sources: z.array(toolchainSourceSchema).min(1),
  blocks: z.array(toolchainBlockSchema).min(1),
  connections: z.array(toolchainConnectionSchema).optional(),
  loops: z.array(toolchainLoopSchema).optional(),
});

export type ToolchainJson = z.infer<typeof toolchainSchema>;
export type ToolchainSource = z.infer<typeof toolchainSourceSchema>;

// ---------------------------------------------------------------------------------------------------
// Compox runners as blocks: one input (`input_dataset_ids`), the fields of the posted datasets out.

/** What the planner needs to know of an installed Compox algorithm (the engine's `AlgorithmInfo` has it). */
export interface RunnerDescription {
  id: string;
  name: string;
  version: string;
  algorithmType: string;
  /** When given, the block's `parameters` are checked against them at planning (as `execute` would). */
  additionalParameters?: ParameterDeclaration[];
}

/** A runner block as planned. */
export interface PlannedRunner {
  id: string;
  name: string;
  version: string;
  algorithmType: string;
  device: 'cpu' | 'gpu' | null;
  /** The field of the input units that holds the image array. */
  imageField: string;
  /** What the runner reads of its input datasets: Image's `image`, or Segmentation's `mask` (Segmentation2Segmentation). */
  reads: { schema: 'Image' | 'Segmentation'; key: 'image' | 'mask' };
  /** Output name (= the field of the posted datasets) → data format of the unit `{ value: <field> }`. */
  outputs: Record<string, string>;
}

/** Element types of the image array a runner input accepts (the Image schema's dtypes). */
export const RUNNER_IMAGE_DTYPES: readonly string[] = ['uint8', 'uint16', 'float32', 'float64'];

/** What a runner input accepts, in words (for messages). */
export const RUNNER_INPUT_EXPECTS = 'a data format with one image array field (2-D or 3-D; uint8, uint16, float32 or float64)';

/**
 * The outputs of a runner block whose entry declares none, by algorithm type — only where the posted
 * field and its format are well defined: masks (uint8 0/1 or labels < 256) and 3×3 matrices
 * (`beatOutputs` of core/algorithmTypes.ts).
 */
export const RUNNER_DEFAULT_OUTPUTS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.fromEntries(
  ALGORITHM_TYPES.flatMap((t) => {
    const outputs = ALGORITHM_TYPE_TABLE[t].beatOutputs;
    return outputs ? [[t, outputs]] : [];
  }),
);

/**
 * The field of a data format that a runner block reads as the image: its only field that is an
 * array of rank 2 or 3 of uint8, uint16, float32 or float64 (other fields are ignored). Null when the
 * format has no such field, or several.
 */
export function runnerImageField(format: DataFormat): string | null {
  const hits = format.root.fields.filter(
    (f) =>
      f.type.kind === 'array' &&
      (f.type.shape.length === 2 || f.type.shape.length === 3) &&
      f.type.element.kind === 'basic' &&
      RUNNER_IMAGE_DTYPES.includes(f.type.element.type),
  );
  return hits.length === 1 ? hits[0]!.name : null;
}

/** The declaration a runner block is planned and checked with (never executed as a BEAT block). */
export function runnerDeclaration(runner: Pick<PlannedRunner, 'name' | 'version' | 'algorithmType' | 'outputs'>, inputFormat: string): AlgorithmDeclaration {
  return parseDeclaration({
    language: 'javascript',
    api_version: 2,
    type: 'sequential',
    splittable: false,
    groups: [
      {
        name: 'main',
        inputs: { [RUNNER_INPUT]: { type: inputFormat, description: 'The units the runner runs on, passed as its input datasets' } },
        outputs: Object.fromEntries(
          Object.entries(runner.outputs).map(([name, type]) => [name, { type, description: `Field '${name}' of the datasets the runner posts` }]),
        ),
      },
    ],
    description: `Compox runner ${runner.name} ${runner.version} (${runner.algorithmType})`,
  });
}

export type Endpoint = { kind: 'source'; source: string; format: string } | { kind: 'block'; block: string; output: string; format: string };

export interface PlannedBlock {
  name: string;
  /** The BEAT block's id; for a runner block '<name> <version>' of the Compox algorithm. */
  algorithm: string;
  /** A runner block (its declaration is synthesized: `runnerDeclaration`). */
  runner?: PlannedRunner;
  declaration: AlgorithmDeclaration;
  parameters: Record<string, unknown>;
  /** Declared input name → where its data comes from. */
  inputs: Record<string, Endpoint>;
  /** Blocks whose outputs it reads. */
  dependsOn: string[];
  /** True when the connection was inferred by input naming (per input). */
  inferred: Record<string, boolean>;
  /** A block of a loop: the loop's name, its side and the other block. */
  loop?: PlannedLoopSide;
}

export interface PlannedLoopSide {
  name: string;
  role: 'processor' | 'evaluator';
  partner: string;
}

export interface ToolchainPlan {
  toolchain: ToolchainJson;
  /** Blocks in a topological order (each after every block it reads from). */
  blocks: PlannedBlock[];
}

function fail(message: string, details: string[] = []): never {
  throw new BeatError('E_TOOLCHAIN', details.length ? `${message}: ${details.join('; ')}` : message, details);
}

/** Validate the toolchain JSON (schema and unique names); throws E_TOOLCHAIN naming each field. */
export function parseToolchain(json: unknown): ToolchainJson {
  const parsed = toolchainSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) fail('invalid toolchain', parsed.error.issues.map(issueText));
  const t = parsed.data;
  const problems: string[] = [];
  const seen = new Map<string, string>();
  t.sources.forEach((s, k) => {
    if (seen.has(s.name)) problems.push(`sources[${k}].name: '${s.name}' is already used by ${seen.get(s.name)!}`);
    else seen.set(s.name, `sources[${k}]`);
    if (s.ranges) {
      s.ranges.forEach(([start], j) => {
        const prev = s.ranges![j - 1];
        if (prev && start <= prev[1]) problems.push(`sources[${k}].ranges[${j}]: starts at ${start}, not after the previous range's end ${prev[1]}`);
      });
      const items = s.datasetIds ?? s.values;
      if (items && s.ranges.length !== items.length) {
        problems.push(`sources[${k}].ranges: ${s.ranges.length} ranges for ${items.length} ${s.datasetIds ? 'datasets' : 'values'}`);
      }
    }
  });
  t.blocks.forEach((b, k) => {
    if (seen.has(b.name)) problems.push(`blocks[${k}].name: '${b.name}' is already used by ${seen.get(b.name)!}`);
    else seen.set(b.name, `blocks[${k}]`);
  });
  if (problems.length) fail('invalid toolchain', problems);
  return t;
}

/** The stream of a source over its items (one data unit per item, indices from `ranges` or k → [k, k]). */
export function sourceStream<T>(source: ToolchainSource, items: readonly T[]): DataUnit<T>[] {
  if (source.ranges && source.ranges.length !== items.length) {
    fail(`source '${source.name}': ${source.ranges.length} ranges for ${items.length} items`);
  }
  return items.map((data, k) => {
    const [start, end] = source.ranges ? source.ranges[k]! : [k, k];
    return { data, start, end };
  });
}

function describe(e: Endpoint): string {
  return e.kind === 'source' ? `source '${e.source}'` : `output '${e.block}.${e.output}'`;
}

/** What `planToolchain` needs besides the BEAT blocks' declarations. */
export interface PlanOptions {
  /** An installed Compox algorithm by the `runner` reference of a block (id or name); null when there is none. */
  runnerOf?: (runner: string) => RunnerDescription | null;
  /** Resolves data formats for runner blocks (their inputs and outputs); default: the built-in catalogue. */
  dataFormats?: DataFormatRegistry;
}

/**
 * Resolve a toolchain against the blocks' declarations: explicit connections first (checked by data
 * format), then every unconnected input by the seed's Input naming rule: among the sources and the
 * other blocks' outputs of the input's data format, the one of the same name, else the only one;
 * several → an error asking to connect it by hand (naming the input and the candidates). Then a
 * topological order (a cycle is refused, naming its blocks). Throws E_TOOLCHAIN listing every problem.
 *
 * Runner blocks (`runner`: a Compox algorithm) have one input, `input_dataset_ids`, which accepts any
 * format with one image array field (`runnerImageField`) — connected and inferred by the same rule
 * over the accepted formats — and the outputs of their entry (or `RUNNER_DEFAULT_OUTPUTS` of their
 * algorithm type), each a format with the single field `value`.
 */
export function planToolchain(json: unknown, declarationOf: (algorithm: string) => AlgorithmDeclaration | null, options: PlanOptions = {}): ToolchainPlan {
  const t = parseToolchain(json);
  const problems: string[] = [];
  const registry = options.dataFormats ?? new DataFormatRegistry();
  const imageFieldOf = (format: string): string | null => {
    try {
      return runnerImageField(registry.get(format));
    } catch {
      return null;
    }
  };
  const declarations = new Map<string, AlgorithmDeclaration>();
  const runners = new Map<string, Omit<PlannedRunner, 'imageField'>>();
  t.blocks.forEach((b, k) => {
    if (b.runner !== undefined) {
      const r = options.runnerOf?.(b.runner) ?? null;
      if (!r) return void problems.push(`blocks[${k}].runner: no installed Compox algorithm '${b.runner}'`);
      const outputs = b.outputs ?? RUNNER_DEFAULT_OUTPUTS[r.algorithmType];
      if (!outputs) {
        problems.push(
          `blocks[${k}].outputs: runner '${r.name}' (${r.algorithmType}) has no default outputs; declare the fields of the datasets it posts with their data formats, e.g. "outputs": { "image": "system/array_2d_float32/1" }`,
        );
      } else if (Object.keys(outputs).length === 0) {
        problems.push(`blocks[${k}].outputs: a runner block needs at least one output`);
      } else {
        for (const [name, format] of Object.entries(outputs)) {
          let f: DataFormat;
          try {
            f = registry.get(format);
          } catch (e) {
            problems.push(`blocks[${k}].outputs.${name}: ${thrownMessage(e)}`);
            continue;
          }
          if (f.root.fields.length !== 1 || f.root.fields[0]!.name !== 'value') {
            problems.push(
              `blocks[${k}].outputs.${name}: data format '${format}' must have the single field 'value' (a runner's output unit is { value: <the posted dataset's field '${name}'> }), it has ${f.root.fields.map((x) => `'${x.name}'`).join(', ') || 'none'}`,
            );
          }
        }
      }
      if (r.additionalParameters) {
        try {
          validateArgs(r.additionalParameters, b.parameters ?? {});
        } catch (e) {
          problems.push(`blocks[${k}].parameters: ${thrownMessage(e)}`);
        }
      }
      const reads = runnerInput(r.algorithmType);
      runners.set(b.name, {
        id: r.id,
        name: r.name,
        version: r.version,
        algorithmType: r.algorithmType,
        device: b.device ?? null,
        reads,
        outputs: { ...outputs },
      });
      return;
    }
    const d = declarationOf(b.algorithm!);
    if (!d) problems.push(`blocks[${k}].algorithm: no installed block '${b.algorithm}'`);
    else declarations.set(b.name, d);
  });
  if (problems.length) fail('invalid toolchain', problems);

  /** Declared input name → its format (null: a runner's input, any format with one image array). */
  const inputsOf = (block: string): Record<string, string | null> => (runners.has(block) ? { [RUNNER_INPUT]: null } : declarations.get(block)!.inputMap);
  const accepts = (expected: string | null, format: string): boolean => (expected === null ? imageFieldOf(format) !== null : format === expected);
  const expectation = (expected: string | null): string => expected ?? RUNNER_INPUT_EXPECTS;

  const endpoints: Endpoint[] = [
    ...t.sources.map((s): Endpoint => ({ kind: 'source', source: s.name, format: s.format })),
    ...t.blocks.flatMap((b) =>
      Object.entries(runners.get(b.name)?.outputs ?? declarations.get(b.name)!.outputMap).map(([output, format]): Endpoint => ({
        kind: 'block',
        block: b.name,
        output,
        format,
      })),
    ),
  ];
  const planned = new Map<string, PlannedBlock>();
  for (const b of t.blocks) {
    const r = runners.get(b.name);
    planned.set(b.name, {
      name: b.name,
      algorithm: r ? `${r.name} ${r.version}` : b.algorithm!,
      // A runner's declaration is made once its input is connected (its format is the input's).
      declaration: declarations.get(b.name) ?? (null as unknown as AlgorithmDeclaration),
      parameters: { ...b.parameters },
      inputs: {},
      dependsOn: [],
      inferred: {},
    });
  }

  (t.connections ?? []).forEach((c, k) => {
    const [blockName, inputName] = c.to.split('.') as [string, string];
    const target = planned.get(blockName);
    if (!target) return void problems.push(`connections[${k}].to: no block '${blockName}'`);
    const inputs = inputsOf(blockName);
    if (!Object.hasOwn(inputs, inputName)) {
      return void problems.push(`connections[${k}].to: block '${blockName}' has no input '${inputName}' (inputs: ${Object.keys(inputs).join(', ') || 'none'})`);
    }
    const inputFormat = inputs[inputName]!;
    if (target.inputs[inputName]) return void problems.push(`connections[${k}].to: input '${c.to}' is already connected`);
    const from = c.from.includes('.')
      ? endpoints.find((e) => e.kind === 'block' && `${e.block}.${e.output}` === c.from)
      : endpoints.find((e) => e.kind === 'source' && e.source === c.from);
    if (!from) return void problems.push(`connections[${k}].from: no source or block output '${c.from}'`);
    if (from.kind === 'block' && from.block === blockName) return void problems.push(`connections[${k}]: block '${blockName}' cannot read its own output`);
    if (!accepts(inputFormat, from.format)) {
      return void problems.push(`connections[${k}]: ${describe(from)} is ${from.format} but input '${c.to}' expects ${expectation(inputFormat)}`);
    }
    target.inputs[inputName] = from;
    target.inferred[inputName] = false;
  });

  for (const b of planned.values()) {
    for (const [inputName, format] of Object.entries(inputsOf(b.name))) {
      if (b.inputs[inputName]) continue;
      const candidates = endpoints.filter((e) => accepts(format, e.format) && !(e.kind === 'block' && e.block === b.name));
      const named = candidates.filter((e) => (e.kind === 'source' ? e.source : e.output) === inputName);
      const pick = named.length === 1 ? named[0] : candidates.length === 1 ? candidates[0] : undefined;
      const what = format ?? `any format with one image array`;
      if (pick) {
        b.inputs[inputName] = pick;
        b.inferred[inputName] = true;
      } else if (candidates.length === 0) {
        problems.push(
          `input '${b.name}.${inputName}' (${what}): no source or block output of ${format === null ? 'such a format' : 'this format'}; connect it by hand`,
        );
      } else {
        problems.push(
          `input '${b.name}.${inputName}' (${what}) is ambiguous between ${(named.length > 1 ? named : candidates).map(describe).join(', ')}; connect it by hand`,
        );
      }
    }
    b.dependsOn = [...new Set(Object.values(b.inputs).flatMap((e) => (e.kind === 'block' ? [e.block] : [])))];
    const r = runners.get(b.name);
    const from = b.inputs[RUNNER_INPUT];
    if (r && from) {
      const runner: PlannedRunner = { ...r, imageField: imageFieldOf(from.format)! };
      b.runner = runner;
      b.declaration = runnerDeclaration(runner, from.format);
    }
  }
  if (problems.length) fail('invalid toolchain', problems);
  planLoops(t, planned, problems);
  if (problems.length) fail('invalid toolchain', problems);

  // Kahn's algorithm, keeping the declared order among ready blocks (the two blocks of a loop wait for each other's inputs).
  const order: PlannedBlock[] = [];
  const done = new Set<string>();
  let remaining = [...planned.values()];
  while (remaining.length) {
    const ready = remaining.filter((b) => loopDependencies(b, planned).every((d) => done.has(d)));
    if (!ready.length) fail(`invalid toolchain: the blocks ${remaining.map((b) => `'${b.name}'`).join(', ')} form a cycle`);
    for (const b of ready) {
      order.push(b);
      done.add(b.name);
    }
    remaining = remaining.filter((b) => !done.has(b.name));
  }
  return { toolchain: t, blocks: order };
}

/** What a block waits for: its own inputs' blocks, and those of its loop partner. */
export function loopDependencies(b: PlannedBlock, blocks: ReadonlyMap<string, PlannedBlock>): string[] {
  if (!b.loop) return b.dependsOn;
  return [...new Set([...b.dependsOn, ...blocks.get(b.loop.partner)!.dependsOn])].filter((d) => d !== b.name && d !== b.loop!.partner);
}

/** Every block that `name` reads from, directly or not. */
function upstreamOf(name: string, planned: ReadonlyMap<string, PlannedBlock>, seen = new Set<string>()): Set<string> {
  for (const d of planned.get(name)?.dependsOn ?? []) {
    if (seen.has(d)) continue;
    seen.add(d);
    upstreamOf(d, planned, seen);
  }
  return seen;
}

/**
 * Check the toolchain's loops and mark their blocks: a loop names a loop processor block and a loop
 * evaluator block whose request and answer formats agree, neither reading the other's outputs
 * (directly or not: they run together); every loop block is in exactly one loop.
 */
function planLoops(t: ToolchainJson, planned: Map<string, PlannedBlock>, problems: string[]): void {
  const used = new Map<string, string>();
  (t.loops ?? []).forEach((l, k) => {
    const name = l.name ?? `loop${k}`;
    const at = `loops[${k}]`;
    const sides: [PlannedLoopSide['role'], string][] = [
      ['processor', l.processor],
      ['evaluator', l.evaluator],
    ];
    let ok = true;
    for (const [role, blockName] of sides) {
      const b = planned.get(blockName);
      if (!b) {
        problems.push(`${at}.${role}: no block '${blockName}'`);
        ok = false;
        continue;
      }
      const loop = b.runner ? null : b.declaration.loop;
      if (loop?.role !== role) {
        problems.push(`${at}.${role}: block '${blockName}' (${b.algorithm}) is not a loop ${role} (its type is ${loop?.declaredType ?? b.declaration.type})`);
        ok = false;
      }
      if (used.has(blockName)) {
        problems.push(`${at}.${role}: block '${blockName}' is already in ${used.get(blockName)!}`);
        ok = false;
      } else used.set(blockName, at);
    }
    if (!ok) return;
    const p = planned.get(l.processor)!;
    const e = planned.get(l.evaluator)!;
    for (const what of ['request', 'answer'] as const) {
      if (p.declaration.loop![what] !== e.declaration.loop![what]) {
        problems.push(
          `${at}: the processor '${p.name}' sends ${what}s of ${p.declaration.loop![what]} but the evaluator '${e.name}' expects ${e.declaration.loop![what]}`,
        );
        ok = false;
      }
    }
    for (const [a, b] of [
      [p, e],
      [e, p],
    ] as const) {
      if (upstreamOf(a.name, planned).has(b.name)) {
        problems.push(
          `${at}: block '${a.name}' reads the outputs of its loop partner '${b.name}'${a.dependsOn.includes(b.name) ? '' : ' (through other blocks)'}; the two blocks of a loop run together`,
        );
        ok = false;
      }
    }
    if (!ok) return;
    p.loop = { name, role: 'processor', partner: e.name };
    e.loop = { name, role: 'evaluator', partner: p.name };
  });
  for (const b of planned.values()) {
    const role = b.runner ? undefined : b.declaration.loop?.role;
    if (role && !used.has(b.name)) {
      problems.push(
        `block '${b.name}' (${b.algorithm}) is a loop ${role}: connect it to its ${role === 'processor' ? 'evaluator' : 'processor'} with a "loops" entry ({ "processor": …, "evaluator": … })`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Running a plan over in-memory streams.

export type BlockStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'SKIPPED' | 'CANCELLED';

export const TOOLCHAIN_CANCELLED_MESSAGE = 'cancelled by the user';

export interface BlockJob {
  block: string;
  algorithm: string;
  declaration: AlgorithmDeclaration;
  parameters: Record<string, unknown>;
  inputs: Record<string, DataStream>;
  /** A part of a split run, or null. */
  range: [number, number] | null;
  /** A runner block: the executor runs the Compox algorithm (one execution) instead of a BEAT block. */
  runner?: PlannedRunner;
  /** A block of a loop (run with its partner by a LoopExecutor). */
  loop?: PlannedLoopSide;
}

/** What an executor gets besides the job: the run's cancel signal and a live process() counter. */
export interface BlockExecutionContext {
  /** Aborted when the run is cancelled: stop the block (e.g. end its worker) and reject. */
  signal?: AbortSignal;
  /** Report the number of process() calls made so far by this job (or this part of a split run). */
  onProcessCalls?: (processCalls: number) => void;
}

/** Runs one block (or one part of a split block) — in process, or in a worker. */
export type BlockExecutor = (job: BlockJob, context: BlockExecutionContext) => Promise<BlockRun>;

/** Runs the two blocks of a loop together (each context reports its own block's process()/validate() count). */
export type LoopExecutor = (
  processor: BlockJob,
  evaluator: BlockJob,
  context: { signal?: AbortSignal; processor: BlockExecutionContext; evaluator: BlockExecutionContext },
) => Promise<{ processor: BlockRun; evaluator: BlockRun }>;

export interface BlockReport {
  status: BlockStatus;
  processCalls: number;
  outputs: Record<string, DataUnit<Data>[]>;
  result: AnalyzerResult | null;
  error: (BlockRunError & { block: string }) | { code: 'E_SKIPPED' | 'E_CANCELLED'; message: string; block: string } | null;
  /** The ranges of a split run ([] when unsplit). */
  ranges: [number, number][];
  warnings: string[];
}

export interface ToolchainRunOptions {
  /** One stream per source name. */
  sources: Readonly<Record<string, DataStream>>;
  execute: BlockExecutor;
  /** Runs loop pairs (required when the plan has loops). */
  executeLoop?: LoopExecutor;
  /** Split splittable blocks into up to this many parts run concurrently (default 1: unsplit). */
  parts?: number;
  /** Called on every status change, and while a block runs as its process() count grows. */
  onProgress?: (block: string, report: BlockReport) => void;
  /** Cancels the run: blocks not yet started are CANCELLED; running ones are aborted through their executor. */
  signal?: AbortSignal;
}

export interface ToolchainRunResult {
  status: 'DONE' | 'FAILED' | 'CANCELLED';
  /** By block name, in topological order. */
  blocks: Record<string, BlockReport>;
}

function emptyReport(status: BlockStatus): BlockReport {
  return { status, processCalls: 0, outputs: {}, result: null, error: null, ranges: [], warnings: [] };
}

/** A loop executor running both blocks in this thread (`executeLoopPair`), given the algorithm classes. */
export function inProcessLoopExecutor(classOf: (algorithm: string) => AlgorithmClass | LoopEvaluatorClass, dataFormats?: DataFormatRegistry): LoopExecutor {
  return (p, e, context) =>
    executeLoopPair(
      {
        dataFormats,
        declaration: p.declaration,
        algorithm: classOf(p.algorithm) as AlgorithmClass,
        name: p.algorithm,
        parameters: p.parameters,
        inputs: p.inputs,
        onProcessCall: context.processor.onProcessCalls,
      },
      {
        dataFormats,
        declaration: e.declaration,
        algorithm: classOf(e.algorithm) as LoopEvaluatorClass,
        name: e.algorithm,
        parameters: e.parameters,
        inputs: e.inputs,
        onValidate: context.evaluator.onProcessCalls,
      },
    );
}

/** An executor running blocks in this thread with `executeBlock`, given the algorithm classes. */
export function inProcessExecutor(classOf: (algorithm: string) => AlgorithmClass, dataFormats?: DataFormatRegistry): BlockExecutor {
  return (job, context) =>
    executeBlock({
      dataFormats,
      declaration: job.declaration,
      algorithm: classOf(job.algorithm),
      name: job.algorithm,
      parameters: job.parameters,
      inputs: job.inputs,
      range: job.range,
      onProcessCall: context.onProcessCalls,
    });
}

/** Run one block: unsplit, or (splittable, parts > 1) on index ranges concurrently, merged in index order. */
export async function runBlockJob(
  job: BlockJob,
  execute: BlockExecutor,
  parts: number,
  context: BlockExecutionContext = {},
): Promise<{ run: BlockRun; ranges: [number, number][] }> {
  if (!job.declaration.splittable || parts <= 1) return { run: await execute(job, context), ranges: [] };
  const ranges = splitRange(
    job.declaration.groups[0]!.inputs.map((i) => job.inputs[i.name] ?? []),
    parts,
  );
  if (ranges.length <= 1) return { run: await execute(job, context), ranges: [] };
  // Live progress of a split run: the sum over its parts.
  const counts = ranges.map(() => 0);
  const runs = await Promise.all(
    ranges.map((range, k) =>
      execute(
        { ...job, range },
        {
          signal: context.signal,
          onProcessCalls: (n) => {
            counts[k] = n;
            context.onProcessCalls?.(counts.reduce((a, b) => a + b, 0));
          },
        },
      ),
    ),
  );
  return { run: mergeSplitRuns(runs), ranges };
}

/**
 * Run the blocks of a plan in topological order (blocks whose inputs are ready run concurrently).
 * A failing block stops its dependants (SKIPPED, with the failed block named). Never throws for a
 * block's failure; the run's status is FAILED when any block failed or was skipped.
 */
export async function runToolchain(plan: ToolchainPlan, options: ToolchainRunOptions): Promise<ToolchainRunResult> {
  const parts = options.parts ?? 1;
  const blocks: Record<string, BlockReport> = {};
  for (const b of plan.blocks) blocks[b.name] = emptyReport('PENDING');
  const notify = (name: string): void => options.onProgress?.(name, blocks[name]!);
  for (const s of plan.toolchain.sources) {
    if (!options.sources[s.name]) fail(`no data for source '${s.name}'`);
  }
  const finished = new Map<string, Promise<void>>();
  const byName = new Map(plan.blocks.map((b) => [b.name, b]));
  const jobOf = (b: PlannedBlock): BlockJob => {
    const inputs: Record<string, DataStream> = {};
    for (const [name, e] of Object.entries(b.inputs)) {
      inputs[name] = e.kind === 'source' ? options.sources[e.source]! : (blocks[e.block]!.outputs[e.output] ?? []);
    }
    return {
      block: b.name,
      algorithm: b.algorithm,
      declaration: b.declaration,
      parameters: b.parameters,
      inputs,
      range: null,
      ...(b.runner ? { runner: b.runner } : {}),
      ...(b.loop ? { loop: b.loop } : {}),
    };
  };
  const progressOf = (b: PlannedBlock): BlockExecutionContext => {
    const report = blocks[b.name]!;
    return {
      signal: options.signal,
      onProcessCalls: (n) => {
        if (report.status !== 'RUNNING' || n === report.processCalls) return;
        report.processCalls = n;
        notify(b.name);
      },
    };
  };
  // The two blocks of a loop run as one call; each side takes its own run.
  const loopRuns = new Map<string, Promise<{ processor: BlockRun; evaluator: BlockRun }>>();
  const runLoop = (b: PlannedBlock): Promise<{ processor: BlockRun; evaluator: BlockRun }> => {
    const loop = b.loop!;
    let pending = loopRuns.get(loop.name);
    if (!pending) {
      if (!options.executeLoop) fail(`no loop executor to run loop '${loop.name}'`);
      const [p, e] = loop.role === 'processor' ? [b, byName.get(loop.partner)!] : [byName.get(loop.partner)!, b];
      pending = options.executeLoop(jobOf(p), jobOf(e), { signal: options.signal, processor: progressOf(p), evaluator: progressOf(e) });
      loopRuns.set(loop.name, pending);
    }
    return pending;
  };
  const execute = async (b: PlannedBlock): Promise<{ run: BlockRun; ranges: [number, number][] }> => {
    if (!b.loop) return runBlockJob(jobOf(b), options.execute, parts, progressOf(b));
    const runs = await runLoop(b);
    return { run: b.loop.role === 'processor' ? runs.processor : runs.evaluator, ranges: [] };
  };
  const runOne = async (b: PlannedBlock): Promise<void> => {
    const deps = loopDependencies(b, byName);
    await Promise.all(deps.map((d) => finished.get(d)));
    const report = blocks[b.name]!;
    const cancel = (): void => {
      report.status = 'CANCELLED';
      report.error = { code: 'E_CANCELLED', block: b.name, message: `block '${b.name}': ${TOOLCHAIN_CANCELLED_MESSAGE}` };
      notify(b.name);
    };
    if (options.signal?.aborted) return cancel();
    const broken = deps.map((d) => [d, blocks[d]!] as const).find(([, r]) => r.status !== 'DONE');
    if (broken) {
      const [d, r] = broken;
      const root = r.status === 'SKIPPED' && r.error ? r.error.block : d;
      report.status = 'SKIPPED';
      report.error = { code: 'E_SKIPPED', block: root, message: `not run: block '${root}' failed${root !== d ? ` (via '${d}')` : ''}` };
      notify(b.name);
      return;
    }
    report.status = 'RUNNING';
    notify(b.name);
    try {
      const { run, ranges } = await execute(b);
      if (options.signal?.aborted) return cancel();
      report.processCalls = run.processCalls;
      report.outputs = run.outputs;
      report.result = run.result;
      report.warnings = run.warnings;
      report.ranges = ranges;
      report.status = run.ok ? 'DONE' : 'FAILED';
      if (run.error) report.error = { ...run.error, block: b.name, message: `block '${b.name}' failed (${run.error.stage}): ${run.error.message}` };
    } catch (e) {
      if (options.signal?.aborted) return cancel();
      report.status = 'FAILED';
      const message = thrownMessage(e);
      report.error = {
        code: e instanceof BeatError ? e.code : 'E_USER',
        stage: 'process',
        details: [],
        block: b.name,
        message: `block '${b.name}' failed: ${message}`,
      };
    }
    notify(b.name);
  };
  for (const b of plan.blocks) finished.set(b.name, runOne(b));
  await Promise.all(finished.values());
  const ok = Object.values(blocks).every((r) => r.status === 'DONE');
  return { status: ok ? 'DONE' : options.signal?.aborted ? 'CANCELLED' : 'FAILED', blocks };
}
