// When a parameter applies: algobox's two optional keys in a Compox parameter's `config` (Compox ignores
// unknown config keys, so a manifest using them still deploys there):
//
//   config = {type = "int_range", …, applies_when = {thresholding_algorithm = ["local"]}}
//   config = {type = "int_range", …, applies_when_input = {axis = "c"}}
//
// `applies_when`: every named parameter must have one of the listed values (a single value may be written
// without the list), and must apply itself; `applies_when_input`: an input of the run has that axis (a
// channel axis 'c' counts only when it is not an RGB picture's). A parameter that does not apply is not
// shown by the form and not sent: the runner gets its default. The shapes are checked by zod here; the
// cross-parameter checks (the parameter exists, the values are among its own, no cycles) by
// `checkConditions` once all parameters are read. Pure TS.
import { z } from 'zod';
import { axesOfField } from './fieldAxes';
import type { ParamValue } from './manifestError';
import type { AppliesWhen, AppliesWhenInput, ParameterDeclaration } from './manifestParameterTypes';
import { parameterValueSchema } from './params';

type Scalar = string | number | boolean;

// TOML integers arrive as bigint (manifest.ts parses with integersAsBigInt); they are numbers here.
const scalar = z.union([z.string(), z.boolean(), z.number(), z.bigint().transform((b) => Number(b))]);

const appliesWhenSchema = z
  .record(z.string().min(1), z.union([scalar.transform((v) => [v]), z.array(scalar).min(1)]), {
    error: 'applies_when must be a table of parameter name = value or [values…]',
  })
  .refine((t) => Object.keys(t).length > 0, 'applies_when must name at least one parameter');

const appliesWhenInputSchema = z.strictObject({ axis: z.string().min(1) }, { error: 'applies_when_input must be a table like {axis = "c"}' });

/** Messages of a zod failure, one line. */
function issuesText(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

/** `config.applies_when` as written → the normalised table, or a message naming what is wrong. */
export function readAppliesWhen(value: unknown): { value: AppliesWhen } | { problem: string } {
  const r = appliesWhenSchema.safeParse(value);
  return r.success ? { value: r.data } : { problem: issuesText(r.error) };
}

/** `config.applies_when_input` as written, or a message naming what is wrong. */
export function readAppliesWhenInput(value: unknown): { value: AppliesWhenInput } | { problem: string } {
  const r = appliesWhenInputSchema.safeParse(value);
  return r.success ? { value: r.data } : { problem: issuesText(r.error) };
}

/**
 * The cross-parameter checks of `applies_when` (after every parameter was read): each named parameter is
 * declared, is not the parameter itself, each value is one it accepts, and the conditions have no cycle.
 * Returns the first problem as [parameter index, message, sub-path], or null.
 */
export function conditionsProblem(params: readonly ParameterDeclaration[]): [number, string, string] | null {
  const byName = new Map(params.map((p) => [p.name, p]));
  for (let i = 0; i < params.length; i++) {
    const when = params[i]!.config.appliesWhen;
    if (!when) continue;
    for (const [name, values] of Object.entries(when)) {
      const other = byName.get(name);
      const sub = `config.applies_when.${name}`;
      if (!other) return [i, `applies_when names '${name}', which is not a declared parameter (declared: ${[...byName.keys()].join(', ')}).`, sub];
      if (other === params[i]) return [i, 'applies_when cannot name the parameter itself.', sub];
      const schema = parameterValueSchema(other);
      for (const v of values) {
        const r = schema.safeParse(v);
        if (!r.success) return [i, `applies_when.${name}: ${JSON.stringify(v)} is not a value of '${name}' (${r.error.issues[0]?.message ?? 'invalid'})`, sub];
      }
    }
  }
  for (let i = 0; i < params.length; i++) {
    const seen = new Set<string>();
    const walk = (p: ParameterDeclaration): boolean => {
      if (seen.has(p.name)) return true;
      seen.add(p.name);
      const cyc = Object.keys(p.config.appliesWhen ?? {}).some((n) => walk(byName.get(n)!));
      seen.delete(p.name);
      return cyc;
    };
    if (walk(params[i]!)) return [i, `applies_when of '${params[i]!.name}' depends on itself through other parameters (a cycle).`, 'config.applies_when'];
  }
  return null;
}

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
  readonly keys: Readonly<
    Record<string, { readonly kind: string; readonly shape: readonly number[]; readonly axes?: import('./imageAxes').ImageAxes | undefined }>
  >;
}): InputAxesInfo {
  const key = ['image', 'volume', 'mask'].find((k) => meta.keys[k]?.kind === 'array');
  if (!key) return { axes: [], rgb: false };
  const ax = axesOfField(key, meta.keys[key]!);
  const names = ax.axes.map((a) => a.name);
  const rgb = names.length === 3 && names[0] === 'c' && ax.channels.length === 3 && ax.channels.every((c, i) => c.label === RGB_LABELS[i]);
  return { axes: names, rgb };
}
