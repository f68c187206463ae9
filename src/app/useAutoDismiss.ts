// Notices close themselves: `onClose` runs `ms` after the notice appears (or `key` changes), unless
// the pointer is over it or focus is inside it — then the count starts again when it leaves.
// `ms` null: the notice stays (e.g. while an import runs).
import { useEffect, useRef, useState, type FocusEvent } from 'react';

export function useAutoDismiss(ms: number | null, onClose: () => void, key: unknown) {
  const [held, setHeld] = useState({ hover: false, focus: false });
  const close = useRef(onClose);
  close.current = onClose;
  const paused = held.hover || held.focus;
  useEffect(() => {
    if (ms === null || paused) return;
    const t = setTimeout(() => close.current(), ms);
    return () => clearTimeout(t);
  }, [ms, paused, key]);
  return {
    onMouseEnter: () => setHeld((h) => ({ ...h, hover: true })),
    onMouseLeave: () => setHeld((h) => ({ ...h, hover: false })),
    onFocus: () => setHeld((h) => ({ ...h, focus: true })),
    onBlur: (e: FocusEvent<HTMLElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setHeld((h) => ({ ...h, focus: false }));
    },
  };
}
