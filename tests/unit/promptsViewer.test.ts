// The click-to-segment viewer's pure parts: pointer → image coordinates at any zoom, clicks and
// drags → prompts, Undo.
import { describe, expect, it } from 'vitest';
import { viewportToImage } from '../../src/app/viewers/ImageCanvas';
import { boxBetween, describeEdit, pixelAt, promptsOf, type PromptEdit } from '../../src/app/viewers/promptEdits';

describe('click-to-segment prompt edits', () => {
  it('maps viewport points to image pixels at any zoom and pan', () => {
    for (const t of [
      { zoom: 1, tx: 0, ty: 0 },
      { zoom: 2.5, tx: -100, ty: 30 },
      { zoom: 0.4, tx: 12, ty: 7 },
    ]) {
      for (const [x, y] of [
        [0, 0],
        [90, 100],
        [255, 255],
      ] as const) {
        // The centre of pixel (x, y) on screen, back to the image.
        const p = viewportToImage(t.tx + (x + 0.5) * t.zoom, t.ty + (y + 0.5) * t.zoom, t);
        expect(p.x).toBeCloseTo(x + 0.5, 9);
        expect(p.y).toBeCloseTo(y + 0.5, 9);
        expect(pixelAt(p, 256, 256)).toEqual({ x, y });
      }
    }
    expect(pixelAt({ x: -0.01, y: 3 }, 256, 256)).toBeNull();
    expect(pixelAt({ x: 3, y: 256 }, 256, 256)).toBeNull();
  });

  it('a drag is a box snapped to pixel edges and clipped to the image', () => {
    expect(boxBetween({ x: 40.2, y: 90.7 }, { x: 10.6, y: 20.4 }, 100, 80)).toEqual([11, 20, 40, 80]);
    expect(boxBetween({ x: -5, y: -5 }, { x: 500, y: 500 }, 100, 80)).toEqual([0, 0, 100, 80]);
    expect(boxBetween({ x: 3.2, y: 3 }, { x: 3.4, y: 9 }, 100, 80)).toBeNull();
  });

  it('edits become one request: all points, the last box (or the one being dragged); Undo drops the last edit', () => {
    const edits: PromptEdit[] = [
      { kind: 'point', x: 5, y: 6, label: 1 },
      { kind: 'box', box: [1, 2, 30, 40] },
      { kind: 'point', x: 7, y: 8, label: 0 },
      { kind: 'box', box: [2, 3, 20, 30] },
    ];
    expect(promptsOf([])).toBeNull();
    expect(promptsOf(edits)).toEqual({
      points: [
        [5, 6, 1],
        [7, 8, 0],
      ],
      box: [2, 3, 20, 30],
    });
    expect(promptsOf(edits.slice(0, -1))).toEqual({
      points: [
        [5, 6, 1],
        [7, 8, 0],
      ],
      box: [1, 2, 30, 40],
    });
    expect(promptsOf(edits.slice(0, 1))).toEqual({ points: [[5, 6, 1]] });
    expect(promptsOf([], [0, 0, 4, 4])).toEqual({ points: [], box: [0, 0, 4, 4] });
    expect(edits.map(describeEdit)).toEqual(['+ object (5, 6)', 'box (1, 2)–(30, 40)', '− background (7, 8)', 'box (2, 3)–(20, 30)']);
  });
});
