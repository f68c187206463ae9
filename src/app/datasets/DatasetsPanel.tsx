// The left column: Stacks (first-class run inputs) and Datasets (paged by 200, filterable), with
// rename, export, delete and the run-input selection. Deleting a dataset is a soft delete: the row is
// hidden at once and really deleted ~6 s later unless undone (nothing is rewritten, so ids, stack
// membership and execution history stay intact on undo).
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { DatasetMeta } from '../../core/records';
import type { NDArray } from '../../core/ndarray';
import { naturalCompare, type StackRecord } from '../../core/stacks';
import { useApi } from '../apiContext';
import { invalidateData, useDatasets, useStacks } from '../state/queries';
import { useSelection } from '../state/selection';
import { DatasetRow } from './DatasetRow';
import { DeleteStackDialog } from './DeleteStackDialog';
import { downloadBytes, encodeExport, exportName, mimeOf, type ExportFormat } from './exportDataset';
import { filterByName, mainKey, nextName, paginate, PAGE_SIZE } from './format';
import { NewStackForm } from './NewStackForm';
import { StackRow } from './StackRow';
import './datasets.css';
import { thrownMessage } from '../../core/describeValue';

/** How long a deleted dataset can be brought back. */
export const UNDO_MS = 6000;

interface PendingDelete {
  ids: string[];
  label: string;
  /** Run-input ids removed by the delete (restored by Undo). */
  wasInput: string[];
  wasViewed: boolean;
}


/** A callback with a stable identity that always runs the latest closure (for memoised rows and timers). */
function useStable<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  useLayoutEffect(() => {
    ref.current = fn;
  });
  return useCallback((...args: A) => ref.current(...args), []);
}

function focusRow(list: HTMLElement | null, id: string) {
  list?.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(id)}"]`)?.focus();
}

/** Arrow/Home/End/Page navigation over `ids`; returns the id to move to, or null. */
function navTarget(e: KeyboardEvent, ids: readonly string[], id: string): string | null {
  const i = ids.indexOf(id);
  const last = ids.length - 1;
  let j: number;
  switch (e.key) {
    case 'ArrowDown':
      j = i + 1;
      break;
    case 'ArrowUp':
      j = i - 1;
      break;
    case 'Home':
      j = 0;
      break;
    case 'End':
      j = last;
      break;
    case 'PageDown':
      j = i + 10;
      break;
    case 'PageUp':
      j = i - 10;
      break;
    default:
      return null;
  }
  return ids[Math.max(0, Math.min(last, j))] ?? null;
}

