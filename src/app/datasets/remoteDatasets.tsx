// Remote datasets (an OME-Zarr opened by URL, api.datasets.openUrl): the "Open OME-Zarr URL…" form next
// to the import buttons, the "remote" chip of their rows and their "Import into the browser" row action.
// Outcomes and errors are reported as import jobs (ImportStatus), as file imports are.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DatasetMeta } from '../../core/records';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import type { MenuItem } from './RowMenu';
import { useJobReporter } from './useImport';

/** Whether a dataset has a field read from a remote OME-Zarr (nothing of it stored in the browser). */
export function isRemote(meta: DatasetMeta): boolean {
  return Object.values(meta.keys).some((f) => f.remote);
}

/** The URL a remote dataset reads from. */
function remoteUrl(meta: DatasetMeta): string {
  return Object.values(meta.keys).find((f) => f.remote)?.remote?.url ?? '';
}

/** A row's "remote" chip (nothing when the dataset is stored in the browser). */
export function RemoteChip({ meta }: { meta: DatasetMeta }) {
  if (!isRemote(meta)) return null;
  return (
    <span
      className="chip ds-remote"
      title={`Read from ${remoteUrl(meta)} when viewed or run: nothing of it is stored in this browser`}
      data-testid="remote-chip"
    >
      remote
    </span>
  );
}

/** The row menu's "Import into the browser" action of a remote dataset (none for others). */
export function useRemoteRowItems(meta: DatasetMeta): MenuItem[] {
  const api = useApi();
  const qc = useQueryClient();
  const { setView } = useSelection();
  const report = useJobReporter();
  if (!isRemote(meta)) return [];
  const onSelect = () =>
    void report(`Importing ${meta.name} into the browser…`, async () => {
      const id = await api.datasets.importRemote(meta.id);
      await invalidateData(qc);
      setView({ kind: 'dataset', id });
      return `Imported ${meta.name} into the browser (a new dataset; the remote one stays until deleted).`;
    });
  return [{ label: 'Import into the browser', title: `Copy it from ${remoteUrl(meta)} into this browser's storage`, testId: 'import-remote', onSelect }];
}

/** "Open OME-Zarr URL…": a button that shows a one-field form; Open makes a remote dataset and views it. */
export function OpenUrlForm() {
  const api = useApi();
  const qc = useQueryClient();
  const { setView } = useSelection();
  const report = useJobReporter();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    setOpen(false);
    void report(`Opening ${u}…`, async () => {
      const id = await api.datasets.openUrl(u);
      await invalidateData(qc);
      setView({ kind: 'dataset', id });
      return `Opened ${u} (remote: its chunks are fetched when viewed).`;
    });
  };

  if (!open) {
    return (
      <button
        onClick={() => {
          setOpen(true);
          // The chunk decoders load while the URL is typed.
          void api.datasets.preloadZarrCodecs();
        }}
        title="Open an OME-Zarr image (NGFF 0.4 or 0.5) by its URL: read lazily, chunk by chunk; the server must allow this origin (CORS)"
      >
        Open OME-Zarr URL…
      </button>
    );
  }
  return (
    <form className="ds-open-url" onSubmit={onSubmit} aria-label="Open OME-Zarr URL">
      <input
        type="url"
        required
        autoFocus
        placeholder="https://…/image.ome.zarr"
        aria-label="OME-Zarr URL"
        data-testid="open-url-input"
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      />
      <button type="submit" className="primary">
        Open
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
