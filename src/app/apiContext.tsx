// The API reaches components through context (no module-level singletons in components).
import { createContext, useContext, type ReactNode } from 'react';
import type { Algobox } from '../api';

const ApiContext = createContext<Algobox | null>(null);

export function ApiProvider({ api, children }: { api: Algobox; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Algobox {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi must be used inside <ApiProvider>.');
  return api;
}