export function DatasetsPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const sel = useSelection();
  const { view, inputs, setView, setInputs, toggleInput } = sel;
  const datasetsQ = useDatasets();
  const stacksQ = useStacks();

  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [activeDs, setActiveDs] = useState<string | null>(null);
  const [activeSt, setActiveSt] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingDelete | null>(null);
  /** Hidden rows: pending deletes and deletes being written (so a row does not flash back before the list refreshes). */
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmStack, setConfirmStack] = useState<StackRecord | null>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const dsList = useRef<HTMLUListElement>(null);
  const stList = useRef<HTMLUListElement>(null);

  // ───── derived lists ─────
  // Oldest first; datasets written in one batch share a time (and come back in id order), so order
  // those by natural name: a TIFF's pages and a folder's slices keep their order.
  const all = useMemo(
    () =>
      (datasetsQ.data ?? [])
        .filter((m) => !gone.has(m.id))
        .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : naturalCompare(a.name, b.name))),
    [datasetsQ.data, gone],
  );
  const byId = useMemo(() => new Map(all.map((m) => [m.id, m])), [all]);
  const stacks = useMemo(() => {
    const loaded = !!datasetsQ.data;
    return (stacksQ.data ?? [])
      .map((stack) => ({ stack, slices: stack.datasetIds.map((id) => byId.get(id)).filter((m): m is DatasetMeta => !!m) }))
      .filter((s) => !loaded || s.slices.length > 0);
  }, [stacksQ.data, byId, datasetsQ.data]);
  const shownStacks = useMemo(() => {
    const names = new Set(filterByName(stacks.map((s) => s.stack), filter).map((s) => s.id));
    return stacks.filter((s) => names.has(s.stack.id));
  }, [stacks, filter]);
  const filtered = useMemo(() => filterByName(all, filter), [all, filter]);
  const paged = paginate(filtered, page);
  const pageIds = useMemo(() => paged.items.map((m) => m.id), [paged.items]);
  const stackIds = useMemo(() => shownStacks.map((s) => s.stack.id), [shownStacks]);
  const inputOrder = useMemo(() => new Map(inputs.kind === 'datasets' ? inputs.ids.map((id, i) => [id, i + 1] as const) : []), [inputs]);
  const checkedIds = useMemo(() => (inputs.kind === 'datasets' ? inputs.ids.filter((id) => byId.has(id)) : []), [inputs, byId]);
  const activeDsEff = activeDs && pageIds.includes(activeDs) ? activeDs : (pageIds[0] ?? null);
  const activeStEff = activeSt && stackIds.includes(activeSt) ? activeSt : (stackIds[0] ?? null);

  // Back to the first page when the filter changes.
  useEffect(() => setPage(0), [filter]);

  // Show the viewed item: its page, scrolled into view (e.g. right after an import selects it).
  const viewKey = view && (view.kind === 'dataset' || view.kind === 'stack') ? `${view.kind}:${view.id}` : '';
  const filteredRef = useRef(filtered);
  useLayoutEffect(() => {
    filteredRef.current = filtered;
  });
  useEffect(() => {
    if (!viewKey) return;
    const [kind, id] = [viewKey.slice(0, viewKey.indexOf(':')), viewKey.slice(viewKey.indexOf(':') + 1)];
    if (kind === 'dataset') {
      const i = filteredRef.current.findIndex((m) => m.id === id);
      if (i >= 0) setPage(Math.floor(i / PAGE_SIZE));
      setActiveDs(id);
    } else setActiveSt(id);
    const t = requestAnimationFrame(() => {
      (kind === 'dataset' ? dsList : stList).current?.querySelector(`[data-row-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: 'nearest' });
    });
    return () => cancelAnimationFrame(t);
  }, [viewKey]);

  // ───── delete with undo ─────
  const commitDelete = useStable((p: PendingDelete) => {
    void (async () => {
      const failed: string[] = [];
      for (const id of p.ids) {
        try {
          await api.datasets.delete(id);
        } catch (e) {
          // Already gone (another tab, a stack deleted with its datasets) is fine.
          if (!/not found/i.test(thrownMessage(e))) failed.push(thrownMessage(e));
        }
      }
      if (failed.length) setNotice(`Could not delete “${p.label}”: ${failed[0]}`);
      await invalidateData(qc);
      setGone((g) => {
        const n = new Set(g);
        for (const id of p.ids) n.delete(id);
        return n;
      });
    })();
  });

  const pendingRef = useRef<PendingDelete | null>(null);
  useLayoutEffect(() => {
    pendingRef.current = pending;
  });
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(() => {
      setPending(null);
      commitDelete(pending);
    }, UNDO_MS);
    return () => clearTimeout(t);
  }, [pending, commitDelete]);
  // A delete still pending when the panel goes away (or the page is closed) is carried out.
  useEffect(() => {
    const flush = () => {
      const p = pendingRef.current;
      if (p) {
        pendingRef.current = null;
        commitDelete(p);
      }
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [commitDelete]);

  const deleteDataset = useStable((id: string) => {
    const meta = byId.get(id);
    if (!meta) return;
    if (pending) commitDelete(pending);
    // Keep the keyboard in the list: the next row (or the previous one) takes focus.
    const i = pageIds.indexOf(id);
    const next = pageIds[i + 1] ?? pageIds[i - 1] ?? null;
    const wasInput = inputs.kind === 'datasets' && inputs.ids.includes(id) ? [id] : [];
    if (wasInput.length && inputs.kind === 'datasets') setInputs({ kind: 'datasets', ids: inputs.ids.filter((x) => x !== id) });
    const wasViewed = view?.kind === 'dataset' && view.id === id;
    if (wasViewed) setView(null);
    setGone((g) => new Set(g).add(id));
    setPending({ ids: [id], label: meta.name, wasInput, wasViewed });
    if (renaming === id) setRenaming(null);
    const listHadFocus = dsList.current?.contains(document.activeElement);
    if (next) {
      setActiveDs(next);
      if (listHadFocus) requestAnimationFrame(() => focusRow(dsList.current, next));
    }
  });

  const undo = useStable(() => {
    const p = pending;
    if (!p) return;
    setPending(null);
    setGone((g) => {
      const n = new Set(g);
      for (const id of p.ids) n.delete(id);
      return n;
    });
    for (const id of p.wasInput) toggleInput(id);
    if (p.wasViewed && p.ids[0] && !view) setView({ kind: 'dataset', id: p.ids[0] });
    const id = p.ids[0];
    if (id) {
      setActiveDs(id);
      requestAnimationFrame(() => focusRow(dsList.current, id));
    }
  });

  // Ctrl/Cmd+Z undoes a pending delete (not while typing in a field).
  useEffect(() => {
    if (!pending) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        undo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pending, undo]);

  // ───── dataset actions ─────
  const openDataset = useStable((id: string) => {
    setActiveDs(id);
    setView({ kind: 'dataset', id });
  });
  const toggle = useStable((id: string) => {
    setActiveDs(id);
    toggleInput(id);
  });
  const startRename = useStable((id: string) => setRenaming(id));
  const endRename = useStable(() => {
    const id = renaming;
    setRenaming(null);
    if (id) requestAnimationFrame(() => focusRow(byId.has(id) ? dsList.current : stList.current, id));
  });
  const renameDataset = useStable(async (id: string, name: string) => {
    await api.datasets.rename(id, name);
    await invalidateData(qc);
    endRename();
  });
  const exportOne = useStable(async (id: string, format: ExportFormat) => {
    const meta = byId.get(id);
    const key = meta && mainKey(meta);
    if (!meta || !key) return;
    setBusy(`Exporting ${meta.name}…`);
    try {
      const rec = await api.datasets.get(id, [key]);
      const a = rec.fields[key];
      if (!a || typeof a === 'string') throw new Error(`the field '${key}' holds no array.`);
      downloadBytes(encodeExport([a], format), exportName(meta.name, format), mimeOf(format));
    } catch (e) {
      setNotice(`Could not export “${meta.name}” as ${format.toUpperCase()}: ${thrownMessage(e)}`);
    } finally {
      setBusy(null);
    }
  });
  const focusDs = useStable((id: string) => setActiveDs(id));
  const navDs = useStable((e: KeyboardEvent, id: string) => {
    const to = navTarget(e, pageIds, id);
    if (!to) return;
    e.preventDefault();
    setActiveDs(to);
    focusRow(dsList.current, to);
  });

  // ───── stack actions ─────
  const openStack = useStable((id: string) => {
    setActiveSt(id);
    setView({ kind: 'stack', id });
  });
  const useStackAsInput = useStable((id: string) => {
    setActiveSt(id);
    setInputs({ kind: 'stack', id });
  });
  const askDeleteStack = useStable((id: string) => {
    const s = stacks.find((x) => x.stack.id === id);
    if (s) setConfirmStack(s.stack);
  });
  const renameStack = useStable(async (id: string, name: string) => {
    await api.stacks.rename(id, name);
    await invalidateData(qc);
    endRename();
  });
  const exportStack = useStable(async (id: string) => {
    const s = stacks.find((x) => x.stack.id === id);
    if (!s) return;
    setBusy(`Exporting ${s.stack.name}…`);
    try {
      const arrays: NDArray[] = [];
      for (const m of s.slices) {
        const key = mainKey(m);
        const f = key ? (await api.datasets.get(m.id, [key])).fields[key] : null;
        if (!f || typeof f === 'string') throw new Error(`slice “${m.name}” holds no array.`);
        arrays.push(f);
      }
      downloadBytes(encodeExport(arrays, 'tiff'), exportName(s.stack.name, 'tiff'), mimeOf('tiff'));
    } catch (e) {
      setNotice(`Could not export the stack “${s.stack.name}”: ${thrownMessage(e)}`);
    } finally {
      setBusy(null);
    }
  });
  const focusSt = useStable((id: string) => setActiveSt(id));
  const navSt = useStable((e: KeyboardEvent, id: string) => {
    const to = navTarget(e, stackIds, id);
    if (!to) return;
    e.preventDefault();
    setActiveSt(to);
    focusRow(stList.current, to);
  });

  const deleteStack = async (stack: StackRecord, withDatasets: boolean) => {
    const ids = withDatasets ? stack.datasetIds : [];
    await api.stacks.delete(stack.id, { withDatasets });
    if (inputs.kind === 'stack' && inputs.id === stack.id) setInputs({ kind: 'datasets', ids: [] });
    else if (withDatasets && inputs.kind === 'datasets') setInputs({ kind: 'datasets', ids: inputs.ids.filter((x) => !ids.includes(x)) });
    if (view && ((view.kind === 'stack' && view.id === stack.id) || (view.kind === 'dataset' && ids.includes(view.id)))) setView(null);
    await invalidateData(qc);
  };

  const createStack = async (name: string) => {
    const rec = await api.stacks.create({ name, datasetIds: checkedIds });
    await invalidateData(qc);
    setCreating(false);
    setView({ kind: 'stack', id: rec.id });
  };

  const addSamples = async () => {
    setBusy('Adding the sample data…');
    try {
      const r = await api.samples.create();
      await invalidateData(qc);
      const first = r.stacks[0];
      if (first) setView({ kind: 'stack', id: first.id });
      else if (r.ids[0]) setView({ kind: 'dataset', id: r.ids[0] });
    } catch (e) {
      setNotice(`Could not add the sample data: ${thrownMessage(e)}`);
    } finally {
      setBusy(null);
    }
  };

  // ───── render ─────
  if (datasetsQ.isError) {
    return (
      <div className="ds-panel panel">
        <div className="ds-error" role="alert">
          <strong>The datasets could not be listed.</strong> {thrownMessage(datasetsQ.error)}{' '}
          <button className="small" onClick={() => void datasetsQ.refetch()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  if (datasetsQ.isPending) {
    return (
      <div className="ds-panel panel">
        <div className="empty" role="status">
          Loading datasets…
        </div>
      </div>
    );
  }

  const nothing = all.length === 0 && stacks.length === 0;
  const inputStackId = inputs.kind === 'stack' ? inputs.id : null;
  const viewedDs = view?.kind === 'dataset' ? view.id : null;
  const viewedSt = view?.kind === 'stack' ? view.id : null;

  return (
    <div className="ds-panel panel" data-testid="datasets-panel">
      {nothing ? (
        <div className="ds-empty" data-testid="datasets-empty">
          <div className="ds-empty-icon" aria-hidden="true">
            ⬇
          </div>
          <h3>No datasets yet</h3>
          <p>Drop images or folders anywhere, or use Import.</p>
          <p className="muted">
            PNG, JPEG, TIFF (8/16/32-bit, multi-page → a stack) and NPY. A folder becomes a stack of its images in natural name order.
          </p>
          <button onClick={() => void addSamples()} disabled={!!busy}>
            Add sample data
          </button>
        </div>
      ) : (
        <>
          <div className="ds-filter">
            <input
              type="search"
              value={filter}
              placeholder="Filter by name"
              aria-label="Filter stacks and datasets by name"
              onChange={(e) => setFilter(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && filter) {
                  e.preventDefault();
                  setFilter('');
                }
              }}
            />
          </div>

          <section className="ds-section ds-stacks" aria-labelledby="ds-stacks-title">
            <div className="ds-section-head">
              <h2 id="ds-stacks-title">Stacks</h2>
              <span className="chip" aria-label={`${shownStacks.length} stacks`}>
                {shownStacks.length}
              </span>
              <span className="grow" />
              <button
                className="small"
                disabled={checkedIds.length === 0 || creating}
                title={
                  checkedIds.length
                    ? `Make a stack of the ${checkedIds.length} checked dataset${checkedIds.length === 1 ? '' : 's'}, in input order`
                    : 'Check datasets below (run input boxes) first; the stack keeps their order'
                }
                onClick={() => setCreating(true)}
              >
                New stack from selected
              </button>
            </div>
            {creating && (
              <NewStackForm
                count={checkedIds.length}
                defaultName={nextName('Stack', stacks.map((s) => s.stack.name))}
                onCreate={createStack}
                onCancel={() => setCreating(false)}
              />
            )}
            {stacksQ.isError ? (
              <div className="ds-error" role="alert">
                The stacks could not be listed: {thrownMessage(stacksQ.error)}
              </div>
            ) : shownStacks.length === 0 ? (
              <p className="ds-hint muted">
                {filter
                  ? 'No stack matches the filter.'
                  : 'No stacks yet. Multi-page TIFFs and dropped folders become stacks; or check datasets and make one.'}
              </p>
            ) : (
              <ul className="ds-list ds-stack-list" ref={stList} aria-label="Stacks">
                {shownStacks.map(({ stack, slices }) => (
                  <StackRow
                    key={stack.id}
                    stack={stack}
                    slices={slices}
                    isInput={inputStackId === stack.id}
                    viewed={viewedSt === stack.id}
                    active={activeStEff === stack.id}
                    renaming={renaming === stack.id}
                    onOpen={openStack}
                    onUseAsInput={useStackAsInput}
                    onDelete={askDeleteStack}
                    onStartRename={startRename}
                    onRename={renameStack}
                    onEndRename={endRename}
                    onExportTiff={exportStack}
                    onFocusRow={focusSt}
                    onNavKey={navSt}
                  />
                ))}
              </ul>
            )}
          </section>

          <section className="ds-section ds-datasets" aria-labelledby="ds-datasets-title">
            <div className="ds-section-head">
              <h2 id="ds-datasets-title">Datasets</h2>
              <span className="chip" aria-label={`${filtered.length} datasets`}>
                {filtered.length}
              </span>
              <span className="grow" />
              {checkedIds.length > 0 && (
                <>
                  <span className="muted ds-input-count">{checkedIds.length} as input</span>
                  <button className="small" onClick={() => setInputs({ kind: 'datasets', ids: [] })} title="Uncheck all run inputs">
                    Clear
                  </button>
                </>
              )}
            </div>
            {filtered.length === 0 ? (
              <p className="ds-hint muted">{filter ? `No dataset matches “${filter}”.` : 'No datasets.'}</p>
            ) : (
              <ul className="ds-list ds-dataset-list" ref={dsList} aria-label="Datasets" data-testid="dataset-list">
                {paged.items.map((m) => (
                  <DatasetRow
                    key={m.id}
                    meta={m}
                    inputOrder={inputOrder.get(m.id) ?? 0}
                    viewed={viewedDs === m.id}
                    active={activeDsEff === m.id}
                    renaming={renaming === m.id}
                    onOpen={openDataset}
                    onToggleInput={toggle}
                    onDelete={deleteDataset}
                    onStartRename={startRename}
                    onRename={renameDataset}
                    onEndRename={endRename}
                    onExport={exportOne}
                    onFocusRow={focusDs}
                    onNavKey={navDs}
                  />
                ))}
              </ul>
            )}
            {paged.pages > 1 && (
              <nav className="ds-pager" aria-label="Dataset pages">
                <button className="small" disabled={paged.page === 0} onClick={() => setPage(paged.page - 1)} aria-label="Previous page">
                  ‹ Prev
                </button>
                <span className="muted" aria-live="polite">
                  {paged.start + 1}–{paged.start + paged.items.length} of {filtered.length}
                </span>
                <button className="small" disabled={paged.page >= paged.pages - 1} onClick={() => setPage(paged.page + 1)} aria-label="Next page">
                  Next ›
                </button>
              </nav>
            )}
          </section>
        </>
      )}

      {busy && (
        <div className="ds-busy muted" role="status">
          {busy}
        </div>
      )}
      {notice && (
        <div className="ds-notice" role="alert">
          <span className="error-text grow">{notice}</span>
          <button className="small" onClick={() => setNotice(null)} aria-label="Dismiss this message">
            ✕
          </button>
        </div>
      )}
      {pending && (
        <div className="toast ds-undo" role="status" data-testid="undo-toast">
          <span>
            Deleted “<span className="ds-undo-name">{pending.label}</span>”.
          </span>
          <button className="small primary" onClick={undo} title="Bring it back (Ctrl+Z)">
            Undo
          </button>
        </div>
      )}
      {confirmStack && (
        <DeleteStackDialog
          stack={confirmStack}
          count={confirmStack.datasetIds.filter((id) => byId.has(id)).length}
          onConfirm={(w) => deleteStack(confirmStack, w)}
          onClose={() => {
            const id = confirmStack.id;
            setConfirmStack(null);
            requestAnimationFrame(() => focusRow(stList.current, id));
          }}
        />
      )}
    </div>
  );
}
