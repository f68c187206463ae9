// What a dataset row does: open in the viewer, toggle as run input, rename, delete (soft, keeping the
// keyboard in the list) and Undo (Ctrl/Cmd+Z too), which brings back the row, its run-input place and
// the viewer.
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import type { DatasetRowHandlers } from './DatasetsSection';
import type { PanelLists } from './usePanelLists';
import type { RovingList } from './useRovingList';
import { useUndoShortcut, type SoftDelete } from './useSoftDelete';
import { useStable } from './useStable';

export interface DatasetActionsInput {
  lists: Pick<PanelLists, 'byId' | 'pageIds'>;
  soft: SoftDelete;
  ds: RovingList;
  renaming: string | null;
  setRenaming(id: string | null): void;
  endRename(): void;
}

export function useDatasetActions({ lists, soft, ds, renaming, setRenaming, endRename }: DatasetActionsInput) {
  const api = useApi();
  const qc = useQueryClient();
  const { view, inputs, setView, setInputs, toggleInput } = useSelection();
  const { byId, pageIds } = lists;

  const onDelete = useStable((id: string) => {
    const meta = byId.get(id);
    if (!meta) return;
    // Keep the keyboard in the list: the next row (or the previous one) takes focus.
    const i = pageIds.indexOf(id);
    const next = pageIds[i + 1] ?? pageIds[i - 1] ?? null;
    const wasInput = inputs.kind === 'datasets' && inputs.ids.includes(id) ? [id] : [];
    if (wasInput.length && inputs.kind === 'datasets') setInputs({ kind: 'datasets', ids: inputs.ids.filter((x) => x !== id) });
    const wasViewed = view?.kind === 'dataset' && view.id === id;
    if (wasViewed) setView(null);
    soft.remove({ ids: [id], label: meta.name, wasInput, wasViewed });
    if (renaming === id) setRenaming(null);
    const listHadFocus = ds.listRef.current?.contains(document.activeElement);
    if (next) {
      ds.setActive(next);
      if (listHadFocus) requestAnimationFrame(() => ds.focus(next));
    }
  });

  const undo = useStable(() => {
    const p = soft.restore();
    if (!p) return;
    for (const id of p.wasInput) toggleInput(id);
    if (p.wasViewed && p.ids[0] && !view) setView({ kind: 'dataset', id: p.ids[0] });
    const id = p.ids[0];
    if (id) {
      ds.setActive(id);
      requestAnimationFrame(() => ds.focus(id));
    }
  });
  useUndoShortcut(!!soft.pending, undo);

  const onOpen = useStable((id: string) => {
    ds.setActive(id);
    setView({ kind: 'dataset', id });
  });
  const onToggleInput = useStable((id: string) => {
    ds.setActive(id);
    toggleInput(id);
  });
  const onRename = useStable(async (id: string, name: string) => {
    await api.datasets.rename(id, name);
    await invalidateData(qc);
    endRename();
  });
  const handlers = useMemo(
    (): Pick<DatasetRowHandlers, 'onOpen' | 'onToggleInput' | 'onDelete' | 'onRename'> => ({ onOpen, onToggleInput, onDelete, onRename }),
    [onOpen, onToggleInput, onDelete, onRename],
  );
  return { handlers, undo };
}
