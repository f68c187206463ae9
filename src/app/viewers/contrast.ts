// The contrast window state every image viewer shares, and the hook that turns an image into pixels.
import { useMemo, useState } from 'react';
import type { NDArray } from '../../core/ndarray';
import { COLORMAPS, type ColormapName } from './render/colormaps';
import { autoWindow, imagePlanes, renderRGBA, type DisplayWindow, type ImagePlanes } from './render/window';
import type { Pixels } from './ImageCanvas';
import type { ValueRange } from './render/compare';
import { thrownMessage } from '../../core/describeValue';

export type ContrastMode = 'auto' | 'minmax' | 'manual';

export interface ContrastState {
  /** auto = 0.35 %/99.65 % percentiles, minmax = full range, manual = min/max below. */
  mode: ContrastMode;
  min: number;
  max: number;
  colormap: ColormapName;
}

export const DEFAULT_CONTRAST: ContrastState = { mode: 'auto', min: 0, max: 1, colormap: 'gray' };

export function useContrast(initial: ContrastState = DEFAULT_CONTRAST) {
  return useState<ContrastState>(initial);
}

/** The window a contrast state gives for an image (auto modes computed from its data). */
export function windowFor(state: ContrastState, planes: ImagePlanes | null): DisplayWindow {
  if (state.mode === 'manual') return { min: state.min, max: state.max };
  if (!planes) return { min: 0, max: 1 };
  const w = autoWindow(planes.data, state.mode === 'auto' ? 'percentile' : 'minmax', { dtype: planes.dtype });
  return { min: w.min, max: w.max };
}

/** An NDArray as image planes, or the reason it cannot be shown. */
export function usePlanes(image: NDArray | null | undefined): { planes: ImagePlanes | null; error: string | null } {
  return useMemo(() => {
    if (!image) return { planes: null, error: null };
    try {
      return { planes: imagePlanes(image), error: null };
    } catch (e) {
      return { planes: null, error: thrownMessage(e) };
    }
  }, [image]);
}

/** The window of `state` for `planes` (memoised on the data, not on every render). */
export function useWindow(state: ContrastState, planes: ImagePlanes | null): DisplayWindow {
  const { mode, min, max } = state;
  return useMemo(() => windowFor({ mode, min, max, colormap: 'gray' }, planes), [mode, min, max, planes]);
}

/** The dtype and exact [min, max] of planes' finite values (null: no planes), for the window-linking rule. */
export function useValueRange(planes: ImagePlanes | null): ValueRange | null {
  return useMemo(() => {
    if (!planes) return null;
    const w = autoWindow(planes.data, 'minmax');
    return { dtype: planes.dtype, min: w.min, max: w.max };
  }, [planes]);
}

/** Rendered RGBA pixels of planes through a window and colormap. */
export function usePixels(planes: ImagePlanes | null, win: DisplayWindow, colormap: ColormapName): Pixels | null {
  return useMemo(() => {
    if (!planes) return null;
    return { width: planes.width, height: planes.height, data: renderRGBA(planes, win, COLORMAPS[colormap]) };
  }, [planes, win, colormap]);
}
