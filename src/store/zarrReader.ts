// Reading Zarr (v2 and v3, sharding included) written by others, through zarrita: an OME-Zarr folder
// dropped on the page (a Map of relative path → File) or a remote one (HTTP). Opens groups and arrays,
// checks that zarrita can decode the array's codecs (an unsupported one is named with the array), checks
// the size of every chunk (raw, and once decoded: a wrong one names its key), and reads regions of an array with the
// axes of length 1 that algobox leaves out indexed away (src/core/ome/storedLayout.ts).
import * as zarr from 'zarrita';
import { DTYPES, ndarray, type DType, type NDArray, type TypedArray } from '../core/ndarray';
import { regionSelection, type Region } from './zarrViews';

type Key = `/${string}`;

/** A readable zarrita store with a name for messages. */
export interface ZarrSource {
  /** What the source is called in messages ('cells.zarr' or 'https://…/cells.zarr'). */
  label: string;
  store: zarr.AsyncReadable;
}

/** Files of a dropped folder by their path relative to the Zarr root ("0/.zarray", "labels/cells/0/c/0/0"). */
export function folderSource(label: string, files: ReadonlyMap<string, Blob>): ZarrSource {
  const blobOf = (key: string) => files.get(key.replace(/^\/+/, ''));
  return {
    label,
    store: {
      async get(key: Key) {
        const b = blobOf(key);
        return b ? new Uint8Array(await b.arrayBuffer()) : undefined;
      },
      async getRange(key: Key, range: zarr.RangeQuery) {
        const b = blobOf(key);
        if (!b) return undefined;
        const part = 'suffixLength' in range ? b.slice(Math.max(0, b.size - range.suffixLength)) : b.slice(range.offset, range.offset + range.length);
        return new Uint8Array(await part.arrayBuffer());
      },
    },
  };
}

/** The message of a fetch that failed before any answer (a TypeError: network down, or a CORS refusal). */
function networkMessage(url: string, err: unknown): string {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  return (
    `${url}: the request failed before any answer (${err instanceof Error ? err.message : String(err)}). The server may be unreachable, or it refused ` +
    `this page's cross-origin request: it must send Access-Control-Allow-Origin for ${origin && origin !== 'null' ? origin : "this app's origin"}.`
  );
}

/**
 * An OME-Zarr over HTTP(S): zarrita's FetchStore (404 = missing key; Range requests for shards), its
 * network errors explained (CORS), and any other HTTP error status named with the URL.
 */
export function httpSource(url: string, fetcher: typeof fetch = (...a) => fetch(...a)): ZarrSource {
  const base = url.replace(/\/+$/, '');
  const store = new zarr.FetchStore(base, {
    async fetch(req) {
      let res: Response;
      try {
        res = await fetcher(req);
      } catch (err) {
        if ((err as { name?: string }).name === 'AbortError') throw err;
        throw new Error(networkMessage(req.url, err), { cause: err });
      }
      if (res.status !== 200 && res.status !== 206 && res.status !== 404) throw new Error(`${req.url}: HTTP ${res.status} ${res.statusText}`.trim() + '.');
      return res;
    },
  });
  return { label: base, store };
}

