// The image a mask was made from: an output records the input it was made from as `extra.madeFrom`
// (src/engine/outputSources.ts); a mask cleaned after thresholding was made from a mask made from an
// image, so the chain is followed (a few links at most) to the first dataset with an `image` field whose
// last two axes (Y, X) equal the mask's. A run that measures objects reads their intensities there.
import type { DatasetMeta } from '../core/records';
import type { Store } from '../store/index';

/** How many `madeFrom` links are followed at most. */
const MAX_LINKS = 4;

const yx = (shape: readonly number[]): string => shape.slice(-2).join('x');

/** The id of the image `meta`'s `key` field was made from, or null when there is none of the same Y × X size. */
export async function sourceImageOf(store: Pick<Store, 'getDatasetMeta'>, meta: DatasetMeta, key: string): Promise<string | null> {
  const field = meta.keys[key];
  if (!field) return null;
  let current: DatasetMeta | null = meta;
  for (let i = 0; i < MAX_LINKS && current; i++) {
    const from: unknown = current.extra.madeFrom;
    if (typeof from !== 'string') return null;
    current = await store.getDatasetMeta(from);
    const image = current?.keys.image;
    if (image && image.shape.length >= 2 && yx(image.shape) === yx(field.shape)) return current!.id;
  }
  return null;
}
