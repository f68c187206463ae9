// A volume (a Volume dataset's `volume`, or any array of 3+ axes large enough to be chunked) one 2-D
// slice at a time: opening slice k reads only that slice's chunks (datasets.openArray → read of the
// slice's region; the data plane stores one chunk per slice, render/slices.ts). It opens on the middle
// slice, as napari does; the slider, `,` / `.` (Fiji's `<` / `>`) and Page Up / Down move through Z.
// The previous slice stays shown while the next one is read; reads are latest-wins (useSlices.ts,
// shared with the sliced run viewers).
//
// Contrast: the Auto and Min–max windows are computed on one slice, the reference slice, and then KEPT
// while you move through the volume (as Fiji's B&C and napari's contrast limits do), so intensities
// compare across slices and a dim slice looks dim. The reference is the first slice shown; choosing a
// window mode again, Reset, or "Window from this slice" makes the slice shown the reference. The
// histogram (closed by default) is of the slice shown: the whole volume is never read for it.
import { useDeferredValue, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isIntegerDType, type NDArray } from '../../core/ndarray';
import type { DatasetMeta } from '../../core/records';
import { errorText, FieldPicker } from './controls';
import { useContrast, type ContrastState } from './contrast';
import { volumeKeys } from './data';
import { StatsAndHistogram } from './HistogramPlot';
import { ImageViewer } from './ImageViewer';
import { usePreviewOverlay } from './PreviewOverlay';
import { usePublishPlane } from '../state/preview';
import { histogram } from './render/histogram';
import { fieldAxes } from './render/hyperstack';
import { planeAxesOf } from './render/scaleBar';
import { sliceCount, sliceIndex, sliceText } from './render/slices';
import { imagePlanes, type ImagePlanes } from './render/window';
import { useArrayHandle } from './useArrayHandle';
import { readSlice, useSlices } from './useSlices';

/** Statistics and histogram of the slice shown, computed only while open and after the slice is drawn. */
function SliceHistogram({ slice, label }: { slice: NDArray; label: string }) {
  const [open, setOpen] = useState(false);
  const shown = useDeferredValue(slice);
  const hist = useMemo(
    () => (open ? histogram(shown.data as unknown as ArrayLike<number>, { bins: 64, integer: isIntegerDType(shown.dtype) }) : null),
    [open, shown],
  );
  return (
    <details className="volume-stats" data-testid="volume-stats" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Statistics and histogram of this slice</summary>
      {open && hist && <StatsAndHistogram array={shown} hist={hist} testId="slice" label={`Histogram of ${label}`} />}
    </details>
  );
}

function VolumeField({ meta, fieldKey, picker }: { meta: DatasetMeta; fieldKey: string; picker: ReactNode }) {
  const shape = meta.keys[fieldKey]!.shape;
  const count = sliceCount(shape);
  const handle = useArrayHandle(meta.id, fieldKey);
  // Opens on the middle slice, as napari does.
  const [first] = useState(() => Math.floor((count - 1) / 2));
  const h = handle.data;
  const read = useMemo(
    () =>
      h
        ? async (k: number) => {
            const array = await readSlice(h, k);
            return { array, planes: imagePlanes(array) };
          }
        : null,
    [h],
  );
  const slices = useSlices(read, ['array', meta.id, fieldKey], count, first);
  const { failure, loading, index, go, step } = slices;
  const shown = slices.shown && { index: slices.shown.index, ...slices.shown.value };
  const [state, setState] = useContrast();
  const [reference, setReference] = useState<ImagePlanes | null>(null);
  const current = shown?.planes ?? null;
  useEffect(() => {
    if (!reference && current) setReference(current);
  }, [reference, current]);
  const onContrast = (s: ContrastState) => {
    setState(s);
    if (s.mode !== 'manual' && current) setReference(current);
  };
  const problem = handle.isError ? errorText(handle.error) : failure ? `Slice ${failure.index + 1} could not be read: ${failure.message}` : null;
  const name = `${fieldKey}, ${sliceText(shape, index)}`;
  const axes = useMemo(() => fieldAxes(fieldKey, meta.keys[fieldKey]!).axes, [meta, fieldKey]);
  const drawn = shown?.index ?? index;
  const plane = useMemo(
    () =>
      planeAxesOf(
        axes,
        sliceIndex(shape, drawn).map((i, dim) => ({ dim, index: i })),
      ),
    [axes, shape, drawn],
  );
  // The live preview (state/preview.tsx) covers the slice drawn.
  const previewPlane = { datasetId: meta.id, key: fieldKey, at: sliceIndex(shape, drawn), label: `${meta.name} · ${sliceText(shape, drawn)}` };
  usePublishPlane(previewPlane);
  const overlay = usePreviewOverlay(previewPlane);
  return (
    <ImageViewer
      image={shown?.array}
      loading={loading}
      error={problem}
      label={`Volume ${meta.name}`}
      overlay={overlay}
      contrast={[state, onContrast]}
      windowFrom={reference ?? current}
      drawnTag={shown ? String(shown.index) : undefined}
      sampled
      axes={plane}
      controls={
        <>
          {picker}
          <button
            type="button"
            className="small"
            data-testid="contrast-from-slice"
            disabled={!current || reference === current}
            onClick={() => current && setReference(current)}
            title="Compute the Auto / Min–max window on the slice shown; it is then kept while you move through the slices"
          >
            Window from this slice
          </button>
          <span className="muted small-text mono" data-testid="volume-slice">
            {name}
          </span>
        </>
      }
      footer={shown && <SliceHistogram slice={shown.array} label={name} />}
      nav={{ index, count, onChange: go, step, label: 'Slice', describe: shape.length > 3 ? (i) => sliceText(shape, i) : undefined }}
    />
  );
}

/** A dataset's N-D fields slice by slice, with a field picker when it has more than one. */
export function VolumeView({ meta }: { meta: DatasetMeta }) {
  const keys = volumeKeys(meta);
  const [chosen, setChosen] = useState(keys[0]!);
  const key = keys.includes(chosen) ? chosen : keys[0]!;
  const picker = keys.length > 1 ? <FieldPicker keys={keys} value={key} onChange={setChosen} /> : null;
  return <VolumeField key={key} meta={meta} fieldKey={key} picker={picker} />;
}
