// The left column: Stacks (first-class run inputs; opened, a stack lists its slices under it) and
// Datasets (those in no stack; paged by 200, filterable), with rename, export, delete and the
// run-input selection. Deleting a dataset is a soft delete
// (useSoftDelete.ts): the row is hidden at once and really deleted ~6 s later unless undone.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { StackRecord } from '../../core/stacks';
import { useApi } from '../apiContext';
import { invalidateData, useDatasets, useStacks } from '../state/queries';
import { useSelection } from '../state/selection';
import { DatasetsEmpty } from './DatasetsEmpty';
import { DatasetsSection, type DatasetRowHandlers } from './DatasetsSection';
import { DeleteStackDialog } from './DeleteStackDialog';
import { errText } from './errText';
import { FilterBox } from './FilterBox';
import { PanelStatus } from './PanelStatus';
import { StacksSection, type StackRowHandlers } from './StacksSection';
import { stackRowIds, type SliceRowsProps } from './StackSlices';
import { useDatasetActions } from './useDatasetActions';
import { segmentationSource } from './omeExportMenu';
import { usePanelExports } from './usePanelExports';
import { usePanelLists } from './usePanelLists';
import { useRevealViewed } from './useRevealViewed';
import { useRovingList } from './useRovingList';
import { useSoftDelete } from './useSoftDelete';
import { useStable } from './useStable';
import { useStackActions } from './useStackActions';
import './datasets.css';

function PanelShell({ children }: { children: ReactNode }) {
  return <div className="ds-panel panel">{children}</div>;
}

