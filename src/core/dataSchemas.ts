// The data schemas of the reference (compox `io_schemas.py`, reference §2.3) as zod v4 schemas.
// An item is a plain object of named fields; unknown keys are dropped (pydantic's default), optional
// fields get their defaults, and every problem is reported with the field it concerns.
//
// Messages: the reference's validator texts are kept word for word where it has them (Image, Volume);
// Mesh keeps their shape but accepts float32/int32 data (typed arrays have no int64 worth using) and
// fixes the "vertices" typo in the faces message. Other problems name the field:
// "Field 'image': expected an NDArray {dtype, shape, data}, got array(3)." / "Field 'x' is required.".
import { z } from 'zod';
import { hasFloat16, ndarrayProblem, type DType, type NDArray } from './ndarray';
import { BRIEF, describeValue } from './describeValue';
import { parseColumnSpecs, tableValueProblems } from './tableSchema';

// ───────────────────────────── field builders ─────────────────────────────

/** Marks issues whose message is already complete (they are reported as they are). */
const OWN = { algobox: true } as const;
/** What the per-parse error map puts on "missing value" issues of custom (user) schemas. */
const REQUIRED_MARK = '\u0000algobox:required';

type Check = (value: unknown, label: string) => string | readonly string[] | null;

/** A required field checked by `check`; `label` is "Field 'name'" for messages. */
function field<T>(name: string, check: Check) {
  return z.custom<T>().superRefine((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `Field '${name}' is required.`, params: OWN });
      return;
    }
    const found = check(value, `Field '${name}'`);
    const list = found === null ? [] : typeof found === 'string' ? [found] : found;
    for (const message of list) ctx.addIssue({ code: 'custom', message, params: OWN });
  });
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** An NDArray, then `more` on it once it is well formed. */
function ndarrayCheck(more?: (a: NDArray, label: string) => string | readonly string[] | null): Check {
  return (value, label) => ndarrayProblem(value, label) ?? (more ? more(value as NDArray, label) : null);
}

/** A list of NDArrays (each may have its own shape and dtype at this stage). */
const ndarrayListCheck =
  (name: string): Check =>
  (value, label) => {
    if (!Array.isArray(value)) return `${label}: expected a list of NDArrays, got ${describeValue(value, BRIEF)}.`;
    const out: string[] = [];
    value.forEach((el, i) => {
      const p = ndarrayProblem(el, `Field '${name}[${i}]'`);
      if (p) out.push(p);
    });
    return out;
  };

const finiteNumbersCheck =
  (name: string): Check =>
  (value, label) => {
    if (!Array.isArray(value)) return `${label}: expected a list of finite numbers, got ${describeValue(value, BRIEF)}.`;
    const i = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    return i < 0 ? null : `Field '${name}[${i}]': expected a finite number, got ${describeValue(value[i], BRIEF)}.`;
  };

