// A bundle's manifest: parse and validate `pyproject.toml` ([project], [tool.compox], [tool.algobox]).
// Reproduces the reference system's deploy-time validation (AlgorithmConfigSchema + deployer), with the
// same checks, order and messages, plus a few deliberate fixes (marked FIX below). Pure TS, no DOM.
//
// TOML integers must stay distinguishable from floats (`1` vs `1.0`): the document is parsed with
// `integersAsBigInt`, so here an integer is a `bigint` and a float a `number`. The resulting Manifest holds
// plain JS numbers.
import { validateAlgobox, type AssetDeclaration, type PromptDeclaration, type SelfTestDeclaration } from './manifestAlgobox';
import { ManifestError, type ParamValue } from './manifestError';
import { describeTomlValue as describe, isTable, pyFloatRepr, tomlRepr, type Table } from './tomlValues';
import { parse, TomlError } from 'smol-toml';
import { thrownMessage } from './describeValue';

export { ManifestError };

export const ALGORITHM_TYPES = [
  'Image2Alignment',
  'Image2Image',
  'Image2Segmentation',
  'Image2Embedding',
  'Segmentation2Segmentation',
  'Undefined',
  'Generic',
] as const;
export type AlgorithmType = (typeof ALGORITHM_TYPES)[number];

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

export const DEVICES = ['cpu', 'gpu', 'mps'] as const;
export type ManifestDevice = (typeof DEVICES)[number];

export type { ParamValue };

export interface ParameterConfig {
  type: ParameterType;
  default: ParamValue | null;
  adjustable: boolean;
  options: ParamValue[];
  min: number | null;
  max: number | null;
  step: number | null;
}

export interface ParameterDeclaration {
  name: string;
  description: string;
  config: ParameterConfig;
}

export interface Manifest {
  name: string;
  version: string;
  versionKey: [number, number, number];
  algorithmType: AlgorithmType;
  tags: string[];
  description: string;
  supportedDevices: ManifestDevice[];
  defaultDevice: ManifestDevice | '';
  additionalParameters: ParameterDeclaration[];
  checkImportable: boolean;
  obfuscate: boolean;
  hashModule: boolean;
  hashAssets: boolean;
  /**
   * From an optional [tool.algobox] table: `files = ["files/model.onnx", ...]` — extra bundle files to fetch
   * when installing from a folder URL; `entry = "Runner.js"` (default "Runner.js"). Unknown keys there → warning.
   */
  files: string[];
  entry: string;
  /** [tool.algobox.assets]: declared SHA-256 (and provenance) of asset files, checked on install. */
  assets: Record<string, AssetDeclaration>;
  /** [tool.algobox.prompt]: this algorithm's embeddings can be decoded interactively (click-to-segment). */
  prompt: PromptDeclaration | null;
  /** [[tool.algobox.tests]]: self-tests with expected outputs and tolerances per device. */
  tests: SelfTestDeclaration[];
}

export interface ManifestResult {
  manifest: Manifest;
  warnings: string[];
}

export const COMPOX_KEYS = [
  'algorithm_type',
  'tags',
  'description',
  'supported_devices',
  'default_device',
  'additional_parameters',
  'check_importable',
  'obfuscate',
  'hash_module',
  'hash_assets',
] as const;
export const PARAMETER_KEYS = ['name', 'description', 'config'] as const;
export const CONFIG_KEYS = ['type', 'default', 'adjustable', 'options', 'min', 'max', 'step'] as const;

/**
 * The reference's warning for a missing [tool.compox] section. Its text is kept, except that the missing
 * spaces between the concatenated sentences are restored and "Unspecified" reads "Undefined" (the actual default).
 */
export const MISSING_COMPOX_WARNING =
  'The [tool.compox] section is not found in pyproject.toml. Setting the algorithm type to Undefined, tags to an ' +
  'empty list, description to an empty string and additional parameters to an empty list. If you want to specify ' +
  'the algorithm type, tags, description and additional parameters, add the [tool.compox] section to the ' +
  "algorithm's pyproject.toml.";

// ───────────────────────────── entry points ─────────────────────────────

/** Parse `pyproject.toml` text and validate it. Throws ManifestError (TOML syntax errors included). */
export function parseManifest(tomlText: string): ManifestResult {
  let doc: unknown;
  try {
    doc = parse(tomlText, { integersAsBigInt: true });
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? e.message;
      throw new ManifestError(
        `pyproject.toml is not valid TOML: ${reason} (line ${e.line}, column ${e.column}).\n\n${e.codeblock}`,
        '',
      );
    }
    throw new ManifestError(`pyproject.toml could not be parsed: ${thrownMessage(e)}`, '');
  }
  return validateManifest(doc);
}

