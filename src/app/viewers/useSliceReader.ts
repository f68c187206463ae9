// The slice reader of a sliced run viewer: slice k of each of its opened arrays (an output and the
// input it came from), read together so that what is drawn is always one slice of both.
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ArrayHandle } from '../../api';
import type { NDArray } from '../../core/ndarray';
import { readSlices } from './useSlices';

/**
 * `read(k)` → slice k of each array (null for an array not asked for or that failed to open), or null
 * until the first array (the output) is open and the others have opened or failed, and while `waiting`
 * (the input's metadata is still loading).
 */
export function useSliceReader(
  handles: readonly [UseQueryResult<ArrayHandle>, UseQueryResult<ArrayHandle>, UseQueryResult<ArrayHandle>?],
  waiting: boolean,
): ((k: number) => Promise<(NDArray | null)[]>) | null {
  const [a, b, c] = handles.map((h) => h?.data ?? null);
  const settled = !waiting && !!a && handles.every((h) => !h?.isLoading);
  // Memoised on the handles, not on the query results (a new result object for the same handle is the same reader).
  return useMemo(() => (settled ? (k: number) => readSlices([a, b, c], k) : null), [settled, a, b, c]);
}
