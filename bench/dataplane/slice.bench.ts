// bench/dataplane/slice.bench.ts: opening a slice of a big volume in the viewer vs reading its chunks bare
// (issue 13's target: ≤ 2× the bare read).
// 1. A Volume of Z × S² uint16 (default 256 × 1024² = 512 MiB; ALGOBOX_SLICE_LARGE=1: 256 × 2048² = 2 GiB, four
//    1024² tiles per slice) is written slice by slice through `algobox.datasets.createWriter` (never whole in
//    memory), then the page is reloaded and the volume opened in the viewer (`?view=dataset:<id>`).
// 2. Each round picks a slice never shown before and, in the same page:
//    - viewer: from the event (the slider's `input` event, or a `.` keydown on the image in every other round)
//      to the canvas holding that slice (the canvas's `data-drawn`, written right after putImageData, seen by a
//      MutationObserver), and to the next animation frame after it;
//    - bare: the same chunk records read with the raw IndexedDB API (one readonly transaction on the app's
//      database, one `get` per chunk, a typed-array view on each) — what any viewer must at least do.
//    The two run in alternating order; the chunks the viewer read are checked to be exactly the slice's.
// The real app: a production build served by `vite preview` (COOP/COEP), Debian's Chromium headless with a fresh
// on-disk profile (IndexedDB on disk, as for a user). `npm run bench:slice` → stdout, bench/out/slice.{json,md}
// and docs/benchmarks.md (section "slice"). ALGOBOX_SLICE_ROUNDS (default 30 timed rounds after 4 warm-up).
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import { servedBuild } from '../browser';
import { machine, median, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4356;
const LARGE = !!process.env.ALGOBOX_SLICE_LARGE;
const Z = 256;
const SIDE = LARGE ? 2048 : 1024;
const ROUNDS = Number(process.env.ALGOBOX_SLICE_ROUNDS ?? 30);
const WARMUP = 4;
const TARGET = 2;
/** Any one page.evaluate longer than this is a failure, not a figure. */
const STEP_TIMEOUT_MS = 10 * 60 * 1000;

interface Round {
  slice: number;
  via: 'slider' | 'key';
  /** Event → canvas drawn (ms). */
  drawnMs: number;
  /** Event → first animation frame after the draw (ms). */
  frameMs: number;
  /** The same chunk records, raw IndexedDB (ms). */
  bareMs: number;
  /** The chunks the viewer read for this slice (zarr keys). */
  viewerChunks: string[];
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS)),
  );
  return Promise.race([p, stop]).finally(() => clearTimeout(timer));
}

/** In the page: write the volume slice by slice; slice z holds (z·256 + ((x + y) mod 256)) mod 65536. */
function writeVolume(page: Page) {
  return page.evaluate(
    async ([Z, S]) => {
      const t0 = performance.now();
      const w = await window.algobox.datasets.createWriter({
        key: 'volume',
        dtype: 'uint16',
        shape: [Z, S, S],
        schema: 'Volume',
        name: `bench volume ${Z}×${S}²`,
      });
      const plane = new Uint16Array(S * S);
      for (let z = 0; z < Z; z++) {
        for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) plane[y * S + x] = (z * 256 + ((x + y) & 255)) & 0xffff;
        await w.write([z, 0, 0], { dtype: 'uint16', shape: [1, S, S], data: plane });
      }
      const id = await w.commit();
      const meta = (await window.algobox.datasets.list()).find((m) => m.id === id)!;
      return { id, arrayId: meta.keys.volume!.array!, chunkShape: meta.keys.volume!.chunkShape!, writeMs: performance.now() - t0 };
    },
    [Z, SIDE] as const,
  );
}

