// URLs and trust (issue 6): pinned links `?bundle=<url>&sha256=<bundle hash>`, the refusal of a bundle
// that is not the pinned one (attack test 9: nothing stored, every dataset intact, app responsive),
// the computed hash shown for unpinned links, the trust dialog before the first run of a third-party
// bundle (remembered per bundle hash), Copy link (pinned) and Download bundle (a zip that installs
// with the same hash). Bundles are served from the test with page.route on the preview server's own
// origin, so COEP does not block them.
import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { bundleHash, sha256Hex } from '../../src/core/hash';
import { shot } from './shot';
import { openApp } from './util';

type Files = Record<string, string | Uint8Array>;

const demoManifest = (runnerNote = '') => `[project]
name = "demo"
version = "1.2.3"

[tool.compox]
algorithm_type = "Image2Image"
tags = ["third-party"]
description = "Copies its inputs (a third-party test bundle)."
supported_devices = ["cpu"]
default_device = "cpu"
additional_parameters = []
${runnerNote}`;

const demo: Files = {
  'pyproject.toml': demoManifest(),
  'Runner.js': `import { Image2ImageRunner } from "algobox";
import { note } from "./lib/note.js";
export class Runner extends Image2ImageRunner {
  async inference(data) {
    await this.logMessage(note);
    return data;
  }
}`,
  'lib/note.js': 'export const note = "demo ran";\n',
  'README.md': '# demo\n\nA bundle served by the trust end-to-end test.\n',
  'files/weights.bin': new Uint8Array(3000).map((_, i) => (i * 31) % 256),
};

/** Same name and version, different code: what an attacker would swap in behind a link. */
const evil: Files = {
  ...demo,
  'Runner.js': `import { Image2ImageRunner } from "algobox";
export class Runner extends Image2ImageRunner {
  async inference(data) {
    await this.logMessage("this must never be installed by a link pinned to demo's hash");
    return data;
  }
}`,
};

const bytesOf = (c: string | Uint8Array) => (typeof c === 'string' ? strToU8(c) : c);
const zip = (files: Files) => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, bytesOf(c)]))));

async function hashOf(files: Files): Promise<string> {
  const h: Record<string, string> = {};
  for (const [p, c] of Object.entries(files)) h[p] = await sha256Hex(bytesOf(c));
  return bundleHash(h);
}

/** Serve `body` as a zip at `path` of the app's own origin. */
async function serve(page: Page, path: string, body: Buffer): Promise<void> {
  await page.route(`**${path}`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/zip', body, headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
  );
}

const link = (path: string, sha256?: string) => `/?bundle=${encodeURIComponent(path)}${sha256 === undefined ? '' : `&sha256=${sha256}`}`;

/** SHA-256 of every dataset's content (each field's key, dtype, shape and bytes), by id. */
function datasetDigests(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const out: Record<string, string> = {};
    for (const m of await window.algobox.datasets.list()) {
      const d = await window.algobox.datasets.get(m.id);
      const parts: string[] = [m.name];
      for (const k of Object.keys(d.fields).sort()) {
        const f = d.fields[k];
        if (f === null || f === undefined || typeof f === 'string') parts.push(`${k}=${String(f)}`);
        else {
          const v = f.data as unknown as ArrayBufferView;
          const bytes = new Uint8Array(v.buffer as ArrayBuffer, v.byteOffset, v.byteLength).slice();
          parts.push(`${k}:${f.dtype}:${f.shape.join('x')}:${hex(await crypto.subtle.digest('SHA-256', bytes))}`);
        }
      }
      out[m.id] = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts.join('\n'))));
    }
    return out;
  });
}

const algorithmsNow = (page: Page) =>
  page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => `${a.name} ${a.version} ${a.origin.kind} ${a.bundleHash}`).sort());

async function addInput(page: Page, name: string) {
  const select = page.getByTestId('run-add-input');
  await select.focus();
  await expect(select.locator('option', { hasText: name })).toHaveCount(1);
  await select.selectOption({ label: name });
}

const executionCount = (page: Page) => page.evaluate(async () => (await window.algobox.executions.list()).length);

