// Shared default preprocess/postprocess of the typed runners (compox.md §2.2): fetch one key of every
// input dataset, stack along a new axis 0; post one dataset per item of the output.
import { isNDArray, ndarrayProblem, stack, unstack, type NDArray } from '../core/ndarray';
import type { DataSchemaName } from '../core/dataSchemas';
import type { BaseRunner, InputData } from './BaseRunner';

export function inputIds(inputData: InputData, runnerName: string): string[] {
  const ids = inputData?.inputDatasetIds ?? inputData?.input_dataset_ids;
  if (!Array.isArray(ids)) throw new Error(`${runnerName}.preprocess: inputData.inputDatasetIds must be a list of dataset ids.`);
  if (ids.length === 0) throw new Error(`${runnerName} needs at least one input dataset; none were given.`);
  return ids;
}

/** Fetch `key` of every dataset (validated with `schema`) and stack them: N×H×W or N×3×H×W. */
export async function fetchStacked(runner: BaseRunner, ids: string[], schema: DataSchemaName, key: string): Promise<NDArray> {
  const items = await runner.fetchDataAs(ids, schema, key);
  const arrays = items.map((it, i) => {
    const a = it[key];
    if (!isNDArray(a)) throw new Error(`Input dataset ${ids[i]} has no '${key}' array.`);
    return a;
  });
  const first = arrays[0]!;
  const odd = arrays.findIndex((a) => a.dtype !== first.dtype || a.shape.length !== first.shape.length || a.shape.some((d, j) => d !== first.shape[j]));
  if (odd > 0) {
    const a = arrays[odd]!;
    throw new Error(
      `All input ${key}s must have the same shape and dtype to be stacked: dataset ${ids[0]} is ${first.dtype} [${first.shape.join(', ')}] ` +
        `but dataset ${ids[odd]} is ${a.dtype} [${a.shape.join(', ')}].`,
    );
  }
  return stack(arrays);
}

/**
 * The reference's sentence, then what exactly is wrong: the expected length against the actual one,
 * the unknown dtype and the allowed ones, or the dtype against the array's type.
 */
export function requireNDArray(data: unknown): NDArray {
  const problem = ndarrayProblem(data, 'the inference output');
  if (problem) {
    throw new Error(`Data is not an NDArray, please make sure that the inference method returns an NDArray {dtype, shape, data}. ${problem}`);
  }
  return data as NDArray;
}

/** The reference's count check (with the missing space of its message fixed). */
export function countMismatch(n: number, m: number): Error {
  return new Error(
    `The first dimension of the array output by the inference method is ${n}, but the number of input images is ${m}. ` +
      'Please make sure that the inference method returns an array with the same number of images as the input.',
  );
}

export function postEach(runner: BaseRunner, out: NDArray, key: string, schema: DataSchemaName): Promise<string[]> {
  return runner.postDataAs(
    unstack(out).map((a) => ({ [key]: a })),
    schema,
  );
}
