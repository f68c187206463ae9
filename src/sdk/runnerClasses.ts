// Algorithm type → the SDK class a Runner of that type extends (the names are in core/algorithmTypes.ts;
// tests/unit/algorithmTypes.test.ts checks that both agree).
import type { AlgorithmType } from '../core/algorithmTypes';
import { BaseRunner } from './BaseRunner';
import { Image2AlignmentRunner } from './Image2AlignmentRunner';
import { Image2EmbeddingRunner } from './Image2EmbeddingRunner';
import { Image2ImageRunner } from './Image2ImageRunner';
import { Image2SegmentationRunner } from './Image2SegmentationRunner';
import { Segmentation2SegmentationRunner } from './Segmentation2SegmentationRunner';

export const RUNNER_CLASSES: Readonly<Record<AlgorithmType, typeof BaseRunner>> = {
  Image2Alignment: Image2AlignmentRunner,
  Image2Image: Image2ImageRunner,
  Image2Segmentation: Image2SegmentationRunner,
  Image2Embedding: Image2EmbeddingRunner,
  Segmentation2Segmentation: Segmentation2SegmentationRunner,
  Undefined: BaseRunner,
  Generic: BaseRunner,
};
