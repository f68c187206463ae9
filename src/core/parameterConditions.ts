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
// `conditionsProblem` once all parameters are read; whether one applies now: parameterApplies.ts. Pure TS.
import { z } from 'zod';
import type { AppliesWhen, AppliesWhenInput, ParameterDeclaration } from './manifestParameterTypes';
import { parameterValueSchema } from './params';

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
