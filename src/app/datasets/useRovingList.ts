// One tab stop per list (roving focus): the active row, arrow/Home/End/Page keys between rows, and
// moving the keyboard focus to a row by id.
import { useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useStable } from './useStable';

export function focusRow(list: HTMLElement | null, id: string) {
  list?.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(id)}"]`)?.focus();
}

/** Arrow/Home/End/Page navigation over `ids`; returns the id to move to, or null. */
export function navTarget(e: KeyboardEvent, ids: readonly string[], id: string): string | null {
  const i = ids.indexOf(id);
  const last = ids.length - 1;
  let j: number;
  switch (e.key) {
    case 'ArrowDown':
      j = i + 1;
      break;
    case 'ArrowUp':
      j = i - 1;
      break;
    case 'Home':
      j = 0;
      break;
    case 'End':
      j = last;
      break;
    case 'PageDown':
      j = i + 10;
      break;
    case 'PageUp':
      j = i - 10;
      break;
    default:
      return null;
  }
  return ids[Math.max(0, Math.min(last, j))] ?? null;
}

export interface RovingList {
  listRef: RefObject<HTMLUListElement | null>;
  /** The row with the tab stop: the chosen one while it is listed, else the first. */
  active: string | null;
  setActive(id: string | null): void;
  /** Focus the row `id` (when it is rendered). */
  focus(id: string): void;
  onFocusRow(id: string): void;
  onNavKey(e: KeyboardEvent, id: string): void;
}

/** Roving focus over the rows `ids` (in display order). */
export function useRovingList(ids: readonly string[]): RovingList {
  const [chosen, setActive] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const active = chosen && ids.includes(chosen) ? chosen : (ids[0] ?? null);
  const focus = useStable((id: string) => focusRow(listRef.current, id));
  const onFocusRow = useStable((id: string) => setActive(id));
  const onNavKey = useStable((e: KeyboardEvent, id: string) => {
    const to = navTarget(e, ids, id);
    if (!to) return;
    e.preventDefault();
    setActive(to);
    focusRow(listRef.current, to);
  });
  return { listRef, active, setActive, focus, onFocusRow, onNavKey };
}
