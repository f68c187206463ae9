import { describe, it, expect } from 'vitest';
import {
  ALGORITHM_TYPES,
  MISSING_COMPOX_WARNING,
  ManifestError,
  PARAMETER_TYPES,
  parseManifest,
  pyFloatRepr,
  validateManifest,
  type ManifestResult,
} from '../../src/core/manifest';
import { compoxManifest, manifestError } from './helpers/manifestText';

// ───────────────────────────── helpers ─────────────────────────────

const PROJECT = '[project]\nname = "algo"\nversion = "1.0.0"\n';

/** A manifest whose [tool.compox] has type, tags and description set (so no algorithm-level warnings). */
const compox = (body = ''): string => compoxManifest(body);

function withParams(...entries: string[]): string {
  return compox(`additional_parameters = [\n  ${entries.join(',\n  ')},\n]`);
}

function param(config: string, name = 'p', description = 'desc'): string {
  return `{name = "${name}", description = "${description}", config = {${config}}}`;
}

const fails = (text: string): ManifestError => manifestError(() => parseManifest(text));

function paramError(config: string, name = 'p'): ManifestError {
  return fails(withParams(param(config, name)));
}

const P = 'Validation error in additional parameter p. ';

const UNDEFINED_WARNING = "Algorithm type is set to 'Undefined'. Consider specifying a valid algorithm type. Use 'Generic' for generic algorithms.";
const TAGS_WARNING = 'Tags are empty. Consider providing tags for better categorization. Tags are used to filter algorithms in the REST API.';
const DESCRIPTION_WARNING = 'Description is empty. Consider providing a description for better documentation.';
const DEVICES_WARNING = "Supported devices are empty. Consider providing supported devices for better compatibility. You can use 'cpu', 'gpu', or both.";
const DEFAULT_DEVICE_WARNING = "Default device is empty. Consider providing a default device for better compatibility. You can use 'cpu', 'gpu'.";
const optionsEmpty = (name: string, type: string) =>
  `Options are empty for additional parameter ${name}. This may or may not be intentional. Consider providing options for list type '${type}'.`;

// The 13 example parameter lines of the user guide ("Additional parameters").
const SEED_PARAMS = [
  `{name = "some_string_parameter", description = "This parameter strings.", config = {type = "string", default = "hello", adjustable = true}}`,
  `{name = "some_int_parameter", description = "This paramete ints.", config = {type = "int", default = 42, adjustable = true}}`,
  `{name = "some_float_parameter", description = "This parameter floats.", config = {type = "float", default = 3.14, adjustable = true}}`,
  `{name = "some_bool_parameter", description = "This parameter bools.", config = {type = "bool", default = true, adjustable = true}}`,
  `{name = "some_int_range_parameter", description = "This parameter ranges ints.", config = {type = "int_range", default = 42, min = 0, max = 100, step = 1, adjustable = true}}`,
  `{name = "some_float_range_parameter", description = "This parameter ranges floats.", config = {type = "float_range", default = 3.14, min = 0.0, max = 10.0, step = 0.1, adjustable = true}}`,
  `{name = "some_string_enum_parameter", description = "This parameter enums strings.", config = {type = "string_enum", default = "hello", options = ["hello", "world"], adjustable = true}}`,
  `{name = "some_int_enum_parameter", description = "This parameter enums ints.", config = {type = "int_enum", default = 42, options = [42, 43, 44], adjustable = true}}`,
  `{name = "some_float_enum_parameter", description = "This parameter enums floats.", config = {type = "float_enum", default = 3.14, options = [3.14, 3.15, 3.16], adjustable = true}}`,
  `{name = "some_string_list_parameter", description = "This parameter lists strings.", config = {type = "string_list", default = ["hello", "world"], adjustable = true}}`,
  `{name = "some_int_list_parameter", description = "This parameter lists ints.", config = {type = "int_list", default = [42, 43, 44], adjustable = true}}`,
  `{name = "some_float_list_parameter", description = "This parameter lists floats.", config = {type = "float_list", default = [3.14, 3.15, 3.16], adjustable = true}}`,
  `{name = "some_bool_list_parameter", description = "This parameter lists bools.", config = {type = "bool_list", default = [true, false, true], adjustable = true}}`,
];

// The three templates of the user guide.
const DENOISING = `[project]
name = "template_denosing_algorithm"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Image"
tags = ["image-denoising"]
description = "Denoises a sequence of images using the total variation denoising algorithm."
additional_parameters = [
    {name = "denoising_weight", description = "The weight of the denoising term between 0 and 1. Higher values will result in more denoising, but can distort the image.", config = {type = "float_range", default = 0.1, min = 0.0, max = 1.0, step = 0.05, adjustable = true}}
]
`;

const SEGMENTATION = `[project]
name = "template_segmentation_algorithm"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Segmentation"
tags = ["image-segmenation"]
description = "Performs a binary segmentation of a 3-D image using a skimage filter."
additional_parameters = [
    {name = "thresholding_algorithm", description = "The thresholding algorithm to use.", config = {type = "string_enum", default = "otsu", options = ["otsu", "yen", "li", "minimum", "mean", "triangle", "isodata", "local"], adjustable = true}},
]
`;

const REGISTRATION = `[project]
name = "template_registration_algorithm"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Alignment"
tags = ["image-alignment"]
description = "Generates homography matrices for aligning a sequence of images."
additional_parameters = [
 {name = "max_translation", description = "Maximum translation as a fraction of the image size.", config = {type = "float_range", default = 0.25, min = 0.0, max = 1.0, step = 0.05, adjustable = true}}
]
`;

