// The React app: a workbench at 1280×800 — datasets on the left, the viewer in the middle,
// algorithms and run controls on the right, runs and their logs at the bottom. Drops anywhere.
// The side panels collapse to rails (remembered); on a narrow window one is open at a time.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { Algobox } from '../api';
import { ApiProvider } from './apiContext';
import { SelectionProvider, useSelection } from './state/selection';
import { useReady, useUsable } from './state/queries';
import { DatasetsPanel } from './datasets/DatasetsPanel';
import { GlobalDropZone } from './datasets/GlobalDropZone';
import { ImportButton } from './datasets/ImportButton';
import { StorageMeter } from './datasets/StorageMeter';
import { AlgorithmPanel } from './algorithms/AlgorithmPanel';
import { InstallBundleButton } from './algorithms/InstallBundleButton';
import { RunsPanel } from './runs/RunsPanel';
import { ViewerPanel } from './viewers/ViewerPanel';
import { ErrorBoundary } from './ErrorBoundary';
import { writeToolchainParams } from './toolchains/runState';
import './styles.css';
import './layout.css';
import { thrownMessage } from '../core/describeValue';
import { SidePanel } from './SidePanel';
import { usePanelLayout } from './panelLayout';
import { InstallNotices } from './algorithms/InstallNotices';

// Loaded when first shown, not with the first screen (docs/benchmarks.md, "Start-up"): the toolchain
// page and the bundle-URL prompt (trust, pinning); the viewers load when something is opened (ViewerPanel).
const ToolchainsPage = lazy(() => import('./toolchains/ToolchainsPage').then((m) => ({ default: m.ToolchainsPage })));
const BundleUrlPrompt = lazy(() => import('./algorithms/BundleUrlPrompt').then((m) => ({ default: m.BundleUrlPrompt })));

export function App({ api }: { api: Algobox }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2000, retry: false, refetchOnWindowFocus: false } } }));
  return (
    <QueryClientProvider client={client}>
      <ApiProvider api={api}>
        <SelectionProvider>
          <Shell />
        </SelectionProvider>
      </ApiProvider>
    </QueryClientProvider>
  );
}

function Shell() {
  // Usable (store open): the workbench, Import and the catalog. Ready: built-ins and samples are in too.
  const usable = useUsable();
  const ready = useReady();
  const { page, setPage } = useSelection();
  const panels = usePanelLayout();
  // Read once: the prompt removes the parameters from the address but stays while it is open.
  const [bundleLink] = useState(hasBundleLink);
  // The toolchain page keeps its own address parameters; leaving it removes them.
  useEffect(() => {
    if (page === 'workbench') writeToolchainParams('workbench', null, null);
  }, [page]);
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">algobox</h1>
        <nav className="nav-tabs" aria-label="Pages">
          <button type="button" aria-current={page === 'workbench' ? 'page' : undefined} onClick={() => setPage('workbench')}>
            Workbench
          </button>
          <button type="button" aria-current={page === 'toolchains' ? 'page' : undefined} onClick={() => setPage('toolchains')} data-testid="nav-toolchains">
            Toolchains
          </button>
        </nav>
        <ImportButton />
        <InstallBundleButton />
        <div className="grow" />
        <StorageMeter />
        {ready.isSuccess && (
          <span className="muted" data-testid="engine-ready">
            ready
          </span>
        )}
      </header>
      {usable.isError ? (
        <div className="startup-error" role="alert">
          <h3>The engine could not start</h3>
          <p>{thrownMessage(usable.error)}</p>
          <p className="muted">Storage may be blocked (private window, full disk) — reload to try again.</p>
        </div>
      ) : ready.isError ? (
        <div className="startup-error" role="alert">
          <h3>The built-in algorithms or the sample data could not be set up</h3>
          <p>{thrownMessage(ready.error)}</p>
          <p className="muted">Reload to try again.</p>
        </div>
      ) : !usable.isSuccess ? (
        <div className="empty" role="status">
          Starting the engine…
        </div>
      ) : page === 'toolchains' ? (
        <ErrorBoundary name="Toolchains">
          <Suspense fallback={<Loading what="the toolchains page" />}>
            <ToolchainsPage />
          </Suspense>
        </ErrorBoundary>
      ) : (
        <div className={`workbench${panels.open.left ? '' : ' left-collapsed'}${panels.open.right ? '' : ' right-collapsed'}`}>
          <SidePanel side="left" label="Datasets" open={panels.open.left} onOpenChange={(v) => panels.setOpen('left', v)}>
            <ErrorBoundary name="Datasets">
              <DatasetsPanel />
            </ErrorBoundary>
          </SidePanel>
          <main className="center" aria-label="Viewer">
            <ErrorBoundary name="Viewer">
              <ViewerPanel />
            </ErrorBoundary>
          </main>
          <SidePanel side="right" label="Algorithms" open={panels.open.right} onOpenChange={(v) => panels.setOpen('right', v)}>
            <ErrorBoundary name="Algorithms">
              <AlgorithmPanel />
            </ErrorBoundary>
          </SidePanel>
          <section className="bottom" aria-label="Runs">
            <ErrorBoundary name="Runs">
              <RunsPanel />
            </ErrorBoundary>
          </section>
        </div>
      )}
      {usable.isSuccess && (
        <>
          <GlobalDropZone />
          <InstallNotices />
          {bundleLink && (
            <Suspense fallback={null}>
              <BundleUrlPrompt />
            </Suspense>
          )}
        </>
      )}
    </div>
  );
}

/** A shared bundle link (`?bundle=…`) is in the address: the prompt that installs it is needed. */
function hasBundleLink(): boolean {
  const q = new URLSearchParams(location.search);
  return q.has('bundle') || q.has('sha256');
}

function Loading({ what }: { what: string }) {
  return (
    <div className="empty" role="status">
      Loading {what}…
    </div>
  );
}
