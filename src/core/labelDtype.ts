// Label fields (segment ids, 0 = background) and the widening of their dtype when an edit paints an id
// the dtype cannot hold: uint8 → uint16 → int32. Pure TS.
import { dtypeRange, type DType, type NDArray } from './ndarray';

/** Field keys whose values are segment labels, whatever their dtype. */
export const LABEL_FIELD_KEYS: ReadonlySet<string> = new Set(['mask', 'masks', 'label', 'labels']);

/** The dtypes a label field may be widened through, narrowest first. */
export const LABEL_DTYPES: readonly DType[] = ['uint8', 'uint16', 'int32'];

/** Whether field `key` holds labels (by name, as the exports and the label editor treat it). */
export function isLabelField(key: string): boolean {
  return LABEL_FIELD_KEYS.has(key.toLowerCase());
}

/** Smallest and largest value of `arrays` ([0, 0] when they are empty). */
function valueRange(arrays: readonly NDArray[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.data.length; i++) {
      const v = a.data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/**
 * The dtype a label field of `current` must have to hold the values of `tiles`: `current` when they fit,
 * else the first wider one of LABEL_DTYPES that holds them; null when none does (or `current` is not
 * one of LABEL_DTYPES).
 */
export function labelDtypeFor(current: DType, tiles: readonly NDArray[]): DType | null {
  const from = LABEL_DTYPES.indexOf(current);
  if (from < 0) return null;
  const [lo, hi] = valueRange(tiles);
  return LABEL_DTYPES.slice(from).find((d) => lo >= dtypeRange(d)![0] && hi <= dtypeRange(d)![1]) ?? null;
}
