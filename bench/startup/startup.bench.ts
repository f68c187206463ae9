// bench/startup: what the first screen costs, in the production build served by `vite preview` and
// Debian's Chromium (issue 15: at most 250 kB gzip of JavaScript for the first screen; usable within
// 1.5 s of navigation).
//  - First-screen JavaScript: every .js response the page received before it was usable (from the
//    network log), with its gzip size (gzip -9 of the served file), and the build's entry + preloads
//    (tests/e2e/firstScreen.ts, the figure the e2e budget test checks).
//  - Time to usable: from navigation (performance.timeOrigin) to the moment Import is enabled and the
//    catalog is listed (the "Import files…" button and the catalog count are in the page), watched
//    by a MutationObserver installed before the app's scripts run; and to "ready" (built-ins and
//    sample data in: data-testid=engine-ready).
// Each round: a cold start (a fresh profile: nothing installed, nothing cached) and then a warm one
// (the same profile reloaded: built-ins installed, the service worker controlling). ROUNDS rounds;
// medians. `npm run bench:startup` → stdout, bench/out/startup.json, docs/benchmarks.md ("Start-up").
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { closeQuietly, servedBuild } from '../browser';
import { machine, median, writeSection } from '../report';
import { FIRST_SCREEN_GZIP_BUDGET, firstScreenScripts, gzipBytes } from '../../tests/e2e/firstScreen';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4311;
const ROUNDS = Number(process.env.ALGOBOX_STARTUP_ROUNDS ?? 3);
const USABLE_TARGET_MS = 1500;

interface Load {
  usableMs: number;
  readyMs: number;
  /** .js files received before usable: path and gzip bytes. */
  scripts: { path: string; gzip: number }[];
}

/** Installed before the app's scripts: records when Import is enabled and the catalog is listed, and when "ready" shows. */
function watchStartup() {
  const w = window as unknown as { __usableAt?: number; __readyAt?: number };
  const check = () => {
    const importButton = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Import files…');
    if (w.__usableAt === undefined && importButton && !importButton.disabled && document.querySelector('[data-testid="catalog-count"]'))
      w.__usableAt = performance.now();
    if (w.__readyAt === undefined && document.querySelector('[data-testid="engine-ready"]')) w.__readyAt = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

async function load(context: BrowserContext, dist: string, reload: boolean): Promise<Load> {
  const page = context.pages()[0] ?? (await context.newPage());
  const received: { path: string; at: number }[] = [];
  const onResponse = (r: { url(): string }) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('.js')) received.push({ path: u.pathname, at: Date.now() });
  };
  page.on('response', onResponse);
  if (reload) await page.reload();
  else await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { __readyAt?: number }).__readyAt !== undefined, null, { timeout: 120_000 });
  const { usableMs, readyMs, origin } = await page.evaluate(() => {
    const w = window as unknown as { __usableAt: number; __readyAt: number };
    return { usableMs: w.__usableAt, readyMs: w.__readyAt, origin: performance.timeOrigin };
  });
  page.off('response', onResponse);
  // Responses that arrived before usable (Node's clock vs the page's: both wall clocks, same machine).
  const usableWall = origin + usableMs;
  const seen = new Set<string>();
  const scripts = received
    .filter((r) => r.at <= usableWall + 5 && !seen.has(r.path) && seen.add(r.path))
    .map((r) => ({ path: r.path, gzip: gzipBytes(readFileSync(join(dist, r.path))) }));
  return { usableMs, readyMs, scripts };
}

