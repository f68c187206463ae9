// Issue 16, "Annotate": an editable label layer with undo, driven as a person would. On coins (half
// size, imported as a PNG): a brush stroke of a 5-px disc along 40 pixels of a row paints exactly
// 21 + 5·39 = 216 pixels; New label + Fill recolours them; a polygon on pixel centres (20, 100)–(40, 115)
// fills its 21·16 = 336 pixels; one eraser click erases a 21-pixel disc inside it; Ctrl+Z twice and
// Ctrl+Shift+Z once move through those states; Save stores a new Segmentation dataset (read back through
// window.algobox: the values at every place, the provenance). A reload offers the unsaved edits back,
// and restoring them gives the same pixels. On a stack, undo moves back across slices.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeImportReports, openApp } from './util';
import { imagePointAt } from './canvas';
import { SHOTS_DIR, shot } from './shot';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import numpy, skimage.io'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-annotate-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const editor = (page: Page) => page.getByTestId('annotate-editor');

const at = imagePointAt;

async function click(page: Page, x: number, y: number) {
  const p = await at(page, x, y);
  await page.mouse.click(p.x, p.y);
}

async function stroke(page: Page, from: [number, number], to: [number, number]) {
  const a = await at(page, ...from);
  const b = await at(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 7 });
  await page.mouse.up();
}

async function expectPainted(page: Page, count: number, undo: number, redo: number) {
  await expect(editor(page)).toHaveAttribute('data-painted-count', String(count));
  await expect(editor(page)).toHaveAttribute('data-undo', String(undo));
  await expect(editor(page)).toHaveAttribute('data-redo', String(redo));
}

