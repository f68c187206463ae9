// A large new label layer (no base: nothing to share) saved chunk by chunk with `datasets.createWriter`:
// only the chunks its changed tiles touch are written (every other chunk reads as 0, the fill value), so
// neither the whole layer nor its zeros are ever built in memory or stored. One chunk-sized block at a
// time (src/core/chunkPolicy.ts's chunk shape), each written once.
import type { Algobox } from '../../../api';
import { defaultChunkShape, TARGET_CHUNK_BYTES } from '../../../core/chunkPolicy';
import { labelDtype } from '../../../core/labels/layer';
import { itemSize, ndarray } from '../../../core/ndarray';
import { labelRange, type EditedTile } from './editedTiles';
import type { AnnotateTarget } from './target';

/** The dtype of a new layer holding `tiles` (uint16, int32 when a label needs it). */
export function newLayerDtype(tiles: readonly EditedTile[]): 'uint16' | 'int32' {
  const [min, max] = labelRange(tiles.map((t) => t.data));
  return labelDtype(null, max, min) === 'int32' ? 'int32' : 'uint16';
}

/** Whether a new layer is larger than one chunk (then written chunk by chunk; else stored whole). */
export function chunkedNewLayer(target: AnnotateTarget, dtype: 'uint16' | 'int32'): boolean {
  return target.width * target.height * target.depth * itemSize(dtype) > TARGET_CHUNK_BYTES;
}

/** Store the new layer as a Segmentation dataset `{ mask }` written chunk by chunk; its id. */
export async function saveNewLayer(
  api: Algobox,
  target: AnnotateTarget,
  tiles: readonly EditedTile[],
  meta: { name: string; source: string; extra: Record<string, unknown> },
): Promise<string> {
  const { width: w, height: h, depth } = target;
  const dtype = newLayerDtype(tiles);
  const shape = depth > 1 ? [depth, h, w] : [h, w];
  const [ch, cw] = defaultChunkShape(shape, dtype).slice(-2) as [number, number];
  // Per chunk (slice, row, column of the chunk grid), the tiles that overlap it.
  const chunks = new Map<string, { slice: number; cy: number; cx: number; tiles: EditedTile[] }>();
  for (const t of tiles) {
    const [x0, y0, x1, y1] = t.rect;
    for (let cy = Math.floor(y0 / ch); cy * ch < y1; cy++) {
      for (let cx = Math.floor(x0 / cw); cx * cw < x1; cx++) {
        const k = `${t.slice}/${cy}/${cx}`;
        if (!chunks.has(k)) chunks.set(k, { slice: t.slice, cy, cx, tiles: [] });
        chunks.get(k)!.tiles.push(t);
      }
    }
  }
  const writer = await api.datasets.createWriter({ key: 'mask', dtype, shape, schema: 'Segmentation', ...meta });
  try {
    for (const { slice, cy, cx, tiles: over } of chunks.values()) {
      const [by, bx] = [cy * ch, cx * cw];
      const [bh, bw] = [Math.min(ch, h - by), Math.min(cw, w - bx)];
      const block = ndarray(dtype, depth > 1 ? [1, bh, bw] : [bh, bw]);
      for (const { rect, data } of over) {
        const tw = rect[2] - rect[0];
        const [xa, xb] = [Math.max(rect[0], bx), Math.min(rect[2], bx + bw)];
        for (let y = Math.max(rect[1], by); y < Math.min(rect[3], by + bh); y++) {
          const from = (y - rect[1]) * tw;
          block.data.set(data.subarray(from + xa - rect[0], from + xb - rect[0]), (y - by) * bw + xa - bx);
        }
      }
      await writer.write(depth > 1 ? [slice, by, bx] : [by, bx], block);
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.commit();
}
