// Debian's Firefox ESR under puppeteer-core (WebDriver BiDi), and the few UI steps the Firefox smoke
// tests share: open the app, pick an algorithm, click Run and wait for the run in the Runs panel,
// read the viewer's canvas. Values are read back through window.algobox; the actions go through the UI.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { inject } from 'vitest';

export const FIREFOX = process.env.ALGOBOX_FIREFOX ?? '/usr/bin/firefox-esr';

export interface App {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  problems: string[];
}

export const tid = (id: string) => `[data-testid="${id}"]`;

/**
 * A fresh Firefox (own temporary profile, so empty storage) on the app, engine ready. Downloads go to
 * `downloads` without asking (WebDriver BiDi has no download events in Firefox ESR 140: read the folder).
 */
export async function openApp(downloads?: string): Promise<App> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    protocol: 'webDriverBiDi',
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    extraPrefsFirefox: downloads
      ? {
          'browser.download.dir': downloads,
          'browser.download.folderList': 2,
          'browser.download.useDownloadDir': true,
          'browser.download.always_ask_before_handling_new_types': false,
        }
      : {},
  });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
    if (process.env.FFDEBUG && m.type() === 'error') console.log('CONSOLE', m.text(), JSON.stringify(m.stackTrace()), m.args().length);
  });
  page.on('pageerror', (e) => {
    problems.push(String((e as Error).message ?? e));
    if (process.env.FFDEBUG) console.log('PAGEERROR', String(e), (e as Error).stack);
  });
  // Without the service worker (as Playwright's suite, playwright.config.ts): each test starts from the
  // network, not from a cache an earlier test filled; the offline path is tests/e2e/offline.spec.ts.
  await page.goto(`${inject('baseURL')}?sw=off`);
  await page.waitForSelector(tid('engine-ready'), { timeout: 60_000 });
  return { browser, page, problems };
}

/** Choose `path` in the file picker `selector` (a hidden input[type=file]), as the file dialog does. */
export async function chooseFile(page: Page, selector: string, path: string): Promise<void> {
  const input = (await page.$(selector)) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error(`no file input ${selector}`);
  await input.uploadFile(path);
}

/** Wait until `selector` matches an element whose text contains `text` (each of them, for a list); returns it. */
export async function elementWithText(page: Page, selector: string, text: string | string[], timeout = 30_000): Promise<ElementHandle<Element>> {
  const h = await page.waitForFunction(
    (sel, ts) => [...document.querySelectorAll(sel)].find((e) => ts.every((t) => (e.textContent ?? '').includes(t))),
    { timeout },
    selector,
    typeof text === 'string' ? [text] : text,
  );
  return h as unknown as ElementHandle<Element>;
}

export async function selectAlgorithm(page: Page, name: string): Promise<void> {
  await page.click(`${tid(`alg-card-${name}`)} ${tid('alg-select')}`);
  await elementWithText(page, `${tid('alg-details')} h3`, name);
}

/** Pick the option of a <select> by its visible label, as a person does. */
export async function selectByLabel(page: Page, selector: string, label: string): Promise<void> {
  const value = await page.waitForFunction(
    (sel, l) => [...(document.querySelector(sel)?.querySelectorAll('option') ?? [])].find((o) => o.textContent?.trim() === l)?.value,
    { timeout: 30_000 },
    selector,
    label,
  );
  await page.select(selector, (await value.jsonValue()) as string);
}

/** "Use as input" on the stack row named `name`. */
export async function useStackAsInput(page: Page, name: string): Promise<void> {
  const row = await elementWithText(page, `${tid('stack-row')}`, name);
  const button = await row.waitForSelector('::-p-text(Use as input)');
  await button!.click();
  await elementWithText(page, tid('run-input-stack'), name);
}

/** Set a numeric parameter's field, as typed. */
export async function setNumber(page: Page, param: string, value: number): Promise<void> {
  await page.locator(`${tid(`param-${param}`)} input[type=number]`).fill(String(value));
}

export interface RunRecord {
  id: string;
  status: string;
  args: Record<string, unknown>;
  outputDatasetIds: string[];
  log: { level: string; message: string }[];
  device: string | null;
}

/**
 * Click Run (accepting the trust dialog when `trust`), wait until the Runs panel shows the new run
 * COMPLETED; returns its record. A run that ends otherwise fails with its error message.
 */
