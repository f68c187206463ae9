// The centre panel: shows what `selection.view` points at — a dataset (viewer chosen by its keys), a
// stack (slices), or a run's results (viewer chosen by the algorithm type) — or an empty state.
// `?view=dataset:<id>` (stack:, execution:) deep-links to an item (deepLink.ts).
// The views (and their plots, uPlot) load when something is first opened, not with the first screen.
import { lazy, Suspense } from 'react';
import { useSelection } from '../state/selection';
import { useViewDeepLink } from './deepLink';

const DatasetView = lazy(() => import('./DatasetView').then((m) => ({ default: m.DatasetView })));
const ExecutionView = lazy(() => import('./ExecutionView').then((m) => ({ default: m.ExecutionView })));
const StackView = lazy(() => import('./StackView').then((m) => ({ default: m.StackView })));
import './viewers.css';

export function ViewerPanel() {
  const { view, setView } = useSelection();
  useViewDeepLink(view, setView);
  return (
    <section className="panel viewer-panel" data-testid="viewer-panel" aria-label="Viewer">
      {view === null ? (
        <div className="viewer-empty" data-testid="viewer-empty">
          <p>Select a dataset, a stack or a run's results</p>
          <p className="muted small-text">Images, masks, alignments and embeddings open here with zoom, contrast and overlays.</p>
        </div>
      ) : (
        <>
          <button type="button" className="small viewer-close" onClick={() => setView(null)} aria-label="Close the viewer" title="Close">
            ×
          </button>
          <Suspense
            fallback={
              <div className="viewer-empty" role="status">
                Loading the viewer…
              </div>
            }
          >
            {view.kind === 'dataset' ? (
              <DatasetView key={`d:${view.id}`} id={view.id} />
            ) : view.kind === 'stack' ? (
              <StackView key={`s:${view.id}`} id={view.id} />
            ) : (
              <ExecutionView key={`e:${view.id}`} id={view.id} />
            )}
          </Suspense>
        </>
      )}
    </section>
  );
}