test('a pinned link installs and selects the bundle; the first Run asks (origin, name, version, hash, size, files), the second does not', async ({ page }) => {
  const right = await hashOf(demo);
  await serve(page, '/ext/demo.zip', zip(demo));
  const problems = await openApp(page, link('/ext/demo.zip', right));
  const prompt = page.getByTestId('bundle-url-prompt');
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('Install the algorithm bundle from /ext/demo.zip?');
  await expect(prompt.getByTestId('bundle-url-pin')).toContainText(`The link pins its SHA-256: ${right}.`);
  await expect(prompt.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await prompt.getByRole('button', { name: 'Install' }).click();
  await expect(prompt).toBeHidden();
  expect(new URL(page.url()).search).toBe('');
  const card = page.getByTestId('alg-card-demo');
  await expect(card.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByTestId('alg-origin')).toHaveText('URL');
  const alg = await page.evaluate(() => window.algobox.algorithms.get('demo'));
  expect(alg.bundleHash).toBe(right);
  expect(alg.origin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ext\/demo\.zip$/);
  expect(await page.evaluate((id) => window.algobox.algorithms.isTrusted(id), alg.id)).toBe(false);

  // An input, then Run: the trust dialog, with everything about the bundle.
  await page.evaluate(() =>
    window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) } }, { name: 'trust-input.png', schema: 'Image' }),
  );
  await addInput(page, 'trust-input.png');
  const run = page.getByTestId('run-button');
  await run.click();
  const dialog = page.getByTestId('trust-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toHaveText('Run a third-party bundle?');
  await expect(dialog.getByTestId('trust-origin')).toHaveText(alg.origin.url!);
  await expect(dialog.getByTestId('trust-name')).toHaveText('demo');
  await expect(dialog.getByTestId('trust-version')).toHaveText('1.2.3');
  await expect(dialog.getByTestId('trust-hash')).toHaveText(right);
  const total = Object.values(demo).reduce((s, c) => s + bytesOf(c).byteLength, 0);
  await expect(dialog.getByTestId('trust-size')).toHaveText(/^\d+(\.\d)? KB in 5 files$/);
  await expect(dialog.getByTestId('trust-size')).toHaveAttribute('title', `${total} bytes`);
  await expect(dialog.getByTestId('trust-file')).toHaveText([
    /^README\.md\s*\d+ B$/,
    /^Runner\.js\s*\d+ B$/,
    /^files\/weights\.bin\s*3\.0 KB$/,
    /^lib\/note\.js\s*\d+ B$/,
    /^pyproject\.toml\s*\d+ B$/,
  ]);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await shot(page, 'docs/screenshots/trust-dialog.png');

  // Cancel: nothing runs, nothing is remembered; Run asks again.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await executionCount(page)).toBe(0);
  await run.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Trust and run' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText('completed');
  expect(await page.evaluate((id) => window.algobox.algorithms.isTrusted(id), alg.id)).toBe(true);

  // Second run: no question.
  await run.click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'COMPLETED');

  // Built-ins never ask.
  const builtin = await page.evaluate(async () => (await window.algobox.algorithms.list()).find((a) => a.origin.kind === 'builtin')?.id ?? null);
  if (builtin) expect(await page.evaluate((id) => window.algobox.algorithms.isTrusted(id), builtin)).toBe(true);
  expect(problems).toEqual([]);
});

test('attack test 9: a link pinned to another hash is refused with both hashes; nothing installed, every dataset intact, app responsive', async ({ page }) => {
  const pinned = await hashOf(demo);
  const served = await hashOf(evil);
  expect(served).not.toBe(pinned);
  await serve(page, '/ext/demo.zip', zip(evil));
  const problems = await openApp(page);
  await page.evaluate(() =>
    window.algobox.datasets.put(
      { image: { dtype: 'uint16', shape: [3, 2], data: new Uint16Array([1, 200, 3000, 40000, 5, 6]) } },
      { name: 'precious.png', schema: 'Image' },
    ),
  );
  const datasetsBefore = await datasetDigests(page);
  expect(Object.keys(datasetsBefore).length).toBeGreaterThan(1);
  const algorithmsBefore = await algorithmsNow(page);
  const storageBefore = await page.evaluate(() => window.algobox.storage.estimate());

  await page.goto(link('/ext/demo.zip', pinned));
  await page.evaluate(() => window.algobox.ready);
  const prompt = page.getByTestId('bundle-url-prompt');
  await expect(prompt).toBeVisible();
  await prompt.getByRole('button', { name: 'Install' }).click();
  const error = prompt.getByTestId('bundle-url-error');
  await expect(error).toContainText(`The bundle's SHA-256 is ${served}, but the link pins ${pinned}: refusing to install it.`);
  await expect(prompt.getByRole('button', { name: 'Try again' })).toBeEnabled();

  // Nothing stored: the same algorithms, the same blobs, every dataset byte for byte.
  expect(await algorithmsNow(page)).toEqual(algorithmsBefore);
  const storageAfter = await page.evaluate(() => window.algobox.storage.estimate());
  expect({ ...storageAfter, usage: 0, quota: 0 }).toEqual({ ...storageBefore, usage: 0, quota: 0 });
  expect(await datasetDigests(page)).toEqual(datasetsBefore);

  // The app stays usable: close the prompt (the parameters are dropped), use the catalog and the API.
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toBeHidden();
  expect(new URL(page.url()).search).toBe('');
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  const first = page.locator('[data-testid^="alg-card-"]').first();
  if ((await first.count()) > 0) {
    await first.getByTestId('alg-select').click();
    await expect(page.getByTestId('alg-details')).toBeVisible();
  }
  const id = await page.evaluate(() =>
    window.algobox.datasets.put({ image: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([7]) } }, { name: 'after.png' }),
  );
  expect(await page.evaluate(async (i) => (await window.algobox.datasets.get(i)).meta.name, id)).toBe('after.png');

  // Reloading the link asks again and refuses again; an API install with the wrong pin is refused the same way.
  const viaApi = await page.evaluate(
    async ({ pinned }) =>
      window.algobox.algorithms.install('/ext/demo.zip', { sha256: pinned }).then(
        () => 'installed',
        (e: Error) => e.message,
      ),
    { pinned },
  );
  expect(viaApi).toBe(`The bundle's SHA-256 is ${served}, but the link pins ${pinned}: refusing to install it.`);
  expect(await algorithmsNow(page)).toEqual(algorithmsBefore);

  // A malformed pin is refused before anything is fetched.
  let fetched = 0;
  await page.route('**/ext/other.zip', (route) => {
    fetched++;
    return route.fulfill({ status: 200, contentType: 'application/zip', body: zip(demo) });
  });
  await page.goto(link('/ext/other.zip', '1234'));
  await page.evaluate(() => window.algobox.ready);
  await expect(prompt.getByTestId('bundle-url-error')).toContainText(
    `The link's sha256 must be the bundle's SHA-256 as 64 hexadecimal digits; got "1234" (4 characters).`,
  );
  await expect(prompt.getByRole('button', { name: 'Install' })).toBeDisabled();
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  expect(fetched).toBe(0);
  const final = await datasetDigests(page);
  for (const [k, v] of Object.entries(datasetsBefore)) expect(final[k]).toBe(v);
  expect(await algorithmsNow(page)).toEqual(algorithmsBefore);
  expect(problems).toEqual([]);
});