// The "dummy algorithm" example of the user guide, with its stale top-level `type = "str"` parameter.
const FOO_EXAMPLE = `[project]
name = "foo"
version = "0.1.0"

[tool.compox]
algorithm_type = "Generic"
tags = ["foo", "bar"]
description = "This algorithm does foo and bar."
additional_parameters = [
    {name = "some_user_defined_args", type = "str", default = "hello", description = "This is a user defined argument."},
]
check_importable = false
obfuscate = true
hash_module = true
hash_assets = true
`;

// ───────────────────────────── round trips ─────────────────────────────

describe('parseManifest: valid manifests', () => {
  it('round-trips all 13 parameter types from the user guide', () => {
    const { manifest, warnings } = parseManifest(withParams(...SEED_PARAMS));
    expect(manifest.additionalParameters.map((p) => p.config.type)).toEqual([...PARAMETER_TYPES]);
    // The four list types have no options: the reference's warning, nothing else.
    expect(warnings).toEqual([
      optionsEmpty('some_string_list_parameter', 'string_list'),
      optionsEmpty('some_int_list_parameter', 'int_list'),
      optionsEmpty('some_float_list_parameter', 'float_list'),
      optionsEmpty('some_bool_list_parameter', 'bool_list'),
    ]);
    const byName = Object.fromEntries(manifest.additionalParameters.map((p) => [p.name, p]));
    expect(byName['some_string_parameter']).toEqual({
      name: 'some_string_parameter',
      description: 'This parameter strings.',
      config: { type: 'string', default: 'hello', adjustable: true, options: [], min: null, max: null, step: null },
    });
    expect(byName['some_int_parameter']?.config.default).toBe(42);
    expect(byName['some_float_parameter']?.config.default).toBe(3.14);
    expect(byName['some_bool_parameter']?.config.default).toBe(true);
    expect(byName['some_int_range_parameter']?.config).toEqual({
      type: 'int_range',
      default: 42,
      adjustable: true,
      options: [],
      min: 0,
      max: 100,
      step: 1,
    });
    expect(byName['some_float_range_parameter']?.config).toEqual({
      type: 'float_range',
      default: 3.14,
      adjustable: true,
      options: [],
      min: 0,
      max: 10,
      step: 0.1,
    });
    expect(byName['some_string_enum_parameter']?.config.options).toEqual(['hello', 'world']);
    expect(byName['some_int_enum_parameter']?.config.options).toEqual([42, 43, 44]);
    expect(byName['some_float_enum_parameter']?.config.options).toEqual([3.14, 3.15, 3.16]);
    expect(byName['some_string_list_parameter']?.config.default).toEqual(['hello', 'world']);
    expect(byName['some_int_list_parameter']?.config.default).toEqual([42, 43, 44]);
    expect(byName['some_float_list_parameter']?.config.default).toEqual([3.14, 3.15, 3.16]);
    expect(byName['some_bool_list_parameter']?.config.default).toEqual([true, false, true]);
    // TOML integers come out as plain JS numbers.
    for (const p of manifest.additionalParameters) {
      const d = p.config.default;
      for (const x of Array.isArray(d) ? d : [d]) expect(typeof x).not.toBe('bigint');
      for (const k of ['min', 'max', 'step'] as const) expect(typeof p.config[k]).not.toBe('bigint');
    }
  });

  it('fills the [project] and [tool.compox] fields', () => {
    const { manifest, warnings } = parseManifest(
      `${PROJECT}[tool.compox]
algorithm_type = "Image2Image"
tags = ["image-denoising", "x"]
description = "Denoises."
supported_devices = ["cpu", "gpu", "mps"]
default_device = "gpu"
check_importable = true
obfuscate = false
hash_module = false
hash_assets = false
`,
    );
    expect(warnings).toEqual([]);
    expect(manifest).toEqual({
      name: 'algo',
      version: '1.0.0',
      versionKey: [1, 0, 0],
      algorithmType: 'Image2Image',
      tags: ['image-denoising', 'x'],
      description: 'Denoises.',
      supportedDevices: ['cpu', 'gpu', 'mps'],
      defaultDevice: 'gpu',
      additionalParameters: [],
      checkImportable: true,
      obfuscate: false,
      hashModule: false,
      hashAssets: false,
      files: [],
      entry: 'Runner.js',
      assets: {},
      prompt: null,
      tests: [],
      preview: false,
    });
  });

  it('applies the reference defaults for an empty [tool.compox]', () => {
    const { manifest, warnings } = parseManifest(`${PROJECT}[tool.compox]\n`);
    expect(manifest.algorithmType).toBe('Undefined');
    expect(manifest.tags).toEqual([]);
    expect(manifest.description).toBe('');
    expect(manifest.supportedDevices).toEqual(['cpu']);
    expect(manifest.defaultDevice).toBe('cpu');
    expect(manifest.additionalParameters).toEqual([]);
    expect([manifest.checkImportable, manifest.obfuscate, manifest.hashModule, manifest.hashAssets]).toEqual([false, true, true, true]);
    expect(warnings).toEqual([UNDEFINED_WARNING, TAGS_WARNING, DESCRIPTION_WARNING]);
  });

  it('warns and uses all defaults when [tool.compox] is missing (fix 5)', () => {
    const { manifest, warnings } = parseManifest(PROJECT);
    expect(warnings).toEqual([MISSING_COMPOX_WARNING, UNDEFINED_WARNING, TAGS_WARNING, DESCRIPTION_WARNING]);
    expect(warnings[0]).toMatch(/^The \[tool\.compox\] section is not found in pyproject\.toml\./);
    expect(manifest.algorithmType).toBe('Undefined');
    expect(manifest.supportedDevices).toEqual(['cpu']);
    expect(manifest.defaultDevice).toBe('cpu');
    expect(manifest.obfuscate).toBe(true);
    // [tool] without compox is the same.
    expect(parseManifest(`${PROJECT}[tool.other]\nx = 1\n`).warnings[0]).toBe(MISSING_COMPOX_WARNING);
  });

  it.each([
    ['denoising', DENOISING, 'Image2Image', 'denoising_weight'],
    ['segmentation', SEGMENTATION, 'Image2Segmentation', 'thresholding_algorithm'],
    ['registration', REGISTRATION, 'Image2Alignment', 'max_translation'],
  ])('parses the %s template of the user guide with no errors or warnings', (_n, text, type, paramName) => {
    const { manifest, warnings } = parseManifest(text);
    expect(warnings).toEqual([]);
    expect(manifest.algorithmType).toBe(type);
    expect(manifest.versionKey).toEqual([1, 0, 0]);
    expect(manifest.additionalParameters.map((p) => p.name)).toEqual([paramName]);
  });

  it('keeps the template parameters intact', () => {
    expect(parseManifest(DENOISING).manifest.additionalParameters[0]?.config).toEqual({
      type: 'float_range',
      default: 0.1,
      adjustable: true,
      options: [],
      min: 0,
      max: 1,
      step: 0.05,
    });
    expect(parseManifest(SEGMENTATION).manifest.additionalParameters[0]?.config.options).toHaveLength(8);
  });

  it('accepts every algorithm type, including Segmentation2Segmentation (fix 1)', () => {
    for (const t of ALGORITHM_TYPES) {
      const { manifest } = parseManifest(`${PROJECT}[tool.compox]\nalgorithm_type = "${t}"\ntags = ["x"]\ndescription = "d"\n`);
      expect(manifest.algorithmType).toBe(t);
    }
    const { warnings } = parseManifest(`${PROJECT}[tool.compox]\nalgorithm_type = "Segmentation2Segmentation"\ntags = ["x"]\ndescription = "d"\n`);
    expect(warnings).toEqual([]);
  });

  it('accepts parameters written as an array of tables', () => {
    const { manifest, warnings } = parseManifest(`${compox()}
[[tool.compox.additional_parameters]]
name = "sigma"
description = "Smoothing."
config = {type = "float_range", default = 1.5, min = 0.5, max = 5.0, step = 0.5, adjustable = true}

[[tool.compox.additional_parameters]]
name = "mode"
description = "Mode."
[tool.compox.additional_parameters.config]
type = "string_enum"
default = "fast"
options = ["fast", "exact"]
`);
    expect(warnings).toEqual([]);
    expect(manifest.additionalParameters.map((p) => [p.name, p.config.type, p.config.default])).toEqual([
      ['sigma', 'float_range', 1.5],
      ['mode', 'string_enum', 'fast'],
    ]);
  });

  it('validateManifest accepts an already-parsed document (bigint integers, number floats)', () => {
    const { manifest, warnings } = validateManifest({
      project: { name: 'x', version: '2.3.4' },
      tool: {
        compox: {
          algorithm_type: 'Generic',
          tags: ['a'],
          description: 'd',
          additional_parameters: [{ name: 'n', description: 'd', config: { type: 'int_range', default: 5n, min: 0n, max: 10n, step: 1n } }],
        },
      },
    });
    expect(warnings).toEqual([]);
    expect(manifest.versionKey).toEqual([2, 3, 4]);
    expect(manifest.additionalParameters[0]?.config).toMatchObject({ default: 5, min: 0, max: 10, step: 1 });
    // A JS number is a TOML float there, so an int parameter rejects it.
    expect(() =>
      validateManifest({
        project: { name: 'x', version: '1.0.0' },
        tool: { compox: { additional_parameters: [{ name: 'n', description: 'd', config: { type: 'int', default: 5 } }] } },
      }),
    ).toThrow("Validation error in additional parameter n. Default value type mismatch: Expected int for type 'int', but got float.");
  });
});