it('start-up: first-screen JavaScript and time to usable, cold and warm', async () => {
  const load0 = loadavg();
  // Vitest sets NODE_ENV=test, which would make a build without import.meta.env.PROD (no service worker).
  process.env.NODE_ENV = 'production';
  const served = await servedBuild(PORT);
  const cold: Load[] = [];
  const warm: Load[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const profile = mkdtempSync(join(tmpdir(), 'algobox-bench-startup-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--disable-quic'],
        baseURL: `http://127.0.0.1:${PORT}/`,
        viewport: { width: 1280, height: 800 },
      });
      try {
        await context.addInitScript(watchStartup);
        cold.push(await load(context, served.dist, false));
        // Let the service worker finish precaching before the warm start.
        await context
          .pages()[0]!
          .evaluate(() =>
            Promise.race([
              navigator.serviceWorker.ready.then(() => undefined),
              new Promise((_, no) => setTimeout(() => no(new Error('no service worker within 60 s')), 60_000)),
            ]),
          );
        warm.push(await load(context, served.dist, true));
      } finally {
        await closeQuietly(context);
        rmSync(profile, { recursive: true, force: true });
      }
      const c = cold.at(-1)!;
      const h = warm.at(-1)!;
      console.log(
        `round ${i + 1}: cold usable ${c.usableMs.toFixed(0)} ms, ready ${c.readyMs.toFixed(0)} ms; warm usable ${h.usableMs.toFixed(0)} ms, ready ${h.readyMs.toFixed(0)} ms`,
      );
    }
    const build = firstScreenScripts(served.dist);
    const buildGzip = build.reduce((n, s) => n + s.gzip, 0);
    const netGzip = (l: Load) => l.scripts.reduce((n, s) => n + s.gzip, 0);
    const kB = (b: number) => (b / 1024).toFixed(1);
    const load1 = loadavg();
    const row = (name: string, ls: Load[]) =>
      `| ${name} | ${kB(median(ls.map(netGzip)))} kB (${median(ls.map((l) => l.scripts.length))} files) | ${median(ls.map((l) => l.usableMs)).toFixed(0)} ms | ${median(ls.map((l) => l.readyMs)).toFixed(0)} ms | ${ls.map((l) => l.usableMs.toFixed(0)).join(', ')} |`;
    const md = [
      '## Start-up',
      '',
      `\`npm run bench:startup\` (bench/startup/startup.bench.ts): the production build served by \`vite preview\`, Debian's Chromium (headless, 1280×800), ${ROUNDS} rounds of a cold start (fresh profile: built-ins installed and samples made during the load) followed by a warm start (the same profile reloaded: service worker controlling). "Usable": Import enabled and the catalog listed, measured from navigation; "ready": built-ins and sample data in (\`algobox.ready\`). First-screen JavaScript: the .js responses received before usable, gzip -9 of each file. Targets (issue 15): ≤ ${FIRST_SCREEN_GZIP_BUDGET / 1024} kB gzip, usable ≤ ${USABLE_TARGET_MS / 1000} s.`,
      '',
      `Machine: ${machine()}; load average ${load0.map((x) => x.toFixed(2)).join(' / ')} at the start, ${load1.map((x) => x.toFixed(2)).join(' / ')} at the end.`,
      '',
      '| start | first-screen JS (gzip, before usable) | usable (median) | ready (median) | usable, each round |',
      '|---|---|---|---|---|',
      row('cold (first visit)', cold),
      row('warm (reload)', warm),
      '',
      `The build's entry script and its preloads (what index.html asks for; tests/e2e/offline.spec.ts keeps it ≤ ${FIRST_SCREEN_GZIP_BUDGET / 1024} kB): ${kB(buildGzip)} kB gzip in ${build.length} files, the largest ${build
        .toSorted((a, b) => b.gzip - a.gzip)
        .slice(0, 3)
        .map((s) => `${s.path.replace(/^assets\//, '')} ${kB(s.gzip)} kB`)
        .join(
          ', ',
        )}. Before the split (issue 15): 351 kB gzip in one 344 kB main chunk, \`algobox.ready\` 4.1 s after navigation on a quiet machine; the app was not usable before \`ready\`.`,
    ].join('\n');
    console.log(md);
    mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
    writeFileSync(
      join(repo, 'bench', 'out', 'startup.json'),
      JSON.stringify({ machine: machine(), loadavgStart: load0, loadavgEnd: load1, build, cold, warm }, null, 1),
    );
    if (!process.env.ALGOBOX_STARTUP_ROUNDS) writeSection('startup', md);
  } finally {
    await served.close();
  }
});
