// The parameter form's pure helpers (src/app/algorithms/paramValues.ts): initial drafts from
// defaults, coercion of typed text to values, chip parsing, and validation with the engine's own
// zod schemas; plus the device chooser's disabled-GPU rendering.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ParameterConfig, ParameterDeclaration, ParameterType } from '../../src/core/manifest';
import { parseManifest } from '../../src/core/manifest';
import { validateArgs } from '../../src/core/params';
import {
  coerceDraft,
  controlKind,
  draftFromValue,
  draftsFromArgs,
  evaluateForm,
  initialDrafts,
  isDefaultDraft,
  numberStep,
  parseChipInput,
  parseNumberText,
  rangeBounds,
  validateDraft,
  visibleParams,
} from '../../src/app/algorithms/paramValues';
import { DeviceChooser, preferredDevice, runDevices } from '../../src/app/algorithms/DeviceChooser';
import { EMPTY_FILTER, toAlgorithmFilter, toggleTag } from '../../src/app/algorithms/CatalogFilters';
import { formatMs } from '../../src/app/runs/format';

function decl(name: string, type: ParameterType, config: Partial<ParameterConfig> = {}): ParameterDeclaration {
  return { name, description: '', config: { type, default: null, adjustable: true, options: [], min: null, max: null, step: null, ...config } };
}

const S = decl('s', 'string', { default: 'hello' });
const I = decl('i', 'int', { default: 42 });
const F = decl('f', 'float', { default: 3.14 });
const B = decl('b', 'bool', { default: true });
const IR = decl('r', 'int_range', { default: 42, min: 0, max: 100, step: 2 });
const FR = decl('w', 'float_range', { default: 0.1, min: 0, max: 1, step: 0.05 });
const SE = decl('algo', 'string_enum', { default: 'otsu', options: ['otsu', 'yen'] });
const IE = decl('ie', 'int_enum', { default: 43, options: [42, 43, 44] });
const FE = decl('fe', 'float_enum', { default: 1, options: [3.14, 1] });
const SL = decl('sl', 'string_list', { default: ['hello', 'world'] });
const IL = decl('il', 'int_list', { default: [1, 2, 3] });
const FL = decl('fl', 'float_list', { default: [0.5, 1.5] });
const BL = decl('bl', 'bool_list', { default: [true, false] });
const HIDDEN = decl('secret', 'int', { default: 7, adjustable: false });
const ALL = [S, I, F, B, IR, FR, SE, IE, FE, SL, IL, FL, BL];

describe('controls and initial drafts', () => {
  it('gives each of the 13 types its control', () => {
    expect(ALL.map((p) => controlKind(p.config.type))).toEqual([
      'text',
      'number',
      'number',
      'checkbox',
      'range',
      'range',
      'select',
      'select',
      'select',
      'chips',
      'chips',
      'chips',
      'chips',
    ]);
  });

  it('prefills the defaults and hides adjustable = false', () => {
    const d = initialDrafts([...ALL, HIDDEN]);
    expect(d).toEqual({
      s: 'hello',
      i: '42',
      f: '3.14',
      b: true,
      r: '42',
      w: '0.1',
      algo: '0',
      ie: '1',
      fe: '1',
      sl: ['hello', 'world'],
      il: ['1', '2', '3'],
      fl: ['0.5', '1.5'],
      bl: ['true', 'false'],
    });
    expect(visibleParams([S, HIDDEN]).map((p) => p.name)).toEqual(['s']);
  });

  it('round-trips every default through its draft to exactly the declared value', () => {
    for (const p of ALL) expect(coerceDraft(p, draftFromValue(p, p.config.default))).toEqual(p.config.default);
    const { args, valid } = evaluateForm([...ALL, HIDDEN], initialDrafts([...ALL, HIDDEN]));
    expect(valid).toBe(true);
    expect(args).not.toHaveProperty('secret');
    // What the form sends is what the engine accepts (same schema), unchanged.
    expect(validateArgs([...ALL, HIDDEN], args)).toEqual({ ...args, secret: 7 });
  });

  it("puts a previous run's arguments back in the form (Run again); unset ones keep their defaults", () => {
    const args = { s: 'again', i: 7, b: false, algo: 'yen', il: [4, 5], secret: 99 };
    const d = draftsFromArgs([...ALL, HIDDEN], args);
    expect(d).toEqual({ ...initialDrafts(ALL), s: 'again', i: '7', b: false, algo: '1', il: ['4', '5'] });
    const { args: back, valid } = evaluateForm([...ALL, HIDDEN], d);
    expect(valid).toBe(true);
    expect(back).toMatchObject({ s: 'again', i: 7, b: false, algo: 'yen', il: [4, 5] });
    expect(back).not.toHaveProperty('secret');
  });

  it('builds drafts from a real manifest', () => {
    const { manifest } = parseManifest(`[project]
name = "x"
version = "1.0.0"
[tool.compox]
algorithm_type = "Image2Image"
tags = ["t"]
description = "d"
supported_devices = ["cpu"]
default_device = "cpu"
additional_parameters = [
  {name = "sigma", description = "blur", config = {type = "float_range", default = 1, min = 0, max = 10, step = 0.5, adjustable = true}},
  {name = "mode", description = "m", config = {type = "int_enum", default = 2, options = [1, 2, 3], adjustable = true}},
]`);
    expect(initialDrafts(manifest.additionalParameters)).toEqual({ sigma: '1', mode: '1' });
    expect(rangeBounds(manifest.additionalParameters[0]!)).toEqual({ min: 0, max: 10, step: 0.5 });
  });
});

