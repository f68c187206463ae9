// One component per viewer kind of core/algorithmTypes.ts: a run's outputs (and the inputs they came
// from) in the viewer that kind calls for. The one place that maps a viewer kind to a component.
// Segmentation and compare runs look at each output's metadata first: an output that is a stack of
// slices (a Volume's mask, a denoised Volume: slicedFields.ts) goes to a sliced viewer that reads one
// slice at a time; a small 2-D output is read whole, as before.
import { useState, type ComponentType } from 'react';
import type { ViewerKind } from '../../core/algorithmTypes';
import type { ExecutionRecord } from '../../core/records';
import { useDataset } from '../state/queries';
import { AlignmentViewer } from './AlignmentViewer';
import { CompareViewer } from './CompareViewer';
import { EmbeddingViewer } from './EmbeddingViewer';
import { GenericViewer } from './GenericViewer';
import { SegmentationViewer } from './SegmentationViewer';
import { errorText, type SliceNav } from './controls';
import { arrayField, useKeep } from './data';
import { SlicedCompareRun } from './SlicedCompareRun';
import { SlicedSegmentation } from './SlicedSegmentation';
import { firstField, isSlicedField } from './slicedFields';
import { alignmentFacts } from './DatasetView';
import { PromptableEmbedding, isPromptableEmbedding } from './PromptMode';

export interface RunViewerProps {
  rec: ExecutionRecord;
  kind: ViewerKind;
}

function useNav(count: number, label: string, describe?: (i: number) => string): [number, SliceNav] {
  const [index, setIndex] = useState(0);
  const i = Math.max(0, Math.min(count - 1, index));
  return [i, { index: i, count, onChange: setIndex, label, ...(describe ? { describe } : {}) }];
}

/**
 * Output `id`'s sliced field among `keys` (its metadata only is read): `deciding` until the metadata is
 * there, then the field when it is sliced, else null (read it whole; also when the metadata failed).
 */
function useSlicedOutput(id: string | undefined, keys: readonly string[], image: boolean) {
  const q = useDataset(id, []);
  const meta = q.data?.meta;
  const key = meta ? firstField(meta, keys) : null;
  const sliced = meta && key && isSlicedField(meta, key, { image }) ? { meta, key } : null;
  return { deciding: !meta && !q.isError, sliced };
}

/** The outputs' slider of a sliced viewer (its own slider moves through the slices). */
const asOutputs = (nav: SliceNav): SliceNav => ({ ...nav, label: 'Output' });

function CompareRun({ rec }: { rec: ExecutionRecord }) {
  const n = rec.outputDatasetIds.length;
  const [i, nav] = useNav(n, 'Image');
  const out = useSlicedOutput(rec.outputDatasetIds[i], ['volume', 'image'], true);
  if (out.sliced)
    return (
      <SlicedCompareRun
        key={out.sliced.meta.id}
        outMeta={out.sliced.meta}
        fieldKey={out.sliced.key}
        inputId={rec.inputDatasetIds[i] ?? null}
        outputNav={asOutputs(nav)}
      />
    );
  return <WholeCompareRun rec={rec} i={i} nav={nav} deciding={out.deciding} />;
}

/** A 2-D output and its input read whole (the ids wait while `deciding`: the last pair stays shown). */
function WholeCompareRun({ rec, i, nav, deciding }: { rec: ExecutionRecord; i: number; nav: SliceNav; deciding: boolean }) {
  const before = useDataset(deciding ? null : (rec.inputDatasetIds[i] ?? null), ['image']);
  const after = useDataset(deciding ? null : rec.outputDatasetIds[i], ['image']);
  const b = useKeep(arrayField(before.data, 'image'));
  const a = useKeep(arrayField(after.data, 'image'));
  return (
    <CompareViewer
      before={before.isError ? null : b}
      after={after.isError ? null : a}
      beforeError={before.isError ? errorText(before.error) : rec.inputDatasetIds[i] ? null : `Output ${i + 1} has no matching input.`}
      afterError={after.isError ? errorText(after.error) : null}
      loading={deciding || before.isFetching || after.isFetching}
      nav={nav}
    />
  );
}

function SegmentationRun({ rec, kind }: RunViewerProps) {
  const n = rec.outputDatasetIds.length;
  const [i, nav] = useNav(n, 'Image');
  const out = useSlicedOutput(rec.outputDatasetIds[i], ['mask'], false);
  if (out.sliced)
    return (
      <SlicedSegmentation
        key={out.sliced.meta.id}
        outMeta={out.sliced.meta}
        inputId={rec.inputDatasetIds[i] ?? null}
        seg2seg={kind === 'seg2seg'}
        outputNav={asOutputs(nav)}
        label={`Mask ${i + 1}`}
      />
    );
  return <WholeSegmentationRun rec={rec} kind={kind} i={i} nav={nav} deciding={out.deciding} />;
}