async function readJson(src: ZarrSource, key: Key): Promise<unknown> {
  const bytes = await src.store.get(key);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`${src.label}${key}: not valid JSON (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
  }
}

/** A group's Zarr format and attributes: `zarr.json` (v3), else `.zgroup` + `.zattrs` (v2); null when neither is there. */
export async function readGroupAttrs(src: ZarrSource, path = ''): Promise<{ zarrFormat: 2 | 3; attrs: Record<string, unknown>; file: string } | null> {
  const p = path.replace(/^\/+|\/+$/g, '');
  const at = (name: string): Key => `/${p ? `${p}/` : ''}${name}`;
  const v3 = (await readJson(src, at('zarr.json'))) as { zarr_format?: unknown; node_type?: unknown; attributes?: unknown } | undefined;
  if (v3 !== undefined) {
    if (v3?.zarr_format !== 3 || v3.node_type !== 'group') return null;
    return { zarrFormat: 3, attrs: (v3.attributes as Record<string, unknown>) ?? {}, file: `${src.label}${at('zarr.json')}` };
  }
  const [zgroup, zattrs] = await Promise.all([readJson(src, at('.zgroup')), readJson(src, at('.zattrs'))]);
  if (zgroup === undefined) return null;
  return { zarrFormat: 2, attrs: (zattrs as Record<string, unknown>) ?? {}, file: `${src.label}${at('.zattrs')}` };
}

/** One array opened for reading. */
export interface OpenedArray {
  /** "<source>/<path>", for messages. */
  label: string;
  dtype: DType;
  shape: number[];
  /** The read unit: the inner chunk shape of a sharded array. */
  chunkShape: number[];
  array: zarr.Array<zarr.DataType, zarr.Readable>;
}

/** The codec names an array's metadata lists (v2: filters and compressor; v3: codecs, inside shards too). */
function codecNames(meta: Record<string, unknown>, zarrFormat: 2 | 3): string[] {
  if (zarrFormat === 2) {
    const ids = [...((meta.filters as { id: string }[] | null) ?? []), ...(meta.compressor ? [meta.compressor as { id: string }] : [])];
    return ids.map((c) => c.id);
  }
  const walk = (cs: unknown): string[] =>
    ((cs as { name: string; configuration?: { codecs?: unknown; index_codecs?: unknown } }[] | undefined) ?? []).flatMap((c) => [
      c.name,
      ...walk(c.configuration?.codecs),
      ...walk(c.configuration?.index_codecs),
    ]);
  return walk(meta.codecs);
}

/** Whether chunks are stored as raw bytes (their size is then known): no compressor, no filters, no codec but bytes. */
function rawChunks(meta: Record<string, unknown>, zarrFormat: 2 | 3): boolean {
  const names = codecNames(meta, zarrFormat);
  return zarrFormat === 2 ? names.length === 0 : names.every((n) => n === 'bytes');
}

/**
 * Array `path` of the group at the source's root, checked: a dtype algobox has, codecs zarrita decodes.
 * With raw (uncompressed) chunks, a chunk of the wrong byte size fails naming its key.
 */
export async function openArray(src: ZarrSource, path: string, zarrFormat: 2 | 3): Promise<OpenedArray> {
  const p = path.replace(/^\/+|\/+$/g, '');
  const label = `${src.label}/${p}`;
  const metaKey: Key = `/${p}/${zarrFormat === 3 ? 'zarr.json' : '.zarray'}`;
  const meta = (await readJson(src, metaKey)) as Record<string, unknown> | undefined;
  if (meta === undefined) throw new Error(`${label}: the array is missing (no ${metaKey.slice(1)}).`);
  for (const name of codecNames(meta, zarrFormat)) {
    const known = ['bytes', 'sharding_indexed', 'transpose', 'crc32c'].includes(name) || zarr.registry.has(name);
    if (!known)
      throw new Error(`${label}: codec '${name}' is not supported (zarrita reads blosc, gzip, zlib, zstd, lz4, bytes, transpose, crc32c and sharding).`);
  }
  let chunkBytes = -1; // known once the array is open
  const checked: zarr.AsyncReadable = rawChunks(meta, zarrFormat)
    ? {
        get: async (key: Key, opts?: zarr.GetOptions) => {
          const got = await src.store.get(key, opts);
          if (got && chunkBytes >= 0 && key !== metaKey && got.byteLength !== chunkBytes) {
            throw new Error(`${label}: chunk '${key.slice(p.length + 2)}' has ${got.byteLength} bytes; a chunk of this array has ${chunkBytes}.`);
          }
          return got;
        },
      }
    : src.store;
  let arr: zarr.Array<zarr.DataType, zarr.Readable>;
  try {
    const loc = zarr.root(checked).resolve(p);
    arr = zarrFormat === 3 ? await zarr.open.v3(loc, { kind: 'array' }) : await zarr.open.v2(loc, { kind: 'array', attrs: false });
  } catch (err) {
    throw new Error(`${label}: cannot open the array: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const dtype = arr.dtype as string;
  if (!(DTYPES as readonly string[]).includes(dtype)) throw new Error(`${label}: data type '${dtype}' is not supported (algobox keeps ${DTYPES.join(', ')}).`);
  chunkBytes = arr.chunks.reduce((n, d) => n * d, itemBytes(dtype as DType));
  checkDecodedChunks(arr, label, chunkKeyOf(meta, zarrFormat));
  return { label, dtype: dtype as DType, shape: [...arr.shape], chunkShape: [...arr.chunks], array: arr };
}

