// "New stack from selected datasets": a name field (validated) and Create/Cancel. The datasets are the
// ones checked as run inputs, in their input order.
import { useEffect, useId, useRef, useState } from 'react';
import { validateName } from './format';
import { thrownMessage } from '../../core/describeValue';

export function NewStackForm({
  count,
  defaultName,
  onCreate,
  onCancel,
}: {
  count: number;
  defaultName: string;
  onCreate(name: string): Promise<void>;
  onCancel(): void;
}) {
  const [name, setName] = useState(defaultName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);
  const errId = useId();

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const submit = async () => {
    const problem = validateName(name);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      await onCreate(name.trim());
    } catch (e) {
      setBusy(false);
      setError(thrownMessage(e));
    }
  };

  return (
    <form
      className="ds-new-stack"
      aria-label="New stack from the checked datasets"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <div className="muted">
        A stack of the {count} checked dataset{count === 1 ? '' : 's'}, in input order:
      </div>
      <div className="row">
        <input
          ref={ref}
          className="grow"
          value={name}
          disabled={busy}
          aria-label="Name of the new stack"
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? errId : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setError(validateName(e.target.value));
          }}
        />
        <button type="submit" className="small primary" disabled={busy}>
          Create
        </button>
        <button type="button" className="small" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      {error && (
        <div id={errId} className="error-text" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
