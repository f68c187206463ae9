// Inline rename: Enter saves, Esc cancels, leaving the field saves a valid changed name (else cancels).
// An invalid name shows why under the field and is not saved.
import { useEffect, useId, useRef, useState } from 'react';
import { validateName } from './format';
import { thrownMessage } from '../../core/describeValue';

export function RenameField({
  initial,
  label,
  onSave,
  onCancel,
}: {
  initial: string;
  /** Accessible label, e.g. "New name for cells.png". */
  label: string;
  /** Resolves when saved; a rejection's message is shown under the field. */
  onSave(name: string): Promise<void>;
  onCancel(): void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);
  const errId = useId();
  const done = useRef(false);

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const save = async (fromBlur: boolean) => {
    if (done.current || busy) return;
    const name = value.trim();
    if (name === initial.trim()) {
      done.current = true;
      onCancel();
      return;
    }
    const problem = validateName(value);
    if (problem) {
      if (fromBlur) {
        done.current = true;
        onCancel();
      } else setError(problem);
      return;
    }
    setBusy(true);
    try {
      await onSave(name);
      done.current = true;
    } catch (e) {
      setBusy(false);
      setError(thrownMessage(e));
      if (fromBlur) {
        done.current = true;
        onCancel();
      }
    }
  };

  return (
    <span className="ds-rename" onClick={(e) => e.stopPropagation()}>
      <input
        ref={ref}
        type="text"
        value={value}
        disabled={busy}
        aria-label={label}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error ? errId : undefined}
        data-testid="rename-input"
        onChange={(e) => {
          setValue(e.target.value);
          setError(validateName(e.target.value));
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            void save(false);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            done.current = true;
            onCancel();
          }
        }}
        onBlur={() => void save(true)}
      />
      {error && (
        <span id={errId} className="ds-rename-error error-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
