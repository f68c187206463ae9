// The viewer's canvas, read and pointed at as the viewer specs do: `viewer-canvas` and its viewport
// `viewer-canvas-viewport`, whose data-zoom/-tx/-ty are the transform from image pixels to the viewport.
import { expect, type Page } from '@playwright/test';

/** Wait until the viewer canvas shows a w × h image and has drawn it. */
export async function canvasReady(page: Page, w: number, h: number) {
  const c = page.getByTestId('viewer-canvas');
  await expect(c).toHaveAttribute('data-width', String(w));
  await expect(c).toHaveAttribute('data-height', String(h));
  await expect(c).toHaveAttribute('data-version', /\d+/);
}

/**
 * The canvas's RGBA at image pixel (x, y), where the canvas is viewport-sized (a plane drawn at the
 * screen's resolution, a composite): image pixel (x, y) is at tx + (x + ½)·zoom in the viewport.
 */
export function viewportPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      const vp = document.querySelector('[data-testid="viewer-canvas-viewport"]') as HTMLElement;
      const [zoom, tx, ty] = ['zoom', 'tx', 'ty'].map((k) => Number(vp.dataset[k]));
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      const dpr = window.devicePixelRatio || 1;
      return Array.from(
        c.getContext('2d')!.getImageData(Math.floor((tx! + (x! + 0.5) * zoom!) * dpr), Math.floor((ty! + (y! + 0.5) * zoom!) * dpr), 1, 1).data,
      );
    },
    [x, y] as const,
  );
}

/** Client coordinates of the centre of image pixel (x, y) in the viewer's viewport. */
export async function imagePointAt(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const vp = page.getByTestId('viewer-canvas-viewport');
  const [zoom, tx, ty] = await Promise.all(['data-zoom', 'data-tx', 'data-ty'].map(async (a) => Number(await vp.getAttribute(a))));
  const o = await vp.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left + el.clientLeft, top: r.top + el.clientTop };
  });
  return { x: o.left + tx! + (x + 0.5) * zoom!, y: o.top + ty! + (y + 0.5) * zoom! };
}

/** Move the pointer over the centre of image pixel (x, y) of the viewport. */
export async function hoverImagePixel(page: Page, x: number, y: number) {
  const p = await imagePointAt(page, x, y);
  await page.mouse.move(p.x, p.y);
}
