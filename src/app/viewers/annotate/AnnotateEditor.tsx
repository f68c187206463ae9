// The Annotate mode: an editable label layer (napari's Labels layer) over an image, a stack's slices
// or a volume's Z slices. Tools, shortcuts and help: shortcuts.ts; pointer input: pointerTool.ts; the
// layer's canvas: LayerCanvas.tsx; saving: persistence.ts; drafts: drafts.ts / useDraft.ts. The root carries
// data-slice, data-tool, data-label, data-undo, data-redo, data-painted-count and data-labels-hash (of
// the slice shown) for tests.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { LabelLayer } from '../../../core/labels/layer';
import { addMaskObject } from '../../../core/labels/mask';
import type { NDArray } from '../../../core/ndarray';
import { useApi } from '../../apiContext';
import { invalidateData } from '../../state/queries';
import { ContrastControls } from '../ContrastControls';
import { errorText } from '../controls';
import { useContrast, usePixels, usePlanes, useWindow } from '../contrast';
import { ImageCanvas, type ViewTransform } from '../ImageCanvas';
import { valueText } from '../ImageViewer';
import { labelPalette, paletteColor } from '../render/labelTables';
import { blackRGBA } from '../render/overlay';
import { useLabelColors } from '../useLabelColors';
import { SavedAs } from '../SavedAs';
import { ViewerFrame } from '../ViewerFrame';
import { AnnotateHelp } from './AnnotateHelp';
import { AnnotateToolbar, MAX_BRUSH } from './AnnotateToolbar';
import { useLayerPainter } from './LayerCanvas';
import { labelsHash, paintedCount } from './layerPixels';
import { applyDraft, clearDraft, loadDraft, type Draft } from './drafts';
import { readBaseSlice, saveLabelLayer } from './persistence';
import { finishPath, newToolState, pointerTool, type ToolHost } from './pointerTool';
import { actionOf, type AnnotateAction, type AnnotateTool } from './shortcuts';
import { SamPanel, SamPreview, samUnavailable } from './SamTool';
import type { AnnotateTarget } from './target';
import { useDraft } from './useDraft';
import { useSamObjects } from './useSamObjects';

function inFormField(t: EventTarget): boolean {
  return t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
}

