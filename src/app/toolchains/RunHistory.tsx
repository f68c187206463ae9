// Past toolchain runs, newest first; a click reopens one.
import type { ToolchainRunRecord } from '../../api';
import { STATUS_CLASS } from './runState';

export function RunHistory({
  runs,
  current,
  onOpen,
}: {
  runs: readonly ToolchainRunRecord[] | undefined;
  current: string | null;
  onOpen: (runId: string) => void;
}) {
  if (!runs?.length) return <p className="muted small-text">No runs yet.</p>;
  return (
    <ul className="tc-history" aria-label="Toolchain runs">
      {runs.slice(0, 30).map((r) => (
        <li key={r.id}>
          <button type="button" className={r.id === current ? 'selected' : ''} onClick={() => onOpen(r.id)} title={r.id}>
            <span className={`dot ${STATUS_CLASS[r.status] ?? ''}`} aria-hidden="true" />
            <span className="ellipsis">{r.toolchain.name ?? 'toolchain'}</span>
            <span className="muted small-text">{new Date(r.timeCreated).toLocaleTimeString()}</span>
            <span className="sr-only">{r.status}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