// ───────────────────────────── [project] ─────────────────────────────

describe('[project] (fix 4)', () => {
  it('requires the [project] section', () => {
    const e = fails('[tool.compox]\nalgorithm_type = "Generic"\n');
    expect(e.message).toBe("pyproject.toml: the required section [project] is missing; it must contain the fields 'name' and 'version'.");
    expect(e.field).toBe('project');
  });

  it('requires name and version', () => {
    const noName = fails('[project]\nversion = "1.0.0"\n');
    expect(noName.message).toBe("pyproject.toml: [project] is missing the required field 'name'.");
    expect(noName.field).toBe('project.name');
    const noVersion = fails('[project]\nname = "x"\n');
    expect(noVersion.message).toBe("pyproject.toml: [project] is missing the required field 'version'.");
    expect(noVersion.field).toBe('project.version');
  });

  it('rejects a [project] that is not a table', () => {
    expect(fails('project = "x"\n').message).toBe('pyproject.toml: [project] must be a table; got the string "x".');
  });

  it.each([
    ['""', 'the string ""'],
    ['"my algo"', 'the string "my algo"'],
    ['"tab\\there"', 'the string "tab\\there"'],
    ['5', 'the integer 5'],
    ['["a"]', 'the list ["a"]'],
  ])('rejects name = %s', (value, got) => {
    const e = fails(`[project]\nname = ${value}\nversion = "1.0.0"\n`);
    expect(e.message).toBe(`pyproject.toml: [project] field 'name' must be a non-empty string without whitespace; got ${got}.`);
    expect(e.field).toBe('project.name');
  });

  it.each(['1.2', '1', '1.0.0.0', '1.0.0-beta', 'v1.0.0', '-1.0.0', '1.a.0', ''])('rejects version = "%s"', (v) => {
    const e = fails(`[project]\nname = "x"\nversion = "${v}"\n`);
    expect(e.message).toBe(
      `pyproject.toml: [project] field 'version' must be of the form major.minor.patch with non-negative integers (e.g. "1.0.0"); got ${JSON.stringify(v)}.`,
    );
    expect(e.field).toBe('project.version');
  });

  it('rejects a non-string version', () => {
    expect(fails('[project]\nname = "x"\nversion = 1.0\n').message).toBe(
      `pyproject.toml: [project] field 'version' must be a string of the form major.minor.patch (e.g. "1.0.0"); got the float 1.0.`,
    );
  });

  it('computes versionKey numerically', () => {
    const { manifest } = parseManifest('[project]\nname = "x"\nversion = "10.02.300"\n');
    expect(manifest.version).toBe('10.02.300');
    expect(manifest.versionKey).toEqual([10, 2, 300]);
  });
});