const sizeTupleCheck =
  (name: string): Check =>
  (value, label) => {
    if (!Array.isArray(value)) {
      return `${label}: expected a list of non-negative integers (e.g. [height, width]), got ${describeValue(value, BRIEF)}.`;
    }
    const i = value.findIndex((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0);
    return i < 0 ? null : `Field '${name}[${i}]': expected a non-negative integer, got ${describeValue(value[i], BRIEF)}.`;
  };

const stringOrNullCheck: Check = (value, label) =>
  value === null || typeof value === 'string' ? null : `${label}: expected a string or null, got ${describeValue(value, BRIEF)}.`;

/** A 3×3 matrix of a numeric (integer or float) dtype. */
const matrix3x3Check = ndarrayCheck((a, label) => {
  const out: string[] = [];
  if (a.shape.length !== 2 || a.shape[0] !== 3 || a.shape[1] !== 3) {
    out.push(`${label}: expected a 3×3 matrix, got shape ${shapeText(a.shape)}.`);
  }
  if (a.dtype === 'bool') out.push(`${label}: expected an integer or float dtype, got bool.`);
  return out;
});

const ndarray = (name: string) => field<NDArray>(name, ndarrayCheck());
const ndarrayOrNull = (name: string) => ndarray(name).nullable().default(null);
const ndarrayListOrNull = (name: string) => field<NDArray[]>(name, ndarrayListCheck(name)).nullable().default(null);
const stringOrNull = (name: string) => field<string | null>(name, stringOrNullCheck).default(null);

// ───────────────────────────── the schemas ─────────────────────────────

const IMAGE_DTYPES_BASE: readonly DType[] = ['uint8', 'uint16', 'float32', 'float64'];

/** The image dtypes accepted here: the reference's list, float16 only where the engine has Float16Array. */
export function imageDTypes(): readonly DType[] {
  return hasFloat16() ? [...IMAGE_DTYPES_BASE, 'float16'] : IMAGE_DTYPES_BASE;
}

/** Reference validator: 2-D, or 3-D channel-first RGB; uint8/uint16/float32/float64(/float16). */
const imageCheck = ndarrayCheck((a) => {
  const out: string[] = [];
  const ndim = a.shape.length;
  if (!(ndim === 2 || (ndim === 3 && a.shape[0] === 3))) {
    // Reference text, C = 1 for 2-D else shape[0] (so an H×W×3 image reports "got H channels").
    // A 0-d array has no shape[0]; it is reported as one channel.
    const channels = ndim === 2 ? 1 : (a.shape[0] ?? 1);
    out.push(`Image must be 2D (got ${ndim} dimensions), grayscale or RGB (got ${channels} channels).`);
  }
  if (!imageDTypes().includes(a.dtype)) {
    out.push(`Image must be uint8, uint16, float64, float32 or float16 (got ${a.dtype}).`);
  }
  return out;
});

export const ImageSchema = z.object({
  image: field<NDArray>('image', imageCheck),
  mask: ndarrayOrNull('mask'),
  points: ndarrayListOrNull('points'),
});

export const SegmentationSchema = z.object({
  mask: ndarray('mask'),
});

export const AlignmentSchema = z.object({
  points1: field<NDArray[]>('points1', ndarrayListCheck('points1')).default(() => []),
  points2: field<NDArray[]>('points2', ndarrayListCheck('points2')).default(() => []),
  confidence: field<number[]>('confidence', finiteNumbersCheck('confidence')).default(() => []),
  transform_matrix: field<NDArray>('transform_matrix', matrix3x3Check),
  translation_matrix: field<NDArray>('translation_matrix', matrix3x3Check).nullable().default(null),
});

export const EmbeddingSchema = z.object({
  features: ndarray('features'),
  input_size: field<number[]>('input_size', sizeTupleCheck('input_size')),
  original_size: field<number[]>('original_size', sizeTupleCheck('original_size')),
});

export const GenericSchema = z.object({
  data: ndarray('data'),
});

export const VolumeSchema = z.object({
  volume: field<NDArray>(
    'volume',
    ndarrayCheck((a) => (a.shape.length === 3 ? null : `Volume must be a 3 dimensional array (got ${a.shape.length} dimensions).`)),
  ),
  mask: ndarrayOrNull('mask'),
  points: ndarrayListOrNull('points'),
  stats: stringOrNull('stats'),
});

const MESH_VERTEX_DTYPES: readonly DType[] = ['float32', 'float64'];
const MESH_FACE_DTYPES: readonly DType[] = ['int32', 'uint32', 'int16', 'uint16', 'uint8', 'int8'];
const isNx3 = (a: NDArray): boolean => a.shape.length === 2 && a.shape[1] === 3;
const validVertices = (a: NDArray): boolean => isNx3(a) && MESH_VERTEX_DTYPES.includes(a.dtype);
const validFaces = (a: NDArray): boolean => isNx3(a) && MESH_FACE_DTYPES.includes(a.dtype);

export const MeshSchema = z
  .object({
    vertices: field<NDArray>(
      'vertices',
      ndarrayCheck((a) => (validVertices(a) ? null : `Mesh vertices must be an Nx3 array of floats (got shape ${shapeText(a.shape)}, dtype ${a.dtype}).`)),
    ),
    faces: field<NDArray>(
      'faces',
      ndarrayCheck((a) =>
        validFaces(a)
          ? null
          : `Mesh faces must be an Nx3 array of integers pointing into the vertices array (got shape ${shapeText(a.shape)}, dtype ${a.dtype}).`,
      ),
    ),
    stats: stringOrNull('stats'),
  })
  .superRefine((mesh, ctx) => {
    // Runs only on well-formed vertices and faces (checked again here: zod may call it after field issues).
    const { vertices, faces } = mesh;
    if (ndarrayProblem(vertices) || ndarrayProblem(faces) || !validVertices(vertices) || !validFaces(faces)) return;
    const n = vertices.shape[0]!;
    const idx = faces.data as unknown as ArrayLike<number>;
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      if (v < 0 || v >= n) {
        const range = n > 0 ? ` (valid indices 0 to ${n - 1})` : '';
        ctx.addIssue({
          code: 'custom',
          path: ['faces'],
          params: OWN,
          message: `Mesh faces must point into the vertices array: face ${Math.floor(i / 3)} refers to vertex ${v}, but there are ${n} vertices${range}.`,
        });
        return;
      }
    }
  });

/** A measurement table (src/core/table.ts): column specs as JSON text, values float64 [columns, rows]. */
export const TableSchema = z
  .object({
    columns: field<string>('columns', (value, label) => {
      if (typeof value !== 'string') return `${label}: expected JSON text of the column specs, got ${describeValue(value, BRIEF)}.`;
      return parseColumnSpecs(value).problems;
    }),
    values: field<NDArray>('values', ndarrayCheck()),
  })
  .superRefine((t, ctx) => {
    // Runs only once both fields are well formed (zod may call it after field issues).
    if (typeof t.columns !== 'string' || ndarrayProblem(t.values)) return;
    const { columns } = parseColumnSpecs(t.columns);
    if (!columns) return;
    for (const message of tableValueProblems(columns, t.values)) ctx.addIssue({ code: 'custom', path: ['values'], params: OWN, message });
  });

