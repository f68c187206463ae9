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
      {
        name: 'labels',
        values: [{ value: 1 }, { value: 2 }],
        format: 'system/int32/1',
        ranges: [
          [0, 2],
          [3, 5],
        ],
      },
    ],
    blocks: [
      { name: 'A', algorithm: 'builtin/fig3_features/1' },
      { name: 'B', algorithm: 'builtin/fig3_labels/1' },
    ],
  };
}

/** The five cells images ("cells", "cells 2", the three of "cells (3 images)") and their ground-truth masks, in that order. */
function cellsSamples(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[]): { images: string[]; truths: string[] } {
  const images = [datasetId(datasets, 'cells'), datasetId(datasets, 'cells 2'), ...stack(stacks, 'cells (3 images)').datasetIds];
  const truths = [
    datasetId(datasets, 'cells (ground truth)'),
    datasetId(datasets, 'cells 2 (ground truth)'),
    ...stack(stacks, 'cells ground truth (3 masks)').datasetIds,
  ];
  return { images, truths };
}

/** The two sources of the cells toolchains: the five images (uint16) and their ground-truth masks (uint8), in the same order. */
function cellsSources(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[]): ToolchainJson['sources'] {
  const { images, truths } = cellsSamples(datasets, stacks);
  return [
    { name: 'images', datasetIds: images, field: 'image', format: 'system/array_2d_uint16/1' },
    { name: 'ground_truth', datasetIds: truths, field: 'mask', format: 'system/array_2d_uint8/1' },
  ];
}

/**
 * Segmentation evaluation on the sample data: the cells images ("cells", "cells 2" and the three of
 * "cells (3 images)") → threshold block → the Dice/IoU analyzer against their ground-truth masks.
 * `ground_truth` is connected by Input naming (same name and format); `prediction` by hand (the
 * ground truth is also a uint8 mask, so inferring it would be ambiguous).
 */
export function segmentationEvalToolchain(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[], threshold = 700): ToolchainJson {
  return {
    name: 'segmentation evaluation',
    sources: cellsSources(datasets, stacks),
    blocks: [
      { name: 'threshold', algorithm: 'builtin/threshold/1', parameters: { threshold } },
      { name: 'evaluation', algorithm: 'builtin/segmentation_eval/1' },
    ],
    connections: [{ from: 'threshold.mask', to: 'evaluation.prediction' }],
  };
}

/**
 * Object counting on the cells samples: the images → threshold block → `builtin/measure_objects/1` (labels,
 * count, areas); the ground-truth masks → a second `measure_objects`; `builtin/count_eval/1` compares the
 * counts per image (bar plot, mean absolute and relative errors, totals). Connections are given by hand:
 * both measure blocks read uint8 masks and both counts are int32.
 */
export function countEvalToolchain(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[], threshold = 700): ToolchainJson {
  return {
    name: 'object counting',
    sources: cellsSources(datasets, stacks),
    blocks: [
      { name: 'threshold', algorithm: 'builtin/threshold/1', parameters: { threshold } },
      { name: 'measure', algorithm: 'builtin/measure_objects/1', parameters: { connectivity: 2 } },
      { name: 'measure_truth', algorithm: 'builtin/measure_objects/1', parameters: { connectivity: 2 } },
      { name: 'counting', algorithm: 'builtin/count_eval/1' },
    ],
    connections: [
      { from: 'images', to: 'threshold.image' },
      { from: 'threshold.mask', to: 'measure.mask' },
      { from: 'ground_truth', to: 'measure_truth.mask' },
      { from: 'measure.count', to: 'counting.count' },
      { from: 'measure_truth.count', to: 'counting.ground_truth_count' },
    ],
  };
}

/**
 * Segmentation evaluation with a Compox runner: the same cells images and ground truths as
 * `segmentationEvalToolchain`, thresholded by the built-in bundle `threshold_segmentation` (one
 * execution over the five images: its threshold — Otsu's by default — is computed over the whole
 * stack) instead of the threshold block, feeding `builtin/segmentation_eval/1`. The runner reads the
 * stored images by their ids (the source is read from their `image` field); its posted masks (one per
 * image) are the units of `threshold.mask`. Both connections to the runner's input and to the
 * analyzer's `prediction` are given by hand: images and ground truths are both image arrays, and
 * the ground truth and the masks both uint8 masks.
 */
