// The foot of the panel: what it is busy with, the last failure (dismissable) and the Undo toast of a
// pending delete.
import type { PendingDelete } from './useSoftDelete';

export interface PanelStatusProps {
  busy: string | null;
  notice: string | null;
  onDismissNotice(): void;
  pending: PendingDelete | null;
  onUndo(): void;
}

export function PanelStatus({ busy, notice, onDismissNotice, pending, onUndo }: PanelStatusProps) {
  return (
    <>
      {busy && (
        <div className="ds-busy muted" role="status">
          {busy}
        </div>
      )}
      {notice && (
        <div className="ds-notice" role="alert">
          <span className="error-text grow">{notice}</span>
          <button className="small" onClick={onDismissNotice} aria-label="Dismiss this message">
            ✕
          </button>
        </div>
      )}
      {pending && (
        <div className="toast ds-undo" role="status" data-testid="undo-toast">
          <span>
            Deleted “<span className="ds-undo-name">{pending.label}</span>”.
          </span>
          <button className="small primary" onClick={onUndo} title="Bring it back (Ctrl+Z)">
            Undo
          </button>
        </div>
      )}
    </>
  );
}
