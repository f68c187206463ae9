// Loops and user data formats on the toolchain page (issue 12 §2), driven through the UI as a person
// would: the built-in loop toolchain (processor ↔ evaluator in two block workers; {sum: 504, nb: 9};
// the evaluator's threshold edited on the page changes the sum), and user formats installed from a file
// and a block using them installed from its files, then a custom toolchain over them run from the page.
import { expect, test, type Page } from '@playwright/test';
import { openApp } from './util';
import { shot, SHOTS_DIR } from './shot';
import { runFromPage as runUntilDone } from './toolchainRun';

const runFromPage = (page: Page) => runUntilDone(page, 60_000);

const result = async (page: Page, block: string, name: string) => Number(await page.getByTestId(`tc-result-${block}-${name}`).getAttribute('data-value'));

test('the loop toolchain from the page: the loop is drawn, both blocks run, {sum: 504, nb: 9}; threshold 3 gives 81', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  const problems = await openApp(page);
  await page.getByTestId('nav-toolchains').click();
  await page.getByTestId('tc-choose-loop').click();
  await expect(page.getByTestId('tc-name')).toHaveText('Loop (processor ↔ evaluator)');
  const diagram = page.getByTestId('tc-diagram');
  await expect(diagram).toHaveAttribute('aria-label', '1 sources, 3 blocks, 3 connections');
  await expect(page.getByTestId('tc-loop-loop')).toContainText('loop loop: int32 ⇄ float');
  await expect(page.getByTestId('tc-node-processor')).toContainText('loop processor');
  await expect(page.getByTestId('tc-node-evaluator')).toContainText('loop evaluator');
  const threshold = page.getByTestId('tc-params-evaluator').getByLabel(/threshold/);
  await expect(threshold).toHaveValue('50');

  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-block-processor')).toHaveAttribute('data-calls', '9');
  await expect(page.getByTestId('tc-block-evaluator')).toHaveAttribute('data-calls', '81');
  expect(await result(page, 'analysis', 'sum')).toBe(504);
  expect(await result(page, 'analysis', 'nb')).toBe(9);
  await expect(page.getByTestId('tc-output-evaluator.requests').getByRole('button')).toHaveCount(9);
  await shot(page, `${SHOTS_DIR}/toolchain-loop.png`);

  // Every search ends at threshold + 1: 45 + 9 × 4.
  await threshold.fill('3');
  await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  expect(await result(page, 'analysis', 'sum')).toBe(81);
  expect(problems).toEqual([]);
});

const FORMATS = {
  'user/point/1': { '#description': 'A 2-D point', x: 'float64', y: 'float64' },
  'user/polygon/1': { points: [0, 'user/point/1'], label: 'string', transform: [2, 3, 'float32'] },
  'user/labelled_point/1': { '#extends': 'user/point/1', label: 'string', y: 'int32' },
};
const CENTROID_DECL = {
  language: 'javascript',
  api_version: 2,
  groups: [{ inputs: { polygon: { type: 'user/polygon/1' } }, outputs: { centroid: { type: 'user/labelled_point/1' } } }],
};
const CENTROID = `export class Algorithm {
  process(inputs, dataLoaders, outputs) {
    const p = inputs.get('polygon').data;
    const n = p.points.length;
    const x = p.points.reduce((s, q) => s + q.x, 0) / n;
    const y = p.points.reduce((s, q) => s + q.y, 0) / n;
    outputs.get('centroid').write({ x, y: Math.round(y), label: p.label + ':' + p.transform.shape.join('x') });
    return true;
  }
}`;
const json = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });

