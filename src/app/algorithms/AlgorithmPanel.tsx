// The right column: the catalog (with filters) on top, the selected algorithm's details and
// parameter form below, and the run controls at the bottom.
import { useEffect, useMemo, useState } from 'react';
import { matchesFilter } from '../../core/algorithmQuery';
import { inputAxesInfo } from '../../core/parameterApplies';
import { useAlgorithms, useDatasets, useStacks } from '../state/queries';
import { useSelection } from '../state/selection';
import { AlgorithmDetails } from './AlgorithmDetails';
import { Catalog } from './Catalog';
import { CatalogFilters, EMPTY_FILTER, isFiltering, toAlgorithmFilter, type CatalogFilterState } from './CatalogFilters';
import { applicableParams, draftsFromArgs, evaluateForm, initialDrafts, type Drafts } from './paramValues';
import { PreviewToggle } from './PreviewToggle';
import { RunControls, resolveInputs } from './RunControls';
import './algorithms.css';
import { thrownMessage } from '../../core/describeValue';

export function AlgorithmPanel() {
  const algorithms = useAlgorithms();
  const { algorithmId, formFill, clearFormFill, inputs } = useSelection();
  const datasets = useDatasets();
  const stacks = useStacks();
  const [filter, setFilter] = useState<CatalogFilterState>(EMPTY_FILTER);
  const [catalogOpen, setCatalogOpen] = useState(true);
  // Form edits per algorithm, kept while switching between algorithms.
  const [draftsById, setDraftsById] = useState<Record<string, Drafts>>({});

  const all = algorithms.data ?? [];
  const shown = useMemo(() => {
    const f = toAlgorithmFilter(filter);
    return all
      .filter((a) => matchesFilter(a, f))
      .sort((a, b) => a.name.localeCompare(b.name) || b.version.localeCompare(a.version, undefined, { numeric: true }));
  }, [all, filter]);
  const alg = all.find((a) => a.id === algorithmId) ?? null;
  // "Run again": a finished run's arguments replace this algorithm's drafts (editable; nothing runs).
  useEffect(() => {
    if (!formFill || alg?.id !== formFill.algorithmId) return;
    setDraftsById((cur) => ({ ...cur, [alg.id]: draftsFromArgs(alg.additionalParameters, formFill.args) }));
    clearFormFill();
  }, [formFill, alg, clearFormFill]);
  const drafts = useMemo(() => (alg ? (draftsById[alg.id] ?? initialDrafts(alg.additionalParameters)) : {}), [alg, draftsById]);
  // What `applies_when_input` looks at: the axes of the run's inputs (null while they load).
  const inputInfo = useMemo(() => {
    if (!datasets.data) return null;
    const { ids } = resolveInputs(inputs, stacks.data);
    const byId = new Map(datasets.data.map((d) => [d.id, d]));
    return ids.flatMap((id) => {
      const m = byId.get(id);
      return m ? [inputAxesInfo(m)] : [];
    });
  }, [datasets.data, stacks.data, inputs]);
  const applicable = useMemo(() => (alg ? applicableParams(alg.additionalParameters, drafts, inputInfo) : []), [alg, drafts, inputInfo]);
  const form = useMemo(() => (alg ? evaluateForm(alg.additionalParameters, drafts, inputInfo) : null), [alg, drafts, inputInfo]);

  return (
    <div className={`panel alg-panel${alg ? '' : ' no-selection'}`} data-testid="algorithm-panel">
      <div className="panel-header">
        <h2 className="grow">Algorithms</h2>
        {algorithms.isSuccess && (
          <span className="muted" data-testid="catalog-count">
            {isFiltering(filter) ? `${shown.length} of ${all.length}` : all.length}
          </span>
        )}
        <button className="small" aria-expanded={catalogOpen} onClick={() => setCatalogOpen((v) => !v)}>
          {catalogOpen ? 'Hide catalog' : 'Show catalog'}
        </button>
      </div>
      {catalogOpen && (
        <div className="alg-catalog-wrap">
          {algorithms.isPending ? (
            <p className="empty" role="status">
              Loading algorithms…
            </p>
          ) : algorithms.isError ? (
            <p className="error-text alg-note" role="alert">
              Could not list the algorithms: {thrownMessage(algorithms.error)}
            </p>
          ) : all.length === 0 ? (
            <p className="empty" data-testid="catalog-empty">
              No algorithms installed yet. Use <strong>Install bundle</strong> in the top bar, or drop a bundle zip or folder anywhere on the app.
            </p>
          ) : (
            <>
              <CatalogFilters algorithms={all} value={filter} onChange={setFilter} />
              {shown.length === 0 ? (
                <p className="empty">
                  No algorithm matches these filters.{' '}
                  <button className="small" onClick={() => setFilter({ ...EMPTY_FILTER, excludeMode: filter.excludeMode })}>
                    Clear filters
                  </button>
                </p>
              ) : (
                <Catalog algorithms={shown} />
              )}
            </>
          )}
        </div>
      )}
      <div className="alg-detail-wrap">
        {alg && form ? (
          <AlgorithmDetails
            key={alg.id}
            alg={alg}
            form={{
              params: alg.additionalParameters,
              applicable,
              drafts,
              errors: form.errors,
              onChange: (name, d) => setDraftsById((cur) => ({ ...cur, [alg.id]: { ...(cur[alg.id] ?? initialDrafts(alg.additionalParameters)), [name]: d } })),
              onResetAll: () => setDraftsById((cur) => ({ ...cur, [alg.id]: initialDrafts(alg.additionalParameters) })),
            }}
          />
        ) : (
          <p className="empty">
            {algorithmId && algorithms.isSuccess
              ? 'The selected algorithm is no longer installed.'
              : 'Select an algorithm in the catalog to set its parameters and run it.'}
          </p>
        )}
      </div>
      {alg && form && alg.preview && <PreviewToggle key={`preview-${alg.id}`} alg={alg} form={form} />}
      {alg && form && <RunControls key={alg.id} alg={alg} form={form} />}
    </div>
  );
}
