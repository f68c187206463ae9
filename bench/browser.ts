// Shared by the browser benchmarks (bench/dataplane): the production build served by `vite preview`,
// Debian's Chromium with an on-disk profile, and guards so that a crashed tab or a stuck round is
// reported, never waited on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from '@playwright/test';

const repo = join(import.meta.dirname, '..');

export type Guarded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Run `fn` on `page`, but give up when the page crashes or `ms` pass. */
export async function guarded<T>(page: Page, fn: () => Promise<T>, ms: number): Promise<Guarded<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onCrash: (() => void) | undefined;
  const stop = new Promise<Guarded<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${ms / 1000} s` }), ms);
    onCrash = () => resolve({ ok: false, reason: 'the tab crashed (Playwright "crash" event)' });
    page.once('crash', onCrash);
  });
  try {
    return await Promise.race([
      fn().then(
        (value): Guarded<T> => ({ ok: true, value }),
        (e: unknown): Guarded<T> => ({ ok: false, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) }),
      ),
      stop,
    ]);
  } finally {
    clearTimeout(timer);
    if (onCrash) page.off('crash', onCrash);
  }
}

/** Close a context without hanging on a crashed or stuck browser. */
export async function closeQuietly(context: BrowserContext): Promise<void> {
  await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
}

/** The app in Debian's Chromium with the on-disk profile `profile`, the engine ready. */
export async function openApp(profile: string, port: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--disable-quic'],
    baseURL: `http://127.0.0.1:${port}/`,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.log(`  [pageerror] ${e.message}`));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  return { context, page };
}

/** Build the app into a temporary folder (`dist`) and serve it with `vite preview` on `port`; `close()` stops and deletes both. */
export async function servedBuild(port: number): Promise<{ dist: string; close(): Promise<void> }> {
  const dist = mkdtempSync(join(tmpdir(), 'algobox-bench-dist-'));
  await build({ root: repo, configFile: join(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root: repo,
    configFile: join(repo, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dist },
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  return {
    dist,
    async close() {
      await server.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** The id of the bench's own file input (not the app's, which would import on change). */
export const BENCH_FILE_INPUT = 'bench-file';

/** Put the file at `path` on disk into a hidden file input of the bench's own: a disk-backed File the page can read. */
export async function pickFile(page: Page, path: string): Promise<void> {
  await page.evaluate((id) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = id;
    input.style.display = 'none';
    document.body.append(input);
  }, BENCH_FILE_INPUT);
  await page.setInputFiles(`#${BENCH_FILE_INPUT}`, path);
}

/** Read the picked File bare: Blob.slice reads of `step` bytes (16 MiB), one after another, each touched. */
export function bareRead(page: Page, step = 16 * 1024 * 1024): Promise<{ ms: number; sum: number }> {
  return page.evaluate(
    async ({ id, step }) => {
      const file = (document.getElementById(id) as HTMLInputElement).files![0]!;
      const t0 = performance.now();
      let sum = 0;
      for (let at = 0; at < file.size; at += step) {
        const b = new Uint8Array(await file.slice(at, Math.min(file.size, at + step)).arrayBuffer());
        sum += b[b.length - 1]!;
      }
      return { ms: performance.now() - t0, sum };
    },
    { id: BENCH_FILE_INPUT, step },
  );
}
