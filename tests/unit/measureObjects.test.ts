// The built-in bundle measure_objects (issue 16) on scikit-image's coins, as a user runs it: Otsu
// (threshold_segmentation) → mask_cleanup → measure_objects. Its labels and its table equal
// skimage.measure.label + regionprops_table run by Debian's python3 on the same mask and image; the table
// links to the labels and to coins (found through the masks' provenance), and is named after coins.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { tableFromItem } from '../../src/core/table';
import { label, regionpropsTable } from '../../src/sdk/image/measure';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { builtinBundleFolder, BUNDLES_DIR } from './helpers/builtinFolder';

let api: Algobox;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = createAlgobox({ dbName: `measure-objects-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory() });
  const index = JSON.parse(readFileSync(join(BUNDLES_DIR, 'index.json'), 'utf8')) as { path: string; name: string }[];
  for (const e of index.filter((x) => ['threshold_segmentation', 'mask_cleanup', 'measure_objects'].includes(x.name))) {
    ids[e.name] = (await api.algorithms.install(builtinBundleFolder(e.path), { builtin: true })).id;
  }
});
afterAll(async () => await api.close());

async function run(name: string, inputs: string[], args: Record<string, unknown> = {}) {
  const rec = await api.executions.wait(await api.execute({ algorithmId: ids[name]!, inputDatasetIds: inputs, args }));
  if (rec.status !== 'COMPLETED') throw new Error(`${name} ${rec.status}: ${rec.error?.message}`);
  return rec;
}

const PY = `
import json, sys, numpy as np
from skimage import data, filters, morphology, measure
from scipy import ndimage as ndi
im = data.coins()
mask = ndi.binary_fill_holes(morphology.remove_small_objects(im > filters.threshold_otsu(im), 64))
lab = measure.label(mask, connectivity=int(sys.argv[1]))
props = ['label', 'area', 'bbox', 'centroid', 'equivalent_diameter', 'extent', 'euler_number', 'orientation',
         'major_axis_length', 'minor_axis_length', 'eccentricity', 'perimeter', 'solidity']
t = measure.regionprops_table(lab, intensity_image=im, properties=props + ['intensity_mean', 'intensity_min', 'intensity_max', 'weighted_centroid'])
print(json.dumps({'image': im.ravel().tolist(), 'shape': list(im.shape), 'labels': lab.ravel().tolist(),
                  'columns': {k: [float(x) for x in v] for k, v in t.items()}}))
`;

function skimage(connectivity: number) {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, String(connectivity)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { image: number[]; shape: number[]; labels: number[]; columns: Record<string, number[]> };
}

const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

describe('measure_objects', () => {
  it('coins → Otsu → cleanup → 24 objects: labels and every column equal skimage; the table links to its labels and to coins', async () => {
    const want = skimage(2);
    const coins = await api.datasets.put({ image: ndarray('uint8', want.shape, want.image) }, { name: 'coins.png', schema: 'Image' });
    const otsu = await run('threshold_segmentation', [coins], { thresholding_algorithm: 'otsu' });
    const clean = await run('mask_cleanup', otsu.outputDatasetIds, { min_size: 64, fill_holes: true });
    const rec = await run('measure_objects', clean.outputDatasetIds, { connectivity: 2 });
    expect(rec.outputDatasetIds).toHaveLength(2);
    const [labelsId, tableId] = rec.outputDatasetIds as [string, string];

    const labels = (await api.datasets.get(labelsId, ['mask'])).fields.mask as NDArray;
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.data)).toEqual(want.labels);

    const { meta, fields } = await api.datasets.get(tableId);
    expect(meta.schema).toBe('Table');
    expect(meta.name).toBe('coins · otsu mask · mask_cleanup mask · measure_objects measurements');
    expect(meta.extra).toMatchObject({ labels: labelsId, labelsKey: 'mask', image: coins, madeFrom: clean.outputDatasetIds[0] });
    const table = tableFromItem(fields);
    expect(table.rows).toBe(24);
    expect(table.columns.map((c) => c.name).sort()).toEqual(Object.keys(want.columns).sort());
    for (const [name, values] of Object.entries(want.columns)) {
      const got = Array.from(table.values[table.columns.findIndex((c) => c.name === name)]!);
      const bad = values.findIndex((v, i) => !close(got[i]!, v));
      expect(bad, `${name}[${bad}]: ${got[bad]} vs skimage ${values[bad]}`).toBe(-1);
    }
    expect(table.columns.find((c) => c.name === 'area')).toMatchObject({ type: 'int', unit: 'px²' });
    expect(table.columns.find((c) => c.name === 'perimeter')).toMatchObject({ type: 'float', unit: 'px' });
  });

  it('a mask of several chunks is labelled and measured block by block, equal to the in-memory label + regionprops_table', async () => {
    const [h, w] = [2100, 2090];
    const mask = ndarray('uint8', [h, w]);
    const image = ndarray('uint16', [h, w]);
    let s = 11;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let k = 0; k < 80; k++) {
      const [cy, cx, r] = [rnd() * h, rnd() * w, 5 + rnd() * 90]; // large discs cross the chunk borders
      for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++)
        for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) if (Math.hypot(y - cy, x - cx) <= r) mask.data[y * w + x] = 1;
    }
    for (let i = 0; i < image.data.length; i++) image.data[i] = (mask.data[i] ? 3000 : 200) + ((i * 2654435761) >>> 22);
    const imageId = await api.datasets.put({ image }, { name: 'big.tif', schema: 'Image' });
    const maskId = await api.datasets.put({ mask }, { name: 'big mask', schema: 'Segmentation', extra: { madeFrom: imageId } });
    const rec = await run('measure_objects', [maskId], { connectivity: 2 });
    expect(rec.log.map((l) => l.message).join('\n')).toContain('measured out of core');
    const want = label(mask, { connectivity: 2 });
    const labels = (await api.datasets.get(rec.outputDatasetIds[0]!, ['mask'])).fields.mask as NDArray;
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.data)).toEqual(Array.from(want.labels.data));
    const { meta, fields } = await api.datasets.get(rec.outputDatasetIds[1]!);
    expect(meta.extra).toMatchObject({ labels: rec.outputDatasetIds[0], image: imageId });
    const table = tableFromItem(fields);
    expect(table.rows).toBe(want.count);
    const props = [
      'label',
      'area',
      'bbox',
      'centroid',
      'equivalent_diameter',
      'extent',
      'euler_number',
      'orientation',
      'major_axis_length',
      'minor_axis_length',
      'eccentricity',
      'perimeter',
      'solidity',
    ];
    const mem = {
      ...regionpropsTable(want.labels, { properties: props }),
      ...regionpropsTable(want.labels, { intensity: image, properties: ['intensity_mean', 'intensity_min', 'intensity_max', 'weighted_centroid'] }),
    };
    expect(table.columns.map((c) => c.name).sort()).toEqual(Object.keys(mem).sort());
    for (const [name, values] of Object.entries(mem)) {
      const got = Array.from(table.values[table.columns.findIndex((c) => c.name === name)]!);
      const bad = Array.from(values).findIndex((v, i) => !close(got[i]!, v));
      expect(bad, `${name}[${bad}]`).toBe(-1);
    }
  });

  it('a label image keeps touching objects apart; connectivity 1 splits diagonal neighbours; no source image: no intensity columns', async () => {
    const m = ndarray('uint8', [4, 6], [1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 3]);
    const id = await api.datasets.put({ mask: m }, { name: 'hand labels', schema: 'Segmentation' });
    const rec = await run('measure_objects', [id], { connectivity: 1 });
    const labels = (await api.datasets.get(rec.outputDatasetIds[0]!, ['mask'])).fields.mask as NDArray;
    expect(Array.from(labels.data)).toEqual([1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 4]);
    const table = tableFromItem((await api.datasets.get(rec.outputDatasetIds[1]!)).fields);
    expect(Array.from(table.values[table.columns.findIndex((c) => c.name === 'area')]!)).toEqual([4, 4, 1, 1]);
    expect(table.columns.some((c) => c.name.startsWith('intensity'))).toBe(false);
    const eight = await run('measure_objects', [id], { connectivity: 2 });
    expect(tableFromItem((await api.datasets.get(eight.outputDatasetIds[1]!)).fields).rows).toBe(3);
  });
});
