import { ALGORITHM_TYPE_TABLE } from '../core/algorithmTypes';
import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { fetchStacked, inputIds, postEach, requireNDArray } from './typedRunner';
import type { NDArray } from '../core/ndarray';

/** Schemas, input field and class name: core/algorithmTypes.ts. */
const TYPE = ALGORITHM_TYPE_TABLE.Image2Segmentation;

/** Images in, one mask per image out (mask shape[0] must equal the number of input images). */
export class Image2SegmentationRunner extends BaseRunner {
  static override algorithmType = 'Image2Segmentation';
  protected inputImagesShape: number[] = [];

  override fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, TYPE.input.schema, ...keys);
  }

  override postData(items: Record<string, unknown>[]): Promise<string[]> {
    return this.postDataAs(items, TYPE.output);
  }

  override async preprocess(inputData: InputData, _args: Args): Promise<NDArray> {
    const ids = inputIds(inputData, TYPE.runnerClass);
    const data = await fetchStacked(this, ids, TYPE.input.schema, TYPE.input.key);
    this.inputImagesShape = [...data.shape];
    return data;
  }

  override async postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = requireNDArray(data);
    if (out.shape[0] !== this.inputImagesShape[0]) {
      throw new Error(`Output masks shape [${out.shape.join(', ')}] does not correspond to the input images shape [${this.inputImagesShape.join(', ')}].`);
    }
    return postEach(this, out, 'mask', TYPE.output);
  }
}
