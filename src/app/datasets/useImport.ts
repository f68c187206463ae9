// The one import path of the app: drops (GlobalDropZone) and pickers (ImportButton) both end here.
// Images go to api.datasets.importFilesDetailed with folder-relative paths, bundles to the algorithms
// panel's installer. Progress and reports are "jobs" kept in the TanStack query cache (the app's one
// shared client), so the top-bar button and the window drop zone share them without a module singleton
// or a provider; ImportStatus shows them. A running import can be cancelled from its card (an
// AbortController per job). How multi-page files are imported (stack of images / one volume / auto)
// is a setting of this browser (localStorage), shared by the picker and drops.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ImportLayout, ImportOptions, StorageEstimate } from '../../api';
import { useApi } from '../apiContext';
import { useInstallBundle } from '../algorithms/useInstallBundle';
import { invalidateData, keys } from '../state/queries';
import { useSelection } from '../state/selection';
import { classifyDrop, type BundleDrop, type DropItem, type WalkProblem } from './dropEntries';
import { errorLine, formatBytes, importSummary, isLargeImport, persistNote, PROGRESS_MIN_FILES } from './format';
import { thrownMessage } from '../../core/describeValue';

export interface Job {
  id: string;
  kind: 'import' | 'bundle';
  /** 'cancelled': the user stopped it (what was imported before stays; the card stays longer). */
  state: 'running' | 'done' | 'error' | 'cancelled';
  /** Headline: "Importing 25 files…", "Imported 12 images (1 stack).", "Could not install …". */
  title: string;
  /** While running: files done, and bytes read when a large file is read in pieces (NPY, TIFF). */
  progress: { done: number; total: number; current: string; bytes?: { done: number; total: number } } | null;
  /** While an import runs: stops it (the file being read is dropped, nothing of it stored). */
  cancel?: (() => void) | undefined;
  /** Files that could not be read, one line each ("notes.txt — unrecognised file format …"). */
  failures: string[];
  /**
   * What was imported otherwise than one might expect, or not kept, one line each by file ("scan/ — its
   * 3 images are not all of one shape…", "logo.png — its transparency … is kept as …"). A report with
   * warnings stays a minute (ImportStatus), longer than a quiet one.
   */
  warnings: string[];
  /** Extra lines (persistent storage outcome). */
  notes: string[];
  /** A button on the finished report that takes back part of what was done (dropped files imported as labels → as images). */
  undo?: { text: string; run: () => void } | undefined;
}

const JOBS_KEY = ['datasets-ui', 'jobs'] as const;
const LAYOUT_KEY = ['datasets-ui', 'import-layout'] as const;
/** Where the multi-page layout is kept between sessions (a preference of this browser, like a file dialog's last folder). */
const LAYOUT_STORAGE_KEY = 'algobox.importLayout';