test('user data formats from the page: installed from a file, listed with their fields, used by a block installed from its files, run in a custom toolchain', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  const problems = await openApp(page);
  await page.getByTestId('nav-toolchains').click();
  const formats = page.getByRole('region', { name: 'Data formats' });

  // A block using unknown formats is refused, naming them.
  const blocks = page.getByRole('region', { name: 'Installed blocks' });
  await blocks.getByRole('button', { name: 'Install block…' }).click();
  await blocks.getByLabel('Declaration (.json)').setInputFiles(json('centroid.json', CENTROID_DECL));
  await blocks.getByLabel(/^Module/).setInputFiles({ name: 'centroid.js', mimeType: 'text/javascript', buffer: Buffer.from(CENTROID) });
  await blocks.getByLabel(/^Name/).fill('user/centroid/1');
  await blocks.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(blocks.getByRole('alert')).toContainText("input 'polygon': unknown data format 'user/polygon/1'");

  // A bad declaration typed in: the format, the field and the value are named.
  await formats.getByRole('button', { name: 'Install formats…' }).click();
  await formats.getByLabel('Or type them (JSON)').fill('{ "user/bad/1": { "m": [2, "float33"] } }');
  await formats.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(page.getByTestId('tc-formats-status')).toHaveText("Invalid data formats: invalid data format 'user/bad/1': field 'm[]': unknown type 'float33'");

  // The formats from a file.
  await formats.getByLabel('Or type them (JSON)').fill('');
  await formats.getByLabel(/^Format files/).setInputFiles(json('geometry.json', FORMATS));
  await formats.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(page.getByTestId('tc-formats-status')).toHaveText('Installed user/labelled_point/1, user/point/1, user/polygon/1.');
  const list = page.getByTestId('tc-formats');
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(list.getByRole('listitem').nth(0)).toContainText('x: float64, label: string, y: int32 (extends user/point/1)');
  await expect(list.getByRole('listitem').nth(2)).toContainText('points: [0, user/point/1], label: string, transform: [2, 3, float32]');

  // Now the block installs, and carries them.
  await blocks.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(blocks.getByRole('status')).toHaveText('Installed user/centroid/1.');
  await expect(list.getByRole('listitem').nth(1)).toContainText('used by user/centroid/1');

  // A custom toolchain over them, run from the page.
  await page.getByTestId('tc-choose-custom').click();
  const toolchain = {
    name: 'centroids',
    sources: [
      {
        name: 'polygon',
        format: 'user/polygon/1',
        values: [
          {
            points: [
              { x: 0, y: 0 },
              { x: 2, y: 0 },
              { x: 2, y: 2 },
              { x: 0, y: 2 },
            ],
            label: 'square',
            transform: [
              [1, 0, 0],
              [0, 1, 0],
            ],
          },
          {
            points: [
              { x: 0, y: 0 },
              { x: 6, y: 0 },
              { x: 0, y: 6 },
            ],
            label: 'triangle',
            transform: [
              [1, 0, 0],
              [0, 1, 0],
            ],
          },
        ],
      },
    ],
    blocks: [{ name: 'C', algorithm: 'user/centroid/1' }],
  };
  await page.getByTestId('tc-json').fill(JSON.stringify(toolchain, null, 2));
  await expect(page.getByTestId('tc-node-C')).toBeVisible();
  const runId = await runFromPage(page);
  await expect(page.getByTestId('tc-run-status')).toHaveText('done');
  await expect(page.getByTestId('tc-output-C.centroid').getByRole('button')).toHaveText(['0', '1']);
  const centroids = await page.evaluate(async (id) => {
    const api = window.algobox;
    const rec = await api.toolchains.get(id);
    return Promise.all(
      rec.blocks.C!.outputs.centroid!.datasetIds.map(async (d) => {
        const f = (await api.datasets.get(d)).fields as Record<string, { data: ArrayLike<number> } | string>;
        return { x: Array.from((f.x as { data: ArrayLike<number> }).data)[0], y: Array.from((f.y as { data: ArrayLike<number> }).data)[0], label: f.label };
      }),
    );
  }, runId);
  expect(centroids).toEqual([
    { x: 1, y: 1, label: 'square:2x3' },
    { x: 2, y: 2, label: 'triangle:2x3' },
  ]);
  // A block installed with its own format file: the format joins the library, carried by the block.
  const areaDecl = {
    language: 'javascript',
    api_version: 2,
    groups: [{ inputs: { polygon: { type: 'user/polygon/1' } }, outputs: { area: { type: 'user/area/1' } } }],
  };
  await blocks.getByLabel('Declaration (.json)').setInputFiles(json('area.json', areaDecl));
  await blocks.getByLabel(/^Module/).setInputFiles({
    name: 'area.js',
    mimeType: 'text/javascript',
    buffer: Buffer.from('export class Algorithm { process(i, l, o) { o.get("area").write({ value: 0 }); return true; } }'),
  });
  await blocks.getByLabel(/^Data formats it uses/).setInputFiles(json('area-formats.json', { 'user/area/1': { value: 'float64' } }));
  await blocks.getByLabel(/^Name/).fill('user/area/1');
  await blocks.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(blocks.getByRole('status')).toHaveText('Installed user/area/1.');
  await expect(list.getByRole('listitem').nth(0)).toContainText('user/area/1');
  await expect(list.getByRole('listitem').nth(0)).toContainText('value: float64');
  await expect(list.getByRole('listitem').nth(0)).toContainText('used by user/area/1');
  await expect(list.getByRole('listitem').nth(3)).toContainText('used by user/area/1, user/centroid/1');

  await shot(page, `${SHOTS_DIR}/toolchain-formats.png`);
  expect(problems).toEqual([]);
});

test('a loop pair of user blocks runs in the browser sandbox (each block in its own opaque-origin frame), the engine relaying the channel: {sum: 504, nb: 9}', async ({
  page,
}) => {
  const { readFileSync } = await import('node:fs');
  const read = (f: string) => readFileSync(new URL(`../../src/blocks/${f}`, import.meta.url), 'utf8');
  const files = {
    processor: [JSON.parse(read('loopProcessor.json')), read('loopProcessor.block.js')],
    evaluator: [JSON.parse(read('loopEvaluator.json')), read('loopEvaluator.block.js')],
  };
  const problems = await openApp(page);
  const out = await page.evaluate(async (f) => {
    const api = window.algobox;
    const p = await api.blocks.install(f.processor[0], f.processor[1] as string, { name: 'user/loop_processor/1' });
    const e = await api.blocks.install(f.evaluator[0], f.evaluator[1] as string, { name: 'user/loop_evaluator/1' });
    const builtin = (await api.toolchains.builtins()).find((b) => b.id === 'loop')!.toolchain!;
    const toolchain = {
      ...builtin,
      blocks: builtin.blocks.map((b) => (b.name === 'processor' ? { ...b, algorithm: p.id } : b.name === 'evaluator' ? { ...b, algorithm: e.id } : b)),
    };
    const rec = await api.toolchains.wait(await api.toolchains.run(toolchain));
    return {
      origins: [p.origin, e.origin],
      status: rec.status,
      result: rec.blocks.analysis!.results?.data,
      calls: [rec.blocks.processor!.processCalls, rec.blocks.evaluator!.processCalls],
      errors: Object.values(rec.blocks).map((b) => b.error?.message ?? null),
    };
  }, files);
  expect(out).toEqual({ origins: ['user', 'user'], status: 'DONE', result: { sum: 504, nb: 9 }, calls: [9, 81], errors: [null, null, null] });
  expect(problems).toEqual([]);
});
