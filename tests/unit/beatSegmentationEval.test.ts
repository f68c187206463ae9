// The built-in segmentation evaluation analyzer (src/blocks/segmentationEval.block.js) on small masks.
import { describe, expect, it } from 'vitest';
import { executeBlock, type DataStream } from '../../src/core/beat';
import { ndarray } from '../../src/core/ndarray';
import declaration from '../../src/blocks/segmentationEval.json';
import { Algorithm, diceAndIou } from '../../src/blocks/segmentationEval.block.js';

const masks = (list: number[][]): DataStream => list.map((px, i) => ({ data: { value: ndarray('uint8', [2, 2], px) }, start: i, end: i }));

// |P∩G|, |P|, |G| → Dice, IoU:
//   0: 1, 2, 1 → 2/3, 1/2    1: both empty → 1, 1    2: 2, 4, 2 → 2/3, 1/2    3: 0, 1, 1 → 0, 0
const PREDICTION = [
  [1, 1, 0, 0],
  [0, 0, 0, 0],
  [1, 1, 1, 1],
  [255, 0, 0, 0],
];
const TRUTH = [
  [1, 0, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 1, 1],
  [0, 0, 0, 1],
];

describe('segmentation evaluation analyzer', () => {
  it('per-image Dice and IoU', () => {
    const pairs = PREDICTION.map((p, i) => diceAndIou(ndarray('uint8', [2, 2], p).data, ndarray('uint8', [2, 2], TRUTH[i]!).data));
    expect(pairs).toEqual([
      { dice: 2 / 3, iou: 0.5 },
      { dice: 1, iou: 1 },
      { dice: 2 / 3, iou: 0.5 },
      { dice: 0, iou: 0 },
    ]);
  });

  it('writes one result: a bar plot per image plus the means', async () => {
    const run = await executeBlock({
      declaration,
      algorithm: Algorithm,
      name: 'user/segmentation_eval/1',
      inputs: { prediction: masks(PREDICTION), ground_truth: masks(TRUTH) },
    });
    expect(run.error).toBeNull();
    expect([run.ok, run.processCalls, run.warnings]).toEqual([true, 4, []]);
    const x = ndarray('float64', [4], [0, 1, 2, 3]);
    expect(run.result).toEqual({
      data: {
        per_image: {
          data: [
            { label: 'dice', x, y: ndarray('float64', [4], [2 / 3, 1, 2 / 3, 0]) },
            { label: 'iou', x, y: ndarray('float64', [4], [0.5, 1, 0.5, 0]) },
          ],
        },
        mean_dice: Math.fround(7 / 12),
        mean_iou: 0.5,
        nb_images: 4,
      },
      start: 0,
      end: 3,
      display: { per_image: false, mean_dice: true, mean_iou: true, nb_images: false },
    });
  });

  it('masks of different shapes fail the run', async () => {
    const truth = masks(TRUTH);
    const wrong: DataStream = [truth[0]!, { data: { value: ndarray('uint8', [4, 1]) }, start: 1, end: 1 }];
    const run = await executeBlock({ declaration, algorithm: Algorithm, inputs: { prediction: masks(PREDICTION.slice(0, 2)), ground_truth: wrong } });
    expect(run.error).toEqual({
      code: 'E_USER',
      stage: 'process',
      details: [],
      message: 'prediction and ground truth differ in shape at index 1: [2, 2] vs [4, 1]',
    });
    expect(run.result).toBeNull();
  });
});
