// Unsaved edits survive a reload: the layer's tiles that differ from the base are written as the
// target's draft (drafts.ts: api.labelDrafts, IndexedDB) 1 s after the last edit and when the editor
// closes; a `beforeunload` prompt asks before leaving the page while edits are unsaved (and starts the
// write). A draft that cannot be written is reported (`error`), not swallowed.
import { useEffect, useRef, useState } from 'react';
import type { LabelLayer } from '../../../core/labels/layer';
import { useApi } from '../../apiContext';
import { errorText } from '../controls';
import { saveDraft } from './drafts';
import type { AnnotateTarget } from './target';

const DRAFT_DELAY_MS = 1000;

export type DraftState = 'none' | 'pending' | 'saved' | 'failed';

/** Keep the draft of `layer` up to date while it has unsaved edits; `tick` changes after each edit. */
export function useDraft(target: AnnotateTarget, layer: LabelLayer, unsaved: boolean, tick: number): { state: DraftState; error: string | null } {
  const api = useApi();
  const [state, setState] = useState<{ state: DraftState; error: string | null }>({ state: 'none', error: null });
  const timer = useRef(0);
  const write = useRef<(() => void) | null>(null);
  const live = useRef(true);

  useEffect(() => {
    if (!unsaved) {
      // Saved: nothing pending may write a draft after the save deleted it.
      clearTimeout(timer.current);
      write.current = null;
      return;
    }
    setState({ state: 'pending', error: null });
    const version = layer.version;
    write.current = () => {
      write.current = null;
      saveDraft(api, target, { slices: layer.dirtyTiles() }, layer.history.undoCount).then(
        () => live.current && layer.version === version && setState({ state: 'saved', error: null }),
        (e: unknown) => live.current && setState({ state: 'failed', error: errorText(e) }),
      );
    };
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => write.current?.(), DRAFT_DELAY_MS);
  }, [tick, unsaved, target, layer, api]);

  // Closing the editor writes what is pending at once.
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      clearTimeout(timer.current);
      write.current?.();
    };
  }, []);

  useEffect(() => {
    if (!unsaved) return;
    const ask = (e: BeforeUnloadEvent) => {
      write.current?.();
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [unsaved]);
  return unsaved ? state : { state: 'none', error: null };
}
