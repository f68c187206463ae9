import { describe, expect, it } from 'vitest';
import { compositeRegion, compositeThumbnail, cutRegion, wantsComposite } from '../../src/core/compositeThumbnail';
import { axisOf, defaultAxes, type ImageAxes } from '../../src/core/imageAxes';
import { ndarray } from '../../src/core/ndarray';

const axes: ImageAxes = {
  axes: [axisOf('c'), axisOf('z'), axisOf('y'), axisOf('x')],
  channels: [
    { label: 'DAPI', color: '0000FF', window: null, active: true },
    { label: 'GFP', color: '00FF00', window: null, active: true },
  ],
};

describe('composite thumbnails', () => {
  it('are made for microscope channels, not for plain RGB pictures or arrays without channels', () => {
    expect(wantsComposite(axes)).toBe(true);
    expect(wantsComposite(defaultAxes([3, 4, 4], { rgb: true }))).toBe(false);
    expect(wantsComposite(defaultAxes([5, 4, 4]))).toBe(false);
    expect(wantsComposite(undefined)).toBe(false);
  });

  it('take every channel at the middle Z, each scaled on its own and tinted with its colour', () => {
    // [2 channels, 3 z, 2 y, 2 x]: element value = 100·c + 10·z + (2y + x)
    const a = ndarray('uint16', [2, 3, 2, 2]);
    for (let c = 0; c < 2; c++) for (let z = 0; z < 3; z++) for (let i = 0; i < 4; i++) a.data[(c * 3 + z) * 4 + i] = 100 * c + 10 * z + i;
    const region = compositeRegion(a.shape, axes);
    expect(region).toEqual([
      [0, 2],
      [1, 2],
      [0, 2],
      [0, 2],
    ]);
    const plane = cutRegion(a, region);
    expect(plane.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(plane.data)).toEqual([10, 11, 12, 13, 110, 111, 112, 113]);
    const t = compositeThumbnail(plane, 0, axes)!;
    expect([t.width, t.height, t.channels]).toEqual([2, 2, 3]);
    // Each channel min–max to 0..255 (0, 85, 170, 255): DAPI into blue, GFP into green.
    expect(Array.from(t.data)).toEqual([0, 0, 0, 0, 85, 85, 0, 170, 170, 0, 255, 255]);
    // An inactive channel is left out.
    const off = { ...axes, channels: [axes.channels[0]!, { ...axes.channels[1]!, active: false }] };
    expect(Array.from(compositeThumbnail(plane, 0, off)!.data)).toEqual([0, 0, 0, 0, 0, 85, 0, 0, 170, 0, 0, 255]);
  });
});
