// The built-in toolchains the toolchain page offers, each built from the sample data at the time it
// is asked for (sample ids are only known at run time). Plain TS (Node-importable).
import type { ToolchainJson } from '../core/beat';
import type { DatasetMeta } from '../core/records';
import type { StackRecord } from '../core/stacks';
import {
  countEvalToolchain,
  fig3Toolchain,
  loopToolchain,
  pcaToolchain,
  runnerEvalToolchain,
  segmentationEvalToolchain,
  volumeThresholdToolchain,
} from './toolchains';

export interface BuiltinToolchain {
  /** Stable id (used in URLs: `?page=toolchains&toolchain=<id>`). */
  id: string;
  name: string;
  description: string;
  build(datasets: readonly DatasetMeta[], stacks: readonly StackRecord[]): ToolchainJson;
}

export const BUILTIN_TOOLCHAINS: readonly BuiltinToolchain[] = [
  {
    id: 'segmentation-eval',
    name: 'Segmentation evaluation',
    description:
      'The five cells images → threshold block → Dice/IoU analyzer against their ground-truth masks: per-image Dice and IoU (bar plot) and their means.',
    build: (datasets, stacks) => segmentationEvalToolchain(datasets, stacks),
  },
  {
    id: 'count-eval',
    name: 'Object counting',
    description:
      'The five cells images → threshold block → measure_objects (labels, count, areas); their ground-truth masks → measure_objects; count_eval compares the counts per image (bar plot, a per-image table, mean absolute and relative errors, totals).',
    build: (datasets, stacks) => countEvalToolchain(datasets, stacks),
  },
  {
    id: 'fig3',
    name: 'Fig. 3 (block synchronization)',
    description:
      "The seed's Fig. 3: six images and two labels each spanning three images; block A reads images + labels (process runs 6 times), block B reads labels (2 times).",
    build: (_datasets, stacks) => fig3Toolchain(stacks),
  },
  {
    id: 'runner-eval',
    name: 'Segmentation evaluation (Compox runner)',
    description:
      'The same evaluation with the Compox bundle threshold_segmentation as a block: one execution over the five images (Otsu over the whole stack), its posted masks feed the Dice/IoU analyzer.',
    build: (datasets, stacks) => runnerEvalToolchain(datasets, stacks),
  },
  {
    id: 'pca',
    name: 'PCA (the seed’s declaration)',
    description: 'The 16 slices of "spheres 3-D" → builtin/pca/1 with 5 components: the mean image and the principal subspace as a tutorial/linear_machine/1.',
    build: (_datasets, stacks) => pcaToolchain(stacks),
  },
  {
    id: 'loop',
    name: 'Loop (processor ↔ evaluator)',
    description:
      'The integers 1…9 → a loop processor that asks its evaluator to validate hypotheses until one is accepted (threshold 50) and writes x + it → the sum analyzer: {sum: 504, nb: 9}; the evaluator writes how many requests each unit took.',
    build: () => loopToolchain(),
  },
  {
    id: 'volume-threshold',
    name: 'Volume threshold (block by block)',
    description:
      'Every uint16 Volume dataset → builtin/volume_threshold/1, a lazy block that reads each volume one chunk at a time and writes its mask (value > 700) the same way: volumes larger than memory included.',
    build: (datasets) => {
      const volumes = datasets.filter((d) => d.keys.volume?.dtype === 'uint16' && d.keys.volume.shape.length === 3);
      if (volumes.length === 0) {
        throw new Error('No uint16 Volume dataset yet: import a multi-page TIFF or a 3-D .npy with "Multi-page files: one volume" first.');
      }
      return volumeThresholdToolchain(volumes.map((d) => d.id));
    },
  },
];
