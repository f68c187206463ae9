// The prompts drawn over the image (PromptSegmenter and the Annotate SAM tool): object points (+),
// background points (−) and the box (the one being dragged, else the last one).
import type { ViewTransform } from './ImageCanvas';
import type { PromptEdit } from './promptEdits';
import type { Box } from './promptTool';

export function PromptMarks({ edits, dragBox, t }: { edits: readonly PromptEdit[]; dragBox: Box | null; t: ViewTransform }) {
  const boxes = edits.filter((e): e is Extract<PromptEdit, { kind: 'box' }> => e.kind === 'box');
  const box = dragBox ?? boxes[boxes.length - 1]?.box ?? null;
  const r = Math.max(4, Math.min(9, t.zoom * 0.5 + 4));
  return (
    <svg className="prompt-marks" aria-hidden="true">
      {box && (
        <rect
          x={box[0] * t.zoom + t.tx}
          y={box[1] * t.zoom + t.ty}
          width={(box[2] - box[0]) * t.zoom}
          height={(box[3] - box[1]) * t.zoom}
          className={dragBox ? 'prompt-box dragging' : 'prompt-box'}
        />
      )}
      {edits.map((e, i) =>
        e.kind === 'point' ? (
          <g
            key={i}
            transform={`translate(${(e.x + 0.5) * t.zoom + t.tx}, ${(e.y + 0.5) * t.zoom + t.ty})`}
            className={e.label ? 'prompt-point positive' : 'prompt-point negative'}
          >
            <circle r={r} />
            <path d={e.label ? `M ${-r / 2} 0 H ${r / 2} M 0 ${-r / 2} V ${r / 2}` : `M ${-r / 2} 0 H ${r / 2}`} />
          </g>
        ) : null,
      )}
    </svg>
  );
}
