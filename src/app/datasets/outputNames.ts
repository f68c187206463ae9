// The file name of a run output's export: its source dataset and what made it, "coins · otsu mask.png"
// (not the output's own "threshold_segmentation 1a2b3c4d #1", nor "coins.png (prompt mask).png").
// Pure: unit-tested in tests/unit/maskExport.test.ts.
import type { DatasetMeta, ExecutionRecord } from '../../core/records';
import { provenance } from '../viewers/data';
import { exportFileName } from './format';

type Run = Pick<ExecutionRecord, 'algorithmName' | 'args' | 'outputDatasetIds'>;

/** A name as a file name stem: extension and unsafe characters gone, "cells.tif [3/10]" → "cells_p03". */
export function fileStem(name: string): string {
  return exportFileName(name, 'x').replace(/\.x$/, '');
}

/** The dataset an output was made from: its one input, or the input at its own position among the run's outputs. */
export function outputSource(meta: DatasetMeta, byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>, run: Run | null): string | null {
  const { inputs } = provenance(meta);
  const image = typeof meta.extra?.image === 'string' ? meta.extra.image : null;
  let id: string | undefined = inputs.length === 1 ? inputs[0] : undefined;
  if (!id && run && inputs.length > 1 && run.outputDatasetIds.length === inputs.length) id = inputs[run.outputDatasetIds.indexOf(meta.id)];
  id ??= image ?? undefined;
  return (id && byId.get(id)?.name) ?? null;
}

/**
 * What made an output: the run's short text arguments (e.g. 'otsu'), else its algorithm's name ("a
 * prompt" for a prompt mask), then the field when it is not the image ("mask", "labels").
 */
export function madeBy(meta: Pick<DatasetMeta, 'source'>, run: Pick<ExecutionRecord, 'algorithmName' | 'args'> | null, key: string | null): string {
  const words: string[] = [];
  if (meta.source.startsWith('prompt:')) words.push('prompt');
  else if (run) {
    const texts = Object.values(run.args).filter((v): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 24);
    words.push(...(texts.length ? texts.slice(0, 2) : [run.algorithmName]));
  }
  if (key && key !== 'image') words.push(key);
  return words.join(' ');
}

/**
 * The export name (without extension) of a dataset: for a run or prompt output with a known source,
 * "<source stem> · <what made it>"; otherwise the dataset's own name.
 */
export function exportBaseName(meta: DatasetMeta, key: string | null, byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>, run: Run | null): string {
  const fromRun = !!provenance(meta).execution || meta.source.startsWith('prompt:') || meta.source.startsWith('execution:');
  const source = fromRun ? outputSource(meta, byId, run) : null;
  const what = fromRun ? madeBy(meta, run, key) : '';
  return source && what ? `${fileStem(source)} · ${what}` : fileStem(meta.name);
}

/** Names made unique within one zip: the second "a.png" becomes "a (2).png". */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k === 1) return n;
    const dot = n.lastIndexOf('.');
    return dot > 0 ? `${n.slice(0, dot)} (${k})${n.slice(dot)}` : `${n} (${k})`;
  });
}