/** `startFrom`: the "Start from" picker, shown first in the toolbar. */
export function AnnotateEditor({ target, startFrom }: { target: AnnotateTarget; startFrom?: ReactNode }) {
  const api = useApi();
  const qc = useQueryClient();
  const { width, height, depth } = target;
  const layer = useMemo(() => new LabelLayer(width, height, depth), [width, height, depth]);
  const [slice, setSlice] = useState(() => (target.kind === 'stack' ? 0 : Math.floor((depth - 1) / 2)));
  const [shown, setShown] = useState<{ k: number; image: NDArray | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [tool, setTool] = useState<AnnotateTool>('brush');
  const [size, setSize] = useState(10);
  const [label, setLabel] = useState(1);
  const [opacity, setOpacity] = useState(0.6);
  const [outline, setOutline] = useState(false);
  const [preserve, setPreserve] = useState(false);
  const [help, setHelp] = useState(false);
  const [space, setSpace] = useState(false);
  const [path, setPath] = useState<number[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<{ id: string; name: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const savedVersion = useRef(0);
  const toolState = useRef(newToolState());
  const pendingSlices = useRef(new Map<number, Promise<void>>());
  // The draft kept for this target, offered until restored, discarded or superseded by an edit.
  useEffect(() => {
    let live = true;
    loadDraft(api, target).then(
      (d) => live && layer.version === 0 && setDraft(d),
      (e: unknown) => live && setError(`The unsaved edits kept for ${target.name} could not be read: ${errorText(e)}`),
    );
    return () => {
      live = false;
    };
  }, [api, target, layer]);
  const { colors } = useLabelColors(target.base ? { datasetId: target.base.id, key: target.base.key } : null);
  const [contrast, setContrast] = useContrast();
  const bump = useCallback(() => setTick((t) => t + 1), []);

  const ensureSlice = useCallback(
    (k: number): Promise<void> => {
      if (layer.has(k)) return Promise.resolve();
      let p = pendingSlices.current.get(k);
      if (!p) {
        p = readBaseSlice(api, target, k).then((v) => layer.load(k, v));
        pendingSlices.current.set(k, p);
        p.finally(() => pendingSlices.current.delete(k)).catch(() => undefined);
      }
      return p;
    },
    [api, target, layer],
  );

  // Read slice k's image and labels; the previous slice stays shown meanwhile (and is dropped from
  // memory when it has no edits).
  useEffect(() => {
    let live = true;
    setError(null);
    Promise.all([target.readImage(slice), ensureSlice(slice)]).then(
      ([image]) => {
        if (!live) return;
        setShown((prev) => {
          if (prev && prev.k !== slice) layer.drop(prev.k);
          return { k: slice, image };
        });
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [slice, target, ensureSlice, layer]);

  const ready = shown?.k === slice;
  const labels = shown ? layer.data(shown.k) : null;
  const { planes, error: imageError } = usePlanes(shown?.image);
  const win = useWindow(contrast, planes);
  const base = usePixels(planes, win, planes?.channels === 3 ? 'gray' : contrast.colormap);
  const black = useMemo(() => ({ width, height, data: blackRGBA(width, height) }), [width, height]);
  const pixels = base && base.width === width && base.height === height ? base : black;
  const painter = useLayerPainter(width, height, { colors, opacity, outline }, labels, shown);

  // Recounted after each edit (`tick`), never per pointer event.
  const factsOf = useCallback((l: Int32Array | null, _tick: number) => (l ? { count: paintedCount(l), hash: labelsHash(l) } : null), []);
  const facts = useMemo(() => factsOf(labels, tick), [factsOf, labels, tick]);
  const unsaved = layer.version !== savedVersion.current;
  const { state: draftState, error: draftError } = useDraft(target, layer, unsaved, tick);

  const host: ToolHost = {
    layer,
    slice,
    settings: { tool, label, size, preserve },
    ready,
    paint: (r) => labels && painter.paint(labels, r),
    committed: () => {
      setDraft(null);
      setSaved(null);
      bump();
    },
    pick: (l) => setLabel(l),
    path: setPath,
  };

  // The SAM tool: an accepted object is one history step under the current label; then the next label.
  const samReason = useMemo(() => samUnavailable(target), [target]);
  const sam = useSamObjects(samReason ? null : target.imageId, width, height, tool === 'sam', (mask) => {
    if (!ready || mask.shape[0] !== height || mask.shape[1] !== width) return;
    const r = addMaskObject(layer, slice, mask.data, label, preserve);
    if (r.rect) painter.paint(layer.data(slice), r.rect);
    host.committed();
    setLabel(r.next);
  });

  const undoRedo = (dir: 'undo' | 'redo') => {
    toolState.current = newToolState();
    setPath([]);
    const r = dir === 'undo' ? layer.undo() : layer.redo();
    if (!r) return;
    if (r.step.slice === shown?.k && labels) painter.paint(labels, r.rect);
    // Undo across slices: show the slice the step changed.
    else setSlice(r.step.slice);
    setSaved(null);
    bump();
  };

  const newLabel = () => setLabel(layer.newLabel());

  const act = (a: AnnotateAction) => {
    if ('tool' in a) {
      if (a.tool === 'sam' && samReason) return;
      setTool(a.tool);
      toolState.current.vertices = [];
      setPath([]);
      return;
    }
    switch (a.do) {
      case 'newLabel':
        return newLabel();
      case 'smaller':
        return setSize((s) => Math.max(1, s - 1));
      case 'larger':
        return setSize((s) => Math.min(MAX_BRUSH, s + 1));
      case 'undo':
      case 'redo':
        return undoRedo(a.do);
      case 'help':
        return setHelp((h) => !h);
      case 'outline':
        return setOutline((o) => !o);
      case 'finish':
        return tool === 'sam' ? sam.accept() : finishPath(host, toolState.current);
      case 'cancel':
        if (tool === 'sam') sam.clear();
        toolState.current.vertices = [];
        setHelp(false);
        return setPath([]);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (inFormField(e.target)) return;
    if (e.key === ' ') {
      e.preventDefault();
      setSpace(true);
      return;
    }
    const a = actionOf(e);
    if (!a) return;
    e.preventDefault();
    act(a);
  };
  useEffect(() => {
    if (!space) return;
    const up = (e: globalThis.KeyboardEvent) => e.key === ' ' && setSpace(false);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', () => setSpace(false), { once: true });
    return () => window.removeEventListener('keyup', up);
  }, [space]);

  const restore = async () => {
    const d = draft;
    if (!d) return;
    setDraft(null);
    try {
      for (const k of new Set(d.tiles.map((t) => t.slice))) await ensureSlice(k);
      applyDraft(layer, d);
      if (labels) painter.paint(labels, null);
      bump();
    } catch (e) {
      setError(`The unsaved edits could not be restored: ${errorText(e)}`);
    }
  };
  const discard = () => {
    setDraft(null);
    clearDraft(api, target).catch((e: unknown) => setError(`The unsaved edits could not be discarded: ${errorText(e)}`));
  };

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const version = layer.version;
      const id = await saveLabelLayer(api, target, { slices: layer.dirtyTiles() });
      savedVersion.current = version;
      await clearDraft(api, target);
      setSaved({ id, name: `${target.name} (edited)` });
      await invalidateData(qc);
      bump();
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const zoom = useRef(1);
  const overlay = (t: ViewTransform) => {
    zoom.current = t.zoom;
    return (
      <>
        {painter.overlay(t)}
        {tool === 'sam' && <SamPreview sam={sam} rgb={paletteColor(labelPalette(colors), label)} opacity={opacity} t={t} />}
        {path.length >= 2 && (
          <svg className="prompt-marks annotate-path" aria-hidden="true">
            <polyline
              points={Array.from(
                { length: path.length / 2 },
                (_, i) => `${(path[2 * i]! + 0.5) * t.zoom + t.tx},${(path[2 * i + 1]! + 0.5) * t.zoom + t.ty}`,
              ).join(' ')}
            />
          </svg>
        )}
      </>
    );
  };

  const h = layer.history;
  const when = draft ? new Date(draft.savedAt).toLocaleTimeString() : '';
  const strokes = draft ? `${draft.strokes} stroke${draft.strokes === 1 ? '' : 's'}` : '';
  return (
    <ViewerFrame
      name="annotate-editor"
      rootProps={{
        'data-target': target.key,
        'data-tool': tool,
        'data-label': label,
        'data-size': size,
        'data-slice': shown?.k ?? -1,
        'data-ready': ready ? 'true' : 'false',
        'data-undo': h.undoCount,
        'data-redo': h.redoCount,
        'data-painted-count': facts?.count ?? 0,
        'data-labels-hash': facts?.hash ?? '',
        'data-unsaved': unsaved ? 'true' : 'false',
        'data-draft': draftState,
      }}
      onKeyDown={onKeyDown}
      toolbar={planes && <ContrastControls state={contrast} onChange={setContrast} window={win} rgb={planes.channels === 3} />}
      controls={
        <>
          {startFrom}
          <AnnotateToolbar
            tool={tool}
            unavailable={samReason ? { sam: samReason } : undefined}
            onTool={(t) => act({ tool: t })}
            size={size}
            onSize={setSize}
            label={label}
            onLabel={setLabel}
            onNewLabel={newLabel}
            colors={colors}
            opacity={opacity}
            onOpacity={setOpacity}
            outline={outline}
            onOutline={setOutline}
            preserve={preserve}
            onPreserve={setPreserve}
            undo={h.undoCount}
            redo={h.redoCount}
            onUndo={() => undoRedo('undo')}
            onRedo={() => undoRedo('redo')}
            onHelp={() => setHelp((x) => !x)}
          />
        </>
      }
      loading={!ready}
      notes={[
        imageError ? `The image cannot be shown: ${imageError}` : null,
        !target.imageId ? 'No image is known for these labels: they are drawn over black.' : null,
      ]}
      problem={error}
      nav={depth > 1 ? { index: slice, count: depth, onChange: setSlice, label: target.sliceLabel } : undefined}
    >
      <div className="viewer-split annotate-split">
        <ImageCanvas
          pixels={pixels}
          label="Annotate: paint labels"
          tool={space ? undefined : tool === 'sam' ? sam.tool : pointerTool(host, toolState.current, () => zoom.current)}
          overlay={overlay}
          onKeyDown={(e) => {
            if (actionOf(e)) e.preventDefault();
          }}
          readout={(x, y) => `${planes ? `${valueText(planes, x, y)} · ` : ''}label ${labels ? labels[y * width + x] : '…'}`}
        />
        {help && <AnnotateHelp onClose={() => setHelp(false)} />}
        <aside className="viewer-side annotate-side" aria-label="Annotation">
          {draft && (
            <div className="annotate-draft" data-testid="annotate-draft">
              <p className="small-text">
                Unsaved edits of this {target.kind === 'mask' ? 'mask' : 'layer'} were kept ({strokes}, {draft.tiles.length} tile
                {draft.tiles.length === 1 ? '' : 's'}, {when}).
              </p>
              <div className="row wrap">
                <button type="button" className="primary small" data-testid="annotate-restore" onClick={() => void restore()}>
                  Restore unsaved edits ({strokes}, {when})
                </button>
                <button type="button" className="small" data-testid="annotate-discard" onClick={discard}>
                  Discard
                </button>
              </div>
            </div>
          )}
          {tool === 'sam' && target.imageId && !samReason && <SamPanel sam={sam} imageId={target.imageId} label={label} />}
          <h3>Labels</h3>
          <p className="small-text" data-testid="annotate-summary">
            {facts ? `${facts.count.toLocaleString()} labelled px in this ${depth > 1 ? 'slice' : 'image'}` : 'Loading…'} · {h.undoCount} step
            {h.undoCount === 1 ? '' : 's'} to undo
          </p>
          <p className={draftState === 'failed' ? 'small-text error-text' : 'muted small-text'} data-testid="annotate-draft-state">
            {draftState === 'failed'
              ? `These edits could not be kept as a draft (${draftError ?? 'unknown error'}): save them.`
              : draftState === 'saved'
                ? 'Unsaved edits are kept in this browser until you save.'
                : unsaved
                  ? 'Unsaved edits.'
                  : 'No unsaved edits.'}
          </p>
          <button type="button" className="primary" data-testid="annotate-save" disabled={saving || !layer.edited} onClick={() => void save()}>
            {saving ? 'Saving…' : 'Save as new version'}
          </button>
          {saved && <SavedAs saved={saved} testId="annotate-saved" openTestId="annotate-saved-open" />}
          {saveError && <p className="small-text error-text">{saveError}</p>}
          <p className="muted small-text">
            {target.base ? `Editing ${target.name}; saving makes a new dataset, the original is kept.` : `A new label layer over ${target.name}.`} Press ? for
            the shortcuts.
          </p>
        </aside>
      </div>
    </ViewerFrame>
  );
}
