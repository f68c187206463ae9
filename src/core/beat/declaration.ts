// The algorithm declaration (reference §2): the JSON validated with zod, then the rules the schema
// cannot express (outputs only in the first group, analyzers, unique names, parameters, results,
// data formats), and the runtime classification (§2.2). Pure TS.

import { issueText } from './issueText';
import { z } from 'zod';
import { BeatError } from './errors';
import { FORMAT_NAME_RE, type DataFormatDeclaration, type DataFormatRegistry } from './dataFormats';
import { compileParameter, PARAMETER_TYPES, type ParameterSpec } from './parameters';
import { thrownMessage } from '../describeValue';
import { lazyFormatProblem } from './lazyUnits';
import { TABLE_FORMAT } from './tableFormat';

/** Input, output, result and group names. */
export const IO_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
/** Result types: the basic ones, or a `system/…` or `plot/…` data format. */
export const RESULT_BASIC_TYPES = ['int32', 'float32', 'bool', 'string'] as const;
const RESULT_FORMAT_RE = /^(system|plot)\/[a-zA-Z0-9_-]+\/[0-9]+$/;

export const ALGORITHM_TYPES = ['legacy', 'sequential', 'autonomous'] as const;
export type AlgorithmType = (typeof ALGORITHM_TYPES)[number];
export const LOOP_TYPES = [
  'loop_user',
  'loop',
  'sequential_loop_processor',
  'autonomous_loop_processor',
  'sequential_loop_evaluator',
  'autonomous_loop_evaluator',
] as const;

const ioEntrySchema = z.strictObject({
  type: z.string().regex(FORMAT_NAME_RE, 'expected a data format name <user>/<name>/<version>'),
  description: z.string().optional(),
  /** algobox extension (issue 13): the unit's array fields as lazy handles (inputs) or written block by block (outputs). */
  lazy: z.boolean().optional(),
});
const NAME_MESSAGE = 'invalid name (expected letters, digits, _ and -, starting with a letter or _)';
const ioMapSchema = z.record(z.string().regex(IO_NAME_RE, NAME_MESSAGE), ioEntrySchema);
/** A loop algorithm's channel (group 0): the formats of what the processor sends and what it gets back. */
const loopEntrySchema = z.strictObject({ request: ioEntrySchema, answer: ioEntrySchema });
const groupSchema = z.strictObject({
  name: z.string().regex(IO_NAME_RE, NAME_MESSAGE).optional(),
  inputs: ioMapSchema,
  outputs: ioMapSchema.optional(),
  loop: loopEntrySchema.optional(),
});
const parameterSchema = z.strictObject({
  type: z.enum(PARAMETER_TYPES),
  default: z.unknown().optional(),
  description: z.string().optional(),
  range: z.tuple([z.unknown(), z.unknown()]).optional(),
  choice: z.array(z.unknown()).min(1).optional(),
});
const resultSchema = z.strictObject({
  type: z.string(),
  display: z.boolean().optional(),
  description: z.string().optional(),
});

/** The JSON schema of a declaration (structure only; `checkDeclaration` adds the other rules). */
export const declarationSchema = z.strictObject({
  schema_version: z.number().int().min(1).max(3).optional(),
  language: z.string(),
  api_version: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }).optional(),
  type: z.enum([...ALGORITHM_TYPES, ...LOOP_TYPES]).optional(),
  splittable: z.boolean().optional(),
  groups: z.array(groupSchema).min(1),
  parameters: z.record(z.string().regex(IO_NAME_RE, NAME_MESSAGE), parameterSchema).optional(),
  results: z.record(z.string().regex(IO_NAME_RE, NAME_MESSAGE), resultSchema).optional(),
  uses: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
});
export type DeclarationJson = z.infer<typeof declarationSchema>;

export interface IoSpec {
  name: string;
  /** Data format name. */
  type: string;
  description: string | null;
  /** An array-valued unit handed as lazy arrays (input) or written block by block (output): `"lazy": true`. */
  lazy: boolean;
}

export interface GroupSpec {
  index: number;
  /** The group's channel: its `name`, else `group<index>`. */
  channel: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
}

/** The loop of a loop algorithm (reference §2.1 "loop groups", §8): its role and the two formats. */
export interface LoopSpec {
  /** `processor` (`loop_user`, `*_loop_processor`): calls `loopChannel.validate`; `evaluator` (`loop`, `*_loop_evaluator`): answers it. */
  role: 'processor' | 'evaluator';
  /** The type as declared (e.g. `sequential_loop_processor`). */
  declaredType: LoopType;
  /** Data format of a request (the processor's hypothesis). */
  request: string;
  /** Data format of an answer. */
  answer: string;
}
export type LoopType = (typeof LOOP_TYPES)[number];

/**
 * A loop type's role and base runtime type. 1.6's `loop_user` and `loop` are autonomous (reference
 * §2.2); backend 2.x names say it.
 */
