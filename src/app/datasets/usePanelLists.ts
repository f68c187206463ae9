// What the panel lists, derived from the stored datasets and stacks: hidden rows left out, oldest
// first, stacks with their (still listed) slices, the filter applied (to names, and to outputs' sources'
// names), the page cut, and the run inputs. A dataset that belongs to a stack is listed under its stack
// (StackRow's slices), not as a loose row; the filter finds slices too (their stack is shown with the
// matching slices, opened).
import { useMemo } from 'react';
import type { DatasetMeta } from '../../core/records';
import { naturalCompare, type StackRecord } from '../../core/stacks';
import type { RunInputs } from '../state/selection';
import { filterByName, paginate } from './format';
import { filterText } from './outputNames';

export interface StackEntry {
  stack: StackRecord;
  slices: DatasetMeta[];
  /** The slices listed under the stack when it is opened: all, or those the filter matches when the stack's name does not. */
  shownSlices: DatasetMeta[];
  /** The filter matched slices (not the stack's name): the stack is shown opened. */
  sliceHit: boolean;
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
      .map((stack) => {
        const slices = stack.datasetIds.map((id) => byId.get(id)).filter((m): m is DatasetMeta => !!m);
        return { stack, slices, shownSlices: slices, sliceHit: false };
      })
      .filter((s) => !loaded || s.slices.length > 0);
  }, [storedStacks, byId, datasets]);
  const shownStacks = useMemo((): StackEntry[] => {
    if (!filter.trim()) return stacks;
    const out: StackEntry[] = [];
    for (const s of stacks) {
      if (filterByName([s.stack], filter).length) out.push(s);
      else {
        const hits = filterByName(s.slices, filter);
        if (hits.length) out.push({ ...s, shownSlices: hits, sliceHit: true });
      }
    }
    return out;
  }, [stacks, filter]);
  /** Datasets listed under a stack (not as loose rows): which stack lists each (the first, when a dataset is in several). */
  const stackOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of stacks) for (const d of s.slices) if (!m.has(d.id)) m.set(d.id, s.stack.id);
    return m;
  }, [stacks]);
  // Outputs match by their source's name too ("coins" finds "coins · otsu mask" after coins is renamed).
  const filtered = useMemo(
    () =>
      filterByName(
        all.filter((m) => !stackOf.has(m.id)).map((m) => ({ name: filterText(m, byId), m })),
        filter,
      ).map((x) => x.m),
    [all, byId, stackOf, filter],
  );
  const paged = paginate(filtered, page);
  const pageIds = useMemo(() => paged.items.map((m) => m.id), [paged.items]);
  const stackIds = useMemo(() => shownStacks.map((s) => s.stack.id), [shownStacks]);
  const inputOrder = useMemo(() => new Map(inputs.kind === 'datasets' ? inputs.ids.map((id, i) => [id, i + 1] as const) : []), [inputs]);
  const checkedIds = useMemo(() => (inputs.kind === 'datasets' ? inputs.ids.filter((id) => byId.has(id)) : []), [inputs, byId]);
  return { all, byId, stackOf, stacks, shownStacks, filtered, paged, pageIds, stackIds, inputOrder, checkedIds };
}

export type PanelLists = ReturnType<typeof usePanelLists>;
