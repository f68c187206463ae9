// Where each output of a run came from, and what it is called. Output j of the group of inputs running
// now (LiveRun.batch) was made from the group's input j, or from its only input (the k-th output of that
// one input is "#k" from the second on). An output with a source is named after it and what made it,
// "coins · otsu mask" (core/outputNames.ts), and records it as `extra.madeFrom`; one without keeps
// "<algorithm> <run id8> #<n>".
import { namingKey, outputName } from '../core/outputNames';
import type { DatasetMeta } from '../core/records';
import type { Store } from '../store/index';
import type { LiveRun } from './liveRun';
import { sourceImageOf } from './sourceImage';

export interface OutputSource {
  /** The input it was made from, or null when there is none at its position. */
  id: string | null;
  meta: DatasetMeta | null;
  /** 2, 3, … for the further outputs of a group's only input; 1 otherwise. */
  nth: number;
}

const metaCache = new WeakMap<LiveRun, Map<string, Promise<DatasetMeta | null>>>();

function inputMeta(run: LiveRun, store: Pick<Store, 'getDatasetMeta'>, id: string): Promise<DatasetMeta | null> {
  let byId = metaCache.get(run);
  if (!byId) metaCache.set(run, (byId = new Map()));
  let p = byId.get(id);
  if (!p) byId.set(id, (p = store.getDatasetMeta(id).catch(() => null)));
  return p;
}

/** The sources of `count` outputs, the `first`-th of the group running now onwards. */
export async function outputSources(run: LiveRun, store: Pick<Store, 'getDatasetMeta'>, first: number, count: number): Promise<OutputSource[]> {
  const inputs = run.batch.inputIds;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const j = first + i;
      const id = inputs.length === 1 ? inputs[0]! : (inputs[j] ?? null);
      return { id, meta: id === null ? null : await inputMeta(run, store, id), nth: inputs.length === 1 ? j + 1 : 1 };
    }),
  );
}

/**
 * The source of a run's measurement tables (schema Table): each measures the output posted just before it
 * (a labels dataset) and was made from that output's source; tables take no position among the outputs
 * (labels_1, table_1, labels_2, table_2 … name both after input 1, then input 2). Null when nothing was posted yet.
 */
export async function measuredOutput(
  run: LiveRun,
  store: Pick<Store, 'getDatasetMeta'>,
): Promise<{ labels: string; image: string | null; source: OutputSource } | null> {
  const labels = run.posted.at(-1);
  const labelsMeta = labels === undefined ? null : await store.getDatasetMeta(labels);
  if (!labelsMeta) return null;
  const from = labelsMeta.extra.madeFrom;
  const id = typeof from === 'string' ? from : null;
  const image = labelsMeta.keys.mask ? await sourceImageOf(store, labelsMeta, 'mask') : null;
  return { labels: labelsMeta.id, image, source: { id, meta: id === null ? null : await inputMeta(run, store, id), nth: 1 } };
}

/** The stored name of an output with fields `keys` (`n`: its number among the run's outputs, for one without a source). */
export function outputDatasetName(run: LiveRun, src: OutputSource, keys: readonly string[], n: number): string {
  if (!src.meta) return `${run.alg.name} ${run.rec.id.slice(0, 8)} #${n}`;
  const name = outputName(src.meta.name, run.rec, keys.includes('columns') && keys.includes('values') ? 'measurements' : namingKey(keys));
  return src.nth > 1 ? `${name} #${src.nth}` : name;
}
