import { describe, expect, it } from 'vitest';
import {
  axesProblem,
  channelColor,
  defaultAxes,
  defaultChannels,
  inheritAxes,
  normaliseUnit,
  physicalSizeText,
  unitSymbol,
  axisOf,
} from '../../src/core/imageAxes';

describe('imageAxes', () => {
  it('names the axes of arrays without metadata as OME does', () => {
    expect(defaultAxes([4, 5]).axes.map((a) => a.name)).toEqual(['y', 'x']);
    expect(defaultAxes([7, 4, 5]).axes.map((a) => a.name)).toEqual(['z', 'y', 'x']);
    const rgb = defaultAxes([3, 4, 5], { rgb: true });
    expect(rgb.axes.map((a) => a.name)).toEqual(['c', 'y', 'x']);
    expect(rgb.channels.map((c) => [c.label, c.color])).toEqual([
      ['Red', 'FF0000'],
      ['Green', '00FF00'],
      ['Blue', '0000FF'],
    ]);
    expect(defaultAxes([2, 7, 4, 5]).axes.map((a) => a.name)).toEqual(['c', 'z', 'y', 'x']);
    expect(defaultAxes([2, 7, 4, 5]).channels).toHaveLength(2);
    expect(defaultAxes([3, 2, 7, 4, 5]).axes.map((a) => [a.name, a.type])).toEqual([
      ['t', 'time'],
      ['c', 'channel'],
      ['z', 'space'],
      ['y', 'space'],
      ['x', 'space'],
    ]);
    expect(defaultAxes([2, 3, 2, 7, 4, 5]).axes.map((a) => a.name)).toEqual(['dim_0', 't', 'c', 'z', 'y', 'x']);
    expect(defaultAxes([1, 1]).channels).toEqual([]);
  });

  it('normalises units from OME-XML, ImageJ and NGFF to the NGFF names', () => {
    expect(normaliseUnit('µm')).toBe('micrometer');
    expect(normaliseUnit('\u03bcm')).toBe('micrometer');
    expect(normaliseUnit('micron')).toBe('micrometer');
    expect(normaliseUnit('\\u00B5m')).toBe('micrometer');
    expect(normaliseUnit('micrometer')).toBe('micrometer');
    expect(normaliseUnit('nm')).toBe('nanometer');
    expect(normaliseUnit('s')).toBe('second');
    expect(normaliseUnit('pixel')).toBeNull();
    expect(normaliseUnit('')).toBeNull();
    expect(normaliseUnit('parsec')).toBe('parsec');
    expect(unitSymbol('micrometer')).toBe('µm');
    expect(physicalSizeText(axisOf('x', 'micrometer', 0.325))).toBe('0.325 µm');
    expect(physicalSizeText(axisOf('x'))).toBeNull();
  });

  it('checks metadata against the shape and names what is wrong', () => {
    const ax = defaultAxes([2, 4, 5]);
    expect(axesProblem(ax, [2, 4, 5], "Dataset 'a', field 'image'")).toBeNull();
    expect(axesProblem(ax, [4, 5], "Dataset 'a', field 'image'")).toMatch(/axes name 3 dimension\(s\) \(z, y, x\) but the array has 2/);
    const c = defaultAxes([2, 7, 4, 5]);
    expect(axesProblem(c, [3, 7, 4, 5], 'F')).toBe("F: the 'c' axis has 3 channel(s) but 2 channel description(s) were given.");
    expect(axesProblem({ ...c, axes: c.axes.map((a) => ({ ...a, scale: 0 })) }, [2, 7, 4, 5], 'F')).toMatch(/^F: axes\.axes\.0\.scale/);
    expect(axesProblem({ ...c, channels: c.channels.map((ch) => ({ ...ch, color: 'red' })) }, [2, 7, 4, 5], 'F')).toMatch(
      /channels\.0\.color: expected 6 upper-case hex digits/,
    );
    const twice = { axes: [axisOf('x'), axisOf('x')], channels: [] };
    expect(axesProblem(twice, [2, 2], 'F')).toBe("F: axis 'x' is named twice (axes x, x).");
  });

  it('lets outputs inherit their input axes: same shape, channels dropped, channel count changed', () => {
    const ax = {
      axes: [axisOf('c'), axisOf('z', 'micrometer', 2), axisOf('y', 'micrometer', 0.5), axisOf('x', 'micrometer', 0.5)],
      channels: defaultAxes([2, 1, 1, 1]).channels,
    };
    expect(inheritAxes(ax, [2, 3, 4, 5], [2, 3, 4, 5])).toEqual(ax);
    const mask = inheritAxes(ax, [2, 3, 4, 5], [3, 4, 5])!;
    expect(mask.axes.map((a) => [a.name, a.scale])).toEqual([
      ['z', 2],
      ['y', 0.5],
      ['x', 0.5],
    ]);
    expect(mask.channels).toEqual([]);
    expect(inheritAxes(ax, [2, 3, 4, 5], [1, 3, 4, 5])!.channels).toHaveLength(1);
    expect(inheritAxes(ax, [2, 3, 4, 5], [8, 8])).toBeNull();
  });

  it('gives channels without a colour of their own the colour of the dye they name, else one by index', () => {
    expect(['DAPI', 'Hoechst 33342', 'EGFP', 'Alexa Fluor 488', 'mCherry', 'tdTomato', 'Cy5', 'AF647', 'CFP', 'YFP'].map((l) => channelColor(l, 0, 3))).toEqual(
      ['0000FF', '0000FF', '00FF00', '00FF00', 'FF0000', 'FF0000', 'FF00FF', 'FF00FF', '00FFFF', 'FFFF00'],
    );
    expect(defaultChannels(3, ['a', 'b', 'c']).map((c) => c.color)).toEqual(['FF0000', '00FF00', '0000FF']);
    expect(defaultChannels(1).map((c) => c.color)).toEqual(['FFFFFF']);
    expect(defaultChannels(2, ['GFP', 'DAPI']).map((c) => c.color)).toEqual(['00FF00', '0000FF']);
  });
});
