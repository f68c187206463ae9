// Alignment: the 3×3 matrix with what it does (translation, rotation, scale, shear), and — when the two
// images are known — the moving image warped onto the fixed one, shown as a blend, a checkerboard
// or a difference. Matrix i maps pixel coordinates of image i+1 (moving) to image i (fixed), so the
// fixed pixel (x, y) shows the moving image at M⁻¹·(x, y, 1) (render/warp.ts).
import { useId, useMemo, useState } from 'react';
import type { NDArray } from '../../core/ndarray';
import { ContrastControls } from './ContrastControls';
import { ImageCanvas } from './ImageCanvas';
import { OpacityField, RangeField, ViewerMessage, type SliceNav } from './controls';
import { useContrast, usePixels, usePlanes, useWindow } from './contrast';
import { valueText } from './ImageViewer';
import { decompose, type Decomposition } from './render/decompose';
import { fixed as fx, formatValue } from './render/format';
import { applyH, composite, invert3x3, warp, type CompositeMode } from './render/warp';
import { ViewerFrame } from './ViewerFrame';
import { thrownMessage } from '../../core/describeValue';

/** The nine numbers of a 3×3 NDArray, or an error text. */
export function matrixValues(m: NDArray | null | undefined): { values: number[] | null; error: string | null } {
  if (!m) return { values: null, error: null };
  if (m.shape.length !== 2 || m.shape[0] !== 3 || m.shape[1] !== 3) return { values: null, error: `Expected a 3×3 matrix, got shape [${m.shape.join(', ')}].` };
  return { values: Array.from(m.data as unknown as ArrayLike<number>, Number), error: null };
}

