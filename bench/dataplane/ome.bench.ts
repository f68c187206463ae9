// bench/dataplane/ome: microscopy formats (issue 14).
//  1. Importing a 1 GiB OME-TIFF (CZYX uint16 [2, 64, 2048, 2048], 512² tiles, uncompressed, written by
//     tifffile on disk and deleted afterwards) through `algobox.datasets.importFiles([file])` from a
//     disk-backed File, against a bare read of the same File in the same page (Blob.slice reads of
//     16 MiB, before and after each import; the faster is the reference). Target: import ≤ 1.5× bare.
//     A few voxels are read back through `datasets.readRegion` and checked, and the axes metadata.
// ALGOBOX_OME_DEV=1 makes a small file for development ([2, ALGOBOX_OME_Z ?? 4, S, S], S = ALGOBOX_OME_SIDE ?? 1024;
// docs/benchmarks.md is then not written).
// `npm run bench:ome` → stdout, bench/out/ome.{json,md} and docs/benchmarks.md (section "Microscopy formats").
import { it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { closeQuietly, guarded, openApp, servedBuild } from '../browser';
import { machine, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4306;
const DEV = process.env.ALGOBOX_OME_DEV === '1';
const [C, Z, SIDE] = DEV ? [2, Number(process.env.ALGOBOX_OME_Z ?? 4), Number(process.env.ALGOBOX_OME_SIDE ?? 1024)] : [2, 64, 2048];
const ROUNDS = DEV ? 1 : 2;
const TARGET = 1.5;
const TIMEOUT_MS = 20 * 60 * 1000;
const BARE_READ_BYTES = 16 * 1024 * 1024;

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

async function pickFile(page: Page, path: string): Promise<void> {
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-ome-file';
    input.style.display = 'none';
    document.body.append(input);
  });
  await page.setInputFiles('#bench-ome-file', path);
}

function bareRead(page: Page) {
  return page.evaluate(async (step) => {
    const file = (document.getElementById('bench-ome-file') as HTMLInputElement).files![0]!;
    const t0 = performance.now();
    let sum = 0;
    for (let at = 0; at < file.size; at += step) {
      const b = new Uint8Array(await file.slice(at, Math.min(file.size, at + step)).arrayBuffer());
      sum += b[b.length - 1]!;
    }
    return { ms: performance.now() - t0, sum };
  }, BARE_READ_BYTES);
}

/** Import the file, then read a few voxels back and the axes; the dataset is deleted afterwards. */
function importOnce(page: Page, points: number[][]) {
  return page.evaluate(async (pts) => {
    const api = window.algobox;
    const file = (document.getElementById('bench-ome-file') as HTMLInputElement).files![0]!;
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