/** In the page: one round (viewer and bare, in the order given), checked. */
function sliceRound(page: Page, slice: number, via: 'slider' | 'key', bareFirst: boolean, arrayId: string, chunkShape: number[]) {
  return page.evaluate(
    async ([k, via, bareFirst, arrayId, chunkShape, S]) => {
      const keys: string[] = [];
      for (let r = 0; r < Math.ceil(S / chunkShape[1]!); r++) for (let c = 0; c < Math.ceil(S / chunkShape[2]!); c++) keys.push(`${arrayId}/c/${k}/${r}/${c}`);
      // The previous round's frame is over (its raster and compositing do not run into this one).
      await new Promise((resolve) => setTimeout(resolve, 250));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('algobox');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const bare = async () => {
        const t0 = performance.now();
        const store = db.transaction('chunks', 'readonly').objectStore('chunks');
        const got = await Promise.all(
          keys.map(
            (key) =>
              new Promise<Uint16Array>((resolve, reject) => {
                const req = store.get(key);
                req.onsuccess = () => resolve(new Uint16Array((req.result as { data: ArrayBuffer }).data));
                req.onerror = () => reject(req.error);
              }),
          ),
        );
        const ms = performance.now() - t0;
        if (got[0]![5] !== ((k * 256 + 5) & 0xffff)) throw new Error(`bare read of slice ${k} gave ${got[0]![5]}`);
        return ms;
      };
      const viewer = async () => {
        const canvas = document.querySelector('canvas[data-testid="viewer-canvas"]') as HTMLCanvasElement;
        const before = (await window.algobox.stats()).chunks.reads;
        const drawn = new Promise<number>((resolve) => {
          const mo = new MutationObserver(() => {
            if (canvas.dataset.drawn === String(k)) {
              mo.disconnect();
              resolve(performance.now());
            }
          });
          mo.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
        });
        const t0 = performance.now();
        if (via === 'slider') {
          const input = document.querySelector('input[data-testid="slice-slider"]') as HTMLInputElement;
          Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(k));
          input.dispatchEvent(new Event('input', { bubbles: true }));
        } else {
          const vp = document.querySelector('[data-testid="viewer-canvas-viewport"]') as HTMLElement;
          vp.dispatchEvent(new KeyboardEvent('keydown', { key: '.', bubbles: true, cancelable: true }));
        }
        const t1 = await drawn;
        const t2 = await new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));
        // Fitted, the slice covers the viewport's centre.
        const px = canvas.getContext('2d')!.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
        if (px[3] !== 255) throw new Error(`slice ${k}: the canvas is not drawn`);
        const s = (await window.algobox.stats()).chunks;
        const viewerChunks = s.recent.slice(s.recent.length - (s.reads - before)).map((x) => x.slice(arrayId.length + 1));
        return { drawnMs: t1 - t0, frameMs: t2 - t0, viewerChunks };
      };
      try {
        if (bareFirst) {
          const bareMs = await bare();
          return { bareMs, ...(await viewer()) };
        }
        const v = await viewer();
        return { ...v, bareMs: await bare() };
      } finally {
        db.close();
      }
    },
    [slice, via, bareFirst, arrayId, chunkShape, SIDE] as const,
  );
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

