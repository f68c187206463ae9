// The [tool.algobox] table of a bundle's pyproject.toml: algobox's own extensions to the Compox
// manifest. Every key is optional; unknown keys are a warning (as elsewhere in the manifest).
//
//   [tool.algobox]
//   entry = "Runner.js"                      # the Runner module (default Runner.js)
//   files = ["files/model.onnx", ...]        # extra files fetched when installing from a folder URL
//   preview = true                           # the entry module exports preview(image, args): a live preview
//                                            # of one 2-D image, fast enough to redo as parameters change
//
//   [tool.algobox.assets."files/model.onnx"] # integrity (and provenance) of an asset
//   sha256 = "…64 hex…"                      # checked on install; a mismatch refuses the bundle
//   source = "some-npm-package/dist/model.onnx"  # built-ins: where the build step copies it from
//   license = "Apache-2.0 (…)"
//
//   [tool.algobox.prompt]                    # interactive (click-to-segment) decoding of this
//   kind = "sam"                             # algorithm's embeddings, in the viewer and
//   decoder = "files/sam.onnx"               # algobox.prompts
//
//   [[tool.algobox.tests]]                   # self-tests (bioimage.io style)
//   name = "synthetic disk"
//   inputs = ["tests/disk.png"]              # one Image dataset per file, in order
//   parameters = { threshold = 0.5 }
//   [[tool.algobox.tests.outputs]]
//   index = 0                                # the output dataset, in the order the run returns them
//   field = "mask"
//   expected = "tests/disk_mask.npy"
//   tolerance = { cpu = { mismatched_elements_per_million = 1000 }, gpu = { absolute_tolerance = 1e-3 } }
import { ManifestError, type ParamValue } from './manifestError';
import { describe as show, isTable, type Table } from './manifestValues';

const ALGOBOX_KEYS = ['files', 'entry', 'assets', 'prompt', 'tests', 'preview'] as const;
export const ASSET_KEYS = ['sha256', 'source', 'license'] as const;
export const PROMPT_KINDS = ['sam'] as const;
export const TOLERANCE_KEYS = ['relative_tolerance', 'absolute_tolerance', 'mismatched_elements_per_million'] as const;

export interface AssetDeclaration {
  /** Lower-case hex SHA-256 the file must have. */
  sha256: string;
  /** For built-in bundles: `package/path` inside node_modules that the build step copies the file from. */
  source: string | null;
  license: string | null;
}

export interface PromptDeclaration {
  kind: (typeof PROMPT_KINDS)[number];
  /** Bundle path of the prompt decoder model. */
  decoder: string;
}

/** An element mismatches when |actual − expected| > absolute + relative·|expected|. */
export interface Tolerance {
  relativeTolerance: number;
  absoluteTolerance: number;
  /** How many mismatching elements per million still pass. */
  mismatchedElementsPerMillion: number;
}

export interface SelfTestOutput {
  index: number;
  field: string;
  expected: string;
  tolerance: { cpu: Tolerance; gpu: Tolerance };
}

export interface SelfTestDeclaration {
  name: string;
  inputs: string[];
  parameters: Record<string, ParamValue>;
  outputs: SelfTestOutput[];
}

export interface AlgoboxConfig {
  files: string[];
  entry: string;
  assets: Record<string, AssetDeclaration>;
  prompt: PromptDeclaration | null;
  tests: SelfTestDeclaration[];
  preview: boolean;
}

const PATH_RULE = 'a relative path inside the bundle ("/" as separator, no leading "/", no "." or ".." segments)';

