// The Annotate SAM tool's state: the image's newest stored embedding (prompts.embeddingsFor), the
// prompts of the object being segmented (clicks, shift/right clicks, a box; promptTool.ts), its live
// mask through the latest-wins prompt session (usePromptSession: the latest click wins, the pointer
// handlers only record prompts), and Accept: once the mask answers the current prompts it is handed to
// `onAccept` (which writes it into the layer as one history step) and the prompts are cleared for the
// next object. Accept pressed while a decode is pending waits for it.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { PromptResult } from '../../../api';
import type { NDArray } from '../../../core/ndarray';
import type { ImageTool } from '../ImageCanvas';
import { useEmbeddingsFor } from '../PromptMode';
import { promptsOf, type PromptEdit, type PromptRequest } from '../promptEdits';
import { promptTool, sameBox, type Box, type PromptPress } from '../promptTool';
import { usePromptSession, type LivePrompt } from '../usePromptSession';

export interface SamObjects {
  /** The embedding used (null: none stored yet, or still looking). */
  embeddingId: string | null;
  lookup: 'loading' | 'error' | 'none' | 'ready';
  lookupError: unknown;
  live: LivePrompt;
  edits: readonly PromptEdit[];
  dragBox: Box | null;
  /** The mask shown (the newest decoded, possibly for older prompts while a decode runs). */
  mask: NDArray | null;
  maskArea: number;
  /** The mask answers the current prompts and nothing is decoding. */
  current: boolean;
  /** Accept was asked for and waits on the decode. */
  accepting: boolean;
  tool: ImageTool;
  accept(): void;
  clear(): void;
}

/** Whether a result answers a request (same points, same box). */
function answers(r: PromptResult | null, p: PromptRequest | null): boolean {
  if (!r || !p) return false;
  return JSON.stringify(r.prompts.points) === JSON.stringify(p.points) && JSON.stringify(r.prompts.box ?? null) === JSON.stringify(p.box ?? null);
}

/** `imageId`: the 2-D image dataset segmented (null: the tool is unavailable); `active`: the tool is selected (a session is open only then). */
export function useSamObjects(imageId: string | null, width: number, height: number, active: boolean, onAccept: (mask: NDArray) => void): SamObjects {
  const embeddings = useEmbeddingsFor(active ? imageId : null);
  const embeddingId = embeddings.data?.[0] ?? null;
  const [edits, setEdits] = useState<PromptEdit[]>([]);
  const [dragBox, setDragBox] = useState<Box | null>(null);
  const [accepting, setAccepting] = useState(false);
  const press = useRef<PromptPress | null>(null);
  const prompts = useMemo(() => promptsOf(edits, dragBox), [edits, dragBox]);
  const live = usePromptSession(active ? embeddingId : null, prompts);
  const mask = live.result?.mask ?? null;
  const maskArea = useMemo(() => (mask ? (mask.data as Uint8Array).reduce((a, v) => a + (v ? 1 : 0), 0) : 0), [mask]);
  const current = !live.busy && answers(live.result, prompts);
  const acceptRef = useRef(onAccept);
  acceptRef.current = onAccept;

  const clear = () => {
    setEdits([]);
    setDragBox(null);
    setAccepting(false);
  };

  useEffect(() => {
    if (!accepting) return;
    if (!prompts || live.error) return setAccepting(false);
    if (!current || !live.result) return;
    setAccepting(false);
    setEdits([]);
    setDragBox(null);
    acceptRef.current(live.result.mask);
  }, [accepting, current, prompts, live.error, live.result]);

  const tool = promptTool({
    press,
    width,
    height,
    dragBox: (b) => setDragBox((cur) => (sameBox(cur, b) ? cur : b)),
    add: (e) => {
      setAccepting(false);
      setEdits((cur) => [...cur, e]);
    },
  });

  const lookup = embeddings.isError ? 'error' : !embeddings.data ? 'loading' : embeddingId ? 'ready' : 'none';
  return {
    embeddingId,
    lookup,
    lookupError: embeddings.error,
    live,
    edits,
    dragBox,
    mask,
    maskArea,
    current,
    accepting,
    tool,
    accept: () => prompts && setAccepting(true),
    clear,
  };
}
