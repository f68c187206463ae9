// A run's results: the viewer its algorithm type calls for, with the run's inputs beside its outputs.
// The type comes from the algorithm record, or — when the algorithm was removed — from the schema of
// the outputs (and inputs).
import { useState } from 'react';
import type { ExecutionRecord } from '../../core/records';
import { useDataset, useExecution } from '../state/queries';
import { AlignmentViewer } from './AlignmentViewer';
import { CompareViewer } from './CompareViewer';
import { EmbeddingViewer } from './EmbeddingViewer';
import { GenericViewer } from './GenericViewer';
import { SegmentationViewer } from './SegmentationViewer';
import { ViewerMessage, errorText, type SliceNav } from './controls';
import { arrayField, typeFromSchemas, useAlgorithm, useExecutionRecord, useKeep } from './data';
import { alignmentFacts } from './DatasetView';
import { PromptableEmbedding, isPromptableEmbedding } from './PromptMode';

function useNav(count: number, label: string, describe?: (i: number) => string): [number, SliceNav] {
  const [index, setIndex] = useState(0);
  const i = Math.max(0, Math.min(count - 1, index));
  return [i, { index: i, count, onChange: setIndex, label, ...(describe ? { describe } : {}) }];
}

function CompareRun({ rec }: { rec: ExecutionRecord }) {
  const n = rec.outputDatasetIds.length;
  const [i, nav] = useNav(n, 'Image');
  const before = useDataset(rec.inputDatasetIds[i] ?? null, ['image']);
  const after = useDataset(rec.outputDatasetIds[i], ['image']);
  const b = useKeep(arrayField(before.data, 'image'));
  const a = useKeep(arrayField(after.data, 'image'));
  return (
    <CompareViewer
      before={before.isError ? null : b}
      after={after.isError ? null : a}
      beforeError={before.isError ? errorText(before.error) : rec.inputDatasetIds[i] ? null : `Output ${i + 1} has no matching input.`}
      afterError={after.isError ? errorText(after.error) : null}
      loading={before.isFetching || after.isFetching}
      nav={nav}
    />
  );
}

function SegmentationRun({ rec, seg2seg }: { rec: ExecutionRecord; seg2seg: boolean }) {
  const n = rec.outputDatasetIds.length;
  const [i, nav] = useNav(n, 'Image');
  const out = useDataset(rec.outputDatasetIds[i], ['mask']);
  const src = useDataset(rec.inputDatasetIds[i] ?? null, ['image', 'mask']);
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
      loading={out.isFetching || src.isFetching}
      error={out.isError ? errorText(out.error) : null}
      note={src.isError ? `The input is not available (${errorText(src.error)}): showing the labels alone.` : null}
      nav={nav}
      label={`Mask ${i + 1}`}
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

function Results({ rec }: { rec: ExecutionRecord }) {
  const alg = useAlgorithm(rec.algorithmId);
  const firstOut = useDataset(alg.isError ? rec.outputDatasetIds[0] : null, []);
  const firstIn = useDataset(alg.isError ? (rec.inputDatasetIds[0] ?? null) : null, []);
  if (!rec.outputDatasetIds.length) return <ViewerMessage>This run produced no outputs.</ViewerMessage>;
  let type: string | null = alg.data?.algorithmType ?? null;
  if (alg.isError) {
    if (firstOut.isLoading || firstIn.isLoading) return <ViewerMessage kind="loading">Loading results…</ViewerMessage>;
    type = typeFromSchemas(firstOut.data?.meta.schema, firstIn.data?.meta.schema);
  }
  if (!type) return <ViewerMessage kind="loading">Loading results…</ViewerMessage>;
  switch (type) {
    case 'Image2Image':
      return <CompareRun rec={rec} />;
    case 'Image2Segmentation':
      return <SegmentationRun rec={rec} seg2seg={false} />;
    case 'Segmentation2Segmentation':
      return <SegmentationRun rec={rec} seg2seg />;
    case 'Image2Alignment':
      return <AlignmentRun rec={rec} />;
    case 'Image2Embedding':
      return <EmbeddingRun rec={rec} />;
    default:
      return <GenericRun rec={rec} />;
  }
}

export function ExecutionView({ id }: { id: string }) {
  const live = useExecution(id);
  const q = useExecutionRecord(id);
  const rec = live ?? q.data;
  if (!rec) {
    if (q.isError) return <ViewerMessage kind="error">{errorText(q.error)}</ViewerMessage>;
    return <ViewerMessage kind="loading">Loading run…</ViewerMessage>;
  }
  return (
    <div className="viewer-view" data-testid="execution-view" data-status={rec.status}>
      <header className="viewer-header">
        <h3 className="ellipsis" data-testid="viewer-title">
          {rec.algorithmName} {rec.algorithmVersion}
        </h3>
        <span className={`chip status-${rec.status.toLowerCase()}`}>{rec.status.toLowerCase()}</span>
        <span className="muted small-text">
          {rec.inputDatasetIds.length} in → {rec.outputDatasetIds.length} out
        </span>
      </header>
      {rec.status === 'COMPLETED' ? (
        <Results rec={rec} />
      ) : rec.status === 'FAILED' ? (
        <ViewerMessage kind="error">The run failed: {rec.error?.message ?? 'no message'}</ViewerMessage>
      ) : rec.status === 'CANCELLED' ? (
        <ViewerMessage>The run was cancelled; it has no results.</ViewerMessage>
      ) : (
        <ViewerMessage kind="loading">
          Running… {Math.round(rec.progress * 100)}%
          <div className="progress" style={{ width: 200, margin: '8px auto 0' }}>
            <div style={{ width: `${Math.round(rec.progress * 100)}%` }} />
          </div>
        </ViewerMessage>
      )}
    </div>
  );
}
