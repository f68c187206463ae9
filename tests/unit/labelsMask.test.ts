// Writing a decoded SAM mask into a label layer (core/labels/mask.ts): one history step per object,
// "preserve labels" honoured, undo restoring the previous values exactly.
import { describe, expect, it } from 'vitest';
import { ChangeBuilder } from '../../src/core/labels/change';
import { LabelLayer } from '../../src/core/labels/layer';
import { addMaskObject, writeMask } from '../../src/core/labels/mask';

/** A 4×3 layer whose slice 0 holds label 7 at pixels 1 and 2. */
function layer(): LabelLayer {
  const l = new LabelLayer(4, 3, 1);
  l.load(0, [0, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  return l;
}
// Pixels 1, 2 (over label 7), 5, 6 and 9 (background).
const MASK = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0]);

describe('addMaskObject', () => {
  it('writes the mask under the label as one undoable step, over other labels when preserve is off', () => {
    const l = layer();
    const r = addMaskObject(l, 0, MASK, 8, false);
    expect([...l.data(0)]).toEqual([0, 8, 8, 0, 0, 8, 8, 0, 0, 8, 0, 0]);
    expect(r.rect).toEqual([1, 0, 3, 3]);
    expect(r.next).toBe(9);
    expect(l.history.undoCount).toBe(1);
    expect(l.history.steps()[0]!.tool).toBe('sam');
    l.undo();
    expect([...l.data(0)]).toEqual([0, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    l.redo();
    expect([...l.data(0)]).toEqual([0, 8, 8, 0, 0, 8, 8, 0, 0, 8, 0, 0]);
  });

  it('writes only over background with preserve on; undo restores', () => {
    const l = layer();
    const r = addMaskObject(l, 0, MASK, 8, true);
    expect([...l.data(0)]).toEqual([0, 7, 7, 0, 0, 8, 8, 0, 0, 8, 0, 0]);
    expect(r.rect).toEqual([1, 1, 3, 3]);
    expect(l.history.undoCount).toBe(1);
    l.undo();
    expect([...l.data(0)]).toEqual([0, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('two objects are two steps: undo removes only the second', () => {
    const l = new LabelLayer(4, 3, 1);
    const a = addMaskObject(l, 0, Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]), 1, false);
    expect(a.next).toBe(2);
    const b = addMaskObject(l, 0, Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1]), a.next, false);
    expect(b.next).toBe(3);
    expect([...l.data(0)]).toEqual([1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 2, 2]);
    l.undo();
    expect([...l.data(0)]).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(l.history.undoCount).toBe(1);
  });

  it('an empty mask (or one wholly over labels with preserve on) adds no step', () => {
    const l = layer();
    expect(addMaskObject(l, 0, new Uint8Array(12), 8, false)).toEqual({ rect: null, next: 8 });
    expect(addMaskObject(l, 0, Uint8Array.from([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 8, true).rect).toBeNull();
    expect(l.history.undoCount).toBe(0);
  });

  it('refuses a mask of the wrong size, naming both sizes', () => {
    const l = layer();
    expect(() => writeMask(l.slice(0), new ChangeBuilder(l.data(0)), new Uint8Array(10), 1)).toThrow('writeMask: the mask has 10 values, expected 12 (4 × 3).');
  });
});
