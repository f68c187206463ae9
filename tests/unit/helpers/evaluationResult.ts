// The segmentation-evaluation analyzer's result checked against Dice/IoU computed directly per image
// (shared by the threshold-block and the Compox-runner toolchain tests).
import { expect } from 'vitest';
import type { NDArray } from '../../../src/core/ndarray';
import type { AnalyzerResult } from '../../../src/core/beat';

export function expectEvaluationResult(result: AnalyzerResult, direct: readonly { dice: number; iou: number }[]): void {
  const data = result.data as Record<string, unknown>;
  const series = (data.per_image as { data: { label: string; x: NDArray; y: NDArray }[] }).data;
  expect(series.map((s) => s.label)).toEqual(['dice', 'iou']);
  expect(Array.from(series[0]!.x.data)).toEqual(direct.map((_, k) => k));
  expect(Array.from(series[0]!.y.data)).toEqual(direct.map((r) => r.dice));
  expect(Array.from(series[1]!.y.data)).toEqual(direct.map((r) => r.iou));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(data.mean_dice).toBe(Math.fround(mean(direct.map((r) => r.dice))));
  expect(data.mean_iou).toBe(Math.fround(mean(direct.map((r) => r.iou))));
  expect(data.nb_images).toBe(direct.length);
}
