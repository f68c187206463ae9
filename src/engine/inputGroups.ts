// A run over inputs of mixed shapes: the inputs of a per-item algorithm type (core/algorithmTypes.ts
// `perItem`) grouped by the dtype and shape of the field its typed runner stacks, so each group can run
// as one batch of the same execution. Every other type, and inputs that all agree, make one group.
import { algorithmTypeInfo } from '../core/algorithmTypes';
import type { AlgorithmRecord, DatasetMeta } from '../core/records';
import type { Store } from '../store/index';

export interface InputGroup {
  /** Positions in the run's inputs, in order. */
  indices: number[];
  /** What its inputs share: "uint8 [76, 96]" (or "no 'image' field"). */
  shape: string;
}

/** What the typed runner stacks of `meta` is: dtype and shape of its `key` field. */
function signature(meta: DatasetMeta | null, key: string): string {
  const f = meta && Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  return f ? `${f.dtype} [${f.shape.join(', ')}]` : `no '${key}' field`;
}

/** The groups of `ids` (positions, in order of first appearance); one group holding them all when they agree or the type does not allow groups. */
export async function inputGroups(
  store: Pick<Store, 'getDatasetMeta'>,
  alg: Pick<AlgorithmRecord, 'algorithmType'>,
  ids: readonly string[],
): Promise<InputGroup[]> {
  const type = algorithmTypeInfo(alg.algorithmType);
  const all = (shape: string): InputGroup[] => [{ indices: ids.map((_, i) => i), shape }];
  if (!type?.perItem || !type.input || ids.length < 2) return all('');
  const key = type.input.key;
  const metas = await Promise.all(ids.map((id) => store.getDatasetMeta(id).catch(() => null)));
  const groups = new Map<string, number[]>();
  metas.forEach((m, i) => {
    const s = signature(m, key);
    const g = groups.get(s);
    if (g) g.push(i);
    else groups.set(s, [i]);
  });
  return [...groups].map(([shape, indices]) => ({ indices, shape }));
}

/**
 * The run's outputs in input order: when every group gave one output per input, output k of a group
 * goes to the position of its k-th input; otherwise the groups' outputs one group after the other.
 */
export function outputsInInputOrder(groups: readonly InputGroup[], outputs: readonly string[][]): string[] {
  if (groups.length === 1) return [...(outputs[0] ?? [])];
  if (!groups.every((g, k) => outputs[k]?.length === g.indices.length)) return outputs.flat();
  const out: string[] = [];
  groups.forEach((g, k) => g.indices.forEach((pos, j) => (out[pos] = outputs[k]![j]!)));
  return out;
}
