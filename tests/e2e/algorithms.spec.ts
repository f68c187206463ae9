// The algorithms column and the runs strip in the built app: install (dialog: zip file, URL;
// ?bundle= links), catalog cards and filters, copy link, the parameter form for all 13 types, runs
// with live progress and logs, cancel, concurrent runs, history across reloads.
import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { shot } from './shot';

type Files = Record<string, string>;

const manifest = (
  name: string,
  opts: { type?: string; tags?: string[]; devices?: string[]; description?: string; params?: string; version?: string },
) => `[project]
name = "${name}"
version = "${opts.version ?? '1.0.0'}"

[tool.compox]
algorithm_type = "${opts.type ?? 'Image2Image'}"
tags = ${JSON.stringify(opts.tags ?? ['e2e'])}
description = "${opts.description ?? `${name} test bundle`}"
supported_devices = ${JSON.stringify(opts.devices ?? ['cpu', 'gpu'])}
default_device = "cpu"
additional_parameters = [
${opts.params ?? ''}
]
`;

const identityRunner = `import { Image2ImageRunner } from "algobox";
export class Runner extends Image2ImageRunner {
  async inference(data, args) {
    this.logMessage("args " + JSON.stringify(args));
    await this.setProgress(1);
    return data;
  }
}`;

/** Image2Image, cpu+gpu, tags demo/denoise; one parameter without a description (a manifest warning). */
const zipped: Files = {
  'pyproject.toml': manifest('zipped', {
    tags: ['demo', 'denoise'],
    description: 'Smooths images (zip install).',
    params: `  {name = "strength", config = {type = "float", default = 0.5, adjustable = true}},`,
  }),
  'Runner.js': identityRunner,
};

/** Image2Segmentation, cpu only, tags demo/slow: progress in steps with sleeps, a log line at every level. */
const stepper: Files = {
  'pyproject.toml': manifest('stepper', {
    type: 'Image2Segmentation',
    tags: ['demo', 'slow'],
    devices: ['cpu'],
    description: 'Counts slowly, logging at every level.',
    params: `  {name = "steps", description = "How many steps.", config = {type = "int", default = 5, adjustable = true}},
  {name = "delay_ms", description = "Sleep per step (ms).", config = {type = "int", default = 250, adjustable = true}},`,
  }),
  'Runner.js': `import { Image2SegmentationRunner } from "algobox";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export class Runner extends Image2SegmentationRunner {
  async inference(data, args) {
    await this.logMessage("starting " + args.steps + " steps", "INFO");
    for (let i = 0; i < args.steps; i++) {
      await sleep(args.delay_ms);
      await this.logMessage("step " + (i + 1) + " detail", "DEBUG");
      if (i === 1) await this.logMessage("a warning on step 2", "WARNING");
      await this.setProgress((i + 1) / args.steps);
    }
    await this.logMessage("an ERROR-level line (the run still succeeds)", "ERROR");
    return data;
  }
}`,
};

/** Every one of the 13 parameter types, plus one that is not adjustable. */
const everything: Files = {
  'pyproject.toml': manifest('everything', {
    tags: ['forms'],
    description: 'Declares all 13 parameter types.',
    params: `  {name = "label", description = "A text value.", config = {type = "string", default = "hello", adjustable = true}},
  {name = "count", description = "An integer.", config = {type = "int", default = 3, adjustable = true}},
  {name = "scale", description = "A float.", config = {type = "float", default = 1.5, adjustable = true}},
  {name = "enabled", description = "A flag.", config = {type = "bool", default = true, adjustable = true}},
  {name = "radius", description = "Integer range 0-100 step 2.", config = {type = "int_range", default = 42, min = 0, max = 100, step = 2, adjustable = true}},
  {name = "weight", description = "Float range 0-1.", config = {type = "float_range", default = 0.1, min = 0.0, max = 1.0, step = 0.05, adjustable = true}},
  {name = "method", description = "String enum.", config = {type = "string_enum", default = "otsu", options = ["otsu", "yen", "li"], adjustable = true}},
  {name = "level", description = "Int enum.", config = {type = "int_enum", default = 2, options = [1, 2, 4], adjustable = true}},
  {name = "gamma", description = "Float enum.", config = {type = "float_enum", default = 1.0, options = [0.5, 1.0, 2.2], adjustable = true}},
  {name = "names", description = "String list.", config = {type = "string_list", default = ["a", "b"], adjustable = true}},
  {name = "sigmas", description = "Int list.", config = {type = "int_list", default = [1, 2, 3], adjustable = true}},
  {name = "offsets", description = "Float list.", config = {type = "float_list", default = [0.5], adjustable = true}},
  {name = "flags", description = "Bool list with allowed lists.", config = {type = "bool_list", default = [true, false], options = [[true, false], [false, true], [true, true]], adjustable = true}},
  {name = "internal", description = "Not adjustable.", config = {type = "int", default = 7, adjustable = false}},`,
  }),
  'Runner.js': identityRunner,
};

