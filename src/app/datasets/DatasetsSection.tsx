// The Datasets section: the datasets in no stack (a stack's slices are listed under it): count, the
// run-input count with Clear, the rows of the current page, the pager.
import type { RefObject } from 'react';
import type { DatasetMeta } from '../../core/records';
import { DatasetRow, type DatasetRowProps } from './DatasetRow';
import type { PanelLists } from './usePanelLists';
import { LabelsPicker } from './LabelsPicker';

/** What every dataset row gets (stable callbacks). */
export type DatasetRowHandlers = Pick<
  DatasetRowProps,
  | 'onOpen'
  | 'onToggleInput'
  | 'onDelete'
  | 'onStartRename'
  | 'onRename'
  | 'onEndRename'
  | 'onExport'
  | 'onExportOme'
  | 'onExportCsv'
  | 'onFocusRow'
  | 'onNavKey'
>;

export interface DatasetsSectionProps {
  filtered: readonly DatasetMeta[];
  paged: PanelLists['paged'];
  setPage(page: number): void;
  filter: string;
  /** Every dataset belongs to a stack (none is listed here). */
  allStacked: boolean;
  inputOrder: ReadonlyMap<string, number>;
  checkedCount: number;
  onClearInputs(): void;
  listRef: RefObject<HTMLUListElement | null>;
  viewedId: string | null;
  activeId: string | null;
  renamingId: string | null;
  /** Segmentation outputs → the name of their source image (OME-Zarr exports it with the mask as labels). */
  labelsOf: ReadonlyMap<string, string>;
  handlers: DatasetRowHandlers;
}

function Pager({ paged, total, setPage }: { paged: PanelLists['paged']; total: number; setPage(page: number): void }) {
  return (
    <nav className="ds-pager" aria-label="Dataset pages">
      <button className="small" disabled={paged.page === 0} onClick={() => setPage(paged.page - 1)} aria-label="Previous page">
        ‹ Prev
      </button>
      <span className="muted" aria-live="polite">
        {paged.start + 1}–{paged.start + paged.items.length} of {total}
      </span>
      <button className="small" disabled={paged.page >= paged.pages - 1} onClick={() => setPage(paged.page + 1)} aria-label="Next page">
        Next ›
      </button>
    </nav>
  );
}

export function DatasetsSection(p: DatasetsSectionProps) {
  const { filtered, paged, checkedCount } = p;
  return (
    <section className="ds-section ds-datasets" aria-labelledby="ds-datasets-title">
      <div className="ds-section-head">
        <h2 id="ds-datasets-title">Datasets</h2>
        <span className="chip" aria-label={`${filtered.length} datasets`}>
          {filtered.length}
        </span>
        <span className="grow" />
        {checkedCount > 0 && (
          <>
            <span className="muted ds-input-count">{checkedCount} as input</span>
            <button className="small" onClick={p.onClearInputs} title="Uncheck all run inputs">
              Clear
            </button>
          </>
        )}
      </div>
      {filtered.length === 0 ? (
        <p className="ds-hint muted">
          {p.filter ? `No dataset matches “${p.filter}”.` : p.allStacked ? 'Every dataset is in a stack above (▸ lists its slices).' : 'No datasets.'}
        </p>
      ) : (
        <ul className="ds-list ds-dataset-list" ref={p.listRef} aria-label="Datasets" data-testid="dataset-list">
          {paged.items.map((m) => (
            <DatasetRow
              key={m.id}
              meta={m}
              inputOrder={p.inputOrder.get(m.id) ?? 0}
              viewed={p.viewedId === m.id}
              active={p.activeId === m.id}
              renaming={p.renamingId === m.id}
              labelsOf={p.labelsOf.get(m.id) ?? null}
              {...p.handlers}
            />
          ))}
        </ul>
      )}
      {paged.pages > 1 && <Pager paged={paged} total={filtered.length} setPage={p.setPage} />}
      {/* After the list: a Tab from the filter box still lands on the list's first row. */}
      <div className="ds-section-foot">
        <LabelsPicker
          text="Import labels…"
          title="Import label images made elsewhere (Cellpose *_cp_masks.png, StarDist, napari, Fiji, ilastik: PNG, TIFF, NPY of integer object ids, 0 = background) as labels; a multi-page TIFF or 3-D NPY becomes 3-D labels. To put labels over one image, use “Add labels from file…” in its viewer."
          labels={{ as: 'labels' }}
          testId="import-labels-input"
          className="small"
          multiple
        />
      </div>
    </section>
  );
}
