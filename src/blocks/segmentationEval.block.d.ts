// Types of segmentationEval.block.js (plain JS module text, installed as a BEAT block; Node tests
// import it directly).
import type { DataLoaderList, InputList, Output } from '../core/beat';

/** Dice and IoU of two masks of equal length (non-zero = foreground); both 1 when both are empty. */
export function diceAndIou(p: ArrayLike<number>, g: ArrayLike<number>): { dice: number; iou: number };

export class Algorithm {
  process(inputs: InputList, dataLoaders: DataLoaderList, output: Output): boolean;
}