const brokenManifest: Files = {
  'pyproject.toml': `[project]\nname = "broken"\n\n[tool.compox]\nalgorithm_type = "Image2Image"\n`,
  'Runner.js': identityRunner,
};

const zip = (files: Files, top = '') => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [`${top}${p}`, strToU8(c)]))));

async function openApp(page: Page, path = '/') {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(path);
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  return problems;
}

/**
 * Install bundles (trusted, so Run does not ask first: the trust dialog is tested in trust.spec.ts)
 * and put images through the API, then reload so the app lists them.
 */
async function seed(page: Page, bundles: Files[], images = 2): Promise<string[]> {
  const ids = await page.evaluate(
    async ({ bundles, images }) => {
      const api = window.algobox;
      for (const b of bundles) await api.algorithms.trust((await api.algorithms.install(b)).id);
      const ids: string[] = [];
      for (let i = 0; i < images; i++) {
        const data = new Uint8Array(16).map((_, j) => (j * 13 + i * 40) % 256);
        ids.push(await api.datasets.put({ image: { dtype: 'uint8', shape: [4, 4], data } }, { name: `img-${i + 1}.png`, schema: 'Image' }));
      }
      return ids;
    },
    { bundles, images },
  );
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  return ids;
}

async function selectAlgorithm(page: Page, name: string) {
  await page.getByTestId(`alg-card-${name}`).getByTestId('alg-select').click();
  await expect(page.getByTestId('alg-details').getByRole('heading', { level: 3 })).toContainText(name);
}

async function addInput(page: Page, name: string) {
  const select = page.getByTestId('run-add-input');
  await select.focus();
  await expect(select.locator('option', { hasText: name })).toHaveCount(1);
  await select.selectOption({ label: name });
}

const param = (page: Page, name: string) => page.getByTestId(`param-${name}`);