export function loopRuntime(type: LoopType): { role: LoopSpec['role']; base: 'sequential' | 'autonomous' } {
  if (type === 'loop_user') return { role: 'processor', base: 'autonomous' };
  if (type === 'loop') return { role: 'evaluator', base: 'autonomous' };
  return { role: type.endsWith('_processor') ? 'processor' : 'evaluator', base: type.startsWith('sequential') ? 'sequential' : 'autonomous' };
}

export interface ResultSpec {
  name: string;
  type: string;
  display: boolean;
  description: string | null;
}

export interface AlgorithmDeclaration {
  schemaVersion: number;
  apiVersion: 1 | 2;
  /** Runtime type: api_version 1 is always legacy; api_version 2 defaults to sequential. */
  type: AlgorithmType;
  language: 'javascript';
  description: string | null;
  splittable: boolean;
  /** Group 0 is the synchronization group (it holds the outputs of a block). */
  groups: GroupSpec[];
  parameters: ParameterSpec[];
  /** Analyzer results; null for a block. */
  results: ResultSpec[] | null;
  isAnalyzer: boolean;
  /** A loop processor or evaluator (its runtime `type` is the base type: sequential or autonomous); null otherwise. */
  loop: LoopSpec | null;
  isLegacy: boolean;
  isSequential: boolean;
  isAutonomous: boolean;
  /** input name → data format, over all groups. */
  inputMap: Record<string, string>;
  /** output name → data format. */
  outputMap: Record<string, string>;
  /** The JSON as given. */
  json: DeclarationJson;
}

export interface DeclarationOptions {
  /** When given, every input, output and result data format must resolve in it. */
  dataFormats?: DataFormatRegistry;
}

const PARSED = new WeakSet<object>();

/** True for the objects `parseDeclaration`/`checkDeclaration` return. */
export function isAlgorithmDeclaration(x: unknown): x is AlgorithmDeclaration {
  return typeof x === 'object' && x !== null && PARSED.has(x);
}

