// The algorithm declaration (reference §2): the JSON validated with zod, then the rules the schema
// cannot express (outputs only in the first group, analyzers, unique names, parameters, results,
// data formats), and the runtime classification (§2.2). Pure TS.

import { z } from 'zod';
import { BeatError } from './errors';
import { FORMAT_NAME_RE, type DataFormatDeclaration, type DataFormatRegistry } from './dataFormats';
import { compileParameter, PARAMETER_TYPES, type ParameterSpec } from './parameters';

/** Input, output, result and group names. */
export const IO_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
/** Result types: the basic ones, or a `system/…` or `plot/…` data format. */
export const RESULT_BASIC_TYPES = ['int32', 'float32', 'bool', 'string'] as const;
const RESULT_FORMAT_RE = /^(system|plot)\/[a-zA-Z0-9_-]+\/[0-9]+$/;

export const ALGORITHM_TYPES = ['legacy', 'sequential', 'autonomous'] as const;
export type AlgorithmType = (typeof ALGORITHM_TYPES)[number];
const LOOP_TYPES = [
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
});
const NAME_MESSAGE = 'invalid name (expected letters, digits, _ and -, starting with a letter or _)';
const ioMapSchema = z.record(z.string().regex(IO_NAME_RE, NAME_MESSAGE), ioEntrySchema);
const groupSchema = z.strictObject({
  name: z.string().regex(IO_NAME_RE, NAME_MESSAGE).optional(),
  inputs: ioMapSchema,
  outputs: ioMapSchema.optional(),
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
}

export interface GroupSpec {
  index: number;
  /** The group's channel: its `name`, else `group<index>`. */
  channel: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
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

function zodPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Validate a declaration; every problem is listed (none → `declaration` is set). */
export function checkDeclaration(json: unknown, options: DeclarationOptions = {}): { declaration: AlgorithmDeclaration | null; errors: string[] } {
  const parsed = declarationSchema.safeParse(json);
  if (!parsed.success) {
    const message = (i: z.core.$ZodIssue): string =>
      i.code === 'invalid_key' && i.issues.length > 0 ? i.issues[0]!.message : i.message;
    return {
      declaration: null,
      errors: parsed.error.issues.map((i) => (i.path.length ? `${zodPath(i.path)}: ${message(i)}` : message(i))),
    };
  }
  const d = parsed.data;
  const errors: string[] = [];
  if (d.language !== 'javascript') errors.push(`language: only 'javascript' algorithms can run here, got '${d.language}'`);
  const apiVersion = d.api_version ?? 1;
  const declaredType = d.type ?? 'sequential';
  if (apiVersion === 2 && (LOOP_TYPES as readonly string[]).includes(declaredType)) {
    errors.push(`type: '${declaredType}' (loop algorithms) is not supported yet`);
  }
  const type: AlgorithmType = apiVersion === 1 ? 'legacy' : (declaredType as AlgorithmType);
  if (d.uses && Object.keys(d.uses).length > 0) errors.push('uses: libraries are not supported yet');

  const isAnalyzer = d.results !== undefined;
  if (isAnalyzer) {
    if (d.splittable !== undefined) errors.push('splittable: not allowed on an analyzer');
    d.groups.forEach((g, i) => {
      if (g.outputs !== undefined) errors.push(`groups[${i}].outputs: an analyzer has results, not outputs`);
    });
  } else {
    if (d.groups[0]!.outputs === undefined) errors.push('groups[0].outputs: a block declares its outputs in the first group');
    d.groups.forEach((g, i) => {
      if (i > 0 && g.outputs !== undefined) errors.push(`groups[${i}].outputs: outputs may only be declared in the first group`);
    });
  }

  const groups: GroupSpec[] = d.groups.map((g, index) => ({
    index,
    channel: g.name ?? `group${index}`,
    inputs: Object.entries(g.inputs).map(([name, e]) => ({ name, type: e.type, description: e.description ?? null })),
    outputs: Object.entries(g.outputs ?? {}).map(([name, e]) => ({ name, type: e.type, description: e.description ?? null })),
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
        errors.push(
          `results.${r.name}.type: expected ${RESULT_BASIC_TYPES.join(', ')} or a system/… or plot/… data format, got '${r.type}'`,
        );
      }
    }
  }

  const registry = options.dataFormats;
  if (registry) {
    const check = (what: string, format: string): void => {
      try {
        registry.get(format);
      } catch (e) {
        errors.push(`${what}: ${(e as Error).message}`);
      }
    };
    for (const g of groups) {
      for (const i of g.inputs) check(`input '${i.name}'`, i.type);
      for (const o of g.outputs) check(`output '${o.name}'`, o.type);
    }
    for (const r of results ?? []) if (r.type.includes('/') && RESULT_FORMAT_RE.test(r.type)) check(`result '${r.name}'`, r.type);
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