test('install through the dialog (zip file, bad manifest, URL), catalog cards, filters, copy link', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.route('**/remote/stepper.zip', (route) =>
    route.fulfill({ status: 200, contentType: 'application/zip', body: zip(stepper), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
  );
  const problems = await openApp(page);
  const builtins = await page.evaluate(async () => (await window.algobox.algorithms.list()).length);
  if (builtins === 0) await expect(page.getByTestId('catalog-empty')).toBeVisible();
  await expect(page.getByText('Select an algorithm in the catalog')).toBeVisible();

  // A zip through the file picker (files inside a top-level folder).
  await page.getByTestId('install-bundle').click();
  const dialog = page.getByTestId('install-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('install-zip-input').setInputFiles({ name: 'zipped.zip', mimeType: 'application/zip', buffer: zip(zipped, 'zipped/') });
  await expect(dialog.getByTestId('install-success')).toContainText('Installed zipped 1.0.0');
  await expect(dialog.getByTestId('install-success')).toContainText("Description is empty for additional parameter 'strength'");

  // A manifest error is shown verbatim and names the field.
  await dialog.getByTestId('install-zip-input').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: zip(brokenManifest) });
  await expect(dialog.getByTestId('install-error')).toContainText('Could not install broken.zip');
  await expect(dialog.getByTestId('install-error')).toContainText("[project] is missing the required field 'version'");

  // A URL of a zip.
  await dialog.getByLabel('URL of a zip or a folder').fill('/remote/stepper.zip');
  await dialog.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(dialog.getByTestId('install-success')).toContainText('Installed stepper 1.0.0');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // Catalog cards.
  const z = page.getByTestId('alg-card-zipped');
  await expect(z.getByText('zipped', { exact: true })).toBeVisible();
  await expect(z.getByText('1.0.0')).toBeVisible();
  // The type in the user's words; the technical term in the tooltip (issue 15 item 11).
  await expect(z.getByTestId('alg-type')).toHaveText('Image → image');
  await expect(z.getByTestId('alg-type')).toHaveAttribute('title', /Image2Image/);
  await expect(z.getByTestId('alg-devices')).toHaveText('cpu, gpu');
  await expect(z.getByTestId('alg-desc')).toHaveText('Smooths images (zip install).');
  await expect(z.getByTestId('alg-origin')).toHaveText('local zip');
  await expect(z.locator('.alg-tag')).toHaveText(['demo', 'denoise']);
  await expect(z.getByTestId('alg-warn-count')).toHaveText(/⚠ 1/);
  const s = page.getByTestId('alg-card-stepper');
  await expect(s.getByTestId('alg-origin')).toHaveText('URL');
  await expect(s.getByTestId('alg-type')).toHaveText('Image → mask');
  await expect(s.getByTestId('alg-devices')).toHaveText('cpu');
  await expect(s.getByTestId('alg-warn-count')).toHaveCount(0);
  // The last install is selected; selecting with the keyboard works.
  await expect(s.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  await z.getByTestId('alg-select').focus();
  await page.keyboard.press('Enter');
  await expect(z.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  await expect(s.getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('alg-details')).toContainText('Smooths images (zip install).');
  // The selected card's warnings expand.
  await expect(z.getByTestId('alg-warnings')).toHaveCount(0);
  await page.keyboard.press('Tab');
  await expect(z.getByTestId('alg-warnings-toggle')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(z.getByTestId('alg-warnings-toggle')).toHaveAttribute('aria-expanded', 'true');
  await expect(z.getByTestId('alg-warnings')).toContainText("Description is empty for additional parameter 'strength'");

  // Filters: type, device, tags (include, shift-click exclude), clear. Built-in bundles may be
  // listed too, so check our two cards rather than counts.
  const zCard = page.getByTestId('alg-card-zipped');
  const sCard = page.getByTestId('alg-card-stepper');
  const only = async (visible: 'zipped' | 'stepper' | 'both') => {
    await expect(zCard).toHaveCount(visible === 'stepper' ? 0 : 1);
    await expect(sCard).toHaveCount(visible === 'zipped' ? 0 : 1);
  };
  await only('both');
  const total = await page.evaluate(async () => (await window.algobox.algorithms.list()).length);
  await expect(page.getByTestId('filter-type').locator('option[value="Image2Segmentation"]')).toHaveText('Image → mask');
  await page.getByTestId('filter-type').selectOption('Image2Segmentation');
  await only('stepper');
  await expect(page.getByTestId('catalog-count')).toHaveText(new RegExp(`^\\d+ of ${total}$`));
  await page.getByTestId('filter-type').selectOption('');
  await page.getByTestId('filter-device').selectOption('gpu');
  await only('zipped');
  await page.getByTestId('filter-device').selectOption('');
  // Tags fold behind a toggle when there are many (built-ins add theirs).
  const tagsToggle = page.getByTestId('tags-toggle');
  if ((await tagsToggle.getAttribute('aria-expanded')) === 'false') await tagsToggle.click();
  await expect(tagsToggle).toHaveAttribute('aria-expanded', 'true');
  await page.getByTestId('tag-filter-denoise').click();
  await expect(page.getByTestId('tag-filter-denoise')).toHaveAttribute('data-state', 'include');
  await expect(page.getByTestId('tag-filter-denoise')).toHaveAttribute('aria-pressed', 'true');
  await only('zipped');
  await page.getByTestId('tag-filter-denoise').click();
  await page.getByTestId('tag-filter-demo').click();
  await page.getByTestId('tag-filter-slow').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('tag-filter-slow')).toHaveAttribute('data-state', 'exclude');
  await only('zipped');
  // The exclude toggle makes plain clicks exclude (keyboard users).
  await page.getByRole('button', { name: 'Clear', exact: true }).first().click();
  await expect(page.getByTestId('tag-filter-slow')).toHaveAttribute('data-state', 'off');
  await page.getByRole('button', { name: 'Exclude', exact: true }).click();
  await page.getByTestId('tag-filter-denoise').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tag-filter-denoise')).toHaveAttribute('data-state', 'exclude');
  await only('stepper');
  await page.getByTestId('tag-filter-denoise').click();
  await only('both');
  // Folded, the active tags stay visible.
  await page.getByRole('button', { name: 'Exclude', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Exclude', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('tag-filter-slow').click();
  await tagsToggle.click();
  await expect(tagsToggle).toHaveText(/Tags \(1\)/);
  await expect(page.getByTestId('tag-filter-demo')).toHaveCount(0);
  await expect(page.getByTestId('tag-filter-slow')).toHaveAttribute('data-state', 'include');
  await only('stepper');
  await page.getByTestId('tag-filter-slow').click();
  await tagsToggle.click();
  await expect(page.locator('[data-testid^="alg-card-"]')).toHaveCount(total);

  // Copy link (URL installs only) puts the pinned ?bundle=…&sha256=<bundle hash> link on the clipboard;
  // local installs offer Download bundle instead.
  await expect(z.getByRole('button', { name: 'Copy link' })).toHaveCount(0);
  await expect(z.getByRole('button', { name: 'Download bundle' })).toBeVisible();
  await s.getByTestId('alg-select').click();
  await expect(s.getByRole('button', { name: 'Download bundle' })).toHaveCount(0);
  await s.getByRole('button', { name: 'Copy link' }).click();
  await expect(s.getByText('Link copied to the clipboard.')).toBeVisible();
  const expected = await page.evaluate(async () => {
    const hash = (await window.algobox.algorithms.get('stepper')).bundleHash;
    return `${location.origin}${location.pathname}?bundle=${encodeURIComponent(new URL('/remote/stepper.zip', location.href).href)}&sha256=${hash}`;
  });
  expect(expected).toMatch(/&sha256=[0-9a-f]{64}$/);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);

  // Remove asks first.
  await z.getByTestId('alg-select').click();
  await z.getByRole('button', { name: 'Remove zipped 1.0.0' }).click();
  await expect(z.getByRole('alertdialog')).toContainText('Remove zipped 1.0.0?');
  await z.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('alg-card-zipped')).toHaveCount(0);
  await expect(page.getByText('The selected algorithm is no longer installed.').or(page.getByText('Select an algorithm in the catalog'))).toBeVisible();
  const left = await page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => a.name));
  expect(left).toContain('stepper');
  expect(left).not.toContain('zipped');
  expect(problems).toEqual([]);
});