// ───────────────────────────── TOML ─────────────────────────────

describe('TOML parsing', () => {
  it('reports a syntax error with its line and column', () => {
    const e = fails(`${PROJECT}[tool.compox]\ntags = ["a",\n`);
    expect(e.message).toMatch(/^pyproject\.toml is not valid TOML: .+ \(line \d+, column \d+\)\./);
    expect(e.field).toBe('');
    const e2 = fails('[project]\nname = "x"\nname = "y"\n');
    expect(e2.message).toContain('(line 3, column 1)');
  });

  it('distinguishes TOML integers from floats', () => {
    // float accepts an integer literal (fix 2)
    const f = parseManifest(withParams(param('type = "float", default = 1')));
    expect(f.manifest.additionalParameters[0]?.config.default).toBe(1);
    // int rejects a float literal
    expect(paramError('type = "int", default = 1.0').message).toBe(`${P}Default value type mismatch: Expected int for type 'int', but got float.`);
    // int rejects a boolean: in Python bool passes as int (bool ⊂ int); here it does not.
    expect(paramError('type = "int", default = true').message).toBe(`${P}Default value type mismatch: Expected int for type 'int', but got bool.`);
    expect(paramError('type = "int_range", default = true, min = 0, max = 1, step = 1').message).toBe(
      `${P}Default value type mismatch: Expected int for type 'int_range', but got bool.`,
    );
  });

  it('rejects integers that a JS number cannot hold exactly', () => {
    const e = paramError('type = "int", default = 9007199254740993');
    expect(e.message).toBe(
      `${P}The integer 9007199254740993 in 'config.default' cannot be represented exactly; integers must be between -9007199254740991 and 9007199254740991.`,
    );
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.default');
  });
});

// ───────────────────────────── [tool.compox] model validator ─────────────────────────────

describe('[tool.compox] warnings and errors (reference §1.4)', () => {
  it('warns in the reference order', () => {
    const { warnings } = parseManifest(`${PROJECT}[tool.compox]\nalgorithm_type = "Undefined"\ntags = []\ndescription = ""\n`);
    expect(warnings).toEqual([UNDEFINED_WARNING, TAGS_WARNING, DESCRIPTION_WARNING]);
  });

  it('warns on empty supported_devices, then errors because the default device is not in it', () => {
    const e = fails(compox('supported_devices = []'));
    expect(e.message).toBe("Default device 'cpu' is not in the list of supported devices [].");
    expect(e.field).toBe('tool.compox.default_device');
    expect(e.warnings).toEqual([DEVICES_WARNING]);
  });

  it('errors when the default device is not supported', () => {
    expect(fails(compox('default_device = "gpu"')).message).toBe("Default device 'gpu' is not in the list of supported devices ['cpu'].");
    expect(fails(compox('supported_devices = ["gpu", "mps"]')).message).toBe("Default device 'cpu' is not in the list of supported devices ['gpu', 'mps'].");
  });

  it('warns on an empty default device and still errors (fix 10)', () => {
    const e = fails(compox('supported_devices = ["cpu", "gpu"]\ndefault_device = ""'));
    expect(e.warnings).toEqual([DEFAULT_DEVICE_WARNING]);
    expect(e.message).toBe("Default device '' is not in the list of supported devices ['cpu', 'gpu'].");
  });

  it('accepts mps', () => {
    const { manifest } = parseManifest(compox('supported_devices = ["mps"]\ndefault_device = "mps"'));
    expect(manifest.defaultDevice).toBe('mps');
  });

  it('emits parameter warnings before the algorithm-level ones (pydantic field validation comes first)', () => {
    const { warnings } = parseManifest(`${PROJECT}[tool.compox]\nadditional_parameters = [{name = "a", config = {type = "string", default = "x"}}]\n`);
    expect(warnings).toEqual([
      "Description is empty for additional parameter 'a'. Consider providing a description for better documentation.",
      UNDEFINED_WARNING,
      TAGS_WARNING,
      DESCRIPTION_WARNING,
    ]);
  });
});

