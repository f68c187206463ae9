// A bundle's manifest: parse and validate `pyproject.toml` ([project], [tool.compox], [tool.algobox]).
// Reproduces the reference system's deploy-time validation (AlgorithmConfigSchema + deployer), with the
// same checks, order and messages, plus a few deliberate fixes (marked FIX below). Pure TS, no DOM.
//
// TOML integers must stay distinguishable from floats (`1` vs `1.0`): the document is parsed with
// `integersAsBigInt`, so here an integer is a `bigint` and a float a `number`. The resulting Manifest holds
// plain JS numbers.
import { ALGORITHM_TYPES, isAlgorithmType, type AlgorithmType } from './algorithmTypes';
import { validateAlgobox, type AssetDeclaration, type PromptDeclaration, type SelfTestDeclaration } from './manifestAlgobox';
import { ManifestError, type ParamValue } from './manifestError';
import { parse, TomlError } from 'smol-toml';
import { thrownMessage } from './describeValue';
import { validateParameter } from './manifestParameters';
import { conditionsProblem } from './parameterConditions';
import type { ParameterDeclaration } from './manifestParameterTypes';
import { describe, isTable, pyRepr, quoteList, type Table } from './manifestValues';

// The algorithm types and what each means: core/algorithmTypes.ts.
export { ALGORITHM_TYPES, type AlgorithmType } from './algorithmTypes';

export const DEVICES = ['cpu', 'gpu', 'mps'] as const;
export type ManifestDevice = (typeof DEVICES)[number];

export type { ParamValue };
export { ManifestError };
export { PARAMETER_TYPES, type ParameterConfig, type ParameterDeclaration, type ParameterType } from './manifestParameterTypes';

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
  /** [tool.algobox] preview: the entry module exports `preview(image, args)` (a live preview of one 2-D image). */
  preview: boolean;
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
      throw new ManifestError(`pyproject.toml is not valid TOML: ${reason} (line ${e.line}, column ${e.column}).\n\n${e.codeblock}`, '');
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
    throw new ManifestError("pyproject.toml: the required section [project] is missing; it must contain the fields 'name' and 'version'.", 'project');
  }
  if (!isTable(project)) {
    throw new ManifestError(`pyproject.toml: [project] must be a table; got ${describe(project)}.`, 'project');
  }
  const name = project['name'];
  if (name === undefined) {
    throw new ManifestError("pyproject.toml: [project] is missing the required field 'name'.", 'project.name');
  }
  if (typeof name !== 'string' || name.length === 0 || /\s/.test(name)) {
    throw new ManifestError(`pyproject.toml: [project] field 'name' must be a non-empty string without whitespace; got ${describe(name)}.`, 'project.name');
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
      warnings.push(`Unknown key '${key}' in [tool.compox] (ignored). Known keys are: ${COMPOX_KEYS.join(', ')}.`);
    }
  }

  // Field-level (pydantic) validation, in field order.
  const rawType = t['algorithm_type'] ?? 'Undefined';
  if (!isAlgorithmType(rawType)) {
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
  const conditions = conditionsProblem(additionalParameters);
  if (conditions) {
    const [i, message, sub] = conditions;
    throw new ManifestError(
      `Validation error in additional parameter ${additionalParameters[i]!.name}. ${message}`,
      `tool.compox.additional_parameters[${i}].${sub}`,
    );
  }

  // Model validator (reference order): warnings 1–5, then the default-device error.
  if (algorithmType === 'Undefined') {
    warnings.push("Algorithm type is set to 'Undefined'. Consider specifying a valid algorithm type. Use 'Generic' for generic algorithms.");
  }
  if (tags.length === 0) {
    warnings.push('Tags are empty. Consider providing tags for better categorization. Tags are used to filter algorithms in the REST API.');
  }
  if (description === '') {
    warnings.push('Description is empty. Consider providing a description for better documentation.');
  }
  if (supportedDevices.length === 0) {
    warnings.push("Supported devices are empty. Consider providing supported devices for better compatibility. You can use 'cpu', 'gpu', or both.");
  }
  if (defaultDevice === '') {
    warnings.push("Default device is empty. Consider providing a default device for better compatibility. You can use 'cpu', 'gpu'.");
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
      throw new ManifestError(`pyproject.toml: [tool.compox] field '${key}' element ${i} must be a string; got ${describe(s)}.`, `tool.compox.${key}[${i}]`);
    }
  });
  return [...(v as string[])];
}

export { pyFloatRepr } from './manifestValues';
export { isBundlePath } from './manifestAlgobox';
