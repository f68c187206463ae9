// `applies_when` / `applies_when_input` in a parameter's config (src/core/parameterConditions.ts): read and
// checked with the manifest (zod shapes, then the cross-parameter checks), and honoured by the form's
// pure helpers (applicableParams, evaluateForm): a parameter that does not apply is neither shown nor sent.
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest';
import { compoxManifest, manifestError } from './helpers/manifestText';
import { inputAxesInfo, parameterApplies } from '../../src/core/parameterApplies';
import { applicableParams, evaluateForm, initialDrafts } from '../../src/app/algorithms/paramValues';
import { validateArgs } from '../../src/core/params';

const METHOD = `{name = "method", description = "m", config = {type = "string_enum", default = "otsu", options = ["otsu", "local"], adjustable = true}}`;
const MODE = `{name = "mode", description = "m", config = {type = "string_enum", default = "reflect", options = ["reflect", "constant"], adjustable = true, applies_when = {method = "local"}}}`;

const HEAD = { name: 't', type: 'Image2Segmentation', tags: ['x'] };

function manifest(...params: string[]) {
  return parseManifest(compoxManifest(`supported_devices = ["cpu"]\ndefault_device = "cpu"\nadditional_parameters = [\n${params.join(',\n')}\n]`, HEAD));
}

describe('applies_when in the manifest', () => {
  it('is read (a single value as a one-value list, TOML integers as numbers) without warnings', () => {
    const { manifest: m, warnings } = manifest(
      METHOD,
      MODE,
      `{name = "n", description = "n", config = {type = "int_enum", default = 1, options = [1, 2], adjustable = true}}`,
      `{name = "cval", description = "c", config = {type = "float", default = 0.0, adjustable = true, applies_when = {method = ["local"], mode = ["constant"], n = [2]}}}`,
      `{name = "channel", description = "c", config = {type = "int", default = 0, adjustable = true, applies_when_input = {axis = "c"}}}`,
    );
    expect(warnings).toEqual([]);
    expect(m.additionalParameters[1]!.config.appliesWhen).toEqual({ method: ['local'] });
    expect(m.additionalParameters[3]!.config.appliesWhen).toEqual({ method: ['local'], mode: ['constant'], n: [2] });
    expect(m.additionalParameters[4]!.config.appliesWhenInput).toEqual({ axis: 'c' });
    expect(m.additionalParameters[0]!.config.appliesWhen).toBeUndefined();
  });

  it('refuses, naming the parameter, the field and the value: a wrong shape, an unknown parameter, a value it cannot take, itself, a cycle', () => {
    const shape = manifestError(() => manifest(METHOD, `{name = "b", description = "b", config = {type = "int", default = 3, applies_when = "local"}}`));
    expect(shape.message).toContain("Validation error in additional parameter b. The field 'config.applies_when' is invalid");
    expect(shape.message).toContain('applies_when must be a table of parameter name = value or [values…]; got the string "local"');
    expect(shape.field).toBe('tool.compox.additional_parameters[1].config.applies_when');
    const unknown = manifestError(() =>
      manifest(METHOD, `{name = "b", description = "b", config = {type = "int", default = 3, applies_when = {methd = ["local"]}}}`),
    );
    expect(unknown.message).toBe(
      "Validation error in additional parameter b. applies_when names 'methd', which is not a declared parameter (declared: method, b).",
    );
    expect(unknown.field).toBe('tool.compox.additional_parameters[1].config.applies_when.methd');
    const value = manifestError(() =>
      manifest(METHOD, `{name = "b", description = "b", config = {type = "int", default = 3, applies_when = {method = ["lokal"]}}}`),
    );
    expect(value.message).toContain('applies_when.method: "lokal" is not a value of \'method\'');
    expect(value.message).toContain('must be one of "otsu", "local"');
    const self = manifestError(() => manifest(METHOD, `{name = "b", description = "b", config = {type = "int", default = 3, applies_when = {b = [3]}}}`));
    expect(self.message).toContain('applies_when cannot name the parameter itself.');
    const cycle = manifestError(() =>
      manifest(
        `{name = "a", description = "a", config = {type = "int", default = 1, applies_when = {b = [1]}}}`,
        `{name = "b", description = "b", config = {type = "int", default = 1, applies_when = {a = [1]}}}`,
      ),
    );
    expect(cycle.message).toContain("applies_when of 'a' depends on itself through other parameters (a cycle).");
    const input = manifestError(() => manifest(`{name = "c", description = "c", config = {type = "int", default = 0, applies_when_input = {axes = "c"}}}`));
    expect(input.message).toContain("The field 'config.applies_when_input' is invalid");
  });
});

