// What a row in Runs says about a run, so that eight runs of one algorithm read apart: its inputs
// ("coins", "cells (3 images)" for a whole stack, "camera + 2 more") and its key arguments — the
// method-like ones (text: "otsu") always, the others only where they differ from the default
// ("denoising_weight=0.3"). Pure: unit-tested in tests/unit/runTitle.test.ts.
import type { ParameterDeclaration } from '../../core/manifest';
import { nameStem } from '../../core/outputNames';
import { formatValue } from '../../core/params';
import type { ExecutionRecord } from '../../core/records';

/** A text argument short enough to stand for the method ("otsu", "li"). */
const isMethodLike = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 24;

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The arguments worth showing: method-like texts as they are, any other argument as "name=value" when it
 * differs from its declared default (without the declarations — the algorithm was removed — texts only).
 */
export function keyArgs(args: Record<string, unknown>, params: readonly ParameterDeclaration[] | null): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    const p = params?.find((d) => d.name === name);
    if (isMethodLike(value) && (!p || p.config.type === 'string' || p.config.type === 'string_enum')) out.push(value);
    else if (p && !sameValue(value, p.config.default)) out.push(`${name}=${formatValue(value)}`);
  }
  return out;
}

/** The stack whose slices are exactly these datasets (in order), if any. */
function stackOf(ids: readonly string[], stacks: readonly { name: string; datasetIds: readonly string[] }[]): string | null {
  if (ids.length < 2) return null;
  return stacks.find((s) => s.datasetIds.length === ids.length && s.datasetIds.every((id, i) => id === ids[i]))?.name ?? null;
}

/** The inputs as a person named them: "coins", "coins, cells", "camera + 2 more", or the stack they make up. */
export function inputsLabel(
  ids: readonly string[],
  names: ReadonlyMap<string, string>,
  stacks: readonly { name: string; datasetIds: readonly string[] }[],
): string {
  const stack = stackOf(ids, stacks);
  if (stack) return stack;
  if (ids.length === 0) return 'no inputs';
  const name = (id: string) => {
    const n = names.get(id);
    return n ? nameStem(n) : `${id.slice(0, 8)}… (deleted)`;
  };
  if (ids.length <= 2) return ids.map(name).join(', ');
  return `${name(ids[0]!)} + ${ids.length - 1} more`;
}

/** What the run ran on and how: "coins · otsu" (the row shows the algorithm's name above it). */
export function runWhat(
  rec: Pick<ExecutionRecord, 'inputDatasetIds' | 'args'>,
  names: ReadonlyMap<string, string>,
  stacks: readonly { name: string; datasetIds: readonly string[] }[],
  params: readonly ParameterDeclaration[] | null,
): string {
  return [inputsLabel(rec.inputDatasetIds, names, stacks), ...keyArgs(rec.args, params)].join(' · ');
}
