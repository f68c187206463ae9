// The Annotate SAM tool's view: when it is unavailable (stacks, volumes, no image), the live mask of the
// object being segmented drawn over the layer in the current label's colour, outlined white (with its prompts), and the
// side panel section: the embedding (or "Compute embedding"), the mask's area, Accept object and Clear.
import { useLayoutEffect, useRef } from 'react';
import type { ViewTransform } from '../ImageCanvas';
import { ComputeEmbedding } from '../PromptMode';
import { PromptMarks } from '../PromptMarks';
import { errorText } from '../controls';
import type { AnnotateTarget } from './target';
import type { SamObjects } from './useSamObjects';

/** Why the SAM tool cannot be used on a target (null: it can). */
export function samUnavailable(t: AnnotateTarget): string | null {
  if (t.depth > 1) return 'SAM objects work on 2-D images only: embeddings are computed for one image, not for the slices of a stack or a volume.';
  if (!t.imageId || t.imageId.startsWith('stack:')) return 'SAM objects need the image under the labels, and none is known for this layer.';
  return null;
}

/** The live mask (label colour, `opacity`) and the prompts, under the image's transform. */
export function SamPreview({ sam, rgb, opacity, t }: { sam: SamObjects; rgb: readonly number[] | null; opacity: number; t: ViewTransform }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const mask = sam.mask;
  const [w, h] = mask ? [mask.shape[1]!, mask.shape[0]!] : [0, 0];
  useLayoutEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || !mask || !w || !h) return;
    const img = new ImageData(w, h);
    const [r = 255, g = 255, b = 255] = rgb ?? [];
    const a = Math.round(255 * Math.max(0.35, opacity));
    const m = mask.data;
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      const x = i % w;
      // Its border opaque white, so the live object stands out from the image and the accepted labels.
      const edge = x === 0 || x === w - 1 || i < w || i >= m.length - w || !m[i - 1] || !m[i + 1] || !m[i - w] || !m[i + w];
      img.data.set(edge ? [255, 255, 255, 255] : [r, g, b, a], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
  }, [mask, w, h, rgb, opacity]);
  return (
    <>
      {mask && (
        <div className="annotate-layer sam-preview" style={{ width: w, height: h, transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.zoom})` }}>
          <canvas ref={ref} width={w} height={h} className={t.zoom >= 1 ? 'pixelated' : undefined} data-testid="annotate-sam-preview" />
        </div>
      )}
      <PromptMarks edits={sam.edits} dragBox={sam.dragBox} t={t} />
    </>
  );
}

/** The side panel section: data-* attributes carry the mask's area and prompts for tests. */
export function SamPanel({ sam, imageId, label }: { sam: SamObjects; imageId: string; label: number }) {
  const { live } = sam;
  const result = live.result;
  let body;
  if (sam.lookup === 'error') body = <p className="small-text error-text">{errorText(sam.lookupError)}</p>;
  else if (sam.lookup === 'loading') body = <p className="muted small-text">Looking for a stored embedding…</p>;
  else if (sam.lookup === 'none') body = <ComputeEmbedding imageId={imageId} />;
  else if (live.openError) body = <p className="small-text error-text">{live.openError}</p>;
  else if (!live.session) body = <p className="muted small-text">Opening the prompt decoder…</p>;
  else {
    body = (
      <>
        <p className="muted small-text">Click: object · Shift-click or right-click: background · Drag: box · Enter: accept · Esc: clear</p>
        <p className="small-text" role="status" data-testid="annotate-sam-status">
          {live.error ? (
            <span className="error-text">{live.error}</span>
          ) : !sam.edits.length ? (
            `Click object ${label}.`
          ) : result ? (
            <>
              {sam.maskArea.toLocaleString()} px for label {label}
              {!sam.current && <span className="muted"> · updating…</span>}
            </>
          ) : (
            <span className="muted">Decoding…</span>
          )}
        </p>
        <div className="row wrap">
          <button
            type="button"
            className="primary small"
            data-testid="annotate-sam-accept"
            disabled={!sam.edits.length || sam.accepting}
            onClick={sam.accept}
            title="Write this object into the layer under the current label, then start the next label (Enter)"
          >
            {sam.accepting ? 'Accepting…' : 'Accept object'}
          </button>
          <button
            type="button"
            className="small"
            data-testid="annotate-sam-clear"
            disabled={!sam.edits.length}
            onClick={sam.clear}
            title="Remove the prompts (Esc)"
          >
            Clear
          </button>
        </div>
      </>
    );
  }
  return (
    <section
      className="annotate-sam"
      data-testid="annotate-sam"
      data-embedding={sam.embeddingId ?? ''}
      data-mask-area={sam.maskArea}
      data-mask-prompts={result ? JSON.stringify(result.prompts) : ''}
      data-current={sam.current ? 'true' : 'false'}
      data-busy={live.busy ? 'true' : 'false'}
    >
      <h3>SAM object</h3>
      {body}
    </section>
  );
}
