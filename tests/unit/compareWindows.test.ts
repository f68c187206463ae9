// The compare viewer's rule for linking the input's and output's contrast windows (render/compare.ts).
import { describe, expect, it } from 'vitest';
import { rangesOverlap, separateWindowsReason, sharesValueRange, type ValueRange } from '../../src/app/viewers/render/compare';

const r = (dtype: ValueRange['dtype'], min: number, max: number): ValueRange => ({ dtype, min, max });

describe('linking the compare windows', () => {
  it('ranges overlap when their intersection covers at least half of the smaller range', () => {
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 3, 252))).toBe(true); // 249 of 249
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 100, 400))).toBe(true); // 155 of 255
    expect(rangesOverlap(r('uint8', 0, 100), r('uint8', 50, 300))).toBe(true); // 50 of 100: exactly half
    expect(rangesOverlap(r('uint8', 0, 100), r('uint8', 51, 300))).toBe(false); // 49 of 100
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 200, 1000))).toBe(false); // 55 of 255
    expect(rangesOverlap(r('uint16', 264, 3180), r('uint16', 0, 1))).toBe(false); // disjoint
    expect(rangesOverlap(r('uint8', 0, 255), r('float32', 0, 1))).toBe(true); // all of 0…1
  });

  it('a constant side overlaps when its value lies in the other range', () => {
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 7, 7))).toBe(true);
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 255, 255))).toBe(true);
    expect(rangesOverlap(r('uint8', 0, 255), r('uint8', 256, 256))).toBe(false);
    expect(rangesOverlap(r('uint8', 4, 4), r('uint8', 4, 4))).toBe(true);
    expect(rangesOverlap(r('uint8', 4, 4), r('uint8', 5, 5))).toBe(false);
  });

  it('sides share a value range only with the same dtype and overlapping ranges', () => {
    expect(sharesValueRange(r('uint8', 0, 255), r('uint8', 10, 240))).toBe(true);
    expect(sharesValueRange(r('float32', 0, 1), r('float32', 0.1, 0.8))).toBe(true);
    expect(sharesValueRange(r('uint8', 0, 255), r('float32', 0, 1))).toBe(false); // the tv_denoising case
    expect(sharesValueRange(r('uint8', 0, 255), r('uint16', 0, 255))).toBe(false); // same values, other dtype
    expect(sharesValueRange(r('uint16', 264, 3180), r('uint16', 0, 1))).toBe(false);
  });

  it('says why each side has its own window', () => {
    expect(separateWindowsReason(r('uint8', 0, 255), r('float32', 0, 1))).toBe(
      'the input is uint8 0–255, the output float32 0–1: each side has its own window',
    );
    expect(separateWindowsReason(r('uint16', 264, 3180), r('uint16', 0, 0.5))).toBe(
      'the input is uint16 264–3180, the output uint16 0–0.5: each side has its own window',
    );
    expect(separateWindowsReason(r('uint8', 0, 255), r('uint8', 3, 252))).toBeNull();
  });
});
