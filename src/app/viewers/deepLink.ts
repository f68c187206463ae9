// Deep links to what the viewer shows: `?view=dataset:<id>`, `?view=stack:<id>`,
// `?view=execution:<id>`. Opening such a URL selects that item; selecting an item updates the URL
// (history.replaceState, other query parameters kept); back/forward (popstate) re-reads it.
import { useEffect, useRef } from 'react';
import type { ViewTarget } from '../state/selection';

export function parseView(search: string): ViewTarget {
  const v = new URLSearchParams(search).get('view');
  const m = v ? /^(dataset|stack|execution):(.+)$/.exec(v) : null;
  return m ? { kind: m[1] as 'dataset' | 'stack' | 'execution', id: m[2]! } : null;
}

export function viewParam(view: ViewTarget): string | null {
  return view ? `${view.kind}:${view.id}` : null;
}

export function useViewDeepLink(view: ViewTarget, setView: (v: ViewTarget) => void): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      const fromUrl = parseView(location.search);
      if (fromUrl && viewParam(fromUrl) !== viewParam(view)) {
        setView(fromUrl);
        return;
      }
    }
    const url = new URL(location.href);
    const next = viewParam(view);
    if (url.searchParams.get('view') === next) return;
    if (next) url.searchParams.set('view', next);
    else url.searchParams.delete('view');
    history.replaceState(history.state, '', url);
  }, [view, setView]);

  useEffect(() => {
    const onPop = () => setView(parseView(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, [setView]);
}
