// Label images made elsewhere (napari, Fiji, Cellpose, StarDist, ilastik): integer object ids, 0 the
// background. What dtype a file's labels are stored in, and its values converted into it exactly —
// never rescaled, never float: uint8/uint16/uint32/int8/int16/int32 stay as they are (the decoders'
// lossless float widening undone), bool → uint8, int64/uint64 → int32 when every value fits, float →
// int32 when every value is an integer. Anything else is an error naming the file, the value, where
// it is and what was expected. Also the file names that say "labels" (`cells_cp_masks.png`).
import type { FileDType } from './imageCodecs/common';
import { typedArrayCtor, type DType, type NDArray } from './ndarray';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The dtype labels from a file of `source` type are stored in. */
export function labelDType(source: FileDType): DType {
  switch (source) {
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'int8':
    case 'int16':
    case 'int32':
      return source;
    case 'bool':
      return 'uint8';
    default:
      return 'int32';
  }
}

/** Whether a file of `source` type holds integers (float files may still, value by value). */
export function isIntegerSource(source: FileDType): boolean {
  return !source.startsWith('float');
}

/** Element `index` of an array of `shape` as "(z 2, y 3, x 4)" (or "(y 3, x 4)"), 0-based. */
export function positionText(shape: readonly number[], index: number): string {
  const names = shape.length === 3 ? ['z', 'y', 'x'] : shape.length === 2 ? ['y', 'x'] : shape.map((_, k) => `axis ${k}`);
  const at: string[] = [];
  let rest = index;
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    at.unshift(`${names[k]} ${rest % d}`);
    rest = Math.floor(rest / d);
  }
  return `(${at.join(', ')})`;
}

/**
 * `a` (values as a decoder gives them: exact, possibly widened to float) as labels of
 * `labelDType(source)`. `fileShape` and `first` (the index of a's first element in the whole file)
 * place a bad value in the file for the message.
 */
export function toLabelArray(file: string, a: NDArray, source: FileDType, fileShape: readonly number[], first = 0): NDArray {
  const dtype = labelDType(source);
  const src = a.data as ArrayLike<number>;
  if (a.dtype === dtype) return a;
  const checked = dtype === 'int32' && source !== 'int32';
  if (checked) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (!Number.isInteger(v)) {
        throw new Error(
          `${file}: a label image holds integer object ids, but its ${source} value ${v} at ${positionText(fileShape, first + i)} is not an integer; round the labels first (numpy: labels.astype(np.int32)) or import the file as an image.`,
        );
      }
      if (v < INT32_MIN || v > INT32_MAX) {
        throw new Error(
          `${file}: the ${source} label ${v} at ${positionText(fileShape, first + i)} does not fit int32 (${INT32_MIN} to ${INT32_MAX}), which labels from a ${source} file are stored as; relabel first (skimage.segmentation.relabel_sequential).`,
        );
      }
    }
  }
  const C = typedArrayCtor(dtype);
  return { dtype, shape: [...a.shape], data: new C(src as never) } as NDArray;
}

/** The name endings that say a file holds labels (Cellpose's `_cp_masks`, napari's `_labels`, …), case-insensitive. */
const LABEL_NAME = /_(cp_masks|masks|mask|labels|label|seg)\.[^./]+$/i;

/** "_masks" when the file's name says it holds labels ("cells_masks.png"), else null. */
export function labelNameHint(name: string): string | null {
  const m = LABEL_NAME.exec(name);
  return m ? `_${m[1]!.toLowerCase()}` : null;
}
