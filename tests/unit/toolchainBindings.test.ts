// Issue 15 item 4, through the API: a toolchain's sources bound to the user's own imported images and
// label masks (`toolchains.sourceChoices`: what can feed each source, and why the rest cannot), the
// run on them checked against Dice/IoU computed by numpy, and saved toolchains (`toolchains.saved`:
// checked before they are stored, listed, replaced, kept across a reopen, re-run, deleted).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox, type AlgoboxOptions } from '../../src/api';
import { installBuiltinBlocks, volumeThresholdToolchain } from '../../src/blocks';
import { ndarray } from '../../src/core/ndarray';
import type { ToolchainJson } from '../../src/core/beat';
import { decodeImageBytes } from '../../src/core/imageCodecs';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'tc-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three uint16 images (TIFF), their 0/255 label masks (PNG), a float32 image; Dice and IoU of (image > 700) against each mask, by numpy. */
function makeFiles(): { dice: number[]; iou: number[] } | null {
  const script = `
import json, os, sys, numpy as np, tifffile, skimage.io
d = sys.argv[1]
rng = np.random.default_rng(7)
os.makedirs(d + '/img', exist_ok=True); os.makedirs(d + '/gt', exist_ok=True); os.makedirs(d + '/odd', exist_ok=True)
yy, xx = np.mgrid[0:24, 0:32]
dice, iou = [], []
for k in range(3):
    cy, cx, r = 8 + 3 * k, 10 + 5 * k, 5 + k
    disk = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    img = (rng.integers(0, 600, size=(24, 32)) + 500 * disk).astype(np.uint16)
    gt = ((yy - cy) ** 2 + (xx - cx - 1) ** 2 <= r * r)
    tifffile.imwrite(d + f'/img/a{k + 1}.tif', img)
    skimage.io.imsave(d + f'/gt/a{k + 1}.png', (gt * 255).astype(np.uint8), check_contrast=False)
    p = img > 700
    inter, sp, sg = int((p & gt).sum()), int(p.sum()), int(gt.sum())
    dice.append(2 * inter / (sp + sg)); iou.append(inter / (sp + sg - inter))
tifffile.imwrite(d + '/odd/f.tif', rng.random((24, 32)).astype(np.float32))
print(json.dumps({'dice': dice, 'iou': iou}))
`;
  const r = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { dice: number[]; iou: number[] }) : null;
}
const expected = makeFiles();

const decodeImageFile: AlgoboxOptions['decodeImageFile'] = async (f) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');
const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

function makeApi(dbName = `tc-bind-${crypto.randomUUID()}`): Algobox {
  const api = createAlgobox({
    dbName,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: inProcessBlockWorkerFactory(),
    blockPoolSize: 2,
    decodeImageFile,
    storageManager: null,
  });
  apis.push(api);
  return api;
}

/** The user's files imported as the app imports them: the img/ and gt/ folders become stacks. */
async function importUserFiles(api: Algobox): Promise<{ images: string; truths: string; float: string }> {
  const paths = ['img/a1.tif', 'img/a2.tif', 'img/a3.tif', 'gt/a1.png', 'gt/a2.png', 'gt/a3.png', 'odd/f.tif'];
  const r = await api.datasets.importFilesDetailed(paths.map((path) => ({ file: new Blob([readFileSync(join(dir, path))]), path })));
  expect(r.errors).toEqual([]);
  const stack = (name: string) => r.stacks.find((s) => s.name === name)!.id;
  const float = (await api.datasets.list()).find((d) => d.name === 'f.tif')!.id;
  return { images: stack('img'), truths: stack('gt'), float };
}

/** The segmentation evaluation with both sources bound to the user's stacks. */
const evaluation = (images: string, truths: string, truthField?: string): ToolchainJson => ({
  name: 'my evaluation',
  sources: [
    { name: 'images', stackId: images, field: 'image', format: 'system/array_2d_uint16/1' },
    { name: 'ground_truth', stackId: truths, ...(truthField ? { field: truthField } : {}), format: 'system/array_2d_uint8/1' },
  ],
  blocks: [
    { name: 'threshold', algorithm: 'builtin/threshold/1', parameters: { threshold: 700 } },
    { name: 'evaluation', algorithm: 'builtin/segmentation_eval/1' },
  ],
  connections: [{ from: 'threshold.mask', to: 'evaluation.prediction' }],
});