/** A 2-D mask and its source read whole (the ids wait while `deciding`: the last mask stays shown). */
function WholeSegmentationRun({ rec, kind, i, nav, deciding }: RunViewerProps & { i: number; nav: SliceNav; deciding: boolean }) {
  const seg2seg = kind === 'seg2seg';
  const out = useDataset(deciding ? null : rec.outputDatasetIds[i], ['mask']);
  const src = useDataset(deciding ? null : (rec.inputDatasetIds[i] ?? null), ['image', 'mask']);
  const mask = useKeep(arrayField(out.data, 'mask'));
  const srcData = src.isError ? null : src.data;
  const image = arrayField(srcData, 'image');
  const inputMask = seg2seg ? arrayField(srcData, 'mask') : null;
  return (
    <SegmentationViewer
      key={seg2seg ? 'seg2seg' : 'img2seg'}
      image={image}
      mask={mask}
      inputMask={inputMask}
      loading={deciding || out.isFetching || src.isFetching}
      error={out.isError ? errorText(out.error) : null}
      note={src.isError ? `The input is not available (${errorText(src.error)}): showing the labels alone.` : null}
      nav={nav}
      label={`Mask ${i + 1}`}
      labelSource={rec.outputDatasetIds[i] ? { datasetId: rec.outputDatasetIds[i], key: 'mask' } : null}
    />
  );
}

function AlignmentRun({ rec }: { rec: ExecutionRecord }) {
  const n = rec.outputDatasetIds.length;
  const [i, nav] = useNav(n, 'Pair', (k) => `image ${k + 1} (fixed) ← image ${k + 2} (moving)`);
  const out = useDataset(rec.outputDatasetIds[i], ['transform_matrix', 'translation_matrix', 'confidence', 'points1', 'points2']);
  const fixed = useDataset(rec.inputDatasetIds[i] ?? null, ['image']);
  const moving = useDataset(rec.inputDatasetIds[i + 1] ?? null, ['image']);
  const missing = fixed.isError || moving.isError;
  return (
    <AlignmentViewer
      matrix={useKeep(arrayField(out.data, 'transform_matrix'))}
      translationMatrix={arrayField(out.data, 'translation_matrix')}
      fixed={missing ? null : arrayField(fixed.data, 'image')}
      moving={missing ? null : arrayField(moving.data, 'image')}
      imagesNote={missing ? `The images of this pair are not available: ${errorText(fixed.error ?? moving.error)}` : null}
      loading={out.isFetching || fixed.isFetching || moving.isFetching}
      error={out.isError ? errorText(out.error) : null}
      facts={alignmentFacts(out.data?.fields)}
      nav={nav}
    />
  );
}

function EmbeddingRun({ rec }: { rec: ExecutionRecord }) {
  const [i, nav] = useNav(rec.outputDatasetIds.length, 'Image');
  const q = useDataset(rec.outputDatasetIds[i], ['features', 'input_size', 'original_size']);
  const viewer = (
    <EmbeddingViewer
      features={useKeep(arrayField(q.data, 'features'))}
      inputSize={arrayField(q.data, 'input_size')}
      originalSize={arrayField(q.data, 'original_size')}
      loading={q.isFetching}
      error={q.isError ? errorText(q.error) : null}
      nav={nav}
    />
  );
  // SAM embeddings can also be segmented with clicks (the mode persists across outputs).
  const id = rec.outputDatasetIds[i];
  const meta = useKeep(q.data?.meta);
  return id && isPromptableEmbedding(meta) ? (
    <PromptableEmbedding embeddingId={id} nav={nav}>
      {viewer}
    </PromptableEmbedding>
  ) : (
    viewer
  );
}

function GenericRun({ rec }: { rec: ExecutionRecord }) {
  const [i, nav] = useNav(rec.outputDatasetIds.length, 'Output');
  const q = useDataset(rec.outputDatasetIds[i]);
  return <GenericViewer key={i} fields={useKeep(q.data?.fields)} loading={q.isFetching} error={q.isError ? errorText(q.error) : null} nav={nav} />;
}

/** Viewer kind (core/algorithmTypes.ts) → the component that shows a run's results. */
export const RUN_VIEWERS: Readonly<Record<ViewerKind, ComponentType<RunViewerProps>>> = {
  compare: CompareRun,
  segmentation: SegmentationRun,
  seg2seg: SegmentationRun,
  alignment: AlignmentRun,
  embedding: EmbeddingRun,
  generic: GenericRun,
};
