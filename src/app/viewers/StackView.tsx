// A stack: its datasets as slices of one image viewer. Slices load lazily (one dataset query per
// slice shown; the neighbours are prefetched) and the previous slice stays shown while the next loads.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../apiContext';
import { keys, useDataset } from '../state/queries';
import { ImageViewer } from './ImageViewer';
import { usePreviewOverlay } from './PreviewOverlay';
import { usePublishPlane } from '../state/preview';
import { ViewerMessage, errorText } from './controls';
import { useKeep } from './data';
import type { DatasetRecord } from '../../core/records';
import type { NDArray } from '../../core/ndarray';
import { AnnotatableView } from './PromptMode';
import { AnnotateStack } from './annotate/AnnotateMode';

/** The image of a stack slice: its `image`, else its `mask`, else its first array field. */
function sliceImage(rec: DatasetRecord | undefined): NDArray | null {
  if (!rec) return null;
  const f = rec.fields;
  const pick = f.image ?? f.mask ?? Object.values(f).find((v) => v && typeof v === 'object');
  return pick && typeof pick === 'object' ? pick : null;
}

/** One stack by id (under the stacks key, so writes that invalidate the stacks refresh it). */
function useStack(id: string) {
  const api = useApi();
  return useQuery({ queryKey: [...keys.stacks, id], queryFn: () => api.stacks.get(id) });
}

export function StackView({ id }: { id: string }) {
  const stackQ = useStack(id);
  const stack = stackQ.data;
  const [index, setIndex] = useState(0);
  const count = stack?.datasetIds.length ?? 0;
  const i = Math.max(0, Math.min(count - 1, index));
  const dsId = stack?.datasetIds[i] ?? null;
  const q = useDataset(dsId);
  const image = useKeep(sliceImage(q.data));
  // The live preview (state/preview.tsx) covers the slice shown: that dataset's image (or mask).
  const sliceKey = q.data ? (q.data.fields.image ? 'image' : q.data.fields.mask ? 'mask' : null) : null;
  const plane = dsId && sliceKey ? { datasetId: dsId, key: sliceKey, at: [], label: `${stack?.name ?? 'stack'} · slice ${i + 1}` } : null;
  usePublishPlane(plane);
  const overlay = usePreviewOverlay(plane);
  const api = useApi();
  const qc = useQueryClient();
  // Prefetch the neighbouring slices so scrolling stays smooth.
  useEffect(() => {
    if (!stack) return;
    for (const j of [i - 1, i + 1]) {
      const nid = stack.datasetIds[j];
      if (nid) void qc.prefetchQuery({ queryKey: keys.dataset(nid), queryFn: () => api.datasets.get(nid), staleTime: Infinity });
    }
  }, [stack, i, qc, api]);

  if (stackQ.isError) return <ViewerMessage kind="error">{errorText(stackQ.error)}</ViewerMessage>;
  if (!stack) return <ViewerMessage kind="loading">Loading stack…</ViewerMessage>;
  if (!count) return <ViewerMessage>This stack is empty.</ViewerMessage>;
  return (
    <div className="viewer-view" data-testid="stack-view">
      <header className="viewer-header">
        <h3 className="ellipsis" data-testid="viewer-title">
          {stack.name}
        </h3>
        <span className="chip">stack · {count} slices</span>
      </header>
      <AnnotatableView annotate={<AnnotateStack stackId={id} />}>
        <ImageViewer
          image={q.isError ? null : image}
          loading={q.isFetching}
          error={
            q.isError
              ? `Slice ${i + 1} could not be read: ${errorText(q.error)}`
              : q.data && !sliceImage(q.data)
                ? `Slice ${i + 1} has no array to show.`
                : null
          }
          label={`Stack ${stack.name}`}
          nav={{ index: i, count, onChange: setIndex, label: 'Slice', describe: () => q.data?.meta.name ?? '' }}
          overlay={overlay}
        />
      </AnnotatableView>
    </div>
  );
}
