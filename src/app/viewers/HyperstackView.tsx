// A multichannel and/or Z/T image (an `image` field of CZYX, TCZYX, CYX with other than R/G/B channels…,
// render/hyperstack.ts decides) as a composite: one slider per axis that is neither the channel axis nor
// y/x, one colour and window per channel added together (Fiji's composite, napari's additive blending).
// Only the planes shown are read: one region per visible channel at the current position, through
// datasets.openArray(…).read, latest-wins (useSlices.ts); the array may be larger than memory. Each
// channel's Auto window comes from the first plane of it shown and is kept while moving through Z/T
// (as VolumeView's reference slice); Reset computes it again on the plane shown.
// Keys (AxisSliders.tsx): `,` / `.` (and `<` / `>`, Page Up / Down) step Z, `[` / `]` step T, from
// anywhere in the viewer but a form field; the arrow keys pan.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ImageAxes } from '../../core/imageAxes';
import type { DatasetMeta } from '../../core/records';
import { ChannelControls } from './ChannelControls';
import { ChannelHistogram } from './ChannelHistogram';
import { AxisSliders, axisKeyStep } from './AxisSliders';
import { errorText } from './controls';
import { ImageCanvas } from './ImageCanvas';
import { formatValue } from './render/format';
import { formatWH } from './render/dims';
import { fieldAxes, linearIndex, planeRegion, positionOf, sliderAxes, sliderText, type SliderAxis } from './render/hyperstack';
import { planeAxesOf } from './render/scaleBar';
import { autoWindow, type DisplayWindow } from './render/window';
import { useArrayHandle } from './useArrayHandle';
import { useChannels } from './useChannels';
import { useComposite, type PlaneSet } from './useComposite';
import { useSlices } from './useSlices';
import { ViewerFrame } from './ViewerFrame';

/** The middle of Z (as napari opens a stack), the start of every other axis. */
function firstPosition(sliders: readonly SliderAxis[]): number[] {
  return sliders.map((s) => (s.axis.name === 'z' ? Math.floor((s.size - 1) / 2) : 0));
}

interface Props {
  id: string;
  name: string;
  fieldKey: string;
  shape: readonly number[];
  axes: ImageAxes;
}

