// What the user has selected: the item shown in the viewer, the inputs of the next run, and the
// algorithm chosen. One React context (no module-level mutable state).
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

/** What the viewer shows. */
export type ViewTarget =
  | { kind: 'dataset'; id: string }
  | { kind: 'stack'; id: string }
  /** The outputs of an execution (with its inputs for comparison/overlay). */
  | { kind: 'execution'; id: string }
  | null;

/** The app's pages: the workbench (datasets, viewer, algorithms, runs) and the BEAT toolchains. */
export type Page = 'workbench' | 'toolchains';

/** The inputs of the next run: individual datasets in order, or one stack. */
export type RunInputs = { kind: 'datasets'; ids: string[] } | { kind: 'stack'; id: string };

export interface Selection {
  view: ViewTarget;
  setView(v: ViewTarget): void;
  inputs: RunInputs;
  setInputs(i: RunInputs): void;
  /** Add or remove one dataset from the ordered dataset inputs. */
  toggleInput(id: string): void;
  algorithmId: string | null;
  setAlgorithmId(id: string | null): void;
  page: Page;
  setPage(p: Page): void;
}

const Ctx = createContext<Selection | null>(null);

export function SelectionProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<ViewTarget>(null);
  const [inputs, setInputs] = useState<RunInputs>({ kind: 'datasets', ids: [] });
  const [algorithmId, setAlgorithmId] = useState<string | null>(null);
  const [page, setPage] = useState<Page>(() =>
    typeof location !== 'undefined' && new URLSearchParams(location.search).get('page') === 'toolchains' ? 'toolchains' : 'workbench',
  );
  const value = useMemo<Selection>(
    () => ({
      view,
      setView,
      inputs,
      setInputs,
      toggleInput: (id) =>
        setInputs((cur) => {
          const ids = cur.kind === 'datasets' ? cur.ids : [];
          return { kind: 'datasets', ids: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id] };
        }),
      algorithmId,
      setAlgorithmId,
      page,
      setPage,
    }),
    [view, inputs, algorithmId, page],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSelection(): Selection {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSelection must be used inside <SelectionProvider>.');
  return s;
}
