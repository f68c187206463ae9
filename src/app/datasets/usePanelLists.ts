// What the panel lists, derived from the stored datasets and stacks: hidden rows left out, oldest
// first, stacks with their (still listed) slices, the filter applied (to names, and to outputs' sources'
// names), the page cut, and the run inputs.
import { useMemo } from 'react';
import type { DatasetMeta } from '../../core/records';
import { naturalCompare, type StackRecord } from '../../core/stacks';
import type { RunInputs } from '../state/selection';
import { filterByName, paginate } from './format';
import { filterText } from './outputNames';

export interface StackEntry {
  stack: StackRecord;
  slices: DatasetMeta[];
}

export interface PanelListsInput {
  datasets: DatasetMeta[] | undefined;
  stacks: StackRecord[] | undefined;
  /** Rows hidden by a delete (pending or being written). */
  gone: ReadonlySet<string>;
  filter: string;
  page: number;
  inputs: RunInputs;
}

export function usePanelLists({ datasets, stacks: storedStacks, gone, filter, page, inputs }: PanelListsInput) {
  // Oldest first; datasets written in one batch share a time (and come back in id order), so order
  // those by natural name: a TIFF's pages and a folder's slices keep their order.
  const all = useMemo(
    () =>
      (datasets ?? []).filter((m) => !gone.has(m.id)).sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : naturalCompare(a.name, b.name))),
    [datasets, gone],
  );
  const byId = useMemo(() => new Map(all.map((m) => [m.id, m])), [all]);
  const stacks = useMemo((): StackEntry[] => {
    const loaded = !!datasets;
    return (storedStacks ?? [])
      .map((stack) => ({ stack, slices: stack.datasetIds.map((id) => byId.get(id)).filter((m): m is DatasetMeta => !!m) }))
      .filter((s) => !loaded || s.slices.length > 0);
  }, [storedStacks, byId, datasets]);
  const shownStacks = useMemo(() => {
    const names = new Set(
      filterByName(
        stacks.map((s) => s.stack),
        filter,
      ).map((s) => s.id),
    );
    return stacks.filter((s) => names.has(s.stack.id));
  }, [stacks, filter]);
  // Outputs match by their source's name too ("coins" finds "coins · otsu mask" after coins is renamed).
  const filtered = useMemo(
    () =>
      filterByName(
        all.map((m) => ({ name: filterText(m, byId), m })),
        filter,
      ).map((x) => x.m),
    [all, byId, filter],
  );
  const paged = paginate(filtered, page);
  const pageIds = useMemo(() => paged.items.map((m) => m.id), [paged.items]);
  const stackIds = useMemo(() => shownStacks.map((s) => s.stack.id), [shownStacks]);
  const inputOrder = useMemo(() => new Map(inputs.kind === 'datasets' ? inputs.ids.map((id, i) => [id, i + 1] as const) : []), [inputs]);
  const checkedIds = useMemo(() => (inputs.kind === 'datasets' ? inputs.ids.filter((id) => byId.has(id)) : []), [inputs, byId]);
  return { all, byId, stacks, shownStacks, filtered, paged, pageIds, stackIds, inputOrder, checkedIds };
}

export type PanelLists = ReturnType<typeof usePanelLists>;
