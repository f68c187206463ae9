// Show the viewed item in the panel: its page, its row active and scrolled into view (e.g. right after
// an import selects it).
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { DatasetMeta } from '../../core/records';
import type { ViewTarget } from '../state/selection';
import { PAGE_SIZE } from './format';
import type { RovingList } from './useRovingList';

export function useRevealViewed(view: ViewTarget, filtered: readonly DatasetMeta[], setPage: (p: number) => void, ds: RovingList, st: RovingList) {
  // State setters and refs: the effect runs when the viewed item changes.
  const { setActive: setActiveDs, listRef: dsList } = ds;
  const { setActive: setActiveSt, listRef: stList } = st;
  const viewKey = view && (view.kind === 'dataset' || view.kind === 'stack') ? `${view.kind}:${view.id}` : '';
  const filteredRef = useRef(filtered);
  useLayoutEffect(() => {
    filteredRef.current = filtered;
  });
  useEffect(() => {
    if (!viewKey) return;
    const [kind, id] = [viewKey.slice(0, viewKey.indexOf(':')), viewKey.slice(viewKey.indexOf(':') + 1)];
    if (kind === 'dataset') {
      const i = filteredRef.current.findIndex((m) => m.id === id);
      if (i >= 0) setPage(Math.floor(i / PAGE_SIZE));
      setActiveDs(id);
    } else setActiveSt(id);
    const t = requestAnimationFrame(() => {
      // A viewed slice is listed under its stack, in the stacks list.
      const sel = `[data-row-id="${CSS.escape(id)}"]`;
      const lists = kind === 'dataset' ? [dsList, stList] : [stList];
      lists
        .map((l) => l.current?.querySelector(sel))
        .find(Boolean)
        ?.scrollIntoView({ block: 'nearest' });
    });
    return () => cancelAnimationFrame(t);
  }, [viewKey, setPage, setActiveDs, setActiveSt, dsList, stList]);
}
