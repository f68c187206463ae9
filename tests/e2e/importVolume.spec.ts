// Streaming import in the built app, through the UI: a multi-page TIFF written by tifffile, picked
// from disk with "Multi-page files: one volume", shows byte progress and becomes ONE Volume dataset;
// a large NPY import is cancelled midway from its card and leaves nothing behind. The files are real
// files on disk (Playwright's setInputFiles with paths), as a user's would be.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './util';
import { shot } from './shot';

const PYTHON = '/usr/bin/python3';
const hasTifffile = spawnSync(PYTHON, ['-c', 'import numpy, tifffile'], { stdio: 'ignore' }).status === 0;

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-volume-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(code: string): void {
  const r = spawnSync(PYTHON, ['-c', `import sys, numpy as np\nd = sys.argv[1]\n${code}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}

/** Record whether the byte progress of a file read in pieces was ever shown. */
async function watchBytes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bytesSeen: string[] };
    w.__bytesSeen = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="import-bytes"]')?.textContent;
      if (t && w.__bytesSeen.at(-1) !== t) w.__bytesSeen.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** Records of the app's chunked-array and chunk object stores (staging ones included). */
function rawCounts(page: Page): Promise<{ arrays: number; chunks: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('algobox');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(['chunkedArrays', 'chunks'], 'readonly');
    const count = (s: string) =>
      new Promise<number>((resolve) => {
        const req = tx.objectStore(s).count();
        req.onsuccess = () => resolve(req.result);
      });
    const out = { arrays: await count('chunkedArrays'), chunks: await count('chunks') };
    db.close();
    return out;
  });
}

test.beforeEach(async ({ page }) => {
  await page.route('**/bundles/index.json', (r) => r.fulfill({ json: [] }));
});

test('a multi-page TIFF picked with "one volume" shows byte progress and becomes one Volume dataset', async ({ page }) => {
  test.skip(!hasTifffile, 'needs numpy and tifffile under /usr/bin/python3 (apt-get install -y python3-tifffile)');
  // 48 pages of 512×1024 uint16 (48 MiB): value = (page * 1000 + y + x) mod 65536.
  python(
    [
      'import tifffile',
      'z, y, x = np.ogrid[0:48, 0:512, 0:1024]',
      'v = ((z * 1000 + y + x) % 65536).astype(np.uint16)',
      "tifffile.imwrite(d + '/cells_t48.tif', v, photometric='minisblack')",
    ].join('\n'),
  );
  const problems = await openApp(page);
  await page.getByTestId('import-layout').selectOption('volume');
  await watchBytes(page);
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'cells_t48.tif'));
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('Imported 1 volume.', { timeout: 60_000 });
  const seen = await page.evaluate(() => (window as unknown as { __bytesSeen: string[] }).__bytesSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.at(-1)).toMatch(/^\d+(\.\d)? MB of 50 MB$/);

  const row = page.getByTestId('dataset-row').filter({ hasText: 'cells_t48.tif' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1024 × 512 × 48');
  await expect(row).toContainText('uint16');
  const check = await page.evaluate(async () => {
    const api = window.algobox;
    const meta = (await api.datasets.list()).find((m) => m.name === 'cells_t48.tif')!;
    const d = await api.datasets.get(meta.id, ['volume']);
    const v = d.fields.volume as { dtype: string; shape: number[]; data: Uint16Array };
    const at = (z: number, y: number, x: number) => v.data[(z * 512 + y) * 1024 + x];
    return { schema: meta.schema, dtype: v.dtype, shape: v.shape, samples: [at(0, 0, 0), at(1, 2, 3), at(47, 511, 1023)] };
  });
  expect(check).toEqual({ schema: 'Volume', dtype: 'uint16', shape: [48, 512, 1024], samples: [0, 1005, (47000 + 511 + 1023) % 65536] });
  // The choice is kept for the next visit.
  await page.reload();
  await expect(page.getByTestId('import-layout')).toHaveValue('volume');
  expect(problems).toEqual([]);
});

test('a large NPY import is cancelled midway from its card: nothing of it is stored', async ({ page }) => {
  test.skip(spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0, 'needs numpy under /usr/bin/python3');
  // 160 slices of 1024² uint16: 320 MiB, read 16 MiB at a time.
  python("v = np.lib.format.open_memmap(d + '/big.npy', mode='w+', dtype=np.uint16, shape=(160, 1024, 1024))\nv[:] = 7\nv.flush()");
  const problems = await openApp(page);
  const before = await rawCounts(page);
  const datasetsBefore = await page.evaluate(async () => (await window.algobox.datasets.list()).length);
  await page.getByTestId('import-layout').selectOption('volume');
  await page.getByTestId('import-files-input').setInputFiles(join(dir, 'big.npy'));
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('import-bytes')).toContainText(/MB of 336 MB/, { timeout: 60_000 });
  await expect(report.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
  await shot(page, 'docs/screenshots/datasets-import-volume-progress.png');
  await report.getByTestId('import-cancel').click();
  await expect(report).toContainText('Nothing was imported. Cancelled: 1 file not imported.', { timeout: 60_000 });
  await expect(report).toContainText('Not imported (cancelled): big.npy. Nothing of them was stored.');
  await expect(report).toHaveClass(/is-cancelled/);
  expect(await page.evaluate(async () => (await window.algobox.datasets.list()).length)).toBe(datasetsBefore);
  expect(await rawCounts(page)).toEqual(before);
  await report.getByRole('button', { name: 'Close this report' }).click();
  await expect(report).toHaveCount(0);
  expect(problems).toEqual([]);
});