function Hyperstack({ id, name, fieldKey, shape, axes }: Props) {
  const sliders = useMemo(() => sliderAxes(shape, axes), [shape, axes]);
  const sizes = useMemo(() => sliders.map((s) => s.size), [sliders]);
  const count = sizes.reduce((n, d) => n * d, 1);
  const [first] = useState(() => linearIndex(sizes, firstPosition(sliders)));
  const ch = useChannels(id, fieldKey, axes);
  const nch = ch.channels.length;
  const visibleKey = ch.visible.join(',');
  const handle = useArrayHandle(id, fieldKey);
  const h = handle.data;
  const [H, W] = [shape[shape.length - 2]!, shape[shape.length - 1]!];

  const read = useMemo(() => {
    if (!h) return null;
    const want = visibleKey ? visibleKey.split(',').map(Number) : [];
    return async (k: number): Promise<PlaneSet> => {
      const idx = positionOf(sizes, k);
      const planes: (ArrayLike<number> | null)[] = Array.from({ length: nch }, () => null);
      await Promise.all(
        want.map(async (c) => {
          planes[c] = (await h.read(planeRegion(shape, axes, idx, c))).data as unknown as ArrayLike<number>;
        }),
      );
      return { width: W, height: H, dtype: h.dtype, planes };
    };
  }, [h, visibleKey, sizes, nch, shape, axes, W, H]);
  const slices = useSlices(read, ['array', id, fieldKey, 'hyperstack', visibleKey], count, first);
  const { shown, go, failure, loading } = slices;
  const wanted = useRef(first);
  const goTo = useCallback(
    (k: number) => {
      wanted.current = k;
      go(k);
    },
    [go],
  );
  // A channel shown again (or shown alone) whose plane was not read at this position: read it.
  useEffect(() => {
    const want = visibleKey ? visibleKey.split(',').map(Number) : [];
    if (shown && want.some((c) => !shown.value.planes[c])) goTo(wanted.current);
  }, [visibleKey, shown, goTo]);

  // Each channel's Auto window, from the first plane of it shown (kept across Z/T).
  const [auto, setAuto] = useState<(DisplayWindow | null)[]>(() => Array.from({ length: nch }, () => null));
  useEffect(() => {
    if (!shown) return;
    const planes = shown.value.planes;
    if (!planes.some((p, c) => p && !auto[c])) return;
    setAuto((cur) => cur.map((w, c) => w ?? (planes[c] ? autoWindow(planes[c], 'percentile', { dtype: shown.value.dtype }) : null)));
  }, [shown, auto]);
  const windows = ch.channels.map((c, i): DisplayWindow => ({
    ...(c.window ? { min: c.window.start, max: c.window.end } : (auto[i] ?? { min: 0, max: 1 })),
    gamma: c.gamma ?? 1,
  }));
  const reset = (c: number) => {
    ch.update(c, { window: null, gamma: 1 });
    setAuto((cur) => cur.map((w, i) => (i === c ? null : w)));
  };

  const virtual = useComposite(shown?.value ?? null, ch.channels, ch.visible, windows);
  const pos = positionOf(sizes, slices.index);
  const drawnPos = shown ? positionOf(sizes, shown.index) : pos;
  const drawnKey = drawnPos.join(',');
  const plane = useMemo(() => {
    const at = drawnKey ? drawnKey.split(',').map(Number) : [];
    return planeAxesOf(
      axes.axes,
      sliders.map((s, i) => ({ dim: s.dim, index: at[i]! })),
    );
  }, [axes, sliders, drawnKey]);

  const stepAxis = (a: number, delta: number) => {
    const p = positionOf(sizes, wanted.current);
    const v = Math.max(0, Math.min(sizes[a]! - 1, p[a]! + delta));
    if (v === p[a]) return;
    p[a] = v;
    goTo(linearIndex(sizes, p));
  };
  const setAxis = (a: number, v: number) => {
    const p = positionOf(sizes, wanted.current);
    p[a] = v;
    goTo(linearIndex(sizes, p));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const k = axisKeyStep(e, sliders);
    if (!k) return;
    e.preventDefault();
    stepAxis(...k);
  };

  const readout = (x: number, y: number) => {
    const planes = shown?.value.planes;
    if (!planes) return '';
    return ch.channels.flatMap((c, i) => (planes[i] ? [`${c.label} ${formatValue(planes[i][y * W + x]!)}`] : [])).join(' · ');
  };
  const at = (k: number) => sliders.map((s, i) => sliderText(s, positionOf(sizes, k)[i]!)).join(' · ');
  const where = at(slices.index);
  const problem = handle.isError
    ? errorText(handle.error)
    : failure
      ? `The planes${sliders.length ? ` at ${at(failure.index)}` : ''} could not be read: ${failure.message}`
      : null;
  return (
    <ViewerFrame
      name="hyperstack-viewer"
      rootProps={{ 'data-channels': nch, 'data-visible': visibleKey }}
      onKeyDown={onKeyDown}
      toolbar={<ChannelControls ch={ch} windows={windows} onReset={reset} />}
      controls={
        <span className="muted small-text mono" data-testid="hyperstack-position">
          {where || `${formatWH(W, H)} px`}
        </span>
      }
      loading={loading}
      notes={[ch.saveError && `The channel settings could not be saved: ${ch.saveError}`]}
      problem={problem}
      waiting={shown ? null : 'Loading image…'}
    >
      <ImageCanvas
        pixels={null}
        virtual={virtual}
        drawnTag={shown ? drawnKey : undefined}
        label={`${name}${where ? `, ${where}` : ''}`}
        readout={readout}
        axes={plane}
      />
      <AxisSliders sliders={sliders} position={pos} onSet={setAxis} onStep={stepAxis} />
      {shown && <ChannelHistogram ch={ch} set={shown.value} windows={windows} />}
    </ViewerFrame>
  );
}

/** Field `fieldKey` (default `image`) of a dataset as a composite with Z/T sliders. */
export function HyperstackView({ meta, fieldKey = 'image' }: { meta: DatasetMeta; fieldKey?: string }) {
  const field = meta.keys[fieldKey]!;
  const axes = useMemo(() => fieldAxes(fieldKey, field), [fieldKey, field]);
  return <Hyperstack key={`${meta.id}/${fieldKey}`} id={meta.id} name={meta.name} fieldKey={fieldKey} shape={field.shape} axes={axes} />;
}
