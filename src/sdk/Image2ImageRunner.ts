import { ALGORITHM_TYPE_TABLE } from '../core/algorithmTypes';
import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { countMismatch, fetchStacked, inputIds, postEach, requireNDArray } from './typedRunner';
import type { NDArray } from '../core/ndarray';

/** Schemas, input field and class name: core/algorithmTypes.ts. */
const TYPE = ALGORITHM_TYPE_TABLE.Image2Image;

/** Images in, images out: inference gets the stacked images (N×H×W or N×3×H×W) and returns N images. */
export class Image2ImageRunner extends BaseRunner {
  static override algorithmType = 'Image2Image';
  protected inputImagesCount = 0;

  /** Fetch with the Image schema bound (reference: typed runners take no schema argument). */
  override fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, TYPE.input.schema, ...keys);
  }

  /** Post with the Image schema bound. */
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
    return postEach(this, out, 'image', TYPE.output);
  }
}
