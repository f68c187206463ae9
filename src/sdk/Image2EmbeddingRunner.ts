import { ALGORITHM_TYPE_TABLE } from '../core/algorithmTypes';
import { BaseRunner, type Args, type InputData } from './BaseRunner';
import { countMismatch, fetchStacked, inputIds, requireNDArray } from './typedRunner';
import { unstack, type NDArray } from '../core/ndarray';

/** Schemas, input field and class name: core/algorithmTypes.ts. */
const TYPE = ALGORITHM_TYPE_TABLE.Image2Embedding;

/**
 * Images in, one embedding per image out. The default postprocess posts `features[i]` with
 * `original_size` = the input image's [H, W] and `input_size` = `this.inputSizes[i]` (defaults to the
 * original size), so it passes its own schema (the reference's default did not). Runners that resize
 * (e.g. longest side to 1024) set `this.inputSizes` in inference or override postprocess.
 */
export class Image2EmbeddingRunner extends BaseRunner {
  static override algorithmType = 'Image2Embedding';
  protected inputImagesCount = 0;
  protected originalSizes: [number, number][] = [];
  protected inputSizes: [number, number][] | null = null;

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
    const h = data.shape[data.shape.length - 2]!;
    const w = data.shape[data.shape.length - 1]!;
    this.originalSizes = ids.map(() => [h, w]);
    return data;
  }

  override async postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = requireNDArray(data);
    if (out.shape[0] !== this.inputImagesCount) throw countMismatch(out.shape[0] ?? 0, this.inputImagesCount);
    const sizes = this.inputSizes ?? this.originalSizes;
    return this.postDataAs(
      unstack(out).map((features, i) => ({
        features,
        input_size: [...(sizes[i] ?? this.originalSizes[i]!)],
        original_size: [...this.originalSizes[i]!],
      })),
      TYPE.output,
    );
  }
}
