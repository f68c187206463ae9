// "View" / "Click to segment" for images and embeddings. On an Image, the newest stored embedding
// (algobox.prompts.embeddingsFor) is used; without one, "Compute embedding" runs the installed
// sam_embedding algorithm on the image and enters the mode when the run completes.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { DatasetMeta } from '../../core/records';
import { useApi } from '../apiContext';
import { useExecution } from '../state/queries';
import { ViewerMessage, errorText, type SliceNav } from './controls';
import { PromptSegmenter } from './PromptSegmenter';

export type ViewerMode = 'view' | 'segment' | 'annotate';

/** The embedding algorithm "Compute embedding" runs. */
export const EMBEDDING_ALGORITHM = 'sam_embedding';

/** Does a dataset look like a SAM embedding (features of 256·64·64 values and an original size)? */
export function isPromptableEmbedding(meta: DatasetMeta | null | undefined): boolean {
  const f = meta?.keys.features;
  return (
    !!f &&
    !!meta?.keys.original_size &&
    f.dtype === 'float32' &&
    f.shape.reduce((a, b) => a * b, 1) === 256 * 64 * 64 &&
    f.shape.slice(-2).join('x') === '64x64'
  );
}

const embeddingsKey = (imageId: string) => ['prompt-embeddings', imageId] as const;

/** Embedding ids of an image usable for click-to-segment, newest first. */
export function useEmbeddingsFor(imageId: string | null) {
  const api = useApi();
  return useQuery({ queryKey: embeddingsKey(imageId ?? '-'), queryFn: () => api.prompts.embeddingsFor(imageId!), enabled: !!imageId, staleTime: 0 });
}

const MODES: Record<ViewerMode, { label: string; title: string }> = {
  view: { label: 'View', title: 'Look at the data' },
  segment: { label: 'Click to segment', title: 'Segment with clicks and boxes (SAM decoder on a stored embedding)' },
  annotate: { label: 'Annotate', title: 'Paint, fill and erase labels (brush, fill, polygon, lasso; undo; saved as a new Segmentation dataset)' },
};

/** The mode switch above a viewer (`mode-view`, `mode-segment`, `mode-annotate`). */
export function ModeBar({
  mode,
  onChange,
  hint,
  modes = ['view', 'segment'],
}: {
  mode: ViewerMode;
  onChange: (m: ViewerMode) => void;
  hint?: ReactNode;
  modes?: readonly ViewerMode[];
}) {
  return (
    <div className="viewer-modes" role="group" aria-label="Viewer mode">
      {modes.map((m) => (
        <button key={m} type="button" className="small" aria-pressed={mode === m} data-testid={`mode-${m}`} onClick={() => onChange(m)} title={MODES[m].title}>
          {MODES[m].label}
        </button>
      ))}
      {hint && <span className="muted small-text">{hint}</span>}
    </div>
  );
}

/** An image's viewer with the click-to-segment and annotate modes beside it (`annotate`: the Annotate mode's view). */
export function PromptableImage({ imageId, children, annotate }: { imageId: string; children: ReactNode; annotate?: ReactNode }) {
  const [mode, setMode] = useState<ViewerMode>('view');
  const embeddings = useEmbeddingsFor(imageId);
  const has = (embeddings.data?.length ?? 0) > 0;
  return (
    <>
      <ModeBar
        mode={mode}
        onChange={setMode}
        modes={annotate ? ['view', 'segment', 'annotate'] : ['view', 'segment']}
        hint={mode === 'view' && has ? 'an embedding is stored for this image' : null}
      />
      {mode === 'view' ? children : mode === 'annotate' ? annotate : <ImagePrompts imageId={imageId} />}
    </>
  );
}

/** A viewer with the Annotate mode beside it (masks, stacks, volumes). */
export function AnnotatableView({ children, annotate }: { children: ReactNode; annotate: ReactNode }) {
  const [mode, setMode] = useState<ViewerMode>('view');
  return (
    <>
      <ModeBar mode={mode} onChange={setMode} modes={['view', 'annotate']} />
      {mode === 'annotate' ? annotate : children}
    </>
  );
}

function ImagePrompts({ imageId }: { imageId: string }) {
  const embeddings = useEmbeddingsFor(imageId);
  if (embeddings.isError) return <ViewerMessage kind="error">{errorText(embeddings.error)}</ViewerMessage>;
  if (!embeddings.data) return <ViewerMessage kind="loading">Looking for a stored embedding…</ViewerMessage>;
  const id = embeddings.data[0];
  if (id) return <PromptSegmenter key={id} embeddingId={id} />;
  return <ComputeEmbedding imageId={imageId} />;
}

/** No embedding yet: run sam_embedding on the image, show its progress, then segment. */
export function ComputeEmbedding({ imageId }: { imageId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const alg = useQuery({ queryKey: ['algorithm-by-name', EMBEDDING_ALGORITHM], queryFn: () => api.algorithms.get(EMBEDDING_ALGORITHM), retry: false });
  const [runId, setRunId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const run = useExecution(runId);
  const status = run?.status ?? null;

  const start = async () => {
    if (!alg.data) return;
    setStartError(null);
    try {
      const id = await api.execute({ algorithmId: alg.data.id, inputDatasetIds: [imageId] });
      setRunId(id);
      const rec = await api.executions.wait(id);
      if (rec.status === 'COMPLETED') await qc.invalidateQueries({ queryKey: embeddingsKey(imageId) });
    } catch (e) {
      setStartError(errorText(e));
    }
  };

  if (alg.isLoading) return <ViewerMessage kind="loading">Looking for {EMBEDDING_ALGORITHM}…</ViewerMessage>;
  if (alg.isError) {
    return (
      <ViewerMessage testId="prompt-no-algorithm">
        This image has no stored embedding, and the {EMBEDDING_ALGORITHM} algorithm that computes one is not installed ({errorText(alg.error)}).
      </ViewerMessage>
    );
  }
  const running = runId !== null && (status === null || status === 'PENDING' || status === 'STARTED' || status === 'RUNNING');
  return (
    <ViewerMessage testId="prompt-compute">
      <p>This image has no stored embedding yet. Computing one runs the encoder once (a few seconds); then every click only runs the small decoder.</p>
      {running ? (
        <div role="status" data-testid="prompt-compute-progress">
          Computing the embedding with {alg.data!.name} {alg.data!.version}… {Math.round((run?.progress ?? 0) * 100)}%
          <div className="progress" style={{ width: 200, margin: '8px auto 0' }}>
            <div style={{ width: `${Math.round((run?.progress ?? 0) * 100)}%` }} />
          </div>
        </div>
      ) : (
        <button type="button" className="primary" data-testid="prompt-compute-button" onClick={() => void start()}>
          Compute embedding ({alg.data!.name} {alg.data!.version})
        </button>
      )}
      {status === 'FAILED' && <p className="error-text">The run failed: {run?.error?.message ?? 'no message'}</p>}
      {status === 'CANCELLED' && <p className="muted">The run was cancelled.</p>}
      {startError && <p className="error-text">{startError}</p>}
    </ViewerMessage>
  );
}

/** An embedding's viewer with the click-to-segment mode beside it. */
export function PromptableEmbedding({ embeddingId, nav, children }: { embeddingId: string; nav?: SliceNav; children: ReactNode }) {
  const [mode, setMode] = useState<ViewerMode>('view');
  return (
    <>
      <ModeBar mode={mode} onChange={setMode} />
      {mode === 'view' ? children : <PromptSegmenter key={embeddingId} embeddingId={embeddingId} {...(nav ? { nav } : {})} />}
    </>
  );
}