export function runnerEvalToolchain(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[], method = 'otsu'): ToolchainJson {
  return {
    name: 'segmentation evaluation (Compox runner)',
    sources: cellsSources(datasets, stacks),
    blocks: [
      {
        name: 'threshold',
        runner: 'threshold_segmentation',
        parameters: { thresholding_algorithm: method },
        device: 'cpu',
        outputs: { mask: 'system/array_2d_uint8/1' },
      },
      { name: 'evaluation', algorithm: 'builtin/segmentation_eval/1' },
    ],
    connections: [
      { from: 'images', to: 'threshold.input_dataset_ids' },
      { from: 'threshold.mask', to: 'evaluation.prediction' },
    ],
  };
}

/**
 * The seed's PCA on a real stack: the 16 slices of "spheres 3-D (16 slices)" (128×128 uint8) →
 * `builtin/pca/1` with 5 components (16 images of 16384 pixels: the Gram-matrix method). Its one
 * output unit, `pca.subspace` (a `tutorial/linear_machine/1` over [0, 15]), holds the mean image and
 * the 16384×5 weights. The block's `image` input is connected by Input naming (the only uint8 image source).
 */
export function pcaToolchain(stacks: readonly StackRecord[], components = 5): ToolchainJson {
  return {
    name: 'PCA of the spheres stack',
    sources: [{ name: 'images', stackId: stack(stacks, 'spheres 3-D (16 slices)').id, field: 'image', format: 'system/array_2d_uint8/1' }],
    blocks: [{ name: 'pca', algorithm: 'builtin/pca/1', parameters: { 'number-of-components': components } }],
  };
}

/** The integers of the loop toolchain (upstream's loop/1 experiment reports {sum: 504, nb: 9} over nine of them). */
export const LOOP_INTEGERS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * "Loop": the integers 1…9 → `builtin/loop_processor/1` (searches, for each x, the smallest hypothesis
 * its evaluator accepts and writes x + it) looped with `builtin/loop_evaluator/1` (threshold 50: every
 * search ends at 51, after 9 requests per unit, which it writes as `requests`) → `builtin/sum/1`
 * ({sum: 504, nb: 9}). Needs no sample data.
 */
export function loopToolchain(threshold = 50): ToolchainJson {
  return {
    name: 'loop',
    description: 'A loop processor and its evaluator: the processor asks the evaluator to validate hypotheses until one is accepted.',
    sources: [{ name: 'integers', format: 'system/int32/1', values: LOOP_INTEGERS.map((value) => ({ value })) }],
    blocks: [
      { name: 'processor', algorithm: 'builtin/loop_processor/1' },
      { name: 'evaluator', algorithm: 'builtin/loop_evaluator/1', parameters: { threshold } },
      { name: 'analysis', algorithm: 'builtin/sum/1' },
    ],
    connections: [
      { from: 'integers', to: 'processor.in_loop' },
      { from: 'integers', to: 'evaluator.in' },
      { from: 'processor.out', to: 'analysis.in' },
    ],
    loops: [{ name: 'loop', processor: 'processor', evaluator: 'evaluator' }],
  };
}

/**
 * Threshold volumes block by block (issue 13): the `field` (default `volume`) of each dataset, a
 * uint16 [Z, Y, X] array, feeds the lazy block `builtin/volume_threshold/1`, which reads it one chunk
 * at a time and writes its mask the same way — volumes larger than memory included.
 */
export function volumeThresholdToolchain(datasetIds: readonly string[], threshold = 700, field = 'volume'): ToolchainJson {
  return {
    name: 'volume threshold',
    sources: [{ name: 'volume', datasetIds: [...datasetIds], field, format: 'system/array_3d_uint16/1' }],
    blocks: [{ name: 'threshold', algorithm: 'builtin/volume_threshold/1', parameters: { threshold } }],
    connections: [],
  };
}
