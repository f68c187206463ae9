// The objects a table measures, beside it: the labels over their intensity image (or over black), the
// selected row's object filled and outlined in yellow with the others dimmed, centred when zoomed in.
// Clicking an object selects its row (the middle button pans, the wheel zooms).
import { useMemo } from 'react';
import type { NDArray } from '../../core/ndarray';
import type { TableLinks } from '../../core/table';
import { useDataset } from '../state/queries';
import { errorText, ViewerMessage } from './controls';
import { arrayField } from './data';
import { ImageCanvas, type ImageTool } from './ImageCanvas';
import { COLORMAPS } from './render/colormaps';
import { highlightObjects, labelCentre } from './render/objectHighlight';
import { autoWindow, imagePlanes, renderRGBA } from './render/window';

/** The image windowed to gray (RGB kept) when it has the labels' height and width, else null (black). */
function baseOf(image: NDArray | null, w: number, h: number): Uint8ClampedArray | null {
  if (!image) return null;
  try {
    const planes = imagePlanes(image);
    if (planes.width !== w || planes.height !== h) return null;
    return renderRGBA(planes, autoWindow(planes.data, 'percentile', { dtype: image.dtype }), COLORMAPS.gray);
  } catch {
    return null;
  }
}

export interface TableObjectsProps {
  links: TableLinks;
  selected: number | null;
  onSelect(label: number): void;
}

export function TableObjects({ links, selected, onSelect }: TableObjectsProps) {
  const lq = useDataset(links.labels, [links.labelsKey]);
  const iq = useDataset(links.image ?? null, ['image']);
  const labels = arrayField(lq.data, links.labelsKey);
  const image = arrayField(iq.data, 'image');
  const flat = labels && labels.shape.length === 2 ? labels : null;
  const [h, w] = flat ? (flat.shape as [number, number]) : [0, 0];
  const values = flat?.data as ArrayLike<number> | undefined;
  const base = useMemo(() => baseOf(image, w, h), [image, w, h]);
  const pixels = useMemo(() => (values ? { width: w, height: h, data: highlightObjects(base, values, w, h, selected) } : null), [base, values, w, h, selected]);
  const centre = useMemo(() => (values && selected !== null ? labelCentre(values, w, selected) : null), [values, w, selected]);
  const tool = useMemo(
    (): ImageTool => ({
      cursor: 'pointer',
      onDown: (p) => {
        const x = Math.floor(p.x);
        const y = Math.floor(p.y);
        const l = values && x >= 0 && y >= 0 && x < w && y < h ? values[y * w + x]! : 0;
        if (l) onSelect(l);
      },
    }),
    [values, w, h, onSelect],
  );
  const note = image && !base ? `The image's size differs from the labels' (${w} × ${h}): showing the labels alone.` : null;
  return (
    <div className="table-objects" data-testid="table-objects" data-selected-label={selected ?? ''} data-labels={links.labels}>
      {lq.isError ? (
        <ViewerMessage kind="error">The objects are not available: {errorText(lq.error)}</ViewerMessage>
      ) : labels && !flat ? (
        <ViewerMessage kind="error">{`The labels are ${labels.shape.join('×')}; only 2-D labels can be shown beside a table.`}</ViewerMessage>
      ) : (
        <>
          {note && <p className="viewer-note warn-text">{note}</p>}
          <ImageCanvas
            pixels={pixels}
            label="Objects of this table: click one to select its row"
            testId="table-objects-canvas"
            tool={tool}
            centre={centre}
            readout={(x, y) => `label ${values?.[y * w + x] ?? ''}`}
          />
        </>
      )}
    </div>
  );
}
