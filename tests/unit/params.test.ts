import { describe, it, expect } from 'vitest';
import { parseManifest, type ParameterConfig, type ParameterDeclaration, type ParameterType } from '../../src/core/manifest';
import { ArgsError, argsSchema, formatValue, parameterValueSchema, validateArgs } from '../../src/core/params';

function decl(name: string, type: ParameterType, config: Partial<ParameterConfig> = {}): ParameterDeclaration {
  return {
    name,
    description: '',
    config: { type, default: null, adjustable: true, options: [], min: null, max: null, step: null, ...config },
  };
}

function argsError(params: ParameterDeclaration[], args: unknown): ArgsError {
  try {
    validateArgs(params, args);
  } catch (e) {
    expect(e).toBeInstanceOf(ArgsError);
    return e as ArgsError;
  }
  throw new Error('expected an ArgsError');
}

function message(p: ParameterDeclaration, value: unknown): string {
  return argsError([p], { [p.name]: value }).message;
}

const S = decl('s', 'string', { default: 'hello' });
const I = decl('i', 'int', { default: 42 });
const F = decl('f', 'float', { default: 3.14 });
const B = decl('b', 'bool', { default: true });
const IR = decl('r', 'int_range', { default: 42, min: 0, max: 100, step: 1 });
const FR = decl('denoising_weight', 'float_range', { default: 0.1, min: 0, max: 1, step: 0.05 });
const SE = decl('algo', 'string_enum', { default: 'otsu', options: ['otsu', 'yen'] });
const IE = decl('ie', 'int_enum', { default: 42, options: [42, 43, 44] });
const FE = decl('fe', 'float_enum', { default: 3.14, options: [3.14, 3.15, 1] });
const SL = decl('sl', 'string_list', { default: ['hello', 'world'] });
const IL = decl('sigmas', 'int_list', { default: [42, 43, 44] });
const FL = decl('fl', 'float_list', { default: [3.14, 3.15] });
const BL = decl('bl', 'bool_list', { default: [true, false] });
const ALL = [S, I, F, B, IR, FR, SE, IE, FE, SL, IL, FL, BL];

describe('validateArgs: valid values for every type', () => {
  it.each<[ParameterDeclaration, unknown]>([
    [S, 'x'],
    [S, ''],
    [I, 5],
    [I, -7],
    [I, 0],
    [I, Number.MAX_SAFE_INTEGER],
    [I, -Number.MAX_SAFE_INTEGER],
    [F, 1.5],
    [F, 1],
    [F, -1e300],
    [B, false],
    [IR, 0],
    [IR, 100],
    [IR, 57],
    [FR, 0],
    [FR, 1],
    [FR, 0.123],
    [SE, 'yen'],
    [IE, 44],
    [FE, 3.15],
    [FE, 1],
    [SL, []],
    [SL, ['a', 'b', 'c']],
    [IL, [1, -2, 3]],
    [FL, [1, 2.5, -0.1]],
    [BL, [false]],
  ])('%o accepts %o', (p, value) => {
    expect(validateArgs([p], { [p.name]: value })).toEqual({ [p.name]: value });
    expect(parameterValueSchema(p).safeParse(value).success).toBe(true);
  });

  it('does not validate step alignment', () => {
    expect(validateArgs([FR], { denoising_weight: 0.123 })).toEqual({ denoising_weight: 0.123 });
    expect(validateArgs([IR], { r: 3 })).toEqual({ r: 3 });
  });

  it('accepts parameters with adjustable = false like any other', () => {
    const p = decl('hidden', 'int', { default: 1, adjustable: false });
    expect(validateArgs([p], { hidden: 9 })).toEqual({ hidden: 9 });
  });
});

