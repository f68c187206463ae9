// bench/dataplane/volume: a volume larger than the browser will hand over as one ArrayBuffer, imported
// from disk by streaming import (issue 13).
//  1. A 2 GiB uint16 .npy (1024 slices of 1024², a bimodal checkerboard) written by numpy on disk
//     (deleted afterwards), given to the page as a disk-backed File (Playwright's setInputFiles on a
//     file input the bench adds: the bytes never pass through page memory as a whole), imported with
//     `window.algobox.datasets.importFiles([file], { layout: 'volume' })`: time, throughput, against
//     reading the same File bare in the same page (Blob.slice reads of 16 MiB, no store) before and
//     after; and the peak memory of every Chromium process of that browser (PSS from
//     /proc/<pid>/smaps_rollup, and RSS, summed, sampled every 100 ms from Node) minus the idle app,
//     as a ratio of the file's size (target ≤ 0.5×). A few voxels are read back from the stored chunks
//     and checked.
//  2. The built-in threshold_segmentation (Otsu) over the imported Volume through `algobox.execute`:
//     time and peak memory, or the failure, reported (not thrown).
// ALGOBOX_VOLUME_4G=1 adds a 4 GiB variant (2048 slices); ALGOBOX_VOLUME_SLICES=64 makes a small run
// for development (docs/benchmarks.md is then not written). `npm run bench:volume` → stdout,
// bench/out/volume.{json,md} and docs/benchmarks.md (section "Data plane: volumes").
import { it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { bareRead, closeQuietly, guarded, openApp, pickFile, servedBuild } from '../browser';
import { machine, median, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4305;
const SIDE = 1024;
const DEV_SLICES = process.env.ALGOBOX_VOLUME_SLICES ? Number(process.env.ALGOBOX_VOLUME_SLICES) : null;
const SIZES = DEV_SLICES ? [DEV_SLICES] : process.env.ALGOBOX_VOLUME_4G ? [1024, 2048] : [1024];
const SAMPLE_MS = 100;
const TARGET_MEMORY = 0.5;
const IMPORT_TIMEOUT_MS = 30 * 60 * 1000;
const OTSU_TIMEOUT_MS = 20 * 60 * 1000;

// ───────────────────────────── memory of the browser's processes ─────────────────────────────

/** Every process below `root` (this Node process): Playwright's Chromium and all its children. */
function chromiumPids(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses; the fields after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium');
    } catch {
      return false;
    }
  });
}

/** PSS and RSS (bytes) of the processes, summed (a process that exits meanwhile counts 0). */
function memoryOf(pids: number[]): { pss: number; rss: number } {
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
    } catch {
      // exited
    }
  }
  return { pss, rss };
}

interface Peak {
  pss: number;
  rss: number;
  minPss: number;
  minRss: number;
  samples: number;
}

/** Samples the browser's memory every SAMPLE_MS (the process list refreshed every second) until stopped: the peaks, and the lowest PSS seen. */
function sampler(): { stop(): Peak } {
  let pids = chromiumPids(process.pid);
  let peak = { pss: 0, rss: 0, minPss: Infinity, minRss: Infinity };
  let samples = 0;
  let ticks = 0;
  const tick = () => {
    if (++ticks % 10 === 0) pids = chromiumPids(process.pid);
    const m = memoryOf(pids);
    peak = { pss: Math.max(peak.pss, m.pss), rss: Math.max(peak.rss, m.rss), minPss: Math.min(peak.minPss, m.pss), minRss: Math.min(peak.minRss, m.rss) };
    samples++;
  };
  tick();
  const timer = setInterval(tick, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { ...peak, samples };
    },
  };
}

/**
 * What a phase added: its peak over the app's idle memory — or over the lowest sample of the phase
 * when that is lower (the idle app was still settling when the idle samples were taken).
 */
function added(p: Peak, idle: { pss: number; rss: number }): { pss: number; rss: number } {
  return { pss: p.pss - Math.min(idle.pss, p.minPss), rss: p.rss - Math.min(idle.rss, p.minRss) };
}

