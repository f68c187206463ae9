// Which run outputs the run viewers read slice by slice (src/app/viewers/slicedFields.ts): a Volume's
// mask or denoised volume, or any field stored in more than one chunk; small 2-D outputs and one RGB
// image stay whole. And which input field goes with a sliced output (same shape), or why none does.
import { describe, expect, it } from 'vitest';
import type { DatasetMeta, FieldMeta } from '../../src/core/records';
import { defaultAxes } from '../../src/core/imageAxes';
import { chunkCount, firstField, isSlicedField, matchingField } from '../../src/app/viewers/slicedFields';

function field(shape: number[], chunkShape?: number[], dtype: FieldMeta['dtype'] = 'uint8'): FieldMeta {
  return { kind: 'array', dtype, shape, byteLength: shape.reduce((a, b) => a * b, 1), ...(chunkShape ? { array: 'arr', chunkShape } : { blob: 'b' }) };
}
function meta(keys: Record<string, FieldMeta>): DatasetMeta {
  return { id: 'd', name: 'd', created: '', source: 'upload', schema: null, keys, byteLength: 0, extra: {} };
}

describe('chunkCount', () => {
  it('counts the chunk grid (partial edge chunks count), a blob is one', () => {
    expect(chunkCount(field([6, 256, 256], [1, 256, 256]))).toBe(6);
    expect(chunkCount(field([4096, 3000], [1024, 1024]))).toBe(12);
    expect(chunkCount(field([64, 64]))).toBe(1);
  });
});

describe('isSlicedField', () => {
  it('a 3-D mask of several slices is sliced, chunked or not', () => {
    expect(isSlicedField(meta({ mask: field([6, 256, 256], [1, 256, 256]) }), 'mask', { image: false })).toBe(true);
    expect(isSlicedField(meta({ mask: field([3, 16, 16]) }), 'mask', { image: false })).toBe(true);
  });
  it('a small 2-D output and a 1×H×W mask in one chunk stay whole', () => {
    expect(isSlicedField(meta({ mask: field([40, 40]) }), 'mask', { image: false })).toBe(false);
    expect(isSlicedField(meta({ mask: field([1, 40, 40]) }), 'mask', { image: false })).toBe(false);
    expect(isSlicedField(meta({ image: field([32, 64], [32, 64]) }), 'image', { image: true })).toBe(false);
  });
  it('an image field of 3×H×W is one RGB image, a volume of 3 slices is not', () => {
    expect(isSlicedField(meta({ image: field([3, 64, 64]) }), 'image', { image: true })).toBe(false);
    expect(isSlicedField(meta({ volume: field([3, 64, 64], [1, 64, 64]) }), 'volume', { image: false })).toBe(true);
    expect(isSlicedField(meta({ volume: field([6, 64, 64], [1, 64, 64], 'float32') }), 'volume', { image: true })).toBe(true);
  });
  it('a 2-D field in more than one chunk is sliced (one slice)', () => {
    expect(isSlicedField(meta({ mask: field([4096, 4096], [1024, 1024]) }), 'mask', { image: false })).toBe(true);
  });
  it('absent, string and empty fields are not', () => {
    expect(isSlicedField(meta({}), 'mask', { image: false })).toBe(false);
    expect(isSlicedField(meta({ mask: { ...field([6, 8, 8]), kind: 'string' } }), 'mask', { image: false })).toBe(false);
    expect(isSlicedField(meta({ mask: field([0, 8, 8]) }), 'mask', { image: false })).toBe(false);
  });
});

describe('firstField and matchingField', () => {
  it('picks the first of the keys the dataset has', () => {
    expect(firstField(meta({ image: field([8, 8]), volume: field([2, 8, 8]) }), ['volume', 'image'])).toBe('volume');
    expect(firstField(meta({ mask: field([8, 8]) }), ['volume', 'image'])).toBeNull();
  });
  it('the source field of the same shape; else a note naming the shapes or the missing field', () => {
    const shape = [6, 256, 256];
    expect(matchingField(meta({ volume: field(shape, [1, 256, 256]) }), ['volume', 'image'], shape, 'source image')).toEqual({ key: 'volume', note: null });
    expect(matchingField(meta({ image: field([2, 256, 256]), volume: field(shape) }), ['volume', 'image'], shape, 'source image').key).toBe('volume');
    const other = matchingField(meta({ volume: field([5, 256, 256]) }), ['volume', 'image'], shape, 'source image');
    expect(other).toEqual({
      key: null,
      note: "The source image (volume 5 × 256 × 256) does not have the output's shape 6 × 256 × 256: showing the output alone.",
    });
    expect(matchingField(meta({ features: field([8, 8]) }), ['mask'], shape, 'input mask').note).toBe('The input has no mask field: showing the output alone.');
  });
  it("a multichannel source less its channel axis: that channel (the run's `channel`, clamped) under the output", () => {
    const czyx = { ...field([3, 6, 64, 64], [1, 1, 64, 64]), axes: defaultAxes([3, 6, 64, 64]) };
    expect(matchingField(meta({ image: czyx }), ['volume', 'image'], [6, 64, 64], 'source image', 1)).toEqual({
      key: 'image',
      note: null,
      select: { axis: 0, index: 1 },
    });
    expect(matchingField(meta({ image: czyx }), ['volume', 'image'], [6, 64, 64], 'source image', 9)).toEqual({
      key: 'image',
      note: null,
      select: { axis: 0, index: 2 },
    });
    // Without axes metadata there is no channel axis to leave out.
    expect(matchingField(meta({ image: field([3, 6, 64, 64]) }), ['volume', 'image'], [6, 64, 64], 'source image').key).toBeNull();
  });
});
