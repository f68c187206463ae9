// A volume (a Volume dataset's `volume`, or any array of 3+ axes large enough to be chunked) one 2-D
// slice at a time: opening slice k reads only that slice's chunks (datasets.openArray → read of the
// slice's region; the data plane stores one chunk per slice, render/slices.ts). It opens on the middle
// slice, as napari does; the slider, `,` / `.` (Fiji's `<` / `>`) and Page Up / Down move through Z.
// The previous slice stays shown while the next one is read; nothing else is prefetched, so what is
// read is what is shown. A read starts in the very event that asks for it, at most one runs at a time
// (a fast scrub reads the slice in flight, then the last one asked for), and a slice read is drawn at
// once (flushSync): opening a slice costs its read and one render, not a round of scheduling.
//
// Contrast: the Auto and Min–max windows are computed on one slice, the reference slice, and then KEPT
// while you move through the volume (as Fiji's B&C and napari's contrast limits do), so intensities
// compare across slices and a dim slice looks dim. The reference is the first slice shown; choosing a
// window mode again, Reset, or "Window from this slice" makes the slice shown the reference. The
// histogram (closed by default) is of the slice shown: the whole volume is never read for it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type { ArrayHandle } from '../../api';
import { isIntegerDType, reshape, type NDArray } from '../../core/ndarray';
import type { DatasetMeta } from '../../core/records';
import { useApi } from '../apiContext';
import { errorText, FieldPicker } from './controls';
import { useContrast, type ContrastState } from './contrast';
import { volumeKeys } from './data';
import { StatsAndHistogram } from './HistogramPlot';
import { ImageViewer } from './ImageViewer';
import { histogram } from './render/histogram';
import { sliceCount, sliceRegion, sliceText } from './render/slices';
import { imagePlanes, type ImagePlanes } from './render/window';

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

interface Slice {
  index: number;
  array: NDArray;
  planes: ImagePlanes;
}

/** A read slower than this shows its slice index and "Loading…" before its pixels. */
const SLOW_READ_MS = 150;

/**
 * Slices of field `fieldKey` read latest-wins: `go(k)` starts reading slice k now (through the query
 * client, not cached once read), unless a read is running, in which case k is read when it ends. A
 * slice read is drawn synchronously when it arrives, and the slider and the label move with it (one
 * frame for both, not one for the slider while the read runs and another for the pixels); a read slower
 * than SLOW_READ_MS moves them first and shows "Loading…".
 */
function useSlices(datasetId: string, fieldKey: string, handle: ArrayHandle | undefined, shape: readonly number[], first: number) {
  const qc = useQueryClient();
  const [shown, setShown] = useState<Slice | null>(null);
  const [failure, setFailure] = useState<{ index: number; message: string } | null>(null);
  const [slow, setSlow] = useState<number | null>(null);
  const reads = useRef({ wanted: first, running: false, timer: 0 });
  const go = useCallback(
    (k: number) => {
      const r = reads.current;
      r.wanted = k;
      if (!r.timer) r.timer = window.setTimeout(() => setSlow(r.wanted), SLOW_READ_MS);
      if (!handle || r.running) return;
      r.running = true;
      const read = async (): Promise<Slice> => {
        const array = reshape(await handle.read(sliceRegion(shape, k)), shape.slice(-2));
        return { index: k, array, planes: imagePlanes(array) };
      };
      const settle = (apply: () => void) => {
        const last = r.wanted === k;
        if (last) {
          clearTimeout(r.timer);
          r.timer = 0;
        }
        flushSync(() => {
          apply();
          if (last) setSlow(null);
        });
      };
      qc.fetchQuery({ queryKey: ['array', datasetId, fieldKey, 'slice', k], queryFn: read, staleTime: 0, gcTime: 0 })
        .then(
          (slice) =>
            settle(() => {
              setShown(slice);
              setFailure(null);
            }),
          (e: unknown) => settle(() => setFailure({ index: k, message: errorText(e) })),
        )
        .finally(() => {
          r.running = false;
          if (r.wanted !== k) go(r.wanted);
        });
    },
    [qc, datasetId, fieldKey, handle, shape],
  );
  const count = sliceCount(shape);
  const step = useCallback((delta: number) => go(Math.max(0, Math.min(count - 1, reads.current.wanted + delta))), [go, count]);
  // The first slice, once the array is open (only then: a new `go` for a refetched shape reads nothing).
  const latest = useRef(go);
  latest.current = go;
  useEffect(() => {
    if (handle) latest.current(reads.current.wanted);
  }, [handle]);
  useEffect(() => () => clearTimeout(reads.current.timer), []);
  const index = slow ?? shown?.index ?? first;
  return { shown, failure, loading: slow !== null, index, go, step };
}

function VolumeField({ meta, fieldKey, picker }: { meta: DatasetMeta; fieldKey: string; picker: ReactNode }) {
  const api = useApi();
  const shape = meta.keys[fieldKey]!.shape;
  const count = sliceCount(shape);
  const handle = useQuery({
    queryKey: ['array', meta.id, fieldKey],
    queryFn: () => api.datasets.openArray(meta.id, fieldKey),
    staleTime: Infinity,
  });
  // Opens on the middle slice, as napari does.
  const [first] = useState(() => Math.floor((count - 1) / 2));
  const { shown, failure, loading, index, go, step } = useSlices(meta.id, fieldKey, handle.data, shape, first);
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
  return (
    <ImageViewer
      image={shown?.array}
      loading={loading}
      error={problem}
      label={`Volume ${meta.name}`}
      contrast={[state, onContrast]}
      windowFrom={reference ?? current}
      drawnTag={shown ? String(shown.index) : undefined}
      sampled
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
