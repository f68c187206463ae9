// One array field opened for region reads (datasets.openArray), kept for the session: opening reads
// only the dataset's metadata, and every slice read goes through the handle.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../apiContext';

/** Field `key` of dataset `id` opened for region reads; disabled while either is null. */
export function useArrayHandle(id: string | null | undefined, key: string | null | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['array', id ?? '-', key ?? '-'],
    queryFn: () => api.datasets.openArray(id!, key!),
    enabled: !!id && !!key,
    staleTime: Infinity,
  });
}