/** The idle app's memory: the median of 30 samples over 3 s. */
async function idleMemory(): Promise<{ pss: number; rss: number }> {
  const pids = chromiumPids(process.pid);
  const xs: { pss: number; rss: number }[] = [];
  for (let i = 0; i < 30; i++) {
    xs.push(memoryOf(pids));
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
  return { pss: median(xs.map((x) => x.pss)), rss: median(xs.map((x) => x.rss)) };
}

// ───────────────────────────── the file ─────────────────────────────

/** Voxel value: a checkerboard of 128³ blocks (background ~500, foreground ~40500), so Otsu has two classes. */
const voxel = (z: number, y: number, x: number) => ((x + y + z) % 1000) + ((Math.floor(x / 128) + Math.floor(y / 128) + Math.floor(z / 128)) % 2 ? 40000 : 0);

function writeNpy(path: string, slices: number): void {
  const code = [
    'import sys, numpy as np',
    'path, Z, S = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])',
    "v = np.lib.format.open_memmap(path, mode='w+', dtype='<u2', shape=(Z, S, S))",
    'y, x = np.ogrid[0:S, 0:S]',
    'for z in range(Z):',
    '    v[z] = (x + y + z) % 1000 + np.where((x // 128 + y // 128 + z // 128) % 2 == 1, 40000, 0)',
    'v.flush()',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', code, path, String(slices), String(SIDE)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`numpy could not write the volume: ${r.stderr}`);
}

// ───────────────────────────── in the page ─────────────────────────────

function importVolume(page: Page) {
  return page.evaluate(async () => {
    const file = (document.getElementById('bench-file') as HTMLInputElement).files![0]!;
    const t0 = performance.now();
    const ids = await window.algobox.datasets.importFiles([file], { layout: 'volume' });
    const ms = performance.now() - t0;
    const meta = (await window.algobox.datasets.list()).find((m) => m.id === ids[0])!;
    return { ms, id: ids[0]!, schema: meta.schema, field: meta.keys.volume! };
  });
}

/** Voxels read back from the stored chunks (raw IndexedDB: no whole-volume read), to check against `voxel`. */
function readBack(page: Page, arrayId: string, points: [number, number, number][], side: number) {
  return page.evaluate(
    async ([id, pts, s]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('algobox');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const out: number[] = [];
      for (const [z, y, x] of pts) {
        const rec = await new Promise<{ data: ArrayBuffer } | undefined>((resolve, reject) => {
          const req = db.transaction('chunks').objectStore('chunks').get(`${id}/c/${z}/0/0`);
          req.onsuccess = () => resolve(req.result as { data: ArrayBuffer } | undefined);
          req.onerror = () => reject(req.error);
        });
        out.push(rec ? new Uint16Array(rec.data)[y * s + x]! : NaN);
      }
      db.close();
      return out;
    },
    [arrayId, points, side] as const,
  );
}

function otsu(page: Page, id: string) {
  return page.evaluate(async (input) => {
    const api = window.algobox;
    const alg = await api.algorithms.get('threshold_segmentation');
    const t0 = performance.now();
    const rec = await api.executions.wait(
      await api.execute({ algorithmId: alg.id, inputDatasetIds: [input], args: { thresholding_algorithm: 'otsu' }, device: 'cpu', timeoutMs: 20 * 60 * 1000 }),
    );
    const ms = performance.now() - t0;
    if (rec.status !== 'COMPLETED') throw new Error(`execution ${rec.status}: ${rec.error?.message ?? ''}`);
    return { ms, outputs: rec.outputDatasetIds.length, timings: { ...rec.timings } };
  }, id);
}

// ───────────────────────────── one size ─────────────────────────────

interface VolumeCase {
  slices: number;
  bytes: number;
  idle: { pss: number; rss: number };
  bareMs: number[];
  bareMemory: Peak | null;
  importMs: number | null;
  importMemory: Peak | null;
  checked: string;
  otsu: { ms: number; memory: Peak; detail: string } | { failure: string; memory: Peak };
  failure: string | null;
}

async function volumeCase(slices: number, workDir: string): Promise<VolumeCase> {
  const file = join(workDir, `volume_${slices}x${SIDE}x${SIDE}_uint16.npy`);
  console.log(`writing ${file} with numpy…`);
  writeNpy(file, slices);
  const bytes = statSync(file).size;
  const out: VolumeCase = {
    slices,
    bytes,
    idle: { pss: 0, rss: 0 },
    bareMs: [],
    bareMemory: null,
    importMs: null,
    importMemory: null,
    checked: '',
    otsu: { failure: 'not run', memory: { pss: 0, rss: 0, minPss: 0, minRss: 0, samples: 0 } },
    failure: null,
  };
  const profile = mkdtempSync(join(tmpdir(), 'algobox-volume-profile-'));
  const { context, page } = await openApp(profile, PORT);
  try {
    await pickFile(page, file);
    await new Promise((r) => setTimeout(r, 5000)); // let the app settle (built-ins, samples, GC)
    out.idle = await idleMemory();
    console.log(`  idle app: PSS ${mib(out.idle.pss)}, RSS ${mib(out.idle.rss)}`);

    let s = sampler();
    const bare1 = await guarded(page, () => bareRead(page), IMPORT_TIMEOUT_MS);
    out.bareMemory = s.stop();
    if (!bare1.ok) throw new Error(`bare read: ${bare1.reason}`);
    out.bareMs.push(bare1.value.ms);
    console.log(`  bare Blob.slice read: ${f0(bare1.value.ms)} ms (${f0(bytes / 2 ** 20 / (bare1.value.ms / 1000))} MiB/s)`);

    s = sampler();
    const imported = await guarded(page, () => importVolume(page), IMPORT_TIMEOUT_MS);
    out.importMemory = s.stop();
    if (!imported.ok) throw new Error(`import: ${imported.reason}`);
    const v = imported.value;
    out.importMs = v.ms;
    console.log(
      `  import: ${f0(v.ms)} ms (${f0(bytes / 2 ** 20 / (v.ms / 1000))} MiB/s), ${v.schema} ${v.field.dtype} [${v.field.shape.join(', ')}], chunks [${v.field.chunkShape?.join(', ')}]; peak PSS ${mib(out.importMemory.pss)} (+${mib(added(out.importMemory, out.idle).pss)}), RSS ${mib(out.importMemory.rss)}`,
    );
    const points: [number, number, number][] = [
      [0, 0, 0],
      [1, 2, 3],
      [Math.floor(slices / 2), 700, 129],
      [slices - 1, SIDE - 1, SIDE - 1],
    ];
    const got = await readBack(page, v.field.array!, points, SIDE);
    const want = points.map(([z, y, x]) => voxel(z, y, x));
    if (v.schema !== 'Volume' || JSON.stringify(v.field.shape) !== JSON.stringify([slices, SIDE, SIDE]) || JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(`the stored volume is not the file's: ${v.schema} [${v.field.shape.join(', ')}], voxels ${got.join(', ')} vs ${want.join(', ')}`);
    }
    out.checked = `${points.length} voxels read back from the stored chunks equal the file's`;

    const bare2 = await guarded(page, () => bareRead(page), IMPORT_TIMEOUT_MS);
    if (bare2.ok) out.bareMs.push(bare2.value.ms);

    s = sampler();
    const o = await guarded(page, () => otsu(page, v.id), OTSU_TIMEOUT_MS);
    const memory = s.stop();
    out.otsu = o.ok
      ? { ms: o.value.ms, memory, detail: `${o.value.outputs} output(s), runner timings ${JSON.stringify(o.value.timings)}` }
      : { failure: o.reason, memory };
    console.log(`  Otsu: ${o.ok ? `${f0(o.value.ms)} ms` : `FAILED: ${o.reason}`}; peak PSS ${mib(memory.pss)} (+${mib(added(memory, out.idle).pss)})`);
  } catch (e) {
    out.failure = e instanceof Error ? e.message : String(e);
    console.log(`  FAILED: ${out.failure}`);
  } finally {
    await closeQuietly(context);
    rmSync(profile, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
  return out;
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);
const mib = (b: number) => `${f0(b / 2 ** 20)} MiB`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(b % 2 ** 30 ? 2 : 0)} GiB`;

it('data plane: streaming import of a multi-GiB volume, memory and throughput; Otsu over it', async () => {
  const load0 = loadavg();
  console.log(`load average at start: ${load0.map(f2).join(', ')}`);
  if (spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0)
    throw new Error('bench:volume needs numpy under /usr/bin/python3');
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'algobox-volume-'));
  const server = await servedBuild(PORT);
  const cases: VolumeCase[] = [];
  let chromiumVersion = '';
  try {
    for (const slices of SIZES) cases.push(await volumeCase(slices, workDir));
    chromiumVersion = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  } finally {
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  console.log(`load average at end: ${load1.map(f2).join(', ')}`);

  const rows = cases.map((c) => {
    const data = `${c.slices} × ${SIDE}² uint16 (${gib(c.bytes)})`;
    if (c.importMs === null || !c.importMemory) return `| ${data} | **failed: ${c.failure}** | | | | | | |`;
    const mibs = (ms: number) => c.bytes / 2 ** 20 / (ms / 1000);
    const bare = c.bareMs.length ? Math.min(...c.bareMs) : NaN;
    const extra = added(c.importMemory, c.idle);
    const ratio = extra.pss / c.bytes;
    const verdict = ratio <= TARGET_MEMORY ? 'met' : '**missed**';
    return `| ${data} | ${f2(c.importMs / 1000)} s | ${f0(mibs(c.importMs))} MiB/s | ${f0(mibs(bare))} MiB/s (${c.bareMs.map((m) => f2(m / 1000)).join(' / ')} s) | ${f2(c.importMs / bare)}× | ${mib(extra.pss)} (RSS +${mib(extra.rss)}; peak PSS ${mib(c.importMemory.pss)}, idle ${mib(c.idle.pss)}) | ${f2(ratio)}× (≤ ${TARGET_MEMORY}×: ${verdict}) | ${c.checked}${c.failure ? `; **${c.failure}**` : ''} |`;
  });
  const otsuRows = cases.map((c) => {
    const data = `${c.slices} × ${SIDE}² uint16 (${gib(c.bytes)})`;
    const o = c.otsu;
    const more = added(o.memory, c.idle);
    const extra = `${mib(more.pss)} (RSS +${mib(more.rss)})`;
    return 'failure' in o ? `| ${data} | **failed** | ${extra} | ${o.failure} |` : `| ${data} | ${f2(o.ms / 1000)} s | ${extra} | ${o.detail} |`;
  });
  const minutes = (Date.now() - started) / 60000;
  const otsuNote = cases.some((c) => 'failure' in c.otsu && c.otsu.failure.includes("has no field 'image'"))
    ? "\nOtsu fails before reading anything: `threshold_segmentation` is an Image2Segmentation runner that reads a dataset's `image` field, and a Volume's array is its `volume` field (making Otsu out-of-core over volumes is separate work).\n"
    : '';
  const md = `## Data plane: volumes

\`npm run bench:volume\` (bench/dataplane/volume.bench.ts; \`ALGOBOX_VOLUME_4G=1\` adds a 4 GiB volume). A uint16 volume of 1024²
slices written by numpy as one .npy on disk (a checkerboard of 128³ blocks, ~500 and ~40 500), picked as a disk-backed File
(Playwright's \`setInputFiles\` on a file input of the bench's own) and imported with
\`algobox.datasets.importFiles([file], { layout: 'volume' })\`: read 16 MiB at a time with \`Blob.slice\`, written slab by slab
into one chunked [Z, 1024, 1024] array (chunks of one slice, 2 MiB), committed with its Volume dataset. **Bare** = the same File
read in the same page with \`Blob.slice\` reads of 16 MiB, no store, before and after the import (the faster of the two is the
reference; numpy has just written the file, so it is in the page cache for both). **Memory** = the peak of the summed PSS (\`/proc/<pid>/smaps_rollup\`) of every Chromium process of that browser,
sampled every ${SAMPLE_MS} ms from Node, minus the idle app's (median over 3 s, 5 s after start; or the phase's lowest sample
when lower: the app was still settling), as a ratio of the file's size; RSS
summed likewise in brackets (it counts shared pages once per process). Then the built-in \`threshold_segmentation\` (Otsu) on the
imported Volume through \`algobox.execute\`. The production build served by \`vite preview\`, Debian's Chromium headless with a
fresh on-disk profile per size.

Machine: ${machine()}. ${chromiumVersion || 'Chromium'} at /usr/bin/chromium.
Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end (a shared 2-core machine).
Whole run ${minutes.toFixed(1)} min. Measured ${new Date().toISOString().slice(0, 10)}.

| volume | import | import throughput | bare Blob.slice read | import / bare time | peak memory over idle (PSS) | ÷ file size (target) | check |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

| Otsu over the imported Volume | execute() → COMPLETED | peak memory over idle (PSS) | note |
|---|---|---|---|
${otsuRows.join('\n')}
${otsuNote}`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'out', 'volume.json'),
    JSON.stringify({ machine: machine(), chromium: chromiumVersion, loadavgStart: load0, loadavgEnd: load1, cases }, null, 1),
  );
  writeFileSync(join(repo, 'bench', 'out', 'volume.md'), md);
  if (!DEV_SLICES) writeSection('volume', md);
});
