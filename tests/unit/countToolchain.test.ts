// The built-in "Object counting" toolchain (issue 16) on the cells samples: measure_objects labels the
// threshold block's masks and the ground-truth masks (8-connected), count_eval compares the counts.
// Expected counts and areas come from scipy.ndimage.label + skimage.measure.regionprops_table run by
// Debian's python3 on the same arrays.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { countEvalToolchain, installBuiltinBlocks } from '../../src/blocks';
import { countErrors } from '../../src/blocks/countEval.block.js';
import type { NDArray } from '../../src/core/ndarray';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

const PY = `
import json, sys, numpy as np
from skimage.measure import label, regionprops_table
out = []
for m in json.load(sys.stdin):
    a = np.array(m['data'], dtype=np.uint8).reshape(m['shape'])
    lab = label(a, connectivity=2, background=0)
    t = regionprops_table(lab, properties=['area'])
    out.append({'count': int(lab.max()), 'area': [float(v) for v in t['area']], 'labels': lab.ravel().tolist()})
print(json.dumps(out))
`;

function skimageCounts(masks: NDArray[]): { count: number; area: number[]; labels: number[] }[] {
  const input = JSON.stringify(masks.map((m) => ({ shape: m.shape, data: Array.from(m.data as Uint8Array) })));
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { count: number; area: number[]; labels: number[] }[];
}

describe('object counting toolchain', () => {
  it('counts and areas equal skimage on the threshold masks and the ground truths; count_eval compares them', async () => {
    const api = createAlgobox({
      dbName: `count-${crypto.randomUUID()}`,
      workerFactory: inProcessWorkerFactory(),
      blockWorkerFactory: inProcessBlockWorkerFactory(),
      blockPoolSize: 2,
    });
    apis.push(api);
    await api.samples.ensure();
    await installBuiltinBlocks(api.blocks);
    const t = countEvalToolchain(await api.datasets.list(), await api.stacks.list());
    const rec = await api.toolchains.wait(await api.toolchains.run(t));
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.measure!.processCalls).toBe(5);

    const field = async (id: string, key: string) => (await api.datasets.get(id)).fields[key] as NDArray;
    const unitValues = (block: string, output: string) => Promise.all(rec.blocks[block]!.outputs[output]!.datasetIds.map((id) => field(id, 'value')));
    const masks = await unitValues('threshold', 'mask');
    const truths = await Promise.all(t.sources[1]!.datasetIds!.map((id) => field(id, 'mask')));
    const expected = skimageCounts(masks);
    const expectedTruth = skimageCounts(truths);

    const counts = (await unitValues('measure', 'count')).map((a) => Number(a.data[0]));
    const truthCounts = (await unitValues('measure_truth', 'count')).map((a) => Number(a.data[0]));
    expect(counts).toEqual(expected.map((e) => e.count));
    expect(truthCounts).toEqual(expectedTruth.map((e) => e.count));
    expect(counts.every((c) => c > 0)).toBe(true);
    const areas = (await unitValues('measure', 'area')).map((a) => Array.from(a.data as Float64Array));
    expect(areas).toEqual(expected.map((e) => e.area));
    const labels = (await unitValues('measure', 'labels')).map((a) => ({ dtype: a.dtype, values: Array.from(a.data as Int32Array) }));
    expect(labels).toEqual(expected.map((e) => ({ dtype: 'int32', values: e.labels })));

    const data = rec.blocks.counting!.results!.data as Record<string, unknown>;
    const { meanAbsolute, meanRelative } = countErrors(counts, truthCounts);
    expect(data.mean_absolute_error).toBe(Math.fround(meanAbsolute));
    expect(data.mean_relative_error).toBe(Math.fround(meanRelative));
    expect(data.total_found).toBe(counts.reduce((a, b) => a + b, 0));
    expect(data.total_ground_truth).toBe(truthCounts.reduce((a, b) => a + b, 0));
    expect(data.nb_images).toBe(5);
    const series = (data.per_image as { data: { label: string; y: NDArray }[] }).data;
    expect(series.map((s) => [s.label, Array.from(s.y.data)])).toEqual([
      ['found', counts],
      ['ground truth', truthCounts],
    ]);
    // The per-image table (system/table/1), written by the analyzer and validated by the platform.
    expect(data.per_image_table).toEqual({
      columns: [
        { name: 'image_index', type: 'int' },
        { name: 'found', type: 'int' },
        { name: 'ground_truth', type: 'int' },
        { name: 'error', type: 'int' },
        { name: 'relative_error', type: 'float' },
      ],
      values: [
        [0, 1, 2, 3, 4],
        counts,
        truthCounts,
        counts.map((c, i) => c - truthCounts[i]!),
        counts.map((c, i) => (truthCounts[i]! > 0 ? (c - truthCounts[i]!) / truthCounts[i]! : NaN)),
      ],
    });
  });

  it('countErrors: mean absolute over all images, relative over those with a non-empty reference', () => {
    expect(countErrors([3, 5, 0], [4, 5, 0])).toEqual({ meanAbsolute: 1 / 3, meanRelative: 1 / 4 / 2 });
    expect(countErrors([], [])).toEqual({ meanAbsolute: 0, meanRelative: 0 });
  });
});
