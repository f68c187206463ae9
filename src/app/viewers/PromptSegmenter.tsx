// Click to segment: the source image with the live mask of a stored embedding's prompt decoder.
// Left click = object point, Shift-click or right click = background point, drag = box (one; a new
// one replaces it); middle-drag pans, the wheel zooms. Undo / Clear edit the prompt list; the mask
// follows through a latest-wins session (only the newest pending prompts are decoded). "Save as
// segmentation" stores the mask as a Segmentation dataset and offers to open it.
import { useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useApi } from '../apiContext';
import { useDataset, invalidateData } from '../state/queries';
import { ContrastControls } from './ContrastControls';
import { formatWH } from './render/dims';
import { ImageCanvas, type ViewTransform } from './ImageCanvas';
import { valueText } from './ImageViewer';
import { OpacityField, ViewerMessage, errorText, type SliceNav } from './controls';
import { useContrast, usePixels, usePlanes, useWindow } from './contrast';
import { arrayField } from './data';
import { describeEdit, promptsOf, type PromptEdit } from './promptEdits';
import { PromptMarks } from './PromptMarks';
import { promptTool, sameBox, type Box, type PromptPress } from './promptTool';
import { blackRGBA, overlayLabels } from './render/overlay';
import { usePromptSession } from './usePromptSession';
import { SavedAs } from './SavedAs';
import { ViewerFrame } from './ViewerFrame';
import { maskQualityWords } from '../userWords';

/** The mask's colour (label 1): a cyan that stands out on most images; its outline is drawn opaque. */
const MASK_RGB = [0, 200, 255] as const;
const MASK_PALETTE = (() => {
  const lut = new Uint8Array(768);
  lut.set(MASK_RGB, 3);
  return lut;
})();

