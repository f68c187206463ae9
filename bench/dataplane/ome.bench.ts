// bench/dataplane/ome: microscopy formats (issue 14).
//  1. Importing a 1 GiB OME-TIFF (CZYX uint16 [2, 64, 2048, 2048], 512² tiles, uncompressed, written by
//     tifffile on disk and deleted afterwards) through `algobox.datasets.importFiles([file])` from a
//     disk-backed File, against a bare read of the same File in the same page (Blob.slice reads of
//     16 MiB, before and after each import; the faster is the reference). Target: import ≤ 1.5× bare.
//     A few voxels are read back through `datasets.readRegion` and checked, and the axes metadata.
//  2. The first tile of a remote OME-Zarr on screen: an 8192² uint16 2-D image (NGFF 0.4, four levels,
//     1024² Blosc chunks, written by python zarr) served from a second loopback origin with CORS; from a
//     click on "Open OME-Zarr URL…"'s Open button until the viewer has drawn its first tile, against
//     fetching bare, in the same page, the very requests the app made meanwhile (the metadata one after
//     the other, as any client must, then the chunks together). Target: ≤ 2×. Three rounds, a fresh page each.
// ALGOBOX_OME_DEV=1 makes a small file for development ([2, ALGOBOX_OME_Z ?? 4, S, S], S = ALGOBOX_OME_SIDE ?? 1024;
// docs/benchmarks.md is then not written).
// `npm run bench:ome` → stdout, bench/out/ome.{json,md} and docs/benchmarks.md (section "Microscopy formats").
import { it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { bareRead, closeQuietly, guarded, openApp, pickFile, servedBuild } from '../browser';
import { machine, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4306;
const DEV = process.env.ALGOBOX_OME_DEV === '1';
const [C, Z, SIDE] = DEV ? [2, Number(process.env.ALGOBOX_OME_Z ?? 4), Number(process.env.ALGOBOX_OME_SIDE ?? 1024)] : [2, 64, 2048];
const ROUNDS = DEV ? 1 : 2;
const TARGET = 1.5;
const TIMEOUT_MS = 20 * 60 * 1000;

/** Voxel value of channel c at (z, y, x): what the Python writer puts there. */
const voxel = (c: number, z: number, y: number, x: number) => (x + 2 * y + 3 * z + 1000 * c) % 60000;

function writeOmeTiff(path: string): void {
  const code = [
    'import sys, numpy as np, tifffile',
    'path, C, Z, S = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])',
    'c, z, y, x = np.ogrid[0:C, 0:Z, 0:S, 0:S]',
    "data = ((x + 2 * y + 3 * z + 1000 * c) % 60000).astype('<u2')",
    "tifffile.imwrite(path, data, ome=True, tile=(512, 512), photometric='minisblack', metadata={'axes': 'CZYX', 'PhysicalSizeX': 0.325, 'PhysicalSizeXUnit': 'µm', 'PhysicalSizeY': 0.325, 'PhysicalSizeYUnit': 'µm', 'PhysicalSizeZ': 2.0, 'PhysicalSizeZUnit': 'µm', 'Channel': {'Name': ['DAPI', 'GFP']}})",
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', code, path, String(C), String(Z), String(SIDE)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tifffile could not write the OME-TIFF: ${r.stderr}`);
}

/** Import the file, then read a few voxels back and the axes; the dataset is deleted afterwards. */
function importOnce(page: Page, points: number[][]) {
  return page.evaluate(async (pts) => {
    const api = window.algobox;
    const file = (document.getElementById('bench-file') as HTMLInputElement).files![0]!;
    const t0 = performance.now();
    const ids = await api.datasets.importFiles([file]);
    const ms = performance.now() - t0;
    const meta = (await api.datasets.get(ids[0]!, [])).meta;
    const key = Object.keys(meta.keys)[0]!;
    const field = meta.keys[key]!;
    const values: number[] = [];
    for (const p of pts) {
      const region = p.map((i) => [i, i + 1] as [number, number]);
      const a = await api.datasets.readRegion(ids[0]!, key, region.slice(-field.shape.length));
      values.push(Number(a.data[0]));
    }
    await api.datasets.delete(ids);
    return { ms, ids: ids.length, key, schema: meta.schema, shape: field.shape, chunkShape: field.chunkShape ?? null, axes: field.axes ?? null, values };
  }, points);
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

it('microscopy formats: importing a 1 GiB OME-TIFF against a bare read of the file', async () => {
  const load0 = loadavg();
  console.log(`load average at start: ${load0.map(f2).join(', ')}`);
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'algobox-ome-'));
  const file = join(workDir, `cells_${C}x${Z}x${SIDE}x${SIDE}.ome.tif`);
  console.log(`writing ${file} with tifffile…`);
  writeOmeTiff(file);
  const bytes = statSync(file).size;
  const server = await servedBuild(PORT);
  const profile = mkdtempSync(join(tmpdir(), 'algobox-ome-profile-'));
  const bare: number[] = [];
  const imports: number[] = [];
  let check = '';
  let failure: string | null = null;
  const points = [
    [0, 0, 0, 0],
    [1, Z - 1, SIDE - 1, SIDE - 1],
    [1, Math.floor(Z / 2), 700, 1029 % SIDE],
  ];
  const { context, page } = await openApp(profile, PORT);
  try {
    await pickFile(page, file);
    await new Promise((r) => setTimeout(r, 5000));
    for (let round = 0; round < ROUNDS; round++) {
      const b = await guarded(page, () => bareRead(page), TIMEOUT_MS);
      if (!b.ok) throw new Error(`bare read: ${b.reason}`);
      bare.push(b.value.ms);
      const got = await guarded(page, () => importOnce(page, points), TIMEOUT_MS);
      if (!got.ok) throw new Error(`import: ${got.reason}`);
      imports.push(got.value.ms);
      const v = got.value;
      console.log(
        `  round ${round + 1}: bare ${f0(b.value.ms)} ms, import ${f0(v.ms)} ms (${f2(v.ms / b.value.ms)}×), ${v.schema ?? 'no schema'} ${v.key} [${v.shape.join(', ')}] chunks [${v.chunkShape?.join(', ')}]`,
      );
      const want = points.map(([c, z, y, x]) => voxel(c!, z!, y!, x!));
      const names = v.axes ? v.axes.axes.map((a) => a.name).join('') : 'none';
      if (JSON.stringify(v.values) !== JSON.stringify(want) || JSON.stringify(v.shape) !== JSON.stringify([C, Z, SIDE, SIDE])) {
        throw new Error(`the stored image is not the file's: [${v.shape.join(', ')}], voxels ${v.values.join(', ')} vs ${want.join(', ')}`);
      }
      check = `${points.length} voxels read back equal the file's; axes ${names}${v.axes ? `, channels ${v.axes.channels.map((c) => c.label).join('/')}, x ${v.axes.axes.at(-1)!.scale} ${v.axes.axes.at(-1)!.unit}` : ''}`;
    }
    const b = await guarded(page, () => bareRead(page), TIMEOUT_MS);
    if (b.ok) bare.push(b.value.ms);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    console.log(`  FAILED: ${failure}`);
  } finally {
    await closeQuietly(context);
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  console.log(`load average at end: ${load1.map(f2).join(', ')}`);
  const chromiumVersion = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const ref = bare.length ? Math.min(...bare) : NaN;
  const best = imports.length ? Math.min(...imports) : NaN;
  const ratio = best / ref;
  const mibs = (ms: number) => f0(bytes / 2 ** 20 / (ms / 1000));
  const row = failure
    ? `| CZYX uint16 [${C}, ${Z}, ${SIDE}, ${SIDE}] (${f2(bytes / 2 ** 30)} GiB) | **failed: ${failure}** | | | |`
    : `| CZYX uint16 [${C}, ${Z}, ${SIDE}, ${SIDE}], 512² tiles (${f2(bytes / 2 ** 30)} GiB) | ${imports.map((m) => f2(m / 1000)).join(' / ')} s (${mibs(best)} MiB/s) | ${bare.map((m) => f2(m / 1000)).join(' / ')} s (${mibs(ref)} MiB/s) | ${f2(ratio)}× (≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : '**missed**'}) | ${check} |`;
  const md = `## Microscopy formats: OME-TIFF import

\`npm run bench:ome\` (bench/dataplane/ome.bench.ts). An OME-TIFF written by tifffile on disk (OME-XML with channel names and
physical sizes, 512² tiles, uncompressed), picked as a disk-backed File and imported with \`algobox.datasets.importFiles([file])\`
(read by range, plane by plane, into one chunked array with its axes metadata), against the same File read bare in the same
page (\`Blob.slice\` reads of 16 MiB, no store) before and after each import; the fastest bare read is the reference, the fastest
import is compared with it. The production build served by \`vite preview\`, Debian's Chromium headless.

Machine: ${machine()}. ${chromiumVersion || 'Chromium'}.
Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end.
Whole run ${((Date.now() - started) / 60000).toFixed(1)} min. Measured ${new Date().toISOString().slice(0, 10)}.

| file | import (each round) | bare read (each) | import / bare (target) | check |
|---|---|---|---|---|
${row}
`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'out', 'ome.json'),
    JSON.stringify({ machine: machine(), loadavgStart: load0, loadavgEnd: load1, bytes, bare, imports, check, failure }, null, 1),
  );
  writeFileSync(join(repo, 'bench', 'out', 'ome.md'), md);
  if (!DEV && !failure) writeSection('ome', md);
});

// ───────────────────────────── 2. remote OME-Zarr: the first tile ─────────────────────────────

const REMOTE_SIDE = DEV ? 2048 : 8192;
const REMOTE_TARGET = 2;
const REMOTE_ROUNDS = 3;

function writeOmeZarr(path: string): void {
  const code = [
    'import sys, numpy as np, zarr',
    'path, S = sys.argv[1], int(sys.argv[2])',
    "g = zarr.open_group(path, mode='w')",
    'y, x = np.ogrid[0:S, 0:S]',
    "a = ((x * 3 + y * 5) % 4000 + np.where(((x // 512) + (y // 512)) % 2 == 1, 20000, 0)).astype('<u2')",
    'levels = []',
    'for l in range(4):',
    '    g.create_dataset(str(l), data=a, chunks=(1024, 1024))',
    "    levels.append({'path': str(l), 'coordinateTransformations': [{'type': 'scale', 'scale': [0.5 * 2 ** l, 0.5 * 2 ** l]}]})",
    '    a = a[::2, ::2]',
    "sp = lambda n: {'name': n, 'type': 'space', 'unit': 'micrometer'}",
    "g.attrs['multiscales'] = [{'version': '0.4', 'axes': [sp('y'), sp('x')], 'datasets': levels}]",
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', code, path, String(REMOTE_SIDE)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python zarr could not write the OME-Zarr: ${r.stderr}`);
}

/** A second loopback origin serving `dir` with CORS; every request's path logged with its time. */
async function zarrServer(dir: string) {
  const log: { path: string; at: number }[] = [];
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'range',
    'access-control-expose-headers': 'content-length, content-range',
  };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    log.push({ path, at: Date.now() });
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, path));
    } catch {
      return void res.writeHead(404, cors).end();
    }
    res.writeHead(200, { ...cors, 'content-length': bytes.length, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, log, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Click Open (the URL already typed) and wait, in the page, until the viewer has drawn a tile: ms. */
function firstTile(page: Page) {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        const done = () => {
          const v = document.querySelector('[data-testid="image-viewer"][data-tiled="true"]');
          return v && Number(v.getAttribute('data-tiles-loaded')) >= 1;
        };
        const timer = setTimeout(() => reject(new Error('no tile within 120 s')), 120_000);
        const check = () => {
          if (done()) {
            clearTimeout(timer);
            // The tile is drawn in the frame after its data arrives: count that frame.
            requestAnimationFrame(() => resolve(performance.now() - t0));
          } else requestAnimationFrame(check);
        };
        (document.querySelector('form[aria-label="Open OME-Zarr URL"] button[type="submit"]') as HTMLButtonElement).click();
        check();
      }),
  );
}

