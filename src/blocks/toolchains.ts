// The built-in toolchains, built from the sample data (`algobox.samples.ensure()`), whose ids are only
// known at run time. Plain TS with no asset imports, so Node tests (Vitest, Playwright) import it too.
import type { ToolchainJson } from '../core/beat';
import type { DatasetMeta } from '../core/records';
import type { StackRecord } from '../core/stacks';

function datasetId(datasets: readonly DatasetMeta[], name: string): string {
  const d = datasets.find((x) => x.name === name && x.source === 'sample');
  if (!d) throw new Error(`sample dataset '${name}' not found: create the sample data first (algobox.samples.ensure()).`);
  return d.id;
}

function stack(stacks: readonly StackRecord[], name: string): StackRecord {
  const s = stacks.find((x) => x.name === name);
  if (!s) throw new Error(`sample stack '${name}' not found: create the sample data first (algobox.samples.ensure()).`);
  return s;
}

/**
 * The seed's Fig. 3 on the sample data: six images (the first six slices of "spheres 3-D (16
 * slices)"), two labels each spanning three images (inline values, ranges [0, 2] and [3, 5]); block A
 * reads images + labels (process runs 6 times), block B reads labels (2 times).
 */
export function fig3Toolchain(stacks: readonly StackRecord[]): ToolchainJson {
  const slices = stack(stacks, 'spheres 3-D (16 slices)').datasetIds.slice(0, 6);
  return {
    name: 'Fig. 3',
    sources: [
      { name: 'images', datasetIds: slices, format: 'system/array_2d_uint8/1' },
      { name: 'labels', values: [{ value: 1 }, { value: 2 }], format: 'system/int32/1', ranges: [[0, 2], [3, 5]] },
    ],
    blocks: [
      { name: 'A', algorithm: 'builtin/fig3_features/1' },
      { name: 'B', algorithm: 'builtin/fig3_labels/1' },
    ],
  };
}

/**
 * Segmentation evaluation on the sample data: the cells images ("cells", "cells 2" and the three of
 * "cells (3 images)") → threshold block → the Dice/IoU analyzer against their ground-truth masks.
 * `ground_truth` is connected by Input naming (same name and format); `prediction` by hand (the
 * ground truth is also a uint8 mask, so inferring it would be ambiguous).
 */
export function segmentationEvalToolchain(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[], threshold = 700): ToolchainJson {
  const images = [datasetId(datasets, 'cells'), datasetId(datasets, 'cells 2'), ...stack(stacks, 'cells (3 images)').datasetIds];
  const truths = [
    datasetId(datasets, 'cells (ground truth)'),
    datasetId(datasets, 'cells 2 (ground truth)'),
    ...stack(stacks, 'cells ground truth (3 masks)').datasetIds,
  ];
  return {
    name: 'segmentation evaluation',
    sources: [
      { name: 'images', datasetIds: images, field: 'image', format: 'system/array_2d_uint16/1' },
      { name: 'ground_truth', datasetIds: truths, field: 'mask', format: 'system/array_2d_uint8/1' },
    ],
    blocks: [
      { name: 'threshold', algorithm: 'builtin/threshold/1', parameters: { threshold } },
      { name: 'evaluation', algorithm: 'builtin/segmentation_eval/1' },
    ],
    connections: [{ from: 'threshold.mask', to: 'evaluation.prediction' }],
  };
}