export function PromptSegmenter({ embeddingId, nav }: { embeddingId: string; nav?: SliceNav }) {
  const api = useApi();
  const qc = useQueryClient();
  const [edits, setEdits] = useState<PromptEdit[]>([]);
  const [dragBox, setDragBox] = useState<Box | null>(null);
  const press = useRef<PromptPress | null>(null);
  const prompts = useMemo(() => promptsOf(edits, dragBox), [edits, dragBox]);
  const live = usePromptSession(embeddingId, prompts);
  const { session } = live;
  const imageQ = useDataset(session?.imageDatasetId ?? null, ['image']);
  const image = arrayField(imageQ.data, 'image');
  const [contrast, setContrast] = useContrast();
  const [opacity, setOpacity] = useState(0.5);
  const [saved, setSaved] = useState<{ id: string; name: string } | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const helpId = useId();

  const { planes: rawPlanes, error: imageError } = usePlanes(image);
  const width = session?.width ?? 0;
  const height = session?.height ?? 0;
  const sizeMismatch = !!(rawPlanes && session && (rawPlanes.width !== width || rawPlanes.height !== height));
  const planes = sizeMismatch ? null : rawPlanes;
  const win = useWindow(contrast, planes);
  const base = usePixels(planes, win, planes?.channels === 3 ? 'gray' : contrast.colormap);
  const mask = live.result?.mask ?? null;
  const maskArea = useMemo(() => (mask ? (mask.data as Uint8Array).reduce((a, v) => a + (v ? 1 : 0), 0) : 0), [mask]);
  const pixels = useMemo(() => {
    if (!width || !height) return null;
    const under = base ? base.data : blackRGBA(width, height);
    if (!mask || mask.shape[0] !== height || mask.shape[1] !== width) return { width, height, data: under };
    const filled = overlayLabels(under, mask.data, width, height, { opacity, palette: MASK_PALETTE });
    return { width, height, data: overlayLabels(filled, mask.data, width, height, { opacity: 1, outline: true, palette: MASK_PALETTE }) };
  }, [base, mask, width, height, opacity]);

  const addEdit = (e: PromptEdit) => {
    setSaved(null);
    setEdits((cur) => [...cur, e]);
  };
  const undo = () => {
    setSaved(null);
    setEdits((cur) => cur.slice(0, -1));
  };
  const clear = () => {
    setSaved(null);
    setEdits([]);
    setDragBox(null);
  };

  const tool = promptTool({
    press,
    width,
    height,
    dragBox: (b) => setDragBox((cur) => (sameBox(cur, b) ? cur : b)),
    add: addEdit,
  });

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && (e.key === 'z' || e.key === 'Z')) {
      e.preventDefault();
      undo();
    } else if (e.key === 'Escape' && edits.length) {
      e.preventDefault();
      clear();
    }
  };

  const save = async () => {
    const r = live.result;
    if (!r) return;
    setSaving(true);
    setSaveError(null);
    try {
      const id = await api.prompts.save({
        embeddingDatasetId: embeddingId,
        mask: r.mask,
        prompts: { points: r.prompts.points, ...(r.prompts.box ? { box: r.prompts.box } : {}) },
      });
      const meta = (await api.datasets.get(id, [])).meta;
      setSaved({ id, name: meta.name });
      await invalidateData(qc);
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const marks = (t: ViewTransform) => <PromptMarks edits={edits} dragBox={dragBox} t={t} />;

  if (live.openError) return <ViewerMessage kind="error">{live.openError}</ViewerMessage>;
  if (!session) return <ViewerMessage kind="loading">Opening the prompt decoder…</ViewerMessage>;

  const notes = [
    !session.imageDatasetId ? 'The image this embedding was computed from is not known: the mask is shown over black.' : null,
    imageQ.isError ? `The source image is not available (${errorText(imageQ.error)}): the mask is shown over black.` : null,
    imageError ? `The source image cannot be shown: ${imageError}` : null,
    sizeMismatch && rawPlanes
      ? `The source image is ${formatWH(rawPlanes.width, rawPlanes.height)} px but the embedding is of a ${formatWH(width, height)} px image; the mask is shown over black.`
      : null,
  ].filter((n): n is string => !!n);
  const st = live.stats;
  const result = live.result;

  return (
    <ViewerFrame
      name="prompt-segmenter"
      rootProps={{
        'data-embedding': embeddingId,
        'data-image': session.imageDatasetId ?? '',
        'data-prompts': JSON.stringify(prompts ?? { points: [] }),
        'data-mask-area': maskArea,
        'data-mask-prompts': result ? JSON.stringify(result.prompts) : '',
        'data-busy': live.busy ? 'true' : 'false',
        'data-decodes': st?.decoded ?? 0,
        'data-ms': result ? result.ms.toFixed(1) : '',
      }}
      toolbar={planes && <ContrastControls state={contrast} onChange={setContrast} window={win} rgb={planes.channels === 3} />}
      controls={
        <>
          <OpacityField label="Mask opacity" testId="prompt-opacity" value={opacity} onChange={setOpacity} />
          <span id={helpId} className="muted small-text">
            Click: object · Shift-click or right-click: background · Drag: box · Middle-drag: pan · Wheel: zoom
          </span>
        </>
      }
      notes={notes}
      nav={nav}
    >
      <div className="viewer-split">
        <ImageCanvas
          pixels={pixels}
          label="Click to segment: click the object, shift-click the background, drag a box"
          tool={tool}
          overlay={marks}
          onKeyDown={onKey}
          readout={(x, y) => {
            const v = planes ? `${valueText(planes, x, y)} · ` : '';
            const m = mask && mask.shape[1] === width ? (mask.data[y * width + x] ? 'mask' : 'background') : '';
            return `${v}${m}`;
          }}
        />
        <aside className="viewer-side prompt-side" aria-label="Prompts" aria-describedby={helpId}>
          <h3>Prompts</h3>
          {edits.length === 0 ? (
            <p className="muted">Click the object to segment.</p>
          ) : (
            <ol className="prompt-list" data-testid="prompt-list">
              {edits.map((e, i) => (
                <li key={i} className={e.kind === 'point' ? (e.label ? 'positive' : 'negative') : 'box'}>
                  {describeEdit(e)}
                </li>
              ))}
            </ol>
          )}
          <div className="row wrap">
            <button type="button" className="small" onClick={undo} disabled={!edits.length} data-testid="prompt-undo" title="Remove the last prompt (Ctrl+Z)">
              Undo
            </button>
            <button type="button" className="small" onClick={clear} disabled={!edits.length} data-testid="prompt-clear" title="Remove every prompt (Esc)">
              Clear
            </button>
          </div>
          <h3>Mask</h3>
          <p className="small-text" role="status" data-testid="prompt-status">
            {live.error ? (
              <span className="error-text">{live.error}</span>
            ) : result ? (
              <>
                {maskArea.toLocaleString()} px ·{' '}
                <span title={`The model's predicted IoU of this mask: ${result.iou.toFixed(3)}`}>{maskQualityWords(result.iou)}</span> · {Math.round(result.ms)}{' '}
                ms
                {live.busy && <span className="muted"> · updating…</span>}
              </>
            ) : live.busy ? (
              <span className="muted">Decoding…</span>
            ) : (
              <span className="muted">No mask yet.</span>
            )}
          </p>
          {st && st.requests > 0 && (
            <p className="muted small-text" data-testid="prompt-stats">
              {st.decoded} decoded{st.superseded ? `, ${st.superseded} skipped (newer prompts came first)` : ''}
            </p>
          )}
          <button type="button" className="primary" onClick={() => void save()} disabled={!result || saving || live.busy} data-testid="prompt-save">
            {saving ? 'Saving…' : 'Save as segmentation'}
          </button>
          {saved && <SavedAs saved={saved} testId="prompt-saved" openTestId="prompt-saved-open" />}
          {saveError && <p className="small-text error-text">{saveError}</p>}
          <p className="muted small-text">
            Decoder: {session.algorithm.name} {session.algorithm.version}
          </p>
        </aside>
      </div>
    </ViewerFrame>
  );
}
