// Pure helpers of the microscopy viewer (issue 14): the additive composite, the scale bar and physical
// positions, the hyperstack's axes (routing, sliders, plane regions) and the dataset row's axes summary.
import { describe, expect, it } from 'vitest';
import { axisOf, defaultAxes, type ImageAxes } from '../../src/core/imageAxes';
import { axesSummary } from '../../src/app/datasets/axesSummary';
import { compositeRGBA, hexToRGB } from '../../src/app/viewers/render/composite';
import { isHyperstack, linearIndex, planeRegion, positionOf, sliderAxes, sliderText, isRgbAxes } from '../../src/app/viewers/render/hyperstack';
import { niceFloor, physicalCoords, physicalText, planeAxesOf, scaleBar } from '../../src/app/viewers/render/scaleBar';

const czyx = (c: number): ImageAxes => ({
  axes: [axisOf('c'), axisOf('z', 'micrometer', 2), axisOf('y', 'micrometer', 0.5), axisOf('x', 'micrometer', 0.5)],
  channels: Array.from({ length: c }, (_, i) => ({
    label: ['DAPI', 'GFP', 'mCherry', 'Cy5'][i]!,
    color: ['0000FF', '00FF00', 'FF0000', 'FFFFFF'][i]!,
    window: null,
    active: true,
  })),
});

describe('compositeRGBA', () => {
  it('adds windowed channels scaled by their colours, clamped at 255, with exact rounding', () => {
    // Two pixels. Channel A (red): window 0…100; channel B (yellow FFFF00): window 0…10.
    const a = { data: new Uint16Array([50, 100]), window: { min: 0, max: 100 }, rgb: [255, 0, 0] as const };
    const b = { data: new Float32Array([5, 2]), window: { min: 0, max: 10 }, rgb: [255, 255, 0] as const };
    const out = compositeRGBA([a, b], 2);
    // A: 50 → round(127.5) = 128, 100 → 255. B: 5 → 128, 2 → round(51) = 51.
    // Pixel 0: R = 128 + 128 = 256 → 255, G = 128·255/255 = 128, B 0. Pixel 1: R = 255 + 51 → 255, G = 51.
    expect(Array.from(out)).toEqual([255, 128, 0, 255, 255, 51, 0, 255]);
  });
  it('scales by a colour component: index · colour / 255, rounded', () => {
    const ch = { data: new Uint8Array([255, 128, 0, 64]), window: { min: 0, max: 255 }, rgb: hexToRGB('FF8040') };
    const out = compositeRGBA([ch], 4);
    // 128·128/255 = 64.25 → 64; 128·64/255 = 32.1 → 32; 64·128/255 = 32.1 → 32; 64·64/255 = 16.06 → 16.
    expect(Array.from(out)).toEqual([255, 128, 64, 255, 128, 64, 32, 255, 0, 0, 0, 255, 64, 32, 16, 255]);
  });
  it('NaN adds nothing, no channel is black, a constant window gives mid-gray as window.ts does', () => {
    const nan = { data: new Float64Array([NaN, 7]), window: { min: 7, max: 7 }, rgb: [0, 255, 0] as const };
    expect(Array.from(compositeRGBA([nan], 2))).toEqual([0, 0, 0, 255, 0, 128, 0, 255]);
    expect(Array.from(compositeRGBA([], 1))).toEqual([0, 0, 0, 255]);
  });
  it('reads hex colours', () => {
    expect(hexToRGB('00ff7f')).toEqual([0, 255, 127]);
    expect(hexToRGB('#FF0000')).toEqual([255, 0, 0]);
    expect(hexToRGB('nope')).toEqual([255, 255, 255]);
  });
});

