// Thumbnails of multichannel images (a 'c' axis with microscope channels): the plane shown first in
// the viewer — every channel at the middle Z (first T) — each channel scaled on its own as the plain
// thumbnail does (makeThumbnail), tinted with its colour and added, as the viewer's composite is.
import type { ImageAxes } from './imageAxes';
import { sizeOf, typedArrayCtor, type NDArray } from './ndarray';
import type { Thumbnail } from './records';
import { makeThumbnail } from './thumbnail';

/** Whether a field with these axes gets a composite thumbnail: a 'c' axis whose channels are not plain red, green, blue. */
export function wantsComposite(axes: ImageAxes | undefined): axes is ImageAxes {
  if (!axes) return false;
  const c = axes.axes.findIndex((a) => a.name === 'c');
  if (c < 0 || axes.channels.length === 0) return false;
  const rgb = ['FF0000', '00FF00', '0000FF'];
  return !(axes.channels.length === 3 && axes.channels.every((ch, i) => ch.color === rgb[i] && ch.label === ['Red', 'Green', 'Blue'][i]));
}

/** The region of the composite plane: every channel, the middle index of Z, index 0 of other leading axes, all of Y and X. */
export function compositeRegion(shape: readonly number[], axes: ImageAxes): [number, number][] {
  const nd = shape.length;
  return shape.map((d, i): [number, number] => {
    if (i >= nd - 2) return [0, d];
    const name = axes.axes[i]?.name;
    if (name === 'c') return [0, d];
    const at = name === 'z' ? Math.floor((d - 1) / 2) : 0;
    return [at, at + 1];
  });
}

/** The composite region cut out of an array in memory (C order). */
export function cutRegion(a: NDArray, region: readonly [number, number][]): NDArray {
  const shape = region.map(([s, e]) => e - s);
  const out = new (typedArrayCtor(a.dtype))(sizeOf(shape)) as NDArray['data'];
  const nd = a.shape.length;
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((n, d) => n * d, 1));
  const rowLen = shape[nd - 1]!;
  const rows = sizeOf(shape) / rowLen;
  const idx: number[] = Array.from({ length: nd - 1 }, () => 0);
  for (let r = 0; r < rows; r++) {
    let src = region[nd - 1]![0];
    for (let i = 0; i < nd - 1; i++) src += (region[i]![0] + idx[i]!) * strides[i]!;
    (out as Uint8Array).set((a.data as Uint8Array).subarray(src, src + rowLen), r * rowLen);
    for (let i = nd - 2; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { dtype: a.dtype, shape, data: out } as NDArray;
}

/**
 * The composite thumbnail of `plane` — the composite region (compositeRegion), its 'c' axis at
 * `channelAxis` — with the channels' colours; inactive channels are left out (all shown when none is active).
 */
export function compositeThumbnail(plane: NDArray, channelAxis: number, axes: ImageAxes, maxSide = 96): Thumbnail | null {
  const nd = plane.shape.length;
  const [h, w] = [plane.shape[nd - 2]!, plane.shape[nd - 1]!];
  const n = plane.shape[channelAxis]!;
  const size = h * w;
  const shown = axes.channels.some((c) => c.active) ? axes.channels.map((c) => c.active) : axes.channels.map(() => true);
  let acc: Float32Array | null = null;
  let out: Thumbnail | null = null;
  for (let c = 0; c < n; c++) {
    if (!shown[c]) continue;
    // With every other leading axis of length 1, channel c's plane is the c-th run of h·w elements.
    const data = (plane.data as Uint8Array).subarray(c * size, (c + 1) * size);
    const t = makeThumbnail({ image: { kind: 'array', array: { dtype: plane.dtype, shape: [h, w], data } as NDArray } }, maxSide);
    if (!t) continue;
    const hex = axes.channels[c]?.color ?? 'FFFFFF';
    const rgb = [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16) / 255);
    const sum: Float32Array = (acc ??= new Float32Array(t.width * t.height * 3));
    const [r, g, b] = rgb as [number, number, number];
    for (let i = 0; i < t.width * t.height; i++) {
      const v = t.data[i]!;
      sum[i * 3] = sum[i * 3]! + v * r;
      sum[i * 3 + 1] = sum[i * 3 + 1]! + v * g;
      sum[i * 3 + 2] = sum[i * 3 + 2]! + v * b;
    }
    out = { width: t.width, height: t.height, channels: 3, data: new Uint8Array(0) };
  }
  if (!acc || !out) return null;
  const data = new Uint8Array(acc.length);
  for (let i = 0; i < acc.length; i++) data[i] = Math.min(255, Math.round(acc[i]!));
  return { ...out, data };
}
