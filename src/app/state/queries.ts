// TanStack Query keys and hooks: every read of the store in the UI goes through these, and every
// write invalidates the keys it changes.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ExecutionRecord } from '../../core/records';
import { useApi } from '../apiContext';

export const keys = {
  ready: ['ready'] as const,
  usable: ['usable'] as const,
  datasets: ['datasets'] as const,
  dataset: (id: string, fieldKeys?: string[]) => ['dataset', id, ...(fieldKeys ?? ['*'])] as const,
  stacks: ['stacks'] as const,
  algorithms: ['algorithms'] as const,
  executions: ['executions'] as const,
  storage: ['storage'] as const,
  gpu: ['gpu'] as const,
};

/** After a write: refresh what it can have changed. */
export function invalidateData(qc: QueryClient): Promise<void> {
  return Promise.all([
    qc.invalidateQueries({ queryKey: keys.datasets }),
    qc.invalidateQueries({ queryKey: keys.stacks }),
    qc.invalidateQueries({ queryKey: ['dataset'] }),
    qc.invalidateQueries({ queryKey: keys.storage }),
  ]).then(() => undefined);
}

/** `api.ready`: start-up done (built-ins installed, samples stored). Refreshes the lists when it comes. */
export function useReady() {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.ready,
    queryFn: async () => {
      await api.ready;
      // Built-ins, blocks and samples arrived in the background after the first reads: every list
      // (datasets, algorithms, the toolchain page's built-in toolchains, …) reads again.
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.ready[0] && q.queryKey[0] !== keys.usable[0] });
      return true;
    },
    staleTime: Infinity,
  });
}

/** `api.usable`: the store is open; import, lists and runs work (before `ready`). */
export function useUsable() {
  const api = useApi();
  return useQuery({ queryKey: keys.usable, queryFn: async () => (await api.usable, true), staleTime: Infinity });
}

export function useDatasets() {
  const api = useApi();
  const usable = useUsable();
  return useQuery({ queryKey: keys.datasets, queryFn: () => api.datasets.list(), enabled: usable.isSuccess });
}

export function useStacks() {
  const api = useApi();
  const usable = useUsable();
  return useQuery({ queryKey: keys.stacks, queryFn: () => api.stacks.list(), enabled: usable.isSuccess });
}

/** One dataset's fields (only `fieldKeys` when given). */
export function useDataset(id: string | null | undefined, fieldKeys?: string[]) {
  const api = useApi();
  return useQuery({
    queryKey: keys.dataset(id ?? '-', fieldKeys),
    queryFn: () => api.datasets.get(id!, fieldKeys),
    enabled: !!id,
    staleTime: Infinity,
  });
}

export function useAlgorithms() {
  const api = useApi();
  const usable = useUsable();
  return useQuery({ queryKey: keys.algorithms, queryFn: () => api.algorithms.list(), enabled: usable.isSuccess });
}

export function useExecutions() {
  const api = useApi();
  const usable = useUsable();
  return useQuery({ queryKey: keys.executions, queryFn: () => api.executions.list(), enabled: usable.isSuccess });
}

export function useStorage() {
  const api = useApi();
  const usable = useUsable();
  return useQuery({ queryKey: keys.storage, queryFn: () => api.storage.estimate(), enabled: usable.isSuccess, refetchInterval: 30_000 });
}

export function useGpu() {
  const api = useApi();
  return useQuery({ queryKey: keys.gpu, queryFn: () => api.gpu(), staleTime: Infinity });
}

/**
 * A live execution record (subscribed while mounted). When it reaches a terminal state the
 * datasets and executions queries are invalidated so outputs and history appear.
 */
export function useExecution(id: string | null | undefined): ExecutionRecord | null {
  const api = useApi();
  const qc = useQueryClient();
  const [rec, setRec] = useState<ExecutionRecord | null>(null);
  useEffect(() => {
    setRec(null);
    if (!id) return;
    let last = '';
    return api.executions.subscribe(id, (r) => {
      setRec(r);
      if (r.status !== last && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.status)) {
        void invalidateData(qc);
        void qc.invalidateQueries({ queryKey: keys.executions });
      }
      last = r.status;
    });
  }, [api, id, qc]);
  return rec;
}
