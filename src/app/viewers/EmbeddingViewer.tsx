// Embedding: shape, dtype and statistics of the feature map, its input/original sizes, and a
// PCA-to-RGB preview (top three principal components of the channels → red, green, blue) with the
// variance each component explains.
import { useMemo } from 'react';
import type { NDArray } from '../../core/ndarray';
import { ImageCanvas } from './ImageCanvas';
import { ArrayStats, ViewerMessage, type SliceNav } from './controls';
import { formatValue } from './render/format';
import { featureMap, pcaRGB, type FeatureMap } from './render/pca';
import { ViewerFrame } from './ViewerFrame';
import { thrownMessage } from '../../core/describeValue';

/** "H × W" of a size field (an NDArray of numbers, a list, or absent). */
export function sizeText(v: NDArray | readonly number[] | string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  const list = Array.isArray(v) ? (v as readonly number[]) : Array.from((v as NDArray).data as unknown as ArrayLike<number>);
  return list.length ? list.map((x) => formatValue(x)).join(' × ') : '—';
}

const CHANNEL_NAMES = ['red', 'green', 'blue'];

export interface EmbeddingViewerProps {
  features: NDArray | null | undefined;
  inputSize?: NDArray | null;
  originalSize?: NDArray | null;
  loading?: boolean;
  error?: string | null;
  nav?: SliceNav;
}

export function EmbeddingViewer({ features, inputSize, originalSize, loading, error, nav }: EmbeddingViewerProps) {
  const pca = useMemo(() => {
    if (!features) return { map: null as FeatureMap | null, result: null, error: null as string | null };
    try {
      const map = featureMap(features);
      return { map, result: pcaRGB(map), error: null };
    } catch (e) {
      return { map: null, result: null, error: thrownMessage(e) };
    }
  }, [features]);
  const pixels = useMemo(() => (pca.result ? { width: pca.result.width, height: pca.result.height, data: pca.result.rgba } : null), [pca.result]);
  const map = pca.map;

  return (
    <ViewerFrame name="embedding-viewer" problem={error} waiting={features ? null : 'Loading features…'} nav={nav}>
      {features && (
        <div className="viewer-split">
          {pca.error ? (
            <ViewerMessage>{pca.error}</ViewerMessage>
          ) : (
            <ImageCanvas
              pixels={pixels}
              label="PCA preview of the feature map (components 1–3 as red, green, blue)"
              readout={(x, y) => {
                if (!map) return '';
                const n = map.width * map.height;
                const p = y * map.width + x;
                const shown = Math.min(map.channels, 4);
                const vals = Array.from({ length: shown }, (_, c) => formatValue(map.data[c * n + p]!));
                return `features [${vals.join(', ')}${map.channels > shown ? `, … ${map.channels - shown} more` : ''}]`;
              }}
            />
          )}
          <aside className="viewer-side" aria-label="Embedding">
            <ArrayStats
              array={features}
              testId="embedding-stats"
              extra={[
                ['channels', map ? String(map.channels) : '—'],
                ['input_size', sizeText(inputSize)],
                ['original_size', sizeText(originalSize)],
              ]}
            />
            {pca.result && (
              <div data-testid="pca-variance">
                <h3>Principal components</h3>
                <ul className="plain">
                  {pca.result.explained.map((e, i) => (
                    <li key={i}>
                      <span className={`swatch ${CHANNEL_NAMES[i]}`} aria-hidden="true" /> PC{i + 1} ({CHANNEL_NAMES[i]}):{' '}
                      <span className="mono">{(e * 100).toFixed(1)}%</span> of the variance
                    </li>
                  ))}
                </ul>
                {pca.result.samples < (map ? map.width * map.height : 0) && (
                  <p className="muted small-text">Covariance from {pca.result.samples.toLocaleString()} sampled pixels.</p>
                )}
              </div>
            )}
            {loading && (
              <p className="muted" role="status">
                Loading…
              </p>
            )}
          </aside>
        </div>
      )}
    </ViewerFrame>
  );
}
