// The live preview shared between the algorithm panel and the viewer: the viewer publishes the 2-D
// plane it shows (dataset, field, indices of the leading axes), the algorithm panel's Preview toggle
// computes the algorithm's preview of that plane (api.preview) and publishes the result as a layer,
// which the viewer draws over the plane when it is still the one shown. One React context, no
// module-level state.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { NDArray } from '../../core/ndarray';

/** The 2-D plane a viewer shows. */
export interface ViewedPlane {
  datasetId: string;
  key: string;
  /** Indices of the axes before the last two (empty for a 2-D field). */
  at: number[];
  /** What the viewer shows, in words ("coins", "cells · slice 3"), for the Preview toggle. */
  label: string;
}

/** A computed preview over one plane. */
export interface PreviewLayer {
  datasetId: string;
  key: string;
  at: number[];
  output: NDArray;
  /** "threshold_segmentation 1.1.0" */
  algorithm: string;
  /** A counter: a new layer each time a preview arrives. */
  version: number;
}

interface PreviewState {
  plane: ViewedPlane | null;
  setPlane(p: ViewedPlane | null): void;
  layer: PreviewLayer | null;
  setLayer(l: PreviewLayer | null): void;
}

const Ctx = createContext<PreviewState | null>(null);

export function PreviewProvider({ children }: { children: ReactNode }) {
  const [plane, setPlane] = useState<ViewedPlane | null>(null);
  const [layer, setLayer] = useState<PreviewLayer | null>(null);
  const value = useMemo<PreviewState>(() => ({ plane, setPlane, layer, setLayer }), [plane, layer]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePreview(): PreviewState {
  const s = useContext(Ctx);
  if (!s) throw new Error('usePreview must be used inside <PreviewProvider>.');
  return s;
}

const samePlane = (a: { datasetId: string; key: string; at: readonly number[] }, b: { datasetId: string; key: string; at: readonly number[] }) =>
  a.datasetId === b.datasetId && a.key === b.key && a.at.length === b.at.length && a.at.every((v, i) => v === b.at[i]);

/** A viewer says which plane it shows (null: none that a preview could cover); cleared when it unmounts. */
export function usePublishPlane(plane: ViewedPlane | null): void {
  const ctx = useContext(Ctx);
  const setPlane = ctx?.setPlane;
  const sig = plane ? `${plane.datasetId}|${plane.key}|${plane.at.join(',')}|${plane.label}` : '';
  useEffect(() => {
    if (!setPlane) return;
    setPlane(plane);
    return () => setPlane(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `sig` is the plane's identity
  }, [setPlane, sig]);
}

/** The preview layer for this plane, or null (none, or of another plane). */
export function usePreviewLayer(plane: { datasetId: string; key: string; at: readonly number[] } | null): PreviewLayer | null {
  const ctx = useContext(Ctx);
  const layer = ctx?.layer ?? null;
  return layer && plane && samePlane(layer, plane) ? layer : null;
}
