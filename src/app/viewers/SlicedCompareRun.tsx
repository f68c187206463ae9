// An Image2Image run's output that is a stack of slices (tv_denoising on a Volume gives a Volume),
// slice by slice: before (the input's `volume` or `image` of the same shape) and after, slice k of
// each read together, latest-wins (useSlices.ts), in the compare viewer (split or toggle). Neither is
// read whole. The linked window is computed on the first input slice shown and kept across slices.
import type { DatasetMeta } from '../../core/records';
import { useDataset } from '../state/queries';
import { CompareViewer } from './CompareViewer';
import { errorText, type SliceNav } from './controls';
import { useFirst } from './data';
import { sliceCount, sliceText } from './render/slices';
import { matchingField } from './slicedFields';
import { useArrayHandle } from './useArrayHandle';
import { useSliceReader } from './useSliceReader';
import { useSlices } from './useSlices';

export interface SlicedCompareRunProps {
  /** The output dataset. */
  outMeta: DatasetMeta;
  /** Its sliced field (`volume` or `image`). */
  fieldKey: string;
  /** The run's input this output came from (null: none recorded). */
  inputId: string | null;
  /** The run's outputs. */
  outputNav: SliceNav;
}

export function SlicedCompareRun({ outMeta, fieldKey, inputId, outputNav }: SlicedCompareRunProps) {
  const shape = outMeta.keys[fieldKey]!.shape;
  const count = sliceCount(shape);
  const src = useDataset(inputId, []);
  const srcMeta = src.data?.meta ?? null;
  const before = srcMeta ? matchingField(srcMeta, ['volume', 'image'], shape, 'input') : null;
  const afterH = useArrayHandle(outMeta.id, fieldKey);
  const beforeH = useArrayHandle(srcMeta?.id, before?.key);
  const read = useSliceReader([afterH, beforeH], !!inputId && src.isLoading);
  const slices = useSlices(read, ['run-slices', outMeta.id, fieldKey, inputId ?? '-'], count, Math.floor((count - 1) / 2));
  const { shown, failure, loading, index, go, step } = slices;
  const [afterSlice, beforeSlice] = shown?.value ?? [];
  const reference = useFirst(beforeSlice);
  const beforeError = !inputId
    ? 'this output has no matching input.'
    : src.isError
      ? errorText(src.error)
      : beforeH.isError
        ? errorText(beforeH.error)
        : (before?.note ?? null);
  const afterError = afterH.isError ? errorText(afterH.error) : failure ? `Slice ${failure.index + 1} could not be read: ${failure.message}` : null;
  return (
    <CompareViewer
      before={beforeSlice}
      after={afterSlice}
      beforeError={beforeError}
      afterError={afterError}
      loading={loading}
      nav={{ index, count, onChange: go, step, label: 'Slice', describe: (i) => sliceText(shape, i) }}
      outputNav={outputNav}
      windowFrom={reference}
      drawnTag={shown ? String(shown.index) : undefined}
    />
  );
}
