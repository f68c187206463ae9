// Issue 16, the Annotate SAM tool: on the synthetic prompt scene (a disk with a handle, a blue square),
// Annotate → S (SAM) → "Compute embedding" runs the built-in sam_embedding bundle; a click on the disk,
// Enter, a click on the square, Enter: the layer holds labels 1 and 2 whose pixels are exactly the
// masks the same decoder gives through window.algobox.prompts.segment (read back from the saved
// dataset); Ctrl+Z removes object 2 only. On a stack the tool is disabled and says why.
import { expect, test, type Page } from '@playwright/test';
import { DISK, SQUARE, makePromptScene } from '../fixtures/promptScene';
import { SHOTS_DIR, shot } from './shot';
import { openApp } from './util';

const editor = (page: Page) => page.getByTestId('annotate-editor');
const panel = (page: Page) => page.getByTestId('annotate-sam');

/** Click image pixel (x, y)'s centre in the editor's viewport. */
async function clickPixel(page: Page, x: number, y: number) {
  const vp = page.getByTestId('viewer-canvas-viewport');
  const [zoom, tx, ty] = await Promise.all(['data-zoom', 'data-tx', 'data-ty'].map(async (a) => Number(await vp.getAttribute(a))));
  const o = await vp.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left + el.clientLeft, top: r.top + el.clientTop };
  });
  await page.mouse.click(o.left + tx! + (x + 0.5) * zoom!, o.top + ty! + (y + 0.5) * zoom!);
}

async function press(page: Page, key: string) {
  await page.getByTestId('viewer-canvas-viewport').focus();
  await page.keyboard.press(key);
}

/** The decoder's mask for one object point (window.algobox.prompts.segment), as 0/1 values. */
async function segment(page: Page, embeddingDatasetId: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    async ({ embeddingDatasetId, x, y }) =>
      Array.from((await window.algobox.prompts.segment({ embeddingDatasetId, points: [[x, y, 1]] })).data, (v) => (v ? 1 : 0)),
    { embeddingDatasetId, x, y },
  );
}

/** Wait until the live mask answers one object point at (x, y); its area. */
async function liveMask(page: Page, x: number, y: number): Promise<number> {
  await expect(panel(page)).toHaveAttribute('data-mask-prompts', JSON.stringify({ points: [[x, y, 1]], box: null }), { timeout: 30_000 });
  await expect(panel(page)).toHaveAttribute('data-current', 'true');
  return Number(await panel(page).getAttribute('data-mask-area'));
}

/** Save the layer; the saved mask's values. */
async function saveAndRead(page: Page): Promise<number[]> {
  await page.getByTestId('annotate-save').click();
  await expect(editor(page)).toHaveAttribute('data-unsaved', 'false');
  const id = (await page.getByTestId('annotate-saved').getAttribute('data-id'))!;
  return page.evaluate(async (id) => {
    const m = (await window.algobox.datasets.get(id)).fields.mask as { data: ArrayLike<number>; shape: number[] };
    if (m.shape.join('x') !== '256x256') throw new Error(`The saved mask is ${m.shape.join('×')}, expected 256×256.`);
    return Array.from(m.data);
  }, id);
}

const count = (v: readonly number[], l: number) => v.reduce((a, x) => a + (x === l ? 1 : 0), 0);