/**
 * Validate an already-parsed document: TOML integers as `bigint`, floats as `number`
 * (what `parse(text, { integersAsBigInt: true })` returns). Throws ManifestError.
 */
export function validateManifest(doc: unknown): ManifestResult {
  const warnings: string[] = [];
  try {
    return { manifest: validateDocument(doc, warnings), warnings };
  } catch (e) {
    if (e instanceof ManifestError) e.warnings = [...warnings];
    throw e;
  }
}

function validateDocument(doc: unknown, warnings: string[]): Manifest {
  if (!isTable(doc)) {
    throw new ManifestError(`pyproject.toml: the document must be a TOML table; got ${describe(doc)}.`, '');
  }

  const { name, version, versionKey } = validateProject(doc);

  const tool = doc['tool'];
  if (tool !== undefined && !isTable(tool)) {
    throw new ManifestError(`pyproject.toml: [tool] must be a table; got ${describe(tool)}.`, 'tool');
  }
  const compox = tool?.['compox'];
  let config: CompoxConfig;
  if (compox === undefined) {
    warnings.push(MISSING_COMPOX_WARNING);
    config = validateCompox({}, warnings);
  } else if (!isTable(compox)) {
    throw new ManifestError(`pyproject.toml: [tool.compox] must be a table; got ${describe(compox)}.`, 'tool.compox');
  } else {
    config = validateCompox(compox, warnings);
  }

  const algobox = validateAlgobox(tool?.['algobox'], warnings);

  return { name, version, versionKey, ...config, ...algobox };
}

// ───────────────────────────── [project] ─────────────────────────────

const VERSION_RE = /^(\d+)\.(\d+)\.(\d+)$/;

function validateProject(doc: Table): { name: string; version: string; versionKey: [number, number, number] } {
  const project = doc['project'];
  if (project === undefined) {
    throw new ManifestError(
      "pyproject.toml: the required section [project] is missing; it must contain the fields 'name' and 'version'.",
      'project',
    );
  }
  if (!isTable(project)) {
    throw new ManifestError(`pyproject.toml: [project] must be a table; got ${describe(project)}.`, 'project');
  }
  const name = project['name'];
  if (name === undefined) {
    throw new ManifestError("pyproject.toml: [project] is missing the required field 'name'.", 'project.name');
  }
  if (typeof name !== 'string' || name.length === 0 || /\s/.test(name)) {
    throw new ManifestError(
      `pyproject.toml: [project] field 'name' must be a non-empty string without whitespace; got ${describe(name)}.`,
      'project.name',
    );
  }
  const version = project['version'];
  if (version === undefined) {
    throw new ManifestError("pyproject.toml: [project] is missing the required field 'version'.", 'project.version');
  }
  if (typeof version !== 'string') {
    throw new ManifestError(
      `pyproject.toml: [project] field 'version' must be a string of the form major.minor.patch (e.g. "1.0.0"); got ${describe(version)}.`,
      'project.version',
    );
  }
  const m = VERSION_RE.exec(version);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || !parts.every((n) => Number.isSafeInteger(n))) {
    throw new ManifestError(
      `pyproject.toml: [project] field 'version' must be of the form major.minor.patch with non-negative integers (e.g. "1.0.0"); got ${JSON.stringify(version)}.`,
      'project.version',
    );
  }
  return { name, version, versionKey: [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0] };
}

// ───────────────────────────── [tool.compox] ─────────────────────────────

type CompoxConfig = Pick<
  Manifest,
  | 'algorithmType'
  | 'tags'
  | 'description'
  | 'supportedDevices'
  | 'defaultDevice'
  | 'additionalParameters'
  | 'checkImportable'
  | 'obfuscate'
  | 'hashModule'
  | 'hashAssets'
>;

function compoxError(key: string, expected: string, got: unknown, field = `tool.compox.${key}`): never {
  throw new ManifestError(`pyproject.toml: [tool.compox] field '${key}' must be ${expected}; got ${describe(got)}.`, field);
}