/** A chunk's key from its grid coordinates, as the array's metadata encodes it ('1.0', 'c/1/0'). */
function chunkKeyOf(meta: Record<string, unknown>, zarrFormat: 2 | 3): (coords: readonly number[]) => string {
  if (zarrFormat === 2) {
    const sep = typeof meta.dimension_separator === 'string' ? meta.dimension_separator : '.';
    return (c) => c.join(sep);
  }
  const enc = meta.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
  const sep = enc?.configuration?.separator ?? (enc?.name === 'v2' ? '.' : '/');
  const key = enc?.name === 'v2' ? (c: readonly number[]) => c.join(sep) : (c: readonly number[]) => ['c', ...c].join(sep);
  const sharding = (meta.codecs as { name: string; configuration?: { chunk_shape?: number[] } }[] | undefined)?.find((c) => c.name === 'sharding_indexed');
  const shard = (meta.chunk_grid as { configuration?: { chunk_shape?: number[] } } | undefined)?.configuration?.chunk_shape;
  const inner = sharding?.configuration?.chunk_shape;
  if (!inner || !shard) return key;
  // Sharded: zarrita's chunk coordinates are the inner chunks'; name the shard that holds one too.
  return (c) => `(${c.join(', ')}) of shard '${key(c.map((x, i) => Math.floor(x / (shard[i]! / inner[i]!))))}`;
}

/**
 * Every chunk zarrita decodes must hold a whole chunk of values: a chunk whose (decompressed) bytes are
 * too few or too many fails naming its key, instead of being read as shifted or zero-filled values.
 */
function checkDecodedChunks(arr: zarr.Array<zarr.DataType, zarr.Readable>, label: string, keyOf: (coords: readonly number[]) => string): void {
  const want = arr.chunks.reduce((n, d) => n * d, 1);
  const inner = arr.getChunk.bind(arr);
  arr.getChunk = async (coords, ...rest) => {
    const chunk = await inner(coords, ...rest);
    const n = (chunk.data as { length: number }).length;
    if (n !== want) throw new Error(`${label}: chunk '${keyOf(coords)}' decodes to ${n} values; a chunk of this array holds ${want}.`);
    return chunk;
  };
}

function itemBytes(dtype: DType): number {
  return dtype === 'bool' || dtype.endsWith('8') ? 1 : dtype.endsWith('16') ? 2 : dtype.endsWith('32') ? 4 : 8;
}

/**
 * `region` (over the kept axes, see storedLayout) of an opened array: each left-out axis is read at index
 * 0. Only the chunks the region touches are read.
 */
export async function readKept(a: OpenedArray, kept: readonly number[], region?: Region): Promise<NDArray> {
  const keptShape = kept.map((i) => a.shape[i]!);
  const sel = regionSelection(a.label, keptShape, region) ?? keptShape.map(() => null);
  const full = a.shape.map((_, i) => {
    const k = kept.indexOf(i);
    return k < 0 ? 0 : sel[k]!;
  });
  let got: zarr.Chunk<zarr.DataType>;
  try {
    got = (await zarr.get(a.array, full)) as zarr.Chunk<zarr.DataType>;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(msg.startsWith(a.label) ? msg : `${a.label}: ${msg}`, { cause: err });
  }
  const d = got.data as unknown as TypedArray | zarr.BoolArray;
  const data = d instanceof zarr.BoolArray ? new Uint8Array(d.buffer, d.byteOffset, d.length) : d;
  return ndarray(a.dtype, [...got.shape], data as TypedArray);
}

/** The WebAssembly codecs OME-Zarr chunks often need, each with a config that initialises it. */
const WASM_CODECS: [string, Record<string, unknown>][] = [
  ['blosc', { cname: 'lz4', clevel: 1, shuffle: 0, blocksize: 0 }],
  ['zstd', { level: 1 }],
  ['lz4', { acceleration: 1 }],
];

interface WarmableCodec {
  fromConfig?(config: Record<string, unknown>): { encode?(data: Uint8Array): unknown } | undefined;
}

/**
 * Loads and initialises the WebAssembly decoders OME-Zarr chunks often need (Blosc — python zarr's
 * default —, zstd, lz4), once per page, so that the first chunk of an image opened next is decoded at
 * once (their code is fetched and compiled on first use otherwise: a few hundred ms). Failures are
 * ignored: the codec then loads when a chunk needs it, as it would have.
 */
export function warmZarrCodecs(): Promise<void> {
  warming ??= Promise.all(
    WASM_CODECS.map(async ([id, config]) => {
      try {
        const Codec = (await zarr.registry.get(id)?.()) as WarmableCodec | undefined;
        await Codec?.fromConfig?.(config)?.encode?.(new Uint8Array(64));
      } catch {
        // loaded on demand instead
      }
    }),
  ).then(() => undefined);
  return warming;
}
let warming: Promise<void> | undefined;