async function pressKey(page: Page, key: string, times = 1) {
  await page.getByTestId('viewer-canvas-viewport').focus();
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

/** Select the dataset named `name` and open Annotate on it (ready to paint). */
async function annotate(page: Page, name: RegExp) {
  await page.getByTestId('dataset-row').locator('.ds-name', { hasText: name }).click();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
}

/** A saved dataset's mask and meta, read through the API in the page; `values`: counts of each label (`data`: every value, when asked). */
async function readSaved(page: Page, id: string, withData = true) {
  return page.evaluate(
    async ({ id, withData }) => {
      const d = await window.algobox.datasets.get(id);
      const m = d.fields.mask as { dtype: string; shape: number[]; data: ArrayLike<number> };
      const values: Record<string, number> = {};
      for (let i = 0; i < m.data.length; i++) if (m.data[i]) values[m.data[i]!] = (values[m.data[i]!] ?? 0) + 1;
      return { meta: d.meta, dtype: m.dtype, shape: m.shape, values, data: withData ? Array.from(m.data) : [] };
    },
    { id, withData },
  );
}

test('paint, fill, polygon, erase, undo/redo, save, help and restore after a reload on an image', async ({ page }) => {
  test.skip(!ready, 'needs numpy and skimage under /usr/bin/python3');
  const r = spawnSync(PYTHON, [
    '-c',
    `import skimage.data, skimage.io\nskimage.io.imsave('${dir}/coins.png', skimage.data.coins()[::2, ::2], check_contrast=False)`,
  ]);
  expect(r.status).toBe(0);
  const problems = await openApp(page);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'coins.png'));
  await expect(page.getByTestId('import-report')).toContainText('Imported 1', { timeout: 60_000 });
  await closeImportReports(page);
  await page.getByTestId('dataset-row').filter({ hasText: 'coins.png' }).locator('.ds-name').click();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('annotate-start')).toHaveValue('');
  await expectPainted(page, 0, 0, 0);

  // Brush 10 → 5 with "[", then a stroke along row 50 from x 60 to x 99 (40 positions).
  await pressKey(page, '[', 5);
  await expect(editor(page)).toHaveAttribute('data-size', '5');
  await stroke(page, [60, 50], [99, 50]);
  await expectPainted(page, 21 + 5 * 39, 1, 0);
  const afterBrush = await editor(page).getAttribute('data-labels-hash');

  // New label (M) = 2, fill (F) the stroke.
  await pressKey(page, 'm');
  await expect(editor(page)).toHaveAttribute('data-label', '2');
  await page.getByTestId('annotate-tool-fill').click();
  await click(page, 70, 50);
  await expectPainted(page, 216, 2, 0);
  expect(await editor(page).getAttribute('data-labels-hash')).not.toBe(afterBrush);

  // Polygon (G) with label 3 on pixel centres; Enter fills it.
  await pressKey(page, 'm');
  await expect(editor(page)).toHaveAttribute('data-label', '3');
  await pressKey(page, 'g');
  for (const [x, y] of [
    [20, 100],
    [40, 100],
    [40, 115],
    [20, 115],
  ] as const) {
    await click(page, x, y);
  }
  await pressKey(page, 'Enter');
  await expectPainted(page, 216 + 336, 3, 0);
  const afterPolygon = await editor(page).getAttribute('data-labels-hash');

  // Eraser (E), one click: a 5-px disc (21 pixels) inside the polygon.
  await pressKey(page, 'e');
  await click(page, 30, 107);
  await expectPainted(page, 552 - 21, 4, 0);

  // Ctrl+Z twice, Ctrl+Shift+Z once.
  await pressKey(page, 'Control+z');
  await expectPainted(page, 552, 3, 1);
  await expect(editor(page)).toHaveAttribute('data-labels-hash', afterPolygon!);
  await pressKey(page, 'Control+z');
  await expectPainted(page, 216, 2, 2);
  await pressKey(page, 'Control+Shift+z');
  await expectPainted(page, 552, 3, 1);
  await expect(editor(page)).toHaveAttribute('data-labels-hash', afterPolygon!);
  await expect(page.getByTestId('annotate-undo')).toHaveAttribute('title', 'Undo (Ctrl+Z): 3 steps');
  await expect(page.getByTestId('annotate-redo')).toHaveAttribute('title', 'Redo (Ctrl+Shift+Z or Ctrl+Y): 1 step');

  await shot(page, `${SHOTS_DIR}/annotate.png`);
  await pressKey(page, '?');
  const help = page.getByTestId('annotate-help');
  await expect(help).toBeVisible();
  for (const text of ['Ctrl+Z', 'Ctrl+Shift+Z or Ctrl+Y', 'P or 2', 'E or 1', 'F or 3', 'G', 'L', 'K or 4', 'New label', '[ / ]', 'Space+drag'])
    await expect(help).toContainText(text);
  await shot(page, `${SHOTS_DIR}/annotate-help.png`);
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, `${SHOTS_DIR}/annotate-help-1024.png`);
  await pressKey(page, '?');
  await expect(help).toHaveCount(0);
  await shot(page, `${SHOTS_DIR}/annotate-1024.png`);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Save: a new Segmentation dataset with exactly these pixels.
  await page.getByTestId('annotate-save').click();
  const saved = page.getByTestId('annotate-saved');
  await expect(saved).toBeVisible();
  const id = (await saved.getAttribute('data-id'))!;
  const imageId = await page.evaluate(async () => (await window.algobox.datasets.list()).find((d) => d.name === 'coins.png')!.id);
  const s = await readSaved(page, id);
  expect(s.meta.name).toBe('coins.png (edited)');
  expect(s.meta.schema).toBe('Segmentation');
  expect(s.meta.source).toBe(`annotation:${imageId}`);
  expect(s.meta.extra).toMatchObject({ inputs: [imageId], editedFrom: null, editedImage: imageId, editedSlices: [0], editedTiles: { '0': [[0, 0]] } });
  expect([s.dtype, s.shape]).toEqual(['uint16', [152, 192]]);
  expect(s.values).toEqual({ 2: 216, 3: 336 });
  const px = (x: number, y: number) => s.data[y * 192 + x];
  expect([px(60, 50), px(99, 50), px(100, 50), px(60, 48), px(60, 47), px(20, 100), px(40, 115), px(41, 115), px(30, 107)]).toEqual([
    2, 2, 2, 2, 0, 3, 3, 0, 3,
  ]);
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'coins.png (edited)' })).toHaveCount(1);
  await expect(editor(page)).toHaveAttribute('data-unsaved', 'false');

  // One more stroke (label 3, brush), then reload: the draft is offered and restores the same pixels.
  await pressKey(page, 'p');
  await stroke(page, [150, 20], [150, 40]);
  await expectPainted(page, 552 + 21 + 5 * 20, 4, 0);
  const beforeReload = await editor(page).getAttribute('data-labels-hash');
  await expect(editor(page)).toHaveAttribute('data-draft', 'saved');
  let asked = '';
  page.on('dialog', (d) => {
    asked = d.type();
    void d.accept();
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  expect(asked).toBe('beforeunload');
  await annotate(page, /^coins\.png$/);
  await expectPainted(page, 0, 0, 0);
  const restore = page.getByTestId('annotate-restore');
  await expect(restore).toContainText('Restore unsaved edits (4 strokes');
  // The draft is in IndexedDB (api.labelDrafts): only the tile that differs from the base (a new layer: zeros).
  const drafts = await page.evaluate(() => window.algobox.labelDrafts.list());
  expect(drafts).toEqual([expect.objectContaining({ target: `image:${imageId}`, tiles: 1, strokes: 4, baseId: null, shape: [152, 192] })]);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await restore.click();
  // Restored as one undoable step (per slice).
  await expectPainted(page, 673, 1, 0);
  await expect(editor(page)).toHaveAttribute('data-labels-hash', beforeReload!);
  expect(problems).toEqual([]);
});