describe('scale bar', () => {
  it('rounds down to 1, 2 or 5 × 10^k', () => {
    expect([niceFloor(30), niceFloor(1), niceFloor(1.99), niceFloor(4.9), niceFloor(5), niceFloor(999), niceFloor(1000), niceFloor(0.07)]).toEqual([
      20, 1, 1, 2, 5, 500, 1000, 0.05,
    ]);
  });
  it('has a round length in the best of nm / µm / mm, its pixels following the zoom', () => {
    // 0.5 µm pixels at zoom 2: 0.25 µm per screen pixel; 120 px = 30 µm → 20 µm = 80 px.
    expect(scaleBar({ unit: 'micrometer', scale: 0.5 }, 2)).toEqual({ px: 80, value: 20, unit: 'micrometer', label: '20 µm' });
    // Zoom 0.25: 2 µm per screen pixel; 120 px = 240 µm → 200 µm = 100 px.
    expect(scaleBar({ unit: 'micrometer', scale: 0.5 }, 0.25)).toEqual({ px: 100, value: 200, unit: 'micrometer', label: '200 µm' });
    // 65 nm pixels at zoom 8: 120 px = 975 nm → 500 nm = 61.538… px.
    const nm = scaleBar({ unit: 'nanometer', scale: 65 }, 8)!;
    expect([nm.value, nm.label]).toEqual([500, '500 nm']);
    expect(nm.px).toBeCloseTo(61.538461, 5);
    // 10 µm pixels at zoom 0.5: 120 px = 2400 µm = 2.4 mm → 2 mm = 100 px.
    expect(scaleBar({ unit: 'micrometer', scale: 10 }, 0.5)).toEqual({ px: 100, value: 2, unit: 'millimeter', label: '2 mm' });
    // 0.2 µm at zoom 2: 120 px = 12 µm → 10 µm (not 10000 nm) = 100 px.
    expect(scaleBar({ unit: 'micrometer', scale: 0.2 }, 2)).toEqual({ px: 100, value: 10, unit: 'micrometer', label: '10 µm' });
    // Not a length unit: in that unit (120 px = 360 → 200 = 66.67 px).
    expect(scaleBar({ unit: 'parsec-ish', scale: 3 }, 1)).toEqual({ px: 66.6666666667, value: 200, unit: 'parsec-ish', label: '200 parsec-ish' });
    expect(scaleBar({ unit: null, scale: 0.5 }, 1)).toBeNull();
  });
  it('writes physical positions (translation + index · scale) and a pixel’s physical coordinates', () => {
    const z = axisOf('z', 'micrometer', 2);
    const t = axisOf('t', 'second', 2);
    expect(physicalText(z, 5)).toBe('10.0 µm');
    expect(physicalText(t, 3)).toBe('6 s');
    expect(physicalText({ ...axisOf('x', 'micrometer', 0.325), translation: 1 }, 4)).toBe('2.300 µm');
    expect(physicalText(axisOf('x'), 4)).toBeNull();
    const ax = czyx(3);
    const plane = planeAxesOf(ax.axes, [{ dim: 1, index: 3 }])!;
    expect(plane.extra).toBe('z 6.0 µm');
    expect(physicalCoords(plane, 25, 4)).toBe('x 12.5 µm, y 2.0 µm · z 6.0 µm');
    expect(physicalCoords(planeAxesOf(defaultAxes([8, 8]).axes)!, 1, 1)).toBeNull();
  });
});

describe('hyperstack axes', () => {
  it('routes CZYX, TCZYX, TYX, C≠3 and non-RGB 3-channel images to the composite; RGB and plain images stay', () => {
    expect(isHyperstack('image', { shape: [3, 5, 8, 8], axes: czyx(3) })).toBe(true);
    expect(isHyperstack('image', { shape: [2, 3, 5, 8, 8] })).toBe(true);
    expect(isHyperstack('image', { shape: [2, 8, 8], axes: { axes: ['c', 'y', 'x'].map((n) => axisOf(n)), channels: czyx(2).channels } })).toBe(true);
    expect(isHyperstack('image', { shape: [4, 8, 8], axes: { axes: ['t', 'y', 'x'].map((n) => axisOf(n)), channels: [] } })).toBe(true);
    const fluo: ImageAxes = { axes: ['c', 'y', 'x'].map((n) => axisOf(n)), channels: czyx(3).channels };
    expect(isHyperstack('image', { shape: [3, 8, 8], axes: fluo })).toBe(true);
    expect(isHyperstack('image', { shape: [3, 8, 8] })).toBe(false);
    expect(isHyperstack('image', { shape: [3, 8, 8], axes: defaultAxes([3, 8, 8], { rgb: true }) })).toBe(false);
    expect(isRgbAxes(defaultAxes([3, 8, 8], { rgb: true }))).toBe(true);
    expect(isHyperstack('image', { shape: [8, 8] })).toBe(false);
    expect(isHyperstack('image', { shape: [5, 8, 8] })).toBe(false);
    expect(isHyperstack('volume', { shape: [2, 3, 5, 8, 8] })).toBe(false);
  });
  it('has one slider per axis but c, y, x; a position is one index (C order); a plane is one channel at it', () => {
    const shape = [4, 3, 5, 8, 8];
    const ax = defaultAxes(shape);
    const s = sliderAxes(shape, ax);
    expect(s.map((a) => [a.axis.name, a.dim, a.size])).toEqual([
      ['t', 0, 4],
      ['z', 2, 5],
    ]);
    expect(linearIndex([4, 5], [2, 3])).toBe(13);
    expect(positionOf([4, 5], 13)).toEqual([2, 3]);
    expect(planeRegion(shape, ax, [2, 3], 1)).toEqual([
      [2, 3],
      [1, 2],
      [3, 4],
      [0, 8],
      [0, 8],
    ]);
    const z = s[1]!;
    expect(sliderText({ ...z, axis: axisOf('z', 'micrometer', 2) }, 4)).toBe('z 5/5 · 8.0 µm');
    expect(sliderText(z, 4)).toBe('z 5/5');
  });
});

describe('dataset row axes summary', () => {
  it('says channels, Z, T and pixel size of stored axes only', () => {
    expect(axesSummary({ shape: [3, 5, 8, 8], axes: czyx(3) })).toEqual({
      channels: { text: '3 ch', title: 'DAPI\nGFP\nmCherry' },
      z: 'Z 5',
      t: null,
      pixel: '0.5 µm/px',
    });
    const tyx: ImageAxes = { axes: [axisOf('t', 'second', 2), axisOf('y', 'micrometer', 0.325), axisOf('x', 'micrometer', 0.65)], channels: [] };
    expect(axesSummary({ shape: [10, 8, 8], axes: tyx })).toEqual({ channels: null, z: null, t: 'T 10', pixel: '0.65×0.325 µm/px' });
    expect(axesSummary({ shape: [3, 5, 8, 8] })).toBeNull();
  });
});
