// The run details' "Export all outputs": a format choice (PNG/TIFF/NPY) and a button that downloads
// every output of a completed run in one zip (runOutputsZip.ts), with the failure shown by name.
import { useState } from 'react';
import type { DatasetMeta, ExecutionRecord } from '../../core/records';
import { thrownMessage } from '../../core/describeValue';
import { useApi } from '../apiContext';
import { EXPORT_FORMATS, downloadBytes, type ExportFormat } from '../datasets/exportDataset';
import { mainKey } from '../datasets/format';
import type { RunOutput } from './runOutputsZip';
import type { NDArray } from '../../core/ndarray';

const NOTES: Record<ExportFormat, string> = {
  png: 'PNG: a 0/1 mask as 0/255, labels as an indexed PNG (0 black, a colour per label); TIFF and NPY keep the raw values.',
  tiff: 'TIFF keeps the values (masks 0/1, label numbers).',
  npy: 'NPY keeps the arrays exactly.',
};
const TABLE_NOTE = ' Measurement tables are written as CSV.';

/** A Table output as CSV (all rows, in stored order). */
async function tableOutput(api: ReturnType<typeof useApi>, meta: DatasetMeta): Promise<RunOutput> {
  const { fields } = await api.datasets.get(meta.id, ['columns', 'values']);
  const [{ tableFromItem }, { tableToCsv }] = [await import('../../core/table'), await import('../../core/tableCsv')];
  return { meta, key: 'values', array: fields.values as NDArray, csv: tableToCsv(tableFromItem(fields)) };
}

export function ExportAllOutputs({ rec, datasets }: { rec: ExecutionRecord; datasets: readonly DatasetMeta[] }) {
  const api = useApi();
  const [format, setFormat] = useState<ExportFormat>('png');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const byId = new Map(datasets.map((d) => [d.id, d]));
  const metas = rec.outputDatasetIds.map((id) => byId.get(id)).filter((m): m is DatasetMeta => !!m);

  const onExport = async () => {
    setBusy(true);
    setError(null);
    try {
      const outputs: RunOutput[] = [];
      for (const meta of metas) {
        if (meta.schema === 'Table') {
          outputs.push(await tableOutput(api, meta));
          continue;
        }
        const key = mainKey(meta);
        const a = key ? (await api.datasets.get(meta.id, [key])).fields[key] : null;
        if (!key || !a || typeof a === 'string') throw new Error(`output “${meta.name}” holds no array.`);
        outputs.push({ meta, key, array: a });
      }
      // The zip writer and the codecs load with the first export.
      const zip = await import('./runOutputsZip');
      downloadBytes(zip.runOutputsZip(outputs, format, byId, rec), zip.runZipName(rec, byId), 'application/zip');
    } catch (e) {
      setError(`Could not export the outputs: ${thrownMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="row run-export-all">
      <select
        aria-label="Format of the exported outputs"
        value={format}
        onChange={(e) => setFormat(e.target.value as ExportFormat)}
        data-testid="run-export-format"
      >
        {EXPORT_FORMATS.map((f) => (
          <option key={f.format} value={f.format}>
            {f.label}
          </option>
        ))}
      </select>
      <button
        className="small"
        onClick={() => void onExport()}
        disabled={busy || metas.length === 0}
        title={`${metas.length} output${metas.length === 1 ? '' : 's'} in one zip, each named after its source and what made it. ${NOTES[format]}${metas.some((m) => m.schema === 'Table') ? TABLE_NOTE : ''}`}
        data-testid="run-export-all"
      >
        {busy ? 'Exporting…' : 'Export all outputs'}
      </button>
      {error && (
        <span role="alert" className="error-text run-small">
          {error}
        </span>
      )}
    </div>
  );
}