test('on a stack, each slice is edited apart and undo moves back across slices', async ({ page }) => {
  const problems = await openApp(page);
  await page.evaluate(async () => {
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      const data = new Uint8Array(24 * 32).map((_, i) => (i * (k + 1)) % 200);
      ids.push(await window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [24, 32], data } }, { name: `slice ${k}` }));
    }
    await window.algobox.stacks.create({ name: 'three slices', datasetIds: ids });
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await page.getByTestId('stack-row').filter({ hasText: 'three slices' }).locator('.ds-row-text').click();
  await page.getByTestId('mode-annotate').click();
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  await expect(editor(page)).toHaveAttribute('data-slice', '0');
  await pressKey(page, '[', 9);
  await expect(editor(page)).toHaveAttribute('data-size', '1');
  await click(page, 5, 5);
  await expectPainted(page, 1, 1, 0);
  await pressKey(page, '.');
  await expect(editor(page)).toHaveAttribute('data-slice', '1');
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  await expectPainted(page, 0, 1, 0);
  await stroke(page, [2, 10], [11, 10]);
  await expectPainted(page, 10, 2, 0);
  await pressKey(page, 'Control+z');
  await expectPainted(page, 0, 1, 1);
  // The next undo is of slice 0: the editor shows it.
  await pressKey(page, 'Control+z');
  await expect(editor(page)).toHaveAttribute('data-slice', '0');
  await expectPainted(page, 0, 0, 2);
  await pressKey(page, 'Control+y');
  await expectPainted(page, 1, 1, 1);
  await page.getByTestId('annotate-save').click();
  const id = (await page.getByTestId('annotate-saved').getAttribute('data-id'))!;
  const s = await readSaved(page, id);
  expect([s.dtype, s.shape, s.values]).toEqual(['uint16', [3, 24, 32], { 1: 1 }]);
  expect(s.data[5 * 32 + 5]).toBe(1);
  // Slice 1 was touched but its edit undone: its tile equals the base again, so it is neither written nor listed.
  expect(s.meta.extra).toMatchObject({ editedSlices: [0], editedTiles: { '0': [[0, 0]] }, editedImage: expect.stringMatching(/^stack:/) });
  expect(problems).toEqual([]);
});

test('a mask is edited over its source and saved as a promoted new version; a volume is painted per Z slice', async ({ page }) => {
  const problems = await openApp(page);
  const ids = await page.evaluate(async () => {
    const data = new Uint8Array(20 * 30).map((_, i) => i % 250);
    const image = await window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [20, 30], data } }, { name: 'small image' });
    const m = new Uint8Array(20 * 30);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) m[y * 30 + x] = 1;
    const mask = await window.algobox.datasets.put(
      { mask: { dtype: 'uint8', shape: [20, 30], data: m } },
      { name: 'small mask', schema: 'Segmentation', extra: { inputs: [image] } },
    );
    const volume = await window.algobox.datasets.put(
      { volume: { dtype: 'uint16', shape: [4, 20, 30], data: new Uint16Array(4 * 600).map((_, i) => i) } },
      { name: 'small volume', schema: 'Volume' },
    );
    return { image, mask, volume };
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);

  // The mask: its 25 labelled pixels over the image; label 300 painted with a 1-px brush promotes it to uint16.
  await annotate(page, /^small mask$/);
  await expect(editor(page)).toHaveAttribute('data-target', `edit:${ids.mask}`);
  await expectPainted(page, 25, 0, 0);
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-width', '30');
  await pressKey(page, '[', 9);
  await page.getByTestId('annotate-label').fill('300');
  await click(page, 20, 10);
  await expectPainted(page, 26, 1, 0);
  // Pick (K) on the old mask reads label 1 back.
  await pressKey(page, 'k');
  await click(page, 2, 2);
  await expect(editor(page)).toHaveAttribute('data-label', '1');
  await page.getByTestId('annotate-save').click();
  const s = await readSaved(page, (await page.getByTestId('annotate-saved').getAttribute('data-id'))!);
  expect([s.dtype, s.shape, s.values, s.data[10 * 30 + 20]]).toEqual(['uint16', [20, 30], { 1: 25, 300: 1 }, 300]);
  expect(s.meta.name).toBe('small mask (edited)');
  expect(s.meta.source).toBe(`edit:${ids.mask}`);
  // Saved with datasets.saveEdited: a small mask is one blob (no chunks), rewritten whole; the base is unchanged.
  expect(s.meta.extra).toMatchObject({
    inputs: [ids.image],
    editedFrom: ids.mask,
    editedImage: ids.image,
    editedSlices: [0],
    editedTiles: { '0': [[0, 0]] },
    editedKey: 'mask',
    editedChunks: 0,
  });
  const b = await readSaved(page, ids.mask);
  expect([b.dtype, b.values, b.meta.name]).toEqual(['uint8', { 1: 25 }, 'small mask']);

  // The volume: opens on the middle slice (1 of 0–3); a stroke on slice 1 and one on slice 2.
  await annotate(page, /^small volume$/);
  await expect(editor(page)).toHaveAttribute('data-slice', '1');
  await pressKey(page, '[', 9);
  await stroke(page, [3, 3], [12, 3]);
  await expectPainted(page, 10, 1, 0);
  await pressKey(page, '.');
  await expect(editor(page)).toHaveAttribute('data-slice', '2');
  await expect(editor(page)).toHaveAttribute('data-ready', 'true');
  await click(page, 7, 7);
  await expectPainted(page, 1, 2, 0);
  await page.getByTestId('annotate-save').click();
  const v = await readSaved(page, (await page.getByTestId('annotate-saved').getAttribute('data-id'))!);
  expect([v.dtype, v.shape, v.values, v.data[600 + 3 * 30 + 12], v.data[1200 + 7 * 30 + 7]]).toEqual(['uint16', [4, 20, 30], { 1: 11 }, 1, 1]);
  expect(v.meta.source).toBe(`annotation:${ids.volume}`);
  expect(v.meta.extra).toMatchObject({ inputs: [ids.volume], editedSlices: [1, 2] });
  expect(problems).toEqual([]);
});