function validateCompox(t: Table, warnings: string[]): CompoxConfig {
  // FIX: the reference silently ignores unknown keys; a typo (e.g. `default_devices`) deserves a warning.
  for (const key of Object.keys(t)) {
    if (!(COMPOX_KEYS as readonly string[]).includes(key)) {
      warnings.push(
        `Unknown key '${key}' in [tool.compox] (ignored). Known keys are: ${COMPOX_KEYS.join(', ')}.`,
      );
    }
  }

  // Field-level (pydantic) validation, in field order.
  const rawType = t['algorithm_type'] ?? 'Undefined';
  if (typeof rawType !== 'string' || !(ALGORITHM_TYPES as readonly string[]).includes(rawType)) {
    compoxError('algorithm_type', `one of ${quoteList(ALGORITHM_TYPES)}`, rawType);
  }
  const algorithmType = rawType as AlgorithmType;

  const tags = stringList(t['tags'] ?? [], 'tags');

  const description = t['description'] ?? '';
  if (typeof description !== 'string') compoxError('description', 'a string', description);

  const rawDevices = t['supported_devices'] ?? ['cpu'];
  if (!Array.isArray(rawDevices)) compoxError('supported_devices', `a list of ${quoteList(DEVICES)}`, rawDevices);
  rawDevices.forEach((d, i) => {
    if (typeof d !== 'string' || !(DEVICES as readonly string[]).includes(d)) {
      throw new ManifestError(
        `pyproject.toml: [tool.compox] field 'supported_devices' element ${i} must be one of ${quoteList(DEVICES)}; got ${describe(d)}.`,
        `tool.compox.supported_devices[${i}]`,
      );
    }
  });
  const supportedDevices = rawDevices as ManifestDevice[];

  const defaultDevice = t['default_device'] ?? 'cpu';
  const deviceChoices = ['cpu', 'gpu', 'mps', ''] as const;
  if (typeof defaultDevice !== 'string' || !(deviceChoices as readonly string[]).includes(defaultDevice)) {
    compoxError('default_device', `one of ${quoteList(deviceChoices)}`, defaultDevice);
  }

  const rawParams = t['additional_parameters'] ?? [];
  if (!Array.isArray(rawParams)) {
    compoxError(
      'additional_parameters',
      'a list of parameter tables like {name = "...", description = "...", config = {type = "...", default = ..., adjustable = true}}',
      rawParams,
    );
  }
  const additionalParameters: ParameterDeclaration[] = [];
  const seen = new Map<string, number>();
  rawParams.forEach((entry, i) => {
    additionalParameters.push(validateParameter(entry, i, seen, warnings));
  });

  // Model validator (reference order): warnings 1–5, then the default-device error.
  if (algorithmType === 'Undefined') {
    warnings.push(
      "Algorithm type is set to 'Undefined'. Consider specifying a valid algorithm type. Use 'Generic' for generic algorithms.",
    );
  }
  if (tags.length === 0) {
    warnings.push(
      'Tags are empty. Consider providing tags for better categorization. Tags are used to filter algorithms in the REST API.',
    );
  }
  if (description === '') {
    warnings.push('Description is empty. Consider providing a description for better documentation.');
  }
  if (supportedDevices.length === 0) {
    warnings.push(
      "Supported devices are empty. Consider providing supported devices for better compatibility. You can use 'cpu', 'gpu', or both.",
    );
  }
  if (defaultDevice === '') {
    warnings.push(
      "Default device is empty. Consider providing a default device for better compatibility. You can use 'cpu', 'gpu'.",
    );
  }
  if (!(supportedDevices as string[]).includes(defaultDevice)) {
    throw new ManifestError(
      `Default device '${defaultDevice}' is not in the list of supported devices ${pyRepr(supportedDevices)}.`,
      'tool.compox.default_device',
    );
  }

  // Deployer-only flags (read with .get and their defaults).
  const flag = (key: string, dflt: boolean): boolean => {
    const v = t[key] ?? dflt;
    if (typeof v !== 'boolean') compoxError(key, 'a boolean (true or false)', v);
    return v;
  };

  return {
    algorithmType,
    tags,
    description,
    supportedDevices: [...supportedDevices],
    defaultDevice: defaultDevice as ManifestDevice | '',
    additionalParameters,
    checkImportable: flag('check_importable', false),
    obfuscate: flag('obfuscate', true),
    hashModule: flag('hash_module', true),
    hashAssets: flag('hash_assets', true),
  };
}

