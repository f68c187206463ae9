// The toolchains one can open: the built-ins (built from the sample data), the user's saved ones
// (bound to their data; each deletable, asked first) and "Custom (JSON)".
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BuiltinToolchainInfo, SavedToolchainRecord } from '../../api';
import { useApi } from '../apiContext';
import { toolchainKeys } from './runState';
import { thrownMessage } from '../../core/describeValue';

export const CUSTOM = 'custom';
const SAVED_PREFIX = 'saved:';

/** The chooser id of a saved toolchain, and back (null for a built-in or the custom editor). */
export const savedChoice = (id: string): string => `${SAVED_PREFIX}${id}`;
export const savedIdOf = (choice: string): string | null => (choice.startsWith(SAVED_PREFIX) ? choice.slice(SAVED_PREFIX.length) : null);

/** A saved toolchain: opens on a click; × asks, then deletes it (its runs are kept). */
function SavedItem({ rec, selected, onChoose, onDeleted }: { rec: SavedToolchainRecord; selected: boolean; onChoose: () => void; onDeleted: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    try {
      await api.toolchains.saved.delete(rec.id);
      onDeleted();
    } catch (e) {
      setError(thrownMessage(e));
    }
    await qc.invalidateQueries({ queryKey: toolchainKeys.saved });
  };
  return (
    <li className="tc-saved-item" data-testid="tc-saved-item" data-saved-id={rec.id}>
      <button
        type="button"
        aria-current={selected ? 'true' : undefined}
        className={selected ? 'selected' : ''}
        onClick={onChoose}
        title={`Saved ${new Date(rec.updated).toLocaleString()}`}
      >
        <span className="ellipsis">{rec.name}</span>
      </button>
      {asking ? (
        <span className="row" role="group" aria-label={`Delete ${rec.name}`}>
          <button type="button" className="small danger" onClick={() => void remove()}>
            Delete
          </button>
          <button type="button" className="small" onClick={() => setAsking(false)}>
            Keep
          </button>
        </span>
      ) : (
        <button type="button" className="small tc-saved-delete" aria-label={`Delete the saved toolchain ${rec.name}…`} onClick={() => setAsking(true)}>
          ×
        </button>
      )}
      {error && (
        <span className="error-text small-text" role="alert">
          {error}
        </span>
      )}
    </li>
  );
}

export function ToolchainChooser({
  builtins,
  saved,
  selected,
  onChoose,
  onDeleted,
}: {
  builtins: readonly BuiltinToolchainInfo[];
  saved: readonly SavedToolchainRecord[];
  selected: string;
  onChoose: (id: string) => void;
  onDeleted: (savedId: string) => void;
}) {
  const option = (id: string, label: string, testId: string) => (
    <li key={id}>
      <button
        type="button"
        role="option"
        aria-selected={selected === id}
        className={selected === id ? 'selected' : ''}
        onClick={() => onChoose(id)}
        data-testid={testId}
      >
        {label}
      </button>
    </li>
  );
  return (
    <>
      <ul className="tc-choices" role="listbox" aria-label="Toolchain">
        {builtins.map((b) => option(b.id, b.name, `tc-choose-${b.id}`))}
        {option(CUSTOM, 'Custom (JSON)', 'tc-choose-custom')}
      </ul>
      <h2>Saved toolchains</h2>
      {saved.length === 0 ? (
        <p className="muted small-text">None yet: bind a toolchain to your data and press Save.</p>
      ) : (
        <ul className="tc-choices" aria-label="Saved toolchains">
          {saved.map((rec) => (
            <SavedItem
              key={rec.id}
              rec={rec}
              selected={selected === savedChoice(rec.id)}
              onChoose={() => onChoose(savedChoice(rec.id))}
              onDeleted={() => onDeleted(rec.id)}
            />
          ))}
        </ul>
      )}
    </>
  );
}
