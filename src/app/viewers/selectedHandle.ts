// An array handle at one index of one axis, without that axis: the channel of a multichannel source a
// run thresholded, shown under its mask slice by slice. Reads go through the source's handle (only
// that channel's chunks); the result drops the axis (length 1 there: the same elements in order).
import type { ArrayHandle, Region } from '../../api';

export function selectedHandle(h: ArrayHandle, axis: number, index: number): ArrayHandle {
  const drop = <T>(xs: readonly T[]): T[] => xs.filter((_, i) => i !== axis);
  return {
    dtype: h.dtype,
    shape: drop(h.shape),
    chunkShape: drop(h.chunkShape),
    levels: h.levels.map((l) => ({ ...l, shape: drop(l.shape), chunkShape: drop(l.chunkShape) })),
    async read(region?: Region, opts?: { level?: number }) {
      const full: (readonly [number, number] | null)[] = region ? [...region] : h.shape.filter((_, i) => i !== axis).map(() => null);
      full.splice(axis, 0, [index, index + 1]);
      const a = await h.read(full, opts);
      return { ...a, shape: drop(a.shape) };
    },
  };
}
