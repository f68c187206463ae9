// The file name of a run output's export: its source dataset and what made it, "coins · otsu mask.png"
// (src/core/outputNames.ts; not an older output's own "threshold_segmentation 1a2b3c4d #1", nor
// "coins.png (prompt mask).png").
// Pure: unit-tested in tests/unit/maskExport.test.ts.
import { madeBy } from '../../core/outputNames';
import type { DatasetMeta, ExecutionRecord } from '../../core/records';
import { provenance } from '../viewers/data';
import { exportFileName } from './format';

type Run = Pick<ExecutionRecord, 'algorithmName' | 'args' | 'outputDatasetIds'>;

/** A name as a file name stem: extension and unsafe characters gone, "cells.tif [3/10]" → "cells_p03". */
export function fileStem(name: string): string {
  return exportFileName(name, 'x').replace(/\.x$/, '');
}

/**
 * The dataset an output was made from: the source the engine recorded (`extra.madeFrom`), its one input, or
 * the input at its own position among the run's outputs.
 */
export function outputSource(meta: DatasetMeta, byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>, run: Run | null): string | null {
  const { inputs } = provenance(meta);
  const image = typeof meta.extra?.image === 'string' ? meta.extra.image : null;
  const recorded = typeof meta.extra?.madeFrom === 'string' ? meta.extra.madeFrom : undefined;
  let id: string | undefined = recorded ?? (inputs.length === 1 ? inputs[0] : undefined);
  if (!id && run && inputs.length > 1 && run.outputDatasetIds.length === inputs.length) id = inputs[run.outputDatasetIds.indexOf(meta.id)];
  id ??= image ?? undefined;
  return (id && byId.get(id)?.name) ?? null;
}

/** The dataset an output was made from, when known without its run: the recorded source, its one input, or the prompt's image. */
export function sourceId(meta: DatasetMeta): string | null {
  const x = meta.extra ?? {};
  if (typeof x.madeFrom === 'string') return x.madeFrom;
  const { inputs } = provenance(meta);
  if (inputs.length === 1) return inputs[0]!;
  return typeof x.image === 'string' ? x.image : null;
}

/** What the filter box searches in a dataset: its name, then its source's name (an output is found by what it was made from). */
export function filterText(meta: DatasetMeta, byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>): string {
  const src = sourceId(meta);
  const name = src && src !== meta.id ? byId.get(src)?.name : undefined;
  return name ? `${meta.name}\n${name}` : meta.name;
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