export function isBundlePath(p: string): boolean {
  if (p.length === 0 || p.startsWith('/') || p.includes('\\')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function fail(field: string, message: string): never {
  throw new ManifestError(`pyproject.toml: [tool.algobox] ${message}`, `tool.algobox.${field}`);
}

function bundlePath(v: unknown, field: string): string {
  if (typeof v !== 'string' || !isBundlePath(v)) fail(field, `field '${field}' must be ${PATH_RULE}; got ${show(v)}.`);
  return v;
}

function num(v: unknown, field: string, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(field, `field '${field}' must be ${what}; got ${show(v)}.`);
  return n;
}

function warnUnknown(t: Table, known: readonly string[], where: string, warnings: string[]): void {
  for (const k of Object.keys(t)) {
    if (!known.includes(k)) warnings.push(`Unknown key '${k}' in ${where} (ignored). Known keys are: ${known.join(', ')}.`);
  }
}

function tolerance(raw: unknown, field: string, warnings: string[]): Tolerance {
  if (raw === undefined) return { relativeTolerance: 0, absoluteTolerance: 0, mismatchedElementsPerMillion: 0 };
  if (!isTable(raw)) fail(field, `field '${field}' must be a table of ${TOLERANCE_KEYS.join(', ')}; got ${show(raw)}.`);
  warnUnknown(raw, TOLERANCE_KEYS, `[tool.algobox] ${field}`, warnings);
  return {
    relativeTolerance: raw['relative_tolerance'] === undefined ? 0 : num(raw['relative_tolerance'], `${field}.relative_tolerance`, 'a number ≥ 0'),
    absoluteTolerance: raw['absolute_tolerance'] === undefined ? 0 : num(raw['absolute_tolerance'], `${field}.absolute_tolerance`, 'a number ≥ 0'),
    mismatchedElementsPerMillion:
      raw['mismatched_elements_per_million'] === undefined
        ? 0
        : num(raw['mismatched_elements_per_million'], `${field}.mismatched_elements_per_million`, 'a number between 0 and 1000000'),
  };
}

function paramValue(v: unknown): ParamValue {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'bigint' ? Number(x) : x)) as ParamValue;
  return v as ParamValue;
}

function validateTests(raw: unknown, warnings: string[]): SelfTestDeclaration[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail('tests', `field 'tests' must be a list of tables ([[tool.algobox.tests]]); got ${show(raw)}.`);
  return raw.map((t, i) => {
    const f = `tests[${i}]`;
    if (!isTable(t)) fail(f, `field '${f}' must be a table; got ${show(t)}.`);
    warnUnknown(t, ['name', 'inputs', 'parameters', 'outputs'], `[tool.algobox] ${f}`, warnings);
    const name = t['name'] ?? `test ${i + 1}`;
    if (typeof name !== 'string' || !name.trim()) fail(`${f}.name`, `field '${f}.name' must be a non-empty string; got ${show(name)}.`);
    const inputs = t['inputs'];
    if (!Array.isArray(inputs) || inputs.length === 0)
      fail(`${f}.inputs`, `field '${f}.inputs' must be a non-empty list of bundle paths; got ${show(inputs)}.`);
    const params = t['parameters'] ?? {};
    if (!isTable(params)) fail(`${f}.parameters`, `field '${f}.parameters' must be a table of parameter name → value; got ${show(params)}.`);
    const outputs = t['outputs'];
    if (!Array.isArray(outputs) || outputs.length === 0) {
      fail(`${f}.outputs`, `field '${f}.outputs' must be a non-empty list of tables ([[tool.algobox.tests.outputs]]); got ${show(outputs)}.`);
    }
    return {
      name,
      inputs: inputs.map((p, k) => bundlePath(p, `${f}.inputs[${k}]`)),
      parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, paramValue(v)])),
      outputs: outputs.map((o, k) => {
        const of = `${f}.outputs[${k}]`;
        if (!isTable(o)) fail(of, `field '${of}' must be a table; got ${show(o)}.`);
        warnUnknown(o, ['index', 'field', 'expected', 'tolerance'], `[tool.algobox] ${of}`, warnings);
        const index = o['index'] === undefined ? k : typeof o['index'] === 'bigint' ? Number(o['index']) : NaN;
        if (!Number.isInteger(index) || index < 0) fail(`${of}.index`, `field '${of}.index' must be an integer ≥ 0; got ${show(o['index'])}.`);
        const field = o['field'];
        if (typeof field !== 'string' || !field) fail(`${of}.field`, `field '${of}.field' must name the output's field (e.g. "mask"); got ${show(field)}.`);
        const tol = o['tolerance'];
        let cpu: Tolerance;
        let gpu: Tolerance;
        if (tol === undefined) {
          cpu = gpu = tolerance(undefined, '', warnings);
        } else if (!isTable(tol)) {
          fail(`${of}.tolerance`, `field '${of}.tolerance' must be a table; got ${show(tol)}.`);
        } else if ('cpu' in tol || 'gpu' in tol) {
          warnUnknown(tol, ['cpu', 'gpu'], `[tool.algobox] ${of}.tolerance`, warnings);
          cpu = tolerance(tol['cpu'], `${of}.tolerance.cpu`, warnings);
          gpu = tol['gpu'] === undefined ? cpu : tolerance(tol['gpu'], `${of}.tolerance.gpu`, warnings);
        } else {
          cpu = gpu = tolerance(tol, `${of}.tolerance`, warnings);
        }
        for (const [d, x] of [
          ['cpu', cpu],
          ['gpu', gpu],
        ] as const) {
          if (x.mismatchedElementsPerMillion > 1e6) {
            fail(
              `${of}.tolerance.${d}`,
              `field '${of}.tolerance.${d}.mismatched_elements_per_million' must be at most 1000000; got ${x.mismatchedElementsPerMillion}.`,
            );
          }
        }
        return { index, field, expected: bundlePath(o['expected'], `${of}.expected`), tolerance: { cpu, gpu } };
      }),
    };
  });
}

