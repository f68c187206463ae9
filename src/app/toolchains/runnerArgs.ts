// The arguments of a toolchain's runner blocks (Compox algorithms) edited with the algorithm panel's
// parameter form: drafts start from the toolchain's values (else the bundle's defaults) and are
// checked with the same rules as a run from the algorithm panel.
import type { ParameterDeclaration } from '../../core/manifest';
import { draftFromValue, evaluateForm, initialDrafts, type Drafts } from '../algorithms/paramValues';

/** Drafts of a runner block: the bundle's defaults, overridden by the values the toolchain gives. */
export function runnerDrafts(params: readonly ParameterDeclaration[], given: Record<string, unknown>): Drafts {
  const drafts = initialDrafts(params);
  for (const p of params) {
    if (p.name in drafts && given[p.name] !== undefined) drafts[p.name] = draftFromValue(p, given[p.name] as never);
  }
  return drafts;
}

/** The arguments to run with and the problems, each naming the block and the parameter. */
export function runnerArgs(
  block: string,
  params: readonly ParameterDeclaration[],
  drafts: Drafts,
): { args: Record<string, unknown>; errors: Record<string, string>; problems: string[] } {
  const { args, errors } = evaluateForm(params, drafts);
  return { args, errors, problems: Object.entries(errors).map(([name, message]) => `block '${block}', parameter '${name}': ${message}`) };
}
