// One stack: its first slice's thumbnail, name, slice count and slice dims; "Use as input" makes the
// whole stack the next run's input; ▸ lists its slices under it (→ opens, ← closes). Keyboard as for
// datasets: Enter opens it in the viewer, Space uses it as input, Delete asks to delete, F2 renames.
import { memo, type KeyboardEvent } from 'react';
import type { DatasetMeta } from '../../core/records';
import type { StackRecord } from '../../core/stacks';
import { describeDataset } from './format';
import { omeMenuEntries, omeTestId, type OmeMenuEntry } from './omeExportMenu';
import { RenameField } from './RenameField';
import { RowMenu, type MenuItem } from './RowMenu';
import { Thumbnail } from './Thumbnail';

export interface StackRowProps {
  stack: StackRecord;
  /** The stack's datasets that exist (and are not being deleted), in order. */
  slices: DatasetMeta[];
  isInput: boolean;
  viewed: boolean;
  active: boolean;
  renaming: boolean;
  /** Its slices are listed under it. */
  open: boolean;
  onToggleOpen(id: string, open: boolean): void;
  onOpen(id: string): void;
  onUseAsInput(id: string): void;
  onDelete(id: string): void;
  onStartRename(id: string): void;
  onRename(id: string, name: string): Promise<void>;
  onEndRename(): void;
  onExportTiff(id: string): void;
  onExportOme(id: string, entry: OmeMenuEntry): void;
  onFocusRow(id: string): void;
  onNavKey(e: KeyboardEvent, id: string): void;
}

export const StackRow = memo(function StackRow(p: StackRowProps) {
  const { stack, slices, isInput, viewed, active, renaming, open } = p;
  const first = slices[0];
  const d = first ? describeDataset(first) : null;
  const inner = active ? 0 : -1;
  const count = `${slices.length} slice${slices.length === 1 ? '' : 's'}`;

  const items: MenuItem[] = [
    { label: 'Open in viewer', hint: 'Enter', onSelect: () => p.onOpen(stack.id) },
    { label: isInput ? 'Is the run input' : 'Use as run input', hint: 'Space', disabled: isInput, onSelect: () => p.onUseAsInput(stack.id) },
    { label: 'Rename', hint: 'F2', onSelect: () => p.onStartRename(stack.id) },
    {
      label: 'Export as multi-page TIFF',
      title: 'One page per slice, in stack order; values kept (int8/int16 as float32, int32 as float64).',
      testId: 'export-stack-tiff',
      onSelect: () => p.onExportTiff(stack.id),
    },
    ...omeMenuEntries().map((entry) => ({
      label: `Export ${entry.label}`,
      title: `${entry.format === 'ome-tiff' ? 'OME-TIFF' : `OME-Zarr ${entry.format.slice(-3)}`}: the slices as a Z stack (ZYX, or CZYX for RGB/multichannel slices), in stack order; values, channels, units and pixel sizes kept. The slices must share one shape and dtype.`,
      testId: `stack-${omeTestId(entry)}`,
      onSelect: () => p.onExportOme(stack.id, entry),
    })),
    { label: 'Delete…', hint: 'Del', danger: true, onSelect: () => p.onDelete(stack.id) },
  ];

  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>) => {
    if (renaming) return;
    const onRow = e.target === e.currentTarget;
    if (onRow && e.key === 'Enter') p.onOpen(stack.id);
    else if (onRow && e.key === ' ') p.onUseAsInput(stack.id);
    else if (onRow && (e.key === 'Delete' || e.key === 'Backspace')) p.onDelete(stack.id);
    else if (e.key === 'F2') p.onStartRename(stack.id);
    else if (onRow && (e.key === 'ArrowRight' || e.key === 'ArrowLeft') && open !== (e.key === 'ArrowRight')) p.onToggleOpen(stack.id, !open);
    else {
      p.onNavKey(e, stack.id);
      return;
    }
    e.preventDefault();
  };

  return (
    <li
      className={`ds-row ds-stack-row ${viewed ? 'is-viewed' : ''} ${isInput ? 'is-input' : ''}`}
      tabIndex={active ? 0 : -1}
      data-row-id={stack.id}
      data-testid="stack-row"
      aria-label={`Stack ${stack.name}, ${count}${d ? `, ${d.dims} ${d.dtype}` : ''}${isInput ? ', the run input' : ''}`}
      aria-current={viewed ? 'true' : undefined}
      onClick={() => !renaming && p.onOpen(stack.id)}
      onFocus={(e) => e.target === e.currentTarget && p.onFocusRow(stack.id)}
      onKeyDown={onKeyDown}
    >
      <button
        type="button"
        className="small icon ds-open"
        aria-expanded={open}
        aria-label={`${open ? 'Hide' : 'Show'} the ${count} of ${stack.name}`}
        title={`${open ? 'Hide' : 'Show'} the ${count} (→ / ←)`}
        tabIndex={inner}
        data-testid="stack-open"
        onClick={(e) => {
          e.stopPropagation();
          p.onToggleOpen(stack.id, !open);
        }}
        onFocus={() => p.onFocusRow(stack.id)}
      >
        {open ? '▾' : '▸'}
      </button>
      <span className="ds-stack-thumb">
        <Thumbnail thumb={first?.thumbnail} label={`First slice of ${stack.name}`} />
      </span>
      <div className="ds-row-text">
        {renaming ? (
          <RenameField initial={stack.name} label={`New name for stack ${stack.name}`} onSave={(n) => p.onRename(stack.id, n)} onCancel={p.onEndRename} />
        ) : (
          <span className="ds-name" title={stack.name}>
            {stack.name}
          </span>
        )}
        <span className="ds-meta muted" title={d ? `${count} of ${d.dims} ${d.dtype}` : count}>
          <span>{count}</span>
          {d && (
            <span className="mono" title={d.dimsTitle}>
              {d.dims}
            </span>
          )}
        </span>
      </div>
      <button
        type="button"
        className={`small ds-use ${isInput ? 'is-on' : ''}`}
        aria-pressed={isInput}
        tabIndex={inner}
        title={isInput ? 'This stack is the input of the next run' : 'Use this stack as the input of the next run (Space)'}
        onClick={(e) => {
          e.stopPropagation();
          p.onUseAsInput(stack.id);
        }}
        onFocus={() => p.onFocusRow(stack.id)}
      >
        {isInput ? 'Input ✓' : 'Use as input'}
      </button>
      <RowMenu label={`Actions for stack ${stack.name}`} items={items} tabIndex={inner} />
    </li>
  );
});
