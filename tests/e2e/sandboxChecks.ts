// What the sandbox attack tests (sandbox.spec.ts for bundles, blockSandbox.spec.ts for BEAT blocks)
// check after each attack: the app answers and a UI click works, every dataset is unchanged, nothing
// is polluted or leaked, and nothing reached a canary. Also the low-memory browser the out-of-memory
// attacks run in, driven over CDP once the sandbox frame's process is gone.
import { chromium, expect, type Browser, type CDPSession, type Page } from '@playwright/test';
import type { Canaries } from './canary';
import { datasetHashes, hashAllDatasets, openApp } from './util';

// A probe records each attempt's outcome: "ok: …" if it worked, otherwise the error.
export const PROBE = `
const out = {};
const probe = async (name, f) => { try { const v = await f(); out[name] = "ok: " + String(v).slice(0, 200); } catch (e) { out[name] = (e && e.name ? e.name + ": " : "") + String(e && e.message || e).slice(0, 300); } };
const settle = (f, ms = 1500) => new Promise((res, rej) => { const t = setTimeout(() => res("no answer in " + ms + " ms"), ms); try { f((v) => { clearTimeout(t); res(v); }, (e) => { clearTimeout(t); rej(e); }); } catch (e) { clearTimeout(t); rej(e); } });
`;

/** The app answers within a second, and a click in the UI works. */
export async function expectResponsive(page: Page): Promise<void> {
  const t0 = Date.now();
  expect(await page.evaluate(() => 1)).toBe(1);
  expect(Date.now() - t0).toBeLessThan(1000);
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText('threshold_segmentation');
}

export async function expectNothingSent(canary: Canaries): Promise<void> {
  // Late requests (a beacon, a retry) would land within this time.
  await new Promise((r) => setTimeout(r, 500));
  expect(canary.hits).toEqual([]);
  expect(canary.routeHits).toEqual([]);
}

/** Datasets unchanged, no prototype polluted, nothing leaked onto the page, nothing sent. */
export async function expectClean(page: Page, before: Record<string, string>, canary: Canaries): Promise<void> {
  expect(await datasetHashes(page)).toEqual(before);
  expect(
    await page.evaluate(() => ({
      o: ({} as Record<string, unknown>).polluted,
      f: (Function.prototype as unknown as Record<string, unknown>).polluted,
      a: ([] as unknown as Record<string, unknown>).polluted,
      leaked: (window as unknown as Record<string, unknown>).leaked,
    })),
  ).toEqual({ o: undefined, f: undefined, a: undefined, leaked: undefined });
  await expectNothingSent(canary);
}

export interface LowMemoryApp {
  browser: Browser;
  cdp: CDPSession;
  /** Evaluate an expression in the page over CDP (works after Playwright has marked the page crashed). */
  evaluate<T>(expression: string): Promise<T>;
  /** Dataset hashes before the attack. */
  before: Record<string, string>;
}

/**
 * The app in its own browser with V8's heap limit lowered to 512 MB (the browser's per-renderer
 * limit), so that an out-of-memory attack cannot take the test machine down. When the sandbox frame's
 * process dies, Playwright marks the whole page as crashed (as for any out-of-process frame), so the
 * page is driven over its own CDP session. Close `browser` when done.
 */
export async function openLowMemoryApp(baseURL: string | undefined, canary: Canaries): Promise<LowMemoryApp> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--disable-quic', '--js-flags=--max-old-space-size=512'],
  });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.route('**/canary/**', (route) => {
    canary.routeHits.push(route.request().url());
    return route.fulfill({ status: 200, body: 'canary' });
  });
  await openApp(page);
  const cdp = await context.newCDPSession(page);
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = (await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails).slice(0, 400));
    return r.result.value;
  };
  return { browser, cdp, evaluate, before: await datasetHashes(page) };
}

/** After the frame died: an evaluate within a second, a real click (CDP input events) selects an algorithm, the datasets are unchanged. */
export async function expectResponsiveOverCdp(app: LowMemoryApp): Promise<void> {
  const t1 = Date.now();
  expect(await app.evaluate<number>('1')).toBe(1);
  expect(Date.now() - t1).toBeLessThan(1000);
  const box = await app.evaluate<{ x: number; y: number }>(
    `(() => { const b = document.querySelector('[data-testid="alg-card-mask_cleanup"] [data-testid="alg-select"]'); b.scrollIntoView(); const r = b.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
  );
  for (const type of ['mousePressed', 'mouseReleased'] as const)
    await app.cdp.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
  await expect.poll(() => app.evaluate<string>(`document.querySelector('[data-testid="alg-details"] h3')?.textContent ?? ''`)).toContain('mask_cleanup');
  expect(await app.evaluate<Record<string, string>>(`(${hashAllDatasets.toString()})()`)).toEqual(app.before);
}