describe('coercion of form text to values', () => {
  it('parses numbers and keeps anything else as text', () => {
    expect(parseNumberText('12')).toBe(12);
    expect(parseNumberText(' -0.5 ')).toBe(-0.5);
    expect(parseNumberText('1e3')).toBe(1000);
    expect(parseNumberText('.25')).toBe(0.25);
    expect(parseNumberText('abc')).toBe('abc');
    expect(parseNumberText('')).toBe('');
    expect(parseNumberText('0x10')).toBe('0x10');
  });

  it('coerces each control kind', () => {
    expect(coerceDraft(I, '7')).toBe(7);
    expect(coerceDraft(FR, '0.35')).toBe(0.35);
    expect(coerceDraft(SE, '1')).toBe('yen');
    expect(coerceDraft(IE, '2')).toBe(44);
    expect(coerceDraft(B, false)).toBe(false);
    expect(coerceDraft(IL, ['4', 'x'])).toEqual([4, 'x']);
    expect(coerceDraft(BL, ['TRUE', 'false', 'maybe'])).toEqual([true, false, 'maybe']);
    expect(coerceDraft(SL, ['a b', ''])).toEqual(['a b', '']);
    expect(coerceDraft(S, '')).toBe('');
  });

  it('leaves out empty controls of parameters without a default', () => {
    const n = decl('n', 'int');
    const e = decl('e', 'string_enum', { options: ['a', 'b'] });
    const l = decl('l', 'int_list');
    expect(initialDrafts([n, e, l])).toEqual({ n: '', e: '', l: [] });
    expect(evaluateForm([n, e, l], initialDrafts([n, e, l]))).toEqual({ args: {}, errors: {}, valid: true });
    expect(coerceDraft(n, '3')).toBe(3);
  });

  it('steps: integers by 1 or the declared step, floats any', () => {
    expect(numberStep(I)).toBe(1);
    expect(numberStep(F)).toBe('any');
    expect(numberStep(IR)).toBe(2);
    expect(numberStep(FR)).toBe(0.05);
    expect(rangeBounds(decl('x', 'float_range', { min: 0, max: 1 }))).toEqual({ min: 0, max: 1, step: 'any' });
    expect(rangeBounds(decl('x', 'int_range', { min: 0 }))).toBeNull();
  });
});

