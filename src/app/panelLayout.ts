// Which side panels of the workbench are open. Each side panel (Datasets on the left, Algorithms on
// the right) collapses to a rail; the choice is kept in localStorage. Below NARROW_QUERY (a 1024 px
// laptop) only one side panel is open at a time — the one opened last — so the viewer keeps at
// least half the window's width.
import { useCallback, useState, useSyncExternalStore } from 'react';

export type Side = 'left' | 'right';

export interface PanelPrefs {
  left: boolean;
  right: boolean;
  /** The side opened last: the one that stays open where only one fits. */
  last: Side;
}

export const PANELS_STORAGE_KEY = 'algobox:panels';
export const NARROW_QUERY = '(max-width: 1199px)';
const DEFAULT_PREFS: PanelPrefs = { left: true, right: true, last: 'right' };

function readPrefs(): PanelPrefs {
  try {
    const v = JSON.parse(localStorage.getItem(PANELS_STORAGE_KEY) ?? 'null') as Partial<PanelPrefs> | null;
    if (!v || typeof v !== 'object') return DEFAULT_PREFS;
    return {
      left: typeof v.left === 'boolean' ? v.left : DEFAULT_PREFS.left,
      right: typeof v.right === 'boolean' ? v.right : DEFAULT_PREFS.right,
      last: v.last === 'left' || v.last === 'right' ? v.last : DEFAULT_PREFS.last,
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

function subscribeNarrow(cb: () => void): () => void {
  const m = matchMedia(NARROW_QUERY);
  m.addEventListener('change', cb);
  return () => m.removeEventListener('change', cb);
}

/** Whether each side is shown open now: the stored choice, one side at a time where the window is narrow. */
export function openSides(p: PanelPrefs, narrow: boolean): Record<Side, boolean> {
  if (!narrow || !(p.left && p.right)) return { left: p.left, right: p.right };
  return { left: p.last === 'left', right: p.last === 'right' };
}

export function usePanelLayout() {
  const [prefs, setPrefs] = useState<PanelPrefs>(readPrefs);
  const narrow = useSyncExternalStore(
    subscribeNarrow,
    () => matchMedia(NARROW_QUERY).matches,
    () => false,
  );
  const open = openSides(prefs, narrow);
  const setOpen = useCallback(
    (side: Side, value: boolean) => {
      setPrefs((cur) => {
        // Opening a side makes it the one shown where only one fits; collapsing one keeps what is
        // seen (on a narrow window the hidden side stays collapsed rather than popping open).
        const next: PanelPrefs = value ? { ...cur, [side]: true, last: side } : { ...cur, ...openSides(cur, narrow), [side]: false };
        try {
          localStorage.setItem(PANELS_STORAGE_KEY, JSON.stringify(next));
        } catch {
          // Storage blocked: the choice lasts for this page only.
        }
        return next;
      });
    },
    [narrow],
  );
  return { open, narrow, setOpen };
}
