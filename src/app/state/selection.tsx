// What the user has selected: the item shown in the viewer, the inputs of the next run, and the
// algorithm chosen. One React context (no module-level mutable state).
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { PreviewProvider } from './preview';

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

/** A previous run's arguments for the run form of its algorithm ("Run again"); taken once by the form. */
export interface FormFill {
  algorithmId: string;
  args: Record<string, unknown>;
}

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
  /** Arguments waiting to be put in the form of `formFill.algorithmId` (null once taken). */
  formFill: FormFill | null;
  /** Select an algorithm with these inputs and, in its form, these arguments: nothing runs. */
  fillRunForm(algorithmId: string, inputs: RunInputs, args: Record<string, unknown>): void;
  /** The form has taken `formFill`. */
  clearFormFill(): void;
}

const Ctx = createContext<Selection | null>(null);

export function SelectionProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<ViewTarget>(null);
  const [inputs, setInputs] = useState<RunInputs>({ kind: 'datasets', ids: [] });
  const [algorithmId, setAlgorithmId] = useState<string | null>(null);
  const [formFill, setFormFill] = useState<FormFill | null>(null);
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
      formFill,
      fillRunForm: (id, next, args) => {
        setAlgorithmId(id);
        setInputs(next);
        setFormFill({ algorithmId: id, args });
      },
      clearFormFill: () => setFormFill(null),
    }),
    [view, inputs, algorithmId, page, formFill],
  );
  return (
    <Ctx.Provider value={value}>
      <PreviewProvider>{children}</PreviewProvider>
    </Ctx.Provider>
  );
}

export function useSelection(): Selection {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSelection must be used inside <SelectionProvider>.');
  return s;
}