describe('validateArgs: invalid values', () => {
  it.each<[ParameterDeclaration, unknown, string]>([
    [S, 5, "Parameter 's' (string) must be a string; got 5."],
    [S, null, "Parameter 's' (string) must be a string; got null."],
    [S, ['a'], `Parameter 's' (string) must be a string; got ["a"].`],
    [I, 1.5, "Parameter 'i' (int) must be an integer; got 1.5."],
    [I, true, "Parameter 'i' (int) must be an integer; got true."],
    [I, '5', `Parameter 'i' (int) must be an integer; got "5".`],
    [I, Number.NaN, "Parameter 'i' (int) must be an integer; got NaN."],
    [I, Infinity, "Parameter 'i' (int) must be an integer; got Infinity."],
    [I, 2 ** 53, "Parameter 'i' (int) must be an integer between -9007199254740991 and 9007199254740991 (a safe integer); got 9007199254740992."],
    [I, -(2 ** 60), "Parameter 'i' (int) must be an integer between -9007199254740991 and 9007199254740991 (a safe integer); got -1152921504606847000."],
    [F, Number.NaN, "Parameter 'f' (float) must be a finite number; got NaN."],
    [F, -Infinity, "Parameter 'f' (float) must be a finite number; got -Infinity."],
    [F, '1.5', `Parameter 'f' (float) must be a finite number; got "1.5".`],
    [F, false, "Parameter 'f' (float) must be a finite number; got false."],
    [B, 1, "Parameter 'b' (bool) must be a boolean (true or false); got 1."],
    [B, 'true', `Parameter 'b' (bool) must be a boolean (true or false); got "true".`],
    [IR, 101, "Parameter 'r' (int_range) must be an integer between 0 and 100; got 101."],
    [IR, -1, "Parameter 'r' (int_range) must be an integer between 0 and 100; got -1."],
    [IR, 5.5, "Parameter 'r' (int_range) must be an integer between 0 and 100; got 5.5."],
    [IR, true, "Parameter 'r' (int_range) must be an integer between 0 and 100; got true."],
    [FR, 1.5, "Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got 1.5."],
    [FR, -0.0001, "Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got -0.0001."],
    [FR, Number.NaN, "Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got NaN."],
    [FR, '0.5', `Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got "0.5".`],
    [SE, 'foo', `Parameter 'algo' (string_enum) must be one of "otsu", "yen"; got "foo".`],
    [SE, 'OTSU', `Parameter 'algo' (string_enum) must be one of "otsu", "yen"; got "OTSU".`],
    [IE, 42.5, "Parameter 'ie' (int_enum) must be one of 42, 43, 44; got 42.5."],
    [IE, '42', `Parameter 'ie' (int_enum) must be one of 42, 43, 44; got "42".`],
    [FE, 3.141, "Parameter 'fe' (float_enum) must be one of 3.14, 3.15, 1; got 3.141."],
    [SL, 'a', `Parameter 'sl' (string_list) must be a list of strings; got "a".`],
    [SL, ['a', 1], "Parameter 'sl' (string_list) element 1 must be a string; got 1."],
    [IL, 5, "Parameter 'sigmas' (int_list) must be a list of integers; got 5."],
    [IL, [1, 2, 1.5], "Parameter 'sigmas' (int_list) element 2 must be an integer; got 1.5."],
    [IL, [true], "Parameter 'sigmas' (int_list) element 0 must be an integer; got true."],
    [
      IL,
      [2 ** 60],
      "Parameter 'sigmas' (int_list) element 0 must be an integer between -9007199254740991 and 9007199254740991 (a safe integer); got 1152921504606847000.",
    ],
    [FL, [1, Number.NaN], "Parameter 'fl' (float_list) element 1 must be a finite number; got NaN."],
    [FL, [1, '2'], `Parameter 'fl' (float_list) element 1 must be a finite number; got "2".`],
    [BL, [true, 0], "Parameter 'bl' (bool_list) element 1 must be a boolean; got 0."],
    [BL, { 0: true }, "Parameter 'bl' (bool_list) must be a list of booleans; got an object."],
  ])('%o rejects %o', (p, value, expected) => {
    expect(message(p, value)).toBe(expected);
    const r = parameterValueSchema(p).safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(expected);
  });

  it('checks list options: the value must equal one of the allowed lists', () => {
    const p = decl('pair', 'int_list', { default: [1, 2], options: [[1, 2], [3]] });
    expect(validateArgs([p], { pair: [3] })).toEqual({ pair: [3] });
    expect(validateArgs([p], { pair: [1, 2] })).toEqual({ pair: [1, 2] });
    expect(message(p, [1, 3])).toBe("Parameter 'pair' (int_list) must be one of the allowed lists [1, 2], [3]; got [1, 3].");
    expect(message(p, [2, 1])).toBe("Parameter 'pair' (int_list) must be one of the allowed lists [1, 2], [3]; got [2, 1].");
    expect(message(p, [1, 2, 3])).toBe("Parameter 'pair' (int_list) must be one of the allowed lists [1, 2], [3]; got [1, 2, 3].");
    // element types are checked before the options
    expect(message(p, ['1', 2])).toBe(`Parameter 'pair' (int_list) element 0 must be an integer; got "1".`);
  });
});