it('slice viewing: opening slice k in the viewer vs reading its chunks bare', async () => {
  const load0 = loadavg();
  console.log(`load average at start: ${load0.map(f2).join(', ')}`);
  const started = Date.now();
  const profile = mkdtempSync(join(tmpdir(), 'algobox-slice-profile-'));
  const server = await servedBuild(PORT);
  const rounds: Round[] = [];
  let write = { id: '', arrayId: '', chunkShape: [] as number[], writeMs: NaN };
  let failure: string | null = null;
  let chromiumVersion = '';
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--disable-quic'],
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.log(`  [pageerror] ${e.message}`));
    await page.goto('/');
    await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
    await page.evaluate(() => window.algobox.ready);
    write = await withTimeout(writeVolume(page), 'writing the volume');
    console.log(
      `wrote ${Z} × ${SIDE}² uint16 (${(Z * SIDE * SIDE * 2) / 2 ** 20} MiB) slice by slice in ${(write.writeMs / 1000).toFixed(1)} s; chunk shape [${write.chunkShape.join(', ')}]`,
    );
    // A fresh page (as after an import and a reload), the volume opened through its deep link.
    await page.goto(`/?view=dataset:${write.id}`);
    await page.evaluate(() => window.algobox.ready);
    const middle = Math.floor((Z - 1) / 2);
    await page.waitForSelector(`canvas[data-testid="viewer-canvas"][data-drawn="${middle}"]`, { timeout: 120_000 });
    // Slices never shown before: a stride coprime with Z; key rounds step to the next slice.
    let current = middle;
    const seen = new Set([middle]);
    let next = 17;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const via = i % 2 === 0 ? 'slider' : 'key';
      let k: number;
      if (via === 'key') k = current + 1;
      else {
        do next = (next + 37) % (Z - 1);
        while (seen.has(next) || seen.has(next + 1));
        k = next;
      }
      seen.add(k);
      const r = await withTimeout(sliceRound(page, k, via, i % 4 < 2, write.arrayId, write.chunkShape), `round ${i + 1}`);
      current = k;
      const label = i < WARMUP ? 'warm-up' : `round ${i - WARMUP + 1}/${ROUNDS}`;
      console.log(
        `  ${label}: slice ${k} by ${via}: drawn ${f1(r.drawnMs)} ms (next frame ${f1(r.frameMs)}), bare ${f1(r.bareMs)} ms, ${f2(r.drawnMs / r.bareMs)}×; viewer read ${r.viewerChunks.join(' ')}`,
      );
      if (i >= WARMUP) rounds.push({ slice: k, via, ...r });
    }
    chromiumVersion = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  } catch (e) {
    failure = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    console.log(`FAILED: ${failure}`);
  } finally {
    await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const load1 = loadavg();
  console.log(`load average at end: ${load1.map(f2).join(', ')}`);

  const perSlice = SIDE === 1024 ? 1 : (SIDE / 1024) ** 2;
  const exact = rounds.every((r) => r.viewerChunks.length === perSlice && r.viewerChunks.every((c) => c.startsWith(`c/${r.slice}/`)));
  const row = (label: string, rs: Round[]) => {
    if (!rs.length) return `| ${label} | — | — | — | — | — | ≤ ${TARGET}× | **failed** |`;
    const drawn = median(rs.map((r) => r.drawnMs));
    const frame = median(rs.map((r) => r.frameMs));
    const bare = median(rs.map((r) => r.bareMs));
    const ratio = drawn / bare;
    const perRound = median(rs.map((r) => r.drawnMs / r.bareMs));
    return `| ${label} | ${f1(drawn)} (p90 ${f1(
      pct(
        rs.map((r) => r.drawnMs),
        0.9,
      ),
    )}) | ${f1(frame)} | ${f1(bare)} (p90 ${f1(
      pct(
        rs.map((r) => r.bareMs),
        0.9,
      ),
    )}) | ${f2(ratio)}× | ${f2(perRound)}× | ≤ ${TARGET}× | ${ratio <= TARGET ? 'met' : '**missed**'} |`;
  };
  const minutes = (Date.now() - started) / 60000;
  const md = `## Data plane: slice viewing

\`${LARGE ? 'ALGOBOX_SLICE_LARGE=1 ' : ''}npm run bench:slice\` (bench/dataplane/slice.bench.ts). Opening one slice of a big volume in the viewer against reading the
same chunk records with the raw IndexedDB API, in the same page (issue 13's target: ≤ ${TARGET}×). A Volume of ${Z} × ${SIDE}² uint16
(${(Z * SIDE * SIDE * 2) / 2 ** 20} MiB, chunk shape [${write.chunkShape.join(', ')}]: ${perSlice} chunk(s) per slice) written slice by slice through
\`datasets.createWriter\` (${Number.isFinite(write.writeMs) ? `${(write.writeMs / 1000).toFixed(1)} s` : '—'}); the page reloaded and the volume opened through
\`?view=dataset:<id>\`. Each round shows a slice never shown before, by the slider's \`input\` event or a \`.\` keydown on the image
(alternating), and reads the same records bare; the order of the two alternates every two rounds, a quarter second apart. **Viewer** = event → the canvas
holds the slice (its \`data-drawn\` attribute, set right after \`putImageData\`, seen by a MutationObserver); **next frame** = event
→ the first animation frame after it. **Bare** = one readonly transaction on the app's database, one \`get\` per chunk record of
the slice, a Uint16Array view on each. ${WARMUP} warm-up rounds, then the median of ${rounds.length}${failure ? ` (**${failure}**)` : ''}.
The viewer read exactly the slice's chunk(s) in every round: ${exact && rounds.length ? 'yes' : '**no**'} (\`algobox.stats().chunks\`).
The production build served by \`vite preview\` (COOP/COEP), Debian's Chromium headless, an on-disk profile.

Machine: ${machine()}. ${chromiumVersion || 'Chromium'} at /usr/bin/chromium.
Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end (a shared 2-core machine).
Whole run ${minutes.toFixed(1)} min. Measured ${new Date().toISOString().slice(0, 10)}.

| how | viewer: event → drawn ms | → next frame ms | bare IndexedDB ms | ratio (medians) | median of per-round ratios | target | |
|---|---|---|---|---|---|---|---|
${row('all rounds', rounds)}
${row(
  'slider',
  rounds.filter((r) => r.via === 'slider'),
)}
${row(
  'key (`.`)',
  rounds.filter((r) => r.via === 'key'),
)}
`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  const name = LARGE ? 'slice-large' : 'slice';
  writeFileSync(
    join(repo, 'bench', 'out', `${name}.json`),
    JSON.stringify({ machine: machine(), chromium: chromiumVersion, loadavgStart: load0, loadavgEnd: load1, Z, side: SIDE, write, rounds, failure }, null, 1),
  );
  writeFileSync(join(repo, 'bench', 'out', `${name}.md`), md);
  writeSection(name, md.replace('## Data plane: slice viewing', LARGE ? '### Data plane: slice viewing, large volume' : '## Data plane: slice viewing'));
  if (failure) throw new Error(failure);
});
