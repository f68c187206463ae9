// Unsaved edits survive a reload: the history's steps are written as the target's draft 1 s after the
// last edit (persistence.ts: localStorage), at once when the editor closes, and a `beforeunload` prompt
// asks before leaving the page while edits are unsaved.
import { useEffect, useRef, useState } from 'react';
import type { LabelLayer } from '../../../core/labels/layer';
import { saveDraft } from './persistence';
import type { AnnotateTarget } from './target';

const DRAFT_DELAY_MS = 1000;

export type DraftState = 'none' | 'pending' | 'saved' | 'too-large';

/** Keep the draft of `layer` (edited since `savedVersion`) up to date; `tick` changes after each edit. */
export function useDraft(target: AnnotateTarget, layer: LabelLayer, unsaved: boolean, tick: number): DraftState {
  const [state, setState] = useState<DraftState>('none');
  const timer = useRef(0);
  const write = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!unsaved) return;
    setState('pending');
    write.current = () => {
      write.current = null;
      setState(saveDraft(target, layer.history.steps()) ? 'saved' : 'too-large');
    };
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => write.current?.(), DRAFT_DELAY_MS);
  }, [tick, unsaved, target, layer]);

  // Closing the editor writes what is pending at once.
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      write.current?.();
    },
    [],
  );

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
  return unsaved ? state : 'none';
}