test('?bundle= fetches and hashes, asks (showing the SHA-256), installs and selects; copy link falls back to a text field without a clipboard', async ({
  page,
}) => {
  await page.route('**/remote/stepper.zip', (route) =>
    route.fulfill({ status: 200, contentType: 'application/zip', body: zip(stepper), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
  );
  await page.addInitScript(() => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) }, configurable: true });
  });
  const link = `/?bundle=${encodeURIComponent('/remote/stepper.zip')}`;
  const problems = await openApp(page, link);
  const prompt = page.getByTestId('bundle-url-prompt');
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('Install the algorithm bundle from /remote/stepper.zip?');
  // Without &sha256= the bundle is fetched and hashed first, and the hash is shown.
  await expect(prompt.getByTestId('bundle-url-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(prompt.getByTestId('bundle-url-check')).toContainText('It is stepper 1.0.0');
  await expect(prompt.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // Cancel: nothing installed, the parameter is dropped.
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toBeHidden();
  expect(new URL(page.url()).search).toBe('');
  expect(await page.evaluate(async () => (await window.algobox.algorithms.list()).map((a) => a.name))).not.toContain('stepper');

  await page.goto(link);
  await page.evaluate(() => window.algobox.ready);
  await expect(prompt).toBeVisible();
  await prompt.getByRole('button', { name: 'Install' }).click();
  await expect(prompt).toBeHidden();
  await expect(page.getByTestId('alg-card-stepper').getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('alg-details')).toContainText('Counts slowly');
  expect(new URL(page.url()).search).toBe('');

  const card = page.getByTestId('alg-card-stepper');
  await card.getByRole('button', { name: 'Copy link' }).click();
  const field = card.getByTestId('copy-link-fallback');
  await expect(field).toBeVisible();
  await expect(field).toHaveValue(/\?bundle=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fremote%2Fstepper\.zip&sha256=[0-9a-f]{64}$/);

  // A link to something that is not a bundle shows the error in the prompt (checked before asking).
  await page.route('**/remote/nothing-here.zip', (route) => route.fulfill({ status: 404, body: 'no' }));
  await page.goto(`/?bundle=${encodeURIComponent('/remote/nothing-here.zip')}`);
  await expect(prompt).toBeVisible();
  await expect(page.getByTestId('bundle-url-error')).toContainText('HTTP 404');
  await expect(prompt.getByRole('button', { name: 'Install' })).toHaveCount(0);
  await prompt.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('bundle-url-error')).toContainText('HTTP 404');
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
});

