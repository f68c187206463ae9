// Top-bar storage use: "123 MB of 2.1 GB used" (the browser's estimate for this origin) with a small
// bar, a "persistent" badge when the browser will not evict the data, and the counts in the tooltip.
import { useStorage } from '../state/queries';
import { formatBytes } from './format';
import './datasets.css';
import { thrownMessage } from '../../core/describeValue';

export function StorageMeter() {
  const q = useStorage();
  if (q.isError) {
    return (
      <span className="ds-storage muted" role="status" title={thrownMessage(q.error)}>
        Storage use unknown
      </span>
    );
  }
  const s = q.data;
  if (!s) return <span className="ds-storage muted">Storage…</span>;
  const known = s.usage !== null && s.quota !== null && s.quota > 0;
  const text = known ? `${formatBytes(s.usage!)} of ${formatBytes(s.quota!)} used` : `${formatBytes(s.blobBytes)} stored`;
  const ratio = known ? Math.min(1, s.usage! / s.quota!) : 0;
  const tip = [
    `${s.datasets} dataset${s.datasets === 1 ? '' : 's'} (${formatBytes(s.datasetBytes)})`,
    `${s.algorithms} algorithm${s.algorithms === 1 ? '' : 's'}`,
    `${formatBytes(s.blobBytes)} in the store after de-duplication`,
    s.persisted === true
      ? 'Persistent: the browser will not clear this data to free space.'
      : s.persisted === false
        ? 'Best-effort: the browser may clear this data when the disk runs low (a large import asks for persistence).'
        : 'Persistence: unknown in this browser.',
  ].join('\n');
  return (
    <span className="ds-storage" data-testid="storage-meter" title={tip}>
      {known && (
        <span className="ds-storage-bar" aria-hidden="true">
          <span style={{ width: `${Math.max(2, ratio * 100)}%` }} className={ratio > 0.9 ? 'is-full' : ''} />
        </span>
      )}
      <span className="ds-storage-text">{text}</span>
      {s.persisted === true && <span className="chip ok-text">persistent</span>}
      {/* The tooltip's details, for screen readers. */}
      <span className="sr-only">; {tip.split('\n').join('; ')}</span>
    </span>
  );
}
