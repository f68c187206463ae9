// The Stacks section: count, "New stack from selected" (and its form), the stack rows, each opened
// one followed by its slices (StackSlices).
import { Fragment, type RefObject } from 'react';
import { nextName } from './format';
import { NewStackForm } from './NewStackForm';
import { StackRow, type StackRowProps } from './StackRow';
import { StackSlices, type SliceRowsProps } from './StackSlices';
import type { StackEntry } from './usePanelLists';

/** What every stack row gets (stable callbacks). */
export type StackRowHandlers = Pick<
  StackRowProps,
  | 'onOpen'
  | 'onUseAsInput'
  | 'onDelete'
  | 'onStartRename'
  | 'onRename'
  | 'onEndRename'
  | 'onExportTiff'
  | 'onExportOme'
  | 'onFocusRow'
  | 'onNavKey'
  | 'onToggleOpen'
>;

export interface StacksSectionProps {
  /** Every stack (for the new stack's default name) and those the filter shows. */
  stacks: readonly StackEntry[];
  shown: readonly StackEntry[];
  filter: string;
  /** Error text when the stacks could not be listed. */
  listError: string | null;
  checkedCount: number;
  creating: boolean;
  setCreating(on: boolean): void;
  onCreate(name: string): Promise<void>;
  listRef: RefObject<HTMLUListElement | null>;
  inputStackId: string | null;
  viewedId: string | null;
  activeId: string | null;
  renamingId: string | null;
  handlers: StackRowHandlers;
  /** The stacks shown opened (their slices listed under them). */
  openIds: ReadonlySet<string>;
  slices: SliceRowsProps;
}

export function StacksSection(p: StacksSectionProps) {
  const { shown, checkedCount } = p;
  return (
    <section className="ds-section ds-stacks" aria-labelledby="ds-stacks-title">
      <div className="ds-section-head">
        <h2 id="ds-stacks-title">Stacks</h2>
        <span className="chip" aria-label={`${shown.length} stacks`}>
          {shown.length}
        </span>
        <span className="grow" />
        <button
          className="small"
          disabled={checkedCount === 0 || p.creating}
          title={
            checkedCount
              ? `Make a stack of the ${checkedCount} checked dataset${checkedCount === 1 ? '' : 's'}, in input order`
              : 'Check datasets below (run input boxes) first; the stack keeps their order'
          }
          onClick={() => p.setCreating(true)}
        >
          New stack from selected
        </button>
      </div>
      {p.creating && (
        <NewStackForm
          count={checkedCount}
          defaultName={nextName(
            'Stack',
            p.stacks.map((s) => s.stack.name),
          )}
          onCreate={p.onCreate}
          onCancel={() => p.setCreating(false)}
        />
      )}
      {p.listError !== null ? (
        <div className="ds-error" role="alert">
          The stacks could not be listed: {p.listError}
        </div>
      ) : shown.length === 0 ? (
        <p className="ds-hint muted">
          {p.filter ? 'No stack matches the filter.' : 'No stacks yet. Multi-page TIFFs and dropped folders become stacks; or check datasets and make one.'}
        </p>
      ) : (
        <ul className="ds-list ds-stack-list" ref={p.listRef} aria-label="Stacks">
          {shown.map((entry) => {
            const { stack, slices } = entry;
            const open = p.openIds.has(stack.id);
            return (
              <Fragment key={stack.id}>
                <StackRow
                  stack={stack}
                  slices={slices}
                  isInput={p.inputStackId === stack.id}
                  viewed={p.viewedId === stack.id}
                  active={p.activeId === stack.id}
                  renaming={p.renamingId === stack.id}
                  open={open}
                  {...p.handlers}
                />
                {open && <StackSlices entry={entry} activeId={p.activeId} rows={p.slices} />}
              </Fragment>
            );
          })}
        </ul>
      )}
    </section>
  );
}
