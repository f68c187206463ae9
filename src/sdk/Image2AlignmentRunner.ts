import { ALGORITHM_TYPE_TABLE } from '../core/algorithmTypes';
import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { fetchStacked, inputIds } from './typedRunner';
import { isNDArray, type NDArray } from '../core/ndarray';
import { BRIEF, describeValue } from '../core/describeValue';

/** Schemas, input field and class name: core/algorithmTypes.ts. */
const TYPE = ALGORITHM_TYPE_TABLE.Image2Alignment;

/**
 * A sequence of N images in, N−1 3×3 matrices out (one per consecutive pair). inference has no
 * default: a Runner of this type must implement it. Convention: matrix i maps pixel coordinates
 * (x = column, y = row, homogeneous) of image i+1 to image i (docs/bundle-format.md).
 */
export class Image2AlignmentRunner extends BaseRunner {
  static override algorithmType = 'Image2Alignment';
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
    if (!Array.isArray(data)) {
      throw new Error(`The data returned from the inference should be a list of 3×3 NDArrays, but got ${describeValue(data, BRIEF)}.`);
    }
    data.forEach((m, i) => {
      if (!isNDArray(m)) {
        throw new Error(
          `The data returned from the inference should be a list of 3×3 NDArrays, but the element on position ${i} of the list is not an NDArray (got ${describeValue(m, BRIEF)}).`,
        );
      }
    });
    const expected = this.inputImagesCount - 1;
    if (data.length !== expected) {
      throw new Error(
        `The number of homography matrices returned from the inference should be ${expected}, but the number of matrices is ${data.length}. ` +
          'The algorithm expects to find a match between adjacent images, so the number of homography matrices should be equal to the number of images minus one.',
      );
    }
    return this.postDataAs(
      (data as NDArray[]).map((m) => ({
        points1: [],
        points2: [],
        confidence: [],
        transform_matrix: m,
        translation_matrix: m,
      })),
      TYPE.output,
    );
  }
}
