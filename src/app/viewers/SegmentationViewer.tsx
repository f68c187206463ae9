// Segmentation: mask labels over the source image (or over black when there is none), with opacity,
// outline mode and a label legend (colour table, each label's colour to pick, pixel count), saved with
// the mask's dataset (useLabelColors.ts). Label 0 is transparent.
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { NDArray } from '../../core/ndarray';
import { ContrastControls } from './ContrastControls';
import { ImageCanvas, type ImageCanvasProps } from './ImageCanvas';
import { OpacityField, type SliceNav } from './controls';
import { useContrast, usePixels, usePlanes, useWindow } from './contrast';
import { valueText } from './ImageViewer';
import { rgbCss } from './render/labelPalette';
import { LABEL_TABLES, LABEL_TABLE_TITLES, isLabelTable, labelPalette, paletteColor, rgbHex } from './render/labelTables';
import { useLabelColors, type LabelColorsState, type LabelSource } from './useLabelColors';
import { formatShape, formatValue } from './render/format';
import { formatWH } from './render/dims';
import { blackRGBA, labelCounts, overlayLabels, type LabelCount } from './render/overlay';
import { ViewerFrame } from './ViewerFrame';
import { WindowHistogram } from './WindowHistogram';
import { thrownMessage } from '../../core/describeValue';

export interface MaskPlane {
  width: number;
  height: number;
  data: ArrayLike<number>;
  /** Set when only the first plane of a 3-D mask is shown. */
  note: string | null;
}

/** A mask as one H×W plane: leading size-1 axes dropped; of a 3-D mask, the first plane (with a note). */
export function maskPlane(mask: NDArray): MaskPlane {
  let s = [...mask.shape];
  while (s.length > 2 && s[0] === 1) s = s.slice(1);
  const data = mask.data as unknown as ArrayLike<number>;
  if (s.length === 2) return { width: s[1]!, height: s[0]!, data, note: null };
  if (s.length === 3) {
    const n = s[1]! * s[2]!;
    return {
      width: s[2]!,
      height: s[1]!,
      data: (mask.data as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, n),
      note: `The mask has shape ${formatShape(mask.shape)}; showing its first plane.`,
    };
  }
  throw new Error(`Cannot show a mask of shape [${mask.shape.join(', ')}]: expected H×W labels.`);
}

const MAX_LEGEND = 64;

/**
 * Colour table, colour and pixel count of each label (the first 64) and the background's count. A
 * label's swatch is a colour picker (its own colour, saved with the dataset); "Reset colours" drops them.
 */
interface LabelLegendProps {
  counts: LabelCount[];
  title: string;
  labels: LabelColorsState;
  /** Choosing a label on the image is on. */
  picking: boolean;
  onPicking(on: boolean): void;
  /** The label last chosen on the image (its colour picker is shown first), or null. */
  picked: number | null;
}

