// Issue 15 item 6 (pure parts): output names from their source and what made them, what a row in Runs
// says ("coins · otsu", key arguments only), and what the datasets filter searches.
import { describe, expect, it } from 'vitest';
import type { ParameterDeclaration } from '../../src/core/manifest';
import { nameStem, namingKey, outputName } from '../../src/core/outputNames';
import type { DatasetMeta } from '../../src/core/records';
import { filterText, sourceId } from '../../src/app/datasets/outputNames';
import { inputsLabel, keyArgs, runWhat } from '../../src/app/runs/runTitle';

const param = (name: string, type: ParameterDeclaration['config']['type'], def: unknown): ParameterDeclaration => ({
  name,
  description: '',
  config: { type, default: def as never, adjustable: true, options: [], min: null, max: null, step: null },
});
const THRESHOLD = [param('thresholding_algorithm', 'string_enum', 'otsu'), param('channel', 'int_range', 0)];
const TV = [param('denoising_weight', 'float_range', 0.1)];

describe('output names', () => {
  it('"<source without its image extension> · <text args or algorithm> <mask field>"', () => {
    expect(nameStem('coins.png')).toBe('coins');
    expect(nameStem('cells.tif [3/10]')).toBe('cells [3/10]');
    expect(nameStem('scan.ome.tif')).toBe('scan');
    expect(nameStem('result of run 4')).toBe('result of run 4');
    expect(nameStem('.png')).toBe('.png');
    const thr = { algorithmName: 'threshold_segmentation', args: { thresholding_algorithm: 'otsu', channel: 0 } };
    expect(outputName('coins.png', thr, namingKey(['mask']))).toBe('coins · otsu mask');
    expect(outputName('coins.png', { algorithmName: 'tv_denoising', args: { denoising_weight: 0.3 } }, namingKey(['image']))).toBe('coins · tv_denoising');
    expect(namingKey(['transform_matrix', 'points1'])).toBeNull();
    expect(namingKey(['labels', 'image'])).toBe('labels');
  });
});

describe('a run in the Runs list', () => {
  it('key arguments: method-like texts always, others only when not the default', () => {
    expect(keyArgs({ thresholding_algorithm: 'otsu', channel: 0 }, THRESHOLD)).toEqual(['otsu']);
    expect(keyArgs({ thresholding_algorithm: 'li', channel: 2 }, THRESHOLD)).toEqual(['li', 'channel=2']);
    expect(keyArgs({ denoising_weight: 0.1 }, TV)).toEqual([]);
    expect(keyArgs({ denoising_weight: 0.3 }, TV)).toEqual(['denoising_weight=0.3']);
    expect(keyArgs({ fill_holes: false, min_size: 64 }, [param('min_size', 'int_range', 64), param('fill_holes', 'bool', true)])).toEqual(['fill_holes=false']);
    // A removed algorithm: no defaults known, texts only.
    expect(keyArgs({ thresholding_algorithm: 'li', channel: 2 }, null)).toEqual(['li']);
  });

  it('inputs: a name without its extension, two names, "first + n more", or the stack they make up', () => {
    const names = new Map([
      ['a', 'coins.png'],
      ['b', 'camera.png'],
      ['c', 'moon.png'],
    ]);
    const stacks = [{ name: 'cells (3 images)', datasetIds: ['c', 'b', 'a'] }];
    expect(inputsLabel(['a'], names, stacks)).toBe('coins');
    expect(inputsLabel(['a', 'b'], names, stacks)).toBe('coins, camera');
    expect(inputsLabel(['a', 'b', 'c'], names, stacks)).toBe('coins + 2 more');
    expect(inputsLabel(['c', 'b', 'a'], names, stacks)).toBe('cells (3 images)');
    expect(inputsLabel(['deadbeef-1234'], names, stacks)).toBe('deadbeef… (deleted)');
    expect(inputsLabel([], names, stacks)).toBe('no inputs');
    expect(runWhat({ inputDatasetIds: ['a'], args: { thresholding_algorithm: 'otsu', channel: 0 } }, names, stacks, THRESHOLD)).toBe('coins · otsu');
    expect(runWhat({ inputDatasetIds: ['a'], args: { denoising_weight: 0.3 } }, names, stacks, TV)).toBe('coins · denoising_weight=0.3');
  });
});

describe('the datasets filter', () => {
  const meta = (over: Partial<DatasetMeta>): DatasetMeta => ({
    id: 'x',
    name: 'x',
    source: 'upload',
    created: '',
    schema: null,
    keys: {},
    byteLength: 0,
    extra: {},
    ...over,
  });
  const byId = new Map([
    ['src', { name: 'beads.png' }],
    ['b', { name: 'other.png' }],
  ]);

  it("searches an output's own name and its source's name", () => {
    const out = meta({ id: 'o', name: 'coins · otsu mask', source: 'execution:e', extra: { execution: 'e', inputs: ['src', 'b'], madeFrom: 'src' } });
    expect(sourceId(out)).toBe('src');
    expect(filterText(out, byId)).toBe('coins · otsu mask\nbeads.png');
    // Older outputs: the one input of their run; a prompt mask: its image; several inputs and no record: none.
    expect(sourceId(meta({ extra: { inputs: ['b'] } }))).toBe('b');
    expect(sourceId(meta({ source: 'prompt:e', extra: { image: 'src', inputs: ['src', 'b'] } }))).toBe('src');
    expect(sourceId(meta({ extra: { inputs: ['src', 'b'] } }))).toBeNull();
    expect(filterText(meta({ name: 'plain.png' }), byId)).toBe('plain.png');
  });
});
