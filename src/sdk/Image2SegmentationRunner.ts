import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { fetchStacked, inputIds, postEach, requireNDArray } from './typedRunner';
import type { NDArray } from '../core/ndarray';

/** Images in, one mask per image out (mask shape[0] must equal the number of input images). */
export class Image2SegmentationRunner extends BaseRunner {
  static override algorithmType = 'Image2Segmentation';
  protected inputImagesShape: number[] = [];

  override fetchData(ids: string[], ...keys: string[]): Promise<Record<string, unknown>[]> {
    return this.fetchDataAs(ids, 'Image', ...keys);
  }

  override postData(items: Record<string, unknown>[]): Promise<string[]> {
    return this.postDataAs(items, 'Segmentation');
  }

  override async preprocess(inputData: InputData, _args: Args): Promise<NDArray> {
    const ids = inputIds(inputData, 'Image2SegmentationRunner');
    const data = await fetchStacked(this, ids, 'Image', 'image');
    this.inputImagesShape = [...data.shape];
    return data;
  }

  override async postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = requireNDArray(data);
    if (out.shape[0] !== this.inputImagesShape[0]) {
      throw new Error(
        `Output masks shape [${out.shape.join(', ')}] does not correspond to the input images shape [${this.inputImagesShape.join(', ')}].`,
      );
    }
    return postEach(this, out, 'mask', 'Segmentation');
  }
}