describe('validateArgs: names', () => {
  it('lists every unknown name and the declared names', () => {
    const params = [decl('a', 'int', { default: 1 }), decl('b', 'int', { default: 1 }), decl('c', 'int', { default: 1 })];
    const one = argsError(params, { foo: 1 });
    expect(one.message).toBe("Unknown parameter 'foo' for this algorithm; declared parameters are: a, b, c.");
    expect(one.field).toBe('foo');
    expect(argsError(params, { a: 2, foo: 1, bar: 2 }).message).toBe("Unknown parameters 'foo', 'bar' for this algorithm; declared parameters are: a, b, c.");
  });

  it('says so when no parameters are declared', () => {
    expect(argsError([], { x: 1 }).message).toBe("Unknown parameter 'x' for this algorithm; this algorithm declares no parameters.");
    expect(validateArgs([], {})).toEqual({});
    expect(validateArgs([], undefined)).toEqual({});
  });

  it('is case-sensitive', () => {
    expect(argsError([S], { S: 'x' }).message).toBe("Unknown parameter 'S' for this algorithm; declared parameters are: s.");
  });
});

describe('validateArgs: args object', () => {
  it.each<[unknown, string]>([
    [[], 'Arguments must be an object mapping parameter names to values; got [].'],
    ['x', 'Arguments must be an object mapping parameter names to values; got "x".'],
    [5, 'Arguments must be an object mapping parameter names to values; got 5.'],
    [new Map(), 'Arguments must be an object mapping parameter names to values; got an object of type Map.'],
    [new Date(0), 'Arguments must be an object mapping parameter names to values; got a Date (1970-01-01T00:00:00.000Z).'],
  ])('rejects %o', (args, expected) => {
    const e = argsError([S], args);
    expect(e.message).toBe(expected);
    expect(e.field).toBeNull();
  });

  it('treats null and undefined as {}', () => {
    expect(validateArgs([S, I], null)).toEqual({ s: 'hello', i: 42 });
    expect(validateArgs([S, I], undefined)).toEqual({ s: 'hello', i: 42 });
  });

  it('accepts an object without prototype', () => {
    const args = Object.create(null) as Record<string, unknown>;
    args['i'] = 3;
    expect(validateArgs([I], args)).toEqual({ i: 3 });
  });
});

describe('validateArgs: defaults', () => {
  it('merges the declared defaults for missing args, in declared order', () => {
    const out = validateArgs(ALL, { i: 7, algo: 'yen' });
    expect(out).toEqual({
      s: 'hello',
      i: 7,
      f: 3.14,
      b: true,
      r: 42,
      denoising_weight: 0.1,
      algo: 'yen',
      ie: 42,
      fe: 3.14,
      sl: ['hello', 'world'],
      sigmas: [42, 43, 44],
      fl: [3.14, 3.15],
      bl: [true, false],
    });
    expect(Object.keys(out)).toEqual(ALL.map((p) => p.name));
  });

  it('treats an explicit undefined as missing', () => {
    expect(validateArgs([I], { i: undefined })).toEqual({ i: 42 });
  });

  it('copies list defaults, so results never share them', () => {
    const first = validateArgs([IL], {});
    (first['sigmas'] as number[]).push(99);
    expect(IL.config.default).toEqual([42, 43, 44]);
    const second = validateArgs([IL], {});
    expect(second['sigmas']).toEqual([42, 43, 44]);
    expect(second['sigmas']).not.toBe(first['sigmas']);
    expect(second['sigmas']).not.toBe(IL.config.default);
  });

  it('copies given lists too', () => {
    const given = [1, 2];
    const out = validateArgs([IL], { sigmas: given });
    expect(out['sigmas']).toEqual([1, 2]);
    expect(out['sigmas']).not.toBe(given);
  });

  it('leaves out parameters with a null default that were not given', () => {
    const p = decl('opt', 'string');
    expect(validateArgs([p, I], {})).toEqual({ i: 42 });
    expect(validateArgs([p, I], { opt: 'x' })).toEqual({ opt: 'x', i: 42 });
  });

  it('does not re-check defaults', () => {
    const p = decl('x', 'int_range', { default: 50, min: 0, max: 10, step: 1 });
    expect(validateArgs([p], {})).toEqual({ x: 50 });
    expect(message(p, 50)).toBe("Parameter 'x' (int_range) must be an integer between 0 and 10; got 50.");
  });
});

