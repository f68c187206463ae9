// The image a mask was made from through a chain of runs (src/app/viewers/data.ts imageSourceOf): coins →
// Otsu mask → cleaned mask → labels finds coins; a chain that breaks, is too long or ends on another size finds nothing.
import { describe, expect, it } from 'vitest';
import type { DatasetMeta } from '../../src/core/records';
import { imageSourceOf } from '../../src/app/viewers/data';

const field = (shape: number[]) => ({ kind: 'array', dtype: 'uint8', shape, byteLength: 0 });
const meta = (id: string, keys: Record<string, number[]>, extra: Record<string, unknown> = {}): DatasetMeta =>
  ({
    id,
    name: id,
    created: '',
    source: 'x',
    schema: null,
    byteLength: 0,
    extra,
    keys: Object.fromEntries(Object.entries(keys).map(([k, s]) => [k, field(s)])),
  }) as DatasetMeta;

describe('imageSourceOf', () => {
  const coins = meta('coins', { image: [303, 384] });
  const otsu = meta('otsu', { mask: [303, 384] }, { madeFrom: 'coins', inputs: ['coins'] });
  const clean = meta('clean', { mask: [303, 384] }, { madeFrom: 'otsu', inputs: ['otsu'] });
  const labels = meta('labels', { mask: [303, 384] }, { madeFrom: 'clean', inputs: ['clean'] });
  const all = [coins, otsu, clean, labels];

  it('follows madeFrom (else the first input) to the first image of the same Y × X', () => {
    expect(imageSourceOf(labels, all)?.id).toBe('coins');
    expect(imageSourceOf(otsu, all)?.id).toBe('coins');
    const imported = meta('imported', { mask: [303, 384] }, { inputs: ['coins'] });
    expect(imageSourceOf(imported, [...all, imported])?.id).toBe('coins');
  });

  it('nothing when the chain breaks, runs longer than 4 links, or ends on an image of another size', () => {
    expect(imageSourceOf(labels, [otsu, clean, labels])).toBeNull();
    const far = ['a', 'b', 'c', 'd', 'e'].map((id, i, ids) => meta(id, { mask: [303, 384] }, { madeFrom: ids[i + 1] ?? 'coins' }));
    expect(imageSourceOf(far[0]!, [coins, ...far])).toBeNull();
    expect(imageSourceOf(far[1]!, [coins, ...far])?.id).toBe('coins');
    const small = meta('small', { image: [10, 10] });
    expect(imageSourceOf(meta('m', { mask: [303, 384] }, { madeFrom: 'small' }), [small])).toBeNull();
    expect(imageSourceOf(coins, all)).toBeNull(); // no mask field
  });
});
