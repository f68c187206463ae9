// What bundles import as "algobox": runners, data schemas, NDArray helpers, tables (a measurements
// table posted with postDataAs(items, 'Table')) and zod.
export { BaseRunner, type Args, type InputData, type SchemaLike } from './BaseRunner';
export { Image2ImageRunner } from './Image2ImageRunner';
export { Image2SegmentationRunner } from './Image2SegmentationRunner';
export { Image2EmbeddingRunner } from './Image2EmbeddingRunner';
export { Image2AlignmentRunner } from './Image2AlignmentRunner';
export { Segmentation2SegmentationRunner } from './Segmentation2SegmentationRunner';
export {
  ImageSchema,
  SegmentationSchema,
  AlignmentSchema,
  EmbeddingSchema,
  GenericSchema,
  VolumeSchema,
  MeshSchema,
  TableSchema,
  DATA_SCHEMAS,
} from '../core/dataSchemas';
export {
  ndarray,
  zeros,
  reshape,
  sliceAt,
  sliceRange,
  stack,
  unstack,
  cast,
  copy,
  stats,
  sizeOf,
  stridesOf,
  isNDArray,
  DTYPES,
  type NDArray,
  type DType,
} from '../core/ndarray';
export { tableFromColumns, tableFromItem, tableToItem, type Table } from '../core/table';
export { LazyArray, OutputArray, type ArrayBlock, type BlockOptions, type ArrayRegion } from './lazyArrays';
export { OnnxSession, type OnnxInputInfo, type Int64Feed } from './OnnxSession';
export type { OnnxModelOptions } from './onnxRuntime';
export { z } from 'zod';
