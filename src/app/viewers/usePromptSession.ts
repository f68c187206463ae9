// A latest-wins prompt session on one embedding (algobox.prompts.open) for as long as a component
// is mounted, and the live mask: every change of the prompts is a request; superseded requests are
// ignored, and a result older than the last Clear is dropped.
import { useEffect, useRef, useState } from 'react';
import type { PromptResult, PromptSession } from '../../api';
import { isSuperseded, type LatestWinsStats } from '../../core/latestWins';
import { useApi } from '../apiContext';
import { errorText } from './controls';
import type { PromptRequest } from './promptEdits';

export interface LivePrompt {
  session: PromptSession | null;
  /** Opening the session failed (not an Embedding, no decoder, algorithm removed, …). */
  openError: string | null;
  /** The mask for the newest prompts computed so far (null when there are none). */
  result: PromptResult | null;
  /** The last request failed. */
  error: string | null;
  /** Requests are computing or waiting. */
  busy: boolean;
  stats: LatestWinsStats | null;
}

export function usePromptSession(embeddingId: string | null, prompts: PromptRequest | null): LivePrompt {
  const api = useApi();
  const [session, setSession] = useState<PromptSession | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const [result, setResult] = useState<PromptResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(0);
  const [stats, setStats] = useState<LatestWinsStats | null>(null);
  /** Requests issued; results of requests before `clearedAt` are dropped. */
  const seq = useRef(0);
  const clearedAt = useRef(0);

  useEffect(() => {
    setSession(null);
    setOpenError(null);
    setResult(null);
    if (!embeddingId) return;
    let cancelled = false;
    let opened: PromptSession | null = null;
    api.prompts.open(embeddingId).then(
      (s) => {
        if (cancelled) s.close();
        else {
          opened = s;
          setSession(s);
        }
      },
      (e) => !cancelled && setOpenError(errorText(e)),
    );
    return () => {
      cancelled = true;
      opened?.close();
    };
  }, [api, embeddingId]);

  useEffect(() => {
    if (!session) return;
    const mine = ++seq.current;
    if (!prompts) {
      clearedAt.current = mine;
      setResult(null);
      setError(null);
      return;
    }
    setPending((n) => n + 1);
    session.request(prompts).then(
      (r) => {
        setPending((n) => n - 1);
        setStats(session.stats());
        if (isSuperseded(r) || mine < clearedAt.current) return;
        setResult(r);
        setError(null);
      },
      (e) => {
        setPending((n) => n - 1);
        setStats(session.stats());
        if (mine >= clearedAt.current) setError(errorText(e));
      },
    );
  }, [session, prompts]);

  return { session, openError, result, error, busy: pending > 0, stats };
}
