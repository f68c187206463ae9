// Remote OME-Zarr in the built app (issue 14), driven through the UI: the test writes a small NGFF 0.4
// Z stack with Python's zarr 2.13 (Blosc, two levels) and serves it from a second loopback origin with
// CORS headers, counting requests. "Open OME-Zarr URL…" makes a remote dataset and opens it in the
// viewer on its middle slice: the chunks fetched are that slice's (plus the smallest level's first plane
// for the thumbnail), nothing else. The row shows "remote"; "Import into the browser" copies it.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';
import { writeShardedUint16 } from '../unit/helpers/zarrShards';

const PYTHON = '/usr/bin/python3';
const ZARR = spawnSync(PYTHON, ['-c', 'import zarr, numpy'], { stdio: 'ignore' }).status === 0;

let dir = '';
let server: Server | null = null;
let base = '';
const requests: string[] = [];

/** NGFF 0.5 on Zarr v3: a [5, 40, 48] Z stack in one shard per slice (slice z holds z·1000 + i mod 500). */
const SHARDED = [5, 40, 48] as const;
function writeSharded05(root: string): void {
  const n = SHARDED[0] * SHARDED[1] * SHARDED[2];
  const plane = SHARDED[1] * SHARDED[2];
  writeShardedUint16(
    join(root, 's0'),
    SHARDED,
    Uint16Array.from({ length: n }, (_, i) => Math.floor(i / plane) * 1000 + ((i % plane) % 500)),
  );
  const axes = ['z', 'y', 'x'].map((name) => ({ name, type: 'space', unit: 'micrometer' }));
  const ome = { version: '0.5', multiscales: [{ axes, datasets: [{ path: 's0', coordinateTransformations: [{ type: 'scale', scale: [1, 0.2, 0.2] }] }] }] };
  writeFileSync(join(root, 'zarr.json'), JSON.stringify({ zarr_format: 3, node_type: 'group', attributes: { ome } }));
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-e2e-zarr-'));
  writeSharded05(join(dir, 'sharded.zarr'));
  startServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  if (!ZARR) return;
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
});

/** The second origin: files of `dir` with CORS headers (Range allowed for shards), every request logged. */
function startServer(): void {
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
    requests.push(req.method === 'GET' ? path : `${req.method} ${path}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, path));
    } catch {
      res.writeHead(404, cors).end();
      return;
    }
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d+)$/);
    if (range) {
      const [s, e] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { ...cors, 'content-length': e - s + 1, 'content-range': `bytes ${s}-${e}/${bytes.length}` }).end(bytes.subarray(s, e + 1));
      return;
    }
    res.writeHead(200, { ...cors, 'content-length': bytes.length }).end(req.method === 'HEAD' ? undefined : bytes);
  });
}

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

test('a sharded NGFF 0.5 (Zarr v3) URL: the viewer reads the middle slice from its shard by byte ranges', async ({ page }) => {
  const problems = await openApp(page);
  requests.length = 0;
  await page.getByRole('button', { name: 'Open OME-Zarr URL…' }).click();
  await page.getByTestId('open-url-input').fill(`${base}/sharded.zarr`);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-view')).toHaveAttribute('data-kind', 'volume');
  await expect(page.getByTestId('viewer-canvas')).toHaveAttribute('data-drawn', '2');
  const min = Number(await page.getByTestId('contrast-min').inputValue());
  expect(min).toBeGreaterThanOrEqual(2000);
  expect(min).toBeLessThan(2500);
  // Only the shards of slice 0 (the thumbnail) and slice 2 (shown): a HEAD for the size, then ranges.
  expect([...new Set(chunks().map((p) => p.replace(/^HEAD /, '')))]).toEqual(['/sharded.zarr/s0/c/0/0/0', '/sharded.zarr/s0/c/2/0/0']);
  expect(problems).toEqual([]);
});
