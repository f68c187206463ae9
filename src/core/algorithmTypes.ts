// The Compox algorithm types (a manifest's `algorithm_type`) in one table: what a runner of each type
// reads and posts, the SDK class it extends, the BEAT formats of its outputs as a toolchain's runner
// block, and how the viewer shows a run's results. Adding a type is one entry here and its runner file
// in src/sdk (docs/architecture.md, "Recipes"). Pure data, no DOM.
import type { DataSchemaName } from './dataSchemas';

/** How the viewer shows a run's results (src/app/viewers/RunViewers.tsx maps each to a component). */
export type ViewerKind = 'compare' | 'segmentation' | 'seg2seg' | 'alignment' | 'embedding' | 'generic';

export interface AlgorithmTypeInfo {
  /** The `"algobox"` class a Runner of this type extends (src/sdk/runnerClasses.ts maps it). */
  runnerClass: string;
  /** Schema of the input datasets and the field the typed runner stacks from them; null: no typed input. */
  input: { schema: 'Image' | 'Segmentation'; key: 'image' | 'mask' } | null;
  /** Schema of the datasets the runner posts; null: any. */
  output: DataSchemaName | null;
  /**
   * As a runner block of a BEAT toolchain: its outputs (field of the posted datasets → data format of
   * the unit `{ value: <field> }`) when the block declares none. Null where the posted field and its
   * format are not well defined (only masks — uint8 0/1 or labels < 256 — and 3×3 matrices are).
   */
  beatOutputs: Readonly<Record<string, string>> | null;
  viewer: ViewerKind;
  /**
   * Each input makes its own outputs, one per input in order (the typed runner stacks its inputs only to
   * batch them): inputs of different shapes or dtypes run as separate groups of one execution
   * (src/engine/inputGroups.ts). False where the inputs belong together (an alignment's pairs) or the
   * runner is untyped.
   */
  perItem: boolean;
}

const IMAGE_IN = { schema: 'Image', key: 'image' } as const;
const MASK_IN = { schema: 'Segmentation', key: 'mask' } as const;

/** In the reference's order (the manifest's messages list them so). */
export const ALGORITHM_TYPE_TABLE = {
  Image2Alignment: {
    runnerClass: 'Image2AlignmentRunner',
    input: IMAGE_IN,
    output: 'Alignment',
    beatOutputs: { transform_matrix: 'system/array_2d_float64/1' },
    viewer: 'alignment',
    perItem: false,
  },
  Image2Image: { runnerClass: 'Image2ImageRunner', input: IMAGE_IN, output: 'Image', beatOutputs: null, viewer: 'compare', perItem: true },
  Image2Segmentation: {
    runnerClass: 'Image2SegmentationRunner',
    input: IMAGE_IN,
    output: 'Segmentation',
    beatOutputs: { mask: 'system/array_2d_uint8/1' },
    viewer: 'segmentation',
    perItem: true,
  },
  Image2Embedding: { runnerClass: 'Image2EmbeddingRunner', input: IMAGE_IN, output: 'Embedding', beatOutputs: null, viewer: 'embedding', perItem: true },
  Segmentation2Segmentation: {
    runnerClass: 'Segmentation2SegmentationRunner',
    input: MASK_IN,
    output: 'Segmentation',
    beatOutputs: { mask: 'system/array_2d_uint8/1' },
    viewer: 'seg2seg',
    perItem: true,
  },
  Undefined: { runnerClass: 'BaseRunner', input: null, output: null, beatOutputs: null, viewer: 'generic', perItem: false },
  Generic: { runnerClass: 'BaseRunner', input: null, output: null, beatOutputs: null, viewer: 'generic', perItem: false },
} as const satisfies Record<string, AlgorithmTypeInfo>;

export type AlgorithmType = keyof typeof ALGORITHM_TYPE_TABLE;

export const ALGORITHM_TYPES = Object.keys(ALGORITHM_TYPE_TABLE) as readonly AlgorithmType[];

export function isAlgorithmType(x: unknown): x is AlgorithmType {
  return typeof x === 'string' && Object.hasOwn(ALGORITHM_TYPE_TABLE, x);
}

/** The table's entry for a type name (as stored in records: any string), or null for an unknown name. */
export function algorithmTypeInfo(type: string): AlgorithmTypeInfo | null {
  return isAlgorithmType(type) ? ALGORITHM_TYPE_TABLE[type] : null;
}

/** What a runner block stores its input units as: the type's input, Image's `image` for untyped runners. */
export function runnerInput(type: string): { schema: 'Image' | 'Segmentation'; key: 'image' | 'mask' } {
  return algorithmTypeInfo(type)?.input ?? IMAGE_IN;
}

/** The algorithm type a run's output (and input) schemas imply, for runs whose algorithm was removed. */
export function typeFromSchemas(outputSchema: string | null | undefined, inputSchema: string | null | undefined): AlgorithmType {
  const withOutput = ALGORITHM_TYPES.filter((t) => outputSchema && ALGORITHM_TYPE_TABLE[t].output === outputSchema);
  const exact = withOutput.find((t) => ALGORITHM_TYPE_TABLE[t].input?.schema === inputSchema);
  return exact ?? withOutput[0] ?? 'Generic';
}
