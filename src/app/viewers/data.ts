// How the viewers read the store: through the shared query hooks (src/app/state/queries.ts) plus a
// few helpers: the array of a field, keep-the-last-value while the next slice loads, an execution
// record by id, and which viewer a dataset's keys call for.
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import type { NDArray } from '../../core/ndarray';
import type { DatasetMeta, DatasetRecord } from '../../core/records';
import { useApi } from '../apiContext';
import { isTiledImage } from '../../core/pyramid';
import { isImageShape } from './render/window';

/** A field as an NDArray (null when absent or a string). */
export function arrayField(rec: DatasetRecord | undefined | null, key: string): NDArray | null {
  const f = rec?.fields[key];
  return f && typeof f === 'object' ? f : null;
}

/** The last defined value (so a viewer keeps showing slice i while slice i+1 loads). */
export function useKeep<T>(value: T | undefined | null): T | undefined {
  const last = useRef<T | undefined>(undefined);
  if (value !== undefined && value !== null) last.current = value;
  return value ?? last.current;
}

/** The first defined value, kept (a volume's reference slice: the window is computed on it and kept across slices). */
export function useFirst<T>(value: T | undefined | null): T | undefined {
  const first = useRef<T | undefined>(undefined);
  if (first.current === undefined && value !== undefined && value !== null) first.current = value;
  return first.current;
}

/** One execution record (not live; see useExecution for that). */
export function useExecutionRecord(id: string | null | undefined) {
  const api = useApi();
  return useQuery({ queryKey: ['execution', id ?? '-'], queryFn: () => api.executions.get(id!), enabled: !!id });
}

/** One algorithm record (fails when it was removed). */
export function useAlgorithm(id: string | null | undefined) {
  const api = useApi();
  return useQuery({ queryKey: ['algorithm', id ?? '-'], queryFn: () => api.algorithms.get(id!), enabled: !!id, staleTime: Infinity });
}

export type DatasetKind = 'image' | 'image+mask' | 'mask' | 'alignment' | 'embedding' | 'volume' | 'table' | 'generic';

/**
 * The fields the volume viewer shows slice by slice, `volume` first: arrays of 3 or more axes that are
 * not one image (3×H×W RGB, 1×H×W) and hold at least one pixel.
 */
export function volumeKeys(meta: DatasetMeta): string[] {
  const keys = Object.entries(meta.keys)
    .filter(([, f]) => (f.kind === 'array' || f.kind === 'arrayList') && f.shape.length >= 3 && !isImageShape(f.shape) && f.shape.every((d) => d > 0))
    .map(([k]) => k);
  return keys.includes('volume') ? ['volume', ...keys.filter((k) => k !== 'volume')] : keys;
}

/** Which viewer a dataset gets, from its keys (and schema). */
export function datasetKind(meta: DatasetMeta): DatasetKind {
  const k = meta.keys;
  if (meta.schema === 'Table' && k.columns && k.values) return 'table';
  if (k.image && isImageShape(k.image.shape)) {
    const img = k.image.shape;
    const hw = img.slice(-2).join('x');
    return k.mask && k.mask.shape.slice(-2).join('x') === hw ? 'image+mask' : 'image';
  }
  const volumes = volumeKeys(meta);
  if (volumes[0] === 'volume') return 'volume';
  if (k.mask) return 'mask';
  if (k.transform_matrix) return 'alignment';
  if (k.features) return 'embedding';
  // Other N-D arrays large enough to be chunked are read slice by slice too; small ones stay generic.
  if (volumes.some((key) => k[key]!.array || k[key]!.remote)) return 'volume';
  return 'generic';
}

/** Whether field `key` is a 2-D image stored in more than one tile (viewed through its pyramid). */
export function isTiledImageField(meta: DatasetMeta, key: string): boolean {
  const f = Object.hasOwn(meta.keys, key) ? meta.keys[key] : undefined;
  return !!(f?.array || f?.remote) && isTiledImage(f.shape, f.chunkShape);
}

/**
 * The execution and input ids an output dataset records in `extra` (set by the engine); a dataset with
 * no inputs but a `madeFrom` (labels imported for an image, `labelsOf`) has that image as its input.
 */
/** How many links `imageSourceOf` follows at most. */
const MAX_SOURCE_LINKS = 4;

/**
 * The image a mask (or labels) was made from, through a chain of runs (coins → Otsu mask → cleaned mask →
 * labels): from `meta`, its `madeFrom` (else its first input) link by link to the first dataset with an
 * `image` field of the same Y × X size; null when the chain breaks or ends without one. `all`: the datasets' metadata.
 */
export function imageSourceOf(meta: DatasetMeta, all: readonly DatasetMeta[], key = 'mask'): DatasetMeta | null {
  const yx = (shape: readonly number[]) => shape.slice(-2).join('x');
  const want = meta.keys[key]?.shape;
  if (!want) return null;
  const byId = new Map(all.map((d) => [d.id, d]));
  let node: DatasetMeta | undefined = meta;
  for (let i = 0; i < MAX_SOURCE_LINKS && node; i++) {
    const from: unknown = node.extra?.madeFrom;
    const next: string | undefined = typeof from === 'string' ? from : provenance(node).inputs[0];
    node = next === undefined ? undefined : byId.get(next);
    const image = node?.keys.image;
    if (image && yx(image.shape) === yx(want)) return node!;
  }
  return null;
}

export function provenance(meta: DatasetMeta): { execution: string | null; inputs: string[] } {
  const x = meta.extra ?? {};
  const execution = typeof x.execution === 'string' ? x.execution : null;
  const inputs = Array.isArray(x.inputs) ? x.inputs.filter((v): v is string => typeof v === 'string') : [];
  if (!inputs.length && typeof x.madeFrom === 'string') inputs.push(x.madeFrom);
  return { execution, inputs };
}
