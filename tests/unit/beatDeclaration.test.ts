// Algorithm declarations (reference §2) and parameters (§6): the seed's declarations, the runtime
// classification, declaration errors, and parameter casting/validation with upstream's messages.
import { describe, expect, it } from 'vitest';
import { checkDeclaration, checkParameters, parseDeclaration, pyRepr, resultFormatDeclaration } from '../../src/core/beat';
import pcaDeclaration from '../fixtures/beat/pca/declaration.json';
import { registry, thrown } from '../fixtures/beat/helpers';

function errorsOf(json: unknown): string[] {
  return checkDeclaration(json, { dataFormats: registry() }).errors;
}

const block = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  language: 'javascript',
  splittable: false,
  groups: [{ inputs: { in: { type: 'user/single_integer/1' } }, outputs: { out: { type: 'user/single_integer/1' } } }],
  ...extra,
});

// The seed's analyzer example (language changed to javascript, formats to ones we have).
const seedAnalyzer = {
  language: 'javascript',
  groups: [{ inputs: { scores: { type: 'system/array_1d_floats/1' } } }],
  results: {
    far: { type: 'float32', display: true },
    roc: { type: 'plot/scatter/1', display: false },
    number_of_positives: { type: 'int32', display: false },
    frr: { type: 'float32', display: true },
    eer: { type: 'float32', display: true },
    threshold: { type: 'float32', display: false },
    number_of_negatives: { type: 'int32', display: false },
  },
};

describe('declarations', () => {
  it("the seed's PCA declaration: a legacy (API v1) block", () => {
    const d = parseDeclaration(pcaDeclaration, { dataFormats: registry() });
    expect([d.apiVersion, d.type, d.isLegacy, d.isSequential, d.isAutonomous, d.isAnalyzer, d.splittable, d.schemaVersion]).toEqual([
      1,
      'legacy',
      true,
      false,
      false,
      false,
      false,
      1,
    ]);
    expect(d.description).toBe('Principal Component Analysis (PCA)');
    expect(d.groups).toEqual([
      {
        index: 0,
        channel: 'group0',
        inputs: [{ name: 'image', type: 'system/array_2d_uint8/1', description: null, lazy: false }],
        outputs: [{ name: 'subspace', type: 'tutorial/linear_machine/1', description: null, lazy: false }],
      },
    ]);
    expect(d.parameters).toEqual([{ name: 'number-of-components', type: 'uint32', default: 5, range: null, choice: null, description: null }]);
    expect(d.inputMap).toEqual({ image: 'system/array_2d_uint8/1' });
    expect(d.outputMap).toEqual({ subspace: 'tutorial/linear_machine/1' });
    expect(d.results).toBeNull();
  });

  it("the seed's analyzer declaration: results with display flags, result format synthesized", () => {
    const d = parseDeclaration(seedAnalyzer, { dataFormats: registry() });
    expect([d.isAnalyzer, d.type, d.splittable]).toEqual([true, 'legacy', false]);
    expect(d.results!.map((r) => [r.name, r.type, r.display])).toEqual([
      ['far', 'float32', true],
      ['roc', 'plot/scatter/1', false],
      ['number_of_positives', 'int32', false],
      ['frr', 'float32', true],
      ['eer', 'float32', true],
      ['threshold', 'float32', false],
      ['number_of_negatives', 'int32', false],
    ]);
    expect(resultFormatDeclaration(d)).toEqual({
      far: 'float32',
      roc: 'plot/scatter/1',
      number_of_positives: 'int32',
      frr: 'float32',
      eer: 'float32',
      threshold: 'float32',
      number_of_negatives: 'int32',
    });
  });

  it('runtime classification (§2.2): API v1 is always legacy; API v2 defaults to sequential', () => {
    expect(parseDeclaration(block({ type: 'autonomous' })).type).toBe('legacy');
    expect(parseDeclaration(block({ api_version: 2 })).type).toBe('sequential');
    const a = parseDeclaration(block({ api_version: 2, type: 'autonomous', schema_version: 2 }));
    expect([a.type, a.isAutonomous, a.schemaVersion]).toEqual(['autonomous', true, 2]);
    const two = parseDeclaration({
      ...block({ api_version: 2 }),
      groups: [
        { name: 'main', inputs: { a: { type: 'user/single_integer/1' } }, outputs: { out: { type: 'user/single_integer/1' } } },
        { inputs: { b: { type: 'user/single_integer/1' } } },
      ],
    });
    expect(two.groups.map((g) => g.channel)).toEqual(['main', 'group1']);
  });

  it('lists every problem, structural or semantic', () => {
    expect(errorsOf({ language: 'javascript', groups: [] })).toEqual(['groups: Too small: expected array to have >=1 items, got array(0) []']);
    expect(errorsOf({ ...block(), foo: 1, api_version: 3 })).toEqual(['api_version: expected 1 or 2, got number 3', 'Unrecognized key: "foo"']);
    expect(errorsOf({ ...block(), groups: [{ inputs: { 'a b': { type: 'user/single_integer/1' } }, outputs: {} }] })).toEqual([
      'groups[0].inputs.a b: invalid name (expected letters, digits, _ and -, starting with a letter or _)',
    ]);
    expect(errorsOf({ ...block(), groups: [{ inputs: { a: { type: 'int32' } }, outputs: {} }] })).toEqual([
      'groups[0].inputs.a.type: expected a data format name <user>/<name>/<version>, got string "int32"',
    ]);
    expect(
      errorsOf({
        language: 'python',
        api_version: 2,
        type: 'loop_user',
        uses: { lib: 'user/lib/1' },
        groups: [
          { inputs: { a: { type: 'user/single_integer/1' } } },
          { inputs: { a: { type: 'user/missing/1' } }, outputs: { o: { type: 'user/single_integer/1' } } },
        ],
      }),
    ).toEqual([
      "language: only 'javascript' algorithms can run here, got 'python'",
      'groups[0].loop: a loop_user algorithm declares its loop in the first group: { "request": { "type": … }, "answer": { "type": … } }',
      'uses: libraries are not supported yet',
      'groups[0].outputs: a block declares its outputs in the first group',
      'groups[1].outputs: outputs may only be declared in the first group',
      "repeated input name 'a'",
      "input 'a': unknown data format 'user/missing/1'",
    ]);
    expect(
      errorsOf({
        ...seedAnalyzer,
        splittable: true,
        groups: [{ inputs: { scores: { type: 'system/array_1d_floats/1' } }, outputs: {} }],
        results: { x: { type: 'int64' }, y: { type: 'plot/nothing/1' } },
      }),
    ).toEqual([
      'splittable: not allowed on an analyzer',
      'groups[0].outputs: an analyzer has results, not outputs',
      "results.x.type: expected int32, float32, bool, string or a system/… or plot/… data format, got 'int64'",
      "result 'y': unknown data format 'plot/nothing/1'",
    ]);
    const e = thrown(() => parseDeclaration({ language: 'javascript' }));
    expect([e.code, e.message, e.details]).toEqual([
      'E_DECLARATION',
      'invalid algorithm declaration: groups: Invalid input: expected array, received undefined',
      ['groups: Invalid input: expected array, received undefined'],
    ]);
  });
});

