// The contrast window state every image viewer shares, and the hook that turns an image into pixels.
import { useMemo, useState } from 'react';
import { dtypeRange, type DType, type NDArray } from '../../core/ndarray';
import { COLORMAPS, type ColormapName } from './render/colormaps';
import { autoWindow, imagePlanes, renderRGBA, type DisplayWindow, type ImagePlanes } from './render/window';
import type { Pixels } from './ImageCanvas';
import type { ValueRange } from './render/compare';
import { thrownMessage } from '../../core/describeValue';

/**
 * auto = 0.35 %/99.65 % percentiles (Fiji's Auto: 0.35 % saturated at each end), p1 = 1 %/99 %
 * percentiles, minmax = the data's full range, dtype = the dtype's full range (0–255 for uint8, 0–65535
 * for uint16; the data's range for floats), manual = min/max below.
 */
export type ContrastMode = 'auto' | 'p1' | 'minmax' | 'dtype' | 'manual';

export interface ContrastState {
  mode: ContrastMode;
  min: number;
  max: number;
  colormap: ColormapName;
  /** Display gamma after the window (1: linear). */
  gamma: number;
  /** An RGB image's own window per channel (red, green, blue), set by dragging one channel's handles; null: one window. */
  channels: readonly DisplayWindow[] | null;
}

export const DEFAULT_CONTRAST: ContrastState = { mode: 'auto', min: 0, max: 1, colormap: 'gray', gamma: 1, channels: null };

export function useContrast(initial: ContrastState = DEFAULT_CONTRAST) {
  return useState<ContrastState>(initial);
}

/** The [min, max] a preset gives for these values (auto modes computed from the data). */
export function presetWindow(mode: Exclude<ContrastMode, 'manual'>, data: ArrayLike<number>, dtype: DType): { min: number; max: number } {
  if (mode === 'dtype') {
    const r = dtypeRange(dtype);
    if (r) return { min: r[0], max: r[1] };
  }
  const pct = mode === 'p1' ? { low: 1, high: 99 } : {};
  const w = autoWindow(data, mode === 'auto' || mode === 'p1' ? 'percentile' : 'minmax', { dtype, ...pct });
  return { min: w.min, max: w.max };
}

/** The window a contrast state gives for an image (auto modes computed from its data), with its gamma. */
export function windowFor(state: ContrastState, planes: ImagePlanes | null): DisplayWindow {
  const gamma = state.gamma;
  if (state.channels && planes?.channels === 3) return { min: state.min, max: state.max, gamma, channels: state.channels };
  if (state.mode === 'manual') return { min: state.min, max: state.max, gamma };
  if (!planes) return { min: 0, max: 1, gamma };
  return { ...presetWindow(state.mode, planes.data, planes.dtype), gamma };
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
  const { mode, min, max, gamma, channels } = state;
  return useMemo(() => windowFor({ mode, min, max, gamma, channels, colormap: 'gray' }, planes), [mode, min, max, gamma, channels, planes]);
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
