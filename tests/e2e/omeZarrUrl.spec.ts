// Remote OME-Zarr in the built app (issue 14), driven through the UI: the test writes a small NGFF 0.4
// Z stack with Python's zarr 2.13 (Blosc, two levels) and serves it from a second loopback origin with
// CORS headers, counting requests. "Open OME-Zarr URL…" makes a remote dataset and opens it in the
// viewer on its middle slice: the chunks fetched are that slice's (plus the smallest level's first plane
// for the thumbnail), nothing else. The row shows "remote"; "Import into the browser" copies it.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';

const PYTHON = '/usr/bin/python3';
const ZARR = spawnSync(PYTHON, ['-c', 'import zarr, numpy'], { stdio: 'ignore' }).status === 0;

let dir = '';
let server: Server | null = null;
let base = '';
const requests: string[] = [];

test.beforeAll(async () => {
  if (!ZARR) return;
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-zarr-'));
  const py = String.raw`
import sys, numpy as np, zarr
d = sys.argv[1]
g = zarr.open_group(d + '/stack.zarr', mode='w')
z, y, x = np.meshgrid(np.arange(5), np.arange(64), np.arange(48), indexing='ij')
a = (z * 1000 + (x + y) % 97).astype(np.uint16)
g.create_dataset('0', data=a, chunks=(1, 32, 48))
g.create_dataset('1', data=a[:, ::2, ::2], chunks=(1, 32, 24))
sp = lambda n: {'name': n, 'type': 'space', 'unit': 'micrometer'}
g.attrs['multiscales'] = [{'version': '0.4', 'axes': [sp('z'), sp('y'), sp('x')], 'datasets': [
  {'path': '0', 'coordinateTransformations': [{'type': 'scale', 'scale': [2.0, 0.5, 0.5]}]},
  {'path': '1', 'coordinateTransformations': [{'type': 'scale', 'scale': [2.0, 1.0, 1.0]}]}]}]
`;
  const r = spawnSync(PYTHON, ['-c', py, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  server = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'range',
      'access-control-expose-headers': 'content-length, content-range',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    requests.push(path);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, path));
    } catch {
      res.writeHead(404, cors).end();
      return;
    }
    res.writeHead(200, { ...cors, 'content-length': bytes.length, 'cross-origin-resource-policy': 'cross-origin' }).end(bytes);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chunks = () => requests.filter((p) => !/(\.zattrs|\.zgroup|\.zarray|zarr\.json)$/.test(p)).sort();

test('an OME-Zarr URL opens as a remote dataset; the viewer fetches only the chunks of the slice shown', async ({ page }) => {
  test.skip(!ZARR, 'needs zarr under /usr/bin/python3 (apt-get install -y python3-zarr)');
  const problems = await openApp(page);
  // A URL with nothing there: the import status says so, with the URL.
  await page.getByRole('button', { name: 'Open OME-Zarr URL…' }).click();
  await page.getByTestId('open-url-input').fill(`${base}/missing.zarr`);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByText(`Opening OME-Zarr: ${base}/missing.zarr: not a Zarr group (no zarr.json, and no .zgroup).`)).toBeVisible();
  requests.length = 0;

  await page.getByRole('button', { name: 'Open OME-Zarr URL…' }).click();
  await page.getByTestId('open-url-input').fill(`${base}/stack.zarr`);
  await page.getByRole('button', { name: 'Open', exact: true }).click();

  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'volume');
  const canvas = page.getByTestId('viewer-canvas');
  // The middle slice (z 3 of 5) is drawn.
  await expect(canvas).toHaveAttribute('data-drawn', '2');
  await expect(page.getByTestId('volume-slice')).toHaveText('volume, z 3 / 5');
  // Slice 2's two chunks, and the thumbnail's plane of the smallest level: nothing else.
  expect(chunks()).toEqual(['/stack.zarr/0/2.0.0', '/stack.zarr/0/2.1.0', '/stack.zarr/1/0.0.0']);
  // Its values came through: slice 2 holds 2000 + (x + y) mod 97.
  const min = Number(await page.getByTestId('contrast-min').inputValue());
  expect(min).toBeGreaterThanOrEqual(2000);
  expect(min).toBeLessThan(2097);

  const row = page.locator('[data-testid="dataset-row"]', { hasText: 'stack.zarr' });
  await expect(row.getByTestId('remote-chip')).toHaveText('remote');
  await shot(page, `${SHOTS_DIR}/ome-zarr-remote.png`);

  // Import into the browser: a new, local dataset with the same values.
  await row.getByRole('button', { name: /Actions for stack\.zarr/ }).click();
  await page.getByTestId('import-remote').click();
  await expect(page.locator('[data-testid="dataset-row"]', { hasText: 'stack.zarr' })).toHaveCount(2);
  const local = await page.evaluate(async () => {
    const metas = (await window.algobox.datasets.list()).filter((m) => m.name === 'stack.zarr' && !m.keys.volume!.remote);
    const v = await window.algobox.datasets.readRegion(metas[0]!.id, 'volume', [
      [4, 5],
      [10, 11],
      [20, 21],
    ]);
    return { n: metas.length, array: !!metas[0]!.keys.volume!.array, value: (v.data as Uint16Array)[0] };
  });
  expect(local).toEqual({ n: 1, array: true, value: 4000 + 30 });
  // The one 404 is zarr.json, looked for first (a Zarr v3 group) before .zgroup (v2): the browser logs it.
  expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  expect(requests.filter((p) => p.endsWith('zarr.json'))).toEqual(['/stack.zarr/zarr.json']);
});
