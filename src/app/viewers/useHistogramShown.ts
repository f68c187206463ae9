// Whether the window histogram shows its plot: the user's choice, kept in this browser; by default
// shown on windows at least 800 px tall and folded on shorter ones (1024×700: the image keeps its room).
import { useCallback, useState } from 'react';

const KEY = 'algobox:histogram';

function initial(): boolean {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved === 'shown') return true;
  if (saved === 'folded') return false;
  return (globalThis.innerHeight ?? 800) >= 800;
}

export function useHistogramShown(): [boolean, (v: boolean) => void] {
  const [shown, setShown] = useState(initial);
  const set = useCallback((v: boolean) => {
    setShown(v);
    try {
      globalThis.localStorage?.setItem(KEY, v ? 'shown' : 'folded');
    } catch {
      // Storage refused (private mode): the choice lasts this page.
    }
  }, []);
  return [shown, set];
}