/** The same requests fetched bare: metadata one after the other, then the chunks together; ms. */
function bareFetch(page: Page, base: string, paths: string[]) {
  return page.evaluate(
    async ({ base, paths }) => {
      const meta = paths.filter((p) => /(\.zattrs|\.zgroup|\.zarray|zarr\.json)$/.test(p));
      const chunks = paths.filter((p) => !meta.includes(p));
      const t0 = performance.now();
      for (const p of meta) await (await fetch(base + p, { cache: 'no-store' })).arrayBuffer().catch(() => null);
      await Promise.all(chunks.map(async (p) => (await fetch(base + p, { cache: 'no-store' })).arrayBuffer()));
      return performance.now() - t0;
    },
    { base, paths },
  );
}

it('microscopy formats: the first tile of a remote OME-Zarr on screen against fetching its chunks', async () => {
  const load0 = loadavg();
  const workDir = mkdtempSync(join(tmpdir(), 'algobox-omezarr-'));
  writeOmeZarr(join(workDir, 'big.zarr'));
  const zs = await zarrServer(workDir);
  const server = await servedBuild(PORT);
  const profile = mkdtempSync(join(tmpdir(), 'algobox-omezarr-profile-'));
  const rounds: { app: number; bare: number; requests: string[] }[] = [];
  let failure: string | null = null;
  const { context, page } = await openApp(profile, PORT);
  try {
    for (let r = 0; r < REMOTE_ROUNDS; r++) {
      await page.reload();
      await page.waitForFunction(() => (window as unknown as { algobox?: { ready: Promise<void> } }).algobox !== undefined);
      await page.evaluate(() => window.algobox.ready);
      await page.getByRole('button', { name: 'Open OME-Zarr URL…' }).click();
      await page.getByTestId('open-url-input').fill(`${zs.base}/big.zarr`);
      await new Promise((res) => setTimeout(res, 1000));
      zs.log.length = 0;
      const app = await guarded(page, () => firstTile(page), TIMEOUT_MS);
      if (!app.ok) throw new Error(`first tile: ${app.reason}`);
      const requests = zs.log.map((l) => l.path);
      await new Promise((res) => setTimeout(res, 500));
      const bare = await bareFetch(page, zs.base, requests);
      rounds.push({ app: app.value, bare, requests });
      console.log(
        `  round ${r + 1}: first tile ${f0(app.value)} ms, bare fetch ${f0(bare)} ms (${f2(app.value / bare)}×), ${requests.length} requests: ${requests.join(' ')}`,
      );
      await page.evaluate(async () => {
        const ids = (await window.algobox.datasets.list()).filter((m) => m.name.startsWith('big.zarr')).map((m) => m.id);
        if (ids.length) await window.algobox.datasets.delete(ids);
      });
    }
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    console.log(`  FAILED: ${failure}`);
  } finally {
    await closeQuietly(context);
    await server.close();
    await zs.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratios = rounds.map((r) => r.app / r.bare);
  const ratio = rounds.length ? med(ratios) : NaN;
  const row = failure
    ? `| ${REMOTE_SIDE}² uint16, 4 levels | **failed: ${failure}** | | | |`
    : `| ${REMOTE_SIDE}² uint16, 4 levels, 1024² Blosc chunks | ${rounds.map((r) => f0(r.app)).join(' / ')} ms | ${rounds.map((r) => f0(r.bare)).join(' / ')} ms | ${f2(ratio)}× (per round ${ratios.map(f2).join(', ')}; ≤ ${REMOTE_TARGET}×: ${ratio <= REMOTE_TARGET ? 'met' : '**missed**'}) | ${rounds[0]!.requests.join(' ')} |`;
  const md = `## Microscopy formats: remote OME-Zarr, first tile

\`npm run bench:ome\` (second part). An NGFF 0.4 image written by python zarr 2.13 (${REMOTE_SIDE}² uint16, four levels, 1024² chunks,
Blosc) served from a second loopback origin with CORS (\`cache-control: no-store\`). **App** = in the page, from the click on
"Open OME-Zarr URL…"'s Open button (URL typed) until the viewer has drawn its first tile (the frame after
\`data-tiles-loaded\` reaches 1): \`datasets.openUrl\` (metadata, the smallest level's first chunk for the thumbnail), the
dataset stored, the viewer opened on it, the tiles of the view requested coarse to fine. **Bare** = the same requests the app
made in that time, fetched in the same page with \`fetch\`: the metadata one after the other (each depends on the one before,
for any client), then the chunks together. A fresh page each round; the median of the per-round ratios is compared.

Machine: ${machine()}. Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end.
Measured ${new Date().toISOString().slice(0, 10)}.

| image | first tile on screen (each round) | bare fetch of those requests | ratio (target) | requests of round 1 |
|---|---|---|---|---|
${row}
`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'out', 'ome-remote.json'),
    JSON.stringify({ machine: machine(), loadavgStart: load0, loadavgEnd: load1, rounds, failure }, null, 1),
  );
  writeFileSync(join(repo, 'bench', 'out', 'ome-remote.md'), md);
  if (!DEV && !failure) writeSection('ome-remote', md);
});
