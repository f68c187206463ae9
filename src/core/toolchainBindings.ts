// Binding a toolchain's sources to the user's own data (issue 15): for each source whose data format
// is one array `value` (an image, a mask, a volume), the stored stacks and datasets that can feed it —
// a field whose dtype converts to the format's without loss and whose rank and fixed dimensions match —
// and, for the others, why not (naming the dataset, the field, its dtype or shape and what the format
// needs). The same rules `convertData` applies when the run reads the source. Pure: runs in Node.
import { canSafelyCast, type ArrayFieldType, type DataFormatRegistry, type ToolchainPlan } from './beat';
import type { DatasetMeta, FieldMeta } from './records';
import type { StackRecord } from './stacks';

/** A stack or a dataset offered for a source. */
export interface BindingCandidate {
  kind: 'stack' | 'dataset';
  id: string;
  name: string;
  /** The field that would feed the source (null when none fits). */
  field: string | null;
  /** Data units it gives: 1 for a dataset, the stack's length. */
  units: number;
  /** The data schema of its (first) dataset: 'Image', 'Segmentation', … */
  schema: string | null;
  /** Why it cannot feed the source (null when it can). */
  problem: string | null;
}

/** What a source is bound to now. */
export type SourceBinding = { kind: 'stack'; id: string } | { kind: 'datasets'; ids: string[] } | { kind: 'values' };

export interface SourceChoices {
  source: string;
  format: string;
  /** 'ground truth' when only analyzers read it (masks or labels to compare with), else 'images'. */
  role: 'images' | 'ground truth';
  /** What the format needs, e.g. 'a 2-D uint16 array'. */
  needs: string;
  bound: SourceBinding;
  field: string | null;
  /** Usable ones first (those of the role's kind first), then the others with their problem. */
  candidates: BindingCandidate[];
}

/** The format's one array field `value` of numbers, if that is all it is. */
function valueArray(registry: DataFormatRegistry, format: string): ArrayFieldType | null {
  const fields = registry.get(format).root.fields;
  const t = fields.length === 1 && fields[0]!.name === 'value' ? fields[0]!.type : null;
  return t?.kind === 'array' && t.element.kind === 'basic' && t.element.type !== 'string' ? t : null;
}

function shapeText(t: ArrayFieldType): string {
  return `[${t.shape.map((d) => (d === 0 ? '*' : d)).join(', ')}]`;
}

function needsText(t: ArrayFieldType): string {
  const el = (t.element as { type: string }).type;
  return `a ${t.shape.length}-D ${el} array${t.shape.some((d) => d > 0) ? ` of shape ${shapeText(t)}` : ''}`;
}

/**
 * Why the stored field cannot feed the format (null when it can): its dtype, rank or a fixed dimension.
 * `exact`: a lazy source (read as stored, never converted) needs the format's dtype itself.
 */
function fieldProblem(t: ArrayFieldType, format: string, f: FieldMeta, exact = false): string | null {
  if (f.kind !== 'array') return `is a ${f.kind} field, but ${format} needs ${needsText(t)}`;
  const el = (t.element as { type: string }).type;
  if (f.shape.length !== t.shape.length || t.shape.some((d, i) => d > 0 && d !== f.shape[i])) {
    return `has shape [${f.shape.join(', ')}], but ${format} needs ${needsText(t)}`;
  }
  if (exact && f.dtype !== el) return `is ${f.dtype}, but ${format} needs ${el} exactly (its blocks read it lazily, as stored)`;
  if (el.startsWith('complex') || !canSafelyCast(f.dtype, el as Parameters<typeof canSafelyCast>[1])) {
    return `is ${f.dtype}, which ${format} (${el}) cannot take without loss`;
  }
  return null;
}

const GROUND_TRUTH_FIELDS = ['mask', 'labels', 'label', 'segmentation'];

/** A dataset's field for the source, or the problem of the field it would have used. */
function datasetField(
  t: ArrayFieldType,
  format: string,
  meta: DatasetMeta,
  prefer: readonly string[],
  exact: boolean,
): { field: string | null; problem: string | null } {
  const keys = Object.keys(meta.keys);
  const ordered = [...prefer.filter((k) => keys.includes(k)), ...keys.filter((k) => !prefer.includes(k))];
  const fits = ordered.find((k) => fieldProblem(t, format, meta.keys[k]!, exact) === null);
  if (fits !== undefined) return { field: fits, problem: null };
  const first = ordered[0];
  if (first === undefined) return { field: null, problem: `dataset '${meta.name}' has no fields` };
  return { field: null, problem: `dataset '${meta.name}' field '${first}' ${fieldProblem(t, format, meta.keys[first]!, exact)!}` };
}

