import { ALGORITHM_TYPE_TABLE } from '../core/algorithmTypes';
import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { countMismatch, fetchStacked, inputIds, postEach, requireNDArray } from './typedRunner';
import type { NDArray } from '../core/ndarray';

/** Schemas, input field and class name: core/algorithmTypes.ts. */
const TYPE = ALGORITHM_TYPE_TABLE.Segmentation2Segmentation;

/** Masks in (key "mask"), masks out, one per input. */
export class Segmentation2SegmentationRunner extends BaseRunner {
  static override algorithmType = 'Segmentation2Segmentation';
  protected inputImagesCount = 0;

  override fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, TYPE.input.schema, ...keys);
  }

  override postData(items: Record<string, unknown>[]): Promise<string[]> {
    return this.postDataAs(items, TYPE.output);
  }

  override async preprocess(inputData: InputData, _args: Args): Promise<NDArray> {
    const ids = inputIds(inputData, TYPE.runnerClass);
    const data = await fetchStacked(this, ids, TYPE.input.schema, TYPE.input.key);
    this.inputImagesCount = ids.length;
    return data;
  }

  override async postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = requireNDArray(data);
    if (out.shape[0] !== this.inputImagesCount) throw countMismatch(out.shape[0] ?? 0, this.inputImagesCount);
    return postEach(this, out, 'mask', TYPE.output);
  }
}
