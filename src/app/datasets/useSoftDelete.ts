// Delete with undo as a soft delete: the rows are hidden at once and the delete is written UNDO_MS
// later unless undone; a delete still pending when the panel goes away (or the page is hidden) is
// carried out. Nothing is rewritten, so ids, stack membership and execution history survive an undo.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApi } from '../apiContext';
import { invalidateData } from '../state/queries';
import { errText } from './errText';
import { useStable } from './useStable';

/** How long a deleted dataset can be brought back. */
export const UNDO_MS = 6000;

export interface PendingDelete {
  ids: string[];
  label: string;
  /** Run-input ids removed by the delete (restored by Undo). */
  wasInput: string[];
  wasViewed: boolean;
}

export interface SoftDelete {
  pending: PendingDelete | null;
  /** Hidden rows: pending deletes and deletes being written (so a row does not flash back before the list refreshes). */
  gone: ReadonlySet<string>;
  /** Hide `p.ids` and start the undo window (a delete already pending is written now). */
  remove(p: PendingDelete): void;
  /** Take back the pending delete (its rows come back); null when there is none. */
  restore(): PendingDelete | null;
}

const without = (g: ReadonlySet<string>, ids: readonly string[]) => {
  const n = new Set(g);
  for (const id of ids) n.delete(id);
  return n;
};

export function useSoftDelete(setNotice: (text: string) => void): SoftDelete {
  const api = useApi();
  const qc = useQueryClient();
  const [pending, setPending] = useState<PendingDelete | null>(null);
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());

  const commit = useStable((p: PendingDelete) => {
    void (async () => {
      const failed: string[] = [];
      for (const id of p.ids) {
        try {
          await api.datasets.delete(id);
        } catch (e) {
          // Already gone (another tab, a stack deleted with its datasets) is fine.
          if (!/not found/i.test(errText(e))) failed.push(errText(e));
        }
      }
      if (failed.length) setNotice(`Could not delete “${p.label}”: ${failed[0]}`);
      await invalidateData(qc);
      setGone((g) => without(g, p.ids));
    })();
  });

  const pendingRef = useRef<PendingDelete | null>(null);
  useLayoutEffect(() => {
    pendingRef.current = pending;
  });
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(() => {
      setPending(null);
      commit(pending);
    }, UNDO_MS);
    return () => clearTimeout(t);
  }, [pending, commit]);
  useEffect(() => {
    const flush = () => {
      const p = pendingRef.current;
      if (p) {
        pendingRef.current = null;
        commit(p);
      }
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [commit]);

  const remove = useStable((p: PendingDelete) => {
    if (pending) commit(pending);
    setGone((g) => {
      const n = new Set(g);
      for (const id of p.ids) n.add(id);
      return n;
    });
    setPending(p);
  });
  const restore = useStable(() => {
    const p = pending;
    if (!p) return null;
    setPending(null);
    setGone((g) => without(g, p.ids));
    return p;
  });
  return { pending, gone, remove, restore };
}

/** Ctrl/Cmd+Z runs `undo` while `active` (not while typing in a field). */
export function useUndoShortcut(active: boolean, undo: () => void) {
  useEffect(() => {
    if (!active) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        undo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, undo]);
}