describe('validateArgs: reporting', () => {
  it('reports the first failing parameter in declared order and keeps all issues', () => {
    const e = argsError(ALL, { sigmas: [1, 'x'], i: 1.5, denoising_weight: 2 });
    expect(e.message).toBe("Parameter 'i' (int) must be an integer; got 1.5.");
    expect(e.field).toBe('i');
    expect(e.issues).toEqual([
      "Parameter 'i' (int) must be an integer; got 1.5.",
      "Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got 2.",
      `Parameter 'sigmas' (int_list) element 1 must be an integer; got "x".`,
    ]);
  });

  it('reports unknown names before value errors', () => {
    const e = argsError([I], { i: 'x', zzz: 1 });
    expect(e.message).toBe("Unknown parameter 'zzz' for this algorithm; declared parameters are: i.");
    expect(e.issues).toHaveLength(2);
  });
});

describe('zod schemas', () => {
  it('argsSchema: declared keys optional, unknown keys rejected', () => {
    const schema = argsSchema([S, IR]);
    expect(schema.safeParse({}).success).toBe(true);
    expect(schema.safeParse({ r: 3 }).data).toEqual({ r: 3 });
    const bad = schema.safeParse({ r: 300, q: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message).sort()).toEqual([
      "Parameter 'r' (int_range) must be an integer between 0 and 100; got 300.",
      "Unknown parameter 'q' for this algorithm; declared parameters are: s, r.",
    ]);
    // the issue of a parameter carries its path, for forms
    expect(bad.error?.issues.find((i) => i.path[0] === 'r')).toBeDefined();
  });

  it('parameterValueSchema works for declarations coming from a manifest', () => {
    const { manifest } = parseManifest(`[project]
name = "t"
version = "1.0.0"
[tool.compox]
algorithm_type = "Image2Image"
tags = ["image-denoising"]
description = "d"
additional_parameters = [
  {name = "denoising_weight", description = "w", config = {type = "float_range", default = 0.1, min = 0.0, max = 1.0, step = 0.05, adjustable = true}},
  {name = "n", description = "n", config = {type = "float_enum", default = 1, options = [1, 2.5]}},
]
`);
    const [w, n] = manifest.additionalParameters;
    if (!w || !n) throw new Error('missing parameters');
    expect(parameterValueSchema(w).safeParse(0.5).success).toBe(true);
    expect(parameterValueSchema(w).safeParse(1.5).error?.issues[0]?.message).toBe(
      "Parameter 'denoising_weight' (float_range) must be a number between 0 and 1; got 1.5.",
    );
    expect(parameterValueSchema(n).safeParse(1.0).success).toBe(true);
    expect(parameterValueSchema(n).safeParse(2).success).toBe(false);
    expect(validateArgs(manifest.additionalParameters, {})).toEqual({ denoising_weight: 0.1, n: 1 });
  });

  it('handles hand-made declarations with missing bounds or options', () => {
    expect(message(decl('lo', 'int_range', { min: 0 }), -1)).toBe("Parameter 'lo' (int_range) must be an integer of at least 0; got -1.");
    expect(message(decl('hi', 'float_range', { max: 2 }), 3)).toBe("Parameter 'hi' (float_range) must be a number of at most 2; got 3.");
    expect(validateArgs([decl('u', 'float_range')], { u: 1e9 })).toEqual({ u: 1e9 });
    expect(message(decl('e', 'string_enum'), 'a')).toBe(`Parameter 'e' (string_enum) must be one of the declared options (none are declared); got "a".`);
  });
});

describe('formatValue', () => {
  it('formats values for messages', () => {
    expect(formatValue('a')).toBe('"a"');
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue([1, 'a', [true]])).toBe('[1, "a", [true]]');
    expect(formatValue(Array.from({ length: 12 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (12 items)]');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue({})).toBe('an object');
    expect(formatValue(new Float32Array(2))).toBe('a Float32Array');
    expect(formatValue(() => 1)).toBe('a function');
  });
});
