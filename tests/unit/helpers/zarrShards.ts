// A sharded Zarr v3 array written by hand per the sharding spec (zarrita 0.7.5 reads shards but cannot
// write them): a uint16 [Z, Y, X] array, one shard per slice ([1, Y, X]) holding inner chunks
// [1, Y/2, X/2] (bytes codec), the index at the end (bytes codec, little-endian uint64 offset/length
// pairs in C order; no crc32c). Inner chunks are stored in reverse order: the index, not the order,
// says where each one is.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeShardedUint16(root: string, shape: readonly [number, number, number], data: ArrayLike<number>): void {
  const [Z, Y, X] = shape;
  if (Y % 2 || X % 2) throw new Error('writeShardedUint16: Y and X must be even.');
  const [h, w] = [Y / 2, X / 2];
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'zarr.json'),
    JSON.stringify({
      zarr_format: 3,
      node_type: 'array',
      shape: [Z, Y, X],
      data_type: 'uint16',
      chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, Y, X] } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      fill_value: 0,
      codecs: [
        {
          name: 'sharding_indexed',
          configuration: {
            chunk_shape: [1, h, w],
            codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
            index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
            index_location: 'end',
          },
        },
      ],
      attributes: {},
    }),
  );
  for (let z = 0; z < Z; z++) {
    const chunks: Uint8Array[] = [];
    for (let cy = 0; cy < 2; cy++)
      for (let cx = 0; cx < 2; cx++) {
        const c = new Uint16Array(h * w);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) c[y * w + x] = data[(z * Y + cy * h + y) * X + cx * w + x]!;
        chunks.push(new Uint8Array(c.buffer));
      }
    const index = new BigUint64Array(8);
    let off = 0;
    const parts: Uint8Array[] = [];
    for (const k of [3, 2, 1, 0]) {
      index[2 * k] = BigInt(off);
      index[2 * k + 1] = BigInt(chunks[k]!.byteLength);
      parts.push(chunks[k]!);
      off += chunks[k]!.byteLength;
    }
    parts.push(new Uint8Array(index.buffer));
    mkdirSync(join(root, 'c', String(z), '0'), { recursive: true });
    writeFileSync(join(root, 'c', String(z), '0', '0'), Buffer.concat(parts));
  }
}
