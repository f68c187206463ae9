import { describe, expect, it } from 'vitest';
import { ChangeBuilder } from '../../src/core/labels/change';
import { LabelHistory } from '../../src/core/labels/history';
import { LabelLayer, labelDtype } from '../../src/core/labels/layer';

function edit(h: LabelHistory, slices: Int32Array[], slice: number, i: number, v: number) {
  const ch = new ChangeBuilder(slices[slice]!);
  ch.set(i, v);
  h.push({ slice, change: ch.build(), tool: 'brush' });
}

describe('LabelHistory', () => {
  it('undoes across slices and redoes; a new edit clears redo', () => {
    const slices = [new Int32Array(4), new Int32Array(4)];
    const h = new LabelHistory();
    edit(h, slices, 0, 1, 5);
    edit(h, slices, 1, 2, 6);
    edit(h, slices, 0, 1, 7);
    const of = (k: number) => slices[k]!;
    expect(h.undo(of)?.slice).toBe(0);
    expect([...slices[0]!]).toEqual([0, 5, 0, 0]);
    expect(h.undo(of)?.slice).toBe(1);
    expect([...slices[1]!]).toEqual([0, 0, 0, 0]);
    expect([h.undoCount, h.redoCount]).toEqual([1, 2]);
    expect(h.redo(of)?.slice).toBe(1);
    expect([...slices[1]!]).toEqual([0, 0, 6, 0]);
    edit(h, slices, 1, 3, 1);
    expect([h.undoCount, h.redoCount]).toEqual([3, 0]);
    expect(h.redo(of)).toBeNull();
  });
  it('keeps at least minSteps whatever the memory cap, and drops the oldest beyond the cap', () => {
    const slices = [new Int32Array(1000)];
    const h = new LabelHistory({ maxBytes: 10 * 12, minSteps: 100 });
    for (let k = 0; k < 150; k++) edit(h, slices, 0, k, 1);
    expect(h.undoCount).toBe(100);
    const big = new LabelHistory({ maxBytes: 1e9 });
    for (let k = 0; k < 300; k++) edit(big, slices, 0, k % 1000, k + 2);
    expect(big.undoCount).toBe(300);
  });
  it('ignores empty changes', () => {
    const h = new LabelHistory();
    h.push({ slice: 0, change: new ChangeBuilder(new Int32Array(1)).build(), tool: 'fill' });
    expect(h.undoCount).toBe(0);
  });
});

describe('LabelLayer', () => {
  it('records one step per edit, its dirty 256×256 tiles per slice, and undoes across slices', () => {
    const layer = new LabelLayer(600, 300, 2);
    layer.load(0, new Int32Array(600 * 300));
    let e = layer.begin(0, 'brush');
    e.builder.set(10, 1); // tile (0, 0)
    e.builder.set(299 * 600 + 599, 1); // tile (2, 1)
    layer.commit(e);
    e = layer.begin(1, 'fill');
    e.builder.set(300, 4); // slice 1, tile (1, 0)
    layer.commit(e);
    expect(layer.dirtyTiles().map((s) => ({ slice: s.slice, tiles: s.tiles.map((t) => t.rect) }))).toEqual([
      {
        slice: 0,
        tiles: [
          [0, 0, 256, 256],
          [512, 256, 600, 300],
        ],
      },
      { slice: 1, tiles: [[256, 0, 512, 256]] },
    ]);
    const t = layer.dirtyTiles()[0]!.tiles[1]!;
    expect(t.data.length).toBe(88 * 44);
    expect(t.data[43 * 88 + 87]).toBe(1);
    expect(layer.newLabel()).toBe(5);
    expect(layer.undo()?.step.slice).toBe(1);
    expect(layer.data(1)[300]).toBe(0);
    expect(layer.undo()?.rect).toEqual([10, 0, 600, 300]);
    expect(layer.data(0)[10]).toBe(0);
    expect(layer.redo()?.step.tool).toBe('brush');
  });
  it('loads a slice once, checks its size, drops unedited slices and keeps edited ones', () => {
    const layer = new LabelLayer(2, 2, 3);
    expect(() => layer.load(0, [1, 2, 3])).toThrow('Label slice 0: expected 4 values (2 × 2), got 3.');
    layer.load(0, [1, 0, 0, 0]);
    layer.load(0, [9, 9, 9, 9]);
    expect([...layer.data(0)]).toEqual([1, 0, 0, 0]);
    layer.drop(0);
    expect(layer.has(0)).toBe(false);
    const e = layer.begin(2, 'polygon');
    e.builder.set(3, 7);
    layer.commit(e);
    expect([...layer.data(2)]).toEqual([0, 0, 0, 7]);
    expect(layer.editedSlices()).toEqual([2]);
    layer.drop(2);
    expect(layer.has(2)).toBe(true);
  });
  it('stores labels in the base dtype, promoted when a label does not fit', () => {
    expect(labelDtype('uint8', 1)).toBe('uint8');
    expect(labelDtype('uint8', 256)).toBe('uint16');
    expect(labelDtype('uint16', 65536)).toBe('int32');
    expect(labelDtype(null, 3)).toBe('uint16');
    expect(labelDtype('int32', 3)).toBe('int32');
    expect(labelDtype('uint8', 3, -1)).toBe('int32');
  });
});