function stringList(v: unknown, key: string): string[] {
  if (!Array.isArray(v)) compoxError(key, 'a list of strings', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string') {
      throw new ManifestError(
        `pyproject.toml: [tool.compox] field '${key}' element ${i} must be a string; got ${describe(s)}.`,
        `tool.compox.${key}[${i}]`,
      );
    }
  });
  return [...(v as string[])];
}

// ───────────────────────────── additional parameters ─────────────────────────────

/** Python type names, as the reference's messages use them. */
type PyType = 'str' | 'int' | 'float' | 'bool' | 'list';

const EXPECTED: Record<ParameterType, PyType> = {
  string: 'str',
  int: 'int',
  float: 'float',
  bool: 'bool',
  int_range: 'int',
  float_range: 'float',
  string_enum: 'str',
  int_enum: 'int',
  float_enum: 'float',
  string_list: 'list',
  int_list: 'list',
  float_list: 'list',
  bool_list: 'list',
};

const LIST_ELEMENT: Partial<Record<ParameterType, Exclude<PyType, 'list'>>> = {
  string_list: 'str',
  int_list: 'int',
  float_list: 'float',
  bool_list: 'bool',
};

/**
 * isinstance() as the reference uses it, with two FIXes: a float accepts a TOML integer (`default = 1`,
 * `min = 0`), and a boolean is never an int (in Python bool ⊂ int, so `int` default `true` passed there).
 */
function isOfType(v: unknown, t: PyType): boolean {
  switch (t) {
    case 'str':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'bigint';
    case 'float':
      return typeof v === 'number' || typeof v === 'bigint';
    case 'bool':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
  }
}

