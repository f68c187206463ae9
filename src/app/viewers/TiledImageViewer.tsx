// A large 2-D image (stored in more than one tile) through its multiscale pyramid: the pyramid is built
// once at first view (datasets.pyramid), then every view reads only the tiles on screen at the level
// that matches the zoom (render/tiles.ts), drawing coarser levels already read underneath while finer
// tiles arrive. Zoom and pan as in every viewer (ImageCanvas: wheel about the cursor, drag, Fit).
// The Auto / Min–max windows come from the coarsest level (the whole image in one tile), as napari
// computes a multiscale image's contrast limits from its lowest resolution.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ArrayHandle } from '../../api';
import type { NDArray } from '../../core/ndarray';
import { useApi } from '../apiContext';
import { ContrastControls } from './ContrastControls';
import { useContrast, useWindow, type ContrastState } from './contrast';
import { errorText } from './controls';
import { ImageCanvas, type ViewTransform, type VirtualImage } from './ImageCanvas';
import { COLORMAPS } from './render/colormaps';
import { formatValue } from './render/format';
import type { PlaneAxes } from './render/scaleBar';
import { chooseLevel, visibleTiles, type LevelGrid, type Tile } from './render/tiles';
import { imagePlanes, type ImagePlanes } from './render/window';
import { TileCache } from './tileCache';
import { ViewerFrame } from './ViewerFrame';
import { WindowHistogram } from './WindowHistogram';

interface View {
  t: ViewTransform;
  width: number;
  height: number;
}

/** The raw value at base pixel (x, y) from the finest level read there: "1234", "≈ 1234 (level 2)", or "". */
function tileValue(cache: TileCache, grids: readonly LevelGrid[], x: number, y: number): string {
  const n = grids[0]!.shape.length;
  for (let l = 0; l < grids.length; l++) {
    const g = grids[l]!;
    const [ly, lx] = [Math.floor(y / 2 ** l), Math.floor(x / 2 ** l)];
    const [ch, cw] = [g.chunkShape[n - 2]!, g.chunkShape[n - 1]!];
    const raw = cache.raw({ level: l, row: Math.floor(ly / ch), col: Math.floor(lx / cw) });
    if (!raw) continue;
    const [th, tw] = [raw.shape[n - 2]!, raw.shape[n - 1]!];
    const i = (ly % ch) * tw + (lx % cw);
    const d = raw.data as unknown as ArrayLike<number>;
    const text = n === 3 ? `R ${formatValue(d[i]!)} G ${formatValue(d[th * tw + i]!)} B ${formatValue(d[2 * th * tw + i]!)}` : formatValue(d[i]!);
    return l === 0 ? text : `≈ ${text} (level ${l})`;
  }
  return '';
}

interface TiledCanvasProps {
  handle: ArrayHandle;
  /** The coarsest level: the window's source and the background. */
  top: ImagePlanes & { source: NDArray };
  state: ContrastState;
  setState: (s: ContrastState) => void;
  label: string;
  axes?: PlaneAxes | null;
}