test('SAM objects: compute the embedding, click, Enter, click, Enter → labels 1 and 2; Ctrl+Z removes object 2', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = await openApp(page);
  const scene = makePromptScene();
  const imageId = await page.evaluate(
    (data) =>
      window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [3, 256, 256], data: Uint8Array.from(data) } }, { name: 'disk scene', schema: 'Image' }),
    Array.from(scene.data),
  );
  await page.goto(`/?view=dataset:${imageId}`);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');

  // S selects the tool; without an embedding it offers to compute one.
  await press(page, 's');
  await expect(editor(page)).toHaveAttribute('data-tool', 'sam');
  await expect(page.getByTestId('annotate-tool-sam')).toHaveAttribute('aria-pressed', 'true');
  await press(page, '?');
  await expect(
    page
      .getByTestId('annotate-help')
      .getByRole('row')
      .filter({ hasText: /^S\s*SAM: click an object to segment it/ }),
  ).toHaveCount(1);
  await press(page, '?');
  await panel(page).getByTestId('prompt-compute-button').click();
  await expect(page.getByTestId('annotate-sam-status')).toHaveText('Click object 1.', { timeout: 180_000 });
  const [embeddingId] = await page.evaluate((id) => window.algobox.prompts.embeddingsFor(id), imageId);
  await expect(panel(page)).toHaveAttribute('data-embedding', embeddingId!);

  // Object 1: the disk.
  await clickPixel(page, DISK.cx, DISK.cy);
  const area1 = await liveMask(page, DISK.cx, DISK.cy);
  const mask1 = await segment(page, embeddingId!, DISK.cx, DISK.cy);
  expect(count(mask1, 1)).toBe(area1);
  expect(area1).toBeGreaterThan(4000);
  await expect(page.getByTestId('annotate-sam-preview')).toBeVisible();
  await press(page, 'Enter');
  await expect(editor(page)).toHaveAttribute('data-undo', '1');
  await expect(editor(page)).toHaveAttribute('data-painted-count', String(area1));
  await expect(editor(page)).toHaveAttribute('data-label', '2');
  await expect(panel(page)).toHaveAttribute('data-mask-area', '0');

  // Object 2: the square (shown live before it is accepted: the screenshot).
  const [sx, sy] = [(SQUARE.x0 + SQUARE.x1) >> 1, (SQUARE.y0 + SQUARE.y1) >> 1];
  await clickPixel(page, sx, sy);
  const area2 = await liveMask(page, sx, sy);
  const mask2 = await segment(page, embeddingId!, sx, sy);
  expect(count(mask2, 1)).toBe(area2);
  expect(mask1.some((v, i) => v && mask2[i])).toBe(false);
  await expect(page.getByTestId('annotate-sam-status')).toHaveText(`${area2.toLocaleString('en-US')} px for label 2`);
  await shot(page, `${SHOTS_DIR}/annotate-sam.png`);
  await press(page, 'Enter');
  await expect(editor(page)).toHaveAttribute('data-undo', '2');
  await expect(editor(page)).toHaveAttribute('data-painted-count', String(area1 + area2));
  await expect(editor(page)).toHaveAttribute('data-label', '3');

  // The saved layer: label 1 exactly on mask 1, label 2 exactly on mask 2.
  const saved = await saveAndRead(page);
  expect([count(saved, 1), count(saved, 2), count(saved, 0)]).toEqual([area1, area2, 256 * 256 - area1 - area2]);
  expect(saved.every((v, i) => v === (mask1[i] ? 1 : mask2[i] ? 2 : 0))).toBe(true);

  // Ctrl+Z removes object 2 only.
  await press(page, 'Control+z');
  await expect(editor(page)).toHaveAttribute('data-undo', '1');
  await expect(editor(page)).toHaveAttribute('data-painted-count', String(area1));
  const undone = await saveAndRead(page);
  expect(undone.every((v, i) => v === mask1[i])).toBe(true);

  // Esc clears the prompts of an object not accepted.
  await clickPixel(page, sx, sy);
  await expect(panel(page)).toHaveAttribute('data-mask-area', String(area2), { timeout: 30_000 });
  await press(page, 'Escape');
  await expect(panel(page)).toHaveAttribute('data-mask-area', '0');
  await expect(editor(page)).toHaveAttribute('data-undo', '1');

  // Enter pressed before the decode answers: the object is accepted once it does (as label 2 again).
  await clickPixel(page, sx, sy);
  await press(page, 'Enter');
  await expect(editor(page)).toHaveAttribute('data-undo', '2', { timeout: 30_000 });
  await expect(editor(page)).toHaveAttribute('data-painted-count', String(area1 + area2));
  expect(problems).toEqual([]);
});

test('on a stack the SAM tool is disabled and its tooltip says why', async ({ page }) => {
  await openApp(page);
  await page.evaluate(async () => {
    const ids: string[] = [];
    for (let k = 0; k < 2; k++)
      ids.push(await window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [16, 16], data: new Uint8Array(256).fill(k) } }, { name: `s${k}` }));
    await window.algobox.stacks.create({ name: 'two slices', datasetIds: ids });
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await page.getByTestId('stack-row').filter({ hasText: 'two slices' }).locator('.ds-row-text').click();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  const button = page.getByTestId('annotate-tool-sam');
  await expect(button).toBeDisabled();
  await expect(button).toHaveAttribute('title', /2-D images only/);
  await press(page, 's');
  await expect(editor(page)).toHaveAttribute('data-tool', 'brush');
});
