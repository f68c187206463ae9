// "Save…": the toolchain on screen — sources as bound, parameters as set — saved under a name
// (`algobox.toolchains.saved.save`, checked first: its problems are listed), as a new saved toolchain
// or, when a saved one is open, in its place.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BuiltinToolchainInfo, SavedToolchainRecord } from '../../api';
import type { ToolchainJson } from '../../core/beat';
import { useApi } from '../apiContext';
import { ProblemList } from './ProblemList';
import { problemsOf } from './problems';
import { toolchainKeys } from './runState';

export function SaveToolchain({
  toolchain,
  from,
  open,
  defaultName,
  disabled,
  onSaved,
}: {
  /** The toolchain as it would run; null while it cannot be built. */
  toolchain: ToolchainJson | null;
  /** The built-in it comes from. */
  from: string | null;
  /** The saved toolchain on screen, if any (Update replaces it). */
  open: SavedToolchainRecord | null;
  defaultName: string;
  disabled: boolean;
  onSaved: (rec: SavedToolchainRecord) => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[] | null>(null);

  const save = async (replace: boolean) => {
    if (!toolchain) return;
    setBusy(true);
    setProblems(null);
    try {
      // Its runs (and their output datasets) are named after it.
      const named = { ...toolchain, name: name.trim() || toolchain.name };
      const rec = await api.toolchains.saved.save({ ...(replace && open ? { id: open.id } : {}), name, toolchain: named, from });
      await qc.invalidateQueries({ queryKey: toolchainKeys.saved });
      setEditing(false);
      onSaved(rec);
    } catch (e) {
      setProblems(problemsOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    return (
      <button
        type="button"
        data-testid="tc-save-open"
        disabled={disabled || !toolchain}
        onClick={() => {
          setName(open?.name ?? defaultName);
          setProblems(null);
          setEditing(true);
        }}
      >
        Save…
      </button>
    );
  }
  return (
    <form
      className="tc-save row"
      aria-label="Save the toolchain"
      onSubmit={(e) => {
        e.preventDefault();
        void save(false);
      }}
    >
      <label htmlFor="tc-save-name">Name</label>
      <input id="tc-save-name" data-testid="tc-save-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      <button type="submit" className="primary" data-testid="tc-save-new" disabled={busy || !toolchain}>
        {open ? 'Save as new' : 'Save'}
      </button>
      {open && (
        <button type="button" data-testid="tc-save-update" disabled={busy || !toolchain} onClick={() => void save(true)}>
          Update “{open.name}”
        </button>
      )}
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {problems && <ProblemList problems={problems} testId="tc-save-problems" />}
    </form>
  );
}

/** Under the name of an open saved toolchain: where it came from and when it was last saved. */
export function SavedNote({ rec, builtins }: { rec: SavedToolchainRecord; builtins: readonly BuiltinToolchainInfo[] }) {
  const from = rec.from ? (builtins.find((b) => b.id === rec.from)?.name ?? rec.from) : null;
  return (
    <p className="muted" data-testid="tc-saved-note">
      Saved toolchain{from ? ` (from “${from}”)` : ''}, last saved {new Date(rec.updated).toLocaleString()}.
    </p>
  );
}
