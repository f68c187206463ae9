// Confirm deleting a stack: by default only the stack goes (its datasets stay in the list); with the
// box checked its datasets are deleted too. A modal <dialog>: Esc or Cancel closes it.
import { useEffect, useId, useRef, useState } from 'react';
import type { StackRecord } from '../../core/stacks';
import { thrownMessage } from '../../core/describeValue';

export function DeleteStackDialog({
  stack,
  count,
  onConfirm,
  onClose,
}: {
  stack: StackRecord;
  /** How many of its datasets exist. */
  count: number;
  onConfirm(withDatasets: boolean): Promise<void>;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [withDatasets, setWithDatasets] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // The safe choice has the focus (showModal would pick the first field).
    cancelRef.current?.focus();
    return () => d?.close();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(withDatasets);
      onClose();
    } catch (e) {
      setBusy(false);
      setError(thrownMessage(e));
    }
  };

  return (
    <dialog
      ref={ref}
      className="ds-dialog"
      aria-labelledby={titleId}
      data-testid="delete-stack-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h3 id={titleId}>Delete the stack “{stack.name}”?</h3>
      <p className="muted">
        {withDatasets
          ? `The stack and its ${count} dataset${count === 1 ? '' : 's'} will be deleted. This cannot be undone.`
          : `Only the stack is deleted; its ${count} dataset${count === 1 ? '' : 's'} stay in the Datasets list.`}
      </p>
      <label className="ds-check">
        <input type="checkbox" checked={withDatasets} onChange={(e) => setWithDatasets(e.target.checked)} disabled={busy} />
        <span>
          Also delete its {count} dataset{count === 1 ? '' : 's'}
        </span>
      </label>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="row ds-dialog-buttons">
        <span className="grow" />
        <button ref={cancelRef} type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Deleting…' : withDatasets ? 'Delete stack and datasets' : 'Delete stack'}
        </button>
      </div>
    </dialog>
  );
}