export async function runAndWait(page: Page, opts: { trust?: boolean; timeout?: number } = {}): Promise<RunRecord> {
  const before = await page.$$eval(tid('run-row'), (rows) => rows.map((r) => r.getAttribute('data-id')));
  await page.click(tid('run-button'));
  if (opts.trust) {
    await page.waitForSelector(tid('trust-dialog'));
    await page.click(`${tid('trust-dialog')} ::-p-text(Trust and run)`);
  }
  const added = await page.waitForFunction(
    (sel, old) => [...document.querySelectorAll(sel)].find((r) => !old.includes(r.getAttribute('data-id')))?.getAttribute('data-id'),
    { timeout: 30_000 },
    tid('run-row'),
    before,
  );
  const id = (await added.jsonValue()) as string;
  const status = await page.waitForFunction(
    (sel) => {
      const s = document.querySelector(sel)?.getAttribute('data-status');
      return s === 'COMPLETED' || s === 'FAILED' || s === 'CANCELLED' ? s : false;
    },
    { timeout: opts.timeout ?? 120_000, polling: 250 },
    `${tid('run-row')}[data-id="${id}"]`,
  );
  const rec = await page.evaluate(async (i) => {
    const r = await window.algobox.executions.get(i);
    return { id: r.id, status: r.status, args: r.args, outputDatasetIds: r.outputDatasetIds, log: r.log, device: r.device, error: r.error?.message ?? null };
  }, id);
  if ((await status.jsonValue()) !== 'COMPLETED') throw new Error(`run ${id} ended ${rec.status}: ${rec.error}`);
  return rec as RunRecord;
}

/** Wait until the viewer's canvas holds a `w`×`h` image. */
export async function canvasReady(page: Page, w: number, h: number): Promise<void> {
  await page.waitForFunction(
    (sel, w, h) => {
      const c = document.querySelector(sel);
      return c?.getAttribute('data-width') === String(w) && c.getAttribute('data-height') === String(h) && /\d+/.test(c.getAttribute('data-version') ?? '');
    },
    { timeout: 30_000 },
    tid('viewer-canvas'),
    w,
    h,
  );
}

/** RGBA of the viewer canvas pixel (x, y) (canvas pixel = image pixel). */
export async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    (sel, x, y) => Array.from((document.querySelector(sel) as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data),
    tid('viewer-canvas'),
    x,
    y,
  );
}

/** One array field of each dataset, as plain numbers. */
export async function fields(page: Page, ids: string[], key: string): Promise<{ dtype: string; shape: number[]; data: number[] }[]> {
  return page.evaluate(
    async (ids, key) =>
      Promise.all(
        ids.map(async (id) => {
          const a = (await window.algobox.datasets.get(id, [key])).fields[key] as { dtype: string; shape: number[]; data: ArrayLike<number> };
          return { dtype: a.dtype, shape: [...a.shape], data: Array.from(a.data) };
        }),
      ),
    ids,
    key,
  );
}

/**
 * Drop a folder `name` holding `files` on the page, as a file manager drops it. Firefox gives a dropped
 * folder as one directory entry (webkitGetAsEntry) that the app walks; a synthetic DataTransfer can only
 * hold plain files (whose entries lose the folder), so its items are replaced by that directory entry.
 */
export async function dropFolder(page: Page, name: string, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.evaluate(
    (name, list) => {
      const fileEntry = (f: File) => ({
        isFile: true,
        isDirectory: false,
        name: f.name,
        fullPath: `/${name}/${f.name}`,
        file: (ok: (f: File) => void) => ok(f),
      });
      const entries = list.map((f) => fileEntry(new File([new Uint8Array(f.bytes)], f.name)));
      let read = false;
      const dir = {
        isFile: false,
        isDirectory: true,
        name,
        fullPath: `/${name}`,
        // Batches until an empty one, as the browser's reader.
        createReader: () => ({ readEntries: (ok: (e: unknown[]) => void) => ok(read ? [] : ((read = true), entries)) }),
      };
      const dt = new DataTransfer();
      dt.items.add(new File([], name));
      Object.defineProperty(dt, 'items', { value: [{ kind: 'file', webkitGetAsEntry: () => dir, getAsFile: () => null }] });
      for (const type of ['dragenter', 'dragover', 'drop'])
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    name,
    files.map((f) => ({ name: f.name, bytes: Array.from(f.bytes) })),
  );
}

/** Clear the run's inputs (the Inputs panel's Clear), when there are any. */
export async function clearInputs(page: Page): Promise<void> {
  const clear = await page.$(`${tid('run-inputs')} ::-p-text(Clear)`);
  if (!clear) return;
  await clear.click();
  await page.waitForFunction((sel) => !document.querySelector(sel), {}, `${tid('run-inputs')} ${tid('run-input')}`);
}

/** Wait until the folder holds a complete file named `name` (Firefox writes a .part file first); its bytes. */
export async function downloaded(dir: string, name: string, timeout = 30_000): Promise<Uint8Array> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const names = readdirSync(dir);
    if (names.includes(name) && !names.some((n) => n.endsWith('.part'))) return new Uint8Array(readFileSync(join(dir, name)));
    if (Date.now() > deadline) throw new Error(`no download ${name} in ${dir} within ${timeout} ms (the folder holds: ${names.join(', ') || 'nothing'})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Screenshot for the docs, only when ALGOBOX_SCREENSHOTS is set (as tests/e2e/shot.ts). */
export async function shot(page: Page, path: `${string}.png`): Promise<void> {
  if (process.env.ALGOBOX_SCREENSHOTS) await page.screenshot({ path });
}
