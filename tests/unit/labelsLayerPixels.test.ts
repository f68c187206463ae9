import { describe, expect, it } from 'vitest';
import { LabelColorCache, growRect, labelsHash, layerRGBA, paintedCount } from '../../src/app/viewers/annotate/layerPixels';
import { actionOf } from '../../src/app/viewers/annotate/shortcuts';

const own = { table: 'default', colors: { '1': 'FF0000', '2': '00FF00' } };

describe('label layer pixels', () => {
  it('colours labels at the opacity, background transparent, only the rectangle asked', () => {
    const labels = Int32Array.from([0, 1, 2, 0, 1, 1]);
    const rgba = layerRGBA(labels, 3, 2, [1, 0, 3, 2], new LabelColorCache({ colors: own, opacity: 0.5, outline: false }), false);
    expect([...rgba]).toEqual([255, 0, 0, 128, 0, 255, 0, 128, 255, 0, 0, 128, 255, 0, 0, 128]);
  });
  it('draws only borders in outline mode, opaque', () => {
    const labels = new Int32Array(25).fill(1);
    const rgba = layerRGBA(labels, 5, 5, [0, 0, 5, 5], new LabelColorCache({ colors: own, opacity: 0.2, outline: true }), true);
    const alpha = Array.from({ length: 25 }, (_, i) => rgba[4 * i + 3]);
    expect(alpha).toEqual([255, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
  });
  it('counts, hashes and grows rectangles', () => {
    expect(paintedCount(Int32Array.from([0, 3, 0, 1]))).toBe(2);
    expect(labelsHash(Int32Array.from([0, 1]))).not.toBe(labelsHash(Int32Array.from([1, 0])));
    expect(growRect([0, 2, 4, 5], 1, 4, 5)).toEqual([0, 1, 4, 5]);
  });
});

describe('Annotate shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    actionOf({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('maps the napari keys', () => {
    expect([key('p'), key('2'), key('E'), key('1'), key('f'), key('3'), key('g'), key('l'), key('k'), key('4')]).toEqual(
      ['brush', 'brush', 'eraser', 'eraser', 'fill', 'fill', 'polygon', 'lasso', 'pick', 'pick'].map((tool) => ({ tool })),
    );
    expect([
      key('z', { ctrlKey: true }),
      key('Z', { ctrlKey: true, shiftKey: true }),
      key('y', { metaKey: true }),
      key('m'),
      key('['),
      key(']'),
      key('?'),
    ]).toEqual(['undo', 'redo', 'redo', 'newLabel', 'smaller', 'larger', 'help'].map((d) => ({ do: d })));
    expect([key('s'), key('S')]).toEqual([{ tool: 'sam' }, { tool: 'sam' }]);
    expect(key('x')).toBeNull();
    expect(key('p', { altKey: true })).toBeNull();
  });
});
