// Shared default preprocess/postprocess of the typed runners (compox.md §2.2): fetch one key of every
// input dataset, stack along a new axis 0; post one dataset per item of the output.
import { copy, isNDArray, ndarray, ndarrayProblem, reshape, sliceRange, unstack, type NDArray } from '../core/ndarray';
import { FETCH_AHEAD, FETCH_BATCH, POST_BATCH_BYTES, batches } from './transfer';
import type { DataSchemaName } from '../core/dataSchemas';
import type { BaseRunner, InputData } from './BaseRunner';

export function inputIds(inputData: InputData, runnerName: string): string[] {
  const ids = inputData?.inputDatasetIds ?? inputData?.input_dataset_ids;
  if (!Array.isArray(ids)) throw new Error(`${runnerName}.preprocess: inputData.inputDatasetIds must be a list of dataset ids.`);
  if (ids.length === 0) throw new Error(`${runnerName} needs at least one input dataset; none were given.`);
  return ids;
}

/**
 * Fetch `key` of every dataset (validated with `schema`) and stack them: N×H×W or N×3×H×W. Fetched
 * FETCH_BATCH datasets per call with FETCH_AHEAD calls in flight (the engine reads the next batch
 * while this one travels); each batch is copied into the stack as it arrives, so the worker holds the
 * stack and a few batches, never every input twice. One dataset is not copied at all: the stack is a
 * view on its (transferred) buffer.
 */
export async function fetchStacked(runner: BaseRunner, ids: string[], schema: DataSchemaName, key: string): Promise<NDArray> {
  const parts = batches(ids, FETCH_BATCH);
  const get = (k: number) => {
    const p = runner.fetchDataAs(parts[k]!, schema, key);
    p.catch(() => {}); // awaited below; a batch in flight while an earlier one fails is not an unhandled rejection
    return p;
  };
  const pending = parts.slice(0, FETCH_AHEAD).map((_, k) => get(k));
  let first: NDArray | null = null;
  let out: NDArray | null = null;
  let per = 0;
  let index = 0;
  for (let k = 0; k < parts.length; k++) {
    const items: Record<string, unknown>[] = await pending[k]!;
    if (k + FETCH_AHEAD < parts.length) pending.push(get(k + FETCH_AHEAD));
    for (const it of items) {
      const a = it[key];
      if (!isNDArray(a)) throw new Error(`Input dataset ${ids[index]} has no '${key}' array.`);
      if (!first) {
        first = a;
        if (ids.length === 1) return reshape(a, [1, ...a.shape]);
        per = a.data.length;
        out = ndarray(a.dtype, [ids.length, ...a.shape]);
      } else if (a.dtype !== first.dtype || a.shape.length !== first.shape.length || a.shape.some((d, j) => d !== first!.shape[j])) {
        throw new Error(
          `All input ${key}s must have the same shape and dtype to be stacked: dataset ${ids[0]} is ${first.dtype} [${first.shape.join(', ')}] ` +
            `but dataset ${ids[index]} is ${a.dtype} [${a.shape.join(', ')}].`,
        );
      }
      (out!.data as Float64Array).set(a.data as unknown as ArrayLike<number>, index * per);
      index++;
    }
  }
  return out!;
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

/**
 * Post one dataset per item along axis 0 of `out`. The items are views on `out`'s buffer, which is
 * transferred to the engine (detached here afterwards): one call when it is at most
 * POST_BATCH_BYTES; else consecutive calls of that many bytes, each on a copy of its own part (the
 * ids in order). (Two calls in flight were not faster: the page's store work is the bottleneck.)
 */
export async function postEach(runner: BaseRunner, out: NDArray, key: string, schema: DataSchemaName): Promise<string[]> {
  const n = out.shape[0] ?? 0;
  const itemBytes = n > 0 ? out.data.byteLength / n : 0;
  const per = itemBytes > 0 ? Math.max(1, Math.floor(POST_BATCH_BYTES / itemBytes)) : n;
  const items = (a: NDArray) => unstack(a).map((v) => ({ [key]: v }));
  // A small view of a big buffer would send the whole buffer: send a copy of its bytes instead.
  if (n <= per) return runner.postDataAs(items(out.data.byteLength * 2 < out.data.buffer.byteLength ? copy(out) : out), schema);
  const ids: string[] = [];
  for (let s = 0; s < n; s += per) ids.push(...(await runner.postDataAs(items(copy(sliceRange(out, s, Math.min(n, s + per)))), schema)));
  return ids;
}