function LabelLegend({ counts, title, labels: lc, picking, onPicking, picked }: LabelLegendProps) {
  const labels = counts.filter((c) => c.label !== 0);
  const background = counts.find((c) => c.label === 0)?.count ?? 0;
  const palette = useMemo(() => labelPalette(lc.colors), [lc.colors]);
  const tableId = useId();
  const table = isLabelTable(lc.colors.table) ? lc.colors.table : 'default';
  const ownCount = Object.keys(lc.colors.colors).length;
  const setOwn = (label: number, hex: string) => lc.set({ ...lc.colors, colors: { ...lc.colors.colors, [String(label)]: hex } });
  return (
    <aside className="viewer-side legend" aria-label="Labels" data-testid="label-legend">
      <h3 data-testid="label-legend-title">{title}</h3>
      <span
        className="field"
        title={lc.saved ? 'Label colours are saved with the dataset and used by the PNG export' : 'Label colours of this view (not saved)'}
      >
        <label htmlFor={tableId}>Colours</label>
        <select
          id={tableId}
          data-testid="label-table"
          value={table}
          onChange={(e) => isLabelTable(e.target.value) && lc.set({ ...lc.colors, table: e.target.value })}
        >
          {LABEL_TABLES.map((t) => (
            <option key={t} value={t}>
              {LABEL_TABLE_TITLES[t]}
            </option>
          ))}
        </select>
      </span>
      <button
        type="button"
        className="small"
        data-testid="label-pick"
        aria-pressed={picking}
        title="Click a label on the image to change its colour"
        onClick={() => onPicking(!picking)}
      >
        {picking ? 'Click a label on the image…' : 'Pick a label on the image'}
      </button>
      {picked !== null && (
        <p className="row picked-label" data-testid="label-picked">
          <input
            type="color"
            className="swatch-input"
            autoFocus
            value={`#${rgbHex(paletteColor(palette, picked) ?? [0, 0, 0]).toLowerCase()}`}
            data-testid="label-picked-color"
            aria-label={`Colour of label ${formatValue(picked)} (picked on the image)`}
            onChange={(e) => setOwn(picked, e.target.value.slice(1).toUpperCase())}
          />
          <span>
            Label <span className="mono">{formatValue(picked)}</span> (picked)
          </span>
        </p>
      )}
      {labels.length === 0 ? (
        <p className="muted">No labelled pixels (all 0).</p>
      ) : (
        <ul>
          {labels.slice(0, MAX_LEGEND).map((c) => {
            const rgb = paletteColor(palette, c.label) ?? [0, 0, 0];
            return (
              <li key={c.label} data-testid={`label-row-${c.label}`}>
                <input
                  type="color"
                  className="swatch-input"
                  value={`#${rgbHex(rgb).toLowerCase()}`}
                  data-testid={`label-color-${c.label}`}
                  aria-label={`Colour of label ${formatValue(c.label)}`}
                  title={`Colour of label ${formatValue(c.label)} (${rgbCss(rgb)}): click to change`}
                  onChange={(e) => setOwn(c.label, e.target.value.slice(1).toUpperCase())}
                />
                <span className="mono">{formatValue(c.label)}</span>
                <span className="muted mono grow align-right">{c.count.toLocaleString()} px</span>
              </li>
            );
          })}
        </ul>
      )}
      {labels.length > MAX_LEGEND && <p className="muted">… and {labels.length - MAX_LEGEND} more labels</p>}
      {ownCount > 0 && (
        <button type="button" className="small" data-testid="label-colors-reset" onClick={() => lc.set({ ...lc.colors, colors: {} })}>
          Reset {ownCount} label colour{ownCount === 1 ? '' : 's'}
        </button>
      )}
      <p className="muted small-text" data-testid="label-count">
        {labels.length.toLocaleString()} label{labels.length === 1 ? '' : 's'} · Background (0): {background.toLocaleString()} px, transparent
      </p>
      {lc.saveError && <p className="warn-text small-text">The label colours could not be saved: {lc.saveError}</p>}
    </aside>
  );
}

export interface SegmentationViewerProps {
  /** The source image (optional: without it the labels are drawn over black). */
  image?: NDArray | null;
  mask: NDArray | null | undefined;
  /** Segmentation2Segmentation: the input mask, to toggle against. */
  inputMask?: NDArray | null;
  loading?: boolean;
  error?: string | null;
  /** Shown above the canvas (e.g. why there is no source image). */
  note?: string | null;
  nav?: SliceNav;
  /** The run's outputs, when `nav` moves through the slices of one (a sliced run viewer). */
  outputNav?: SliceNav;
  label?: string;
  /** The legend's heading: "Labels", or what part of the mask its counts are of (e.g. "Labels in z 3 / 6"). */
  legendTitle?: string;
  /** The image the Auto / Min–max window comes from (default `image`): a volume's reference slice, kept across slices. */
  windowFrom?: NDArray | null;
  /** Written to the canvas's `data-drawn` once drawn (the slice index). */
  drawnTag?: string;
  /** Drawn over the mask (ImageCanvas's `overlay`): the live preview (PreviewOverlay.tsx). */
  overlay?: ImageCanvasProps['overlay'];
  /** The stored mask whose label colours are shown and saved (absent: colours of this view only). */
  labelSource?: LabelSource | null;
}

