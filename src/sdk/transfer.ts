// How much the SDK moves per message between a runner worker and the engine (the typed runners'
// default preprocess/postprocess in typedRunner.ts, the worker's HostApi proxy in
// workers/runnerHostApi.ts). Which buffers one message may transfer: transferablesOf and
// transferGroups in src/core/ndarray.ts (the engine uses them too).

/** Datasets per fetchData call the SDK makes (a long list is fetched in batches of this many). */
export const FETCH_BATCH = 16;

/** fetchData calls the typed runners' default preprocess keeps in flight. */
export const FETCH_AHEAD = 2;

/** Bytes per postData call of the typed runners' default postprocess (one call when everything fits). */
export const POST_BATCH_BYTES = 64 * 2 ** 20;

/** Consecutive slices of `list`, each at most `size` long. */
export function batches<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
