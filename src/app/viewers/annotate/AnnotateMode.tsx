// The Annotate mode of each viewer: which label layer to edit ("Start from": a new empty layer, or one
// of the Segmentation datasets of the same shape — those made from this image first), then the editor.
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import type { DatasetMeta } from '../../../core/records';
import { useApi } from '../../apiContext';
import { keys, useDatasets } from '../../state/queries';
import { ViewerMessage, errorText } from '../controls';
import { imageSourceOf, provenance } from '../data';
import { AnnotateEditor } from './AnnotateEditor';
import type { AnnotateTarget } from './target';
import { imageTarget, maskTarget, stackTarget, volumeTarget } from './targets';

/** Segmentation datasets whose mask has `shape`, those made from `sourceId` first. */
function useMasksOfShape(shape: readonly number[], sourceId: string | null): DatasetMeta[] {
  const list = useDatasets();
  return useMemo(() => {
    const want = shape.join('x');
    const masks = (list.data ?? []).filter(
      (d) => d.keys.mask && d.keys.mask.shape.join('x') === want && d.keys.mask.dtype !== 'float32' && d.keys.mask.dtype !== 'float64',
    );
    const own = (d: DatasetMeta) => (sourceId && provenance(d).inputs.includes(sourceId) ? 0 : 1);
    return masks.sort((a, b) => own(a) - own(b) || b.created.localeCompare(a.created));
  }, [list.data, shape, sourceId]);
}

/** "Start from": a new layer or a mask of the same shape, and the editor on it. */
function StartFrom({
  shape,
  sourceId,
  targetOf,
}: {
  shape: readonly number[];
  sourceId: string | null;
  targetOf: (mask: DatasetMeta | null) => AnnotateTarget;
}) {
  const masks = useMasksOfShape(shape, sourceId);
  const [pick, setPick] = useState('');
  const id = useId();
  const mask = masks.find((m) => m.id === pick) ?? null;
  const target = useMemo(() => targetOf(mask), [targetOf, mask]);
  const picker = (
    <span className="field annotate-start">
      <label htmlFor={id}>Start from</label>
      <select id={id} data-testid="annotate-start" value={mask ? mask.id : ''} onChange={(e) => setPick(e.target.value)}>
        <option value="">A new empty label layer</option>
        {masks.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name} ({m.keys.mask!.dtype})
          </option>
        ))}
      </select>
    </span>
  );
  return <AnnotateEditor key={target.key} target={target} startFrom={picker} />;
}

export function AnnotateImage({ meta }: { meta: DatasetMeta }) {
  const api = useApi();
  const shape = useMemo(() => meta.keys.image!.shape.slice(-2), [meta]);
  const targetOf = useMemo(() => (mask: DatasetMeta | null) => imageTarget(api, meta, mask), [api, meta]);
  return <StartFrom shape={shape} sourceId={meta.id} targetOf={targetOf} />;
}

export function AnnotateVolume({ meta, fieldKey }: { meta: DatasetMeta; fieldKey: string }) {
  const api = useApi();
  const shape = useMemo(() => meta.keys[fieldKey]!.shape, [meta, fieldKey]);
  const targetOf = useMemo(() => (mask: DatasetMeta | null) => volumeTarget(api, meta, fieldKey, mask), [api, meta, fieldKey]);
  return <StartFrom shape={shape} sourceId={meta.id} targetOf={targetOf} />;
}

/** A Segmentation dataset's mask over its source (the first recorded input of the same shape; `own`: its own image). */
export function AnnotateMask({ meta, own }: { meta: DatasetMeta; own?: boolean }) {
  const api = useApi();
  const list = useDatasets();
  const source = own ? meta : list.data ? imageSourceOf(meta, list.data) : null;
  const target = useMemo(() => maskTarget(api, meta, source), [api, meta, source]);
  if (!list.data) return <ViewerMessage kind="loading">Loading…</ViewerMessage>;
  return <AnnotateEditor key={target.key} target={target} />;
}

export function AnnotateStack({ stackId }: { stackId: string }) {
  const api = useApi();
  const stack = useQuery({ queryKey: [...keys.stacks, stackId], queryFn: () => api.stacks.get(stackId) });
  const firstId = stack.data?.datasetIds[0] ?? null;
  const list = useDatasets();
  const first = list.data?.find((d) => d.id === firstId) ?? null;
  const s = stack.data;
  const targetOf = useMemo(() => (s && first ? (mask: DatasetMeta | null) => stackTarget(api, s, first, mask) : null), [api, s, first]);
  const shape = useMemo(() => {
    const f = first?.keys.image ?? first?.keys.mask;
    return f && s ? [s.datasetIds.length, ...f.shape.slice(-2)] : [];
  }, [first, s]);
  if (stack.isError) return <ViewerMessage kind="error">{errorText(stack.error)}</ViewerMessage>;
  if (!targetOf) return <ViewerMessage kind="loading">Loading stack…</ViewerMessage>;
  return <StartFrom shape={shape} sourceId={null} targetOf={targetOf} />;
}
