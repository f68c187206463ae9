// "Export all outputs" of a run: every output's main array in one format (PNG/TIFF/NPY, encoded as
// the datasets panel's export does; a measurements table as CSV), named after its source and what made it, in one zip (fflate).
// Pure: unit-tested in tests/unit/maskExport.test.ts.
import { zipSync, type Zippable } from 'fflate';
import type { NDArray } from '../../core/ndarray';
import type { DatasetMeta, ExecutionRecord } from '../../core/records';
import { exportName, type ExportFormat } from '../datasets/exportDataset';
import { encodeExport } from '../datasets/exportEncode';
import { exportBaseName, fileStem, uniqueNames } from '../datasets/outputNames';
import { exportFileName } from '../datasets/format';

export interface RunOutput {
  meta: DatasetMeta;
  key: string;
  array: NDArray;
  /** A Table output's rows as CSV (core/tableCsv.ts): written as "<name>.csv" whatever the format. */
  csv?: string;
}

type Run = Pick<ExecutionRecord, 'id' | 'algorithmName' | 'args' | 'outputDatasetIds' | 'inputDatasetIds'>;

/** The entry names of the outputs in the zip ("coins · otsu mask.png"), unique. */
export function runOutputNames(
  outputs: readonly Pick<RunOutput, 'meta' | 'key' | 'csv'>[],
  format: ExportFormat,
  byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>,
  run: Run,
): string[] {
  return uniqueNames(
    outputs.map((o) => (o.csv === undefined ? exportName(exportBaseName(o.meta, o.key, byId, run), format) : exportFileName(o.meta.name, 'csv'))),
  );
}

/** The zip's file name: "<source> · <algorithm>.zip" for a run of one input, else "<algorithm> <id8>.zip". */
export function runZipName(run: Run, byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>): string {
  const one = run.inputDatasetIds.length === 1 ? byId.get(run.inputDatasetIds[0]!)?.name : undefined;
  return `${one ? `${fileStem(one)} · ${run.algorithmName}` : `${run.algorithmName} ${run.id.slice(0, 8)}`}.zip`;
}

/** The zip's bytes; an output that the format cannot hold fails naming it. */
export function runOutputsZip(
  outputs: readonly RunOutput[],
  format: ExportFormat,
  byId: ReadonlyMap<string, Pick<DatasetMeta, 'name'>>,
  run: Run,
): Uint8Array<ArrayBuffer> {
  const names = runOutputNames(outputs, format, byId, run);
  const files: Zippable = {};
  outputs.forEach((o, i) => {
    if (o.csv !== undefined) {
      files[names[i]!] = new TextEncoder().encode(o.csv);
      return;
    }
    try {
      files[names[i]!] = encodeExport([o.array], format, o.key, o.meta.keys?.[o.key]?.axes?.labels);
    } catch (e) {
      throw new Error(
        `output “${o.meta.name}” (field '${o.key}', ${o.array.dtype} ${o.array.shape.join('×')}) cannot be written as ${format.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  });
  // PNG is compressed already; TIFF and NPY are not.
  return zipSync(files, { level: format === 'png' ? 0 : 6 }) as Uint8Array<ArrayBuffer>;
}
