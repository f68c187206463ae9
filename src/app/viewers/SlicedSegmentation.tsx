// A mask that is a stack of slices (a 3-D segmentation of a Volume, or a mask stored in more than one
// chunk), slice by slice — a run's output, or such a mask dataset opened on its own: slice k of the mask over slice k of its source (the input's `volume` or
// `image` of the same shape) and, for Segmentation2Segmentation, slice k of the input mask to toggle
// against. Slice k's chunks of each are read together, latest-wins (useSlices.ts); nothing is read
// whole, so a mask of a Volume larger than the tab's memory opens as fast as one slice. The legend
// counts the slice shown. Without a usable source the labels are shown alone, with a note saying why.
import type { DatasetMeta } from '../../core/records';
import { useDataset } from '../state/queries';
import { errorText, type SliceNav } from './controls';
import { provenance, useExecutionRecord, useFirst } from './data';
import { selectedHandle } from './selectedHandle';
import { useMemo } from 'react';
import { sliceCount, sliceText } from './render/slices';
import { SegmentationViewer } from './SegmentationViewer';
import { firstField, matchingField } from './slicedFields';
import { useArrayHandle } from './useArrayHandle';
import { useSliceReader } from './useSliceReader';
import { useSlices } from './useSlices';

export interface SlicedSegmentationProps {
  /** The output dataset (its `mask` is sliced). */
  outMeta: DatasetMeta;
  /** The run's input this output came from (null: none recorded). */
  inputId: string | null;
  /** Read the input's `mask` too, to toggle against (Segmentation2Segmentation, or a mask made from a mask). */
  seg2seg: boolean;
  /** The note when `inputId` is null (none: the labels alone, unremarked). */
  noInputNote?: string | null;
  /** The run's outputs. */
  outputNav?: SliceNav;
  label: string;
}

export function SlicedSegmentation({
  outMeta,
  inputId,
  seg2seg,
  noInputNote = 'The input of this output is not known: showing the labels alone.',
  outputNav,
  label,
}: SlicedSegmentationProps) {
  const shape = outMeta.keys.mask!.shape;
  const count = sliceCount(shape);
  const src = useDataset(inputId, []);
  const srcMeta = src.data?.meta ?? null;
  // A Segmentation2Segmentation input is often a mask alone: no image to show under it is no news then.
  const hasImage = !!srcMeta && firstField(srcMeta, ['volume', 'image']) !== null;
  // The channel a run on a multichannel source used (its `channel` argument): the mask is shown over it.
  const run = useExecutionRecord(provenance(outMeta).execution);
  const channel = typeof run.data?.args.channel === 'number' ? run.data.args.channel : 0;
  const image = srcMeta && (hasImage || !seg2seg) ? matchingField(srcMeta, ['volume', 'image'], shape, 'source image', channel) : null;
  // The input mask is there to toggle against when the input has one; its absence needs no note.
  const input = seg2seg && srcMeta && firstField(srcMeta, ['mask']) ? matchingField(srcMeta, ['mask'], shape, 'input mask') : null;
  const maskH = useArrayHandle(outMeta.id, 'mask');
  const sourceH = useArrayHandle(srcMeta?.id, image?.key);
  const select = image?.key ? image.select : undefined;
  const selected = useMemo(
    () => (select && sourceH.data ? selectedHandle(sourceH.data, select.axis, select.index) : undefined),
    [select?.axis, select?.index, sourceH.data],
  );
  const imageH = selected ? ({ ...sourceH, data: selected } as typeof sourceH) : sourceH;
  const inputH = useArrayHandle(srcMeta?.id, input?.key);
  // Slice k of the mask waits for the source's arrays to open (or fail), so both are read in one go.
  const read = useSliceReader([maskH, imageH, inputH], !!inputId && src.isLoading);
  const slices = useSlices(read, ['run-slices', outMeta.id, 'mask', inputId ?? '-'], count, Math.floor((count - 1) / 2));
  const { shown, failure, loading, index, go, step } = slices;
  const [mask, sourceSlice, inputSlice] = shown?.value ?? [];
  const reference = useFirst(sourceSlice);
  const where = shown ? sliceText(shape, shown.index) : null;
  const note = !inputId
    ? noInputNote
    : src.isError
      ? `The input is not available (${errorText(src.error)}): showing the labels alone.`
      : imageH.isError
        ? `The source image cannot be read (${errorText(imageH.error)}): showing the labels alone.`
        : (image?.note ?? null);
  const problem = maskH.isError ? errorText(maskH.error) : failure ? `Slice ${failure.index + 1} could not be read: ${failure.message}` : null;
  return (
    <SegmentationViewer
      key={seg2seg ? 'seg2seg' : 'img2seg'}
      image={sourceSlice}
      mask={mask}
      inputMask={inputSlice}
      loading={loading}
      error={problem}
      note={[note, input?.note].filter(Boolean).join(' ') || null}
      nav={{ index, count, onChange: go, step, label: 'Slice', describe: (i) => sliceText(shape, i) }}
      outputNav={outputNav}
      label={`${label}, ${where ?? ''}`}
      legendTitle={where ? `Labels in this slice (${where})` : 'Labels'}
      windowFrom={reference}
      drawnTag={shown ? String(shown.index) : undefined}
      labelSource={{ datasetId: outMeta.id, key: 'mask' }}
    />
  );
}
