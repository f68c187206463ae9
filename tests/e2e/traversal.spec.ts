// Attack test 10 (issue 6): path traversal in a bundle's file and asset names. A zip entry, a declared
// asset, a `[tool.algobox] files` entry or a relative import that climbs out of the bundle is refused
// at install with a message naming it; nothing is installed, nothing outside the bundle folder is
// fetched, every dataset is intact and the app stays responsive.
import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { datasetHashes, openApp } from './util';

const manifest = (extra = '') => `[project]
name = "climber"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Image"
tags = ["attack"]
description = "Tries to reach outside its bundle."
supported_devices = ["cpu"]
default_device = "cpu"
${extra}`;

const runner = (imp = '') => `import { Image2ImageRunner } from "algobox";
${imp}
export class Runner extends Image2ImageRunner {
  async inference(data) { return data; }
}`;

async function installError(page: Page, source: unknown): Promise<string> {
  return page.evaluate(async (src) => {
    try {
      await window.algobox.algorithms.install(src as never);
      return 'installed';
    } catch (e) {
      return (e as Error).message;
    }
  }, source);
}

test('path traversal in asset names, zip entries, files lists and imports is refused; nothing outside is fetched', async ({ page }) => {
  const outside: string[] = [];
  const problems = await openApp(page);
  const origin = new URL(page.url()).origin;
  await page.route(`${origin}/ext/**`, async (route) => {
    const url = new URL(route.request().url());
    if (!url.pathname.startsWith('/ext/climber/')) {
      outside.push(url.pathname);
      return route.fulfill({ status: 200, body: 'secret' });
    }
    const name = url.pathname.slice('/ext/climber/'.length);
    const files: Record<string, string> = {
      'pyproject.toml': manifest('[tool.algobox]\nfiles = ["README.md"]\n'),
      'Runner.js': runner('import { x } from "../../outside.js";'),
      'README.md': '# climber',
    };
    const body = files[name];
    return body === undefined ? route.fulfill({ status: 404, body: 'not found' }) : route.fulfill({ status: 200, body, contentType: 'text/plain' });
  });
  await page.evaluate(() => window.algobox.samples.ensure());
  const before = await datasetHashes(page);
  const algorithmsBefore = await page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => a.id).sort());

  // 1. A zip entry that climbs out.
  const zipped = zipSync({ 'pyproject.toml': strToU8(manifest()), 'Runner.js': strToU8(runner()), '../evil.js': strToU8('export const x = 1;') });
  const zipError = await page.evaluate(async (bytes) => {
    try {
      await window.algobox.algorithms.install(new Blob([new Uint8Array(bytes)], { type: 'application/zip' }));
      return 'installed';
    } catch (e) {
      return (e as Error).message;
    }
  }, Array.from(zipped));
  expect(zipError).toBe("Bundle file name '../evil.js' points outside the bundle ('..' is not allowed).");

  // 2. A declared asset whose name climbs out.
  expect(
    await installError(page, {
      'pyproject.toml': manifest('[tool.algobox.assets."../secret.onnx"]\nsha256 = "' + 'a'.repeat(64) + '"\n'),
      'Runner.js': runner(),
    }),
  ).toBe(
    `pyproject.toml: [tool.algobox] asset name '../secret.onnx' must be a relative path inside the bundle ("/" as separator, no leading "/", no "." or ".." segments).`,
  );

  // 3. A files list (fetched for folder URLs) that climbs out.
  expect(await installError(page, { 'pyproject.toml': manifest('[tool.algobox]\nfiles = ["../../etc/passwd"]\n'), 'Runner.js': runner() })).toMatch(
    /^pyproject\.toml: \[tool\.algobox\] field 'files' element 0 must be a relative path inside the bundle/,
  );

  // 4. A self-test input outside the bundle.
  expect(
    await installError(page, {
      'pyproject.toml': manifest('[[tool.algobox.tests]]\ninputs = ["../x.png"]\n[[tool.algobox.tests.outputs]]\nfield = "image"\nexpected = "y.npy"\n'),
      'Runner.js': runner(),
    }),
  ).toMatch(/^pyproject\.toml: \[tool\.algobox\] field 'tests\[0\]\.inputs\[0\]' must be a relative path inside the bundle/);

  // 5. A folder URL whose Runner.js imports a module above the folder: refused before that fetch.
  expect(await installError(page, `${origin}/ext/climber/`)).toBe("Path '../../outside.js' points outside the bundle.");

  expect(outside).toEqual([]);
  expect(await page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => a.id).sort())).toEqual(algorithmsBefore);
  expect(await datasetHashes(page)).toEqual(before);
  const t0 = Date.now();
  expect(await page.evaluate(() => 1 + 1)).toBe(2);
  expect(Date.now() - t0).toBeLessThan(1000);
  await page.getByTestId('alg-card-threshold_segmentation').getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details')).toContainText('threshold_segmentation');
  expect(problems).toEqual([]);
});
