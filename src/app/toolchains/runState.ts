// Toolchain runs in the UI: live records through `algobox.toolchains.subscribe`, labels and colours
// per status, and the URL parameters of the toolchain page (`?page=toolchains&toolchain=<id>&run=<id>`).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ToolchainRunRecord } from '../../api';
import { useApi } from '../apiContext';
import { thrownMessage } from '../../core/describeValue';

export const toolchainKeys = {
  runs: ['toolchainRuns'] as const,
  builtins: ['toolchainBuiltins'] as const,
  saved: ['savedToolchains'] as const,
  blocks: ['blocks'] as const,
  formats: ['dataFormats'] as const,
  check: (json: string) => ['toolchainCheck', json] as const,
};

/** The live record of a run (null while loading), or the error reading it. */
export function useToolchainRun(runId: string | null): { rec: ToolchainRunRecord | null; error: string | null } {
  const api = useApi();
  const qc = useQueryClient();
  const [state, setState] = useState<{ id: string | null; rec: ToolchainRunRecord | null; error: string | null }>({ id: null, rec: null, error: null });
  useEffect(() => {
    if (!runId) return;
    let lastStatus: string | null = null;
    let alive = true;
    const off = api.toolchains.subscribe(runId, (rec) => {
      if (!alive) return;
      setState({ id: runId, rec, error: null });
      if (rec.status !== lastStatus) {
        lastStatus = rec.status;
        void qc.invalidateQueries({ queryKey: toolchainKeys.runs });
        // Finished blocks store their outputs as datasets.
        if (rec.status !== 'RUNNING') void qc.invalidateQueries({ queryKey: ['datasets'] });
      }
    });
    // A run id that does not exist: subscribe says nothing, get tells why.
    api.toolchains.get(runId).catch((e: unknown) => alive && setState({ id: runId, rec: null, error: thrownMessage(e) }));
    return () => {
      alive = false;
      off();
    };
  }, [api, qc, runId]);
  return state.id === runId ? { rec: state.rec, error: state.error } : { rec: null, error: null };
}

export function readToolchainParams(): { toolchain: string | null; run: string | null } {
  const p = new URLSearchParams(location.search);
  return { toolchain: p.get('toolchain'), run: p.get('run') };
}

/** Keep `?page=toolchains&toolchain=…&run=…` in the address (other parameters kept). */
export function writeToolchainParams(page: string, toolchain: string | null, run: string | null): void {
  const url = new URL(location.href);
  const set = (k: string, v: string | null) => (v ? url.searchParams.set(k, v) : url.searchParams.delete(k));
  set('page', page === 'toolchains' ? 'toolchains' : null);
  set('toolchain', page === 'toolchains' ? toolchain : null);
  set('run', page === 'toolchains' ? run : null);
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}

export const STATUS_CLASS: Record<string, string> = {
  PENDING: 'st-pending',
  RUNNING: 'st-running',
  DONE: 'st-done',
  FAILED: 'st-failed',
  SKIPPED: 'st-skipped',
  CANCELLED: 'st-skipped',
};

export function durationMs(start: string | null, end: string | null): number | null {
  if (!start) return null;
  const t0 = Date.parse(start);
  const t1 = end ? Date.parse(end) : Date.now();
  return Number.isFinite(t0) && Number.isFinite(t1) ? Math.max(0, t1 - t0) : null;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}