describe('[tool.compox] type errors', () => {
  const T = 'pyproject.toml: [tool.compox] field';
  it.each([
    [
      'algorithm_type = "Foo"',
      `${T} 'algorithm_type' must be one of "Image2Alignment", "Image2Image", "Image2Segmentation", "Image2Embedding", "Segmentation2Segmentation", "Undefined", "Generic"; got the string "Foo".`,
      'tool.compox.algorithm_type',
    ],
    [
      'algorithm_type = 3',
      `${T} 'algorithm_type' must be one of "Image2Alignment", "Image2Image", "Image2Segmentation", "Image2Embedding", "Segmentation2Segmentation", "Undefined", "Generic"; got the integer 3.`,
      'tool.compox.algorithm_type',
    ],
    ['tags = "abc"', `${T} 'tags' must be a list of strings; got the string "abc".`, 'tool.compox.tags'],
    ['tags = ["a", 1]', `${T} 'tags' element 1 must be a string; got the integer 1.`, 'tool.compox.tags[1]'],
    ['description = 1.5', `${T} 'description' must be a string; got the float 1.5.`, 'tool.compox.description'],
    ['supported_devices = "cpu"', `${T} 'supported_devices' must be a list of "cpu", "gpu", "mps"; got the string "cpu".`, 'tool.compox.supported_devices'],
    [
      'supported_devices = ["cuda"]',
      `${T} 'supported_devices' element 0 must be one of "cpu", "gpu", "mps"; got the string "cuda".`,
      'tool.compox.supported_devices[0]',
    ],
    ['default_device = "cuda"', `${T} 'default_device' must be one of "cpu", "gpu", "mps", ""; got the string "cuda".`, 'tool.compox.default_device'],
    [
      'additional_parameters = {name = "x"}',
      `${T} 'additional_parameters' must be a list of parameter tables like {name = "...", description = "...", config = {type = "...", default = ..., adjustable = true}}; got the table {name = "x"}.`,
      'tool.compox.additional_parameters',
    ],
    ['check_importable = "yes"', `${T} 'check_importable' must be a boolean (true or false); got the string "yes".`, 'tool.compox.check_importable'],
    ['obfuscate = 1', `${T} 'obfuscate' must be a boolean (true or false); got the integer 1.`, 'tool.compox.obfuscate'],
    ['hash_module = "true"', `${T} 'hash_module' must be a boolean (true or false); got the string "true".`, 'tool.compox.hash_module'],
    ['hash_assets = 0', `${T} 'hash_assets' must be a boolean (true or false); got the integer 0.`, 'tool.compox.hash_assets'],
  ])('%s', (line, message, field) => {
    const e = fails(`${PROJECT}[tool.compox]\n${line}\n`);
    expect(e.message).toBe(message);
    expect(e.field).toBe(field);
  });

  it('rejects [tool] or [tool.compox] that are not tables', () => {
    expect(fails(`tool = 1\n${PROJECT}`).message).toBe('pyproject.toml: [tool] must be a table; got the integer 1.');
    expect(fails(`${PROJECT}[tool]\ncompox = "x"\n`).message).toBe('pyproject.toml: [tool.compox] must be a table; got the string "x".');
  });
});

describe('unknown keys (fix 3)', () => {
  it('warns on unknown [tool.compox] keys, naming the key and listing the known ones', () => {
    const { warnings } = parseManifest(compox('default_devices = "gpu"\nfoo = 1'));
    expect(warnings).toEqual([
      "Unknown key 'default_devices' in [tool.compox] (ignored). Known keys are: algorithm_type, tags, description, supported_devices, default_device, additional_parameters, check_importable, obfuscate, hash_module, hash_assets.",
      "Unknown key 'foo' in [tool.compox] (ignored). Known keys are: algorithm_type, tags, description, supported_devices, default_device, additional_parameters, check_importable, obfuscate, hash_module, hash_assets.",
    ]);
  });

  it('warns on unknown keys in a parameter and its config', () => {
    const { warnings, manifest } = parseManifest(
      withParams('{name = "p", description = "d", label = "P", config = {type = "string", default = "x", minimum = 0}}'),
    );
    expect(warnings).toEqual([
      "Unknown key 'label' in additional parameter 'p' (ignored). Known keys are: name, description, config.",
      "Unknown key 'minimum' in the config of additional parameter 'p' (ignored). Known keys are: type, default, adjustable, options, min, max, step, applies_when, applies_when_input.",
    ]);
    expect(manifest.additionalParameters[0]?.config).toEqual({
      type: 'string',
      default: 'x',
      adjustable: false,
      options: [],
      min: null,
      max: null,
      step: null,
    });
  });
});

// ───────────────────────────── additional parameters ─────────────────────────────

describe('additional parameters: warnings (reference §1.5)', () => {
  it('warns on an empty description and a missing default, in that order', () => {
    const { warnings, manifest } = parseManifest(withParams('{name = "p", config = {type = "string"}}'));
    expect(warnings).toEqual([
      "Description is empty for additional parameter 'p'. Consider providing a description for better documentation.",
      "Default value is None for additional parameter 'p'. Consider providing a default value.",
    ]);
    expect(manifest.additionalParameters[0]).toEqual({
      name: 'p',
      description: '',
      config: { type: 'string', default: null, adjustable: false, options: [], min: null, max: null, step: null },
    });
  });

  it('an enum without default warns and takes the first option', () => {
    const { warnings, manifest } = parseManifest(withParams(param('type = "int_enum", options = [7, 8]')));
    expect(warnings).toEqual(["Default value is None for additional parameter 'p'. Consider providing a default value."]);
    expect(manifest.additionalParameters[0]?.config.default).toBe(7);
  });

  it.each(['string_list', 'int_list', 'float_list', 'bool_list'])('%s without options warns', (t) => {
    const { warnings } = parseManifest(withParams(param(`type = "${t}", default = []`)));
    expect(warnings).toEqual([optionsEmpty('p', t)]);
  });

  it('warns (not errors) on a range default outside [min, max] (fix 7)', () => {
    const { warnings, manifest } = parseManifest(withParams(param('type = "int_range", default = 50, min = 0, max = 10, step = 1', 'x')));
    expect(warnings).toEqual(["Default value 50 is outside the range [0, 10] for parameter 'x'."]);
    expect(manifest.additionalParameters[0]?.config.default).toBe(50);
    const f = parseManifest(withParams(param('type = "float_range", default = -0.5, min = 0.0, max = 1.0, step = 0.1', 'y')));
    expect(f.warnings).toEqual(["Default value -0.5 is outside the range [0, 1] for parameter 'y'."]);
    // Inclusive bounds: no warning.
    expect(parseManifest(withParams(param('type = "int_range", default = 10, min = 0, max = 10, step = 1'))).warnings).toEqual([]);
    expect(parseManifest(withParams(param('type = "int_range", default = 0, min = 0, max = 10, step = 1'))).warnings).toEqual([]);
  });

  it('warns when a list default is not one of the declared list options', () => {
    const { warnings } = parseManifest(withParams(param('type = "int_list", default = [9], options = [[1, 2], [3]]')));
    expect(warnings).toEqual(["Default value [9] is not one of the options for parameter 'p'."]);
    expect(parseManifest(withParams(param('type = "float_list", default = [1, 2], options = [[1.0, 2.0]]'))).warnings).toEqual([]);
  });
});