// ───────────────────────────── parsed item types ─────────────────────────────

export interface ImageItem {
  image: NDArray;
  mask: NDArray | null;
  points: NDArray[] | null;
}
export interface SegmentationItem {
  mask: NDArray;
}
export interface AlignmentItem {
  points1: NDArray[];
  points2: NDArray[];
  confidence: number[];
  transform_matrix: NDArray;
  translation_matrix: NDArray | null;
}
export interface EmbeddingItem {
  features: NDArray;
  input_size: number[];
  original_size: number[];
}
export interface GenericItem {
  data: NDArray;
}
export interface VolumeItem {
  volume: NDArray;
  mask: NDArray | null;
  points: NDArray[] | null;
  stats: string | null;
}
export interface MeshItem {
  vertices: NDArray;
  faces: NDArray;
  stats: string | null;
}

export interface TableItem {
  columns: string;
  values: NDArray;
}

/** Parsed item type per built-in schema name. */
export interface DataItems {
  Image: ImageItem;
  Segmentation: SegmentationItem;
  Alignment: AlignmentItem;
  Embedding: EmbeddingItem;
  Generic: GenericItem;
  Volume: VolumeItem;
  Mesh: MeshItem;
  Table: TableItem;
}

// ───────────────────────────── registry and validation ─────────────────────────────

export const DATA_SCHEMAS = {
  Image: ImageSchema,
  Segmentation: SegmentationSchema,
  Alignment: AlignmentSchema,
  Embedding: EmbeddingSchema,
  Generic: GenericSchema,
  Volume: VolumeSchema,
  Mesh: MeshSchema,
  Table: TableSchema,
} as const;
export type DataSchemaName = keyof typeof DATA_SCHEMAS;

export const DATA_SCHEMA_NAMES = Object.keys(DATA_SCHEMAS) as DataSchemaName[];

export function isDataSchemaName(x: unknown): x is DataSchemaName {
  return typeof x === 'string' && Object.hasOwn(DATA_SCHEMAS, x);
}

export class SchemaError extends Error {
  constructor(
    message: string,
    /** Schema name (built-in name, a custom schema's description, or "Schema"). */
    public schema: string,
    /** Top-level field of the first problem, or null when the item as a whole is wrong. */
    public field: string | null,
  ) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** Reverse lookup for the built-in schemas (by identity); null for any other zod schema. */
export function schemaNameOf(schema: z.ZodType): DataSchemaName | null {
  for (const name of DATA_SCHEMA_NAMES) if ((DATA_SCHEMAS[name] as z.ZodType) === schema) return name;
  return null;
}

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

function issueText(iss: z.core.$ZodIssue): string {
  if (iss.code === 'custom' && (iss.params as { algobox?: boolean } | undefined)?.algobox) return iss.message;
  const path = pathText(iss.path);
  if (iss.message === REQUIRED_MARK) return path ? `Field '${path}' is required.` : 'A value is required.';
  return path ? `Field '${path}': ${iss.message}` : iss.message;
}

function isItemObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && !(x instanceof ArrayBuffer);
}

/**
 * Validate one item; returns the parsed item (unknown keys dropped, defaults filled). Throws
 * SchemaError whose message starts with "{SchemaName}: " (or "{SchemaName} item {index}: ") then
 * every problem, joined by "; ". A custom zod schema is named by its description, else "Schema".
 */
export function validateItem<N extends DataSchemaName>(schema: N, item: unknown, index?: number): DataItems[N] & Record<string, unknown>;
export function validateItem(schema: DataSchemaName | z.ZodType, item: unknown, index?: number): Record<string, unknown>;
export function validateItem(schema: DataSchemaName | z.ZodType, item: unknown, index?: number): Record<string, unknown> {
  let zs: z.ZodType;
  let name: string;
  if (typeof schema === 'string') {
    if (!isDataSchemaName(schema)) {
      throw new SchemaError(`Unknown data schema '${String(schema)}'; expected one of ${DATA_SCHEMA_NAMES.join(', ')}.`, String(schema), null);
    }
    zs = DATA_SCHEMAS[schema];
    name = schema;
  } else {
    zs = schema;
    name = schemaNameOf(schema) ?? schema.description ?? 'Schema';
  }
  const prefix = index === undefined ? `${name}: ` : `${name} item ${index}: `;
  if (!isItemObject(item)) {
    throw new SchemaError(`${prefix}expected an item object {field: value, …}, got ${describeValue(item, BRIEF)}.`, name, null);
  }
  const result = zs.safeParse(item, {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? REQUIRED_MARK : undefined),
  });
  if (result.success) return result.data as Record<string, unknown>;
  const issues = result.error.issues;
  const first = issues[0]?.path[0];
  throw new SchemaError(prefix + joinSentences(issues.map(issueText)), name, first === undefined ? null : String(first));
}

/** Join messages: sentences that end in a full stop are separated by a space, others by "; ". */
function joinSentences(parts: string[]): string {
  return parts.reduce((acc, p, i) => (i === 0 ? p : acc + (/[.!?]$/.test(acc) ? ' ' : '; ') + p), '');
}
