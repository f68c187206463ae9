// Any array: shape, dtype, min/max/mean/std, a histogram (uPlot), and for 2-D/3-D arrays an image
// preview (3-D arrays that are not RGB get a slider over their first axis). Strings are shown as text.
import { useMemo, useState } from 'react';
import { isIntegerDType, reshape, sliceAt, type NDArray } from '../../core/ndarray';
import { StatsAndHistogram } from './HistogramPlot';
import { ImageViewer } from './ImageViewer';
import { FieldPicker, ViewerMessage, type SliceNav } from './controls';
import { useContrast } from './contrast';
import { formatValue } from './render/format';
import { histogram } from './render/histogram';
import { isImageShape } from './render/window';
import { ViewerFrame } from './ViewerFrame';

type Field = NDArray | string | null;

/** How an array can be previewed as images: one image, a stack of images along axis 0, or none. */
export function previewOf(a: NDArray): { kind: 'image' } | { kind: 'slices'; count: number; stack: NDArray } | { kind: 'none' } {
  if (a.shape.some((d) => d === 0)) return { kind: 'none' };
  if (isImageShape(a.shape)) return { kind: 'image' };
  if (a.shape.length >= 3) {
    const h = a.shape[a.shape.length - 2]!;
    const w = a.shape[a.shape.length - 1]!;
    const stack = reshape(a, [-1, h, w]);
    return { kind: 'slices', count: stack.shape[0]!, stack };
  }
  return { kind: 'none' };
}

function ArrayView({ name, array }: { name: string; array: NDArray }) {
  const hist = useMemo(() => histogram(array.data as unknown as ArrayLike<number>, { bins: 64, integer: isIntegerDType(array.dtype) }), [array]);
  const preview = useMemo(() => previewOf(array), [array]);
  const [slice, setSlice] = useState(0);
  const contrast = useContrast();
  const index = preview.kind === 'slices' ? Math.min(slice, preview.count - 1) : 0;
  const image = useMemo(() => (preview.kind === 'image' ? array : preview.kind === 'slices' ? sliceAt(preview.stack, index) : null), [preview, array, index]);
  const first =
    array.shape.length === 1
      ? Array.from(
          (array.data as unknown as ArrayLike<number>).length > 12
            ? (array.data as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, 12)
            : (array.data as unknown as ArrayLike<number>),
        )
      : null;
  return (
    <>
      <StatsAndHistogram array={array} hist={hist} testId="generic" label={`Histogram of ${name}`} />
      {first && (
        <p className="mono values-line" data-testid="generic-values">
          [{first.map((v) => formatValue(v)).join(', ')}
          {array.data.length > first.length ? `, … ${array.data.length - first.length} more` : ''}]
        </p>
      )}
      {image && (
        <ImageViewer
          image={image}
          contrast={contrast}
          label={`${name} as an image`}
          nav={preview.kind === 'slices' ? { index, count: preview.count, onChange: setSlice, label: 'Slice' } : undefined}
        />
      )}
      {preview.kind === 'none' && array.shape.length >= 2 && <p className="muted">This array cannot be shown as an image.</p>}
    </>
  );
}

export interface GenericViewerProps {
  fields: Record<string, Field> | null | undefined;
  initialKey?: string;
  loading?: boolean;
  error?: string | null;
  nav?: SliceNav;
}

export function GenericViewer({ fields, initialKey, loading, error, nav }: GenericViewerProps) {
  const keys = useMemo(() => Object.keys(fields ?? {}).filter((k) => fields![k] !== null), [fields]);
  const [chosen, setChosen] = useState<string | null>(initialKey ?? null);
  const key = chosen && keys.includes(chosen) ? chosen : (keys[0] ?? null);
  const value = key ? fields![key] : null;
  return (
    <ViewerFrame
      name="generic-viewer"
      toolbar={keys.length > 0 && <FieldPicker keys={keys} value={key ?? ''} onChange={setChosen} />}
      loading={loading}
      problem={error}
      waiting={fields ? null : 'Loading…'}
      nav={nav}
      navTestId="item-slider"
    >
      {!key ? (
        <ViewerMessage>This dataset has no fields.</ViewerMessage>
      ) : typeof value === 'string' ? (
        <pre className="text-field" data-testid="generic-text">
          {value}
        </pre>
      ) : value ? (
        <div className="generic-body">
          <ArrayView key={key} name={key} array={value} />
        </div>
      ) : null}
    </ViewerFrame>
  );
}
