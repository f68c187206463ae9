// The declared shape of a Compox additional parameter: its types, its keys and config keys. Its own
// module so manifest.ts and manifestParameters.ts both import it rather than each other.
import type { ParamValue } from './manifestError';

export const PARAMETER_TYPES = [
  'string',
  'int',
  'float',
  'bool',
  'int_range',
  'float_range',
  'string_enum',
  'int_enum',
  'float_enum',
  'string_list',
  'int_list',
  'float_list',
  'bool_list',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** `applies_when`, normalised: parameter name → the values for which this parameter applies (core/parameterConditions.ts). */
export type AppliesWhen = Record<string, (string | number | boolean)[]>;

/** `applies_when_input`: what an input must have for this parameter to apply. */
export interface AppliesWhenInput {
  /** An axis name ('c', 'z', 't', …; docs/microscopy.md). */
  axis: string;
}

export interface ParameterConfig {
  type: ParameterType;
  default: ParamValue | null;
  adjustable: boolean;
  options: ParamValue[];
  min: number | null;
  max: number | null;
  step: number | null;
  /** algobox: the parameter applies only when these parameters have these values (core/parameterConditions.ts). */
  appliesWhen?: AppliesWhen;
  /** algobox: the parameter applies only when an input has this axis. */
  appliesWhenInput?: AppliesWhenInput;
}

export interface ParameterDeclaration {
  name: string;
  description: string;
  config: ParameterConfig;
}

export const PARAMETER_KEYS = ['name', 'description', 'config'] as const;
export const CONFIG_KEYS = ['type', 'default', 'adjustable', 'options', 'min', 'max', 'step', 'applies_when', 'applies_when_input'] as const;