test('an edit of a large mask writes only the chunk it touches, the base stays as it was; a draft that cannot be written is shown', async ({ page }) => {
  const problems = await openApp(page);
  const maskId = await page.evaluate(async () => {
    const m = new Uint16Array(2048 * 2048);
    for (let y = 1500; y < 1600; y++) m.fill(4, y * 2048 + 1500, y * 2048 + 1600);
    return window.algobox.datasets.put({ mask: { dtype: 'uint16', shape: [2048, 2048], data: m } }, { name: 'big mask', schema: 'Segmentation' });
  });
  const chunkShape = await page.evaluate(async (id) => (await window.algobox.datasets.get(id, [])).meta.keys.mask!.chunkShape, maskId);
  expect(chunkShape).toEqual([1024, 1024]); // 4 chunks
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await annotate(page, /^big mask$/);
  await expectPainted(page, 10000, 0, 0);
  await page.getByTestId('annotate-label').fill('2');
  await stroke(page, [100, 100], [300, 100]); // a 10-px brush across tiles (0, 0) and (1, 0), in chunk (0, 0)
  await expect(editor(page)).toHaveAttribute('data-undo', '1');
  const painted = Number(await editor(page).getAttribute('data-painted-count')) - 10000;
  expect(painted).toBeGreaterThan(1500);
  await page.getByTestId('annotate-save').click();
  const s = await readSaved(page, (await page.getByTestId('annotate-saved').getAttribute('data-id'))!, false);
  expect([s.dtype, s.shape, s.values]).toEqual(['uint16', [2048, 2048], { 2: painted, 4: 10000 }]);
  expect(s.meta.source).toBe(`edit:${maskId}`);
  expect(s.meta.extra).toMatchObject({
    editedFrom: maskId,
    editedKey: 'mask',
    editedChunks: 1,
    editedSlices: [0],
    editedTiles: {
      '0': [
        [0, 0],
        [1, 0],
      ],
    },
  });
  const base = await readSaved(page, maskId, false);
  expect([base.dtype, base.values]).toEqual(['uint16', { 4: 10000 }]);

  // A draft that cannot be written is shown in the panel, not swallowed.
  await page.evaluate(() => {
    window.algobox.labelDrafts.put = () => Promise.reject(new Error('QuotaExceededError: the disk is full'));
  });
  await stroke(page, [100, 400], [200, 400]);
  await expect(editor(page)).toHaveAttribute('data-draft', 'failed');
  await expect(page.getByTestId('annotate-draft-state')).toHaveText(
    'These edits could not be kept as a draft (QuotaExceededError: the disk is full): save them.',
  );
  expect(problems).toEqual([]);
});
