// Export from the panel's ⋯ menus: a dataset's main array as PNG/TIFF/NPY, a stack as one multi-page
// TIFF, either as OME-TIFF or OME-Zarr (a zip, or into a folder; a Segmentation output as its source
// image with the mask as labels). Shows "Exporting …" while it works and a notice when it fails.
import type { DatasetMeta } from '../../core/records';
import type { NDArray } from '../../core/ndarray';
import { useApi } from '../apiContext';
import { errText } from './errText';
import { downloadBlob, downloadBytes, exportName, mimeOf, type ExportFormat } from './exportDataset';

/** The encoder and its codecs load with the first export. */
const encodeExport = async (...a: Parameters<typeof import('./exportEncode').encodeExport>) => (await import('./exportEncode')).encodeExport(...a);
import { exportFileName, mainKey } from './format';
import { exportBaseName } from './outputNames';
import { provenance } from '../viewers/data';
import { omeExportName, pickFolder, pickSaveFile, segmentationSource, type OmeMenuEntry } from './omeExportMenu';
import type { StackEntry } from './usePanelLists';
import { useStable } from './useStable';

export interface PanelFeedback {
  setBusy(text: string | null): void;
  setNotice(text: string | null): void;
}

export function usePanelExports(byId: ReadonlyMap<string, DatasetMeta>, stacks: readonly StackEntry[], { setBusy, setNotice }: PanelFeedback) {
  const api = useApi();
  /** The run that made an output (for its file name), or null. */
  const runOf = async (meta: DatasetMeta) => {
    const exec = provenance(meta).execution;
    return exec ? await api.executions.get(exec).catch(() => null) : null;
  };
  const exportDataset = useStable(async (id: string, format: ExportFormat) => {
    const meta = byId.get(id);
    const key = meta && mainKey(meta);
    if (!meta || !key) return;
    setBusy(`Exporting ${meta.name}…`);
    try {
      const rec = await api.datasets.get(id, [key]);
      const a = rec.fields[key];
      if (!a || typeof a === 'string') throw new Error(`the field '${key}' holds no array.`);
      const run = await runOf(meta);
      downloadBytes(
        await encodeExport([a], format, key, meta.keys[key]?.axes?.labels),
        exportName(exportBaseName(meta, key, byId, run), format),
        mimeOf(format),
      );
    } catch (e) {
      setNotice(`Could not export “${meta.name}” as ${format.toUpperCase()}: ${errText(e)}`);
    } finally {
      setBusy(null);
    }
  });
  const exportStack = useStable(async (id: string) => {
    const s = stacks.find((x) => x.stack.id === id);
    if (!s) return;
    setBusy(`Exporting ${s.stack.name}…`);
    try {
      const arrays: NDArray[] = [];
      for (const m of s.slices) {
        const key = mainKey(m);
        const f = key ? (await api.datasets.get(m.id, [key])).fields[key] : null;
        if (!f || typeof f === 'string') throw new Error(`slice “${m.name}” holds no array.`);
        arrays.push(f);
      }
      downloadBytes(await encodeExport(arrays, 'tiff'), exportName(s.stack.name, 'tiff'), mimeOf('tiff'));
    } catch (e) {
      setNotice(`Could not export the stack “${s.stack.name}”: ${errText(e)}`);
    } finally {
      setBusy(null);
    }
  });
  /** OME-TIFF / OME-Zarr of a dataset (a mask with a source image: the source, with the mask as labels) or of a stack. */
  const exportOme = useStable(async (kind: 'dataset' | 'stack', id: string, entry: OmeMenuEntry) => {
    const meta = kind === 'dataset' ? byId.get(id) : undefined;
    const stack = kind === 'stack' ? stacks.find((x) => x.stack.id === id) : undefined;
    if (!meta && !stack) return;
    const source = meta && entry.format !== 'ome-tiff' ? segmentationSource(meta, byId) : null;
    const subject = source ?? meta;
    const name = subject?.name ?? stack!.stack.name;
    const fileName = omeExportName(name, entry.format, entry.folder);
    const bytes = meta ? meta.byteLength : (stack?.slices.reduce((n, m) => n + m.byteLength, 0) ?? 0);
    try {
      // The pickers need the click's user activation: they come before any other await.
      const target = entry.folder ? await pickFolder(fileName) : await pickSaveFile(fileName, bytes);
      if (target === 'cancelled' || (entry.folder && !target)) return;
      setBusy(`Exporting ${name}…`);
      const opts = {
        format: entry.format,
        ...(source && meta ? { labels: [meta.id] } : {}),
        ...(target ? { target } : {}),
        onProgress: (done: number, total: number) => setBusy(`Exporting ${name}… ${done}/${total}`),
      };
      const blob = subject ? await api.datasets.exportOme(subject.id, opts) : await api.stacks.exportOme(id, opts);
      if (blob) downloadBlob(blob, fileName);
    } catch (e) {
      setNotice(`Could not export “${name}” as ${entry.label}: ${errText(e)}`);
    } finally {
      setBusy(null);
    }
  });
  /** A Table dataset as CSV: all rows in stored (label) order (src/core/tableCsv.ts, loaded on first use). */
  const exportTableCsv = useStable(async (id: string) => {
    const meta = byId.get(id);
    if (!meta) return;
    setBusy(`Exporting ${meta.name}…`);
    try {
      const [{ tableFromItem }, { tableToCsv }] = await Promise.all([import('../../core/table'), import('../../core/tableCsv')]);
      const csv = tableToCsv(tableFromItem((await api.datasets.get(id, ['columns', 'values'])).fields));
      downloadBlob(new Blob([csv], { type: 'text/csv' }), exportFileName(meta.name, 'csv'));
    } catch (e) {
      setNotice(`Could not export “${meta.name}” as CSV: ${errText(e)}`);
    } finally {
      setBusy(null);
    }
  });
  return { exportDataset, exportStack, exportOme, exportTableCsv };
}