export function MatrixTable({ values, caption, testId }: { values: number[]; caption: string; testId?: string }) {
  return (
    <table className="matrix mono" data-testid={testId}>
      <caption>{caption}</caption>
      <tbody>
        {[0, 1, 2].map((r) => (
          <tr key={r}>
            {[0, 1, 2].map((c) => (
              <td key={c} title={String(values[r * 3 + c])}>
                {fx(values[r * 3 + c]!, 4)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DecompositionList({ d }: { d: Decomposition }) {
  const rows: [string, string][] = [
    ['translation x', `${fx(d.tx, 4)} px`],
    ['translation y', `${fx(d.ty, 4)} px`],
    ['rotation', `${fx(d.rotation, 4)}°`],
    ['scale x', fx(d.scaleX, 4)],
    ['scale y', fx(d.scaleY, 4)],
    ['shear', fx(d.shear, 4)],
  ];
  if (d.projective) rows.push(['perspective', `${d.perspective.map((v) => v.toExponential(3)).join(', ')}`]);
  return (
    <dl className="stats decomposition" data-testid="decomposition">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className="mono">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export interface AlignmentViewerProps {
  matrix: NDArray | null | undefined;
  translationMatrix?: NDArray | null;
  fixed?: NDArray | null;
  moving?: NDArray | null;
  /** Why the images are not shown (e.g. not known for a lone matrix dataset). */
  imagesNote?: string | null;
  loading?: boolean;
  error?: string | null;
  nav?: SliceNav;
  /** Extra facts for the side panel (confidence, point counts…). */
  facts?: [string, string][];
}

export function AlignmentViewer({ matrix, translationMatrix, fixed, moving, imagesNote, loading, error, nav, facts }: AlignmentViewerProps) {
  const [contrast, setContrast] = useContrast();
  const [mode, setMode] = useState<CompositeMode>('checkerboard');
  const [opacity, setOpacity] = useState(0.5);
  const [tileChoice, setTile] = useState<number | null>(null);
  const modeName = useId();

  const { values, error: matrixError } = useMemo(() => matrixValues(matrix), [matrix]);
  const tm = useMemo(() => matrixValues(translationMatrix ?? null).values, [translationMatrix]);
  const decomposition = useMemo(() => {
    if (!values) return { d: null, error: null };
    try {
      return { d: decompose(values), error: null };
    } catch (e) {
      return { d: null, error: thrownMessage(e) };
    }
  }, [values]);
  const inverse = useMemo(() => (values ? invert3x3(values) : null), [values]);

  const fp = usePlanes(fixed);
  const mp = usePlanes(moving);
  const win = useWindow(contrast, fp.planes);
  const rgb = fp.planes?.channels === 3;
  const cm = rgb ? 'gray' : contrast.colormap;
  const fixedPix = usePixels(fp.planes, win, cm);
  const movingPix = usePixels(mp.planes, win, cm);
  const warped = useMemo(() => {
    if (!fixedPix || !movingPix || !values) return null;
    const out = new Uint8ClampedArray(fixedPix.width * fixedPix.height * 4);
    return warp({ width: movingPix.width, height: movingPix.height, channels: 4, data: movingPix.data }, values, fixedPix.width, fixedPix.height, out);
  }, [fixedPix, movingPix, values]);
  const defaultTile = fixedPix ? Math.max(2, Math.round(Math.min(fixedPix.width, fixedPix.height) / 8)) : 16;
  const maxTile = fixedPix ? Math.max(4, Math.floor(Math.min(fixedPix.width, fixedPix.height) / 2)) : 64;
  const tile = Math.min(maxTile, tileChoice ?? defaultTile);
  const pixels = useMemo(() => {
    if (!fixedPix || !warped) return null;
    return {
      width: fixedPix.width,
      height: fixedPix.height,
      data: composite(fixedPix.data, warped.data, warped.valid, fixedPix.width, fixedPix.height, { mode, opacity, tile }),
    };
  }, [fixedPix, warped, mode, opacity, tile]);

  const problem = error ?? matrixError ?? decomposition.error;
  const imageProblem = fp.error ?? mp.error;
  const haveImages = !!(fixed && moving);

  const side = (
    <aside className="viewer-side" aria-label="Transform">
      {values && <MatrixTable values={values} caption="transform_matrix (moving → fixed)" testId="matrix-table" />}
      {decomposition.d && <DecompositionList d={decomposition.d} />}
      {tm && tm.join(',') !== values?.join(',') && <MatrixTable values={tm} caption="translation_matrix" testId="translation-matrix-table" />}
      {facts && facts.length > 0 && (
        <dl className="stats">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {values && !inverse && <p className="error-text">The matrix is singular: the moving image cannot be warped.</p>}
    </aside>
  );

  return (
    <ViewerFrame
      name="alignment-viewer"
      toolbar={haveImages ? <ContrastControls state={contrast} onChange={setContrast} window={win} rgb={rgb} /> : undefined}
      controls={
        haveImages ? (
          <>
            <span className="segmented" role="radiogroup" aria-label="Display">
              {(['blend', 'checkerboard', 'difference'] as const).map((m) => (
                <label key={m} className={mode === m ? 'on' : undefined}>
                  <input type="radio" name={modeName} value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`align-mode-${m}`} />
                  {m[0]!.toUpperCase() + m.slice(1)}
                </label>
              ))}
            </span>
            {mode === 'blend' && <OpacityField label="Moving" testId="align-opacity" value={opacity} onChange={setOpacity} />}
            {mode === 'checkerboard' && (
              <RangeField label="Tile" testId="align-tile" value={tile} min={2} max={maxTile} step={1} onChange={setTile} format={(v) => `${v} px`} />
            )}
          </>
        ) : undefined
      }
      loading={loading}
      problem={problem}
      waiting={values ? null : 'Loading transform…'}
      nav={nav}
      navTestId="pair-slider"
    >
      <div className="viewer-split">
        {haveImages ? (
          imageProblem ? (
            <ViewerMessage kind="error">{imageProblem}</ViewerMessage>
          ) : pixels ? (
            <ImageCanvas
              pixels={pixels}
              label={`Moving image warped onto the fixed image, ${mode}`}
              readout={(x, y) => {
                const f = valueText(fp.planes, x, y);
                if (!inverse) return `fixed ${f}`;
                const [u, v] = applyH(inverse, x, y);
                const mv = valueText(mp.planes, Math.round(u), Math.round(v));
                return `fixed ${f} · moving (${formatValue(u)}, ${formatValue(v)}) ${mv || 'outside'}`;
              }}
            />
          ) : (
            <ViewerMessage kind="loading">Loading images…</ViewerMessage>
          )
        ) : (
          <ViewerMessage>{imagesNote ?? (loading ? 'Loading images…' : 'The images of this pair are not known: showing the matrix only.')}</ViewerMessage>
        )}
        {side}
      </div>
    </ViewerFrame>
  );
}
