import { afterEach, describe, expect, it } from 'vitest';
import type { Algobox } from '../../src/api';
import { ChangeBuilder } from '../../src/core/labels/change';
import { LabelLayer } from '../../src/core/labels/layer';
import { clearDraft, loadDraft, saveDraft, saveLabelLayer } from '../../src/app/viewers/annotate/persistence';
import type { AnnotateTarget } from '../../src/app/viewers/annotate/target';

const target = (over: Partial<AnnotateTarget> = {}): AnnotateTarget => ({
  key: 'edit:m1',
  kind: 'mask',
  name: 'cells mask',
  imageId: 'img1',
  inputs: ['img1'],
  base: { id: 'm1', key: 'mask', dtype: 'uint8' },
  width: 300,
  height: 2,
  depth: 2,
  sliceLabel: 'Z',
  readImage: async () => null,
  ...over,
});

function fakeApi(base: Uint8Array) {
  const puts: { fields: Record<string, unknown>; meta: unknown }[] = [];
  const api = {
    datasets: {
      readRegion: async (_id: string, _key: string, region?: [number, number][]) => {
        const k = region ? region[0]![0] : 0;
        return { dtype: 'uint8', shape: [1, 2, 300], data: base.subarray(k * 600, (k + 1) * 600) };
      },
      put: async (fields: Record<string, unknown>, meta: unknown) => {
        puts.push({ fields, meta });
        return 'new1';
      },
    },
  } as unknown as Algobox;
  return { api, puts };
}

describe('saveLabelLayer', () => {
  it('writes the edited tiles over the base, promotes the dtype, records the provenance', async () => {
    const base = new Uint8Array(1200).fill(1);
    const { api, puts } = fakeApi(base);
    const layer = new LabelLayer(300, 2, 2);
    layer.load(1, base.subarray(600)); // the editor loads a slice before it is edited
    const e = layer.begin(1, 'brush');
    e.builder.set(299 + 300, 300); // slice 1, (299, 1): tile (1, 0)
    layer.commit(e);
    expect(await saveLabelLayer(api, target(), { slices: layer.dirtyTiles() })).toBe('new1');
    const mask = puts[0]!.fields.mask as { dtype: string; shape: number[]; data: Uint16Array };
    expect([mask.dtype, mask.shape]).toEqual(['uint16', [2, 2, 300]]);
    expect([mask.data[0], mask.data[600 + 599], mask.data[600 + 598], mask.data[600 + 299], mask.data.filter((v) => v === 1).length]).toEqual([
      1, 300, 1, 1, 1199,
    ]);
    expect(puts[0]!.meta).toEqual({
      name: 'cells mask (edited)',
      source: 'edit:m1',
      schema: 'Segmentation',
      extra: { inputs: ['img1'], editedFrom: 'm1', editedImage: 'img1', editedSlices: [1], editedTiles: { '1': [[1, 0]] } },
    });
  });
  it('a new layer starts from zeros and is named after the image', async () => {
    const { api, puts } = fakeApi(new Uint8Array(1200).fill(9));
    await saveLabelLayer(api, target({ key: 'image:img1', kind: 'image', base: null, name: 'coins', depth: 1 }), { slices: [] });
    const mask = puts[0]!.fields.mask as { dtype: string; shape: number[]; data: Uint16Array };
    expect([mask.dtype, mask.shape, mask.data.every((v) => v === 0)]).toEqual(['uint16', [2, 300], true]);
    expect(puts[0]!.meta).toMatchObject({ name: 'coins (edited)', source: 'annotation:img1' });
  });
});

describe('drafts', () => {
  const store = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  };
  afterEach(() => store.clear());
  it('round-trips the history steps of a target and its base', () => {
    const ch = new ChangeBuilder(new Int32Array(10));
    ch.set(3, 7);
    ch.set(8, -2);
    expect(saveDraft(target(), [{ slice: 1, tool: 'fill', change: ch.build() }])).toBe(true);
    const d = loadDraft(target())!;
    expect(d.baseId).toBe('m1');
    expect(d.steps.map((s) => ({ slice: s.slice, tool: s.tool, i: [...s.change.indices], b: [...s.change.before], a: [...s.change.after] }))).toEqual([
      { slice: 1, tool: 'fill', i: [3, 8], b: [0, 0], a: [7, -2] },
    ]);
    expect(loadDraft(target({ base: { id: 'm2', key: 'mask', dtype: 'uint8' } }))).toBeNull();
    clearDraft(target());
    expect(loadDraft(target())).toBeNull();
  });
});