test('a bundle dropped on the app (global drop zone) installs through useInstallBundle: selected, toast with warnings or the error', async ({ page }) => {
  const problems = await openApp(page);
  const drop = (name: string, bytes: number[]) =>
    page.evaluate(
      ({ name, bytes }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/zip' }));
        for (const type of ['dragenter', 'dragover', 'drop'])
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name, bytes },
    );
  await drop('zipped.zip', [...zip(zipped)]);
  const toast = page.getByTestId('install-notice');
  await expect(toast).toContainText('Installed zipped 1.0.0');
  await expect(toast).toContainText("Description is empty for additional parameter 'strength'");
  await expect(page.getByTestId('alg-card-zipped').getByTestId('alg-select')).toHaveAttribute('aria-pressed', 'true');
  await toast.getByRole('button', { name: 'Dismiss' }).click();
  await expect(toast).toBeHidden();
  await drop('broken.zip', [...zip(brokenManifest)]);
  await expect(toast).toHaveAttribute('role', 'alert');
  await expect(toast).toContainText('Could not install broken.zip');
  await expect(toast).toContainText("[project] is missing the required field 'version'");
  expect(problems).toEqual([]);
});

test('the parameter form renders all 13 types, validates inline, resets, and sends its values', async ({ page }) => {
  const problems = await openApp(page);
  await seed(page, [everything]);
  await selectAlgorithm(page, 'everything');

  // Controls per type; adjustable = false is hidden.
  await expect(param(page, 'internal')).toHaveCount(0);
  await expect(page.getByText('1 fixed parameter is not adjustable')).toBeVisible();
  await expect(page.getByLabel('label', { exact: true })).toHaveValue('hello');
  await expect(page.getByLabel('label', { exact: true })).toHaveAccessibleDescription(/A text value\..*Default: "hello"/);
  await expect(page.getByLabel('count', { exact: true })).toHaveAttribute('type', 'number');
  await expect(page.getByLabel('count', { exact: true })).toHaveAttribute('step', '1');
  await expect(page.getByLabel('scale', { exact: true })).toHaveAttribute('step', 'any');
  await expect(page.getByLabel('enabled', { exact: true })).toBeChecked();
  await expect(param(page, 'method').locator('select option')).toHaveText(['otsu', 'yen', 'li']);
  await expect(param(page, 'level').locator('select')).toHaveValue('1');
  await expect(param(page, 'gamma').locator('select option')).toHaveText(['0.5', '1', '2.2']);
  await expect(param(page, 'flags').locator('select option')).toHaveText(['[true, false]', '[false, true]', '[true, true]']);
  await expect(param(page, 'names').locator('.param-chip')).toHaveText(['a×', 'b×']);
  await expect(param(page, 'sigmas').locator('.param-chip')).toHaveText(['1×', '2×', '3×']);
  // Types in the user's words, the manifest's type names in the tooltips (issue 15 item 11).
  await expect(param(page, 'method').locator('.param-type')).toHaveText('choice');
  await expect(param(page, 'method').locator('.param-type')).toHaveAttribute('title', 'Parameter type: string_enum');
  await expect(param(page, 'sigmas').locator('.param-type')).toHaveText('list of whole numbers');
  await expect(param(page, 'enabled').locator('.param-type')).toHaveText('on/off');
  await expect(page.locator('.param-type')).not.toContainText([/_/]);
  await shot(page, 'docs/screenshots/user-words.png');

  // Range: slider and number stay in sync (step 2).
  const slider = page.getByTestId('param-radius-slider');
  const radius = page.getByLabel('radius', { exact: true }).and(page.locator('input[type=number]'));
  await expect(slider).toHaveValue('42');
  await radius.fill('70');
  await expect(slider).toHaveValue('70');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(radius).toHaveValue('72');
  await expect(slider).toHaveAttribute('step', '2');

  // Chips: Enter and comma add, Backspace removes the last, × removes one.
  const sigmas = page.getByLabel('sigmas', { exact: true }).and(page.locator('input'));
  await sigmas.fill('8');
  await sigmas.press('Enter');
  await sigmas.pressSequentially('9,10,');
  await expect(param(page, 'sigmas').locator('.param-chip')).toHaveText(['1×', '2×', '3×', '8×', '9×', '10×']);
  await sigmas.press('Backspace');
  await param(page, 'sigmas').getByRole('button', { name: 'Remove 1 from sigmas' }).click();
  await expect(param(page, 'sigmas').locator('.param-chip')).toHaveText(['2×', '3×', '8×', '9×']);

  // Inline validation from the engine's schema blocks Run and shows the message.
  await addInput(page, 'img-1.png');
  const run = page.getByTestId('run-button');
  await expect(run).toBeEnabled();
  await radius.fill('500');
  await expect(page.getByTestId('param-radius-error')).toHaveText("Parameter 'radius' (int_range) must be an integer between 0 and 100; got 500.");
  await expect(radius).toHaveAttribute('aria-invalid', 'true');
  await expect(run).toBeDisabled();
  await expect(page.getByTestId('run-why')).toHaveText('Fix the parameter error above.');
  await sigmas.fill('x');
  await sigmas.press('Enter');
  await expect(page.getByTestId('param-sigmas-error')).toHaveText('Parameter \'sigmas\' (int_list) element 4 must be an integer; got "x".');
  await expect(page.getByTestId('run-why')).toHaveText('Fix the 2 parameter errors above.');
  await page.getByLabel('count', { exact: true }).fill('2.5');
  await expect(page.getByTestId('param-count-error')).toHaveText("Parameter 'count' (int) must be an integer; got 2.5.");

  // Per-field reset and Reset all restore the defaults.
  await page.getByRole('button', { name: 'Reset radius to its default' }).click();
  await expect(radius).toHaveValue('42');
  await expect(slider).toHaveValue('42');
  await expect(page.getByTestId('param-radius-error')).toHaveText('');
  await page.getByRole('button', { name: 'Reset all' }).click();
  await expect(param(page, 'sigmas').locator('.param-chip')).toHaveText(['1×', '2×', '3×']);
  await expect(page.getByLabel('count', { exact: true })).toHaveValue('3');
  await expect(run).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Reset all' })).toBeDisabled();

  // Non-default values of every kind reach the execution record.
  await page.getByLabel('label', { exact: true }).fill('changed text');
  await page.getByLabel('count', { exact: true }).fill('11');
  await page.getByLabel('scale', { exact: true }).fill('-2.25');
  await page.getByLabel('enabled', { exact: true }).uncheck();
  await radius.fill('64');
  const weight = page.getByLabel('weight', { exact: true }).and(page.locator('input[type=number]'));
  await weight.fill('0.35');
  await expect(page.getByTestId('param-weight-slider')).toHaveValue('0.35');
  await param(page, 'method').locator('select').selectOption('li');
  await param(page, 'level').locator('select').selectOption('4');
  await param(page, 'gamma').locator('select').selectOption('2.2');
  const names = page.getByLabel('names', { exact: true }).and(page.locator('input'));
  await names.fill('with space');
  await names.press('Enter');
  await sigmas.fill('5');
  await sigmas.press('Enter');
  await page.getByLabel('offsets', { exact: true }).and(page.locator('input')).press('Backspace');
  await param(page, 'flags').locator('select').selectOption('[true, true]');
  await addInput(page, 'img-2.png');
  await expect(page.getByTestId('run-input')).toHaveText([/1\.\s*img-1\.png/, /2\.\s*img-2\.png/]);
  await run.click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  const rec = await page.evaluate(async () => {
    const [latest] = await window.algobox.executions.list();
    return window.algobox.executions.wait(latest!.id);
  });
  expect(rec.status).toBe('COMPLETED');
  expect(rec.args).toEqual({
    label: 'changed text',
    count: 11,
    scale: -2.25,
    enabled: false,
    radius: 64,
    weight: 0.35,
    method: 'li',
    level: 4,
    gamma: 2.2,
    names: ['a', 'b', 'with space'],
    sigmas: [1, 2, 3, 5],
    offsets: [],
    flags: [true, true],
    internal: 7,
  });
  expect(rec.inputDatasetIds).toHaveLength(2);
  await expect(page.getByTestId('run-details')).toHaveAttribute('data-id', rec.id);
  await expect(page.getByTestId('run-details').getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('run-args')).toContainText('label="changed text"');
  expect(problems).toEqual([]);
});