function storedLayout(): ImportLayout {
  try {
    const v = localStorage.getItem(LAYOUT_STORAGE_KEY);
    return v === 'images' || v === 'volume' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

/** How multi-page files (multi-page TIFF, 3-D NPY) are imported, and its setter (kept in localStorage). */
export function useImportLayout(): [ImportLayout, (layout: ImportLayout) => void] {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: LAYOUT_KEY,
    queryFn: () => qc.getQueryData<ImportLayout>(LAYOUT_KEY) ?? storedLayout(),
    initialData: storedLayout,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  const set = useCallback(
    (layout: ImportLayout) => {
      qc.setQueryData(LAYOUT_KEY, layout);
      try {
        localStorage.setItem(LAYOUT_STORAGE_KEY, layout);
      } catch {
        // storage disabled: the choice holds for this session
      }
    },
    [qc],
  );
  return [data, set];
}
const PERSIST_ASKED_KEY = ['datasets-ui', 'persist-asked'] as const;

/** The current import/install jobs (running and finished ones not yet dismissed). */
export function useJobs(): Job[] {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: JOBS_KEY,
    // Never fetched for real: a refetch (e.g. a global invalidate) keeps what is there.
    queryFn: () => qc.getQueryData<Job[]>(JOBS_KEY) ?? [],
    initialData: [] as Job[],
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return data;
}

function updateJobs(qc: QueryClient, fn: (jobs: Job[]) => Job[]): void {
  qc.setQueryData<Job[]>(JOBS_KEY, (cur) => fn(cur ?? []));
}

function patchJob(qc: QueryClient, id: string, patch: Partial<Job>): void {
  updateJobs(qc, (jobs) => jobs.map((j) => (j.id === id ? { ...j, ...patch } : j)));
}

export function dismissJob(qc: QueryClient, id: string): void {
  updateJobs(qc, (jobs) => jobs.filter((j) => j.id !== id));
}

function startJob(qc: QueryClient, job: Omit<Job, 'id' | 'failures' | 'warnings' | 'notes' | 'progress'> & Partial<Job>): string {
  const id = crypto.randomUUID();
  updateJobs(qc, (jobs) => [...jobs, { id, failures: [], warnings: [], notes: [], progress: null, ...job }]);
  return id;
}

/**
 * Runs `work` as a job card (remote OME-Zarr: open a URL, import a remote dataset): running with
 * `title`, then done with the title `work` returns, or an error card with the message.
 */
export function useJobReporter(): (title: string, work: () => Promise<string>) => Promise<void> {
  const qc = useQueryClient();
  return useCallback(
    async (title: string, work: () => Promise<string>) => {
      const id = startJob(qc, { kind: 'import', state: 'running', title });
      try {
        patchJob(qc, id, { state: 'done', title: await work() });
      } catch (e) {
        patchJob(qc, id, { state: 'error', title: `${title.replace(/…$/, '')} failed.`, failures: [thrownMessage(e)] });
      }
    },
    [qc],
  );
}

/** How files are imported otherwise than as images: as labels (of an image: `labelsOf`), or as labels when their name says so (drops). */
export type LabelChoice = Pick<ImportOptions, 'as' | 'labelsOf' | 'labelsByName'>;

export interface ImportActions {
  /** Import image files (picker or drop), reporting progress and failures; `labels`: as labels (see LabelChoice). */
  importItems(items: DropItem[], problems?: WalkProblem[], labels?: LabelChoice): Promise<void>;
  /** A drop: bundles are installed, the rest imported as images (a file named "*_masks.png" and the like as labels). */
  handleDrop(items: DropItem[], problems?: WalkProblem[]): Promise<void>;
}

export function useImportActions(): ImportActions {
  const api = useApi();
  const qc = useQueryClient();
  const { setView } = useSelection();
  const installBundle = useInstallBundle();

  const importItems = useCallback(
    async (items: DropItem[], problems: WalkProblem[] = [], labels: LabelChoice = {}) => {
      const failures = problems.map(errorLine);
      if (!items.length) {
        startJob(qc, {
          kind: 'import',
          state: 'error',
          title: problems.length ? 'Nothing was imported.' : 'There were no files to import (empty folder?).',
          failures,
        });
        return;
      }
      const bytes = items.reduce((s, it) => s + it.file.size, 0);
      const showProgress = items.length > PROGRESS_MIN_FILES;
      const controller = new AbortController();
      const title = `Importing ${items.length === 1 ? items[0]!.path : `${items.length} files`} (${formatBytes(bytes)})…`;
      const id = startJob(qc, {
        kind: 'import',
        state: 'running',
        title,
        progress: showProgress ? { done: 0, total: items.length, current: '' } : null,
        cancel: () => {
          controller.abort();
          patchJob(qc, id, { title: `Cancelling: ${title}`, cancel: undefined });
        },
      });
      // The first large import of the session asks the browser to keep the data (the API does the asking).
      const large = isLargeImport(items.length, bytes);
      const alreadyPersisted = qc.getQueryData<StorageEstimate>(keys.storage)?.persisted === true;
      const ask = large && !alreadyPersisted && !qc.getQueryData<boolean>(PERSIST_ASKED_KEY);
      let last = 0;
      try {
        const r = await api.datasets.importFilesDetailed(
          items.map((it) => ({ file: it.file, path: it.path })),
          {
            onProgress: (done, total, name, b) => {
              const now = performance.now();
              // Repaint at most ~20 times a second on big drops; a file read in pieces shows its bytes.
              if ((!showProgress && !b) || (now - last < 50 && done < total)) return;
              last = now;
              patchJob(qc, id, { progress: { done, total, current: name ?? '', ...(b ? { bytes: { done: b.done, total: b.total } } : {}) } });
            },
            persistThresholdBytes: ask ? 0 : Infinity,
            layout: qc.getQueryData<ImportLayout>(LAYOUT_KEY) ?? storedLayout(),
            signal: controller.signal,
            ...labels,
          },
        );
        if (ask) qc.setQueryData(PERSIST_ASKED_KEY, true);
        const notes = large ? [persistNote(ask, alreadyPersisted, r.persisted)] : [];
        if (r.cancelled.length) notes.unshift(`Not imported (cancelled): ${r.cancelled.join(', ')}. Nothing of them was stored.`);
        await invalidateData(qc);
        const firstStack = r.stacks[0];
        if (firstStack) setView({ kind: 'stack', id: firstStack.id });
        else if (r.ids[0]) setView({ kind: 'dataset', id: r.ids[0] });
        const all = [...problems, ...r.errors];
        patchJob(qc, id, {
          state: r.cancelled.length ? 'cancelled' : all.length ? 'error' : 'done',
          title: importSummary({ ids: r.ids, errors: all, stacks: r.stacks, volumes: r.volumes, cancelled: r.cancelled, labels: r.labels }),
          progress: null,
          cancel: undefined,
          failures: all.map(errorLine),
          warnings: r.warnings.map(errorLine),
          notes,
          undo: labels.labelsByName && r.labels.length ? asImagesInstead(r.labels, items, r.warnings) : undefined,
        });
      } catch (e) {
        await invalidateData(qc);
        patchJob(qc, id, { state: 'error', title: `The import failed: ${thrownMessage(e)}`, progress: null, cancel: undefined, failures });
      }
    },
    [api, qc, setView],
  );

  /** "Import as images instead": the labels a drop made from files named like labels deleted, and those files imported as images. */
  const asImagesInstead = (ids: readonly string[], items: DropItem[], warnings: readonly { file: string; message: string }[]) => {
    const byName = new Set(warnings.filter((w) => w.message.startsWith('imported as labels')).map((w) => w.file));
    const files = items.filter((it) => byName.has(it.path));
    return {
      text: files.length === 1 ? 'Import as image instead' : `Import these ${files.length} as images instead`,
      run: () => {
        void api.datasets.delete([...ids]).then(() => importItems(files));
      },
    };
  };

  // The installer announces the outcome (installed, or the manifest error) in the app's install
  // toast, as for every other install; this card only says that an install is under way.
  const installOne = useCallback(
    async (b: BundleDrop) => {
      const id = startJob(qc, { kind: 'bundle', state: 'running', title: `Installing the algorithm bundle “${b.name}”…` });
      try {
        await installBundle(b.kind === 'zip' ? b.file : b.files);
      } catch {
        // Shown by the installer's toast.
      } finally {
        dismissJob(qc, id);
      }
    },
    [qc, installBundle],
  );

  const handleDrop = useCallback(
    async (items: DropItem[], problems: WalkProblem[] = []) => {
      const { bundles, images } = classifyDrop(items);
      for (const b of bundles) await installOne(b);
      if (images.length || problems.length || !bundles.length) await importItems(images, problems, { labelsByName: true });
    },
    [installOne, importItems],
  );

  return { importItems, handleDrop };
}