export function SegmentationViewer({
  image,
  mask,
  inputMask,
  loading,
  error,
  note,
  nav,
  outputNav,
  label = 'Segmentation',
  legendTitle = 'Labels',
  windowFrom,
  drawnTag,
  overlay,
  labelSource,
}: SegmentationViewerProps) {
  const labelColors = useLabelColors(labelSource);
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<number | null>(null);
  const palette = useMemo(() => labelPalette(labelColors.colors), [labelColors.colors]);
  const [contrast, setContrast] = useContrast();
  // null: the default, 50 % over an image, opaque over black.
  const [chosenOpacity, setOpacity] = useState<number | null>(null);
  const [outline, setOutline] = useState(false);
  const [showInput, setShowInput] = useState(false);
  const outlineId = useId();
  const shownMask = showInput && inputMask ? inputMask : mask;

  const plane = useMemo(() => {
    if (!shownMask) return { plane: null, error: null };
    try {
      return { plane: maskPlane(shownMask), error: null };
    } catch (e) {
      return { plane: null, error: thrownMessage(e) };
    }
  }, [shownMask]);
  const { planes: rawPlanes, error: imageError } = usePlanes(image);
  const m = plane.plane;
  const sizeMismatch = !!(rawPlanes && m && (rawPlanes.width !== m.width || rawPlanes.height !== m.height));
  const planes = sizeMismatch ? null : rawPlanes;
  const opacity = chosenOpacity ?? (planes ? 0.5 : 1);
  const reference = usePlanes(windowFrom).planes;
  const sameSizeReference = reference && planes && reference.width === planes.width && reference.height === planes.height ? reference : null;
  const win = useWindow(contrast, sameSizeReference ?? planes);
  const base = usePixels(planes, win, planes?.channels === 3 ? 'gray' : contrast.colormap);
  const pixels = useMemo(() => {
    if (!m) return null;
    const under = base ? base.data : blackRGBA(m.width, m.height);
    return {
      width: m.width,
      height: m.height,
      data: overlayLabels(under, m.data, m.width, m.height, { opacity, outline, palette: palette.lut, own: palette.own }),
    };
  }, [m, base, opacity, outline, palette]);
  const counts = useMemo(() => (m ? labelCounts(m.data) : []), [m]);

  const problem = error ?? plane.error;
  const notes = [
    note,
    m?.note,
    imageError ? `The source image cannot be shown: ${imageError}` : null,
    sizeMismatch && rawPlanes && m
      ? `The source image is ${formatWH(rawPlanes.width, rawPlanes.height)} px but the mask is ${formatWH(m.width, m.height)} px; showing the labels alone.`
      : null,
  ];

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.key === 't' || e.key === 'T') && inputMask) {
      e.preventDefault();
      setShowInput((v) => !v);
    }
  };

  return (
    <ViewerFrame
      name="segmentation-viewer"
      toolbar={planes && <ContrastControls state={contrast} onChange={setContrast} window={win} rgb={planes.channels === 3} />}
      controls={
        <>
          <OpacityField label="Opacity" testId="overlay-opacity" value={opacity} onChange={setOpacity} />
          <span className="field">
            <input id={outlineId} type="checkbox" checked={outline} onChange={(e) => setOutline(e.target.checked)} data-testid="overlay-outline" />
            <label htmlFor={outlineId}>Outline</label>
          </span>
          {inputMask && (
            <button
              type="button"
              className="small"
              aria-pressed={showInput}
              data-testid="mask-toggle"
              onClick={() => setShowInput((v) => !v)}
              title="Switch between the input and the output mask (T)"
            >
              {showInput ? 'Showing input mask' : 'Showing output mask'} · T
            </button>
          )}
        </>
      }
      loading={loading}
      notes={notes}
      problem={problem}
      waiting={m ? null : 'Loading mask…'}
      nav={nav}
      outputNav={outputNav}
    >
      {m && (
        <div className="viewer-split">
          <ImageCanvas
            pixels={pixels}
            drawnTag={drawnTag}
            label={`${label}${showInput ? ' (input mask)' : ''}`}
            onKeyDown={onKey}
            overlay={overlay}
            tool={
              picking
                ? {
                    cursor: 'copy',
                    onDown(p) {
                      const [x, y] = [Math.floor(p.x), Math.floor(p.y)];
                      if (x < 0 || y < 0 || x >= m.width || y >= m.height) return;
                      const l = Math.round(m.data[y * m.width + x]!);
                      if (l === 0 || l !== l) return;
                      setPicked(l);
                      setPicking(false);
                    },
                  }
                : undefined
            }
            readout={(x, y) => {
              const l = m.data[y * m.width + x]!;
              const v = planes ? `${valueText(planes, x, y)} · ` : '';
              return `${v}label ${formatValue(l)}`;
            }}
          />
          <LabelLegend counts={counts} title={legendTitle} labels={labelColors} picking={picking} onPicking={setPicking} picked={picked} />
        </div>
      )}
      {m && planes && <WindowHistogram planes={sameSizeReference ?? planes} state={contrast} onChange={setContrast} window={win} />}
    </ViewerFrame>
  );
}
