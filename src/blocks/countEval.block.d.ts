// Types of countEval.block.js (plain JS module text, installed as a BEAT block; Node tests import it directly).
import type { DataLoaderList, InputList, Output } from '../core/beat';

/** Mean |found − truth| over all images, and mean |found − truth| / truth over the images whose truth is > 0 (0 when none). */
export function countErrors(found: readonly number[], truth: readonly number[]): { meanAbsolute: number; meanRelative: number };

/** The per-image table (system/table/1): image_index, found, ground_truth, error (found − truth), relative_error (error / truth, NaN when truth is 0). */
export function perImageTable(
  indices: readonly number[],
  found: readonly number[],
  truth: readonly number[],
): { columns: { name: string; type: 'int' | 'float' }[]; values: number[][] };

export class Algorithm {
  process(inputs: InputList, dataLoaders: DataLoaderList, output: Output): boolean;
}