/** A source every reader of which takes as a lazy input (not a runner): read as stored (src/engine/toolchains.ts, lazySources). */
function isLazy(plan: ToolchainPlan, source: string): boolean {
  let lazy: boolean | null = null;
  for (const b of plan.blocks) {
    const lazyInputs = new Set(b.declaration.groups.flatMap((g) => g.inputs.filter((i) => i.lazy).map((i) => i.name)));
    for (const [input, e] of Object.entries(b.inputs)) {
      if (e.kind === 'source' && e.source === source) lazy = (lazy ?? true) && lazyInputs.has(input) && !b.runner;
    }
  }
  return lazy === true;
}

function roleOf(plan: ToolchainPlan, source: string): SourceChoices['role'] {
  const readers = plan.blocks.filter((b) => Object.values(b.inputs).some((e) => e.kind === 'source' && e.source === source));
  return readers.length > 0 && readers.every((b) => b.declaration.isAnalyzer) ? 'ground truth' : 'images';
}

/** Is the candidate of the role's kind (Segmentation or a mask/labels field for ground truth; the rest for images)? */
function ofRoleKind(c: BindingCandidate, role: SourceChoices['role']): boolean {
  const truthLike = c.schema === 'Segmentation' || (c.field !== null && GROUND_TRUTH_FIELDS.includes(c.field));
  return role === 'ground truth' ? truthLike : !truthLike;
}

function stackCandidate(
  t: ArrayFieldType,
  format: string,
  stack: StackRecord,
  metas: ReadonlyMap<string, DatasetMeta>,
  prefer: readonly string[],
  exact: boolean,
): BindingCandidate {
  const items = stack.datasetIds.map((id) => metas.get(id));
  const base = { kind: 'stack' as const, id: stack.id, name: stack.name, units: stack.datasetIds.length, schema: items[0]?.schema ?? null };
  if (items.length === 0) return { ...base, field: null, problem: `stack '${stack.name}' is empty` };
  const missing = stack.datasetIds.find((id) => !metas.has(id));
  if (missing) return { ...base, field: null, problem: `stack '${stack.name}': dataset '${missing}' not found` };
  // A field every dataset of the stack has and that fits each of them.
  const first = datasetField(t, format, items[0]!, prefer, exact);
  if (first.field === null) return { ...base, field: null, problem: `stack '${stack.name}': ${first.problem!}` };
  for (const m of items as DatasetMeta[]) {
    const f = m.keys[first.field];
    const problem = f ? fieldProblem(t, format, f, exact) : `has no field '${first.field}'`;
    if (problem) return { ...base, field: null, problem: `stack '${stack.name}': dataset '${m.name}'${f ? ` field '${first.field}'` : ''} ${problem}` };
  }
  return { ...base, field: first.field, problem: null };
}

function boundOf(s: ToolchainPlan['toolchain']['sources'][number]): SourceBinding {
  if (s.stackId !== undefined) return { kind: 'stack', id: s.stackId };
  if (s.datasetIds !== undefined) return { kind: 'datasets', ids: [...s.datasetIds] };
  return { kind: 'values' };
}

/**
 * The choices of every bindable source of a planned toolchain (a source whose format is one array
 * `value`), over the stored datasets and stacks. Datasets a toolchain run wrote are left out.
 */
export function sourceChoices(
  plan: ToolchainPlan,
  registry: DataFormatRegistry,
  datasets: readonly DatasetMeta[],
  stacks: readonly StackRecord[],
): SourceChoices[] {
  const metas = new Map(datasets.map((d) => [d.id, d]));
  const own = datasets.filter((d) => !d.source.startsWith('toolchain:'));
  const out: SourceChoices[] = [];
  for (const s of plan.toolchain.sources) {
    const t = valueArray(registry, s.format);
    if (!t) continue;
    const role = roleOf(plan, s.name);
    const exact = s.values === undefined && isLazy(plan, s.name);
    const prefer = [...(s.field ? [s.field] : []), ...(role === 'ground truth' ? GROUND_TRUTH_FIELDS : ['image', 'volume'])];
    const all = [
      ...stacks.map((st) => stackCandidate(t, s.format, st, metas, prefer, exact)),
      ...own.map((d): BindingCandidate => ({
        kind: 'dataset',
        id: d.id,
        name: d.name,
        units: 1,
        schema: d.schema,
        ...datasetField(t, s.format, d, prefer, exact),
      })),
    ];
    const rank = (c: BindingCandidate) => (c.problem !== null ? 2 : ofRoleKind(c, role) ? 0 : 1);
    const candidates = all
      .map((c, k) => ({ c, k }))
      .sort((a, b) => rank(a.c) - rank(b.c) || a.k - b.k)
      .map(({ c }) => c);
    out.push({ source: s.name, format: s.format, role, needs: needsText(t), bound: boundOf(s), field: s.field ?? null, candidates });
  }
  return out;
}