function TiledCanvas({ handle, top, state, setState, label, axes }: TiledCanvasProps) {
  const grids: LevelGrid[] = useMemo(() => [{ shape: handle.shape, chunkShape: handle.chunkShape }, ...handle.levels], [handle]);
  const win = useWindow(state, top);
  const rgb = top.channels === 3;
  const lut = COLORMAPS[rgb ? 'gray' : state.colormap];
  const [version, setVersion] = useState(0);
  const [view, setView] = useState<View | null>(null);
  const cacheRef = useRef<TileCache | null>(null);
  const cache = useMemo(() => {
    cacheRef.current?.close();
    const c = new TileCache(
      (level, region) => handle.read(region, { level }),
      () => setVersion((v) => v + 1),
    );
    // The coarsest level is already read (the window came from it): it is the background of every view.
    const L = grids.length - 1;
    c.seed({ level: L, row: 0, col: 0 }, top.source);
    return (cacheRef.current = c);
  }, [handle, grids, top]);
  useEffect(() => () => cacheRef.current?.close(), []);

  const W = handle.shape[handle.shape.length - 1]!;
  const H = handle.shape[handle.shape.length - 2]!;
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const level = view ? chooseLevel(grids.length, view.t.zoom, dpr) : grids.length - 1;
  const tiles: Tile[] = useMemo(() => (view ? visibleTiles(grids, level, { ...view.t, width: view.width, height: view.height }) : []), [view, grids, level]);

  // One view per frame: the last transform of a burst of wheel events or layout passes wins.
  const frame = useRef(0);
  const onView = useCallback((t: ViewTransform, size: { width: number; height: number }) => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setView({ t: { zoom: t.zoom, tx: t.tx, ty: t.ty }, width: size.width, height: size.height }));
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useEffect(() => cache.want(tiles), [cache, tiles]);

  const virtual: VirtualImage = useMemo(
    () => ({
      width: W,
      height: H,
      version,
      draw(ctx, t, size) {
        const v = { ...t, width: size.width, height: size.height };
        const finest = chooseLevel(grids.length, t.zoom, dpr);
        ctx.save();
        ctx.beginPath();
        ctx.rect(t.tx, t.ty, W * t.zoom, H * t.zoom);
        ctx.clip();
        // Coarse to fine: what is read of each level covers the one below while its tiles arrive.
        for (let l = grids.length - 1; l >= finest; l--) {
          const f = 2 ** l;
          ctx.imageSmoothingEnabled = t.zoom * f * dpr < 1;
          for (const tile of visibleTiles(grids, l, v)) {
            const c = cache.canvas(tile, win, lut);
            if (c) ctx.drawImage(c, t.tx + tile.base.x * t.zoom, t.ty + tile.base.y * t.zoom, c.width * f * t.zoom, c.height * f * t.zoom);
          }
        }
        ctx.restore();
      },
    }),
    [W, H, version, grids, dpr, cache, win, lut],
  );

  const loaded = cache.loaded(tiles);
  return (
    <ViewerFrame
      name="image-viewer"
      rootProps={{
        'data-tiled': 'true',
        'data-levels': grids.length,
        'data-level': level,
        'data-tiles': tiles.map((t) => `${t.level}/${t.row}/${t.col}`).join(' '),
        'data-tiles-loaded': loaded,
      }}
      toolbar={<ContrastControls state={state} onChange={setState} window={win} rgb={rgb} />}
      controls={
        <span className="muted small-text" data-testid="tiled-status" title="Pyramid level drawn and tiles read for this view">
          level {level} of {grids.length - 1} · {loaded}/{tiles.length} tiles
        </span>
      }
      loading={loaded < tiles.length}
      notes={[cache.error && `Some tiles could not be read: ${cache.error}`]}
    >
      <ImageCanvas pixels={null} virtual={virtual} onView={onView} label={label} readout={(x, y) => tileValue(cache, grids, x, y)} axes={axes} />
      <WindowHistogram planes={top} state={state} onChange={setState} window={win} />
    </ViewerFrame>
  );
}

export function TiledImageViewer({
  datasetId,
  fieldKey = 'image',
  label = 'Image',
  axes,
}: {
  datasetId: string;
  fieldKey?: string;
  label?: string;
  axes?: PlaneAxes | null;
}) {
  const api = useApi();
  const [state, setState] = useContrast();
  const [progress, setProgress] = useState<[number, number] | null>(null);
  const pyramid = useQuery({
    queryKey: ['array', datasetId, fieldKey, 'pyramid'],
    queryFn: () => api.datasets.pyramid(datasetId, fieldKey, { onProgress: (done, total) => setProgress([done, total]) }),
    staleTime: Infinity,
  });
  const handle = useQuery({
    queryKey: ['array', datasetId, fieldKey, 'levels', pyramid.data?.length ?? -1],
    queryFn: () => api.datasets.openArray(datasetId, fieldKey),
    enabled: pyramid.isSuccess,
    staleTime: Infinity,
  });
  const h = handle.data;
  const topLevel = h ? h.levels.length : 0;
  const top = useQuery({
    queryKey: ['array', datasetId, fieldKey, 'level', topLevel],
    queryFn: async () => {
      const raw = await h!.read(undefined, { level: topLevel });
      return { ...imagePlanes(raw), source: raw };
    },
    enabled: !!h,
    staleTime: Infinity,
    gcTime: 0,
  });
  const failed = pyramid.error ?? handle.error ?? top.error;
  // A viewer that stays open while the pyramid is built shows how far it got.
  useLayoutEffect(() => {
    if (pyramid.isSuccess) setProgress(null);
  }, [pyramid.isSuccess]);
  if (failed || !h || !top.data) {
    return (
      <ViewerFrame
        name="image-viewer"
        problem={failed ? errorText(failed) : null}
        waiting={
          progress && !pyramid.isSuccess ? `Building the multiscale levels of this image (once): ${progress[0]} of ${progress[1]} tiles…` : 'Loading image…'
        }
      />
    );
  }
  return <TiledCanvas handle={h} top={top.data} state={state} setState={setState} label={label} axes={axes} />;
}