test('a run shows live progress, stage timings and the log (DEBUG hidden until asked); history survives a reload', async ({ page }) => {
  const problems = await openApp(page);
  await seed(page, [stepper, everything], 3);
  await expect(page.getByText('No runs yet.')).toBeVisible();
  await expect(page.getByText('Select datasets (tick them) or a stack on the left.')).toBeHidden(); // no algorithm selected yet
  await selectAlgorithm(page, 'stepper');
  await expect(page.getByText('Select datasets (tick them) or a stack on the left.')).toBeVisible();
  await expect(page.getByTestId('run-button')).toBeDisabled();
  await expect(page.getByTestId('run-why')).toHaveText('Choose the input datasets first.');
  await addInput(page, 'img-1.png');
  await addInput(page, 'img-3.png');
  await addInput(page, 'img-2.png');
  await page.getByRole('button', { name: 'Move img-2.png up' }).click();
  await expect(page.getByTestId('run-input')).toHaveText([/1\.\s*img-1\.png/, /2\.\s*img-2\.png/, /3\.\s*img-3\.png/]);
  await page.getByLabel('steps', { exact: true }).fill('6');
  await page.getByLabel('delay_ms', { exact: true }).fill('350');
  await page.getByTestId('run-button').click();

  // Progress moves in steps while it runs, and log lines arrive live.
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('run-status')).toHaveText('running');
  const seen = new Set<string>();
  let logWhileRunning = 0;
  for (let i = 0; i < 200; i++) {
    const [pct, status, lines] = await Promise.all([
      details.getByTestId('run-pct').textContent(),
      details.getByTestId('run-status').getAttribute('data-status'),
      details.getByTestId('log-line').count(),
    ]);
    if (status === 'COMPLETED') break;
    seen.add(pct ?? '');
    if (status === 'RUNNING') logWhileRunning = Math.max(logWhileRunning, lines);
    await page.waitForTimeout(60);
  }
  const intermediate = [...seen].filter((p) => p !== '0%' && p !== '100%');
  expect(intermediate.length).toBeGreaterThanOrEqual(3);
  expect(logWhileRunning).toBeGreaterThanOrEqual(2);
  await expect(details.getByTestId('run-status')).toHaveText('completed');
  await expect(details.getByTestId('run-pct')).toHaveText('100%');
  await expect(details.getByTestId('run-progress')).toHaveAttribute('aria-valuenow', '100');

  // Stage timings, device, levels: DEBUG hidden by default.
  await expect(details.getByTestId('run-timings')).toContainText(/inference \d/);
  await expect(details.getByTestId('run-timings')).toContainText(/total \d/);
  await expect(details.getByTestId('run-device')).toHaveText('cpu');
  const log = details.getByTestId('run-log');
  await expect(log.locator('[data-level="WARNING"]')).toHaveText(/a warning on step 2/);
  await expect(log.locator('[data-level="ERROR"]')).toHaveText(/an ERROR-level line/);
  await expect(log.locator('[data-level="DEBUG"]')).toHaveCount(0);
  // The log speaks of this browser, not of uploads to a database (issue 15 item 11).
  await expect(log.locator('[data-level="INFO"]').filter({ hasText: /Saving 3 results in this browser\./ })).toHaveCount(1);
  await expect(log.locator('[data-level="INFO"]').filter({ hasText: /^.*Saved 3 results in this browser in \d+\.\d{3} s\.$/ })).toHaveCount(1);
  await expect(log).not.toContainText(/database|Uploading|posted|fetched/);
  await expect(log.getByTestId('log-level-DEBUG')).not.toBeChecked();
  await log.getByTestId('log-level-DEBUG').check();
  await expect(log.locator('[data-level="DEBUG"]')).toHaveCount(6);
  await expect(log.locator('[data-level="DEBUG"]').first()).toHaveText(/\d\d:\d\d:\d\d\.\d{3}\s*DEBUG\s*step 1 detail/);
  await shot(page, 'docs/screenshots/runs.png');
  await log.getByTestId('log-level-DEBUG').uncheck();
  await log.getByTestId('log-level-INFO').uncheck();
  await expect(log.locator('[data-level="INFO"]')).toHaveCount(0);
  await log.getByTestId('log-level-INFO').check();

  // Open results sets the viewer's target (the button reflects it).
  const open = details.getByTestId('run-open-results');
  await expect(open).toBeEnabled();
  await open.click();
  await expect(open).toHaveAttribute('aria-pressed', 'true');
  await expect(open).toHaveText('Showing results');
  const id = await details.getAttribute('data-id');

  // A second, different run; then reload: the history is kept (newest first) and reopens results.
  await selectAlgorithm(page, 'everything');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'COMPLETED', { timeout: 15_000 });
  // A fresh load of the app (without the viewer's ?view= deep link, which would reopen the results by itself).
  await page.goto('/');
  await page.evaluate(() => window.algobox.ready);
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('everything');
  await expect(rows.nth(1)).toContainText('stepper');
  await expect(rows.nth(1).getByTestId('run-what')).toContainText('img-1 + 2 more');
  await rows.nth(1).getByRole('button').click();
  await expect(details).toHaveAttribute('data-id', id!);
  await expect(details.getByTestId('run-status')).toHaveText('completed');
  await expect(details.getByTestId('log-line').first()).toBeVisible();
  await expect(open).toHaveAttribute('aria-pressed', 'false');
  await open.click();
  await expect(open).toHaveAttribute('aria-pressed', 'true');
  expect(problems).toEqual([]);
});

