// Reads of remote dataset fields (FieldMeta.remote: an array of an OME-Zarr served over HTTP, made by
// `datasets.openUrl`). Nothing is stored: each read fetches the chunks the region touches (through
// zarrita, zarrReader.ts), with a small LRU of fetched bytes in memory in front of the network (as
// chunkCache.ts does for IndexedDB; remote bytes are not stored, so nothing is released on delete).
import * as zarr from 'zarrita';
import { toImageArray } from '../core/imageCodecs/npy';
import type { NDArray } from '../core/ndarray';
import { halvedShape } from '../core/pyramid';
import type { FieldMeta, RemoteArray } from '../core/records';
import { httpSource, openArray, readKept, type OpenedArray, type ZarrSource } from './zarrReader';
import type { Region } from './zarrViews';

/** Bytes of fetched chunks kept in memory, least recently used dropped first. */
export const REMOTE_CACHE_BYTES = 64 * 1024 * 1024;

/** A byte-bounded LRU of fetched bytes (zarrita's ByteCache shape); a value over a quarter of the budget is not kept. */
class ByteLru implements zarr.ByteCache {
  private readonly entries = new Map<string, Uint8Array | undefined>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}
  has(key: string): boolean {
    return this.entries.has(key);
  }
  get(key: string): Uint8Array | undefined {
    const v = this.entries.get(key);
    if (this.entries.delete(key)) this.entries.set(key, v); // most recently used last
    return v;
  }
  set(key: string, value: Uint8Array | undefined): void {
    const size = value?.byteLength ?? 0;
    if (size > this.maxBytes / 4) return;
    if (this.entries.has(key)) this.drop(key);
    this.entries.set(key, value);
    this.bytes += size;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k);
    }
  }
  private drop(key: string): void {
    this.bytes -= this.entries.get(key)?.byteLength ?? 0;
    this.entries.delete(key);
  }
}

const cache = new ByteLru(REMOTE_CACHE_BYTES);
/** Sources by URL, and opened arrays by URL and path (metadata is fetched once per page). */
const sources = new Map<string, ZarrSource>();
const opened = new Map<string, Promise<OpenedArray>>();
const MAX_OPENED = 64;

/**
 * The page's source for an OME-Zarr URL: fetched bytes (metadata, chunks) kept in a bounded cache, so
 * opening a URL and then viewing it fetch each once.
 */
export function remoteSource(url: string): ZarrSource {
  let s = sources.get(url);
  if (!s) {
    const inner = httpSource(url);
    s = {
      label: inner.label,
      store: zarr.withByteCaching(inner.store, {
        cache,
        keyFor: (path, range) => `${url}${path}${range ? ('suffixLength' in range ? `\0s${range.suffixLength}` : `\0r${range.offset}:${range.length}`) : ''}`,
      }),
    };
    sources.set(url, s);
  }
  return s;
}

function openLevel(r: RemoteArray, path: string): Promise<OpenedArray> {
  const at = `${r.url}\0${path}`;
  let p = opened.get(at);
  if (!p) {
    p = openArray(remoteSource(r.url), path, r.zarrFormat);
    p.catch(() => opened.delete(at));
    opened.set(at, p);
    if (opened.size > MAX_OPENED) opened.delete(opened.keys().next().value!);
  }
  return p;
}

/**
 * The pyramid levels of a remote field below level 0 (their kept axes), as far as each halves the one
 * above along Y and X (src/core/pyramid.ts's levels, which the viewer expects); the others are not used.
 */
export function remoteLevels(fm: FieldMeta): { shape: number[]; chunkShape: number[] }[] {
  const r = fm.remote!;
  const out: { shape: number[]; chunkShape: number[] }[] = [];
  let prev = fm.shape;
  for (const lv of r.levels.slice(1)) {
    const shape = r.kept.map((i) => lv.shape[i]!);
    if (shape.join() !== halvedShape(prev).join()) break;
    out.push({ shape, chunkShape: r.kept.map((i) => lv.chunkShape[i]!) });
    prev = shape;
  }
  return out;
}

/**
 * `region` (of the field's axes) of level `level` of a remote field, fetched: only the chunks it touches.
 * `label` names the dataset and field in errors ("Dataset 'cells', field 'image'").
 */
export async function readRemoteField(fm: FieldMeta, label: string, region?: Region, level = 0): Promise<NDArray> {
  const r = fm.remote!;
  const usable = level === 0 ? 1 : remoteLevels(fm).length + 1;
  if (!Number.isInteger(level) || level < 0 || level >= usable) {
    throw new Error(`${label}: there is no pyramid level ${level} (it has ${usable - 1} below the full resolution).`);
  }
  const lv = r.levels[level]!;
  try {
    const a = await openLevel(r, lv.path);
    if (a.shape.join() !== lv.shape.join()) {
      throw new Error(`${a.label}: the array is now [${a.shape.join(', ')}]; it was [${lv.shape.join(', ')}] when the dataset was opened.`);
    }
    const got = await readKept(a, r.kept, region);
    return got.dtype === fm.dtype ? got : toImageArray(got);
  } catch (err) {
    throw new Error(`${label} (remote ${r.url}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
