// The shapes of everything the engine stores and returns: datasets, algorithms, executions,
// sessions. Pure types plus a few constants; the store (src/store) persists them, the API returns them.
import type { DType, NDArray } from './ndarray';

// ───────────────────────────── datasets ─────────────────────────────

/**
 * How a schema value is kept in a dataset field (the reference keeps one HDF5 dataset per field):
 * - `array`: one NDArray;
 * - `arrayList`: a list of NDArrays of one shape and dtype, stored stacked along a new axis 0
 *   (an empty list is a float64 array of shape [0]);
 * - `numbers`: a tuple or list of numbers, stored as a 1-D float64 array;
 * - `string`: a UTF-8 string, stored as a 1-D uint8 array of its bytes.
 */
export type FieldKind = 'array' | 'arrayList' | 'numbers' | 'string';

/** What a schema item's field becomes before it is written: the array plus how to read it back. */
export interface StoredField {
  kind: FieldKind;
  array: NDArray;
}

/**
 * Per-key metadata kept in the dataset record. The bytes live either in the blob store under `blob`
 * (small fields, `numbers`, `string`, and every field written before version 6 until it is migrated),
 * or in the chunked (Zarr v3) array `array` whose chunks have shape `chunkShape` (array fields of 64 KiB
 * and more, see src/store/datasetArrays.ts). Exactly one of `blob` and `array` is set.
 */
export interface FieldMeta {
  kind: FieldKind;
  dtype: DType;
  shape: number[];
  /** Content address (SHA-256 hex) of the field's bytes in the blob store. */
  blob?: string;
  /** Id of the chunked array holding the field. */
  array?: string;
  /** Chunk shape of `array`. */
  chunkShape?: number[];
  /** Content address of `array` (src/core/chunkDigest.ts). */
  digest?: string;
  byteLength: number;
  /**
   * The multiscale pyramid of a tiled 2-D image field (src/core/pyramid.ts), level 1 first, once built
   * (the viewer builds it at first view). Each level is a chunked array the dataset holds a reference
   * to, exactly as it does `array`: deleting the dataset releases them.
   */
  levels?: FieldLevel[];
  /**
   * What the array's axes mean (names, units, physical sizes, channels; src/core/imageAxes.ts), when
   * known: read from the file on import (OME-TIFF, ImageJ TIFF, OME-Zarr), given by the writer, or
   * inherited by a run's output from its input. Absent: the defaults of `defaultAxes`.
   */
  axes?: import('./imageAxes').ImageAxes;
  /**
   * The field is an array of a remote OME-Zarr (`datasets.openUrl`): nothing of it is stored here (no
   * `blob`, no `array`, byteLength 0); reads fetch the chunks they touch. Its pyramid is `remote.levels`.
   */
  remote?: RemoteArray;
}

/** Where a remote field's array lives: an OME-Zarr image group at `url` and its multiscale levels. */
export interface RemoteArray {
  /** The image group's URL (no trailing slash). */
  url: string;
  /** Level 0's array path inside the group ('0'). */
  path: string;
  zarrFormat: 2 | 3;
  /** Level 0 first: each array's path, its full shape and chunk shape (all its axes, before any is left out). */
  levels: { path: string; shape: number[]; chunkShape: number[] }[];
  /** The axes of the remote arrays the field keeps (the t, c, z axes of length 1 are left out; src/core/ome/storedLayout.ts). */
  kept: number[];
  /** The remote arrays' dtype when the field converts it (an Image's int16 read as float32); absent when the same. */
  dtype?: DType;
}

/** One level of a field's pyramid: level l halves level l − 1 along Y and X (2×2 mean). */
export interface FieldLevel {
  /** Id of the chunked array holding the level. */
  array: string;
  shape: number[];
  chunkShape: number[];
  /** Content address of `array`. */
  digest: string;
}