/** Validate a declaration; every problem is listed (none → `declaration` is set). */
export function checkDeclaration(json: unknown, options: DeclarationOptions = {}): { declaration: AlgorithmDeclaration | null; errors: string[] } {
  const parsed = declarationSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) return { declaration: null, errors: parsed.error.issues.map(issueText) };
  const d = parsed.data;
  const errors: string[] = [];
  if (d.language !== 'javascript') errors.push(`language: only 'javascript' algorithms can run here, got '${d.language}'`);
  const apiVersion = d.api_version ?? 1;
  const declaredType = d.type ?? 'sequential';
  const isLoopType = apiVersion === 2 && (LOOP_TYPES as readonly string[]).includes(declaredType);
  const loopRt = isLoopType ? loopRuntime(declaredType as LoopType) : null;
  const type: AlgorithmType = apiVersion === 1 ? 'legacy' : loopRt ? loopRt.base : (declaredType as AlgorithmType);
  const loopEntry = d.groups[0]!.loop;
  let loop: LoopSpec | null = null;
  if (loopRt) {
    if (!loopEntry)
      errors.push(`groups[0].loop: a ${declaredType} algorithm declares its loop in the first group: { "request": { "type": … }, "answer": { "type": … } }`);
    else loop = { role: loopRt.role, declaredType: declaredType as LoopType, request: loopEntry.request.type, answer: loopEntry.answer.type };
    if (d.results !== undefined) errors.push('results: a loop algorithm cannot be an analyzer');
    if (d.splittable === true) errors.push('splittable: a loop algorithm cannot be split (its pair exchanges requests over one whole run)');
  } else if (loopEntry) {
    errors.push(
      `groups[0].loop: only loop algorithms (api_version 2, type ${LOOP_TYPES.join(', ')}) declare a loop, this one is ${apiVersion === 1 ? 'legacy (api_version 1)' : declaredType}`,
    );
  }
  if (loopEntry?.request.lazy !== undefined || loopEntry?.answer.lazy !== undefined) errors.push('groups[0].loop: a loop request or answer cannot be lazy');
  d.groups.forEach((g, i) => {
    if (i > 0 && g.loop !== undefined) errors.push(`groups[${i}].loop: the loop may only be declared in the first group`);
  });
  if (d.uses && Object.keys(d.uses).length > 0) errors.push('uses: libraries are not supported yet');

  const isAnalyzer = d.results !== undefined;
  if (isAnalyzer) {
    if (d.splittable !== undefined) errors.push('splittable: not allowed on an analyzer');
    d.groups.forEach((g, i) => {
      if (g.outputs !== undefined) errors.push(`groups[${i}].outputs: an analyzer has results, not outputs`);
    });
  } else {
    // A loop evaluator's outputs are optional (it writes them, if any, when the processor writes).
    if (d.groups[0]!.outputs === undefined && loop?.role !== 'evaluator') errors.push('groups[0].outputs: a block declares its outputs in the first group');
    d.groups.forEach((g, i) => {
      if (i > 0 && g.outputs !== undefined) errors.push(`groups[${i}].outputs: outputs may only be declared in the first group`);
    });
  }

  const groups: GroupSpec[] = d.groups.map((g, index) => ({
    index,
    channel: g.name ?? `group${index}`,
    inputs: Object.entries(g.inputs).map(([name, e]) => ({ name, type: e.type, description: e.description ?? null, lazy: e.lazy ?? false })),
    outputs: Object.entries(g.outputs ?? {}).map(([name, e]) => ({ name, type: e.type, description: e.description ?? null, lazy: e.lazy ?? false })),
  }));
  const channels = new Set<string>();
  for (const g of groups) {
    if (channels.has(g.channel)) errors.push(`groups[${g.index}].name: repeated group name '${g.channel}'`);
    channels.add(g.channel);
  }
  const inputMap: Record<string, string> = {};
  const outputMap: Record<string, string> = {};
  for (const g of groups) {
    for (const i of g.inputs) {
      if (Object.hasOwn(inputMap, i.name)) errors.push(`repeated input name '${i.name}'`);
      inputMap[i.name] = i.type;
    }
    for (const o of g.outputs) outputMap[o.name] = o.type;
  }

  const parameters: ParameterSpec[] = [];
  for (const [name, p] of Object.entries(d.parameters ?? {})) {
    const { spec, errors: e } = compileParameter(name, p);
    parameters.push(spec);
    errors.push(...e);
  }

  let results: ResultSpec[] | null = null;
  if (d.results) {
    results = Object.entries(d.results).map(([name, r]) => ({
      name,
      type: r.type,
      display: r.display ?? false,
      description: r.description ?? null,
    }));
    for (const r of results) {
      if (!(RESULT_BASIC_TYPES as readonly string[]).includes(r.type) && !RESULT_FORMAT_RE.test(r.type)) {
        errors.push(`results.${r.name}.type: expected ${RESULT_BASIC_TYPES.join(', ')} or a system/… or plot/… data format, got '${r.type}'`);
      }
    }
  }

  const registry = options.dataFormats;
  if (registry) {
    const check = (what: string, format: string): void => {
      try {
        registry.get(format);
      } catch (e) {
        errors.push(`${what}: ${thrownMessage(e)}`);
      }
    };
    const lazyCheck = (what: string, format: string): void => {
      let p: string | null = null;
      try {
        p = lazyFormatProblem(registry.get(format));
      } catch {
        return; // reported by check
      }
      if (p) errors.push(`${what} is lazy, but ${p}`);
    };
    for (const g of groups) {
      for (const io of [...g.inputs, ...g.outputs]) {
        if (io.type === TABLE_FORMAT) errors.push(`'${io.name}': ${TABLE_FORMAT} is an analyzer result type, not a stream format`);
      }
      for (const i of g.inputs) check(`input '${i.name}'`, i.type);
      for (const o of g.outputs) check(`output '${o.name}'`, o.type);
      for (const i of g.inputs) if (i.lazy) lazyCheck(`input '${i.name}'`, i.type);
      for (const o of g.outputs) if (o.lazy) lazyCheck(`output '${o.name}'`, o.type);
    }
    for (const r of results ?? []) if (r.type.includes('/') && RESULT_FORMAT_RE.test(r.type)) check(`result '${r.name}'`, r.type);
    if (loop) {
      check('loop request', loop.request);
      check('loop answer', loop.answer);
    }
  }

  if (errors.length > 0) return { declaration: null, errors };
  const declaration: AlgorithmDeclaration = {
    schemaVersion: d.schema_version ?? 1,
    apiVersion,
    type,
    language: 'javascript',
    description: d.description ?? null,
    splittable: d.splittable ?? false,
    groups,
    parameters,
    results,
    isAnalyzer,
    loop,
    isLegacy: type === 'legacy',
    isSequential: type === 'sequential',
    isAutonomous: type === 'autonomous',
    inputMap,
    outputMap,
    json: d,
  };
  PARSED.add(declaration);
  return { declaration, errors: [] };
}

/** The data formats a declaration names: inputs, outputs, the loop's request and answer, `system/…`/`plot/…` results. */
export function declarationFormats(d: AlgorithmDeclaration): string[] {
  const names = new Set<string>([...Object.values(d.inputMap), ...Object.values(d.outputMap)]);
  if (d.loop) names.add(d.loop.request).add(d.loop.answer);
  for (const r of d.results ?? []) if (RESULT_FORMAT_RE.test(r.type)) names.add(r.type);
  return [...names];
}

/** Validate a declaration; throws E_DECLARATION listing every problem in `details`. */
export function parseDeclaration(json: unknown, options: DeclarationOptions = {}): AlgorithmDeclaration {
  const { declaration, errors } = checkDeclaration(json, options);
  if (!declaration) throw new BeatError('E_DECLARATION', `invalid algorithm declaration: ${errors.join('; ')}`, errors);
  return declaration;
}

/** The data format of an analyzer's result output: `{ resultName: resultType }` (upstream `result_dataformat`). */
export function resultFormatDeclaration(declaration: AlgorithmDeclaration): DataFormatDeclaration {
  if (!declaration.results) throw new BeatError('E_DECLARATION', 'a block algorithm has no results (it is not an analyzer)');
  return Object.fromEntries(declaration.results.map((r) => [r.name, r.type]));
}
