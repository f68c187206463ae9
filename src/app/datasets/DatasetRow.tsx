// One dataset in the list: thumbnail, name, dims · dtype · size, a "use as run input" checkbox with
// the input's order number, and an actions menu. The row is focusable (one tab stop for the list,
// arrows move); Enter opens it in the viewer, Space toggles it as an input, Delete deletes (undo),
// F2 renames.
import { memo, type KeyboardEvent } from 'react';
import type { DatasetMeta } from '../../core/records';
import { axesSummary } from './axesSummary';
import { EXPORT_FORMATS, exportSupport, type ExportFormat } from './exportDataset';
import { describeDataset, mainField, mainKey } from './format';
import { omeExportSupport, omeMenuEntries, omeTestId, type OmeMenuEntry } from './omeExportMenu';
import { RemoteChip, useRemoteRowItems } from './remoteDatasets';
import { RenameField } from './RenameField';
import { RowMenu, type MenuItem } from './RowMenu';
import { Thumbnail } from './Thumbnail';

export interface DatasetRowProps {
  meta: DatasetMeta;
  /** 1-based position among the run inputs, or 0 when not an input. */
  inputOrder: number;
  viewed: boolean;
  /** The list's current tab stop (roving tabindex). */
  active: boolean;
  renaming: boolean;
  onOpen(id: string): void;
  onToggleInput(id: string): void;
  onDelete(id: string): void;
  onStartRename(id: string): void;
  onRename(id: string, name: string): Promise<void>;
  onEndRename(): void;
  onExport(id: string, format: ExportFormat): void;
  onExportOme(id: string, entry: OmeMenuEntry): void;
  /** A Table dataset's export: all rows, in stored (label) order, as CSV. */
  onExportCsv(id: string): void;
  /** For a Segmentation output: the name of its source image (OME-Zarr exports the source with this mask as labels). */
  labelsOf?: string | null;
  onFocusRow(id: string): void;
  onNavKey(e: KeyboardEvent, id: string): void;
}

/** A table exports as CSV only (all rows, in stored order). */
function tableExportItems(id: string, onExportCsv: (id: string) => void): MenuItem[] {
  return [
    {
      label: 'Export CSV',
      title: 'All rows, in stored (label) order; the header row has the column names.',
      testId: 'export-csv',
      onSelect: () => onExportCsv(id),
    },
  ];
}

/** PNG / TIFF / NPY and the OME formats, each with what it keeps or why it cannot. */
function imageExportItems(meta: DatasetMeta, p: Pick<DatasetRowProps, 'onExport' | 'onExportOme' | 'labelsOf'>): MenuItem[] {
  const field = mainField(meta);
  return [
    ...EXPORT_FORMATS.map(({ format, label }) => {
      const s = exportSupport(field, format, mainKey(meta));
      return { label: `Export ${label}`, disabled: !s.ok, title: s.note, testId: `export-${format}`, onSelect: () => p.onExport(meta.id, format) };
    }),
    ...omeMenuEntries().map((entry) => {
      const s = omeExportSupport(field, mainKey(meta), entry.format, { name: meta.name, labelsOf: p.labelsOf });
      return { label: `Export ${entry.label}`, disabled: !s.ok, title: s.note, testId: omeTestId(entry), onSelect: () => p.onExportOme(meta.id, entry) };
    }),
  ];
}

export const DatasetRow = memo(function DatasetRow(p: DatasetRowProps) {
  const { meta, inputOrder, viewed, active, renaming } = p;
  const d = describeDataset(meta);
  const field = mainField(meta);
  const ax = axesSummary(field);
  const inner = active ? 0 : -1;
  const remoteItems = useRemoteRowItems(meta);

  const items: MenuItem[] = [
    { label: 'Open in viewer', hint: 'Enter', onSelect: () => p.onOpen(meta.id) },
    { label: 'Rename', hint: 'F2', onSelect: () => p.onStartRename(meta.id) },
    ...remoteItems,
    ...(meta.schema === 'Table' ? tableExportItems(meta.id, p.onExportCsv) : imageExportItems(meta, p)),
    { label: 'Delete', hint: 'Del', danger: true, onSelect: () => p.onDelete(meta.id) },
  ];

  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>) => {
    if (renaming) return;
    const onRow = e.target === e.currentTarget;
    if (onRow && e.key === 'Enter') p.onOpen(meta.id);
    else if (onRow && e.key === ' ') p.onToggleInput(meta.id);
    else if (onRow && (e.key === 'Delete' || e.key === 'Backspace')) p.onDelete(meta.id);
    else if (e.key === 'F2') p.onStartRename(meta.id);
    else {
      p.onNavKey(e, meta.id);
      return;
    }
    e.preventDefault();
  };

  const axesText = ax
    ? [ax.channels?.text, ax.z, ax.t, ax.pixel]
        .filter(Boolean)
        .map((t) => `, ${t}`)
        .join('')
    : '';
  const label = `${meta.name}, ${d.dims}${d.dtype ? `, ${d.dtype}` : ''}, ${d.size}${axesText}${inputOrder ? `, run input ${inputOrder}` : ''}`;
  return (
    <li
      className={`ds-row ${viewed ? 'is-viewed' : ''} ${inputOrder ? 'is-input' : ''}`}
      tabIndex={active ? 0 : -1}
      data-row-id={meta.id}
      data-testid="dataset-row"
      aria-label={label}
      aria-current={viewed ? 'true' : undefined}
      onClick={() => !renaming && p.onOpen(meta.id)}
      onFocus={(e) => e.target === e.currentTarget && p.onFocusRow(meta.id)}
      onKeyDown={onKeyDown}
    >
      <label className="ds-input-toggle" title="Use as run input (Space)" onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          checked={inputOrder > 0}
          tabIndex={inner}
          aria-label={`Use ${meta.name} as run input`}
          onChange={() => p.onToggleInput(meta.id)}
          onFocus={() => p.onFocusRow(meta.id)}
        />
        <span className="ds-order" aria-hidden="true">
          {inputOrder || ''}
        </span>
      </label>
      <Thumbnail thumb={meta.thumbnail} label={`Preview of ${meta.name}`} />
      <div className="ds-row-text">
        {renaming ? (
          <RenameField initial={meta.name} label={`New name for ${meta.name}`} onSave={(n) => p.onRename(meta.id, n)} onCancel={p.onEndRename} />
        ) : (
          <span className="ds-name" title={meta.name}>
            {meta.name}
          </span>
        )}
        <span className="ds-meta muted">
          <span className="mono" data-testid="ds-dims" title={d.dimsTitle}>
            {d.dims}
          </span>
          {d.dtype && <span className="mono">{d.dtype}</span>}
          <span>{d.size}</span>
          <RemoteChip meta={meta} />
          {ax?.channels && (
            <span className="ds-axes" data-testid="ds-channels" title={ax.channels.title}>
              {ax.channels.text}
            </span>
          )}
          {ax?.z && (
            <span className="ds-axes" data-testid="ds-z">
              {ax.z}
            </span>
          )}
          {ax?.t && (
            <span className="ds-axes" data-testid="ds-t">
              {ax.t}
            </span>
          )}
          {ax?.pixel && (
            <span className="ds-axes mono" data-testid="ds-pixel" title="Pixel size">
              {ax.pixel}
            </span>
          )}
        </span>
      </div>
      <RowMenu label={`Actions for ${meta.name}`} items={items} tabIndex={inner} />
    </li>
  );
});