function isScalar(v: unknown): v is string | bigint | number | boolean {
  return typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean';
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function validateParameter(
  entry: unknown,
  index: number,
  seen: Map<string, number>,
  warnings: string[],
): ParameterDeclaration {
  const base = `tool.compox.additional_parameters[${index}]`;
  let label = `additional_parameters[${index}]`;
  const err = (message: string, sub: string): never => {
    throw new ManifestError(`Validation error in additional parameter ${label}. ${message}`, sub ? `${base}.${sub}` : base);
  };

  if (!isTable(entry)) {
    return err(
      `Each additional parameter must be a table like {name = "...", description = "...", config = {type = "...", default = ..., adjustable = true}}; got ${describe(entry)}.`,
      '',
    );
  }

  // FIX: name must be a non-empty string, and names must be unique.
  const name = entry['name'];
  if (name === undefined) return err("The field 'name' is required.", 'name');
  if (typeof name !== 'string' || name.length === 0) {
    return err(`The field 'name' must be a non-empty string; got ${describe(name)}.`, 'name');
  }
  label = name;
  const first = seen.get(name);
  if (first !== undefined) {
    return err(
      `Duplicate parameter name '${name}' (already declared by additional_parameters[${first}]); parameter names must be unique.`,
      'name',
    );
  }
  seen.set(name, index);

  const description = entry['description'] ?? '';
  if (typeof description !== 'string') {
    return err(`The field 'description' must be a string; got ${describe(description)}.`, 'description');
  }

  const config = entry['config'];
  if (config === undefined) {
    // FIX: the user guide has a stale example with `type`/`default` at the top level of the entry.
    const hasTopLevel = entry['type'] !== undefined || entry['default'] !== undefined;
    const form = expectedConfigForm(entry['type'], entry['default']);
    return err(
      hasTopLevel
        ? `The field 'config' is required: 'type' and 'default' must be given inside it, not at the top level of the parameter. Expected form: ${form}.`
        : `The field 'config' is required. Expected form: ${form}.`,
      'config',
    );
  }
  if (!isTable(config)) {
    return err(`The field 'config' must be a table like ${expectedConfigForm(undefined, undefined)}; got ${describe(config)}.`, 'config');
  }

  // Field-level checks (pydantic), in field order.
  const type = config['type'];
  if (type === undefined) {
    return err(`The field 'config.type' is required; expected one of ${quoteList(PARAMETER_TYPES)}.`, 'config.type');
  }
  if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
    return err(`The field 'config.type' must be one of ${quoteList(PARAMETER_TYPES)}; got ${describe(type)}.`, 'config.type');
  }
  const ptype = type as ParameterType;

  const dflt = config['default'];
  if (dflt !== undefined) {
    const shapeOk = isScalar(dflt) || (Array.isArray(dflt) && dflt.every(isScalar));
    if (!shapeOk) {
      return err(
        `The field 'config.default' must be a string, integer, float, boolean or a list of those; got ${describe(dflt)}.`,
        'config.default',
      );
    }
    checkSafe(dflt, 'config.default', err);
  }
  const adjustable = config['adjustable'] ?? false;
  if (typeof adjustable !== 'boolean') {
    return err(`The field 'config.adjustable' must be a boolean (true or false); got ${describe(adjustable)}.`, 'config.adjustable');
  }
  const options = config['options'] ?? [];
  if (!Array.isArray(options)) {
    return err(`The field 'config.options' must be a list; got ${describe(options)}.`, 'config.options');
  }
  options.forEach((o, i) => {
    if (!(isScalar(o) || (Array.isArray(o) && o.every(isScalar)))) {
      err(
        `The field 'config.options' element ${i} must be a string, integer, float or a list of those; got ${describe(o)}.`,
        `config.options[${i}]`,
      );
    }
    checkSafe(o, `config.options[${i}]`, err);
  });
  const bounds: Record<'min' | 'max' | 'step', bigint | number | null> = { min: null, max: null, step: null };
  for (const k of ['min', 'max', 'step'] as const) {
    const v = config[k];
    if (v === undefined) continue;
    if (typeof v !== 'bigint' && typeof v !== 'number') {
      return err(`The field 'config.${k}' must be an integer or a float; got ${describe(v)}.`, `config.${k}`);
    }
    checkSafe(v, `config.${k}`, err);
    bounds[k] = v;
  }

  // FIX: unknown keys are reported (the reference ignores them).
  for (const key of Object.keys(entry)) {
    if (!(PARAMETER_KEYS as readonly string[]).includes(key)) {
      warnings.push(
        `Unknown key '${key}' in additional parameter '${name}' (ignored). Known keys are: ${PARAMETER_KEYS.join(', ')}.`,
      );
    }
  }
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      warnings.push(
        `Unknown key '${key}' in the config of additional parameter '${name}' (ignored). Known keys are: ${CONFIG_KEYS.join(', ')}.`,
      );
    }
  }

  // Model validator (reference order).
  if (description === '') {
    warnings.push(
      `Description is empty for additional parameter '${name}'. Consider providing a description for better documentation.`,
    );
  }
  let dValue: unknown = dflt ?? null;
  if (dValue === null) {
    warnings.push(`Default value is None for additional parameter '${name}'. Consider providing a default value.`);
  }
  const expected = EXPECTED[ptype];
  if (dValue !== null && !isOfType(dValue, expected)) {
    return err(
      `Default value type mismatch: Expected ${expected} for type '${ptype}', but got ${pyTypeName(dValue)}.`,
      'config.default',
    );
  }
  const elementType = LIST_ELEMENT[ptype];
  if (elementType !== undefined && Array.isArray(dValue)) {
    // FIX: list element types are checked.
    dValue.forEach((el, k) => {
      if (!isOfType(el, elementType)) {
        err(
          `Default value element ${k} type mismatch: Expected ${elementType} for type '${ptype}', but got ${pyTypeName(el)}.`,
          `config.default[${k}]`,
        );
      }
    });
  }

  if (ptype === 'int_range' || ptype === 'float_range') {
    const { min, max, step } = bounds;
    if (min === null || max === null || step === null) {
      return err(`Min, max, and step values must be provided for range type '${ptype}'.`, `config.${min === null ? 'min' : max === null ? 'max' : 'step'}`);
    }
    const bad = (['min', 'max', 'step'] as const).find((k) => !isOfType(bounds[k], expected));
    if (bad !== undefined) {
      return err(`Min, max, and step values must be of type ${expected} for range type '${ptype}'.`, `config.${bad}`);
    }
    if (Number(min) >= Number(max)) {
      return err(`Min value must be less than max value for range type '${ptype}'.`, 'config.min');
    }
    // FIX: a default outside [min, max] is reported (as a warning; runtime does not re-check defaults).
    if (dValue !== null) {
      const d = Number(dValue as bigint | number);
      if (d < Number(min) || d > Number(max)) {
        warnings.push(
          `Default value ${String(d)} is outside the range [${String(Number(min))}, ${String(Number(max))}] for parameter '${name}'.`,
        );
      }
    }
  }

  if (ptype === 'string_enum' || ptype === 'int_enum' || ptype === 'float_enum') {
    if (options.length === 0) {
      return err(`Options must be provided for enum type '${ptype}'.`, 'config.options');
    }
    const badOpt = options.findIndex((o) => !isOfType(o, expected));
    if (badOpt >= 0) {
      return err(`All options must be of type ${expected} for enum type '${ptype}'.`, `config.options[${badOpt}]`);
    }
    if (dValue !== null && !options.some((o) => scalarEquals(o, dValue))) {
      return err(
        `Default value '${pyStr(dValue)}' must be one of the options for enum type '${ptype}'. The options are: ${pyRepr(options)}.`,
        'config.default',
      );
    }
    if (dValue === null) dValue = options[0];
  }

  if (elementType !== undefined) {
    if (options.length === 0) {
      warnings.push(
        `Options are empty for additional parameter ${name}. This may or may not be intentional. Consider providing options for list type '${ptype}'.`,
      );
    }
    const badOpt = options.findIndex((o) => !Array.isArray(o));
    if (badOpt >= 0) {
      return err(`All options must be of type list for list type '${ptype}'.`, `config.options[${badOpt}]`);
    }
    // FIX: the elements of list options are checked too.
    options.forEach((o, j) => {
      (o as unknown[]).forEach((el, k) => {
        if (!isOfType(el, elementType)) {
          err(
            `Option ${j} element ${k} type mismatch: Expected ${elementType} for type '${ptype}', but got ${pyTypeName(el)}.`,
            `config.options[${j}][${k}]`,
          );
        }
      });
    });
    // Addition: a list default that is none of the declared options could never be chosen again in a form.
    if (options.length > 0 && Array.isArray(dValue) && !options.some((o) => listEquals(o as unknown[], dValue as unknown[]))) {
      warnings.push(`Default value ${pyRepr(dValue)} is not one of the options for parameter '${name}'.`);
    }
  }

  return {
    name,
    description,
    config: {
      type: ptype,
      default: dValue === null ? null : toParamValue(dValue),
      adjustable,
      options: options.map(toParamValue),
      min: bounds.min === null ? null : Number(bounds.min),
      max: bounds.max === null ? null : Number(bounds.max),
      step: bounds.step === null ? null : Number(bounds.step),
    },
  };
}

