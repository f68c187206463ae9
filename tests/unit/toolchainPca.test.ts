// The built-in PCA toolchain (src/blocks/toolchains.ts `pcaToolchain`): the 16 slices of the sample
// stack "spheres 3-D (16 slices)" (128×128 uint8) → builtin/pca/1 with 5 components, in a block
// worker through the API. 16 images of 16384 pixels: the block uses the Gram-matrix method. The stored
// weights are checked directly: orthonormal columns, in decreasing order of the variance they carry,
// which equals the top eigenvalues of the images' Gram matrix.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { installBuiltinBlocks, pcaToolchain } from '../../src/blocks';
import { symmetricEigen } from '../../src/blocks/pca.block.js';
import type { NDArray } from '../../src/core/ndarray';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

describe('the built-in PCA toolchain', () => {
  it('spheres 3-D → 5 principal axes: orthonormal, in decreasing eigenvalue order (the Gram eigenvalues)', async () => {
    const api = createAlgobox({
      dbName: `pca-${crypto.randomUUID()}`,
      workerFactory: inProcessWorkerFactory(),
      blockWorkerFactory: inProcessBlockWorkerFactory(),
    });
    apis.push(api);
    await api.ready;
    await api.samples.ensure();
    await installBuiltinBlocks(api.blocks);
    const t = pcaToolchain(await api.stacks.list());
    const rec = await api.toolchains.wait(await api.toolchains.run(t));
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.pca).toMatchObject({ status: 'DONE', algorithm: 'builtin/pca/1', processCalls: 16 });
    const out = rec.blocks.pca!.outputs.subspace!;
    expect(out).toMatchObject({ stream: 'pca.subspace', format: 'tutorial/linear_machine/1', indices: [[0, 15]] });
    const m = (await api.datasets.get(out.datasetIds[0]!)).fields as Record<string, NDArray>;
    const w = m.weights!;
    const [d, k] = [128 * 128, 5];
    expect([w.dtype, w.shape]).toEqual(['float64', [d, k]]);
    expect(Array.from(m.biases!.data)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(m.input_divide!.data).every((x) => x === 1)).toBe(true);

    // The images, centred on the stored mean (which is their mean).
    const stack = (await api.stacks.list()).find((s) => s.name === 'spheres 3-D (16 slices)')!;
    const images = await Promise.all(stack.datasetIds.map(async (id) => Float64Array.from(((await api.datasets.get(id)).fields.image as NDArray).data)));
    const n = images.length;
    const mean = m.input_subtract!.data;
    for (const i of [0, 1000, 8256, d - 1]) expect(mean[i]).toBeCloseTo(images.reduce((s, x) => s + x[i]!, 0) / n, 9);
    const centred = images.map((x) => x.map((v, i) => v - mean[i]!));

    const col = (c: number): Float64Array => Float64Array.from({ length: d }, (_, r) => w.data[r * k + c]!);
    const cols = Array.from({ length: k }, (_, c) => col(c));
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
      return s;
    };
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) expect(Math.abs(dot(cols[a]!, cols[b]!) - (a === b ? 1 : 0))).toBeLessThanOrEqual(1e-9);

    // Variance along each axis = its eigenvalue: decreasing, and the Gram matrix's top five.
    const variance = cols.map((c) => centred.reduce((s, x) => s + dot(x, c) ** 2, 0) / (n - 1));
    for (let c = 1; c < k; c++) expect(variance[c]!).toBeLessThan(variance[c - 1]!);
    expect(variance[k - 1]!).toBeGreaterThan(0);
    const gram = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) gram[a * n + b] = dot(centred[a]!, centred[b]!) / (n - 1);
    const eigen = Array.from(symmetricEigen(gram, n).values).sort((x, y) => y - x);
    variance.forEach((v, c) => expect(Math.abs(v - eigen[c]!)).toBeLessThanOrEqual(1e-9 * eigen[0]!));
    // Each axis is an eigenvector of the covariance: C w = λ w (checked through the images, C = XᵀX/(n−1)).
    for (let c = 0; c < k; c++) {
      const cw = new Float64Array(d);
      for (const x of centred) {
        const p = dot(x, cols[c]!) / (n - 1);
        for (let i = 0; i < d; i++) cw[i] = cw[i]! + p * x[i]!;
      }
      let err = 0;
      for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(cw[i]! - variance[c]! * cols[c]![i]!));
      expect(err).toBeLessThanOrEqual(1e-9 * eigen[0]!);
    }
  });
});
