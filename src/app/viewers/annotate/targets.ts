// The Annotate targets of each kind of item: a 2-D image (a new layer, or one of its masks), a
// Segmentation dataset (its mask over its source image), a stack (a [N, H, W] layer over its slices)
// and a volume (a [Z, H, W] layer over its Z slices).
import type { Algobox } from '../../../api';
import type { DatasetMeta } from '../../../core/records';
import type { StackRecord } from '../../../core/stacks';
import { sliceCount, sliceRegion } from '../render/slices';
import { imageHW, plane, type AnnotateTarget } from './target';

/** A new layer over a 2-D image, or (`mask`) the edit of a mask of the same size drawn over it. */
export function imageTarget(api: Algobox, image: DatasetMeta, mask: DatasetMeta | null): AnnotateTarget {
  const [height, width] = imageHW(image.keys.image!.shape);
  const base = mask ? { id: mask.id, key: 'mask', dtype: mask.keys.mask!.dtype } : null;
  return {
    key: base ? `edit:${base.id}` : `image:${image.id}`,
    kind: base ? 'mask' : 'image',
    name: mask?.name ?? image.name,
    imageId: image.id,
    inputs: [image.id],
    base,
    width,
    height,
    depth: 1,
    sliceLabel: 'Slice',
    readImage: () => api.datasets.readRegion(image.id, 'image'),
  };
}

/** The array field of `source` with exactly the mask's shape (its image or volume), or null. */
export function sourceField(source: DatasetMeta | null | undefined, shape: readonly number[]): string | null {
  if (!source) return null;
  for (const key of ['image', 'volume']) {
    const f = source.keys[key];
    if (f && f.shape.slice(-2).join('x') === shape.slice(-2).join('x') && (shape.length === 2 ? true : f.shape.join('x') === shape.join('x'))) return key;
  }
  return null;
}

/** A Segmentation dataset's mask (2-D, or [Z, H, W]) over its source (null: over black). */
export function maskTarget(api: Algobox, mask: DatasetMeta, source: DatasetMeta | null): AnnotateTarget {
  const shape = mask.keys.mask!.shape;
  const depth = sliceCount(shape);
  const key = sourceField(source, shape);
  return {
    key: `edit:${mask.id}`,
    kind: 'mask',
    name: mask.name,
    imageId: key ? source!.id : null,
    inputs: key ? [source!.id] : [],
    base: { id: mask.id, key: 'mask', dtype: mask.keys.mask!.dtype, rank: shape.length },
    width: shape[shape.length - 1]!,
    height: shape[shape.length - 2]!,
    depth,
    sliceLabel: depth > 1 ? 'Z' : 'Slice',
    readImage: async (k) => (key ? plane(await api.datasets.readRegion(source!.id, key, depth > 1 ? sliceRegion(shape, k) : undefined)) : null),
  };
}

/** A [N, H, W] layer over a stack's slices (each slice: its dataset's image, else mask); `mask`: start from that mask. */
export function stackTarget(api: Algobox, stack: StackRecord, first: DatasetMeta, mask: DatasetMeta | null): AnnotateTarget {
  const sliceKey = first.keys.image ? 'image' : 'mask';
  const [height, width] = imageHW(first.keys[sliceKey]!.shape);
  const base = mask ? { id: mask.id, key: 'mask', dtype: mask.keys.mask!.dtype } : null;
  return {
    key: base ? `edit:${base.id}` : `stack:${stack.id}`,
    kind: 'stack',
    name: mask?.name ?? stack.name,
    imageId: `stack:${stack.id}`,
    inputs: [],
    base,
    width,
    height,
    depth: stack.datasetIds.length,
    sliceLabel: 'Slice',
    readImage: async (k) => {
      const id = stack.datasetIds[k];
      if (!id) return null;
      const rec = await api.datasets.get(id, [sliceKey]);
      const a = rec.fields[sliceKey];
      return a && typeof a === 'object' ? a : null;
    },
  };
}

/** A [Z, H, W] layer over a volume field's Z slices; `mask`: start from that mask. */
export function volumeTarget(api: Algobox, volume: DatasetMeta, fieldKey: string, mask: DatasetMeta | null): AnnotateTarget {
  const shape = volume.keys[fieldKey]!.shape;
  const depth = sliceCount(shape);
  const base = mask ? { id: mask.id, key: 'mask', dtype: mask.keys.mask!.dtype } : null;
  return {
    key: base ? `edit:${base.id}` : `volume:${volume.id}/${fieldKey}`,
    kind: 'volume',
    name: mask?.name ?? volume.name,
    imageId: volume.id,
    inputs: [volume.id],
    base,
    width: shape[shape.length - 1]!,
    height: shape[shape.length - 2]!,
    depth,
    sliceLabel: 'Z',
    readImage: async (k) => plane(await api.datasets.readRegion(volume.id, fieldKey, sliceRegion(shape, k))),
  };
}
