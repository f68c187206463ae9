import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discOffsets, paintSegment, strokePixels } from '../../src/core/labels/brush';
import { ChangeBuilder, applyChange, changeBounds } from '../../src/core/labels/change';
import { floodFill } from '../../src/core/labels/fill';
import { fillPolygon, polygonPixels } from '../../src/core/labels/polygon';
import { newLabel, pickLabel, type LabelSlice } from '../../src/core/labels/slice';

const slice = (w: number, h: number, rows?: string[]): LabelSlice => {
  const data = new Int32Array(w * h);
  rows?.forEach((r, y) => [...r].forEach((c, x) => (data[y * w + x] = Number(c))));
  return { width: w, height: h, data };
};
const rows = (s: LabelSlice) => Array.from({ length: s.height }, (_, y) => Array.from(s.data.subarray(y * s.width, (y + 1) * s.width)).join(''));

describe('brush disc', () => {
  it('has napari-like sizes: 1 → 1 px, 3 → plus-shape 5 px... up to 5 → 21 px', () => {
    expect(discOffsets(1).length / 2).toBe(1);
    expect(discOffsets(2).length / 2).toBe(5);
    expect(discOffsets(3).length / 2).toBe(9);
    expect(discOffsets(5).length / 2).toBe(21);
    expect(discOffsets(10).length / 2).toBe(81);
  });
  it('stamps a 5-pixel disc in the slice', () => {
    const s = slice(5, 5);
    const ch = new ChangeBuilder(s.data);
    const r = paintSegment(s, ch, { x: 2.4, y: 2.6 }, { x: 2.4, y: 2.6 }, { value: 3, size: 2 });
    expect(rows(s)).toEqual(['00000', '00300', '03330', '00300', '00000']);
    expect(r).toEqual([1, 1, 4, 4]);
    expect(ch.build().indices.length).toBe(5);
  });
  it('interpolates a fast stroke (no gaps) and clips at the border', () => {
    expect(strokePixels(0, 0, 4.9, 2.2)).toEqual([0, 0, 1, 1, 2, 1, 3, 2, 4, 2]);
    const s = slice(8, 3);
    const ch = new ChangeBuilder(s.data);
    paintSegment(s, ch, { x: 0.5, y: 0.5 }, { x: 7.5, y: 0.5 }, { value: 1, size: 1 });
    expect(rows(s)).toEqual(['11111111', '00000000', '00000000']);
  });
  it('preserve labels paints only background; eraser with preserve erases only the selected label', () => {
    const s = slice(3, 1, ['020']);
    const ch = new ChangeBuilder(s.data);
    paintSegment(s, ch, { x: 0, y: 0 }, { x: 2, y: 0 }, { value: 1, size: 1, preserve: true });
    expect(rows(s)).toEqual(['121']);
    paintSegment(s, ch, { x: 0, y: 0 }, { x: 2, y: 0 }, { value: 0, size: 1, preserve: true, selected: 2 });
    expect(rows(s)).toEqual(['101']);
    const c = ch.build();
    expect([...c.indices]).toEqual([0, 1, 2]);
    expect([...c.before]).toEqual([0, 2, 0]);
    expect([...c.after]).toEqual([1, 0, 1]);
  });
});

describe('flood fill', () => {
  it('fills the 4-connected region of the clicked label only', () => {
    const s = slice(5, 4, ['11022', '10002', '01100', '00000']);
    const ch = new ChangeBuilder(s.data);
    const r = floodFill(s, ch, 0, 0, 7);
    expect(rows(s)).toEqual(['77022', '70002', '01100', '00000']);
    expect(r).toEqual([0, 0, 2, 2]);
  });
  it('filling background fills the enclosed background only', () => {
    const s = slice(5, 5, ['00000', '01110', '01010', '01110', '00000']);
    const ch = new ChangeBuilder(s.data);
    floodFill(s, ch, 2, 2, 4);
    expect(rows(s)).toEqual(['00000', '01110', '01410', '01110', '00000']);
    expect(ch.build().indices.length).toBe(1);
    expect(floodFill(s, ch, 2, 2, 4)).toBeNull();
  });
  it('fills a large region without recursion', () => {
    const s = slice(1000, 1000);
    const ch = new ChangeBuilder(s.data);
    floodFill(s, ch, 500, 500, 1);
    expect(ch.size).toBe(1e6);
    const c = ch.build();
    expect([c.indices.length, c.indices[0], c.indices[999_999], c.before[5], c.after[5]]).toEqual([1e6, 0, 999_999, 0, 1]);
  });
});

describe('polygon fill', () => {
  const fx = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/labels_polygon.json'), 'utf8')) as {
    shape: [number, number];
    cases: { xy: number[]; rows: number[]; cols: number[] }[];
  };
  it.each(fx.cases.map((c, i) => [i, c] as const))('matches skimage.draw.polygon, case %i', (_i, c) => {
    const [h, w] = fx.shape;
    const got = polygonPixels(c.xy, w, h);
    const key = (x: number, y: number) => y * w + x;
    const mine = new Set<number>();
    for (let k = 0; k < got.length; k += 2) mine.add(key(got[k]!, got[k + 1]!));
    const theirs = new Set(c.rows.map((r, k) => key(c.cols[k]!, r)));
    expect([...mine].sort((a, b) => a - b)).toEqual([...theirs].sort((a, b) => a - b));
  });
  it('fills with a value, preserving labels when asked, and records the change', () => {
    const s = slice(4, 4, ['0000', '0200', '0000', '0000']);
    const ch = new ChangeBuilder(s.data);
    const r = fillPolygon(s, ch, [0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5], 5, true);
    expect(rows(s)).toEqual(['0000', '0250', '0550', '0000']);
    expect(r).toEqual([1, 1, 3, 3]);
  });
});

describe('change records, pick and new label', () => {
  it('undoes and redoes a change, with its bounds', () => {
    const s = slice(4, 3);
    const ch = new ChangeBuilder(s.data);
    ch.set(5, 2);
    ch.set(10, 3);
    ch.set(5, 4);
    const c = ch.build();
    expect([...c.before]).toEqual([0, 0]);
    expect([...c.after]).toEqual([4, 3]);
    expect(changeBounds(c, 4)).toEqual([1, 1, 3, 3]);
    applyChange(s.data, c, 'undo');
    expect(s.data.every((v) => v === 0)).toBe(true);
    applyChange(s.data, c, 'redo');
    expect(s.data[5]).toBe(4);
  });
  it('picks the value under the pointer and finds max + 1', () => {
    const s = slice(3, 2, ['004', '090']);
    expect(pickLabel(s, 2.7, 0.1)).toBe(4);
    expect(pickLabel(s, -1, 0)).toBe(0);
    expect(newLabel([s.data, Int32Array.of(12)])).toBe(13);
    expect(newLabel([])).toBe(1);
  });
});
