// The seams between algobox's NDArray and zarrita: chunks as views (no copies), the Zarr v3 metadata
// of an array algobox writes, and region selections. Shared by the chunked-array store and the
// dataset fields that live on it.
import * as zarr from 'zarrita';
import { ndarray, stridesOf, type DType, type NDArray, type TypedArray } from '../core/ndarray';

/** Per axis a half-open range [start, stop), or null for the whole axis. Omitted: the whole array. */
export type Region = readonly (readonly [number, number] | null)[];

/** A zarrita chunk (data, shape, C strides) over an NDArray's data, without copying it. */
export function toChunk(a: NDArray): zarr.Chunk<zarr.DataType> {
  const data = a.dtype === 'bool' ? new zarr.BoolArray(a.data.buffer, a.data.byteOffset, a.data.length) : a.data;
  return { data: data as zarr.TypedArray<zarr.DataType>, shape: [...a.shape], stride: stridesOf(a.shape) };
}

/** An NDArray over a zarrita chunk's data (C order, as zarrita's `get` returns), without copying it. */
export function fromChunk(dtype: DType, chunk: zarr.Chunk<zarr.DataType>): NDArray {
  const d = chunk.data as unknown as TypedArray | zarr.BoolArray;
  const data = d instanceof zarr.BoolArray ? new Uint8Array(d.buffer, d.byteOffset, d.length) : d;
  return ndarray(dtype, chunk.shape, data as TypedArray);
}

/**
 * The zarr.json of every array algobox writes: regular grid, default '/' chunk keys, the `bytes` codec
 * (little endian, no compression: zarrita 0.7.5 decodes gzip and zlib but cannot encode them), fill 0.
 */
export function zarrMetadata(
  dtype: DType,
  shape: readonly number[],
  chunkShape: readonly number[],
  attributes: Record<string, unknown> = {},
): zarr.ArrayMetadata<zarr.DataType> {
  return {
    zarr_format: 3,
    node_type: 'array',
    shape: [...shape],
    data_type: dtype as zarr.DataType,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [...chunkShape] } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    fill_value: dtype === 'bool' ? false : 0,
    attributes,
  } as zarr.ArrayMetadata<zarr.DataType>;
}

/** zarrita's selection for `region` of an array of `shape` (checked: same axes, inside the shape). */
export function regionSelection(label: string, shape: readonly number[], region: Region | undefined): (zarr.Slice | null)[] | null {
  if (!region) return null;
  if (region.length !== shape.length) throw new Error(`${label} has ${shape.length} axes; the region has ${region.length}.`);
  return region.map((r, i) => {
    if (!r) return null;
    const [start, stop] = r;
    if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop < start || stop > shape[i]!) {
      throw new Error(`Region [${start}, ${stop}) is out of axis ${i} of [${shape.join(', ')}].`);
    }
    return zarr.slice(start, stop);
  });
}
