// The React app. Reads the store only through the API, with TanStack Query.
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Algobox } from '../api';
import { ApiProvider, useApi } from './apiContext';

export function App({ api }: { api: Algobox }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 1000, retry: false } } }));
  return (
    <QueryClientProvider client={client}>
      <ApiProvider api={api}>
        <Shell />
      </ApiProvider>
    </QueryClientProvider>
  );
}

function Shell() {
  const api = useApi();
  const ready = useQuery({ queryKey: ['ready'], queryFn: async () => (await api.ready, true) });
  const algorithms = useQuery({ queryKey: ['algorithms'], queryFn: () => api.algorithms.list(), enabled: ready.isSuccess });
  const datasets = useQuery({ queryKey: ['datasets'], queryFn: () => api.datasets.list(), enabled: ready.isSuccess });
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>algobox</h1>
      {ready.isError ? (
        <p role="alert">The engine could not start: {(ready.error as Error).message}</p>
      ) : !ready.isSuccess ? (
        <p>Starting the engine…</p>
      ) : (
        <p data-testid="engine-ready">
          Engine ready: {algorithms.data?.length ?? 0} algorithms, {datasets.data?.length ?? 0} datasets.
        </p>
      )}
    </main>
  );
}