describe('parameters', () => {
  const parametrized = block({
    parameters: {
      int8_value: { type: 'int8', default: 1 },
      int16_value: { type: 'int16', default: 2 },
      int32_value: { type: 'int32', default: 3 },
      int64_value: { type: 'int64', default: 4 },
      uint8_value: { type: 'uint8', default: 5 },
      uint16_value: { type: 'uint16', default: 6 },
      uint32_value: { type: 'uint32', default: 7 },
      uint64_value: { type: 'uint64', default: 8 },
      float32_value: { type: 'float32', default: 9 },
      float64_value: { type: 'float64', default: 10 },
      bool_value: { type: 'bool', default: false },
      string_value: { type: 'string', default: 'default' },
      ranged: { type: 'float64', default: 0.5, range: [0, 1] },
      chosen: { type: 'string', default: 'b', choice: ['a', 'b', 'c'] },
      required: { type: 'int32' },
    },
  });
  const specs = parseDeclaration(parametrized).parameters;
  const A = 'user/parametrized/1';

  it('defaults (all twelve types) and custom values', () => {
    expect(checkParameters(specs, { required: 0 }, A)).toEqual({
      int8_value: 1,
      int16_value: 2,
      int32_value: 3,
      int64_value: 4,
      uint8_value: 5,
      uint16_value: 6,
      uint32_value: 7,
      uint64_value: 8,
      float32_value: 9,
      float64_value: 10,
      bool_value: false,
      string_value: 'default',
      ranged: 0.5,
      chosen: 'b',
      required: 0,
    });
    const custom = checkParameters(
      specs,
      { int8_value: -128, uint64_value: 2n ** 52n, float32_value: 0.25, bool_value: true, string_value: 'x', ranged: 1, chosen: 'c', required: -7 },
      A,
    );
    expect([
      custom.int8_value,
      custom.uint64_value,
      custom.float32_value,
      custom.bool_value,
      custom.string_value,
      custom.ranged,
      custom.chosen,
      custom.required,
    ]).toEqual([-128, 2 ** 52, 0.25, true, 'x', 1, 'c', -7]);
  });

  it.each([
    [
      { required: 0, ranged: 1.5 },
      "parameter `ranged' cannot be safely cast to the declared type on algorithm `user/parametrized/1': value for `ranged' (1.5) must be picked within interval `[0.0, 1.0]'",
    ],
    [
      { required: 0, chosen: 'z' },
      "parameter `chosen' cannot be safely cast to the declared type on algorithm `user/parametrized/1': value for `chosen' ('z') must be one of `['a', 'b', 'c']'",
    ],
    [{ required: 1.5 }, "parameter `required' cannot be safely cast to the declared type on algorithm `user/parametrized/1': expected an integer, got 1.5"],
    [
      { required: 0, int8_value: 200 },
      "parameter `int8_value' cannot be safely cast to the declared type on algorithm `user/parametrized/1': 200 is out of range for int8 [-128, 127]",
    ],
    [
      { required: 0, uint64_value: -1 },
      "parameter `uint64_value' cannot be safely cast to the declared type on algorithm `user/parametrized/1': -1 is out of range for uint64 [0, 9007199254740991]",
    ],
    [
      { required: 0, bool_value: 'False' },
      'parameter `bool_value\' cannot be safely cast to the declared type on algorithm `user/parametrized/1\': expected a boolean, got string "False"',
    ],
    [
      { required: 0, string_value: 3 },
      "parameter `string_value' cannot be safely cast to the declared type on algorithm `user/parametrized/1': expected a string, got 3",
    ],
    [
      { required: 0, float32_value: 1e40 },
      "parameter `float32_value' cannot be safely cast to the declared type on algorithm `user/parametrized/1': 1e+40 is out of range for float32",
    ],
  ])('rejects %j', (given, message) => {
    const e = thrown(() => checkParameters(specs, given, A));
    expect([e.code, e.message]).toEqual(['E_PARAM_VALUE', message]);
  });

  it('undeclared names and missing values without default', () => {
    const e = thrown(() => checkParameters(specs, { foo: 1, required: 0, bar: 2 }, A));
    expect(e.code).toBe('E_PARAM_UNDECLARED');
    expect(e.message).toBe(
      "parameters `foo,bar' are not declared for algorithm `user/parametrized/1' - valid parameters are `int8_value,int16_value,int32_value,int64_value,uint8_value,uint16_value,uint32_value,uint64_value,float32_value,float64_value,bool_value,string_value,ranged,chosen,required'",
    );
    const m = thrown(() => checkParameters(specs, {}, A));
    expect([m.code, m.message]).toEqual(['E_PARAM_MISSING', "parameter `required' has no default and was not set"]);
  });

  it('load-time casting of default, range and choice, with upstream messages', () => {
    expect(
      errorsOf(
        block({
          parameters: {
            a: { type: 'uint32', default: -1 },
            b: { type: 'int32', default: 1, range: [5, 1] },
            c: { type: 'int32', default: 10, range: [0, 5] },
            d: { type: 'string', default: 'd', choice: ['a', 'b', 'c'] },
            e: { type: 'float64', default: 2, range: [0, 1] },
            f: { type: 'int8', choice: [1, 1000] },
            g: { type: 'bool', default: 'yes' },
          },
        }),
      ),
    ).toEqual([
      "default for parameter `a' cannot be cast to type `uint32': -1 is out of range for uint32 [0, 4294967295]",
      "range for parameter `b' has a start greater then the end value (5 >= 1)",
      "default for parameter `b' (1) is not within parameter range [5, 1]",
      "default for parameter `c' (10) is not within parameter range [0, 5]",
      "default for parameter `d' ('d') is not a valid choice `['a', 'b', 'c']'",
      "default for parameter `e' (2.0) is not within parameter range [0.0, 1.0]",
      "choice[1] for parameter `f' cannot be cast to type `int8': 1000 is out of range for int8 [-128, 127]",
      'default for parameter `g\' cannot be cast to type `bool\': expected a boolean, got string "yes"',
    ]);
  });

  it('pyRepr prints values as Python would', () => {
    expect([pyRepr('a'), pyRepr("it's"), pyRepr(true), pyRepr(3), pyRepr(3, 'float32'), pyRepr(0.00001), pyRepr(1e16, 'float64'), pyRepr(2.5)]).toEqual([
      "'a'",
      '"it\'s"',
      'True',
      '3',
      '3.0',
      '1e-05',
      '1e+16',
      '2.5',
    ]);
  });
});
