// Whether a parameter applies now (`applies_when` on the other parameters' values, `applies_when_input` on
// the run's inputs; declared and checked in parameterConditions.ts), and what an input dataset offers to
// `applies_when_input`. Used by the form (shown and sent only when it applies) and by validateArgs
// (a default is filled in only for a parameter that applies). Pure TS.
import { axesOfField } from './fieldAxes';
import type { ImageAxes } from './imageAxes';
import type { ParamValue } from './manifestError';
import type { ParameterDeclaration } from './manifestParameterTypes';

type Scalar = string | number | boolean;

/** What the form knows of the run's inputs: for each input, its axis names and whether it is an RGB picture. */
export interface InputAxesInfo {
  axes: readonly string[];
  rgb: boolean;
}

function valueMatches(values: readonly Scalar[], v: ParamValue | undefined): boolean {
  if (v === undefined || Array.isArray(v)) return false;
  return values.some((x) => x === v);
}

/**
 * Does `p` apply, given the current values of the parameters (`values`: name → value, defaults filled in)
 * and the inputs (null: not known, then input conditions hold)? A parameter applies when every
 * `applies_when` parameter applies and has one of its values, and an input has the `applies_when_input` axis.
 */
export function parameterApplies(
  p: ParameterDeclaration,
  params: readonly ParameterDeclaration[],
  values: Readonly<Record<string, ParamValue | undefined>>,
  inputs: readonly InputAxesInfo[] | null,
  depth = 0,
): boolean {
  if (depth > params.length) return false;
  const input = p.config.appliesWhenInput;
  if (input && inputs !== null) {
    const has = inputs.some((i) => i.axes.includes(input.axis) && !(input.axis === 'c' && i.rgb));
    if (!has) return false;
  }
  for (const [name, allowed] of Object.entries(p.config.appliesWhen ?? {})) {
    const other = params.find((q) => q.name === name);
    if (!other || !valueMatches(allowed, values[name])) return false;
    if (!parameterApplies(other, params, values, inputs, depth + 1)) return false;
  }
  return true;
}

const RGB_LABELS = ['Red', 'Green', 'Blue'];

/** What `applies_when_input` looks at in a stored dataset: its `image` (else `volume`, else `mask`) field's axes. */
export function inputAxesInfo(meta: {
  readonly keys: Readonly<Record<string, { readonly kind: string; readonly shape: readonly number[]; readonly axes?: ImageAxes | undefined }>>;
}): InputAxesInfo {
  const key = ['image', 'volume', 'mask'].find((k) => meta.keys[k]?.kind === 'array');
  if (!key) return { axes: [], rgb: false };
  const ax = axesOfField(key, meta.keys[key]!);
  const names = ax.axes.map((a) => a.name);
  const rgb = names.length === 3 && names[0] === 'c' && ax.channels.length === 3 && ax.channels.every((c, i) => c.label === RGB_LABELS[i]);
  return { axes: names, rgb };
}