describe('additional parameters: default type mismatch', () => {
  it.each([
    ['string', '1', 'str', 'int'],
    ['string', 'true', 'str', 'bool'],
    ['int', '1.5', 'int', 'float'],
    ['int', '"1"', 'int', 'str'],
    ['float', '"1.0"', 'float', 'str'],
    ['float', 'true', 'float', 'bool'],
    ['bool', '1', 'bool', 'int'],
    ['bool', '"true"', 'bool', 'str'],
    ['string_enum', '1', 'str', 'int'],
    ['int_enum', '1.0', 'int', 'float'],
    ['float_enum', '"a"', 'float', 'str'],
    ['string_list', '"a"', 'list', 'str'],
    ['int_list', '1', 'list', 'int'],
    ['float_list', '1.0', 'list', 'float'],
    ['bool_list', 'true', 'list', 'bool'],
  ])('%s default = %s', (type, value, expected, got) => {
    const e = paramError(`type = "${type}", default = ${value}, options = ["a"]`);
    expect(e.message).toBe(`${P}Default value type mismatch: Expected ${expected} for type '${type}', but got ${got}.`);
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.default');
  });

  it('float types accept integer literals (fix 2)', () => {
    const { manifest, warnings } = parseManifest(
      withParams(
        param('type = "float", default = 1', 'a'),
        param('type = "float_range", default = 1, min = 0, max = 10, step = 1', 'b'),
        param('type = "float_enum", default = 2, options = [1, 2.0, 3.5]', 'c'),
        param('type = "float_list", default = [1, 2.5], options = [[1, 2.5], [3]]', 'd'),
      ),
    );
    expect(warnings).toEqual([]);
    expect(manifest.additionalParameters.map((p) => p.config.default)).toEqual([1, 1, 2, [1, 2.5]]);
    expect(manifest.additionalParameters[1]?.config).toMatchObject({ min: 0, max: 10, step: 1 });
    expect(manifest.additionalParameters[2]?.config.options).toEqual([1, 2, 3.5]);
  });
});

describe('additional parameters: ranges', () => {
  it.each(['min', 'max', 'step'])('requires %s', (missing) => {
    const parts = { min: 'min = 0', max: 'max = 10', step: 'step = 1' } as Record<string, string>;
    delete parts[missing];
    const e = paramError(`type = "int_range", default = 1, ${Object.values(parts).join(', ')}`);
    expect(e.message).toBe(`${P}Min, max, and step values must be provided for range type 'int_range'.`);
    expect(e.field).toBe(`tool.compox.additional_parameters[0].config.${missing}`);
  });

  it('requires integers for int_range', () => {
    const e = paramError('type = "int_range", default = 1, min = 0.0, max = 10, step = 1');
    expect(e.message).toBe(`${P}Min, max, and step values must be of type int for range type 'int_range'.`);
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.min');
    expect(paramError('type = "int_range", default = 1, min = 0, max = 10, step = 0.5').message).toBe(
      `${P}Min, max, and step values must be of type int for range type 'int_range'.`,
    );
  });

  it('float_range accepts integer bounds (fix 2) but not other types', () => {
    const { manifest } = parseManifest(withParams(param('type = "float_range", default = 0.5, min = 0, max = 1, step = 0.1')));
    expect(manifest.additionalParameters[0]?.config).toMatchObject({ min: 0, max: 1, step: 0.1 });
    expect(paramError('type = "float_range", default = 0.5, min = true, max = 1.0, step = 0.1').message).toBe(
      `${P}The field 'config.min' must be an integer or a float; got the boolean true.`,
    );
    expect(paramError('type = "float_range", default = 0.5, min = "0", max = 1.0, step = 0.1').message).toBe(
      `${P}The field 'config.min' must be an integer or a float; got the string "0".`,
    );
  });

  it('requires min < max', () => {
    for (const [min, max] of [
      ['10', '0'],
      ['5', '5'],
    ]) {
      expect(paramError(`type = "int_range", default = 5, min = ${min}, max = ${max}, step = 1`).message).toBe(
        `${P}Min value must be less than max value for range type 'int_range'.`,
      );
    }
    expect(paramError('type = "float_range", default = 0.5, min = 1.0, max = 0.0, step = 0.1').message).toBe(
      `${P}Min value must be less than max value for range type 'float_range'.`,
    );
  });
});