export function DatasetsPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const { view, inputs, setView, setInputs } = useSelection();
  const datasetsQ = useDatasets();
  const stacksQ = useStacks();

  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmStack, setConfirmStack] = useState<StackRecord | null>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  /** Stacks opened to list their slices. */
  const [openIds, setOpenIds] = useState<ReadonlySet<string>>(() => new Set());

  const soft = useSoftDelete(setNotice);
  const lists = usePanelLists({ datasets: datasetsQ.data, stacks: stacksQ.data, gone: soft.gone, filter, page, inputs });
  const { byId, stacks, checkedIds, stackOf } = lists;
  const ds = useRovingList(lists.pageIds);
  const st = useRovingList(useMemo(() => stackRowIds(lists.shownStacks, openIds), [lists.shownStacks, openIds]));
  const toggleOpen = useStable((id: string, open: boolean) =>
    setOpenIds((cur) => {
      const next = new Set(cur);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    }),
  );
  // A filter that finds slices opens their stacks; a viewed slice opens its stack and takes the tab stop.
  useEffect(() => {
    const hits = lists.shownStacks.filter((s) => s.sliceHit).map((s) => s.stack.id);
    if (hits.length) setOpenIds((cur) => (hits.every((id) => cur.has(id)) ? cur : new Set([...cur, ...hits])));
  }, [lists.shownStacks]);
  const viewedSliceStack = view?.kind === 'dataset' ? stackOf.get(view.id) : undefined;
  const { setActive: setActiveSt } = st;
  useEffect(() => {
    if (!viewedSliceStack || view?.kind !== 'dataset') return;
    setOpenIds((cur) => (cur.has(viewedSliceStack) ? cur : new Set([...cur, viewedSliceStack])));
    setActiveSt(view.id);
  }, [viewedSliceStack, view, setActiveSt]);

  // Back to the first page when the filter changes.
  useEffect(() => setPage(0), [filter]);
  useRevealViewed(view, lists.filtered, setPage, ds, st);

  const startRename = useStable((id: string) => setRenaming(id));
  const endRename = useStable(() => {
    const id = renaming;
    setRenaming(null);
    if (id) requestAnimationFrame(() => (byId.has(id) && !stackOf.has(id) ? ds : st).focus(id));
  });
  const exports = usePanelExports(byId, stacks, { setBusy, setNotice });
  const dsActions = useDatasetActions({ lists, soft, ds, renaming, setRenaming, endRename });
  const stActions = useStackActions({ stacks, st, endRename, askDelete: setConfirmStack, checkedIds, setCreating });

  const dsHandlers = useMemo<DatasetRowHandlers>(
    () => ({
      ...dsActions.handlers,
      onStartRename: startRename,
      onEndRename: endRename,
      onExport: exports.exportDataset,
      onExportOme: (id, entry) => exports.exportOme('dataset', id, entry),
      onExportCsv: exports.exportTableCsv,
      onFocusRow: ds.onFocusRow,
      onNavKey: ds.onNavKey,
    }),
    [dsActions.handlers, startRename, endRename, exports.exportDataset, exports.exportOme, exports.exportTableCsv, ds.onFocusRow, ds.onNavKey],
  );
  const labelsOf = useMemo(() => {
    const out = new Map<string, string>();
    for (const m of byId.values()) {
      const src = m.keys.mask ? segmentationSource(m, byId) : null;
      if (src) out.set(m.id, src.name);
    }
    return out;
  }, [byId]);
  const stHandlers = useMemo<StackRowHandlers>(
    () => ({
      ...stActions.handlers,
      onStartRename: startRename,
      onEndRename: endRename,
      onExportTiff: exports.exportStack,
      onExportOme: (id, entry) => exports.exportOme('stack', id, entry),
      onFocusRow: st.onFocusRow,
      onNavKey: st.onNavKey,
      onToggleOpen: toggleOpen,
    }),
    [stActions.handlers, startRename, endRename, exports.exportStack, exports.exportOme, st.onFocusRow, st.onNavKey, toggleOpen],
  );
  const sliceRows = useMemo<SliceRowsProps>(
    () => ({
      inputOrder: lists.inputOrder,
      viewedId: view?.kind === 'dataset' ? view.id : null,
      renamingId: renaming,
      labelsOf,
      handlers: { ...dsHandlers, onFocusRow: st.onFocusRow, onNavKey: st.onNavKey },
    }),
    [lists.inputOrder, view, renaming, labelsOf, dsHandlers, st.onFocusRow, st.onNavKey],
  );

  const addSamples = async () => {
    setBusy('Adding the sample data…');
    try {
      const r = await api.samples.create();
      await invalidateData(qc);
      const first = r.stacks[0];
      if (first) setView({ kind: 'stack', id: first.id });
      else if (r.ids[0]) setView({ kind: 'dataset', id: r.ids[0] });
    } catch (e) {
      setNotice(`Could not add the sample data: ${errText(e)}`);
    } finally {
      setBusy(null);
    }
  };

  if (datasetsQ.isError) {
    return (
      <PanelShell>
        <div className="ds-error" role="alert">
          <strong>The datasets could not be listed.</strong> {errText(datasetsQ.error)}{' '}
          <button className="small" onClick={() => void datasetsQ.refetch()}>
            Try again
          </button>
        </div>
      </PanelShell>
    );
  }
  if (datasetsQ.isPending) {
    return (
      <PanelShell>
        <div className="empty" role="status">
          Loading datasets…
        </div>
      </PanelShell>
    );
  }

  const nothing = lists.all.length === 0 && stacks.length === 0;
  return (
    <div className="ds-panel panel" data-testid="datasets-panel">
      {nothing ? (
        <DatasetsEmpty onAddSamples={() => void addSamples()} busy={!!busy} />
      ) : (
        <>
          <FilterBox filter={filter} onChange={setFilter} />
          <StacksSection
            stacks={stacks}
            shown={lists.shownStacks}
            filter={filter}
            listError={stacksQ.isError ? errText(stacksQ.error) : null}
            checkedCount={checkedIds.length}
            creating={creating}
            setCreating={setCreating}
            onCreate={stActions.createStack}
            listRef={st.listRef}
            inputStackId={inputs.kind === 'stack' ? inputs.id : null}
            viewedId={view?.kind === 'stack' ? view.id : null}
            activeId={st.active}
            renamingId={renaming}
            handlers={stHandlers}
            openIds={openIds}
            slices={sliceRows}
          />
          <DatasetsSection
            filtered={lists.filtered}
            paged={lists.paged}
            setPage={setPage}
            filter={filter}
            allStacked={lists.all.length > 0 && stackOf.size >= lists.all.length}
            inputOrder={lists.inputOrder}
            checkedCount={checkedIds.length}
            onClearInputs={() => setInputs({ kind: 'datasets', ids: [] })}
            listRef={ds.listRef}
            viewedId={view?.kind === 'dataset' ? view.id : null}
            activeId={ds.active}
            renamingId={renaming}
            labelsOf={labelsOf}
            handlers={dsHandlers}
          />
        </>
      )}
      <PanelStatus busy={busy} notice={notice} onDismissNotice={() => setNotice(null)} pending={soft.pending} onUndo={dsActions.undo} />
      {confirmStack && (
        <DeleteStackDialog
          stack={confirmStack}
          count={confirmStack.datasetIds.filter((id) => byId.has(id)).length}
          onConfirm={(w) => stActions.deleteStack(confirmStack, w)}
          onClose={() => {
            const id = confirmStack.id;
            setConfirmStack(null);
            requestAnimationFrame(() => st.focus(id));
          }}
        />
      )}
    </div>
  );
}
