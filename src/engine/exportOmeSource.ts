// What an OME export reads: one array (a dataset's field, or a stack of 2-D images seen as a Z stack)
// with its axes, read one plane at a time through region reads, never whole.
import { axesOfField } from '../core/fieldAxes';
import { axisOf, cloneAxes, type ImageAxes } from '../core/imageAxes';
import { omeExportDType } from '../core/ome/omeDims';
import { typedArrayCtor, type DType, type NDArray } from '../core/ndarray';
import type { DatasetMeta } from '../core/records';
import type { Region, Store } from '../store/index';

export interface ExportArray {
  /** The dataset's or stack's name (errors and file metadata name it). */
  name: string;
  dtype: DType;
  shape: number[];
  chunkShape: number[];
  axes: ImageAxes;
  read(region: Region): Promise<NDArray>;
}

/** The axes a field has: as stored, or the defaults for its shape (an `image` [3, H, W] is RGB). */
export function fieldAxes(meta: DatasetMeta, key: string): ImageAxes {
  return axesOfField(key, meta.keys[key]!);
}

/** The key an export uses when none is given: `image`, else the first array field of 2+ dims, else the first array field. */
export function exportKey(meta: DatasetMeta): string | null {
  const arrays = Object.entries(meta.keys).filter(([, f]) => f.kind !== 'string');
  if (meta.keys.image && meta.keys.image.kind !== 'string') return 'image';
  return (arrays.find(([, f]) => f.shape.length >= 2) ?? arrays[0])?.[0] ?? null;
}

/** Field `key` (or the default one) of a dataset. */
export async function datasetSource(store: Store, id: string, key?: string): Promise<ExportArray> {
  const meta = await store.getDatasetMeta(id);
  if (!meta) throw new Error(`Dataset not found: '${id}'.`);
  const k = key ?? exportKey(meta);
  const f = k ? meta.keys[k] : undefined;
  if (!k || !f || f.kind === 'string') {
    throw new Error(
      `Dataset '${meta.name}': ${key ? `field '${key}' is not an array field` : 'it has no array field to export'} (fields: ${Object.keys(meta.keys).join(', ') || 'none'}).`,
    );
  }
  const reader = await store.openDatasetArray(id, k);
  if (!reader) throw new Error(`Dataset not found: '${id}'.`);
  return { name: meta.name, dtype: reader.dtype, shape: reader.shape, chunkShape: reader.chunkShape, axes: fieldAxes(meta, k), read: (r) => reader.read(r) };
}

/** A stack of 2-D images ([Y, X] or [C, Y, X], all one shape and dtype) as one array with a Z axis before Y. */
export async function stackSource(store: Store, id: string): Promise<ExportArray> {
  const stack = await store.getStack(id);
  if (!stack) throw new Error(`Stack not found: '${id}'.`);
  if (!stack.datasetIds.length) throw new Error(`Stack '${stack.name}' is empty.`);
  const slices = await Promise.all(stack.datasetIds.map((d) => datasetSource(store, d)));
  const first = slices[0]!;
  const names = first.axes.axes.map((a) => a.name).join(',');
  if (names !== 'y,x' && names !== 'c,y,x') {
    throw new Error(
      `Stack '${stack.name}': slice '${first.name}' has axes ${names} (shape [${first.shape.join(', ')}]); a Z stack needs 2-D slices (y,x or c,y,x).`,
    );
  }
  for (const s of slices) {
    if (s.dtype !== first.dtype || s.shape.join() !== first.shape.join()) {
      throw new Error(
        `Stack '${stack.name}': slice '${s.name}' is ${s.dtype} [${s.shape.join(', ')}] but slice '${first.name}' is ${first.dtype} [${first.shape.join(', ')}]; a Z stack needs slices of one shape and dtype.`,
      );
    }
  }
  const zAt = first.shape.length - 2;
  const axes = cloneAxes(first.axes);
  axes.axes.splice(zAt, 0, axisOf('z'));
  const shape = [...first.shape];
  shape.splice(zAt, 0, slices.length);
  const chunkShape = [...first.chunkShape];
  chunkShape.splice(zAt, 0, 1);
  return {
    name: stack.name,
    dtype: first.dtype,
    shape,
    chunkShape,
    axes,
    async read(region) {
      const [z0, z1] = region[zAt] ?? [0, slices.length];
      if (z1 - z0 !== 1) throw new Error(`Stack '${stack.name}': reads one slice at a time.`);
      const a = await slices[z0]!.read(region.filter((_, i) => i !== zAt));
      const s = [...a.shape];
      s.splice(zAt, 0, 1);
      return { ...a, shape: s } as NDArray;
    },
  };
}

/** A plane (any shape of h × w elements) as the exported dtype, reshaped to [h, w]. */
export function exportPlane(a: NDArray, h: number, w: number): NDArray {
  const dtype = omeExportDType(a.dtype);
  if (dtype === a.dtype) return { ...a, shape: [h, w] } as NDArray;
  const Ctor = typedArrayCtor(dtype);
  const data = new Ctor(a.data.length);
  (data as unknown as { set(s: ArrayLike<number>): void }).set(a.data as unknown as ArrayLike<number>);
  return { dtype, shape: [h, w], data } as NDArray;
}
