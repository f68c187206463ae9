// The slices of an opened stack, listed under its row (a dataset of a stack is not also a loose row):
// the dataset rows as in the Datasets section, in stack order, part of the stacks' roving focus (the
// arrows go from a stack to its slices and on). A stack of more than a page shows the first page and
// says how to find the rest.
import { memo } from 'react';
import type { DatasetMeta } from '../../core/records';
import { DatasetRow } from './DatasetRow';
import type { DatasetRowHandlers } from './DatasetsSection';
import { PAGE_SIZE } from './format';
import type { StackEntry } from './usePanelLists';

/** What the slice rows share with the loose dataset rows. */
export interface SliceRowsProps {
  inputOrder: ReadonlyMap<string, number>;
  /** The dataset open in the viewer. */
  viewedId: string | null;
  renamingId: string | null;
  labelsOf: ReadonlyMap<string, string>;
  /** The dataset rows' handlers, with the stacks list's focus and arrow keys. */
  handlers: DatasetRowHandlers;
}

export const StackSlices = memo(function StackSlices({ entry, activeId, rows }: { entry: StackEntry; activeId: string | null; rows: SliceRowsProps }) {
  const shown: DatasetMeta[] = entry.shownSlices.slice(0, PAGE_SIZE);
  const more = entry.shownSlices.length - shown.length;
  return (
    <li className="ds-slices" role="none">
      <ul className="ds-list ds-slice-list" aria-label={`Slices of ${entry.stack.name}`} data-testid="stack-slices">
        {shown.map((m) => (
          <DatasetRow
            key={m.id}
            meta={m}
            inputOrder={rows.inputOrder.get(m.id) ?? 0}
            viewed={rows.viewedId === m.id}
            active={activeId === m.id}
            renaming={rows.renamingId === m.id}
            labelsOf={rows.labelsOf.get(m.id) ?? null}
            {...rows.handlers}
          />
        ))}
        {more > 0 && (
          <li className="ds-hint muted" role="none">
            … and {more} more slices: filter by name to find one.
          </li>
        )}
      </ul>
    </li>
  );
});

/** The stacks list's rows in display order: each stack, then the slices of the opened ones (roving focus). */
export function stackRowIds(shown: readonly StackEntry[], open: ReadonlySet<string>): string[] {
  return shown.flatMap((s) => (open.has(s.stack.id) ? [s.stack.id, ...s.shownSlices.slice(0, PAGE_SIZE).map((m) => m.id)] : [s.stack.id]));
}
