// What an Annotate session edits: a label image of width × height (× depth slices) drawn over an
// image, either new (over an image, a stack or a volume) or an existing mask (a Segmentation dataset).
import type { DType, NDArray } from '../../../core/ndarray';

export interface AnnotateTarget {
  /** Draft key: one draft per target ("image:<id>", "edit:<id>", "stack:<id>", "volume:<id>"). */
  key: string;
  kind: 'image' | 'mask' | 'stack' | 'volume';
  /** The name the saved dataset is named after ("<name> (edited)"). */
  name: string;
  /** The image the labels are drawn over (a dataset id, or `stack:<id>`), when known: the saved dataset's `editedImage`. */
  imageId: string | null;
  /** The saved dataset's `extra.inputs` (the viewers overlay a mask on `inputs[0]`). */
  inputs: string[];
  /** The label field edited (a Segmentation dataset's mask), or null for a new layer. */
  base: { id: string; key: string; dtype: DType; /** The field's axes when not 3 for depth > 1, 2 else (a [1, H, W] mask). */ rank?: number } | null;
  width: number;
  height: number;
  /** Slices (1 for a 2-D image). */
  depth: number;
  /** What the slider calls a slice ("Slice", "Z"). */
  sliceLabel: string;
  /** The image under slice k (a 2-D gray or RGB array), or null when there is none. */
  readImage(k: number): Promise<NDArray | null>;
}

/** Rows and columns of a 2-D image field ([H, W], [1|3, H, W]). */
export function imageHW(shape: readonly number[]): [number, number] {
  return [shape[shape.length - 2] ?? 0, shape[shape.length - 1] ?? 0];
}

/** Slice k of an N-D array read as a [1, H, W] region, as a 2-D [H, W] array. */
export function plane(a: NDArray): NDArray {
  return { ...a, shape: a.shape.slice(-2) };
}

/** Whether the field edited has a leading slice axis ([Z, H, W]; a [1, H, W] mask too). */
export function sliced(target: AnnotateTarget): boolean {
  return (target.base?.rank ?? (target.depth > 1 ? 3 : 2)) === 3;
}
