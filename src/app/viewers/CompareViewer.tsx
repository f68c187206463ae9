// Before/after comparison (Image2Image): a split view (left of the split = before, right = after)
// or a toggle between the two (key T), with one contrast window for both, computed from the input
// ("Link windows" off gives the output its own automatic window; it starts off unless the two sides
// share a value range — same dtype and overlapping [min, max], render/compare.ts — e.g. off for the
// float32 0…1 result of a uint8 image, and says why; a tick by the user is kept).
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { NDArray } from '../../core/ndarray';
import { ContrastControls } from './ContrastControls';
import { formatWH } from './render/dims';
import { ImageCanvas } from './ImageCanvas';
import { RangeField, type SliceNav } from './controls';
import { useContrast, usePixels, usePlanes, useValueRange, useWindow } from './contrast';
import { LinkWindows } from './LinkWindows';
import { valueText } from './ImageViewer';
import { separateWindowsReason, splitComposite } from './render/compare';
import { ViewerFrame } from './ViewerFrame';

export interface CompareViewerProps {
  before: NDArray | null | undefined;
  after: NDArray | null | undefined;
  beforeError?: string | null;
  afterError?: string | null;
  loading?: boolean;
  nav?: SliceNav;
  /** The run's outputs, when `nav` moves through the slices of one (a sliced run viewer). */
  outputNav?: SliceNav;
  /** The input the linked window comes from (default `before`): a volume's reference slice, kept across slices. */
  windowFrom?: NDArray | null;
  /** Written to the canvas's `data-drawn` once drawn (the slice index). */
  drawnTag?: string;
}

type Mode = 'split' | 'toggle';

export function CompareViewer({ before, after, beforeError, afterError, loading, nav, outputNav, windowFrom, drawnTag }: CompareViewerProps) {
  const [contrast, setContrast] = useContrast();
  // null: automatic — linked when the two sides share a value range.
  const [linkChoice, setLink] = useState<boolean | null>(null);
  const [mode, setMode] = useState<Mode>('split');
  const [showAfter, setShowAfter] = useState(true);
  const [split, setSplit] = useState(0.5);
  const modeName = useId();

  const bp = usePlanes(before);
  const ap = usePlanes(after);
  const reference = usePlanes(windowFrom).planes;
  const winB = useWindow(contrast, reference ?? bp.planes);
  // Unlinked, the output gets its own window (its own auto window when the input's is manual).
  const winOwn = useWindow(contrast.mode === 'manual' ? { ...contrast, mode: 'auto' } : contrast, ap.planes);
  const rangeB = useValueRange(reference ?? bp.planes);
  const rangeA = useValueRange(ap.planes);
  const reason = rangeB && rangeA ? separateWindowsReason(rangeB, rangeA) : null;
  const link = linkChoice ?? !reason;
  const winA = link ? winB : winOwn;
  const rgb = (bp.planes ?? ap.planes)?.channels === 3;
  const cm = rgb ? 'gray' : contrast.colormap;
  const pixB = usePixels(bp.planes, winB, cm);
  const pixA = usePixels(ap.planes, winA, cm);
  const sameSize = !!(pixB && pixA && pixB.width === pixA.width && pixB.height === pixA.height);
  const effectiveMode: Mode = sameSize ? mode : 'toggle';
  const afterShown = effectiveMode === 'toggle' ? (pixA && pixB ? showAfter : !!pixA) : true;

  const pixels = useMemo(() => {
    if (effectiveMode === 'split' && pixB && pixA) return splitComposite(pixB, pixA, split * pixB.width);
    return afterShown ? pixA : pixB;
  }, [effectiveMode, pixA, pixB, split, afterShown]);

  const toggle = () => {
    if (effectiveMode === 'split') {
      setMode('toggle');
      setShowAfter(false);
    } else setShowAfter((v) => !v);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const t = e.target as HTMLElement;
    if (t.closest('input[type="text"], input:not([type]), textarea, select')) return;
    if ((e.key === 't' || e.key === 'T') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      toggle();
    }
  };

  const problem = beforeError && afterError ? `${beforeError} ${afterError}` : (bp.error ?? ap.error);
  const notes = [
    beforeError && !afterError ? `The input cannot be shown: ${beforeError}` : null,
    afterError && !beforeError ? `The output cannot be shown: ${afterError}` : null,
    pixA && pixB && !sameSize
      ? `Input (${formatWH(pixB.width, pixB.height)} px) and output (${formatWH(pixA.width, pixA.height)} px) differ in size: toggle between them.`
      : null,
  ];

  return (
    <ViewerFrame
      name="compare-viewer"
      onKeyDown={onKey}
      toolbar={<ContrastControls state={contrast} onChange={setContrast} window={winB} rgb={rgb} />}
      controls={
        <>
          <LinkWindows linked={link} reason={reason} onChange={setLink} />
          <span className="segmented" role="radiogroup" aria-label="Comparison">
            {(['split', 'toggle'] as const).map((m) => (
              <label key={m} className={effectiveMode === m ? 'on' : undefined}>
                <input
                  type="radio"
                  name={modeName}
                  value={m}
                  checked={effectiveMode === m}
                  disabled={m === 'split' && !sameSize}
                  onChange={() => setMode(m)}
                  data-testid={`compare-mode-${m}`}
                />
                {m === 'split' ? 'Split' : 'Toggle'}
              </label>
            ))}
          </span>
          {effectiveMode === 'split' ? (
            <RangeField
              label="Split"
              testId="split-slider"
              value={split}
              min={0}
              max={1}
              step={0.01}
              onChange={setSplit}
              format={(v) => `${Math.round(v * 100)}%`}
            />
          ) : (
            <button
              type="button"
              className="small"
              aria-pressed={afterShown}
              onClick={toggle}
              data-testid="compare-toggle"
              title="Switch between before and after (T)"
            >
              Showing {afterShown ? 'after' : 'before'} · T
            </button>
          )}
        </>
      }
      loading={loading}
      notes={notes}
      problem={problem}
      waiting={pixels ? null : 'Loading images…'}
      nav={nav}
      outputNav={outputNav}
    >
      <ImageCanvas
        pixels={pixels}
        drawnTag={drawnTag}
        label={effectiveMode === 'split' ? 'Before and after, split' : afterShown ? 'After' : 'Before'}
        readout={(x, y) => {
          const b = valueText(bp.planes, x, y);
          const a = valueText(ap.planes, x, y);
          return effectiveMode === 'split' ? `before ${b} · after ${a}` : afterShown ? `after ${a}` : `before ${b}`;
        }}
        overlay={(t, size) =>
          effectiveMode === 'split' && pixB ? (
            <>
              <div
                className="split-line"
                style={{ left: Math.max(0, Math.min(size.width, t.tx + Math.round(split * pixB.width) * t.zoom)) }}
                aria-hidden="true"
              />
              <span className="corner-tag left" aria-hidden="true">
                before
              </span>
              <span className="corner-tag right" aria-hidden="true">
                after
              </span>
            </>
          ) : (
            <span className="corner-tag left" aria-hidden="true">
              {afterShown ? 'after' : 'before'}
            </span>
          )
        }
      />
    </ViewerFrame>
  );
}