describe('list chips', () => {
  it('splits input at commas and drops empty parts', () => {
    expect(parseChipInput('1, 2,,3 ')).toEqual(['1', '2', '3']);
    expect(parseChipInput('  ')).toEqual([]);
    expect(parseChipInput('hello world')).toEqual(['hello world']);
  });

  it('validates list elements with the engine message', () => {
    expect(validateDraft(IL, ['1', 'x'])).toBe(`Parameter 'il' (int_list) element 1 must be an integer; got "x".`);
    expect(validateDraft(IL, ['1', '2.5'])).toBe(`Parameter 'il' (int_list) element 1 must be an integer; got 2.5.`);
    expect(validateDraft(BL, ['true', 'yes'])).toBe(`Parameter 'bl' (bool_list) element 1 must be a boolean; got "yes".`);
    expect(validateDraft(IL, [])).toBeNull();
  });

  it('checks lists against the allowed lists', () => {
    const p = decl('pair', 'int_list', {
      default: [1, 2],
      options: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(validateDraft(p, ['3', '4'])).toBeNull();
    expect(validateDraft(p, ['1', '3'])).toBe(`Parameter 'pair' (int_list) must be one of the allowed lists [1, 2], [3, 4]; got [1, 3].`);
  });
});

describe('inline validation uses the engine schema', () => {
  it('reports the zod messages', () => {
    expect(validateDraft(IR, '101')).toBe(`Parameter 'r' (int_range) must be an integer between 0 and 100; got 101.`);
    expect(validateDraft(IR, '4.5')).toBe(`Parameter 'r' (int_range) must be an integer between 0 and 100; got 4.5.`);
    expect(validateDraft(FR, '1.5')).toBe(`Parameter 'w' (float_range) must be a number between 0 and 1; got 1.5.`);
    expect(validateDraft(I, '')).toBe(`Parameter 'i' (int) must be an integer; got "".`);
    expect(validateDraft(F, 'abc')).toBe(`Parameter 'f' (float) must be a finite number; got "abc".`);
    expect(validateDraft(I, '7')).toBeNull();
  });

  it('collects every error and blocks the form', () => {
    const r = evaluateForm(ALL, { ...initialDrafts(ALL), r: '500', il: ['q'] });
    expect(r.valid).toBe(false);
    expect(Object.keys(r.errors)).toEqual(['r', 'il']);
    expect(r.args).not.toHaveProperty('r');
  });

  it('knows when a field is back at its default (reset)', () => {
    expect(isDefaultDraft(IR, '42')).toBe(true);
    expect(isDefaultDraft(IR, '42.0')).toBe(true);
    expect(isDefaultDraft(IR, '43')).toBe(false);
    expect(isDefaultDraft(IL, ['1', '2', '3'])).toBe(true);
    expect(isDefaultDraft(IL, ['1', '2'])).toBe(false);
    expect(isDefaultDraft(B, true)).toBe(true);
    expect(isDefaultDraft(SE, '1')).toBe(false);
    expect(isDefaultDraft(IR, draftFromValue(IR, IR.config.default))).toBe(true);
  });
});

describe('device chooser', () => {
  const render = (gpu: { available: boolean; reason?: string } | undefined, supported = ['cpu', 'gpu']) =>
    renderToStaticMarkup(createElement(DeviceChooser, { supported, gpu, value: 'cpu', onChange: () => {} }));

  it('disables gpu with the reason when there is no WebGPU adapter', () => {
    const html = render({ available: false, reason: 'no WebGPU adapter is available' });
    const radio = (v: string) => html.match(new RegExp(`<input[^>]*value="${v}"[^>]*>`))?.[0] ?? '';
    expect(radio('gpu')).toContain('disabled=""');
    expect(radio('cpu')).not.toContain('disabled');
    expect(html).toContain('GPU unavailable: no WebGPU adapter is available.');
    const describedBy = radio('gpu').match(/aria-describedby="([^"]+)"/)?.[1];
    expect(html).toContain(`id="${describedBy}" class="muted run-device-reason"`);
  });

  it('enables gpu when an adapter exists and offers only supported devices', () => {
    const html = render({ available: true });
    expect(html).not.toContain('disabled');
    expect(html).not.toContain('GPU unavailable');
    expect(render({ available: true }, ['cpu'])).not.toContain('value="gpu"');
    expect(render({ available: false }, ['gpu'])).toContain('The run falls back to CPU.');
    expect(runDevices(['cpu', 'gpu', 'mps'])).toEqual(['cpu', 'gpu']);
  });

  it('prefers the default device when usable, else cpu', () => {
    expect(preferredDevice(['cpu', 'gpu'], 'gpu', { available: true })).toBe('gpu');
    expect(preferredDevice(['cpu', 'gpu'], 'gpu', { available: false })).toBe('cpu');
    expect(preferredDevice(['cpu', 'gpu'], 'cpu', { available: true })).toBe('cpu');
    expect(preferredDevice(['gpu'], 'gpu', { available: false })).toBeNull();
    expect(preferredDevice([], '', undefined)).toBeNull();
  });
});

describe('catalog filter and run display helpers', () => {
  it('toggles tags between required, excluded and off', () => {
    let s = toggleTag(EMPTY_FILTER, 'a', false);
    expect(s.include).toEqual(['a']);
    s = toggleTag(s, 'a', true);
    expect([s.include, s.exclude]).toEqual([[], ['a']]);
    s = toggleTag(s, 'a', true);
    expect([s.include, s.exclude]).toEqual([[], []]);
    expect(toAlgorithmFilter({ ...EMPTY_FILTER, include: ['x'], exclude: ['y'], type: 'Image2Image', device: 'gpu' })).toEqual({
      positiveTags: ['x'],
      negativeTags: ['y'],
      algorithmType: 'Image2Image',
      supportedDevices: ['gpu'],
    });
    expect(toAlgorithmFilter(EMPTY_FILTER)).toEqual({});
  });

  it('formats durations', () => {
    expect(formatMs(undefined)).toBe('—');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });
});
