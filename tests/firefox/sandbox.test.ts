// Firefox smoke: third-party bundles run in the opaque-origin sandbox in Debian's Firefox ESR. A
// third-party copy of salient_segmentation (a model bundle) installed as a zip through the Install
// bundle dialog, trusted at its first Run, runs with threaded WASM inside the sandbox frame and
// segments the sample scene; a probing bundle finds no storage and no network there.
import { strToU8, zipSync } from 'fflate';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { maskIou } from '../fixtures/maskIou';
import { chooseFile, clearInputs, elementWithText, fields, openApp, runAndWait, selectAlgorithm, selectByLabel, tid, type App } from './firefox';

let app: App;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'algobox-firefox-'));
  app = await openApp();
});
afterAll(async () => {
  await app?.browser.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Install `files` as a zip through the Install bundle dialog's file picker. */
async function installZip(page: Page, name: string, files: Record<string, Uint8Array>): Promise<void> {
  const path = join(dir, `${name}.zip`);
  writeFileSync(path, zipSync(files));
  await page.click(tid('install-bundle'));
  await page.waitForSelector(tid('install-dialog'));
  await chooseFile(page, tid('install-zip-input'), path);
  await elementWithText(page, tid('install-success'), `Installed ${name} 1.0.0`, 60_000);
  await page.click(`${tid('install-dialog')} ::-p-text(Close)`);
  await page.waitForFunction((sel) => !document.querySelector(sel), {}, tid('install-dialog'));
}

/** The built-in salient_segmentation's files as the preview server serves them, renamed (another name, no self-tests). */
async function thirdPartySalient(): Promise<Record<string, Uint8Array>> {
  const base = new URL('bundles/salient_segmentation/', inject('baseURL'));
  const files: Record<string, Uint8Array> = {};
  for (const p of ['pyproject.toml', 'Runner.js', 'salient/rgb.js', 'files/u2netp.onnx', 'README.md']) {
    const r = await fetch(new URL(p, base));
    expect(r.ok, p).toBe(true);
    files[p] = new Uint8Array(await r.arrayBuffer());
  }
  const manifest = new TextDecoder()
    .decode(files['pyproject.toml'])
    .replace('name = "salient_segmentation"', 'name = "salient_third_party"')
    .replace(/files = \[[^\]]*\]/, 'files = ["README.md", "files/u2netp.onnx"]')
    .replace(/\[\[tool\.algobox\.tests\]\][\s\S]*$/, '');
  files['pyproject.toml'] = strToU8(manifest);
  return files;
}

const probeBundle = {
  'pyproject.toml': strToU8(`[project]
name = "sandbox_probe"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Image"
tags = ["test"]
description = "Tries storage and the network from inside the sandbox, logs what happened, returns its input."
supported_devices = ["cpu"]
default_device = "cpu"
additional_parameters = []
`),
  'Runner.js': strToU8(`import { Image2ImageRunner } from "algobox";
const attempt = async (f) => { try { return "ok: " + String(await f()); } catch (e) { return "refused: " + (e && e.name); } };
const openDb = () => new Promise((ok, no) => { const r = indexedDB.open("algobox"); r.onsuccess = () => ok("opened"); r.onerror = () => no(r.error); });
export class Runner extends Image2ImageRunner {
  async inference(data) {
    const origin = ${JSON.stringify(new URL(inject('baseURL')).origin)};
    await this.logMessage("probe indexedDB " + await attempt(openDb));
    await this.logMessage("probe fetch " + await attempt(async () => (await fetch(origin + "/bundles/index.json")).status));
    await this.logMessage("probe caches " + await attempt(async () => (await caches.keys()).length));
    await this.logMessage("probe origin " + self.origin);
    return data;
  }
}`),
};

describe('Firefox ESR: the sandbox', () => {
  test('a third-party copy of salient_segmentation, installed as a zip, runs in the sandbox with threaded WASM (IoU ≥ 0.9)', async () => {
    const { page } = app;
    await installZip(page, 'salient_third_party', await thirdPartySalient());
    await elementWithText(page, `${tid('alg-card-salient_third_party')} ${tid('alg-origin')}`, 'local zip');
    await selectAlgorithm(page, 'salient_third_party');
    await selectByLabel(page, tid('run-add-input'), 'rgb shapes');
    const rec = await runAndWait(page, { trust: true, timeout: 180_000 });
    const messages = rec.log.map((l) => l.message);
    expect(messages).toContain('Third-party bundle: it runs in an opaque-origin sandbox (no storage, no network; data only through the engine).');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(messages.some((m) => m.startsWith('Loaded model files/u2netp.onnx') && m.includes(`WASM (SIMD, ${cores} thread${cores > 1 ? 's' : ''})`))).toBe(
      true,
    );
    const frames = await page.$$eval('iframe[data-algobox-sandbox]', (fs) =>
      fs.map((f) => ({ sandbox: f.getAttribute('sandbox'), allow: f.getAttribute('allow') })),
    );
    expect(frames).toEqual([{ sandbox: 'allow-scripts', allow: 'cross-origin-isolated' }]);
    const [mask] = await fields(page, rec.outputDatasetIds, 'mask');
    const truthId = await page.evaluate(async () => (await window.algobox.datasets.list()).find((d) => d.name === 'rgb shapes (ground truth)')!.id);
    const [truth] = await fields(page, [truthId], 'mask');
    expect(maskIou(mask!.data, truth!.data)).toBeGreaterThanOrEqual(0.9);
    // Firefox at times reports a refused IndexedDB access inside the opaque-origin frame as 'Permission
    // denied to access property "length"' (seen once in CI in this test, as in the probe test below;
    // which code in the frame touches IndexedDB is not yet found). Nothing else may go wrong.
    expect(app.problems.filter((p) => !/^(Error: )?Permission denied to access property "length"$/.test(p))).toEqual([]);
  });

  test('inside the sandbox a bundle finds no IndexedDB, no Cache Storage and no network, and has an opaque origin', async () => {
    const { page } = app;
    await installZip(page, 'sandbox_probe', probeBundle);
    await selectAlgorithm(page, 'sandbox_probe');
    await clearInputs(page);
    await selectByLabel(page, tid('run-add-input'), 'rgb shapes');
    const rec = await runAndWait(page, { trust: true });
    const probes = Object.fromEntries(
      rec.log.filter((l) => l.message.startsWith('probe ')).map((l) => l.message.slice(6).split(/ (.*)/s).slice(0, 2) as [string, string]),
    );
    expect(probes).toEqual({ indexedDB: 'refused: SecurityError', fetch: 'refused: TypeError', caches: expect.stringMatching(/^refused: /), origin: 'null' });
    // The frame's CSP refused the fetch, and Firefox says so on the console. Firefox also reports, at
    // times (about one run in two), the refused IndexedDB open as 'Permission denied to access property
    // "length"' (never without that probe). Nothing else went wrong.
    const blocked = /^Content-Security-Policy: .* blocked the loading of a resource \(connect-src\) at http:\/\/127\.0\.0\.1:\d+\/bundles\/index\.json /;
    const idbRefused = /^(Error: )?Permission denied to access property "length"$/;
    expect(app.problems.filter((p) => blocked.test(p))).toHaveLength(1);
    expect(app.problems.filter((p) => !blocked.test(p) && !idbRefused.test(p))).toEqual([]);
  });
});