describe('additional parameters: enums', () => {
  it('requires options', () => {
    expect(paramError('type = "string_enum", default = "a"').message).toBe(`${P}Options must be provided for enum type 'string_enum'.`);
    expect(paramError('type = "int_enum", default = 1, options = []').message).toBe(`${P}Options must be provided for enum type 'int_enum'.`);
  });

  it('requires options of the enum type', () => {
    const e = paramError('type = "string_enum", default = "a", options = ["a", 1]');
    expect(e.message).toBe(`${P}All options must be of type str for enum type 'string_enum'.`);
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.options[1]');
    expect(paramError('type = "int_enum", default = 1, options = [1, 2.5]').message).toBe(`${P}All options must be of type int for enum type 'int_enum'.`);
    expect(paramError('type = "int_enum", default = 1, options = [1, true]').message).toBe(`${P}All options must be of type int for enum type 'int_enum'.`);
    expect(paramError('type = "float_enum", default = 1.5, options = [1.5, "2"]').message).toBe(
      `${P}All options must be of type float for enum type 'float_enum'.`,
    );
    expect(paramError('type = "string_enum", default = "a", options = [["a"]]').message).toBe(
      `${P}All options must be of type str for enum type 'string_enum'.`,
    );
  });

  it('requires the default to be one of the options (Python list repr in the message)', () => {
    expect(paramError('type = "string_enum", default = "z", options = ["a", "b"]').message).toBe(
      `${P}Default value 'z' must be one of the options for enum type 'string_enum'. The options are: ['a', 'b'].`,
    );
    expect(paramError('type = "int_enum", default = 5, options = [42, 43]').message).toBe(
      `${P}Default value '5' must be one of the options for enum type 'int_enum'. The options are: [42, 43].`,
    );
    expect(paramError('type = "float_enum", default = 3.2, options = [3.14, 3.0, 1e-5]').message).toBe(
      `${P}Default value '3.2' must be one of the options for enum type 'float_enum'. The options are: [3.14, 3.0, 1e-05].`,
    );
  });

  it('compares float_enum options numerically', () => {
    const { manifest } = parseManifest(withParams(param('type = "float_enum", default = 1, options = [1.0, 2.0]')));
    expect(manifest.additionalParameters[0]?.config.default).toBe(1);
  });
});

describe('additional parameters: lists', () => {
  it('requires options to be lists', () => {
    const e = paramError('type = "int_list", default = [1], options = [1, 2]');
    expect(e.message).toBe(`${P}All options must be of type list for list type 'int_list'.`);
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.options[0]');
  });

  it('accepts options that are lists', () => {
    const { manifest, warnings } = parseManifest(withParams(param('type = "int_list", default = [1, 2], options = [[1, 2], [3]]')));
    expect(warnings).toEqual([]);
    expect(manifest.additionalParameters[0]?.config.options).toEqual([[1, 2], [3]]);
  });

  it.each([
    ['int_list', '["a"]', 0, 'int', 'str'],
    ['int_list', '[1, 2.5]', 1, 'int', 'float'],
    ['int_list', '[1, true]', 1, 'int', 'bool'],
    ['float_list', '[1.0, "x"]', 1, 'float', 'str'],
    ['string_list', '["a", 2]', 1, 'str', 'int'],
    ['bool_list', '[true, 1]', 1, 'bool', 'int'],
  ])('checks %s default %s element types (fix 6)', (type, value, index, expected, got) => {
    const e = paramError(`type = "${type}", default = ${value}`);
    expect(e.message).toBe(`${P}Default value element ${index} type mismatch: Expected ${expected} for type '${type}', but got ${got}.`);
    expect(e.field).toBe(`tool.compox.additional_parameters[0].config.default[${index}]`);
  });

  it('checks the element types of list options (fix 6)', () => {
    const e = paramError('type = "int_list", default = [1], options = [[1], ["a", 2]]');
    expect(e.message).toBe(`${P}Option 1 element 0 type mismatch: Expected int for type 'int_list', but got str.`);
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.options[1][0]');
  });

  it('rejects nested lists and tables as defaults', () => {
    expect(paramError('type = "int_list", default = [[1]]').message).toBe(
      `${P}The field 'config.default' must be a string, integer, float, boolean or a list of those; got the list [[1]].`,
    );
    expect(paramError('type = "string", default = {a = 1}').message).toBe(
      `${P}The field 'config.default' must be a string, integer, float, boolean or a list of those; got the table {a = 1}.`,
    );
  });
});