describe('the form honours applies_when and applies_when_input', () => {
  const { manifest: m } = manifest(
    METHOD,
    MODE,
    `{name = "cval", description = "c", config = {type = "float", default = 0.0, adjustable = true, applies_when = {mode = ["constant"]}}}`,
    `{name = "channel", description = "c", config = {type = "int", default = 0, adjustable = true, applies_when_input = {axis = "c"}}}`,
  );
  const params = m.additionalParameters;
  const names = (ps: { name: string }[]) => ps.map((p) => p.name);

  it('shows and sends only what applies: a condition on a parameter that does not apply does not hold', () => {
    const d = initialDrafts(params);
    expect(names(applicableParams(params, d, []))).toEqual(['method']);
    // mode = constant while method = otsu: cval still hidden (mode itself does not apply).
    expect(names(applicableParams(params, { ...d, mode: '1' }, []))).toEqual(['method']);
    const local = { ...d, method: '1' };
    expect(names(applicableParams(params, local, []))).toEqual(['method', 'mode']);
    expect(names(applicableParams(params, { ...local, mode: '1' }, []))).toEqual(['method', 'mode', 'cval']);
    expect(evaluateForm(params, { ...d, mode: '1', cval: '5' }, []).args).toEqual({ method: 'otsu' });
    expect(evaluateForm(params, { ...local, mode: '1', cval: '5' }, []).args).toEqual({ method: 'local', mode: 'constant', cval: 5 });
    // An invalid value of a parameter that does not apply is no error.
    expect(evaluateForm(params, { ...d, cval: 'abc' }, []).valid).toBe(true);
    expect(evaluateForm(params, { ...local, mode: '1', cval: 'abc' }, []).errors).toHaveProperty('cval');
  });

  it('validateArgs (the engine) fills in defaults only of parameters that apply; given values are kept', () => {
    expect(validateArgs(params, {})).toEqual({ method: 'otsu', channel: 0 });
    expect(validateArgs(params, { method: 'local' })).toEqual({ method: 'local', mode: 'reflect', channel: 0 });
    expect(validateArgs(params, { method: 'local', mode: 'constant' })).toEqual({ method: 'local', mode: 'constant', cval: 0, channel: 0 });
    expect(validateArgs(params, { cval: 2 })).toEqual({ method: 'otsu', cval: 2, channel: 0 });
  });

  it('channel applies for a multichannel input only (not a grayscale image, not an RGB picture); inputs not known: shown', () => {
    const d = initialDrafts(params);
    const gray = inputAxesInfo({ keys: { image: { kind: 'array', shape: [10, 12] } } });
    const rgb = inputAxesInfo({ keys: { image: { kind: 'array', shape: [3, 10, 12] } } });
    const cyx = inputAxesInfo({
      keys: {
        image: {
          kind: 'array',
          shape: [2, 10, 12],
          axes: {
            axes: ['c', 'y', 'x'].map((name) => ({ name, type: name === 'c' ? 'channel' : 'space', unit: null, scale: 1, translation: 0 })),
            channels: ['DAPI', 'GFP'].map((label) => ({ label, color: 'FFFFFF', window: null, active: true })),
          },
        },
      },
    });
    const volume = inputAxesInfo({ keys: { volume: { kind: 'array', shape: [4, 10, 12] } } });
    expect(gray).toEqual({ axes: ['y', 'x'], rgb: false });
    expect(rgb).toEqual({ axes: ['c', 'y', 'x'], rgb: true });
    expect(cyx.rgb).toBe(false);
    expect(volume.axes).toEqual(['z', 'y', 'x']);
    const channel = params.find((p) => p.name === 'channel')!;
    expect(parameterApplies(channel, params, {}, [gray])).toBe(false);
    expect(parameterApplies(channel, params, {}, [rgb])).toBe(false);
    expect(parameterApplies(channel, params, {}, [volume])).toBe(false);
    expect(parameterApplies(channel, params, {}, [gray, cyx])).toBe(true);
    expect(parameterApplies(channel, params, {}, null)).toBe(true);
    expect(names(applicableParams(params, d, [cyx]))).toEqual(['method', 'channel']);
  });
});
