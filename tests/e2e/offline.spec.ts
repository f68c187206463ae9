// Offline, as an installed app: the service worker has taken the page, the network is cut, the app
// reloads from its cache still cross-origin isolated, and a built-in model bundle runs to the end
// from the UI. Also: the web app manifest, and the first screen's JavaScript staying within budget.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRST_SCREEN_GZIP_BUDGET, firstScreenScripts } from './firstScreen';
import { openApp } from './util';
import { SHOTS_DIR, shot } from './shot';

// The service worker is blocked for the other specs (playwright.config.ts).
test.use({ serviceWorkers: 'allow' });

const dist = process.env.ALGOBOX_DIST ?? 'dist';

/** Until the service worker has installed (precaching everything) and controls the page. */
async function swControls(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
}

test('offline: after the service worker took over, a reload without network shows the app and runs salient_segmentation', async ({ page, context }) => {
  test.setTimeout(240_000);
  const problems = await openApp(page);
  // The worker installs (precaching the app, the ORT runtimes, the built-in bundles and models) and claims the page.
  await swControls(page);
  const precached = await page.evaluate(async () => {
    const names = await caches.keys();
    const pre = names.find((n) => n.includes('precache'));
    return pre ? (await (await caches.open(pre)).keys()).map((r) => new URL(r.url).pathname) : [];
  });
  expect(precached).toContain('/index.html');
  expect(precached).toContain('/bundles/salient_segmentation/files/u2netp.onnx');
  expect(precached.some((p) => /\/assets\/ort-wasm-simd-threaded-.*\.wasm$/.test(p))).toBe(true);

  await context.setOffline(true);
  // Proof that the network is cut: a fetch the worker does not answer from its cache fails.
  expect(
    await page.evaluate(() =>
      fetch('https://example.com/').then(
        () => 'online',
        () => 'offline',
      ),
    ),
  ).toBe('offline');
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  expect(
    await page.evaluate(() => ({ isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer, controlled: !!navigator.serviceWorker.controller })),
  ).toEqual({
    isolated: true,
    sab: 'function',
    controlled: true,
  });

  // Run the model bundle through the UI, as a person would.
  await page.getByTestId('alg-card-salient_segmentation').getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText('salient_segmentation');
  await page.getByTestId('run-add-input').selectOption({ label: 'rgb shapes' });
  await expect(page.getByTestId('run-input')).toHaveCount(1);
  await page.getByTestId('run-button').click();
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  const run = await page.evaluate(async () => (await window.algobox.executions.list())[0]!);
  expect(run.status).toBe('COMPLETED');
  expect(run.log.some((l) => l.message.startsWith('Loaded model files/u2netp.onnx'))).toBe(true);
  const mask = await page.evaluate(async (id) => {
    const a = (await window.algobox.datasets.get(id, ['mask'])).fields.mask as { shape: number[]; data: ArrayLike<number> };
    let on = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i]) on++;
    return { shape: [...a.shape], on };
  }, run.outputDatasetIds[0]!);
  expect(mask.shape).toEqual([256, 256]);
  expect(mask.on).toBeGreaterThan(1000);
  await details.getByTestId('run-open-results').click();
  await expect(page.getByTestId('segmentation-viewer')).toBeVisible();
  await shot(page, `${SHOTS_DIR}/app-offline.png`);
  await context.setOffline(false);
  // Offline, only the cut network itself may have logged errors.
  expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|example\.com/.test(p))).toEqual([]);
});

test('a new version downloads in the background, says so, and Reload switches to it', async ({ page }) => {
  test.setTimeout(180_000);
  const swFile = join(dist, 'sw.js');
  const original = readFileSync(swFile, 'utf8');
  try {
    await openApp(page);
    await swControls(page);
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
    // A new build: sw.js changes (vite preview reads files per request); the browser finds it on update().
    writeFileSync(swFile, `${original}\n// e2e: another build ${Date.now()}\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const notice = page.getByTestId('update-notice');
    await expect(notice).toBeVisible({ timeout: 90_000 });
    await expect(notice).toContainText('A new version of algobox is available.');
    expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())!.waiting)).toBe(true);
    await shot(page, `${SHOTS_DIR}/app-update-notice.png`);
    await Promise.all([page.waitForEvent('load'), notice.getByRole('button', { name: 'Reload' }).click()]);
    await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
    await page.evaluate(() => window.algobox.usable);
    // The waiting worker took over: none waits any more, the page is controlled, no notice.
    expect(
      await page.evaluate(async () => {
        const r = (await navigator.serviceWorker.getRegistration())!;
        return { waiting: !!r.waiting, active: r.active?.state, controlled: !!navigator.serviceWorker.controller };
      }),
    ).toEqual({ waiting: false, active: 'activated', controlled: true });
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
  } finally {
    writeFileSync(swFile, original);
  }
});

test('installable: the web app manifest names the app, its icons and its start page', async ({ page }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifest = await (await page.request.get(href!)).json();
  expect(manifest).toMatchObject({ name: 'algobox', display: 'standalone', start_url: '.' });
  const sizes = (manifest.icons as { sizes: string; type: string; src: string }[]).map((i) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons as { src: string; type: string }[]) {
    const res = await page.request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()['content-type']).toContain(icon.type.split('+')[0]);
  }
});

test(`the first screen's JavaScript stays within ${FIRST_SCREEN_GZIP_BUDGET / 1024} kB gzip (the build's entry and its preloads)`, () => {
  const scripts = firstScreenScripts(dist);
  const total = scripts.reduce((n, s) => n + s.gzip, 0);
  expect(scripts.length).toBeGreaterThan(1);
  expect(total, scripts.map((s) => `${s.path} ${s.gzip}`).join('\n')).toBeLessThanOrEqual(FIRST_SCREEN_GZIP_BUDGET);
  // The parts that load on first use are not among them.
  expect(scripts.map((s) => s.path).join(' ')).not.toMatch(/ViewerPanel|ToolchainsPage|imageCodecs|importFiles|uPlot|lexer|toolchains-/);
});
