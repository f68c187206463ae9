// Slice-by-slice reading, latest-wins, shared by the volume viewer (VolumeView) and the sliced run
// viewers (a 3-D mask over its source volume, a denoised volume next to its input). What one slice k
// is — one array's slice, or the mask's and the source's slices together — is the caller's `read`;
// this hook decides WHEN reads happen: a read starts in the very event that asks for it, at most one
// runs at a time (a fast scrub reads the slice in flight, then the last one asked for), and a slice
// read is drawn at once (flushSync): opening a slice costs its read and one render, not a round of
// scheduling. Nothing is prefetched and slices are not cached once left: a volume can be larger than
// the tab's memory, so what is read is what is shown.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { ArrayHandle } from '../../api';
import { reshape, type NDArray } from '../../core/ndarray';
import { errorText } from './controls';
import { sliceRegion } from './render/slices';

/** Slice `index` as `read` gave it. */
export interface ShownSlice<T> {
  index: number;
  value: T;
}

/** A read slower than this shows its slice index and "Loading…" before its pixels. */
const SLOW_READ_MS = 150;

/** Slice k of an opened N-D array, as an H×W (or C×H×W for a 2-D RGB image) array: reads only that slice's chunks. */
export async function readSlice(handle: ArrayHandle, k: number): Promise<NDArray> {
  const shape = handle.shape;
  return reshape(await handle.read(sliceRegion(shape, k)), shape.length >= 3 ? shape.slice(-2) : shape);
}

/** Slice k of each opened array (null for an absent one), read together: one latest-wins unit for a mask and its source. */
export function readSlices(handles: readonly (ArrayHandle | null | undefined)[], k: number): Promise<(NDArray | null)[]> {
  return Promise.all(handles.map((h) => (h ? readSlice(h, k) : null)));
}

/**
 * Slices `0 … count − 1` read latest-wins through `read` (null until it can read, e.g. while the arrays
 * open): `go(k)` starts reading slice k now (through the query client under `[...cacheKey, k]`, not
 * cached once read), unless a read is running, in which case k is read when it ends. A slice read is
 * drawn synchronously when it arrives, and the label (and the slider, when the slice was asked for by
 * key or button; a dragged thumb is already there) moves with it, one frame for both; a read slower than
 * SLOW_READ_MS moves them first and shows "Loading…". Slice `first` is read as soon
 * as `read` is there.
 */
export function useSlices<T>(read: ((k: number) => Promise<T>) | null, cacheKey: readonly string[], count: number, first: number) {
  const qc = useQueryClient();
  const [shown, setShown] = useState<ShownSlice<T> | null>(null);
  const [failure, setFailure] = useState<{ index: number; message: string } | null>(null);
  const [slow, setSlow] = useState<number | null>(null);
  const reads = useRef({ wanted: first, running: false, timer: 0 });
  // The key's parts, not the array: a caller's literal is a new array on every render.
  const key = cacheKey.join('\u0000');
  const go = useCallback(
    (k: number) => {
      const r = reads.current;
      r.wanted = k;
      if (!r.timer) r.timer = window.setTimeout(() => setSlow(r.wanted), SLOW_READ_MS);
      if (!read || r.running) return;
      r.running = true;
      const settle = (apply: () => void) => {
        const last = r.wanted === k;
        if (last) {
          clearTimeout(r.timer);
          r.timer = 0;
        }
        flushSync(() => {
          apply();
          if (last) setSlow(null);
        });
      };
      qc.fetchQuery({ queryKey: [...key.split('\u0000'), 'slice', k], queryFn: async () => ({ index: k, value: await read(k) }), staleTime: 0, gcTime: 0 })
        .then(
          (slice) =>
            settle(() => {
              setShown(slice);
              setFailure(null);
            }),
          (e: unknown) => settle(() => setFailure({ index: k, message: errorText(e) })),
        )
        .finally(() => {
          r.running = false;
          if (r.wanted !== k) go(r.wanted);
        });
    },
    [qc, key, read],
  );
  const step = useCallback((delta: number) => go(Math.max(0, Math.min(count - 1, reads.current.wanted + delta))), [go, count]);
  // The first slice, once `read` is there (only then: a new `read` for a refetched shape reads nothing).
  const latest = useRef(go);
  latest.current = go;
  const ready = read !== null;
  useEffect(() => {
    if (ready) latest.current(reads.current.wanted);
  }, [ready]);
  useEffect(() => () => clearTimeout(reads.current.timer), []);
  const index = slow ?? shown?.index ?? first;
  return { shown, failure, loading: slow !== null, index, go, step };
}