describe('additional parameters: structure', () => {
  it('rejects an unknown type, listing the 13 names', () => {
    const e = paramError('type = "str", default = "x"');
    expect(e.message).toBe(
      `${P}The field 'config.type' must be one of "string", "int", "float", "bool", "int_range", "float_range", "string_enum", "int_enum", "float_enum", "string_list", "int_list", "float_list", "bool_list"; got the string "str".`,
    );
    expect(e.field).toBe('tool.compox.additional_parameters[0].config.type');
    expect(paramError('default = "x"').message).toBe(
      `${P}The field 'config.type' is required; expected one of "string", "int", "float", "bool", "int_range", "float_range", "string_enum", "int_enum", "float_enum", "string_list", "int_list", "float_list", "bool_list".`,
    );
  });

  it("the user guide's stale example (type/default outside config) is an error showing the expected form (fix 9)", () => {
    const e = fails(FOO_EXAMPLE);
    expect(e.message).toBe(
      "Validation error in additional parameter some_user_defined_args. The field 'config' is required: 'type' and 'default' must be given inside it, not at the top level of the parameter. Expected form: config = {type = \"string\", default = \"hello\", adjustable = true}.",
    );
    expect(e.field).toBe('tool.compox.additional_parameters[0].config');
  });

  it('requires config', () => {
    const e = fails(withParams('{name = "p", description = "d"}'));
    expect(e.message).toBe(`${P}The field 'config' is required. Expected form: config = {type = "string", default = ..., adjustable = true}.`);
    expect(fails(withParams('{name = "p", config = "string"}')).message).toBe(
      `${P}The field 'config' must be a table like config = {type = "string", default = ..., adjustable = true}; got the string "string".`,
    );
  });

  it('requires a non-empty string name (fix 8)', () => {
    const missing = fails(withParams('{description = "d", config = {type = "string", default = "x"}}'));
    expect(missing.message).toBe("Validation error in additional parameter additional_parameters[0]. The field 'name' is required.");
    expect(missing.field).toBe('tool.compox.additional_parameters[0].name');
    expect(fails(withParams('{name = "", config = {type = "string", default = "x"}}')).message).toBe(
      'Validation error in additional parameter additional_parameters[0]. The field \'name\' must be a non-empty string; got the string "".',
    );
    expect(fails(withParams('{name = 3, config = {type = "string", default = "x"}}')).message).toBe(
      "Validation error in additional parameter additional_parameters[0]. The field 'name' must be a non-empty string; got the integer 3.",
    );
  });

  it('rejects duplicate names (fix 8)', () => {
    const e = fails(
      withParams(param('type = "string", default = "a"', 'dup'), param('type = "int", default = 1', 'other'), param('type = "int", default = 1', 'dup')),
    );
    expect(e.message).toBe(
      "Validation error in additional parameter dup. Duplicate parameter name 'dup' (already declared by additional_parameters[0]); parameter names must be unique.",
    );
    expect(e.field).toBe('tool.compox.additional_parameters[2].name');
  });

  it('rejects entries that are not tables', () => {
    expect(fails(compox('additional_parameters = ["x"]')).message).toBe(
      'Validation error in additional parameter additional_parameters[0]. Each additional parameter must be a table like {name = "...", description = "...", config = {type = "...", default = ..., adjustable = true}}; got the string "x".',
    );
  });

  it('checks description, adjustable and options field types', () => {
    expect(fails(withParams('{name = "p", description = 1, config = {type = "string", default = "x"}}')).message).toBe(
      `${P}The field 'description' must be a string; got the integer 1.`,
    );
    const adj = paramError('type = "string", default = "x", adjustable = "yes"');
    expect(adj.message).toBe(`${P}The field 'config.adjustable' must be a boolean (true or false); got the string "yes".`);
    expect(adj.field).toBe('tool.compox.additional_parameters[0].config.adjustable');
    expect(paramError('type = "string_enum", default = "x", options = "x"').message).toBe(`${P}The field 'config.options' must be a list; got the string "x".`);
  });

  it('adjustable defaults to false', () => {
    const { manifest } = parseManifest(withParams(param('type = "bool", default = false')));
    expect(manifest.additionalParameters[0]?.config.adjustable).toBe(false);
  });

  it('names the failing parameter index in the field path', () => {
    const e = fails(withParams(param('type = "string", default = "a"', 'a'), param('type = "int", default = "b"', 'b')));
    expect(e.message).toBe("Validation error in additional parameter b. Default value type mismatch: Expected int for type 'int', but got str.");
    expect(e.field).toBe('tool.compox.additional_parameters[1].config.default');
  });
});

// ───────────────────────────── [tool.algobox] ─────────────────────────────

describe('[tool.algobox]', () => {
  it('reads files and entry', () => {
    const r: ManifestResult = parseManifest(`${compox()}\n[tool.algobox]\nfiles = ["files/model.onnx", "files/labels.txt"]\nentry = "main.js"\n`);
    expect(r.manifest.files).toEqual(['files/model.onnx', 'files/labels.txt']);
    expect(r.manifest.entry).toBe('main.js');
    expect(r.warnings).toEqual([]);
  });

  it('warns on unknown keys', () => {
    const { warnings } = parseManifest(`${compox()}\n[tool.algobox]\nfile = ["x"]\n`);
    expect(warnings).toEqual(["Unknown key 'file' in [tool.algobox] (ignored). Known keys are: files, entry, assets, prompt, tests, preview."]);
  });

  it.each(['/abs/x', '../x', 'a/../b', 'a\\\\b', '', 'a//b', './x'])('rejects the bundle path "%s"', (f) => {
    const e = fails(`${compox()}\n[tool.algobox]\nfiles = ["ok.txt", "${f}"]\n`);
    expect(e.message).toMatch(/^pyproject\.toml: \[tool\.algobox\] field 'files' element 1 must be a relative path inside the bundle/);
    expect(e.field).toBe('tool.algobox.files[1]');
  });

  it('type-checks files and entry', () => {
    expect(fails(`${compox()}\n[tool.algobox]\nfiles = "x"\n`).message).toBe(
      `pyproject.toml: [tool.algobox] field 'files' must be a list of bundle paths; got the string "x".`,
    );
    expect(fails(`${compox()}\n[tool.algobox]\nentry = 1\n`).field).toBe('tool.algobox.entry');
    expect(fails(`${compox()}\n[tool]\nalgobox = 1\n`).message).toBe('pyproject.toml: [tool.algobox] must be a table; got the integer 1.');
  });
});

describe('pyFloatRepr (Python repr of floats in reference messages)', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [3.14, '3.14'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1e-4, '0.0001'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.25e22, '1.25e+22'],
    [123456.789, '123456.789'],
    [Number.NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('%s → %s', (n, s) => {
    expect(pyFloatRepr(n)).toBe(s);
  });
});