test('two runs in flight at once; Cancel stops a long run (CANCELLED); the gpu radio follows WebGPU', async ({ page }) => {
  const problems = await openApp(page);
  await seed(page, [stepper, zipped], 1);
  await selectAlgorithm(page, 'stepper');
  // stepper supports cpu only: no gpu radio.
  await expect(page.getByTestId('device-cpu')).toBeChecked();
  await expect(page.getByTestId('device-gpu')).toHaveCount(0);
  await addInput(page, 'img-1.png');
  await page.getByLabel('steps', { exact: true }).fill('400');
  await page.getByLabel('delay_ms', { exact: true }).fill('50');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await expect(page.locator('[data-testid="run-row"][data-status="RUNNING"]')).toHaveCount(2);
  await expect(page.getByTestId('runs-count')).toHaveText('2 · 2 running');
  const live = await page.evaluate(async () => (await window.algobox.executions.list()).map((r) => r.status));
  expect(live).toEqual(['RUNNING', 'RUNNING']);

  // Cancel the selected (newest) one, then the other.
  const details = page.getByTestId('run-details');
  await details.getByTestId('run-cancel').click();
  await expect(details.getByTestId('run-status')).toHaveText('cancelled');
  await expect(details.getByTestId('run-error-message')).toHaveText('Execution was cancelled.');
  await expect(details.getByTestId('run-cancel')).toHaveCount(0);
  await expect(details.getByTestId('run-open-results')).toBeDisabled();
  await expect(page.getByTestId('run-row').nth(1)).toHaveAttribute('data-status', 'RUNNING');
  await page.getByTestId('run-row').nth(1).getByRole('button').click();
  await details.getByTestId('run-cancel').click();
  await expect(details.getByTestId('run-status')).toHaveText('cancelled');
  const statuses = await page.evaluate(async () => (await window.algobox.executions.list()).map((r) => r.status));
  expect(statuses).toEqual(['CANCELLED', 'CANCELLED']);

  // A time limit stops a run that takes longer; the reason is shown.
  const limit = page.getByLabel('Time limit');
  await limit.fill('-1');
  await expect(page.getByTestId('run-button')).toBeDisabled();
  await expect(page.getByTestId('run-why')).toHaveText('The time limit must be a positive number of seconds (or empty for none).');
  await limit.fill('0.4');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
  await expect(details.getByTestId('run-status')).toHaveText('failed');
  await expect(details.getByTestId('run-error-message')).toHaveText('Execution exceeded its time limit of 400 ms and was stopped.');
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'FAILED');

  // The gpu radio of a third-party bundle ('zipped' was installed through the API): disabled with the
  // reason, since third-party bundles run in the sandbox, which has no WebGPU (docs/security.md).
  await selectAlgorithm(page, 'zipped');
  await expect(page.getByTestId('device-gpu')).toBeDisabled();
  await expect(page.getByTestId('gpu-reason')).toContainText('third-party bundles run in a sandbox that has no WebGPU');
  // A built-in bundle's gpu radio: enabled when the browser has a WebGPU adapter (the config launches
  // Chromium with --enable-unsafe-webgpu), otherwise disabled with the reason.
  await selectAlgorithm(page, 'salient_segmentation');
  const gpu = await page.evaluate(async () => window.algobox.gpu());
  const radio = page.getByTestId('device-gpu');
  if (gpu.available) await expect(radio).toBeEnabled();
  else {
    await expect(radio).toBeDisabled();
    await expect(page.getByTestId('gpu-reason')).toContainText(gpu.reason ?? 'no WebGPU');
  }
  expect(problems).toEqual([]);
});

test('screenshot: the algorithms column at 1280×800', async ({ page }) => {
  const problems = await openApp(page);
  await seed(page, [everything, stepper, zipped], 2);
  await selectAlgorithm(page, 'everything');
  await addInput(page, 'img-1.png');
  await addInput(page, 'img-2.png');
  await page.getByLabel('count', { exact: true }).fill('4.5');
  await shot(page, 'docs/screenshots/algorithms.png');
  expect(problems).toEqual([]);
});
