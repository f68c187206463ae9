import { describe, expect, it } from 'vitest';
import { ALGORITHM_TYPES, ALGORITHM_TYPE_TABLE, algorithmTypeInfo, runnerInput, typeFromSchemas } from '../../src/core/algorithmTypes';
import { RUNNER_DEFAULT_OUTPUTS } from '../../src/core/beat';
import { DATA_SCHEMAS } from '../../src/core/dataSchemas';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { RUNNER_CLASSES } from '../../src/sdk/runnerClasses';
import * as sdk from '../../src/sdk/index';

describe('the algorithm type table', () => {
  it('lists the Compox types in the reference order', () => {
    expect(ALGORITHM_TYPES).toEqual([
      'Image2Alignment',
      'Image2Image',
      'Image2Segmentation',
      'Image2Embedding',
      'Segmentation2Segmentation',
      'Undefined',
      'Generic',
    ]);
  });

  it('names the SDK class of each type, which "algobox" exports and which declares that type', () => {
    for (const t of ALGORITHM_TYPES) {
      const cls = RUNNER_CLASSES[t];
      expect(cls.name).toBe(ALGORITHM_TYPE_TABLE[t].runnerClass);
      expect((sdk as Record<string, unknown>)[cls.name]).toBe(cls);
      if (cls !== BaseRunner) expect(cls.algorithmType).toBe(t);
    }
  });

  it('uses only known data schemas', () => {
    for (const t of ALGORITHM_TYPES) {
      const { input, output } = ALGORITHM_TYPE_TABLE[t];
      if (input) expect(Object.keys(DATA_SCHEMAS)).toContain(input.schema);
      if (output) expect(Object.keys(DATA_SCHEMAS)).toContain(output);
    }
  });

  it('gives runner blocks their default outputs and input field', () => {
    expect(RUNNER_DEFAULT_OUTPUTS).toEqual({
      Image2Segmentation: { mask: 'system/array_2d_uint8/1' },
      Segmentation2Segmentation: { mask: 'system/array_2d_uint8/1' },
      Image2Alignment: { transform_matrix: 'system/array_2d_float64/1' },
    });
    expect(runnerInput('Segmentation2Segmentation')).toEqual({ schema: 'Segmentation', key: 'mask' });
    for (const t of ['Image2Image', 'Image2Segmentation', 'Image2Embedding', 'Image2Alignment', 'Generic', 'Undefined', 'Unknown']) {
      expect(runnerInput(t)).toEqual({ schema: 'Image', key: 'image' });
    }
  });

  it('picks the viewer of a run by type, generic for unknown names', () => {
    expect(ALGORITHM_TYPES.map((t) => ALGORITHM_TYPE_TABLE[t].viewer)).toEqual([
      'alignment',
      'compare',
      'segmentation',
      'embedding',
      'seg2seg',
      'generic',
      'generic',
    ]);
    expect(algorithmTypeInfo('NoSuchType')).toBeNull();
    expect(algorithmTypeInfo('constructor')).toBeNull();
  });

  it('infers the type of a run from its schemas when the algorithm is gone', () => {
    expect(typeFromSchemas('Image', 'Image')).toBe('Image2Image');
    expect(typeFromSchemas('Image', null)).toBe('Image2Image');
    expect(typeFromSchemas('Segmentation', 'Image')).toBe('Image2Segmentation');
    expect(typeFromSchemas('Segmentation', undefined)).toBe('Image2Segmentation');
    expect(typeFromSchemas('Segmentation', 'Segmentation')).toBe('Segmentation2Segmentation');
    expect(typeFromSchemas('Alignment', 'Image')).toBe('Image2Alignment');
    expect(typeFromSchemas('Embedding', null)).toBe('Image2Embedding');
    expect(typeFromSchemas('Generic', 'Image')).toBe('Generic');
    expect(typeFromSchemas(null, null)).toBe('Generic');
  });
});