test('without sha256 the prompt fetches and hashes first and shows the SHA-256; installing pins it', async ({ page }) => {
  const right = await hashOf(demo);
  await serve(page, '/ext/demo.zip', zip(demo));
  const problems = await openApp(page, link('/ext/demo.zip'));
  const prompt = page.getByTestId('bundle-url-prompt');
  await expect(prompt).toBeVisible();
  await expect(prompt.getByTestId('bundle-url-hash')).toHaveText(right);
  await expect(prompt.getByTestId('bundle-url-check')).toContainText('It is demo 1.2.3 (5 files,');
  await expect(prompt.getByTestId('bundle-url-check')).toContainText('The link does not pin a hash');
  await expect(prompt.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect((await algorithmsNow(page)).some((a) => a.startsWith('demo '))).toBe(false);
  await prompt.getByRole('button', { name: 'Install' }).click();
  await expect(prompt).toBeHidden();
  await expect(page.getByTestId('alg-card-demo').getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  expect((await page.evaluate(() => window.algobox.algorithms.get('demo'))).bundleHash).toBe(right);
  expect(problems).toEqual([]);
});

test('Copy link gives the pinned URL; Download bundle gives <name>-<version>.zip, which installs with the same hash', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const right = await hashOf(demo);
  await serve(page, '/ext/demo.zip', zip(demo));
  const problems = await openApp(page);
  const url = await page.evaluate(() => new URL('/ext/demo.zip', location.href).href);
  await page.evaluate((u) => window.algobox.algorithms.install(u), url);
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  const card = page.getByTestId('alg-card-demo');
  await card.getByTestId('alg-select').click();
  await expect(card.getByRole('button', { name: 'Download bundle' })).toHaveCount(0);
  await card.getByRole('button', { name: 'Copy link' }).click();
  await expect(card.getByText('Link copied to the clipboard.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const origin = new URL(page.url()).origin;
  expect(copied).toBe(`${origin}/?bundle=${encodeURIComponent(url)}&sha256=${right}`);

  // A local install (zip through the install dialog) offers Download bundle instead.
  await page.evaluate(async () => window.algobox.algorithms.remove((await window.algobox.algorithms.get('demo')).id));
  await page.getByTestId('install-bundle').click();
  const install = page.getByTestId('install-dialog');
  await install.getByTestId('install-zip-input').setInputFiles({ name: 'demo.zip', mimeType: 'application/zip', buffer: zip(demo) });
  await expect(install.getByTestId('install-success')).toContainText('Installed demo 1.2.3');
  await install.getByRole('button', { name: 'Close' }).click();
  await expect(card.getByTestId('alg-origin')).toHaveText('local zip');
  await expect(card.getByRole('button', { name: 'Copy link' })).toHaveCount(0);
  const downloading = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download bundle' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('demo-1.2.3.zip');
  const bytes = await readFile((await download.path())!);

  // Hosted anywhere and opened with the pinned link, it installs with the same hash.
  await page.evaluate(async () => window.algobox.algorithms.remove((await window.algobox.algorithms.get('demo')).id));
  await serve(page, '/ext/downloaded/demo-1.2.3.zip', bytes);
  await page.goto(link('/ext/downloaded/demo-1.2.3.zip', right));
  await page.evaluate(() => window.algobox.ready);
  const prompt = page.getByTestId('bundle-url-prompt');
  await prompt.getByRole('button', { name: 'Install' }).click();
  await expect(prompt).toBeHidden();
  await expect(card.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  const again = await page.evaluate(() => window.algobox.algorithms.get('demo'));
  expect(again.bundleHash).toBe(right);
  expect(again.origin.url).toMatch(/\/ext\/downloaded\/demo-1\.2\.3\.zip$/);
  expect(problems).toEqual([]);
});
