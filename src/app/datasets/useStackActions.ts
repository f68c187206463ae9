// What a stack row does (open in the viewer, use as the run input, rename, ask to delete), the
// confirmed delete (optionally with its datasets) and a new stack from the checked datasets.
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { StackRecord } from '../../core/stacks';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { useSelection } from '../state/selection';
import type { StackRowHandlers } from './StacksSection';
import type { StackEntry } from './usePanelLists';
import type { RovingList } from './useRovingList';
import { useStable } from './useStable';

export interface StackActionsInput {
  stacks: readonly StackEntry[];
  st: RovingList;
  endRename(): void;
  /** Open the delete confirmation for this stack. */
  askDelete(stack: StackRecord): void;
  /** The run-input datasets a new stack is made of, in order. */
  checkedIds: readonly string[];
  setCreating(on: boolean): void;
}

export function useStackActions({ stacks, st, endRename, askDelete, checkedIds, setCreating }: StackActionsInput) {
  const api = useApi();
  const qc = useQueryClient();
  const { view, inputs, setView, setInputs } = useSelection();
  const onOpen = useStable((id: string) => {
    st.setActive(id);
    setView({ kind: 'stack', id });
  });
  const onUseAsInput = useStable((id: string) => {
    st.setActive(id);
    setInputs({ kind: 'stack', id });
  });
  const onDelete = useStable((id: string) => {
    const s = stacks.find((x) => x.stack.id === id);
    if (s) askDelete(s.stack);
  });
  const onRename = useStable(async (id: string, name: string) => {
    await api.stacks.rename(id, name);
    await invalidateData(qc);
    endRename();
  });
  const handlers = useMemo(
    (): Pick<StackRowHandlers, 'onOpen' | 'onUseAsInput' | 'onDelete' | 'onRename'> => ({ onOpen, onUseAsInput, onDelete, onRename }),
    [onOpen, onUseAsInput, onDelete, onRename],
  );

  const deleteStack = async (stack: StackRecord, withDatasets: boolean) => {
    const ids = withDatasets ? stack.datasetIds : [];
    await api.stacks.delete(stack.id, { withDatasets });
    if (inputs.kind === 'stack' && inputs.id === stack.id) setInputs({ kind: 'datasets', ids: [] });
    else if (withDatasets && inputs.kind === 'datasets') setInputs({ kind: 'datasets', ids: inputs.ids.filter((x) => !ids.includes(x)) });
    if (view && ((view.kind === 'stack' && view.id === stack.id) || (view.kind === 'dataset' && ids.includes(view.id)))) setView(null);
    await invalidateData(qc);
  };

  const createStack = async (name: string) => {
    const rec = await api.stacks.create({ name, datasetIds: [...checkedIds] });
    await invalidateData(qc);
    setCreating(false);
    setView({ kind: 'stack', id: rec.id });
  };
  return { handlers, deleteStack, createStack };
}
