import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { countMismatch, fetchStacked, inputIds, postEach, requireNDArray } from './typedRunner';
import type { NDArray } from '../core/ndarray';

/** Images in, images out: inference gets the stacked images (N×H×W or N×3×H×W) and returns N images. */
export class Image2ImageRunner extends BaseRunner {
  static override algorithmType = 'Image2Image';
  protected inputImagesCount = 0;

  /** Fetch with the Image schema bound (reference: typed runners take no schema argument). */
  override fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, 'Image', ...keys);
  }

  /** Post with the Image schema bound. */
  override postData(items: Record<string, unknown>[]): Promise<string[]> {
    return this.postDataAs(items, 'Image');
  }

  override async preprocess(inputData: InputData, _args: Args): Promise<NDArray> {
    const ids = inputIds(inputData, 'Image2ImageRunner');
    const data = await fetchStacked(this, ids, 'Image', 'image');
    this.inputImagesCount = ids.length;
    return data;
  }

  override async postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = requireNDArray(data);
    if (out.shape[0] !== this.inputImagesCount) throw countMismatch(out.shape[0] ?? 0, this.inputImagesCount);
    return postEach(this, out, 'image', 'Image');
  }
}