async function runResults(api: Algobox, t: unknown): Promise<{ dice: number[]; iou: number[]; mean_dice: number; nb_images: number }> {
  const rec = await api.toolchains.wait(await api.toolchains.run(t));
  expect(rec.error).toBeNull();
  expect(rec.status).toBe('DONE');
  const data = rec.blocks.evaluation!.results!.data as Record<string, unknown>;
  const series = (data.per_image as { data: { y: { data: ArrayLike<number> } }[] }).data;
  return { dice: Array.from(series[0]!.y.data), iou: Array.from(series[1]!.y.data), mean_dice: data.mean_dice as number, nb_images: data.nb_images as number };
}

describe.skipIf(!expected)('toolchain sources bound to the user’s data', () => {
  it('sourceChoices lists the stacks and datasets that can feed each source, and names why the others cannot', async () => {
    const api = makeApi();
    await api.ready;
    await installBuiltinBlocks(api.blocks);
    const ids = await importUserFiles(api);
    const choices = await api.toolchains.sourceChoices(evaluation(ids.images, ids.truths));
    expect(choices.map((c) => [c.source, c.role, c.needs, c.bound])).toEqual([
      ['images', 'images', 'a 2-D uint16 array', { kind: 'stack', id: ids.images }],
      ['ground_truth', 'ground truth', 'a 2-D uint8 array', { kind: 'stack', id: ids.truths }],
    ]);
    const [images, truths] = choices;
    const usable = (c: typeof images) => c!.candidates.filter((x) => x.problem === null).map((x) => `${x.kind}:${x.name}:${x.field}:${x.units}`);
    // uint8 masks convert to uint16 without loss: they could feed the images too; the float32 image cannot.
    expect(usable(images)).toEqual(expect.arrayContaining(['stack:img:image:3', 'stack:gt:image:3', 'dataset:a1.tif:image:1', 'dataset:a1.png:image:1']));
    expect(images!.candidates.find((c) => c.name === 'f.tif')!.problem).toBe(
      "dataset 'f.tif' field 'image' is float32, which system/array_2d_uint16/1 (uint16) cannot take without loss",
    );
    // The ground truth (uint8): the uint16 images are refused, naming the stack, the dataset, the field and the dtype.
    expect(usable(truths)).toEqual(expect.arrayContaining(['stack:gt:image:3', 'dataset:a2.png:image:1']));
    expect(truths!.candidates.find((c) => c.kind === 'stack' && c.name === 'img')!.problem).toBe(
      "stack 'img': dataset 'a1.tif' field 'image' is uint16, which system/array_2d_uint8/1 (uint8) cannot take without loss",
    );
    // Usable ones come first.
    const firstBad = truths!.candidates.findIndex((c) => c.problem !== null);
    expect(truths!.candidates.slice(firstBad).every((c) => c.problem !== null)).toBe(true);
    // A source of inline values is not bindable; a shape the format fixes is checked.
    const pca = await api.toolchains.sourceChoices({
      sources: [
        { name: 'x', values: [{ value: 1 }], format: 'system/int32/1' },
        { name: 'vol', datasetIds: [ids.float], format: 'system/array_3d_float32/1' },
      ],
      blocks: [{ name: 'B', algorithm: 'builtin/fig3_labels/1' }],
      connections: [{ from: 'x', to: 'B.labels' }],
    });
    expect(pca.map((c) => c.source)).toEqual(['vol']);
    expect(pca[0]!.candidates.find((c) => c.name === 'f.tif')!.problem).toBe(
      "dataset 'f.tif' field 'image' has shape [24, 32], but system/array_3d_float32/1 needs a 3-D float32 array",
    );
  });

  it('a lazy source (read as stored, never converted) needs the exact dtype: a uint8 volume cannot feed the uint16 volume threshold', async () => {
    const api = makeApi();
    await api.ready;
    await installBuiltinBlocks(api.blocks);
    const v16 = await api.datasets.put({ volume: ndarray('uint16', [2, 3, 4], new Uint16Array(24)) }, { name: 'v16' });
    await api.datasets.put({ volume: ndarray('uint8', [2, 3, 4], new Uint8Array(24)) }, { name: 'v8' });
    const [vol] = await api.toolchains.sourceChoices(volumeThresholdToolchain([v16]));
    expect(vol!.candidates.find((c) => c.name === 'v16')).toMatchObject({ field: 'volume', problem: null });
    expect(vol!.candidates.find((c) => c.name === 'v8')!.problem).toBe(
      "dataset 'v8' field 'volume' is uint8, but system/array_3d_uint16/1 needs uint16 exactly (its blocks read it lazily, as stored)",
    );
  });

  it('a run over the bound sources gives the Dice and IoU numpy computes; a wrong binding is refused naming the dataset and field', async () => {
    const api = makeApi();
    await api.ready;
    await installBuiltinBlocks(api.blocks);
    const ids = await importUserFiles(api);
    const r = await runResults(api, evaluation(ids.images, ids.truths));
    expect(r.nb_images).toBe(3);
    r.dice.forEach((d, k) => expect(d).toBeCloseTo(expected!.dice[k]!, 12));
    r.iou.forEach((d, k) => expect(d).toBeCloseTo(expected!.iou[k]!, 12));
    expect(r.mean_dice).toBeCloseTo(expected!.dice.reduce((a, b) => a + b, 0) / 3, 6);
    // The images bound as the ground truth: the run is refused before it starts.
    await expect(api.toolchains.run(evaluation(ids.images, ids.images))).rejects.toThrow(
      "source 'ground_truth': dataset 'a1.tif' field 'image' is not system/array_2d_uint8/1: field 'value': cannot safely cast an array of uint16 to uint8",
    );
  });

  it('saved toolchains: checked before storing, listed, replaced by id, kept across a reopen, re-run and deleted', async () => {
    const dbName = `tc-saved-${crypto.randomUUID()}`;
    const api = makeApi(dbName);
    await api.ready;
    await installBuiltinBlocks(api.blocks);
    const ids = await importUserFiles(api);
    const t = evaluation(ids.images, ids.truths);
    // Nothing unusable is stored.
    await expect(api.toolchains.saved.save({ name: '  ', toolchain: t })).rejects.toThrow('Saved toolchain: name: expected a non-empty name, got "  ".');
    await expect(
      api.toolchains.saved.save({ name: 'x', toolchain: { ...t, blocks: [{ name: 'threshold', algorithm: 'user/nope/1' }, t.blocks[1]!] } }),
    ).rejects.toThrow(/user\/nope\/1/);
    await expect(
      api.toolchains.saved.save({ name: 'x', toolchain: { ...t, sources: [t.sources[0]!, { ...t.sources[1]!, stackId: 'gone' }] } }),
    ).rejects.toThrow("The toolchain cannot be saved: sources[1] 'ground_truth': stack 'gone' not found.");
    expect(await api.toolchains.saved.list()).toEqual([]);

    const saved = await api.toolchains.saved.save({ name: ' My cells ', toolchain: t, from: 'segmentation-eval' });
    expect(saved).toMatchObject({ name: 'My cells', from: 'segmentation-eval', toolchain: t });
    expect(saved.created).toBe(saved.updated);
    const other = await api.toolchains.saved.save({ name: 'Other', toolchain: { ...t, name: 'other' } });
    expect((await api.toolchains.saved.list()).map((s) => s.name)).toEqual(['Other', 'My cells']);
    // Replacing keeps the id, the creation time and where it came from; it becomes the last saved.
    await new Promise((r) => setTimeout(r, 5));
    const threshold400 = { ...t, blocks: [{ ...t.blocks[0]!, parameters: { threshold: 400 } }, t.blocks[1]!] };
    const again = await api.toolchains.saved.save({ id: saved.id, name: 'My cells at 400', toolchain: threshold400 });
    expect(again).toMatchObject({ id: saved.id, created: saved.created, from: 'segmentation-eval', name: 'My cells at 400' });
    expect(again.updated > saved.updated).toBe(true);
    expect((await api.toolchains.saved.list()).map((s) => s.id)).toEqual([saved.id, other.id]);
    await expect(api.toolchains.saved.save({ id: 'nope', name: 'n', toolchain: t })).rejects.toThrow("Saved toolchain 'nope' not found.");
    await api.close();
    apis.length = 0;

    // Reopened: still there, and it runs as saved (threshold 400: other values than at 700).
    const reopened = makeApi(dbName);
    await reopened.ready;
    const back = await reopened.toolchains.saved.get(saved.id);
    expect(back.toolchain).toEqual(threshold400);
    const r = await runResults(reopened, back.toolchain);
    expect(r.nb_images).toBe(3);
    expect(r.dice).not.toEqual(expected!.dice);
    await reopened.toolchains.saved.delete(saved.id);
    expect((await reopened.toolchains.saved.list()).map((s) => s.id)).toEqual([other.id]);
    await expect(reopened.toolchains.saved.delete(saved.id)).rejects.toThrow(`Saved toolchain '${saved.id}' not found.`);
    await expect(reopened.toolchains.saved.get(saved.id)).rejects.toThrow(`Saved toolchain '${saved.id}' not found.`);
  });
});
