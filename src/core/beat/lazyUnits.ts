// Lazy units (issue 13): an input or output declared `"lazy": true` carries its array fields as
// handles instead of whole arrays. A lazy input's unit holds, per array field, a `LazyArrayRef`
// (the block worker turns it into a LazyArray reading regions through the engine); a lazy output's
// unit holds, per field, a `StagedArrayRef` naming an output array the block wrote block by block
// (the engine commits it with the output's dataset). Pure TS: the formats a lazy unit may have, and
// the checks of what a block writes on a lazy output.
import type { ImageAxes } from '../imageAxes';
import { BeatError } from './errors';
import type { ArrayFieldType, Data, DataFormat } from './dataFormats';

/** An array field of a lazy input's unit, as it crosses to the block worker. */
export interface LazyArrayRef {
  lazyArray: string;
  dtype: string;
  shape: number[];
  chunks: number[];
  /** What the axes mean (names, units, physical sizes, channels), as the dataset says or the defaults. */
  axes: ImageAxes | null;
}

/** An array field of a lazy output's unit: an output array of the job, written block by block. */
export interface StagedArrayRef {
  kind: 'array';
  staged: string;
}

export const isLazyArrayRef = (x: unknown): x is LazyArrayRef =>
  typeof x === 'object' && x !== null && typeof (x as { lazyArray?: unknown }).lazyArray === 'string';

export function isStagedArrayRef(x: unknown): x is StagedArrayRef {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return Object.keys(o).length === 2 && o.kind === 'array' && typeof o.staged === 'string';
}

/**
 * Why `format` cannot be a lazy unit's format (null if it can): every field must be an N-D array of
 * numbers or booleans, the fields a lazy unit carries as handles.
 */
export function lazyFormatProblem(format: DataFormat): string | null {
  const bad = format.root.fields.filter((f) => f.type.kind !== 'array' || f.type.element.kind !== 'basic' || f.type.element.type === 'string');
  if (format.root.fields.length === 0) return `data format '${format.name}' has no fields`;
  if (bad.length === 0) return null;
  return `every field of a lazy unit's data format must be an array of numbers or booleans; '${format.name}' has ${bad.map((f) => `'${f.name}'`).join(', ')}`;
}

/** What a block wrote on lazy output `output`: one output array (its `toField()`) per field of the format, as staged refs. */
export function lazyOutputData(output: string, format: DataFormat, data: unknown): Data {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BeatError('E_FORMAT_CAST', `output '${output}' is lazy: write an object with one output array (createArray) per field, got ${typeof data}`);
  }
  const given = data as Record<string, unknown>;
  const names = format.root.fields.map((f) => f.name);
  const extra = Object.keys(given).filter((k) => !names.includes(k));
  if (extra.length) throw new BeatError('E_FORMAT_CAST', `output '${output}': field '${extra[0]}' is not declared by data format '${format.name}'`);
  const out: Data = {};
  for (const name of names) {
    const v = given[name] as { toField?: unknown } | undefined;
    if (typeof v?.toField !== 'function') {
      throw new BeatError(
        'E_FORMAT_CAST',
        `output '${output}' is lazy: field '${name}' must be an output array made by outputs.get('${output}').createArray(…)`,
      );
    }
    const ref = (v.toField as () => unknown).call(v);
    if (!isStagedArrayRef(ref)) throw new BeatError('E_FORMAT_CAST', `output '${output}': field '${name}' is not an output array`);
    out[name] = { kind: 'array', staged: ref.staged };
  }
  return out;
}

/**
 * Why a stored array of `dtype` and `shape` cannot be a lazy unit's field of type `type` in format
 * `formatName` (null if it can): as "is uint16, but <format> needs uint8" or "has shape [...], but
 * <format> needs [...]", to follow the array's name in a message.
 */
export function storedArrayMismatch(type: ArrayFieldType, formatName: string, dtype: string, shape: readonly number[]): string | null {
  if (type.element.kind !== 'basic') return `is ${dtype}, but ${formatName} needs an array of numbers or booleans`;
  if (type.element.type !== dtype) return `is ${dtype}, but ${formatName} needs ${type.element.type}`;
  if (type.shape.length !== shape.length || type.shape.some((d, i) => d !== 0 && d !== shape[i])) {
    return `has shape [${shape.join(', ')}], but ${formatName} needs [${type.shape.map((d) => (d === 0 ? '*' : d)).join(', ')}]`;
  }
  return null;
}
