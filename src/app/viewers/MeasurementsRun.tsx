// A run that measured objects (its outputs include Table datasets, e.g. measure_objects: labels then a
// table per input): the table viewer of each table in turn — rows, plots, the per-image summary and the
// labels over their image, tied to the rows — with a slider over the tables.
import { useState } from 'react';
import type { DatasetMeta, ExecutionRecord } from '../../core/records';
import { TableViewer } from './TableViewer';

/** The run's Table outputs, in output order (null until the list is known). */
export function tableOutputs(rec: ExecutionRecord, metas: readonly DatasetMeta[] | undefined): DatasetMeta[] | null {
  if (!metas) return null;
  const byId = new Map(metas.map((m) => [m.id, m]));
  return rec.outputDatasetIds.flatMap((id) => {
    const m = byId.get(id);
    return m?.schema === 'Table' ? [m] : [];
  });
}

export function MeasurementsRun({ tables }: { tables: readonly DatasetMeta[] }) {
  const [index, setIndex] = useState(0);
  const i = Math.max(0, Math.min(tables.length - 1, index));
  const nav = { index: i, count: tables.length, onChange: setIndex, label: 'Table', describe: (k: number) => tables[k]!.name };
  return <TableViewer meta={tables[i]!} nav={tables.length > 1 ? nav : undefined} />;
}