export function validateAlgobox(raw: unknown, warnings: string[]): AlgoboxConfig {
  if (raw === undefined) return { files: [], entry: 'Runner.js', assets: {}, prompt: null, tests: [], preview: false };
  if (!isTable(raw)) throw new ManifestError(`pyproject.toml: [tool.algobox] must be a table; got ${show(raw)}.`, 'tool.algobox');
  warnUnknown(raw, ALGOBOX_KEYS, '[tool.algobox]', warnings);

  const files = raw['files'] ?? [];
  if (!Array.isArray(files)) fail('files', `field 'files' must be a list of bundle paths; got ${show(files)}.`);
  files.forEach((f, i) => {
    if (typeof f !== 'string' || !isBundlePath(f)) fail(`files[${i}]`, `field 'files' element ${i} must be ${PATH_RULE}; got ${show(f)}.`);
  });
  const entry = raw['entry'] ?? 'Runner.js';
  if (typeof entry !== 'string' || !isBundlePath(entry)) fail('entry', `field 'entry' must be ${PATH_RULE}; got ${show(entry)}.`);

  const assets: Record<string, AssetDeclaration> = {};
  const rawAssets = raw['assets'] ?? {};
  if (!isTable(rawAssets)) fail('assets', `field 'assets' must be a table of bundle path → { sha256, source?, license? }; got ${show(rawAssets)}.`);
  for (const [path, decl] of Object.entries(rawAssets)) {
    const f = `assets."${path}"`;
    if (!isBundlePath(path)) fail(f, `asset name '${path}' must be ${PATH_RULE}.`);
    if (!isTable(decl)) fail(f, `field '${f}' must be a table { sha256, source?, license? }; got ${show(decl)}.`);
    warnUnknown(decl, ASSET_KEYS, `[tool.algobox] ${f}`, warnings);
    const sha = decl['sha256'];
    if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha))
      fail(`${f}.sha256`, `field '${f}.sha256' must be 64 hexadecimal digits (a SHA-256); got ${show(sha)}.`);
    const source = decl['source'] ?? null;
    if (source !== null && (typeof source !== 'string' || !isBundlePath(source))) {
      fail(`${f}.source`, `field '${f}.source' must be a path inside node_modules ("package/dir/file"); got ${show(source)}.`);
    }
    const license = decl['license'] ?? null;
    if (license !== null && typeof license !== 'string') fail(`${f}.license`, `field '${f}.license' must be a string; got ${show(license)}.`);
    assets[path] = { sha256: sha.toLowerCase(), source, license };
  }

  let prompt: PromptDeclaration | null = null;
  if (raw['prompt'] !== undefined) {
    const p = raw['prompt'];
    if (!isTable(p)) fail('prompt', `field 'prompt' must be a table { kind = "sam", decoder = "files/…onnx" }; got ${show(p)}.`);
    warnUnknown(p, ['kind', 'decoder'], '[tool.algobox] prompt', warnings);
    if (!(PROMPT_KINDS as readonly unknown[]).includes(p['kind'])) {
      fail('prompt.kind', `field 'prompt.kind' must be one of ${PROMPT_KINDS.map((k) => `"${k}"`).join(', ')}; got ${show(p['kind'])}.`);
    }
    prompt = { kind: p['kind'] as PromptDeclaration['kind'], decoder: bundlePath(p['decoder'], 'prompt.decoder') };
  }

  const tests = validateTests(raw['tests'], warnings);
  const preview = raw['preview'] ?? false;
  if (typeof preview !== 'boolean') fail('preview', `field 'preview' must be true or false; got ${show(preview)}.`);
  return { files: [...(files as string[])], entry, assets, prompt, tests, preview };
}