export interface DatasetMeta {
  id: string;
  name: string;
  /** ISO 8601 time of creation. */
  created: string;
  /** Where it came from: 'upload' (API put / file import), 'execution:<id>', 'sample', … */
  source: string;
  /** Data schema the item was validated against when it was written (Image, Segmentation, …), if any. */
  schema: string | null;
  keys: Record<string, FieldMeta>;
  /** Total bytes of all fields. */
  byteLength: number;
  /** Free-form, JSON-serialisable extras (e.g. the file name and page of an imported TIFF). */
  extra: Record<string, unknown>;
  /**
   * A small 8-bit preview made when the dataset was written (src/core/thumbnail.ts): null when no
   * field can be shown as an image; absent on datasets written before thumbnails existed.
   */
  thumbnail?: Thumbnail | null;
}

/** A preview image: `width × height` pixels, row-major, `channels` bytes per pixel (gray, or interleaved RGB). */
export interface Thumbnail {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** `datasets.get` result: a field requested but absent is null. `string` fields come back as strings. */
export interface DatasetRecord {
  id: string;
  meta: DatasetMeta;
  fields: Record<string, NDArray | string | null>;
}

// ───────────────────────────── algorithms ─────────────────────────────

export type Device = 'cpu' | 'gpu' | 'mps';

/** Public algorithm record (the API's shape). */
export interface AlgorithmInfo {
  id: string;
  name: string;
  version: string;
  algorithmType: string;
  tags: string[];
  description: string;
  supportedDevices: Device[];
  defaultDevice: Device | '';
  additionalParameters: import('./manifest').ParameterDeclaration[];
  warnings: string[];
  /** Where it was installed from ('builtin' bundles are first-party); `url` for URL installs (for "Copy link"). */
  origin: { kind: 'builtin' | 'url' | 'zip' | 'files'; url?: string };
  /** SHA-256 identity of the bundle's files. */
  bundleHash: string;
  /** Names of the bundle's self-tests ([[tool.algobox.tests]]); empty when it declares none. */
  selfTests: string[];
  /** [tool.algobox] preview = true: the entry module's `preview(image, args)` gives a live preview of one 2-D image (`api.preview`). */
  preview: boolean;
  /** ISO time of installation. */
  installed: string;
}

/** What the store keeps for an installed algorithm. */
export interface AlgorithmRecord extends AlgorithmInfo {
  /** Lower-cased name for case-insensitive lookup. */
  nameLower: string;
  /** [major, minor, patch] for ordering versions numerically. */
  versionKey: [number, number, number];
  /** Bundle-relative path → blob key, for code files (Runner.js and its submodules). */
  module: Record<string, string>;
  /** Bundle-relative path → blob key, for every other file (pyproject.toml, files/…, README…). */
  assets: Record<string, string>;
  byteLength: number;
  manifest: import('./manifest').Manifest;
}

// ───────────────────────────── executions ─────────────────────────────

export const EXECUTION_STATUSES = ['PENDING', 'STARTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  /** ISO 8601 time. */
  time: string;
  level: LogLevel;
  message: string;
}

export interface ExecutionTimings {
  /** Milliseconds spent starting the worker, loading the module and running loadAssets (0 on a warm cache). */
  load?: number;
  preprocess?: number;
  inference?: number;
  postprocess?: number;
  total?: number;
}

export interface ExecutionRecord {
  id: string;
  algorithmId: string;
  /** Name and version at the time of the run (the algorithm may be removed later). */
  algorithmName: string;
  algorithmVersion: string;
  inputDatasetIds: string[];
  status: ExecutionStatus;
  progress: number;
  log: LogLine[];
  outputDatasetIds: string[];
  args: Record<string, unknown>;
  /** The device asked for (per-run override), or null to use the algorithm's default. */
  requestedDevice: string | null;
  /** The device the run actually used, once resolved. */
  device: Device | null;
  timings: ExecutionTimings;
  error: { message: string; stack: string } | null;
  sessionToken: string;
  timeoutMs: number | null;
  timeCreated: string;
  timeStarted: string | null;
  timeCompleted: string | null;
  /** The engine instance (browser tab) running it; used to detect runs interrupted by a reload. */
  engineId: string;
}

// ───────────────────────────── sessions ─────────────────────────────

export interface SessionRecord {
  token: string;
  /** ISO time the session first stored an item. */
  timeCreated: string;
  /** Keys in least- to most-recently-used order. */
  order: string[];
  values: Record<string, unknown>;
  /** Keys evicted because the cache was full, so a later load can say why it is gone. */
  evictedBySize: string[];
}
