// Additive composite of windowed channels (Fiji's "Composite" mode, napari's additive blending): each
// channel's values go through its window to 0…255 (window.ts's mapping), are scaled by its colour and
// summed per RGB component, clamped at 255:
//   out_k = min(255, round(Σ_c index_c · colour_c,k / 255)),  alpha 255.
// NaN adds nothing. Typed arrays only, no per-pixel allocation: unit-tested in tests/unit/viewerChannels.test.ts.
import { windowToU8, type DisplayWindow } from './window';

/** A composite channel: its plane of values, its window and its colour as [r, g, b] (0…255). */
export interface CompositeChannel {
  data: ArrayLike<number>;
  window: DisplayWindow;
  rgb: readonly [number, number, number];
}

/** 'FF8000' → [255, 128, 0]; anything unreadable → white. */
export function hexToRGB(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return [255, 255, 255];
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The RGBA pixels (n = width · height) of `channels` blended additively; no channel gives black. */
export function compositeRGBA(channels: readonly CompositeChannel[], n: number, out = new Uint8ClampedArray(n * 4)): Uint8ClampedArray {
  const acc = new Uint32Array(n * 3);
  const idx = new Uint8Array(n);
  for (const ch of channels) {
    windowToU8(ch.data, ch.window, idx, 0, n);
    for (let k = 0; k < 3; k++) {
      const w = ch.rgb[k]!;
      if (!w) continue;
      for (let i = 0, j = k; i < n; i++, j += 3) acc[j] = acc[j]! + idx[i]! * w;
    }
  }
  for (let i = 0, j = 0, o = 0; i < n; i++, o += 4) {
    for (let k = 0; k < 3; k++, j++) {
      // a / 255 never ends in exactly .5 for an integer a, so + 127 then floor rounds it.
      const v = ((acc[j]! + 127) / 255) | 0;
      out[o + k] = v > 255 ? 255 : v;
    }
    out[o + 3] = 255;
  }
  return out;
}