/** The shape the guide documents, filled with what the author wrote where it can be mapped. */
function expectedConfigForm(type: unknown, dflt: unknown): string {
  const aliases: Record<string, ParameterType> = { str: 'string', integer: 'int', boolean: 'bool', double: 'float' };
  let t: string = 'string';
  if (typeof type === 'string') {
    if ((PARAMETER_TYPES as readonly string[]).includes(type)) t = type;
    else if (aliases[type] !== undefined) t = aliases[type];
  }
  const d = dflt === undefined ? '...' : tomlRepr(dflt);
  return `config = {type = "${t}", default = ${d}, adjustable = true}`;
}

function checkSafe(v: unknown, sub: string, err: (message: string, sub: string) => never): void {
  const check = (x: unknown): void => {
    if (typeof x === 'bigint' && (x > MAX_SAFE || x < -MAX_SAFE)) {
      err(
        `The integer ${x.toString()} in '${sub}' cannot be represented exactly; integers must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.`,
        sub,
      );
    }
  };
  if (Array.isArray(v)) v.forEach(check);
  else check(v);
}

/** Python `==` between scalars (numbers compare numerically whatever their TOML kind). */
function scalarEquals(a: unknown, b: unknown): boolean {
  const num = (x: unknown): number | null => (typeof x === 'bigint' ? Number(x) : typeof x === 'number' ? x : null);
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na === nb;
  return a === b;
}

function listEquals(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => scalarEquals(x, b[i]));
}

function toParamValue(v: unknown): ParamValue {
  const conv = (x: unknown): string | number | boolean => (typeof x === 'bigint' ? Number(x) : (x as string | number | boolean));
  return (Array.isArray(v) ? v.map(conv) : conv(v)) as ParamValue;
}

// ───────────────────────────── [tool.algobox] ─────────────────────────────


// ───────────────────────────── value helpers ─────────────────────────────

function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Python's type(x).__name__ for a TOML value. */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Date) return 'datetime';
  return 'dict';
}

/** Python repr() of a TOML value (bigint = int, number = float). */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (isTable(v)) return `{${Object.entries(v).map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/** Python str(): strings as they are, everything else as repr(). */
function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}


export { isBundlePath } from './manifestAlgobox';
export { pyFloatRepr };
