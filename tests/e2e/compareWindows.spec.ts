// The compare view's windows: tv_denoising turns a uint8 image into a float32 0…1 result. The two
// sides do not share a value range, so each gets its own automatic window (the output is not shown
// black through the input's 0…255 window), and "Link windows" says why it is off; a tick by the
// user links them anyway.
import { expect, test, type Page } from '@playwright/test';
import { encodePng } from '../../src/core/imageCodecs/index';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { shot } from './shot';
import { dropFiles, openApp } from './util';

const W = 48;
const H = 40;

/** A uint8 image: a dark background (0…19, so the input's auto window starts at 0) and two bright discs. */
function darkCells(seed: number): NDArray<'uint8'> {
  const d = new Uint8Array(W * H);
  let s = seed;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      let v = (s >>> 8) % 20;
      for (const [cx, cy, r] of [
        [12, 12, 6],
        [36, 26, 8],
      ] as const)
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) v += 180;
      d[y * W + x] = v;
    }
  return ndarray('uint8', [H, W], d);
}

/** The red channel of the viewer canvas's columns x0 ≤ x < x1, every row. */
async function reds(page: Page, x0: number, x1: number): Promise<number[]> {
  return page.evaluate(
    ([x0, x1]) => {
      const c = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(x0!, 0, x1! - x0!, c.height).data;
      return Array.from(d.filter((_, i) => i % 4 === 0));
    },
    [x0, x1],
  );
}

test('tv_denoising of a uint8 image: the float32 0…1 output gets its own window, and the link control says why', async ({ page }) => {
  const problems = await openApp(page);
  await dropFiles(
    page,
    [1, 2].map((k) => ({ path: `dark/d${k}.png`, bytes: encodePng(darkCells(k)) })),
  );
  const row = page.getByTestId('stack-row').filter({ has: page.locator('.ds-name', { hasText: 'dark' }) });
  await expect(row).toContainText('2 slices');
  await page.getByTestId('alg-card-tv_denoising').getByTestId('alg-select').click();
  await row.getByRole('button', { name: 'Use as input' }).click();
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  const dtypes = await page.evaluate(async () => {
    const [rec] = await window.algobox.executions.list();
    const out = await window.algobox.datasets.get(rec!.outputDatasetIds[0]!, ['image']);
    const inp = await window.algobox.datasets.get(rec!.inputDatasetIds[0]!, ['image']);
    return [(inp.fields.image as { dtype: string }).dtype, (out.fields.image as { dtype: string }).dtype];
  });
  expect(dtypes).toEqual(['uint8', 'float32']);

  await details.getByTestId('run-open-results').click();
  await expect(page.getByTestId('compare-viewer')).toBeVisible();
  const canvas = page.getByTestId('viewer-canvas');
  await expect(canvas).toHaveAttribute('data-width', String(W));
  await expect(canvas).toHaveAttribute('data-height', String(H));
  await expect(canvas).toHaveAttribute('data-version', /\d+/);

  // Split at 50 %: columns 24… are the output. Its own window shows the disc bright, the background dark.
  let after = await reds(page, W / 2, W);
  expect(Math.max(...after)).toBeGreaterThan(200);
  expect(Math.min(...after)).toBeLessThan(60);
  const link = page.getByTestId('compare-link');
  await expect(link).not.toBeChecked();
  const why = page.getByTestId('compare-link-why');
  await expect(why).toHaveText(/^Unlinked: the input is uint8 0–\d+, the output float32 [\d.e-]+–[\d.e-]+: each side has its own window\.$/);
  await shot(page, 'docs/screenshots/compare-windows.png');

  // Linked by the user anyway: the output goes through the input's 0…~200 window, i.e. black.
  await link.check();
  await expect(why).toHaveText(/^Linked by you, although the input is uint8 /);
  await expect.poll(async () => Math.max(...(await reds(page, W / 2, W)))).toBeLessThanOrEqual(2);
  await link.uncheck();
  await expect(why).toHaveText(/^Unlinked: /);
  after = await reds(page, W / 2, W);
  expect(Math.max(...after)).toBeGreaterThan(200);
  expect(problems).toEqual([]);
});
